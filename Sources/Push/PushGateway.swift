import ConfigSupport
import Exposition
import Foundation
import Logging
import MetricModel
import Synchronization
import TSDB

/// The push API's state: the pushed groups (``PushRegistry``), what of them is in storage, and
/// their file on disk.
///
/// Pushed samples are stored as if the groups were scraped with `honor_labels: true` — at once
/// when a push is accepted, then again on every ``ingest()`` (each scrape interval), so they stay
/// fresh in queries. A series a push, a delete or an expiry takes away gets a staleness marker.
/// The groups are written to disk after every change (at most once a second, see
/// ``PushGatewayService``) and read back at start, so a restart loses no group.
public final class PushGateway: Sendable {
    private struct State: Sendable {
        var registry = PushRegistry()
        /// Every series this gateway has appended and not yet marked stale, with its reference.
        var written: [Labels: SeriesRef] = [:]
        var lastAppendMs: Int64 = .min
        var unsaved = false
        var expireAfterMs: Int64?
        var counts = RequestCounts()
        /// See ``PushGateway/setNativeHistograms(_:classic:)``.
        var nativeHistograms = (native: false, classic: false)
    }

    /// Pushes (PUT and POST) answered so far, for Vigil's own metrics.
    public struct RequestCounts: Sendable, Equatable {
        public var accepted = 0
        public var refused = 0
    }

    private let state: Mutex<State>
    private let storage: any Appendable
    private let clock: any WallClock
    /// Where the groups are kept between runs (nil: not kept).
    public let file: String?
    private let logger: Logger

    /// Opens the gateway, reading the groups `file` holds. A file that cannot be read is kept
    /// aside as `<file>.damaged-<time>` (nothing is deleted) and the gateway starts empty.
    public init(storage: any Appendable, file: String?, expireAfterMs: Int64? = nil,
                clock: any WallClock = SystemWallClock(), logger: Logger) {
        self.storage = storage
        self.clock = clock
        self.file = file
        self.logger = logger
        var initial = State()
        initial.expireAfterMs = expireAfterMs
        if let file {
            AtomicFile.removeLeftovers(of: file)
            if FileManager.default.fileExists(atPath: file) {
                do {
                    initial.registry = try PushRegistry.read(from: file)
                    logger.info("pushed groups restored", metadata: ["groups": "\(initial.registry.groups.count)", "file": "\(file)"])
                } catch {
                    let aside = file + ".damaged-\(clock.nowMs())"
                    try? FileManager.default.moveItem(atPath: file, toPath: aside)
                    logger.error("the pushed groups' file cannot be read; it is kept as \(aside) and the push API starts empty: \(error)")
                }
            }
        }
        state = Mutex(initial)
    }

    /// Groups unchanged for this long are deleted (nil: kept until deleted, as the Pushgateway does).
    public func setExpiry(afterMs: Int64?) { state.withLock { $0.expireAfterMs = afterMs } }

    /// The groups, sorted by grouping key.
    public var groups: [PushedGroup] { state.withLock { $0.registry.groups.values.sorted { $0.key < $1.key } } }

    /// HELP, TYPE and UNIT of every pushed family, and of the groups' two time series, by
    /// family name (for `/api/v1/metadata`, as Prometheus lists what it scraped from a Pushgateway).
    public var metadata: [String: Set<FamilyMetadata>] {
        state.withLock { s in
            guard !s.registry.groups.isEmpty else { return [:] }
            var out: [String: Set<FamilyMetadata>] = [
                PushedGroup.pushTimeName: [FamilyMetadata(type: .gauge, help: PushedGroup.pushTimeHelp, unit: "")],
                PushedGroup.failureTimeName: [FamilyMetadata(type: .gauge, help: PushedGroup.failureTimeHelp, unit: "")],
            ]
            for group in s.registry.groups.values {
                for family in group.families {
                    out[family.name, default: []].insert(FamilyMetadata(type: family.type, help: family.help ?? "", unit: family.unit ?? ""))
                }
            }
            return out
        }
    }

    /// What a pushed family's HELP, TYPE and UNIT lines said.
    public struct FamilyMetadata: Sendable, Hashable {
        public var type: MetricType
        public var help: String
        public var unit: String
    }

    /// Pushed series (without the groups' two time series).
    public var seriesCount: Int { state.withLock { $0.registry.seriesCount } }

    /// Groups, pushed series and the requests answered, read at once.
    public var statistics: (groups: Int, series: Int, requests: RequestCounts) {
        state.withLock { ($0.registry.groups.count, $0.registry.seriesCount, $0.counts) }
    }

    /// The most pushed series all groups may hold together; a push beyond it is refused.
    public func setSeriesLimit(_ limit: Int) { state.withLock { $0.registry.seriesLimit = limit } }

    /// `PUT` (``PushRegistry/Method/replaceGroup``) or `POST` to `/metrics/<path>`.
    public func push(path: Substring, method: PushRegistry.Method, body: [UInt8], contentType: String?) throws(PushError) {
        do throws(PushError) {
            try apply(path: path, method: method, body: body, contentType: contentType)
            state.withLock { $0.counts.accepted += 1 }
        } catch {
            state.withLock { $0.counts.refused += 1 }
            throw error
        }
    }

    private func apply(path: Substring, method: PushRegistry.Method, body: [UInt8], contentType: String?) throws(PushError) {
        let key = try GroupingKey(path: path)
        let families: [ExpositionFamily]
        let histograms = state.withLock { $0.nativeHistograms }
        do {
            families = try ExpositionFamily.decode(body: body, contentType: contentType,
                                                   nativeHistograms: histograms.native, classicHistograms: histograms.classic)
        } catch {
            throw PushError(.badBody, "the pushed body cannot be read: \(error)")
        }
        try state.withLock { (s: inout State) throws(PushError) in
            let t = nextTimestamp(&s)
            let before = Set(s.registry.groups[key]?.series.map(\.labels) ?? [])
            var refused: PushError?
            do throws(PushError) { try s.registry.push(families, to: key, method: method, nowMs: t) } catch { refused = error }
            s.unsaved = true
            guard let group = s.registry.groups[key] else { return }
            var appender = storage.appender()
            let current = refused == nil ? group.series : []
            for series in current + group.timeSeries { append(series, at: t, state: &s, appender: &appender) }
            if refused == nil {
                let now = Set(group.series.map(\.labels))
                for gone in before where !now.contains(gone) { markStale(gone, at: t, state: &s, appender: &appender) }
            }
            try commit(&appender)
            if let refused { throw refused }
        }
    }

    /// `DELETE /metrics/<path>`: the group and its series go (staleness markers at once).
    public func delete(path: Substring) throws(PushError) {
        let key = try GroupingKey(path: path)
        try state.withLock { (s: inout State) throws(PushError) in
            guard let group = s.registry.groups[key] else { return }
            s.registry.delete(key)
            s.unsaved = true
            let t = nextTimestamp(&s)
            var appender = storage.appender()
            for series in group.series + group.timeSeries { markStale(series.labels, at: t, state: &s, appender: &appender) }
            try commit(&appender)
        }
    }

    /// Deletes every group (`PUT /api/v1/admin/wipe`).
    public func wipe() throws(PushError) {
        try state.withLock { (s: inout State) throws(PushError) in
            let t = nextTimestamp(&s)
            var appender = storage.appender()
            for labels in Array(s.written.keys) { markStale(labels, at: t, state: &s, appender: &appender) }
            s.registry = PushRegistry()
            s.unsaved = true
            try commit(&appender)
        }
    }

    /// Expires groups past their time, then stores every group's samples again at the current
    /// time; series no group holds any more get staleness markers.
    @discardableResult
    public func ingest() throws(PushError) -> Int {
        try state.withLock { (s: inout State) throws(PushError) -> Int in
            let t = nextTimestamp(&s)
            var appender = storage.appender()
            if let after = s.expireAfterMs, after > 0 {
                let groups = s.registry.groups
                let expired = s.registry.expire(unchangedSince: t - after)
                if !expired.isEmpty {
                    s.unsaved = true
                    logger.info("pushed groups expired", metadata: ["groups": "\(expired.count)"])
                }
                // Marked stale even when this process has not stored them yet (restored groups
                // that expired before their first round): their samples from before are in storage.
                for key in expired {
                    for series in (groups[key]?.series ?? []) + (groups[key]?.timeSeries ?? []) {
                        markStale(series.labels, at: t, state: &s, appender: &appender)
                    }
                }
            }
            var kept: [Labels: SeriesRef] = [:]
            kept.reserveCapacity(s.written.count)
            var appended = 0
            for group in s.registry.groups.values {
                for series in group.series + group.timeSeries {
                    kept[series.labels] = Self.append(series, ref: s.written[series.labels], at: t, to: &appender)
                    appended += 1
                }
            }
            for (labels, ref) in s.written where kept[labels] == nil {
                _ = appender.append(ref: ref, labels: labels, t: t, v: StaleNaN.value)
            }
            s.written = kept
            try commit(&appender)
            return appended
        }
    }

    /// Writes the groups to ``file`` if they changed since the last write.
    public func saveIfChanged() {
        guard let file else { return }
        let registry: PushRegistry? = state.withLock { s in
            guard s.unsaved else { return nil }
            s.unsaved = false
            return s.registry
        }
        guard let registry else { return }
        do {
            try registry.write(to: file)
        } catch {
            state.withLock { $0.unsaved = true }
            logger.error("writing the pushed groups failed; retrying: \(error)")
        }
    }

    // MARK: Appending

    /// The current time, never before the last append (so a series never goes back in time).
    private func nextTimestamp(_ s: inout State) -> Int64 {
        let t = max(clock.nowMs(), s.lastAppendMs == .min ? .min : s.lastAppendMs + 1)
        s.lastAppendMs = t
        return t
    }

    private func append(_ series: PushedGroup.Series, at t: Int64, state s: inout State, appender: inout any Appender) {
        s.written[series.labels] = Self.append(series, ref: s.written[series.labels], at: t, to: &appender)
    }

    /// Appends one pushed series' value, float or histogram.
    private static func append(_ series: PushedGroup.Series, ref: SeriesRef?, at t: Int64, to appender: inout any Appender) -> SeriesRef {
        if let histogram = series.histogram { return appender.append(ref: ref, labels: series.labels, t: t, histogram: histogram) }
        return appender.append(ref: ref, labels: series.labels, t: t, v: series.value)
    }

    /// Whether pushed protobuf histograms with native buckets are stored as native histograms
    /// (and with `classic`, their classic buckets too), as Prometheus stores them when it scrapes
    /// the Pushgateway with native histograms on. Off: the classic form only, as before.
    public func setNativeHistograms(_ native: Bool, classic: Bool) {
        state.withLock { $0.nativeHistograms = (native, classic) }
    }

    /// A staleness marker for a series this gateway no longer stores — also one it has not
    /// appended in this process (a group restored at start and deleted before its first round).
    private func markStale(_ labels: Labels, at t: Int64, state s: inout State, appender: inout any Appender) {
        let ref = s.written.removeValue(forKey: labels)
        _ = appender.append(ref: ref, labels: labels, t: t, v: StaleNaN.value)
    }

    private func commit(_ appender: inout any Appender) throws(PushError) {
        do { _ = try appender.commit() } catch { throw PushError(.storage, "storing the pushed samples failed: \(error)") }
    }
}
