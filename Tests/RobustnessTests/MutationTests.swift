import Config
import Exposition
import Foundation
import GoTemplate
import MetricModel
import Testing
@testable import RemoteWrite
@testable import TSDB

/// Deterministic byte-level mutations of valid inputs.
struct Mutator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }

    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var b = input
        let edits = 1 + Int(next() % 6)
        let interesting: [UInt8] = Array("{}\"\\=,# \n\t:-+.eE0123456789NaInf".utf8) + [0, 0xFF, 0xC3, 0x80]
        for _ in 0..<edits {
            guard !b.isEmpty else { b.append(UInt8(next() & 0xFF)); continue }
            let i = Int(next() % UInt64(b.count))
            switch next() % 6 {
            case 0: b[i] = UInt8(next() & 0xFF)
            case 1: b[i] = interesting[Int(next() % UInt64(interesting.count))]
            case 2: b.remove(at: i)
            case 3: b.insert(interesting[Int(next() % UInt64(interesting.count))], at: i)
            case 4: b.removeSubrange(i..<min(b.count, i + Int(next() % 32)))
            default:
                let j = Int(next() % UInt64(b.count))
                let chunk = b[min(i, j)..<max(i, j)]
                b.insert(contentsOf: chunk.prefix(64), at: Int(next() % UInt64(b.count)))
            }
        }
        return b
    }
}

@Suite struct MutationTests {
    static let exposition = Array("""
    # HELP python_processing_time_seconds Time spent processing request
    # TYPE python_processing_time_seconds histogram
    python_processing_time_seconds_bucket{le="0.005",path="/predict"} 1.0 1700000000000
    python_processing_time_seconds_bucket{le="+Inf",path="/predict"} 3.0
    python_iris_predictions_total{species="setosa",note="a\\"b\\\\c\\n"} 7e3
    {"utf8.name", "x.y"="z"} NaN
    # EOF

    """.utf8)

    @Test(arguments: [ExpositionFormat.text, .openMetrics])
    func expositionParserNeverTraps(format: ExpositionFormat) {
        var m = Mutator(state: 1)
        var errors = 0
        for _ in 0..<20_000 {
            var p = ExpositionParser(bytes: m.mutate(Self.exposition), format: format)
            do {
                while let e = try p.next() {
                    if case .sample = e { _ = try p.labels() }
                }
            } catch {
                errors += 1
                #expect(error.line >= 0)
            }
        }
        #expect(errors > 0) // the mutations do produce invalid bodies
    }

    static let config = Array("""
    global:
      scrape_interval: 15s
      external_labels: {a: b}
    scrape_configs:
      - job_name: x
        basic_auth: {username: u, password: p}
        relabel_configs:
          - source_labels: [__address__]
            regex: '(.*):(\\d+)'
            target_label: port
            replacement: '$2'
          - action: hashmod
            modulus: 4
            source_labels: [job]
            target_label: shard
        static_configs:
          - targets: ['a:1']
            labels: {env: prod}

    """.utf8)

    @Test func configDecoderNeverTraps() {
        var m = Mutator(state: 2)
        for _ in 0..<3_000 {
            let text = String(decoding: m.mutate(Self.config), as: UTF8.self)
            _ = try? PrometheusConfig.parse(text, file: "fuzz.yml")
        }
    }

    @Test func walReaderNeverTrapsOnDamagedSegments() {
        var frames: [UInt8] = []
        WALSegmentReader.frame(.series([RefSeries(ref: 1, labels: Labels(["__name__": "m", "a": "b"]))]), into: &frames)
        WALSegmentReader.frame(.samples([RefSample(ref: 1, t: 1000, v: 1.5), RefSample(ref: 1, t: 2000, v: StaleNaN.value)]), into: &frames)
        var m = Mutator(state: 3)
        var detected = 0
        for _ in 0..<20_000 {
            var reader = WALSegmentReader(bytes: m.mutate(frames))
            while reader.next() != nil {}
            if reader.stop != nil { detected += 1 }
        }
        #expect(detected > 15_000) // nearly every mutation is caught by framing or checksum
    }

    @Test func templatesNeverTrap() {
        let templates = [
            "{{ $labels.instance }} is {{ if gt $value 0.9 }}full{{ else if lt $value 0.1 }}empty{{ else }}ok{{ end }}",
            "{{ range $k, $v := .Labels }}{{ $k | toUpper }}={{ printf \"%-8.3f|%5s|%x\" $v $k 255 }};{{ end }}",
            "{{ define \"t\" }}[{{ . }}]{{ end }}{{ template \"t\" (index .Labels \"a\") }}{{- /* c */ -}}{{ with .Value }}{{ humanize . }}{{ end }}",
            "{{ $x := slice \"abcdef\" 1 3 }}{{ $x = len $x }}{{ $x }} {{ reReplaceAll \"(a+)\" \"${1}b\" \"aaa\" }} {{ humanizeDuration 3601 }}",
        ]
        let data: TemplateValue = .map(["Labels": .stringMap(["a": "x", "instance": "h:1"]), "Value": .float(0.5)])
        var m = Mutator(state: 6)
        for i in 0..<10_000 {
            let text = String(decoding: m.mutate(Array(templates[i % templates.count].utf8)), as: UTF8.self)
            if let t = try? Template(text) { _ = try? t.render(data, functions: PrometheusTemplateFunctions.functions()) }
        }
    }

    @Test func regexParserNeverTraps() {
        let patterns = ["(a|b)*c{2,5}[^x-z]\\d+", "(?i)foo(?:bar)?$", "[[:alpha:]]+\\.(?P<x>y)", "a{1000}", "\\x{41}\\Q.*\\E"]
        var m = Mutator(state: 4)
        for i in 0..<20_000 {
            let p = String(decoding: m.mutate(Array(patterns[i % patterns.count].utf8)), as: UTF8.self)
            if let re = try? AnchoredRegex(p) { _ = re.matches("aabcc") }
        }
    }

    @Test func snapshotReaderRefusesDamage() throws {
        let dir = NSTemporaryDirectory() + "vigil-fuzz-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var chunk = XORChunk()
        for i in 0..<50 { chunk.append(t: Int64(i) * 1000, v: Double(i)) }
        let path = dir + "/snap"
        try HeadSnapshot.write([HeadSnapshot.Entry(ref: 1, labels: Labels(["__name__": "m"]), chunks: [chunk])], to: path, directory: dir)
        let good = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        var m = Mutator(state: 5)
        for _ in 0..<2_000 {
            try Data(m.mutate(good)).write(to: URL(fileURLWithPath: path))
            _ = try? HeadSnapshot.read(path)
        }
    }

    @Test func remoteWriteDecoderNeverTraps() {
        let head = Head.inMemory()
        let receiver = RemoteWriteReceiver(storage: head, maxDecodedBytes: 1 << 20)
        var req = Vigil_Remotewrite_V1_WriteRequest()
        var ts = Vigil_Remotewrite_V1_TimeSeries()
        var l = Vigil_Remotewrite_V1_Label()
        l.name = "__name__"
        l.value = "m"
        ts.labels = [l]
        var s = Vigil_Remotewrite_V1_Sample()
        s.timestamp = 1000
        s.value = 1
        ts.samples = [s]
        req.timeseries = [ts, ts]
        let raw = (try? req.serializedBytes()) ?? []
        var m = Mutator(state: 6)
        for i in 0..<10_000 {
            let payload = m.mutate(raw)
            _ = try? receiver.receive(compressed: i % 2 == 0 ? Snappy.encode(payload) : payload)
        }
    }
}

import Snappy
