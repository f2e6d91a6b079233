import Config
@testable import Discovery
import MetricModel
import Testing

/// The target groups HTTP and DNS discovery make, with their `__meta_*` labels.
@Suite struct HTTPAndDNSGroupsTests {
    @Test func httpSDGroupsFollowTheContract() throws {
        let body = Array(#"[{"targets": ["10.0.0.1:8000", "10.0.0.2:8000"], "labels": {"team": "ml", "__meta_model": "churn"}}, {"targets": []}]"#.utf8)
        let groups = try HTTPSDProvider.parse(body, url: "http://sd.local/targets")
        #expect(groups.count == 2)
        #expect(groups[0].targets == ["10.0.0.1:8000", "10.0.0.2:8000"])
        #expect(groups[0].labels["team"] == "ml")
        #expect(groups[0].labels["__meta_url"] == "http://sd.local/targets")
        #expect(groups[0].source != groups[1].source)
        #expect(try HTTPSDProvider.parse(Array("[]".utf8), url: "u").isEmpty)
    }

    @Test(arguments: [
        "{}", "not json", #"[{"targets": "a:1"}]"#, #"[{"targets": [1]}]"#, #"[{"labels": {"a": 1}}]"#,
        #"[{"targets": [], "extra": 1}]"#, #"[{"labels": {"": "x"}}]"#, "[1]",
    ])
    func httpSDBodiesThatBreakTheContractAreRefused(body: String) {
        #expect(throws: HTTPSDProvider.ContractError.self) { try HTTPSDProvider.parse(Array(body.utf8), url: "u") }
    }

    @Test func srvRecordsBecomeTargetsWithTheirOwnLabels() {
        let config = DNSSDConfig(names: ["_metrics._tcp.ml.svc"])
        let group = DNSSDProvider.group(name: "_metrics._tcp.ml.svc", records: [
            .srv(priority: 0, weight: 0, port: 8000, target: "model-a.ml.svc"),
            .srv(priority: 0, weight: 0, port: 8001, target: "model-b.ml.svc"),
        ], config: config)
        #expect(group.targets == ["model-a.ml.svc:8000", "model-b.ml.svc:8001"])
        #expect(group.targetLabels[1][DNSSDProvider.MetaLabel.srvTarget] == "model-b.ml.svc")
        #expect(group.targetLabels[1][DNSSDProvider.MetaLabel.srvPort] == "8001")
        #expect(group.targetLabels[0][DNSSDProvider.MetaLabel.name] == "_metrics._tcp.ml.svc")
    }

    @Test func addressRecordsUseTheConfiguredPort() {
        let config = DNSSDConfig(names: ["api.ml"], type: .aaaa, port: 9100)
        let group = DNSSDProvider.group(name: "api.ml", records: [.aaaa(Array(repeating: 0, count: 15) + [1]), .cname("x")], config: config)
        #expect(group.targets == ["[::1]:9100"])
        let mx = DNSSDProvider.group(name: "ml", records: [.mx(preference: 1, exchange: "mail.ml")], config: DNSSDConfig(names: ["ml"], type: .mx, port: 25))
        #expect(mx.targets == ["mail.ml:25"])
        #expect(mx.targetLabels[0][DNSSDProvider.MetaLabel.mxTarget] == "mail.ml")
    }
}
