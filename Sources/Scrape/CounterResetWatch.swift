/// Watches how often a target's counters go down, to catch the sawtooth of an app served by
/// several worker processes that each count on their own.
///
/// A gunicorn or uvicorn app with `--workers 4` and `prometheus_client` but no
/// `PROMETHEUS_MULTIPROC_DIR` answers each scrape from whichever worker took the connection, so
/// its counters jump between four unrelated values: `rate()` sees a reset at most scrapes and
/// reports nonsense. A real restart resets counters once. So the watch keeps, for the last
/// ``window`` successful scrapes, whether any counter went down, and calls the target
/// suspicious when at least ``threshold`` of them did — far more resets than restarts explain
/// (four restarts in twenty scrapes is a crash loop, worth a look as well). With four workers
/// about a third of scrapes see a counter go down, so the window is long enough for the flag
/// not to flicker.
public struct CounterResetWatch: Sendable, Hashable {
    /// Successful scrapes looked back over.
    public static let window = 20
    /// Scrapes with a counter going down, within the window, that make a target suspicious.
    public static let threshold = 4

    /// One bit per scrape of the window, the newest lowest: set when a counter went down.
    private var history: UInt32 = 0

    public init() {}

    /// Scrapes of the window in which some counter went down.
    public var scrapesWithResets: Int { (history & Self.windowMask).nonzeroBitCount }

    /// Whether counters reset far more often than restarts explain.
    public var isSuspicious: Bool { scrapesWithResets >= Self.threshold }

    /// Records a successful scrape and how many of its counters went down.
    public mutating func record(counterResets: Int) {
        history = (history << 1 | (counterResets > 0 ? 1 : 0)) & Self.windowMask
    }

    private static let windowMask: UInt32 = (1 << UInt32(window)) - 1
}
