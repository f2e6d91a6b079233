import Config
import Exposition
import MetricModel
import TSDB

/// Why a scrape's body was refused.
public struct ScrapeError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What ingesting one body produced, for the report series and the targets API.
struct ScrapeIngest: Sendable, Equatable {
    var samplesScraped = 0
    var samplesPostRelabeling = 0
    var seriesAdded = 0
    /// Counters (and histogram buckets and counts) that went down since the previous scrape.
    var counterResets = 0
    var report = AppendReport()
}

/// Options of a scrape job that shape how samples are stored.
struct ScrapeOptions: Sendable {
    var honorLabels: Bool
    var honorTimestamps: Bool
    var metricRelabelConfigs: [RelabelConfig]
    var limits: ScrapeLimits
    /// With `legacy`, a series whose stored name or label names are not legacy names fails the
    /// scrape, as in Prometheus.
    var nameValidation: NameValidationScheme
    /// Whether native histograms in a protobuf body are stored as such.
    var nativeHistograms: Bool
    var histogramSettings: NativeHistogramScrapeSettings

    init(_ c: ScrapeConfig) {
        honorLabels = c.honorLabels
        honorTimestamps = c.honorTimestamps
        metricRelabelConfigs = c.metricRelabelConfigs
        limits = c.limits
        nameValidation = c.nameSchemes.validation
        nativeHistograms = c.storesNativeHistograms
        histogramSettings = c.nativeHistograms
    }
}

/// Turns a scrape body into appended samples and staleness markers.
enum ScrapeProcessor {
    /// Parses `body` and appends its samples. On any error nothing is appended (the caller rolls
    /// back) and the error says which line or limit failed.
    static func ingest(
        body: [UInt8], format: ExpositionFormat, scrapeTime: Int64, targetLabels: Labels, options: ScrapeOptions,
        cache: inout ScrapeCache, appender: inout some Appender
    ) throws(ScrapeError) -> ScrapeIngest {
        if format == .protobuf {
            return try ingestProtobuf(body: body, scrapeTime: scrapeTime, targetLabels: targetLabels, options: options, cache: &cache, appender: &appender)
        }
        var result = ScrapeIngest()
        var parser = ExpositionParser(bytes: body, format: format)
        let limits = options.limits
        while true {
            let entry: ExpositionEntry?
            do { entry = try parser.next() } catch { throw ScrapeError("parse error: \(error)") }
            guard let entry else { break }
            guard case .sample(let sample) = entry else {
                cache.recordMetadata(entry)
                continue
            }
            result.samplesScraped += 1
            let key = parser.seriesKeyBytes(sample)
            let hash = ScrapeCache.hash(key)
            let index: Int
            var newLabels: Labels?
            if let found = cache.find(key, hash: hash) {
                index = found
            } else {
                let exposed: Labels
                do { exposed = try parser.labels() } catch { throw ScrapeError("parse error: \(error)") }
                let final = storedLabels(exposed: exposed, targetLabels: targetLabels, options: options)
                if let final {
                    try checkLabelLimits(final, limits)
                    if final.metricName.isEmpty { throw ScrapeError("line \(parser.line): metric name is empty after relabeling") }
                    if options.nameValidation == .legacy, !Self.hasLegacyNames(final) {
                        throw ScrapeError("line \(parser.line): invalid metric name or label names for metric_name_validation_scheme legacy: \(final)")
                    }
                }
                index = cache.insert(key, hash: hash, dropped: final == nil, isCumulative: cache.isCumulative(metricName: exposed.metricName))
                newLabels = final
                if final != nil { result.seriesAdded += 1 }
            }
            guard let t = try admit(index, timestamp: sample.timestamp, scrapeTime: scrapeTime, options: options, cache: &cache, result: &result) else { continue }
            if cache.entries[index].isCumulative, cache.recordCumulative(index, sample.value) { result.counterResets += 1 }
            if let ref = cache.entries[index].ref {
                appender.append(known: ref, t: t, v: sample.value)
            } else if let labels = newLabels ?? labels(ofKey: cache.key(of: index), targetLabels: targetLabels, options: options) {
                cache.setRef(index, appender.append(ref: nil, labels: labels, t: t, v: sample.value))
            }
        }
        return result
    }

    /// The time a cached series' sample is stored at, or nil when it is not stored: dropped by
    /// metric relabeling, or a second sample of the series in one body (counted as a duplicate).
    /// Throws once the samples kept pass `sample_limit`.
    static func admit(_ index: Int, timestamp: Int64?, scrapeTime: Int64, options: ScrapeOptions, cache: inout ScrapeCache,
                      result: inout ScrapeIngest) throws(ScrapeError) -> Int64? {
        if cache.entries[index].dropped { return nil }
        guard cache.markSeen(index, explicitTimestamp: options.honorTimestamps && timestamp != nil) else {
            result.report.duplicate += 1
            return nil
        }
        result.samplesPostRelabeling += 1
        if options.limits.sampleLimit > 0, result.samplesPostRelabeling > options.limits.sampleLimit {
            throw ScrapeError("sample_limit exceeded (limit: \(options.limits.sampleLimit))")
        }
        return options.honorTimestamps ? (timestamp ?? scrapeTime) : scrapeTime
    }

    /// The labels a series is stored under: the target's merged in, metric relabeling applied;
    /// nil when relabeling drops it.
    static func storedLabels(exposed: Labels, targetLabels: Labels, options: ScrapeOptions) -> Labels? {
        let merged = SampleLabels.merge(exposed: exposed, target: targetLabels, honor: options.honorLabels)
        return Relabeling.process(merged, options.metricRelabelConfigs)
    }

    /// The stored labels of a cached series, read again from its raw series text: for the rare
    /// series the storage forgot while the cache remembered it.
    static func labels(ofKey key: ArraySlice<UInt8>, targetLabels: Labels, options: ScrapeOptions) -> Labels? {
        var line = Array(key)
        line.append(contentsOf: " 0\n".utf8)
        var parser = ExpositionParser(bytes: line, format: .text)
        guard case .sample? = try? parser.next(), let exposed = try? parser.labels() else { return nil }
        return storedLabels(exposed: exposed, targetLabels: targetLabels, options: options)
    }

    /// Commits a scrape. Samples whose series the storage forgot (it dropped them after hours
    /// without samples, while this target's cache kept their references) are appended again
    /// under their labels, read from the cache's keys, and committed at once: nothing is lost.
    static func commit(_ appender: inout some Appender, cache: inout ScrapeCache, targetLabels: Labels,
                       options: ScrapeOptions) throws(StorageIOError) -> AppendReport {
        var report = try appender.commit()
        guard !report.unknownSeries.isEmpty else { return report }
        let unknown = report.unknownSeries
        report.unknownSeries = []
        let holders = cache.entries(holding: Set(unknown.map(\.ref)))
        // A staleness marker for a forgotten series marks nothing: it is not written.
        for sample in unknown where !StaleNaN.isStale(sample.v) {
            guard let i = holders[sample.ref],
                  let labels = labels(ofKey: cache.key(of: i), targetLabels: targetLabels, options: options) else { continue }
            cache.setRef(i, appender.append(ref: nil, labels: labels, t: sample.t, v: sample.v))
        }
        report.add(try appender.commit())
        return report
    }

    /// Whether the metric name and every label name are legacy names.
    static func hasLegacyNames(_ labels: Labels) -> Bool {
        labels.pairs.allSatisfy { $0.name == LabelName.metricName ? LabelName.isValidLegacyMetric($0.value) : LabelName.isValidLegacy($0.name) }
    }

    static func checkLabelLimits(_ labels: Labels, _ limits: ScrapeLimits) throws(ScrapeError) {
        if limits.labelLimit > 0, labels.count > limits.labelLimit {
            throw ScrapeError("label_limit exceeded (metric: \(labels.metricName.prefix(50)), number of labels: \(labels.count), limit: \(limits.labelLimit))")
        }
        for l in labels.pairs {
            if limits.labelNameLengthLimit > 0, l.name.utf8.count > limits.labelNameLengthLimit {
                throw ScrapeError("label_name_length_limit exceeded (metric: \(labels.metricName.prefix(50)), label name: \(l.name.prefix(50)), length: \(l.name.utf8.count), limit: \(limits.labelNameLengthLimit))")
            }
            if limits.labelValueLengthLimit > 0, l.value.utf8.count > limits.labelValueLengthLimit {
                throw ScrapeError("label_value_length_limit exceeded (metric: \(labels.metricName.prefix(50)), label name: \(l.name.prefix(50)), value: \(l.value.prefix(50)), length: \(l.value.utf8.count), limit: \(limits.labelValueLengthLimit))")
            }
        }
    }

    /// Appends staleness markers for series that vanished since the previous scrape.
    static func appendStaleness(_ entries: [ScrapeCache.Entry], at t: Int64, appender: inout some Appender) {
        for e in entries {
            // A series the storage forgot since has nothing recent to mark stale: the commit
            // hands the marker back and ``commit(_:cache:targetLabels:options:)`` drops it.
            guard let ref = e.ref else { continue }
            appender.append(known: ref, t: t, v: StaleNaN.value)
        }
    }

    /// The synthetic series Prometheus writes for every scrape.
    static let reportNames = ["up", "scrape_duration_seconds", "scrape_samples_scraped",
                              "scrape_samples_post_metric_relabeling", "scrape_series_added"]

    static func reportLabels(_ target: Labels) -> [Labels] {
        reportNames.map { name in
            var b = LabelsBuilder(target)
            b[LabelName.metricName] = name
            return b.labels()
        }
    }
}
