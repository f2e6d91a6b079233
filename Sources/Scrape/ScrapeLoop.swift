import Exposition
import Foundation
import Logging
import MetricModel
import NIOPosix
import Synchronization
import TSDB

/// Scrapes one target on its schedule and stores each scrape as one commit: the body's samples,
/// staleness markers for series that vanished, and the report series (`up`, …) together.
public final class ScrapeLoop: Sendable {
    public let target: ScrapeTarget
    let pool: String
    let schedule: ScrapeSchedule
    let options: ScrapeOptions
    let client: ScrapeClient
    let storage: any Appendable
    let clock: any WallClock
    let logger: Logger
    let metrics: ScrapeMetrics?
    private let memory: Memory

    /// What the API reads about the loop; never held while a body is parsed.
    private struct Status {
        var health = TargetHealth()
        /// HELP/TYPE/UNIT seen in this target's scrapes, as of the last one.
        var metadata: [String: MetricMetadata] = [:]
        /// Set when the target was removed: the loop writes staleness markers as it ends.
        var removed = false
        /// Set by the pool when its target_limit is exceeded.
        var limitError: String?
    }

    private let status = Mutex(Status())

    init(target: ScrapeTarget, pool: String, options: ScrapeOptions, client: ScrapeClient, storage: any Appendable,
         clock: any WallClock, logger: Logger, metrics: ScrapeMetrics?) {
        self.target = target
        self.pool = pool
        self.schedule = ScrapeSchedule(intervalMs: target.interval.milliseconds, targetHash: target.hash)
        self.options = options
        self.client = client
        self.storage = storage
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.memory = Memory(reportLabels: ScrapeProcessor.reportLabels(target.sampleLabels))
    }

    public var health: TargetHealth { status.withLock { $0.health } }

    /// Metadata (HELP/TYPE/UNIT) seen in this target's scrapes.
    public var metadata: [String: MetricMetadata] { status.withLock { $0.metadata } }

    func markRemoved() { status.withLock { $0.removed = true } }

    func setLimitError(_ e: String?) { status.withLock { $0.limitError = e } }

    /// Runs until cancelled: sleeps to each scheduled time, then scrapes.
    func run() async {
        var next = schedule.first(atOrAfter: clock.nowMs())
        while !Task.isCancelled {
            do { try await clock.sleep(untilMs: next) } catch { break }
            await scrape(at: next)
            // A slow scrape skips the slots it overran instead of queueing them.
            next = schedule.next(after: max(next, clock.nowMs()))
        }
        if status.withLock({ $0.removed }) { writeEndOfRunStaleness(at: clock.nowMs()) }
    }

    /// Bodies up to this size are ingested where the scrape's task runs (an event loop in the
    /// server); larger ones, which take milliseconds to parse and append, on NIO's blocking
    /// pool so the loop's other connections are not held up.
    static let inlineIngestLimit = 256 << 10

    /// One scrape: fetch, then store everything it produced in one commit.
    func scrape(at scrapeTime: Int64) async {
        let start = ContinuousClock.now
        let fetched: Result<ScrapeClient.Response, ScrapeError>
        if let limitError = status.withLock({ $0.limitError }) {
            fetched = .failure(ScrapeError(limitError))
        } else {
            do { fetched = .success(try await client.fetch(url: target.url, timeout: target.timeout.duration)) } catch {
                fetched = .failure(error)
            }
        }
        if case .success(let response) = fetched, response.body.count > Self.inlineIngestLimit,
           (try? await NIOThreadPool.singleton.runIfActive({ self.store(fetched, at: scrapeTime, started: start) })) != nil {
            return
        }
        store(fetched, at: scrapeTime, started: start)
    }

    /// Appends the body's samples (none when the fetch or the body failed), staleness markers and
    /// the report series, commits them once, and publishes the target's health.
    func store(_ fetched: Result<ScrapeClient.Response, ScrapeError>, at t: Int64, started: ContinuousClock.Instant) {
        let memory = self.memory
        var app = storage.appender()
        memory.cache.beginScrape()
        var ingest = ScrapeIngest()
        var failure: ScrapeError?
        switch fetched {
        case .success(let response):
            do {
                ingest = try ScrapeProcessor.ingest(body: response.body, format: response.format, scrapeTime: t, targetLabels: target.sampleLabels,
                                                    options: options, cache: &memory.cache, appender: &app)
            } catch {
                // Nothing of a refused body is stored; as for a failed fetch, the scrape counts as empty.
                app.rollback()
                memory.cache.beginScrape()
                ingest = ScrapeIngest()
                failure = error
            }
        case .failure(let error):
            failure = error
        }
        ScrapeProcessor.appendStaleness(memory.cache.disappeared(), at: t, appender: &app)
        let seconds = started.duration(to: .now).inSeconds
        let values: [Double] = [failure == nil ? 1 : 0, seconds,
                                Double(ingest.samplesScraped), Double(ingest.samplesPostRelabeling), Double(ingest.seriesAdded)]
        for (i, v) in values.enumerated() {
            memory.reportRefs[i] = app.append(ref: memory.reportRefs[i], labels: memory.reportLabels[i], t: t, v: v)
        }
        do {
            let committed = try ScrapeProcessor.commit(&app, cache: &memory.cache, targetLabels: target.sampleLabels, options: options)
            ingest.report.appended = committed.appended
            ingest.report.outOfOrder = committed.outOfOrder
            ingest.report.outOfBounds = committed.outOfBounds
            ingest.report.invalid = committed.invalid
            ingest.report.duplicate += committed.duplicate
            if committed.invalid > 0 {
                logger.warning("inconsistent native histograms were not stored", metadata: ["target": "\(target.url)", "count": "\(committed.invalid)"])
            }
        } catch {
            failure = failure ?? ScrapeError("storage: \(error)")
            logger.error("storing scrape failed", metadata: ["target": "\(target.url)", "error": "\(error)"])
        }
        memory.cache.endScrape(success: failure == nil)
        if let failure { logger.debug("scrape failed", metadata: ["target": "\(target.url)", "error": "\(failure.message)"]) }
        let metadata = memory.cache.metadata
        status.withLock { s in
            s.health.state = failure == nil ? .up : .down
            s.health.lastError = failure?.message ?? ""
            s.health.lastScrape = Date(timeIntervalSince1970: Double(t) / 1000)
            s.health.lastScrapeDuration = seconds
            s.health.lastSamples = ingest.samplesScraped
            if failure == nil { s.health.counterResets.record(counterResets: ingest.counterResets) }
            s.metadata = metadata
        }
        metrics?.observe(job: pool, seconds: seconds, failed: failure != nil,
                         samples: ingest.report.appended, rejected: ingest.report.rejected)
    }

    /// Marks every series of this target stale, report series included: the target is gone.
    func writeEndOfRunStaleness(at t: Int64) {
        var app = storage.appender()
        ScrapeProcessor.appendStaleness(memory.cache.lastScrapeSeries(), at: t, appender: &app)
        for (i, l) in memory.reportLabels.enumerated() { _ = app.append(ref: memory.reportRefs[i], labels: l, t: t, v: StaleNaN.value) }
        do { _ = try app.commit() } catch { logger.error("writing staleness markers failed: \(error)") }
        memory.cache.beginScrape()
        memory.cache.endScrape(success: false)
    }

    /// The loop's memory of earlier scrapes: series seen and their references.
    ///
    /// Only the loop's own task touches it, one scrape at a time (the pool runs a large body's
    /// scrape while that task waits for it), so it takes no lock and a body is parsed without
    /// holding one; a class so that the cache is mutated in place, never copied.
    private final class Memory: @unchecked Sendable {
        var cache = ScrapeCache()
        var reportRefs: [SeriesRef?] = Array(repeating: nil, count: ScrapeProcessor.reportNames.count)
        let reportLabels: [Labels]

        init(reportLabels: [Labels]) { self.reportLabels = reportLabels }
    }
}

/// Hooks for Vigil's own metrics about scraping.
public protocol ScrapeMetrics: Sendable {
    func observe(job: String, seconds: Double, failed: Bool, samples: Int, rejected: Int)
}
