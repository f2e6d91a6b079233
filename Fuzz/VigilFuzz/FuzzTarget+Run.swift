import Alertmanager
import Config
import Discovery
import Exposition
import Foundation
import GoTemplate
import HTTPAPI
import MetricModel
import Logging
import PromQL
import Push
import RemoteWrite
import Rules
import TSDB
import WebSecurity

extension FuzzTarget {
    /// Feeds `bytes` to this target's parser; results and errors are both fine.
    func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .expositionText: Self.exposition(bytes, .text)
        case .expositionOpenMetrics: Self.exposition(bytes, .openMetrics)
        case .promqlParse:
            if let expr = try? Parser.parse(text) { _ = expr.description }
        case .promqlEval: Self.evaluate(text)
        case .apiParameters:
            let p = APIParameters(form: text)
            _ = try? p.time("time", default: 0)
            _ = try? p.time("start", default: 0)
            _ = try? p.duration("step")
            _ = try? p.duration("timeout")
            _ = try? p.limit()
            for m in p.all("match[]") { _ = try? Parser.parseSelector(m) }
        case .grafanaJSON:
            if let request = JSONObject(data: Data(bytes)) { _ = try? GrafanaQueryTranslation(request: request) }
        case .alertsJSON:
            _ = try? PostableAlert.decodeList(Data(bytes))
            _ = try? AlertmanagerJSON.postedSilence(Data(bytes))
        case .pushText:
            // The first line is the grouping-key path, the rest the body; pushed twice (PUT, then
            // POST) into a gateway that already holds a group, then stored.
            let split = bytes.firstIndex(of: 0x0A) ?? bytes.count
            let path = String(decoding: bytes[..<split], as: UTF8.self)
            Self.push(path: Substring(path), body: Array(bytes[min(split + 1, bytes.count)...]), contentType: "text/plain; version=0.0.4")
        case .pushProtobuf:
            Self.push(path: "job/fuzz/instance/a", body: bytes, contentType: ExpositionFamily.protobufMediaType + "; proto=io.prometheus.client.MetricFamily; encoding=delimited")
            // The same body as a scrape with native histograms: decoded, limited, stored.
            if let families = try? ExpositionFamily.decodeProtobuf(bytes, nativeHistograms: true, classicHistograms: true) {
                var app = Head.inMemory().appender()
                for family in families.prefix(16) {
                    for sample in family.samples.prefix(16) {
                        guard case .integer(let h)? = sample.histogram else { continue }
                        _ = h.limited(toBuckets: 8)
                        _ = h.limited(toMinimumGrowthFactor: 1.5)
                        _ = app.append(ref: nil, labels: sample.labels, t: 0, histogram: .integer(h))
                    }
                }
                _ = try? app.commit()
            }
        case .remoteWrite:
            _ = try? RemoteWriteReceiver(storage: Head.inMemory()).receive(compressed: bytes)
        case .remoteWriteV2:
            _ = try? RemoteWriteReceiver(storage: Head.inMemory(), ingestCreatedTimestamps: true).receive(compressed: bytes, version: .v2)
        case .otlpProtobuf:
            // Half the inputs go through delta-to-cumulative conversion, twice (the second time
            // every stream exists already).
            let streams = bytes.count % 2 == 0 ? OTLPDeltaStreams(maxStreams: 64) : nil
            let receiver = OTLPReceiver(storage: Head.inMemory(), config: Self.otlpConfig, deltaStreams: streams)
            _ = try? receiver.receive(bytes, encoding: .protobuf)
            if streams != nil { _ = try? receiver.receive(bytes, encoding: .protobuf) }
        case .otlpJSON: _ = try? OTLPReceiver(storage: Head.inMemory(), config: Self.otlpConfig).receive(bytes, encoding: .json)
        case .prometheusConfig: _ = try? PrometheusConfig.parse(text, file: "fuzz.yml")
        case .ruleFile: _ = try? RuleFile.parse(text, file: "fuzz.yml")
        case .alertmanagerConfig: _ = try? AlertmanagerConfiguration.parse(text, file: "fuzz.yml")
        case .webConfig: _ = try? WebConfig.parse(text, file: "fuzz.yml")
        case .kubeconfig: _ = try? Kubeconfig.parse(text, path: "fuzz/kubeconfig")
        case .goTemplate:
            guard let template = try? Template(text) else { return }
            let data = TemplateValue.map(["Labels": .stringMap(["job": "api"]), "Value": .float(1.5)])
            _ = try? template.render(data, functions: PrometheusTemplateFunctions.functions())
        case .walSegment:
            var reader = WALSegmentReader(bytes: bytes)
            // Histogram samples go through a head's appender, as replay applies them: refused or
            // stored, never trapped on, and read back.
            let head = Head.inMemory()
            while let record = reader.next() {
                guard case .histograms(let samples) = record else { continue }
                var app = head.appender()
                for s in samples.prefix(64) { _ = app.append(ref: nil, labels: Labels(["__name__": "fuzz", "ref": String(s.ref % 4)]), t: s.t, histogram: s.value) }
                _ = try? app.commit()
            }
            for series in head.select([], mint: .min, maxt: .max) {
                _ = series.histogramSamples().last?.histogram.description
                _ = series.floatHistogramSamples().last?.histogram.description
            }
        case .dnsReply:
            guard let reply = try? DNSMessage.parse(bytes) else { return }
            _ = DNSSDProvider.group(name: "fuzz", records: reply.answers, config: DNSSDConfig(names: ["fuzz"], type: .srv))
        case .httpSD: _ = try? HTTPSDProvider.parse(bytes, url: "http://fuzz/")
        case .kubernetesEvent:
            guard let event = try? KubernetesAPI.event(bytes, path: "/fuzz") else { return }
            if case .added(let object) = event {
                for role in KubernetesSDConfig.Role.allCases {
                    _ = KubernetesTargets.group(for: object, role: role)
                    // The same object as every slot of a joining role: pod, service and node alike.
                    let slots: [KubernetesSDConfig.Role] = [role, .pod, .service, .node]
                    var state = KubernetesDiscoveryState(role: role, attachNode: true, slotRoles: slots)
                    for (slot, slotRole) in slots.enumerated() {
                        if let kept = KubernetesObject.from(object, role: slotRole, discovered: role), let key = KubernetesTargets.key(object) {
                            state.set([key: kept], slot: slot)
                        }
                    }
                    _ = state.groups()
                }
            }
        case .snapshot:
            guard let entries = try? HeadSnapshot.decode(bytes) else { return }
            var times: [Int64] = [], values: [Double] = []
            for e in entries {
                for c in e.chunks { _ = c.appendSamples(mint: .min, maxt: .max, times: &times, values: &values) }
                for c in e.histogramChunks { _ = c.lastHistogram?.description }
                for c in e.floatHistogramChunks { _ = c.lastHistogram?.description }
            }
        case .blockIndex: FuzzBlock.shared.open(replacing: "index", with: bytes)
        case .blockChunks: FuzzBlock.shared.open(replacing: "chunks/000001", with: bytes)
        case .blockTombstones: FuzzBlock.shared.open(replacing: "tombstones", with: bytes)
        case .blockMeta: FuzzBlock.shared.open(replacing: "meta.json", with: bytes)
        case .xorChunk: FuzzBlock.decodeChunk(bytes)
        case .histogramChunk: FuzzBlock.decodeHistogramChunk(bytes)
        case .prometheusWAL: FuzzBlock.readPrometheusWAL(bytes)
        case .headChunks: FuzzBlock.readHeadChunkFile(bytes)
        }
    }

    /// Every resource attribute promoted and scopes labelled, so the fuzzer reaches every
    /// labelling path of the OTLP translation.
    private static let otlpConfig: OTLPConfig = {
        var config = OTLPConfig()
        config.promoteAllResourceAttributes = true
        config.ignoreResourceAttributes = ["host.name"]
        config.promoteScopeMetadata = true
        return config
    }()

    private static func push(path: Substring, body: [UInt8], contentType: String) {
        let gateway = PushGateway(storage: Head.inMemory(), file: nil, logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
        // Native histograms on for half the inputs (classic buckets beside them for a quarter).
        gateway.setNativeHistograms(body.count % 2 == 0, classic: body.count % 4 == 0)
        try? gateway.push(path: "job/other", method: .replaceGroup, body: Array("# TYPE requests_total counter\nrequests_total 3\n".utf8), contentType: nil)
        try? gateway.push(path: path, method: .replaceGroup, body: body, contentType: contentType)
        try? gateway.push(path: path, method: .replaceFamilies, body: body, contentType: contentType)
        _ = try? gateway.ingest()
        try? gateway.delete(path: path)
    }

    private static func exposition(_ bytes: [UInt8], _ format: ExpositionFormat) {
        var parser = ExpositionParser(bytes: bytes, format: format)
        while let entry = try? parser.next() {
            if case .sample = entry { _ = try? parser.labels() }
        }
    }

    /// A small fixed head: three counters, a gauge and a classic histogram over ten minutes.
    nonisolated(unsafe) static let head: Head = {
        let head = Head.inMemory()
        var app = head.appender()
        for step in 0...40 {
            let t = Int64(step) * 15_000
            for i in 0..<3 { _ = app.append(ref: nil, labels: Labels(["__name__": "requests_total", "instance": "i\(i)"]), t: t, v: Double(step * (i + 1))) }
            _ = app.append(ref: nil, labels: Labels(["__name__": "temperature", "room": "a"]), t: t, v: 20 + Double(step % 7))
            for le in ["0.1", "1", "+Inf"] {
                _ = app.append(ref: nil, labels: Labels(["__name__": "latency_seconds_bucket", "le": le]), t: t, v: Double(step) * (le == "0.1" ? 1 : 2))
            }
            // Native histograms: exponential buckets on both sides with a zero bucket and a reset
            // halfway, custom buckets, and a gauge histogram beside a float in one series.
            let n = Double(step % 20)
            let exponential = FloatHistogram(schema: 1, zeroThreshold: 0.001, zeroCount: n, count: 4 * n, sum: 3.5 * n,
                                              positiveSpans: [HistogramSpan(offset: -1, length: 2)], positiveBuckets: [n, n],
                                              negativeSpans: [HistogramSpan(offset: 2, length: 1)], negativeBuckets: [n])
            _ = app.append(ref: nil, labels: Labels(["__name__": "duration_seconds", "model": "churn"]), t: t, histogram: .float(exponential))
            let custom = FloatHistogram(schema: NativeHistogram.customBucketsSchema, count: 3 * n, sum: n,
                                         positiveSpans: [HistogramSpan(offset: 0, length: 3)], positiveBuckets: [n, 0, 2 * n], customValues: [0.1, 1])
            _ = app.append(ref: nil, labels: Labels(["__name__": "duration_seconds", "model": "fraud"]), t: t, histogram: .float(custom))
            if step % 2 == 0 {
                var gauge = exponential
                gauge.counterResetHint = .gauge
                _ = app.append(ref: nil, labels: Labels(["__name__": "queue_depth"]), t: t, histogram: .float(gauge))
            } else {
                _ = app.append(ref: nil, labels: Labels(["__name__": "queue_depth"]), t: t, v: n)
            }
        }
        _ = try? app.commit()
        return head
    }()

    /// Parses, then evaluates at one instant and over a short range, with a deadline and a sample limit.
    private static func evaluate(_ query: String) {
        var options = QueryOptions()
        options.timeout = .seconds(2)
        options.maxSamples = 1_000_000
        let engine = Engine(options: options)
        _ = try? engine.prepareInstant(query, at: 600_000, querier: head).run()
        _ = try? engine.prepareRange(query, start: 0, end: 600_000, step: 60_000, querier: head).run()
    }
}
