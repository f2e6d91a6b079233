import Testing
@testable import MetricModel

@Suite struct RelabelingTests {
    static let input = Labels(["__address__": "10.0.0.1:8000", "job": "model-api", "__meta_env": "prod", "team": "ML"])

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var config: RelabelConfig
        var expected: [String: String]?
        var testDescription: String { name }
    }

    static func re(_ p: String) -> AnchoredRegex {
        do { return try AnchoredRegex(p) } catch { preconditionFailure("\(error)") }
    }

    static let base: [String: String] = ["__address__": "10.0.0.1:8000", "job": "model-api", "__meta_env": "prod", "team": "ML"]
    static func with(_ changes: [String: String?]) -> [String: String] {
        var d = base
        for (k, v) in changes { d[k] = v }
        return d
    }

    static let cases: [Case] = [
        Case(name: "replace with capture", config: RelabelConfig(sourceLabels: ["__address__"], regex: re("(.*):\\d+"), targetLabel: "host", replacement: "$1"),
             expected: with(["host": "10.0.0.1"])),
        Case(name: "replace no match leaves labels", config: RelabelConfig(sourceLabels: ["job"], regex: re("x.*"), targetLabel: "host"),
             expected: base),
        Case(name: "replace to empty deletes", config: RelabelConfig(sourceLabels: ["nothing"], targetLabel: "team"),
             expected: with(["team": nil])),
        Case(name: "replace joins with separator", config: RelabelConfig(sourceLabels: ["job", "team"], separator: "/", targetLabel: "combo"),
             expected: with(["combo": "model-api/ML"])),
        Case(name: "replace target from capture", config: RelabelConfig(sourceLabels: ["__meta_env"], regex: re("(.*)"), targetLabel: "env_$1", replacement: "yes"),
             expected: with(["env_prod": "yes"])),
        Case(name: "keep matching", config: RelabelConfig(sourceLabels: ["job"], regex: re("model-.*"), action: .keep), expected: base),
        Case(name: "keep not matching drops", config: RelabelConfig(sourceLabels: ["job"], regex: re("node"), action: .keep), expected: nil),
        Case(name: "drop matching", config: RelabelConfig(sourceLabels: ["__meta_env"], regex: re("prod"), action: .drop), expected: nil),
        Case(name: "drop is anchored", config: RelabelConfig(sourceLabels: ["__meta_env"], regex: re("pro"), action: .drop), expected: base),
        Case(name: "keepequal equal", config: RelabelConfig(sourceLabels: ["__meta_env"], targetLabel: "__meta_env", action: .keepequal), expected: base),
        Case(name: "keepequal differs drops", config: RelabelConfig(sourceLabels: ["job"], targetLabel: "team", action: .keepequal), expected: nil),
        Case(name: "dropequal equal drops", config: RelabelConfig(sourceLabels: ["job"], targetLabel: "job", action: .dropequal), expected: nil),
        Case(name: "dropequal differs keeps", config: RelabelConfig(sourceLabels: ["job"], targetLabel: "team", action: .dropequal), expected: base),
        Case(name: "lowercase", config: RelabelConfig(sourceLabels: ["team"], targetLabel: "team_lower", action: .lowercase),
             expected: with(["team_lower": "ml"])),
        Case(name: "uppercase", config: RelabelConfig(sourceLabels: ["job"], targetLabel: "JOB", action: .uppercase),
             expected: with(["JOB": "MODEL-API"])),
        Case(name: "labelmap", config: RelabelConfig(regex: re("__meta_(.+)"), replacement: "$1", action: .labelmap),
             expected: with(["env": "prod"])),
        Case(name: "labeldrop", config: RelabelConfig(regex: re("__meta_.*|team"), action: .labeldrop),
             expected: with(["__meta_env": nil, "team": nil])),
        Case(name: "labelkeep", config: RelabelConfig(regex: re("job|__address__"), action: .labelkeep),
             expected: ["__address__": "10.0.0.1:8000", "job": "model-api"]),
        // UTF-8 label names, as Prometheus 3 relabels them.
        Case(name: "replace into a UTF-8 name", config: RelabelConfig(sourceLabels: ["__meta_env"], targetLabel: "deployment.env"),
             expected: with(["deployment.env": "prod"])),
        Case(name: "labelmap onto UTF-8 names", config: RelabelConfig(regex: re("__meta_(.+)"), replacement: "k8s.$1", action: .labelmap),
             expected: with(["k8s.env": "prod"])),
    ]

    @Test(arguments: cases)
    func appliesAction(_ c: Case) {
        let result = Relabeling.process(Self.input, [c.config])
        #expect(result == c.expected.map { Labels($0) })
    }

    @Test func hashmodMatchesPrometheusShards() {
        // md5("10.0.0.1:8000") low 64 bits, big-endian; fixed so a change in hashing is caught.
        let shard = Relabeling.hashmod("10.0.0.1:8000", modulus: 1 << 32)
        let config = RelabelConfig(sourceLabels: ["__address__"], modulus: 1 << 32, targetLabel: "shard", action: .hashmod)
        #expect(Relabeling.process(Self.input, [config])?["shard"] == String(shard))
        // md5("") = d41d8cd98f00b204e9800998ecf8427e → low 64 bits 0xe9800998ecf8427e.
        #expect(Relabeling.hashmod("", modulus: 1_000_003) == UInt64(0xE980_0998_ECF8_427E) % 1_000_003)
    }

    @Test(arguments: [
        RelabelConfig(action: .replace),
        RelabelConfig(modulus: 0, targetLabel: "x", action: .hashmod),
        RelabelConfig(sourceLabels: ["a"], action: .labeldrop),
        RelabelConfig(targetLabel: "$1", action: .lowercase),
    ])
    func rejectsInvalidCombinations(_ config: RelabelConfig) {
        #expect(config.validationError() != nil)
    }

    @Test func legacyJobsRefuseStepsThatWriteUTF8LabelNames() {
        let replace = RelabelConfig(sourceLabels: ["job"], targetLabel: "status.code")
        #expect(replace.validationError() == nil)
        #expect(replace.validationError(nameValidation: .legacy) == "'status.code' is invalid 'target_label' for replace action")
        let labelmap = RelabelConfig(regex: Self.re("k8s_(.+)"), replacement: "kube.pod", action: .labelmap)
        #expect(labelmap.validationError(nameValidation: .legacy) == "'kube.pod' is invalid 'replacement' for labelmap action")
        #expect(RelabelConfig(sourceLabels: ["job"], modulus: 4, targetLabel: "shard.id", action: .hashmod).validationError(nameValidation: .legacy) != nil)
        // A target built from the regex is only known when it runs.
        #expect(RelabelConfig(sourceLabels: ["job"], regex: Self.re("(.*)"), targetLabel: "x_$1").validationError(nameValidation: .legacy) == nil)
    }
}
