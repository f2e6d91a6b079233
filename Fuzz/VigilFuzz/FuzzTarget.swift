import Foundation

/// One libFuzzer entry point serves every target; `VIGIL_FUZZ_TARGET` names the one a run
/// exercises (`scripts/fuzz.sh` sets it). Each target feeds the bytes to one parser or
/// decoder of outside input and must return, whatever the bytes: a trap, a hang or a memory
/// blow-up is a finding.
enum FuzzTarget: String, CaseIterable {
    case expositionText = "exposition-text"
    case expositionOpenMetrics = "exposition-openmetrics"
    case promqlParse = "promql-parse"
    case promqlEval = "promql-eval"
    case apiParameters = "api-parameters"
    case grafanaJSON = "grafana-json"
    case alertsJSON = "alerts-json"
    case remoteWrite = "remote-write"
    case remoteWriteV2 = "remote-write-v2"
    case otlpProtobuf = "otlp-protobuf"
    case otlpJSON = "otlp-json"
    case prometheusConfig = "prometheus-config"
    case ruleFile = "rule-file"
    case alertmanagerConfig = "alertmanager-config"
    case webConfig = "web-config"
    case goTemplate = "go-template"
    case walSegment = "wal-segment"
    case snapshot = "snapshot"
    case dnsReply = "dns-reply"
    case httpSD = "http-sd"
    case kubernetesEvent = "kubernetes-event"
    case kubeconfig = "kubeconfig"
    case blockIndex = "block-index"
    case blockChunks = "block-chunks"
    case blockTombstones = "block-tombstones"
    case blockMeta = "block-meta"
    case xorChunk = "xor-chunk"
    case histogramChunk = "histogram-chunk"
    case prometheusWAL = "prometheus-wal"
    case headChunks = "head-chunks"
    case pushText = "push-text"
    case pushProtobuf = "push-protobuf"

    /// The target this process runs, from the environment; the process stops at once without one.
    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["VIGIL_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")
            FileHandle.standardError.write(Data("set VIGIL_FUZZ_TARGET to one of: \(names)\n".utf8))
            exit(2)
        }
        return target
    }()
}

/// libFuzzer calls this with every input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTarget.selected.run(bytes)
    return 0
}

/// libFuzzer's driver (its `main` without being `main`).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point under this name; it hands over to libFuzzer.
@_cdecl("VigilFuzz_main")
public func vigilFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}
