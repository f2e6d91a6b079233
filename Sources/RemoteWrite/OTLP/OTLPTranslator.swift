import Config
import MetricModel
import TSDB

/// Turns one OTLP export into Prometheus series and samples, as Prometheus' OTLP receiver does,
/// and appends them.
///
/// - Every series of a resource gets `job` (`service.namespace/service.name`, or `service.name`)
///   and `instance` (`service.instance.id`), the promoted resource attributes, and with
///   `promote_scope_metadata` its scope's `otel_scope_*` labels. Data-point attributes become
///   labels by ``OTLPNameTranslator/labelName(_:)``; keys that end up with the same name have
///   their values joined with `;` in key order.
/// - A resource with attributes besides the identifying ones also gets `target_info` (value 1)
///   carrying them, at its newest data point's time.
/// - Gauges and non-monotonic cumulative sums become gauges, monotonic cumulative sums counters
///   (`_total`), histograms classic `_bucket{le}`/`_sum`/`_count` series, summaries
///   `{quantile}`/`_sum`/`_count` series. A point flagged "no recorded value" becomes a staleness
///   marker.
/// - Exponential histograms become native histograms under the metric's name
///   (`OTLPExponentialHistogram.swift`).
/// - Refused, point by point, with the reason in the answer: delta temporality (unless
///   ``OTLPDeltaStreams`` made it cumulative first, as `--enable-feature=otlp-deltatocumulative`
///   does) and unspecified temporality, which Prometheus does not store either; histograms whose buckets do not match their bounds;
///   exponential histograms coarser than native histograms go; names with nothing usable in them.
struct OTLPTranslator {
    let config: OTLPConfig
    let names: OTLPNameTranslator

    init(config: OTLPConfig) {
        self.config = config
        self.names = OTLPNameTranslator(strategy: config.translationStrategy)
    }

    /// Resource attributes that name the producer and become `job` and `instance`.
    static let identifyingAttributes: Set<String> = ["service.name", "service.namespace", "service.instance.id"]

    /// Labels every series of one resource (and scope) shares: `underlay` yields to data-point
    /// attributes, `overlay` wins over them.
    struct SharedLabels {
        var underlay: [Label] = []
        var overlay: [Label] = []
    }

    func append(_ request: Vigil_Otlp_V1_ExportMetricsServiceRequest, to app: inout any Appender, outcome: inout OTLPReceiver.Outcome) {
        for resourceMetrics in request.resourceMetrics {
            let attributes = resourceMetrics.resource.attributes
            let resourceShared = sharedLabels(resource: attributes)
            var newest: Int64?
            for scopeMetrics in resourceMetrics.scopeMetrics {
                var shared = resourceShared
                if config.promoteScopeMetadata { shared.overlay += scopeLabels(scopeMetrics) }
                for metric in scopeMetrics.metrics {
                    append(metric, shared, to: &app, newest: &newest, outcome: &outcome)
                }
            }
            if let newest, let info = targetInfo(resource: attributes, shared: resourceShared) {
                _ = app.append(ref: nil, labels: info, t: newest, v: 1)
                outcome.samples += 1
            }
        }
    }

    // MARK: Labels

    func sharedLabels(resource attributes: [Vigil_Otlp_V1_KeyValue]) -> SharedLabels {
        var shared = SharedLabels()
        var promoted: [Vigil_Otlp_V1_KeyValue] = []
        if config.promoteAllResourceAttributes {
            let ignored = Set(config.ignoreResourceAttributes)
            promoted = attributes.filter { !ignored.contains($0.key) }
        } else if !config.promoteResourceAttributes.isEmpty {
            let wanted = Set(config.promoteResourceAttributes)
            promoted = attributes.filter { wanted.contains($0.key) }
        }
        shared.underlay = labelPairs(promoted)
        var serviceName: String?
        var serviceNamespace: String?
        var instance: String?
        for kv in attributes {
            switch kv.key {
            case "service.name": serviceName = OTLPAttributeValue.text(kv.value)
            case "service.namespace": serviceNamespace = OTLPAttributeValue.text(kv.value)
            case "service.instance.id": instance = OTLPAttributeValue.text(kv.value)
            default: break
            }
        }
        if let serviceName, !serviceName.isEmpty {
            let job = serviceNamespace.map { $0.isEmpty ? serviceName : "\($0)/\(serviceName)" } ?? serviceName
            shared.overlay.append(Label(LabelName.job, job))
        }
        if let instance, !instance.isEmpty { shared.overlay.append(Label(LabelName.instance, instance)) }
        return shared
    }

    func scopeLabels(_ scopeMetrics: Vigil_Otlp_V1_ScopeMetrics) -> [Label] {
        let scope = scopeMetrics.scope
        var out = [Label("otel_scope_name", scope.name), Label("otel_scope_version", scope.version),
                   Label("otel_scope_schema_url", scopeMetrics.schemaURL)]
        for pair in labelPairs(scope.attributes) { out.append(Label("otel_scope_" + pair.name, pair.value)) }
        return out
    }

    /// `target_info` for a resource, nil when it has nothing but identifying attributes.
    func targetInfo(resource attributes: [Vigil_Otlp_V1_KeyValue], shared: SharedLabels) -> Labels? {
        let described = config.keepIdentifyingResourceAttributes
            ? attributes : attributes.filter { !Self.identifyingAttributes.contains($0.key) }
        guard described.contains(where: { !Self.identifyingAttributes.contains($0.key) }) else { return nil }
        var labels = labelPairs(described)
        labels += shared.overlay.filter { $0.name == LabelName.job || $0.name == LabelName.instance }
        labels.append(Label(LabelName.metricName, "target_info"))
        return Labels(labels)
    }

    /// Attributes as label pairs: names translated, empty names dropped, and the values of keys
    /// that map to one name joined with `;` in key order.
    func labelPairs(_ attributes: [Vigil_Otlp_V1_KeyValue]) -> [Label] {
        guard !attributes.isEmpty else { return [] }
        var out: [Label] = []
        var index: [String: Int] = [:]
        for kv in attributes.sorted(by: { $0.key < $1.key }) {
            let name = names.attributeLabelName(kv.key)
            guard !name.isEmpty else { continue }
            let value = OTLPAttributeValue.text(kv.value)
            if let at = index[name] {
                out[at] = Label(name, out[at].value + ";" + value)
            } else {
                index[name] = out.count
                out.append(Label(name, value))
            }
        }
        return out
    }

    /// The labels of one series: shared underlay, then the point's attributes, then the shared
    /// overlay, then the name and the `le` or `quantile` label.
    static func seriesLabels(_ shared: SharedLabels, _ attributes: [Label], name: String) -> [String: String] {
        var labels: [String: String] = [:]
        labels.reserveCapacity(shared.underlay.count + attributes.count + shared.overlay.count + 2)
        for l in shared.underlay { labels[l.name] = l.value }
        for l in attributes { labels[l.name] = l.value }
        for l in shared.overlay { labels[l.name] = l.value }
        labels[LabelName.metricName] = name
        return labels
    }

    static func labels(_ dict: [String: String]) -> Labels {
        Labels(dict.map { Label($0.key, $0.value) })
    }

    // MARK: Metrics

    /// Milliseconds of a point's nanosecond time (always within Int64).
    static func milliseconds(_ unixNano: UInt64) -> Int64 { Int64(unixNano / 1_000_000) }

    func append(_ metric: Vigil_Otlp_V1_Metric, _ shared: SharedLabels, to app: inout any Appender,
                newest: inout Int64?, outcome: inout OTLPReceiver.Outcome) {
        switch metric.data {
        case nil:
            return
        case .gauge(let gauge):
            appendNumbers(gauge.dataPoints, name: names.metricName(metric.name, unit: metric.unit, kind: .gauge),
                          metric: metric.name, shared, &app, &newest, &outcome)
        case .sum(let sum):
            guard sum.aggregationTemporality == .cumulative else {
                outcome.reject(sum.dataPoints.count, "metric \(metric.name): \(Self.temporalityText(sum.aggregationTemporality)) sums are not stored; send cumulative temporality\(Self.conversionHint(sum.aggregationTemporality))")
                return
            }
            let kind: OTLPNameTranslator.Kind = sum.isMonotonic ? .counter : .gauge
            appendNumbers(sum.dataPoints, name: names.metricName(metric.name, unit: metric.unit, kind: kind),
                          metric: metric.name, shared, &app, &newest, &outcome)
        case .histogram(let histogram):
            guard let name = histogramName(metric, histogram.aggregationTemporality, points: histogram.dataPoints.count, &outcome) else { return }
            for point in histogram.dataPoints {
                if config.convertHistogramsToNHCB {
                    appendCustomBucketsHistogram(point, name: name, metric: metric.name, shared, &app, &newest, &outcome)
                } else {
                    appendHistogram(point, name: name, metric: metric.name, shared, &app, &newest, &outcome)
                }
            }
        case .exponentialHistogram(let histogram):
            guard let name = histogramName(metric, histogram.aggregationTemporality, points: histogram.dataPoints.count, &outcome) else { return }
            for point in histogram.dataPoints {
                switch OTLPExponentialHistogram.nativeHistogram(point) {
                case .success(let h):
                    let t = Self.milliseconds(point.timeUnixNano)
                    newest = max(newest ?? t, t)
                    let labels = Self.labels(Self.seriesLabels(shared, labelPairs(point.attributes), name: name))
                    _ = app.append(ref: nil, labels: labels, t: t, histogram: .integer(h))
                    outcome.samples += 1
                case .failure(let refusal):
                    outcome.reject(1, "metric \(metric.name): \(refusal)")
                }
            }
        case .summary(let summary):
            let name = names.metricName(metric.name, unit: metric.unit, kind: .summary)
            guard !name.isEmpty else {
                outcome.reject(summary.dataPoints.count, "metric \"\(metric.name)\": no usable characters in its name")
                return
            }
            for point in summary.dataPoints {
                appendSummary(point, name: name, shared, &app, &newest, &outcome)
            }
        }
    }

    /// The series name of a histogram metric of either kind; nil (its points refused, with the
    /// reason) for delta temporality or a name with nothing usable in it.
    private func histogramName(_ metric: Vigil_Otlp_V1_Metric, _ temporality: Vigil_Otlp_V1_AggregationTemporality, points: Int,
                               _ outcome: inout OTLPReceiver.Outcome) -> String? {
        guard temporality == .cumulative else {
            outcome.reject(points, "metric \(metric.name): \(Self.temporalityText(temporality)) histograms are not stored; send cumulative temporality\(Self.conversionHint(temporality))")
            return nil
        }
        let name = names.metricName(metric.name, unit: metric.unit, kind: .histogram)
        guard !name.isEmpty else {
            outcome.reject(points, "metric \"\(metric.name)\": no usable characters in its name")
            return nil
        }
        return name
    }

    static func temporalityText(_ t: Vigil_Otlp_V1_AggregationTemporality) -> String {
        switch t {
        case .delta: "delta"
        case .unspecified: "unspecified-temporality"
        default: "non-cumulative"
        }
    }

    /// For delta points: how to have them converted.
    static func conversionHint(_ t: Vigil_Otlp_V1_AggregationTemporality) -> String {
        t == .delta ? " or start Vigil with --enable-feature=otlp-deltatocumulative" : ""
    }

    static func isStale(_ flags: UInt32) -> Bool { flags & 1 != 0 }

    private func appendNumbers(_ points: [Vigil_Otlp_V1_NumberDataPoint], name: String, metric: String, _ shared: SharedLabels,
                               _ app: inout any Appender, _ newest: inout Int64?, _ outcome: inout OTLPReceiver.Outcome) {
        guard !name.isEmpty else {
            outcome.reject(points.count, "metric \"\(metric)\": no usable characters in its name")
            return
        }
        for point in points {
            let t = Self.milliseconds(point.timeUnixNano)
            newest = max(newest ?? t, t)
            let v: Double
            if Self.isStale(point.flags) {
                v = StaleNaN.value
            } else {
                switch point.value {
                case .asDouble(let d): v = d
                case .asInt(let i): v = Double(i)
                case nil:
                    outcome.reject(1, "metric \(metric): a data point without a value")
                    continue
                }
            }
            let labels = Self.labels(Self.seriesLabels(shared, labelPairs(point.attributes), name: name))
            _ = app.append(ref: nil, labels: labels, t: t, v: v)
            outcome.samples += 1
        }
    }

    private func appendHistogram(_ point: Vigil_Otlp_V1_HistogramDataPoint, name: String, metric: String, _ shared: SharedLabels,
                                 _ app: inout any Appender, _ newest: inout Int64?, _ outcome: inout OTLPReceiver.Outcome) {
        let bounds = point.explicitBounds
        let counts = point.bucketCounts
        guard counts.isEmpty || counts.count == bounds.count + 1 else {
            outcome.reject(1, "metric \(metric): \(counts.count) bucket counts for \(bounds.count) bounds (need one more count than bounds)")
            return
        }
        guard bounds.allSatisfy({ !$0.isNaN }), zip(bounds, bounds.dropFirst()).allSatisfy({ $0 < $1 }) else {
            outcome.reject(1, "metric \(metric): histogram bounds are not increasing")
            return
        }
        let parts = pointSeries(name: name, point.attributes, point.timeUnixNano, point.flags, shared, &newest)
        func emit(_ suffix: String, _ extra: Label?, _ value: Double) { parts.append(suffix, extra, value, &app, &outcome) }
        var cumulative = 0.0
        for (bound, count) in zip(bounds, counts) where bound != .infinity {
            cumulative += Double(count)
            emit("_bucket", Label("le", GoFloat.format(bound)), cumulative)
        }
        emit("_bucket", Label("le", "+Inf"), Double(point.count))
        if point.hasSum { emit("_sum", nil, point.sum) }
        emit("_count", nil, Double(point.count))
    }

    /// An explicit-bucket point as one native histogram with custom buckets
    /// (`convert_histograms_to_nhcb`): the finite bounds are its custom values, bucket i holds the
    /// observations up to bound i and the last one those above every bound.
    private func appendCustomBucketsHistogram(_ point: Vigil_Otlp_V1_HistogramDataPoint, name: String, metric: String, _ shared: SharedLabels,
                                              _ app: inout any Appender, _ newest: inout Int64?, _ outcome: inout OTLPReceiver.Outcome) {
        let bounds = point.explicitBounds.filter { $0 != .infinity }
        let counts = point.bucketCounts
        guard counts.isEmpty || counts.count == bounds.count + 1 else {
            outcome.reject(1, "metric \(metric): \(counts.count) bucket counts for \(bounds.count) bounds (need one more count than bounds)")
            return
        }
        let t = Self.milliseconds(point.timeUnixNano)
        newest = max(newest ?? t, t)
        var h = NativeHistogram(schema: NativeHistogram.customBucketsSchema, count: point.count, sum: point.hasSum ? point.sum : 0, customValues: bounds)
        if Self.isStale(point.flags) {
            h = NativeHistogram(schema: 0, count: 0, sum: StaleNaN.value)
        } else if !counts.isEmpty {
            h.positiveSpans = [HistogramSpan(offset: 0, length: UInt32(truncatingIfNeeded: counts.count))]
            h.positiveDeltas = NativeHistogram.deltas(counts.map { Int64(clamping: $0) })
        }
        let labels = Self.labels(Self.seriesLabels(shared, labelPairs(point.attributes), name: name))
        _ = app.append(ref: nil, labels: labels, t: t, histogram: .integer(h))
        outcome.samples += 1
    }

    private func appendSummary(_ point: Vigil_Otlp_V1_SummaryDataPoint, name: String, _ shared: SharedLabels,
                               _ app: inout any Appender, _ newest: inout Int64?, _ outcome: inout OTLPReceiver.Outcome) {
        let parts = pointSeries(name: name, point.attributes, point.timeUnixNano, point.flags, shared, &newest)
        func emit(_ suffix: String, _ extra: Label?, _ value: Double) { parts.append(suffix, extra, value, &app, &outcome) }
        for q in point.quantileValues {
            emit("", Label("quantile", GoFloat.format(q.quantile)), q.value)
        }
        emit("_sum", nil, point.sum)
        emit("_count", nil, Double(point.count))
    }

    /// The series one histogram or summary point becomes: its labels under the metric's name
    /// plus a suffix (and `le` or `quantile`), all at the point's time.
    struct PointSeries {
        let base: [String: String]
        let name: String
        let t: Int64
        /// A point flagged "no recorded value": every series gets a staleness marker.
        let stale: Bool

        func append(_ suffix: String, _ extra: Label?, _ value: Double, _ app: inout any Appender, _ outcome: inout OTLPReceiver.Outcome) {
            var labels = base
            labels[LabelName.metricName] = name + suffix
            if let extra { labels[extra.name] = extra.value }
            _ = app.append(ref: nil, labels: OTLPTranslator.labels(labels), t: t, v: stale ? StaleNaN.value : value)
            outcome.samples += 1
        }
    }

    private func pointSeries(name: String, _ attributes: [Vigil_Otlp_V1_KeyValue], _ unixNano: UInt64, _ flags: UInt32,
                             _ shared: SharedLabels, _ newest: inout Int64?) -> PointSeries {
        let t = Self.milliseconds(unixNano)
        newest = max(newest ?? t, t)
        return PointSeries(base: Self.seriesLabels(shared, labelPairs(attributes), name: name), name: name, t: t, stale: Self.isStale(flags))
    }
}
