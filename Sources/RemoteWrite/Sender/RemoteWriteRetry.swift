/// How one attempt to send a batch ended.
package enum RemoteWriteOutcome: Sendable, Equatable {
    /// 2xx: the receiver has the samples.
    case accepted
    /// An HTTP error status, with the `Retry-After` delay it carried.
    case status(Int, retryAfter: Duration?)
    /// No answer: connection refused, reset, timed out.
    case unreachable(String)
}

/// The retry policy for one batch, as a value: each outcome gives the next action. Receivers
/// that are down or overloaded (5xx, no answer, and 429 unless `retry_on_http_429` is off) are
/// retried for as long as it takes — the WAL keeps the data meanwhile — with a backoff that
/// doubles from `min_backoff` to `max_backoff` (or what `Retry-After` asks, up to five minutes).
/// A request the receiver refuses (any other 4xx) would be refused again: it is dropped.
package struct RemoteWriteRetry: Sendable, Equatable {
    package enum Action: Sendable, Equatable {
        case done
        case retry(after: Duration)
        case drop(reason: String)
    }

    package let minBackoff: Duration
    package let maxBackoff: Duration
    package let retryOn429: Bool
    /// Attempts that failed so far.
    package private(set) var failures = 0
    private var backoff: Duration

    /// The longest `Retry-After` honoured.
    static let retryAfterLimit: Duration = .seconds(300)

    package init(minBackoff: Duration, maxBackoff: Duration, retryOn429: Bool) {
        self.minBackoff = max(minBackoff, .milliseconds(1))
        self.maxBackoff = max(maxBackoff, self.minBackoff)
        self.retryOn429 = retryOn429
        backoff = self.minBackoff
    }

    package mutating func next(after outcome: RemoteWriteOutcome) -> Action {
        switch outcome {
        case .accepted:
            return .done
        case .status(let code, let retryAfter):
            let recoverable = code >= 500 || (code == 429 && retryOn429)
            guard recoverable else { return .drop(reason: "the receiver refused the batch with HTTP \(code)") }
            return retry(honouring: retryAfter)
        case .unreachable:
            return retry(honouring: nil)
        }
    }

    private mutating func retry(honouring retryAfter: Duration?) -> Action {
        failures += 1
        let wait = retryAfter.map { min(max($0, .zero), Self.retryAfterLimit) } ?? backoff
        backoff = min(backoff * 2, maxBackoff)
        return .retry(after: wait)
    }
}
