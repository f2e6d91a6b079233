import Exposition
import Foundation
import Logging
import MetricModel
import NIOPosix
import Synchronization
import TSDB

/// Scrapes one target on its schedule and stores the result.
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

    private struct State {
        var cache = ScrapeCache()
        var reportRefs: [SeriesRef?] = Array(repeating: nil, count: ScrapeProcessor.reportNames.count)
        var health = TargetHealth()
        /// Set when the target was removed: the loop writes staleness markers as it ends.
        var removed = false
        /// Set by the pool when its target_limit is exceeded.
        var limitError: String?
    }

    private let state = Mutex(State())

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
    }

    public var health: TargetHealth { state.withLock { $0.health } }

    /// Metadata (HELP/TYPE/UNIT) seen in this target's scrapes.
    public var metadata: [String: MetricMetadata] { state.withLock { $0.cache.metadata } }

    func markRemoved() { state.withLock { $0.removed = true } }

    func setLimitError(_ e: String?) { state.withLock { $0.limitError = e } }

    /// Runs until cancelled: sleeps to each scheduled time, then scrapes.
    func run() async {
        var next = schedule.first(atOrAfter: clock.nowMs())
        while !Task.isCancelled {
            do { try await clock.sleep(untilMs: next) } catch { break }
            await scrape(at: next)
            // A slow scrape skips the slots it overran instead of queueing them.
            next = schedule.next(after: max(next, clock.nowMs()))
        }
        let removed = state.withLock { $0.removed }
        if removed { writeEndOfRunStaleness(at: clock.nowMs()) }
    }

    /// Bodies up to this size are ingested where the scrape's task runs (an event loop in the
    /// server); larger ones, which take milliseconds to parse and append, on NIO's blocking
    /// pool so the loop's other connections are not held up.
    static let inlineIngestLimit = 256 << 10

    /// One scrape: fetch, ingest, staleness, report series, one commit.
    func scrape(at scheduled: Int64) async {
        let start = ContinuousClock.now
        let scrapeTime = scheduled
        var outcome: Result<ScrapeIngest, ScrapeError>
        if let limitError = state.withLock({ $0.limitError }) {
            outcome = .failure(ScrapeError(limitError))
        } else {
            do {
                let response = try await client.fetch(url: target.url, timeout: target.timeout.duration)
                if response.body.count > Self.inlineIngestLimit,
                   let result = try? await NIOThreadPool.singleton.runIfActive({ self.ingest(response, at: scrapeTime) }) {
                    outcome = result
                } else {
                    outcome = ingest(response, at: scrapeTime)
                }
            } catch {
                outcome = .failure(error)
            }
        }
        let elapsed = start.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        finish(outcome, scrapeTime: scrapeTime, seconds: seconds)
    }

    private func ingest(_ response: ScrapeClient.Response, at t: Int64) -> Result<ScrapeIngest, ScrapeError> {
        state.withLock { s in
            var app = storage.appender()
            s.cache.beginScrape()
            do {
                let r = try ScrapeProcessor.ingest(body: response.body, format: response.format, scrapeTime: t,
                                                   targetLabels: target.sampleLabels, options: options, cache: &s.cache, appender: &app)
                ScrapeProcessor.appendStaleness(s.cache.disappeared(), at: t, appender: &app)
                var report = try app.commit()
                report.duplicate += r.report.duplicate
                s.cache.endScrape(success: true)
                var result = r
                result.report = report
                return .success(result)
            } catch let e as ScrapeError {
                app.rollback()
                return .failure(e)
            } catch {
                app.rollback()
                return .failure(ScrapeError("storage: \(error)"))
            }
        }
    }

    private func finish(_ outcome: Result<ScrapeIngest, ScrapeError>, scrapeTime: Int64, seconds: Double) {
        let labels = ScrapeProcessor.reportLabels(target.sampleLabels)
        state.withLock { s in
            var app = storage.appender()
            let ingest: ScrapeIngest
            switch outcome {
            case .success(let r):
                ingest = r
                s.health.state = .up
                s.health.lastError = ""
            case .failure(let e):
                ingest = ScrapeIngest()
                // A failed scrape is an empty one: everything from the previous scrape goes stale.
                s.cache.beginScrape()
                ScrapeProcessor.appendStaleness(s.cache.disappeared(), at: scrapeTime, appender: &app)
                s.cache.endScrape(success: false)
                s.health.state = .down
                s.health.lastError = e.message
                logger.debug("scrape failed", metadata: ["target": "\(target.url)", "error": "\(e.message)"])
            }
            let values: [Double] = [s.health.state == .up ? 1 : 0, seconds,
                                    Double(ingest.samplesScraped), Double(ingest.samplesPostRelabeling), Double(ingest.seriesAdded)]
            for (i, v) in values.enumerated() {
                s.reportRefs[i] = app.append(ref: s.reportRefs[i], labels: labels[i], t: scrapeTime, v: v)
            }
            do { _ = try app.commit() } catch { logger.error("storing scrape report failed: \(error)") }
            s.health.lastScrape = Date(timeIntervalSince1970: Double(scrapeTime) / 1000)
            s.health.lastScrapeDuration = seconds
            s.health.lastSamples = ingest.samplesScraped
            metrics?.observe(job: pool, seconds: seconds, failed: s.health.state == .down,
                             samples: ingest.report.appended, rejected: ingest.report.rejected)
        }
    }

    /// Marks every series of this target stale: the target is gone.
    func writeEndOfRunStaleness(at t: Int64) {
        state.withLock { s in
            var app = storage.appender()
            ScrapeProcessor.appendStaleness(s.cache.lastScrapeSeries(), at: t, appender: &app)
            let labels = ScrapeProcessor.reportLabels(target.sampleLabels)
            for (i, l) in labels.enumerated() { _ = app.append(ref: s.reportRefs[i], labels: l, t: t, v: StaleNaN.value) }
            do { _ = try app.commit() } catch { logger.error("writing staleness markers failed: \(error)") }
            s.cache.beginScrape()
            s.cache.endScrape(success: false)
        }
    }
}

/// Hooks for Vigil's own metrics about scraping.
public protocol ScrapeMetrics: Sendable {
    func observe(job: String, seconds: Double, failed: Bool, samples: Int, rejected: Int)
}
