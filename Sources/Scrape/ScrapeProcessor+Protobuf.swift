import Config
import Exposition
import MetricModel
import TSDB

/// Scrapes in the delimited protobuf format: the body is read whole into families, whose float
/// samples go the way text samples go (the scrape cache keys them by their text form, so
/// staleness, duplicates and references work alike) and whose native histograms are stored as
/// histogram samples, after the job's bucket limit and minimum bucket factor.
extension ScrapeProcessor {
    static func ingestProtobuf(
        body: [UInt8], scrapeTime: Int64, targetLabels: Labels, options: ScrapeOptions,
        cache: inout ScrapeCache, appender: inout some Appender
    ) throws(ScrapeError) -> ScrapeIngest {
        let families: [ExpositionFamily]
        do {
            families = try ExpositionFamily.decodeProtobuf(body, nativeHistograms: options.nativeHistograms,
                                                           classicHistograms: options.histogramSettings.alwaysScrapeClassicHistograms)
        } catch {
            throw ScrapeError("parse error: \(error)")
        }
        var result = ScrapeIngest()
        let limits = options.limits
        for family in families {
            cache.recordMetadata(.type(metric: family.name, family.type))
            if let help = family.help { cache.recordMetadata(.help(metric: family.name, text: help)) }
            if let unit = family.unit { cache.recordMetadata(.unit(metric: family.name, unit: unit)) }
            for sample in family.samples {
                result.samplesScraped += 1
                let key = seriesKey(sample.labels)
                let hash = ScrapeCache.hash(key[...])
                let index: Int
                var newLabels: Labels?
                if let found = cache.find(key[...], hash: hash) {
                    index = found
                } else {
                    let final = storedLabels(exposed: sample.labels, targetLabels: targetLabels, options: options)
                    if let final {
                        try checkLabelLimits(final, limits)
                        if final.metricName.isEmpty { throw ScrapeError("metric family \(family.name): metric name is empty after relabeling") }
                        if options.nameValidation == .legacy, !Self.hasLegacyNames(final) {
                            throw ScrapeError("metric family \(family.name): invalid metric name or label names for metric_name_validation_scheme legacy: \(final)")
                        }
                    }
                    let cumulative = sample.histogram == nil && cache.isCumulative(metricName: sample.labels.metricName)
                    index = cache.insert(key[...], hash: hash, dropped: final == nil, isCumulative: cumulative)
                    newLabels = final
                    if final != nil { result.seriesAdded += 1 }
                }
                guard let t = try admit(index, timestamp: sample.timestamp, scrapeTime: scrapeTime, options: options, cache: &cache, result: &result) else { continue }
                if let histogram = sample.histogram {
                    let value = try limited(histogram, options.histogramSettings, series: sample.labels)
                    // Histograms go with their labels: the storage needs them should it have
                    // forgotten the series (floats are handed back for that instead).
                    guard let labels = newLabels ?? storedLabels(exposed: sample.labels, targetLabels: targetLabels, options: options) else { continue }
                    cache.setRef(index, appender.append(ref: cache.entries[index].ref, labels: labels, t: t, histogram: value))
                    continue
                }
                if cache.entries[index].isCumulative, cache.recordCumulative(index, sample.value) { result.counterResets += 1 }
                if let ref = cache.entries[index].ref {
                    appender.append(known: ref, t: t, v: sample.value)
                } else if let labels = newLabels ?? storedLabels(exposed: sample.labels, targetLabels: targetLabels, options: options) {
                    cache.setRef(index, appender.append(ref: nil, labels: labels, t: t, v: sample.value))
                }
            }
        }
        return result
    }

    /// The series' identity as the text format writes it (`name{a="b",c="d"}`, values escaped):
    /// the scrape cache's key, which ``labels(ofKey:targetLabels:options:)`` reads back.
    static func seriesKey(_ labels: Labels) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        out.append(contentsOf: labels.metricName.utf8)
        out.append(UInt8(ascii: "{"))
        var first = true
        for l in labels.pairs where l.name != LabelName.metricName {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: l.name.utf8)
            out.append(contentsOf: "=\"".utf8)
            for b in l.value.utf8 {
                switch b {
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
                default: out.append(b)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The histogram within the job's `native_histogram_bucket_limit` and
    /// `native_histogram_min_bucket_factor` (integer histograms; float ones are stored as sent).
    static func limited(_ value: HistogramValue, _ settings: NativeHistogramScrapeSettings, series: Labels) throws(ScrapeError) -> HistogramValue {
        // An inconsistent histogram is left as it is: the storage refuses it on its own.
        guard case .integer(var h) = value, settings.bucketLimit > 0 || settings.minBucketFactor > 1, h.inconsistency == nil else { return value }
        if settings.minBucketFactor > 1 { h = h.limited(toMinimumGrowthFactor: settings.minBucketFactor) }
        if settings.bucketLimit > 0 {
            guard let fitting = h.limited(toBuckets: settings.bucketLimit) else {
                throw ScrapeError("native histogram \(series.metricName) has more than \(settings.bucketLimit) buckets even at the lowest resolution (native_histogram_bucket_limit)")
            }
            h = fitting
        }
        return .integer(h)
    }
}
