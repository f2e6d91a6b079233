import Foundation
import Testing

/// PagerDuty notifications against a stand-in for PagerDuty's Events API (PagerDuty cannot be
/// reached from here) that holds every event to the contract PagerDuty publishes
/// (`Support/pagerduty_standin.py`): Events API v2 and v1, Alertmanager's defaults, a templated
/// configuration, resolve events deduplicated by the group key's hash, and throttling retried.
@Suite(.serialized) struct PagerDutyIntegrationTests {
    static let routingKey = "R0UT1NGKEY0123456789abcdefABCDEF"
    static let serviceKey = "SERV1CEKEY0123456789abcdefABCDEF"

    /// Alertmanager's deduplication key of a group: the SHA-256 of its key, in hex.
    static func hash(_ groupKey: String) throws -> String {
        let r = try runTool("/usr/bin/env", ["python3", "-c", "import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest())", groupKey])
        return r.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func eventsFollowAlertmanagersDefaultsAndResolveTheSameIncident() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pd = try await ChatServiceStandIn(script: "pagerduty_standin.py", dir: dir)
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            global: {pagerduty_url: '\(pd.url("/v2/enqueue"))'}
            route: {receiver: oncall, group_by: [alertname], group_wait: 300ms, group_interval: 1s, repeat_interval: 1h}
            receivers:
              - name: oncall
                pagerduty_configs:
                  - routing_key: \(Self.routingKey)
                  - service_key: \(Self.serviceKey)
                    url: '\(pd.url("/generic/2010-04-15/create_event.json"))'
                    send_resolved: false
                  - routing_key: \(Self.routingKey)
                    severity: '{{ if eq .CommonLabels.severity "page" }}critical{{ else }}warning{{ end }}'
                    description: '{{ .CommonLabels.model }} model: {{ .CommonAnnotations.summary }}'
                    component: model-api
                    group: ml
                    class: drift
                    details: {model: '{{ .CommonLabels.model }}', firing: 'see the dashboard'}
                    links: [{href: 'http://grafana.test/d/iris', text: Dashboard}, {href: '', text: dropped}]
                    images: [{src: 'http://grafana.test/render/iris.png', alt: Drift, href: 'http://grafana.test/d/iris'}]
            """, dir: dir)
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"PredictionDrift","model":"iris","instance":"api:8000","severity":"page"},"annotations":{"summary":"prediction mix drifted"}}]"#)
        #expect(try await eventually(timeout: .seconds(10)) { pd.requests.count == 3 }, "\(vigil.process.log.suffix(2000))")
        for r in pd.requests { #expect(r.problems.isEmpty, "\(r.path): \(r.problems)") }
        let dedup = try Self.hash(#"{}:{alertname="PredictionDrift"}"#)

        let v2 = pd.requests.filter { $0.path == "/v2/enqueue" }.map(\.payload)
        let byDefault = try #require(v2.first { ($0["payload"] as? [String: Any])?["component"] == nil })
        #expect(byDefault["event_action"] as? String == "trigger")
        #expect(byDefault["dedup_key"] as? String == dedup)
        #expect(byDefault["client"] as? String == "Vigil")
        #expect(byDefault["client_url"] as? String == "http://vigil.test:9090/#/alerts?receiver=oncall")
        let payload = byDefault["payload"] as? [String: Any] ?? [:]
        #expect(payload["summary"] as? String == "[FIRING:1] PredictionDrift (api:8000 iris page)")
        #expect(payload["source"] as? String == "Vigil")
        #expect(payload["severity"] as? String == "error")
        let details = payload["custom_details"] as? [String: String] ?? [:]
        #expect(details["num_firing"] == "1" && details["num_resolved"] == "0")
        #expect(details["firing"]?.contains("prediction mix drifted") == true, "\(details)")

        let custom = try #require(v2.first { ($0["payload"] as? [String: Any])?["component"] != nil })
        let customPayload = custom["payload"] as? [String: Any] ?? [:]
        #expect(customPayload["severity"] as? String == "critical")
        #expect(customPayload["summary"] as? String == "iris model: prediction mix drifted")
        #expect(customPayload["group"] as? String == "ml" && customPayload["class"] as? String == "drift")
        let customDetails = customPayload["custom_details"] as? [String: String] ?? [:]
        #expect(customDetails["model"] == "iris" && customDetails["firing"] == "see the dashboard" && customDetails["num_firing"] == "1")
        #expect((custom["links"] as? [[String: String]]) == [["href": "http://grafana.test/d/iris", "text": "Dashboard"]])
        #expect((custom["images"] as? [[String: String]])?.first?["src"] == "http://grafana.test/render/iris.png")

        let v1 = try #require(pd.requests.first { $0.path.hasPrefix("/generic/") }).payload
        #expect(v1["service_key"] as? String == Self.serviceKey)
        #expect(v1["event_type"] as? String == "trigger" && v1["incident_key"] as? String == dedup)

        // Resolved: a resolve event for the same incident from both v2 entries; v1 turned it off.
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"PredictionDrift","model":"iris","instance":"api:8000","severity":"page"},"endsAt":"2020-01-01T00:00:00Z"}]"#)
        #expect(try await eventually(timeout: .seconds(10)) { pd.requests.count == 5 }, "\(vigil.process.log.suffix(2000))")
        try await Task.sleep(for: .seconds(2))
        #expect(pd.requests.count == 5)
        for r in pd.requests.dropFirst(3) {
            #expect(r.problems.isEmpty, "\(r.problems)")
            #expect(r.path == "/v2/enqueue" && r.payload["event_action"] as? String == "resolve" && r.payload["dedup_key"] as? String == dedup)
        }
        let status = try await HTTP.request(vigil.base + "/api/v2/status").body
        #expect(!status.contains(Self.routingKey) && !status.contains(Self.serviceKey), "keys are credentials: \(status.prefix(2000))")
    }

    @Test func throttledEventsAreRetried() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pd = try await ChatServiceStandIn(script: "pagerduty_standin.py", dir: dir, failFirst: 2)
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            route: {receiver: oncall, group_wait: 200ms, group_interval: 30s}
            receivers:
              - name: oncall
                pagerduty_configs: [{routing_key: \(Self.routingKey), url: '\(pd.url("/v2/enqueue"))', description: '{{ .CommonAnnotations.summary }}'}]
            """, dir: dir)
        let long = String(repeating: "drift ", count: 400)
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"Flaky"},"annotations":{"summary":"\#(long)"}}]"#)
        #expect(try await eventually(timeout: .seconds(20)) { pd.requests.count == 1 }, "\(vigil.process.log.suffix(2000))")
        let request = try #require(pd.requests.first)
        #expect(request.problems.isEmpty, "\(request.problems)")
        #expect(((request.payload["payload"] as? [String: Any])?["summary"] as? String)?.count == 1024)
        let metrics = try await HTTP.request(vigil.base + "/metrics").body
        #expect(metrics.contains("vigil_alertmanager_notification_requests_failed_total{integration=\"pagerduty\"} 2"), "\(metrics)")
    }
}
