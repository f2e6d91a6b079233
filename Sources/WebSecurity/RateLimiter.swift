import Synchronization

/// `rate_limit`: a token bucket of `burst` requests, refilled by one every `interval`, shared
/// by every client. A request finding the bucket empty gets 429.
public final class RateLimiter: Sendable {
    private let interval: Duration
    private let burst: Int
    private let bucket: Mutex<(tokens: Double, at: ContinuousClock.Instant)>

    public init(interval: Duration, burst: Int) {
        self.interval = interval
        self.burst = max(1, burst)
        self.bucket = Mutex((Double(max(1, burst)), ContinuousClock.now))
    }

    /// Takes a token if there is one.
    public func allow(now: ContinuousClock.Instant = .now) -> Bool {
        bucket.withLock { bucket in
            let elapsed = bucket.at.duration(to: now)
            if elapsed > .zero {
                let refill = elapsed / interval
                bucket.tokens = min(Double(burst), bucket.tokens + refill)
                bucket.at = now
            }
            guard bucket.tokens >= 1 else { return false }
            bucket.tokens -= 1
            return true
        }
    }
}
