import MetricModel

extension JSONWriter {
    /// A native histogram as Prometheus' API writes one: `{"count":"…","sum":"…","buckets":[[rule,
    /// "lower","upper","count"],…]}`, values as strings, only buckets that hold observations. The
    /// rule says which bounds are inclusive: 0 the upper only, 1 the lower only, 3 both.
    mutating func histogram(_ h: FloatHistogram) {
        raw("{\"count\":")
        sampleValue(h.count)
        raw(",\"sum\":")
        sampleValue(h.sum)
        let buckets = h.populatedBuckets
        if !buckets.isEmpty {
            raw(",\"buckets\":[")
            for (i, b) in buckets.enumerated() {
                if i > 0 { raw(",") }
                raw("[\(b.boundaryRule),")
                sampleValue(b.lower)
                raw(",")
                sampleValue(b.upper)
                raw(",")
                sampleValue(b.count)
                raw("]")
            }
            raw("]")
        }
        raw("}")
    }

    /// `[seconds,{histogram}]`.
    mutating func histogramPoint(_ t: Int64, _ h: FloatHistogram) {
        raw("[")
        time(t)
        raw(",")
        histogram(h)
        raw("]")
    }
}

extension HistogramBucket {
    /// Which bounds the bucket includes, as the query API (and the Pushgateway's) numbers it: 0
    /// the upper only, 1 the lower only, 2 neither, 3 both.
    var boundaryRule: Int {
        switch (lowerInclusive, upperInclusive) {
        case (false, true): 0
        case (true, false): 1
        case (false, false): 2
        case (true, true): 3
        }
    }
}
