import Config
import Exposition
import Logging
import MetricModel
import Synchronization
import Testing
import TSDB
@testable import Scrape

/// Storage that counts commits, in front of a real in-memory head.
final class CommitCountingStorage: Appendable {
    let head = Head.inMemory()
    let commits = Atomic<Int>(0)

    func appender() -> any Appender { CountingAppender(inner: head.appender(), owner: self) }

    struct CountingAppender: Appender {
        var inner: any Appender
        let owner: CommitCountingStorage

        mutating func append(ref: SeriesRef?, labels: Labels, t: Int64, v: Double) -> SeriesRef {
            inner.append(ref: ref, labels: labels, t: t, v: v)
        }

        mutating func append(known ref: SeriesRef, t: Int64, v: Double) { inner.append(known: ref, t: t, v: v) }

        mutating func append(ref: SeriesRef?, labels: Labels, t: Int64, histogram: HistogramValue) -> SeriesRef {
            inner.append(ref: ref, labels: labels, t: t, histogram: histogram)
        }

        mutating func commit() throws(StorageIOError) -> AppendReport {
            owner.commits.add(1, ordering: .relaxed)
            return try inner.commit()
        }

        mutating func rollback() { inner.rollback() }
    }
}

@Suite struct ScrapeLoopTests {
    static func loop(_ storage: CommitCountingStorage) throws -> ScrapeLoop {
        let config = ScrapeConfig(jobName: "model-api")
        let targets = TargetBuilder.build([TargetGroup(targets: ["api:8000"])], config: config).compactMap { outcome -> ScrapeTarget? in
            if case .target(let t) = outcome { return t }
            return nil
        }
        let client = try ScrapeClient(config: config, userAgent: "test")
        return ScrapeLoop(target: try #require(targets.first), pool: "model-api", options: ScrapeOptions(config), client: client,
                          storage: storage, clock: ManualWallClock(startMs: 0), logger: Logger(label: "test"), metrics: nil)
    }

    static func value(_ head: Head, _ name: String, at t: Int64) throws -> Double? {
        head.select([try LabelMatcher(.equal, LabelName.metricName, name)], mint: t, maxt: t).first?.samples().last?.v
    }

    @Test func aScrapeIsOneCommitOfSamplesStalenessAndReportSeries() async throws {
        let storage = CommitCountingStorage()
        let loop = try Self.loop(storage)
        let body = "requests_total 5\nin_flight 2\n"
        loop.store(.success(.init(body: Array(body.utf8), format: .text)), at: 15_000, started: .now)
        #expect(storage.commits.load(ordering: .relaxed) == 1)
        #expect(try Self.value(storage.head, "requests_total", at: 15_000) == 5)
        #expect(try Self.value(storage.head, "up", at: 15_000) == 1)
        #expect(try Self.value(storage.head, "scrape_samples_scraped", at: 15_000) == 2)

        // The next body lacks in_flight: its staleness marker lands in the same single commit.
        loop.store(.success(.init(body: Array("requests_total 6\n".utf8), format: .text)), at: 30_000, started: .now)
        #expect(storage.commits.load(ordering: .relaxed) == 2)
        #expect(try Self.value(storage.head, "in_flight", at: 30_000).map(StaleNaN.isStale) == true)
        #expect(try Self.value(storage.head, "scrape_samples_scraped", at: 30_000) == 1)
        await loop.client.shutdown()
    }

    @Test func aFailedScrapeIsOneCommitThatMarksEverythingStale() async throws {
        let storage = CommitCountingStorage()
        let loop = try Self.loop(storage)
        loop.store(.success(.init(body: Array("requests_total 5\n".utf8), format: .text)), at: 15_000, started: .now)
        loop.store(.success(.init(body: Array("requests_total{ 6\n".utf8), format: .text)), at: 30_000, started: .now)
        #expect(storage.commits.load(ordering: .relaxed) == 2)
        #expect(try Self.value(storage.head, "up", at: 30_000) == 0)
        #expect(try Self.value(storage.head, "requests_total", at: 30_000).map(StaleNaN.isStale) == true)
        #expect(loop.health.state == .down)
        #expect(loop.health.lastError.contains("parse error"))
        await loop.client.shutdown()
    }
}
