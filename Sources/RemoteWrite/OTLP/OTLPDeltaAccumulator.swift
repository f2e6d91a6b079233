import MetricModel

/// `--enable-feature=otlp-deltatocumulative`: OTLP points with delta temporality rewritten as the
/// cumulative points Prometheus stores, as the OpenTelemetry Collector's deltatocumulative
/// processor (which Prometheus runs for this flag) does.
///
/// A stream is one resource, scope, metric and set of point attributes. It keeps the running
/// total of its deltas and the start of its first one; each delta point is rewritten in place
/// with the total so far (value, or bucket counts, count and sum) and the stream's start, and its
/// metric marked cumulative, so the translator stores it as any cumulative point.
///
/// - A point whose interval starts before the end of the last one taken, or that does not end
///   after it (out of order, or sent twice), is refused with the reason.
/// - A histogram whose bucket layout changes (other bounds, another zero threshold, buckets too
///   far apart to add up) starts its stream again from that point, which Prometheus reads as a
///   counter reset; exponential histograms of different scales are added at the coarser one.
/// - A point flagged "no recorded value" passes as it is (a staleness marker) and ends its stream.
/// - A stream without points for ``maxStaleness`` is forgotten; beyond ``maxStreams`` streams,
///   points of new ones are refused.
package struct OTLPDeltaAccumulator: Sendable {
    /// Streams silent this long (milliseconds of the receiver's clock) are forgotten (the
    /// processor's `max_stale` default, five minutes).
    package static let maxStaleness: Int64 = 5 * 60_000
    /// Streams kept at most; points of further new streams are refused.
    package let maxStreams: Int
    /// The most buckets an exponential total keeps per side (the SDKs' default maximum size): a
    /// sum whose buckets would reach further is taken to a coarser scale, as the SDK does with a
    /// cumulative histogram.
    static let maxExponentialSpan: Int64 = 160
    /// The scales OTLP's exponential histograms take; at the coarsest, one bucket reaches past
    /// every finite double.
    static let exponentialScales: ClosedRange<Int32> = -10...20

    private var streams: [String: Stream] = [:]
    private var lastSweep: Int64 = .min

    package init(maxStreams: Int = 1 << 20) {
        self.maxStreams = maxStreams
    }

    /// Streams tracked now.
    package var count: Int { streams.count }

    /// What a stream has added up.
    enum Total: Sendable, Equatable {
        case number(Double)
        case histogram(bounds: [Double], counts: [UInt64], count: UInt64, sum: Double?)
        case exponential(ExponentialTotal)
    }

    /// The running total of an exponential histogram stream.
    struct ExponentialTotal: Sendable, Equatable {
        var scale: Int32
        var zeroThreshold: Double
        var zeroCount: UInt64
        var positive: ExponentialBuckets
        var negative: ExponentialBuckets
        var count: UInt64
        var sum: Double?
    }

    /// Consecutive bucket counts from bucket index `offset` on.
    struct ExponentialBuckets: Sendable, Equatable {
        var offset: Int32
        var counts: [UInt64]
    }

    struct Stream: Sendable {
        /// Start of the stream's first point (nanoseconds).
        var start: UInt64
        /// End of the last point taken (nanoseconds).
        var last: UInt64
        /// The receiver's clock when the last point came (milliseconds).
        var seenAt: Int64
        var total: Total
    }

    /// Rewrites every delta sum, histogram and exponential histogram of `request` as cumulative;
    /// refused points are left out and counted in `outcome`. `now` is the receiver's clock.
    package mutating func convert(_ request: inout Vigil_Otlp_V1_ExportMetricsServiceRequest, now: Int64, outcome: inout OTLPReceiver.Outcome) {
        for r in request.resourceMetrics.indices {
            let resourceKey = Self.key(request.resourceMetrics[r].resource.attributes)
            for s in request.resourceMetrics[r].scopeMetrics.indices {
                let scope = request.resourceMetrics[r].scopeMetrics[s].scope
                let scopeKey = [resourceKey, scope.name, scope.version, Self.key(scope.attributes)].joined(separator: "\u{1}")
                for m in request.resourceMetrics[r].scopeMetrics[s].metrics.indices {
                    var metric = request.resourceMetrics[r].scopeMetrics[s].metrics[m]
                    let metricKey = [scopeKey, metric.name, metric.unit].joined(separator: "\u{1}")
                    switch metric.data {
                    case .sum(var sum) where sum.aggregationTemporality == .delta:
                        let key = metricKey + (sum.isMonotonic ? "\u{1}counter\u{1}" : "\u{1}sum\u{1}")
                        sum.dataPoints = sum.dataPoints.compactMap { numberPoint($0, key: key, metric: metric.name, now: now, &outcome) }
                        sum.aggregationTemporality = .cumulative
                        metric.data = .sum(sum)
                    case .histogram(var histogram) where histogram.aggregationTemporality == .delta:
                        let key = metricKey + "\u{1}histogram\u{1}"
                        histogram.dataPoints = histogram.dataPoints.compactMap { histogramPoint($0, key: key, metric: metric.name, now: now, &outcome) }
                        histogram.aggregationTemporality = .cumulative
                        metric.data = .histogram(histogram)
                    case .exponentialHistogram(var histogram) where histogram.aggregationTemporality == .delta:
                        let key = metricKey + "\u{1}exponential\u{1}"
                        histogram.dataPoints = histogram.dataPoints.compactMap { exponentialPoint($0, key: key, metric: metric.name, now: now, &outcome) }
                        histogram.aggregationTemporality = .cumulative
                        metric.data = .exponentialHistogram(histogram)
                    default:
                        continue
                    }
                    request.resourceMetrics[r].scopeMetrics[s].metrics[m] = metric
                }
            }
        }
        sweep(now: now)
    }

    // MARK: Points

    private mutating func numberPoint(_ point: Vigil_Otlp_V1_NumberDataPoint, key: String, metric: String, now: Int64,
                                      _ outcome: inout OTLPReceiver.Outcome) -> Vigil_Otlp_V1_NumberDataPoint? {
        guard let streamKey = liveStream(key, point.attributes, flags: point.flags) else { return point }
        let value: Double
        switch point.value {
        case .asDouble(let d): value = d
        case .asInt(let i): value = Double(i)
        case nil: return point // the translator refuses it
        }
        guard let (start, total) = accumulate(streamKey, point.startTimeUnixNano, point.timeUnixNano, fresh: .number(value),
                                              metric: metric, now: now, &outcome, adding: { total in
                                                  guard case .number(let sum) = total else { return nil }
                                                  return .number(sum + value)
                                              }),
              case .number(let sum) = total else { return nil }
        var out = point
        out.startTimeUnixNano = start
        out.value = .asDouble(sum)
        return out
    }

    private mutating func histogramPoint(_ point: Vigil_Otlp_V1_HistogramDataPoint, key: String, metric: String, now: Int64,
                                         _ outcome: inout OTLPReceiver.Outcome) -> Vigil_Otlp_V1_HistogramDataPoint? {
        guard let streamKey = liveStream(key, point.attributes, flags: point.flags) else { return point }
        let fresh = Total.histogram(bounds: point.explicitBounds, counts: point.bucketCounts, count: point.count, sum: point.hasSum ? point.sum : nil)
        guard let (start, total) = accumulate(streamKey, point.startTimeUnixNano, point.timeUnixNano, fresh: fresh,
                                              metric: metric, now: now, &outcome, adding: { total in
                                                  guard case .histogram(let bounds, let counts, let count, let sum) = total,
                                                        bounds == point.explicitBounds, counts.count == point.bucketCounts.count else { return nil }
                                                  return .histogram(bounds: bounds, counts: zip(counts, point.bucketCounts).map { Self.saturatingSum($0, $1) },
                                                                    count: Self.saturatingSum(count, point.count),
                                                                    sum: point.hasSum ? sum.map { $0 + point.sum } : nil)
                                              }),
              case .histogram(_, let counts, let count, let sum) = total else { return nil }
        var out = point
        out.startTimeUnixNano = start
        out.bucketCounts = counts
        out.count = count
        if let sum { out.sum = sum } else { out.clearSum() }
        out.clearMin()
        out.clearMax()
        return out
    }

    private mutating func exponentialPoint(_ point: Vigil_Otlp_V1_ExponentialHistogramDataPoint, key: String, metric: String, now: Int64,
                                           _ outcome: inout OTLPReceiver.Outcome) -> Vigil_Otlp_V1_ExponentialHistogramDataPoint? {
        guard let streamKey = liveStream(key, point.attributes, flags: point.flags) else { return point }
        let delta = ExponentialTotal(scale: point.scale, zeroThreshold: point.zeroThreshold, zeroCount: point.zeroCount,
                                     positive: ExponentialBuckets(offset: point.positive.offset, counts: point.positive.bucketCounts),
                                     negative: ExponentialBuckets(offset: point.negative.offset, counts: point.negative.bucketCounts),
                                     count: point.count, sum: point.hasSum ? point.sum : nil)
        guard let (start, total) = accumulate(streamKey, point.startTimeUnixNano, point.timeUnixNano, fresh: .exponential(delta),
                                              metric: metric, now: now, &outcome, adding: { total in
                                                  guard case .exponential(let sum) = total else { return nil }
                                                  return Self.merged(sum, delta).map(Total.exponential)
                                              }),
              case .exponential(let sum) = total else { return nil }
        var out = point
        out.startTimeUnixNano = start
        out.scale = sum.scale
        out.zeroCount = sum.zeroCount
        out.positive.offset = sum.positive.offset
        out.positive.bucketCounts = sum.positive.counts
        out.negative.offset = sum.negative.offset
        out.negative.bucketCounts = sum.negative.counts
        out.count = sum.count
        if let s = sum.sum { out.sum = s } else { out.clearSum() }
        out.clearMin()
        out.clearMax()
        return out
    }

    /// The stream of a point: `key` with the point's attributes; nil for a point flagged "no
    /// recorded value", which passes as it is (a staleness marker) and ends its stream.
    private mutating func liveStream(_ key: String, _ attributes: [Vigil_Otlp_V1_KeyValue], flags: UInt32) -> String? {
        let streamKey = key + Self.key(attributes)
        guard !OTLPTranslator.isStale(flags) else {
            streams[streamKey] = nil
            return nil
        }
        return streamKey
    }

    /// Folds one delta point into its stream: the stream's start and total after it, or nil when
    /// the point is refused. `add` gives the total with the point added, or nil when the two do
    /// not add up (another bucket layout): the stream then starts again with `fresh`.
    private mutating func accumulate(_ key: String, _ start: UInt64, _ end: UInt64, fresh: Total, metric: String, now: Int64,
                                     _ outcome: inout OTLPReceiver.Outcome, adding add: (Total) -> Total?) -> (UInt64, Total)? {
        if let stream = streams[key] {
            guard end > stream.last, start == 0 || start >= stream.last else {
                outcome.reject(1, "metric \(metric): a delta point that does not follow the last one taken (out of order or sent twice)")
                return nil
            }
            if let total = add(stream.total) {
                streams[key] = Stream(start: stream.start, last: end, seenAt: now, total: total)
                return (stream.start, total)
            }
        } else if streams.count >= maxStreams {
            outcome.reject(1, "metric \(metric): more than \(maxStreams) delta streams are tracked; a new one is not taken")
            return nil
        }
        let begin = start == 0 ? end : start
        streams[key] = Stream(start: begin, last: end, seenAt: now, total: fresh)
        return (begin, fresh)
    }

    /// Forgets streams silent for ``maxStaleness``, at most once a minute.
    private mutating func sweep(now: Int64) {
        guard lastSweep == .min || now - lastSweep >= 60_000 else { return }
        lastSweep = now
        streams = streams.filter { now - $0.value.seenAt < Self.maxStaleness }
    }

    // MARK: Arithmetic

    /// A stream's identity from attributes: sorted by key, values as text.
    static func key(_ attributes: [Vigil_Otlp_V1_KeyValue]) -> String {
        attributes.sorted { $0.key < $1.key }.map { $0.key + "\u{2}" + OTLPAttributeValue.text($0.value) }.joined(separator: "\u{3}")
    }

    /// Counts added, held at the largest count rather than wrapping.
    static func saturatingSum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    /// Two exponential histograms added at the coarser scale, or coarser still until each side's
    /// buckets fit ``maxExponentialSpan``; nil when their zero thresholds differ or a scale is
    /// outside ``exponentialScales``.
    static func merged(_ a: ExponentialTotal, _ b: ExponentialTotal) -> ExponentialTotal? {
        guard a.zeroThreshold == b.zeroThreshold, exponentialScales.contains(a.scale), exponentialScales.contains(b.scale) else { return nil }
        var scale = min(a.scale, b.scale)
        while true {
            if let positive = merged(a.positive, downscale: a.scale - scale, b.positive, downscale: b.scale - scale),
               let negative = merged(a.negative, downscale: a.scale - scale, b.negative, downscale: b.scale - scale) {
                return ExponentialTotal(scale: scale, zeroThreshold: a.zeroThreshold, zeroCount: saturatingSum(a.zeroCount, b.zeroCount),
                                        positive: positive, negative: negative, count: saturatingSum(a.count, b.count),
                                        sum: a.sum.flatMap { x in b.sum.map { x + $0 } })
            }
            guard scale > exponentialScales.lowerBound else { return nil }
            scale -= 1
        }
    }

    /// One side's buckets of two histograms, each first merged `downscale` times (bucket i goes to
    /// i >> downscale), added up.
    static func merged(_ a: ExponentialBuckets, downscale da: Int32, _ b: ExponentialBuckets, downscale db: Int32) -> ExponentialBuckets? {
        var merged: [Int64: UInt64] = [:]
        for (buckets, shift) in [(a, da), (b, db)] {
            for (i, count) in buckets.counts.enumerated() where count > 0 {
                let index = (Int64(buckets.offset) + Int64(i)) >> Int64(shift)
                merged[index] = saturatingSum(merged[index] ?? 0, count)
            }
        }
        guard let low = merged.keys.min(), let high = merged.keys.max() else { return ExponentialBuckets(offset: 0, counts: []) }
        guard high - low < maxExponentialSpan, let offset = Int32(exactly: low) else { return nil }
        var counts = [UInt64](repeating: 0, count: Int(high - low + 1))
        for (index, count) in merged { counts[Int(index - low)] = count }
        return ExponentialBuckets(offset: offset, counts: counts)
    }
}
