import Alertmanager
import Config
import ConfigSupport
import Foundation
import Logging
import MetricModel
import Testing
@testable import Notifier

@Suite struct NotifierTests {
    static func config(_ yaml: String) throws -> AlertingConfig {
        try PrometheusConfig.parse(yaml, file: "p.yml").alerting
    }

    static func alert(_ name: String, _ extra: [String: String] = [:]) -> PostableAlert {
        var labels = extra
        labels["alertname"] = name
        return PostableAlert(labels: Labels(labels), annotations: Labels(["summary": "s"]), startsAt: 1_700_000_000_000, endsAt: nil, generatorURL: "http://v/graph")
    }

    @Test func readsTheAlertingSection() throws {
        let c = try Self.config("""
        alerting:
          alert_relabel_configs:
            - source_labels: [severity]
              regex: debug
              action: drop
          alertmanagers:
            - scheme: https
              path_prefix: /am
              timeout: 5s
              basic_auth:
                username: u
                password: p
              static_configs:
                - targets: ['am-1:9093', 'am-2:9093']
        """)
        #expect(c.alertRelabelConfigs.count == 1)
        let am = try #require(c.alertmanagers.first)
        #expect(am.targets == ["am-1:9093", "am-2:9093"])
        #expect(am.timeout.milliseconds == 5000)
        #expect(am.alertsURL(for: "am-1:9093") == "https://am-1:9093/am/api/v2/alerts")
        #expect(am.httpClient.basicAuth?.username == "u")
        #expect(throws: ConfigError.self) { try Self.config("alerting:\n  alertmanagers:\n    - api_version: v1\n") }
    }

    @Test func addsExternalLabelsAppliesRelabelingAndDropsTheOldestWhenFull() throws {
        let n = Notifier(queueCapacity: 3, logger: Logger(label: "test"))
        let c = try Self.config("""
        alerting:
          alert_relabel_configs:
            - source_labels: [severity]
              regex: debug
              action: drop
          alertmanagers:
            - static_configs:
                - targets: ['127.0.0.1:1']
        """)
        n.apply(c, externalLabels: Labels(["cluster": "eu", "severity": "page"]))
        n.send([Self.alert("A"), Self.alert("Quiet", ["severity": "debug"])])
        #expect(n.queueLength == 1, "the debug alert is relabelled away")
        n.send([Self.alert("B"), Self.alert("C"), Self.alert("D")])
        #expect(n.queueLength == 3)
        #expect(n.counters.dropped == 1)
    }

    @Test func sendsNothingWithoutAlertmanagers() {
        let n = Notifier(logger: Logger(label: "test"))
        n.send([Self.alert("A")])
        #expect(n.queueLength == 0)
    }

    @Test func writesAPIv2JSON() throws {
        var a = Self.alert("A", ["instance": "x\"y"])
        a.endsAt = 1_700_000_060_500
        let json = try #require(try JSONSerialization.jsonObject(with: PostableAlert.json([a])) as? [[String: Any]])
        #expect((json[0]["labels"] as? [String: String]) == ["alertname": "A", "instance": "x\"y"])
        #expect(json[0]["startsAt"] as? String == "2023-11-14T22:13:20.000Z")
        #expect(json[0]["endsAt"] as? String == "2023-11-14T22:14:20.500Z")
        #expect(json[0]["generatorURL"] as? String == "http://v/graph")
    }
}
