import MetricModel
import SwiftProtobuf
import Testing
@testable import Exposition

@Suite struct ExpositionFamilyTests {
    @Test func textSamplesJoinTheFamilyTheirTypeNames() throws {
        let body = """
        # HELP latency_seconds Latency.
        # TYPE latency_seconds histogram
        latency_seconds_bucket{le="0.1"} 1
        latency_seconds_bucket{le="+Inf"} 2
        latency_seconds_sum 0.3
        latency_seconds_count 2
        latency_seconds_total 9
        loose 1
        loose{a="b"} 2
        """
        let families = try ExpositionFamily.decode(body: Array(body.utf8), contentType: "text/plain; version=0.0.4")
        #expect(families.map(\.name) == ["latency_seconds", "latency_seconds_total", "loose"])
        #expect(families[0].type == .histogram && families[0].help == "Latency." && families[0].samples.count == 4)
        #expect(families[1].type == .unknown && families[2].samples.count == 2)
    }

    @Test func aSecondTypeLineIsRefused() {
        #expect(throws: ExpositionError.self) {
            try ExpositionFamily.decode(body: Array("# TYPE a gauge\na 1\n# TYPE a counter\n".utf8), contentType: nil)
        }
    }

    @Test func structuredHistogramsHaveCanonicalBoundsAndEveryPart() throws {
        var family = ExpositionFamily(name: "h", type: .histogram)
        family.samples = [
            .init(labels: Labels(["__name__": "h_bucket", "le": "0.50", "x": "1"]), value: 1),
            .init(labels: Labels(["__name__": "h_bucket", "le": "1000000", "x": "1"]), value: 2),
            .init(labels: Labels(["__name__": "h_count", "x": "1"]), value: 3),
        ]
        let s = try family.structured()
        #expect(Set(s.samples.map(\.labels)) == [
            Labels(["__name__": "h_bucket", "le": "0.5", "x": "1"]), Labels(["__name__": "h_bucket", "le": "1e+06", "x": "1"]),
            Labels(["__name__": "h_bucket", "le": "+Inf", "x": "1"]), Labels(["__name__": "h_count", "x": "1"]), Labels(["__name__": "h_sum", "x": "1"]),
        ])
        #expect(s.samples.first { $0.labels["le"] == "+Inf" }?.value == 3)
    }

    @Test func delimitedProtobufBecomesClassicSeries() throws {
        var counter = ExposedMetricFamily()
        counter.name = "rows_total"
        counter.type = .counter
        var m = ExposedMetric()
        m.label = [label("table", "orders"), label("empty", "")]
        m.counter.value = 12
        counter.metric = [m]

        var histogram = ExposedMetricFamily()
        histogram.name = "size_bytes"
        histogram.type = .histogram
        var h = ExposedMetric()
        h.histogram.sampleCount = 5
        h.histogram.sampleSum = 99
        var b1 = ExposedBucket()
        b1.upperBound = 0.00001
        b1.cumulativeCount = 1
        var b2 = ExposedBucket()
        b2.upperBound = 1e6
        b2.cumulativeCount = 4
        h.histogram.bucket = [b1, b2]
        histogram.metric = [h]

        var summary = ExposedMetricFamily()
        summary.name = "loss"
        summary.type = .summary
        var s = ExposedMetric()
        var q = ExposedQuantile()
        q.quantile = 0.5
        q.value = 0.25
        s.summary.quantile = [q]
        s.summary.sampleCount = 4
        s.summary.sampleSum = 1
        summary.metric = [s]

        let body = try delimited([counter, histogram, summary])
        let families = try ExpositionFamily.decode(body: body, contentType: "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited")
        #expect(families.map(\.name) == ["rows_total", "size_bytes", "loss"])
        #expect(families[0].samples == [.init(labels: Labels(["__name__": "rows_total", "table": "orders"]), value: 12)])
        #expect(Dictionary(uniqueKeysWithValues: families[1].samples.map { ($0.labels, $0.value) }) == [
            Labels(["__name__": "size_bytes_bucket", "le": "1e-05"]): 1, Labels(["__name__": "size_bytes_bucket", "le": "1e+06"]): 4,
            Labels(["__name__": "size_bytes_bucket", "le": "+Inf"]): 5, Labels(["__name__": "size_bytes_sum"]): 99,
            Labels(["__name__": "size_bytes_count"]): 5,
        ])
        #expect(families[2].samples.map(\.labels) == [Labels(["__name__": "loss", "quantile": "0.5"]), Labels(["__name__": "loss_sum"]), Labels(["__name__": "loss_count"])])
    }

    @Test func protobufNamesMayBeAnyUTF8ButNotEmpty() throws {
        var family = ExposedMetricFamily()
        family.name = "model.accuracy"
        family.type = .gauge
        var m = ExposedMetric()
        m.label = [label("data.split", "eval")]
        m.gauge.value = 0.9
        family.metric = [m]
        let type = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
        let read = try ExpositionFamily.decode(body: try delimited([family]), contentType: type)
        #expect(read.first?.samples.first?.labels == Labels(["__name__": "model.accuracy", "data.split": "eval"]))
        var unnamed = family
        unnamed.name = ""
        #expect(throws: ExpositionError.self) { try ExpositionFamily.decode(body: try delimited([unnamed]), contentType: type) }
        var emptyLabel = family
        emptyLabel.metric[0].label = [label("", "x")]
        #expect(throws: ExpositionError.self) { try ExpositionFamily.decode(body: try delimited([emptyLabel]), contentType: type) }
    }

    @Test func truncatedOrForeignProtobufIsAnErrorNotACrash() throws {
        var family = ExposedMetricFamily()
        family.name = "x"
        family.type = .gauge
        var m = ExposedMetric()
        m.gauge.value = 1
        family.metric = [m]
        let body = try delimited([family])
        let type = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
        for cut in 1..<body.count {
            #expect(throws: ExpositionError.self) { try ExpositionFamily.decode(body: Array(body[..<cut]), contentType: type) }
        }
        #expect(throws: ExpositionError.self) { try ExpositionFamily.decode(body: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], contentType: type) }
        #expect(throws: ExpositionError.self) { try ExpositionFamily.decode(body: body, contentType: "application/vnd.google.protobuf; proto=other.Message") }
        var counterWithoutValue = family
        counterWithoutValue.type = .counter
        #expect(throws: ExpositionError.self) { try ExpositionFamily.decode(body: try delimited([counterWithoutValue]), contentType: type) }
    }

    private func label(_ name: String, _ value: String) -> ExposedLabelPair {
        var pair = ExposedLabelPair()
        pair.name = name
        pair.value = value
        return pair
    }

    private func delimited(_ families: [ExposedMetricFamily]) throws -> [UInt8] {
        var out: [UInt8] = []
        for family in families {
            let bytes: [UInt8] = try family.serializedBytes()
            var n = UInt64(bytes.count)
            repeat {
                let low = UInt8(n & 0x7F)
                n >>= 7
                out.append(n == 0 ? low : low | 0x80)
            } while n != 0
            out += bytes
        }
        return out
    }
}

@Suite struct GoFloatGeneralTests {
    @Test(arguments: [
        (1e6, "1e+06"), (123456.0, "123456"), (1234567.0, "1.234567e+06"), (0.0001, "0.0001"), (0.00001, "1e-05"),
        (0.5, "0.5"), (1.0, "1"), (0.0, "0"), (-2.5e-7, "-2.5e-07"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"),
    ])
    func formatsAsGoDoesWithG(value: Double, text: String) {
        #expect(GoFloat.general(value) == text)
    }
}
