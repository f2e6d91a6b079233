import Foundation
import MetricModel
import PromQL
import Testing
import TSDB
@testable import Rules

/// Rule groups evaluated at explicit times against an in-memory head: the clock is the caller's.
@Suite struct RuleGroupEvaluationTests {
    static func group(_ yaml: String) throws -> RuleGroupState {
        let file = try RuleFile.parse(yaml, file: "test.yml")
        return RuleGroupState(group: file.groups[0], file: "test.yml", defaultInterval: 60_000)
    }

    static func set(_ head: Head, _ name: String, _ labels: [String: String], _ v: Double, at t: Int64) {
        var app = head.appender()
        var all = labels
        all["__name__"] = name
        _ = app.append(ref: nil, labels: Labels(all), t: t, v: v)
        _ = try? app.commit()
    }

    static func query(_ head: Head, _ q: String, at t: Int64) throws -> [VectorElement] {
        guard case .vector(let v) = try Engine().instantQuery(q, at: t, querier: head) else { return [] }
        return v.sorted { $0.labels < $1.labels }
    }

    @Test func recordingRulesFeedLaterRulesInTheSameEvaluation() throws {
        let head = Head.inMemory()
        var g = try Self.group("""
        groups:
          - name: g
            labels:
              team: ml
            rules:
              - record: job:requests:sum
                expr: sum by (job) (requests_total)
                labels:
                  source: rule
              - record: job:requests:doubled
                expr: job:requests:sum * 2
        """)
        Self.set(head, "requests_total", ["job": "api", "instance": "a"], 3, at: 0)
        Self.set(head, "requests_total", ["job": "api", "instance": "b"], 4, at: 0)
        g.evaluate(at: 1000, engine: Engine(), querier: head, storage: head)
        let sum = try Self.query(head, "job:requests:sum", at: 1000)
        #expect(sum.map(\.labels) == [Labels(["__name__": "job:requests:sum", "job": "api", "source": "rule", "team": "ml"])])
        #expect(sum.map(\.v) == [7])
        #expect(try Self.query(head, "job:requests:doubled", at: 1000).map(\.v) == [14])
        #expect(g.health.map(\.status) == [.ok, .ok])
        #expect(g.lastEvaluation == 1000)
    }

    @Test func recordingRulesStoreTheNativeHistogramsTheirExpressionsYield() throws {
        let head = Head.inMemory()
        var g = try Self.group("""
        groups:
          - name: g
            rules:
              - record: job:latency_seconds:rate1m
                expr: sum by (job) (rate(latency_seconds[1m]))
              - record: job:latency_seconds:p90
                expr: histogram_quantile(0.9, job:latency_seconds:rate1m)
        """)
        var app = head.appender()
        for (k, instance) in ["a", "b"].enumerated() {
            for step in 0...6 {
                // Observations of 1.5 s and 3 s pile up, k + 1 of each per 10 s.
                let n = Double((k + 1) * step)
                let h = FloatHistogram(schema: 0, count: 2 * n, sum: 4.5 * n,
                                       positiveSpans: [HistogramSpan(offset: 1, length: 2)], positiveBuckets: [n, n])
                _ = app.append(ref: nil, labels: Labels(["__name__": "latency_seconds", "job": "api", "instance": instance]),
                               t: Int64(step) * 10_000, histogram: .float(h))
            }
        }
        _ = try app.commit()
        g.evaluate(at: 60_000, engine: Engine(), querier: head, storage: head)
        #expect(g.health.map(\.status) == [.ok, .ok], "\(g.health.map(\.lastError))")
        let recorded = try Self.query(head, "job:latency_seconds:rate1m", at: 60_000)
        let h = try #require(recorded.first?.histogram, "\(recorded)")
        // Six observations per 10 s across both instances, half in (1, 2] and half in (2, 4].
        #expect(abs(h.count - 0.6) < 1e-9 && abs(h.sum - 1.35) < 1e-9, "\(h)")
        let p90 = try Self.query(head, "job:latency_seconds:p90", at: 60_000)
        // The 0.9 quantile lies 80 % into (2, 4] on a logarithmic scale: 2 · 2^0.8.
        #expect(p90.count == 1 && abs(p90[0].v - 2 * Foundation.exp2(0.8)) < 1e-9, "\(p90)")
    }

    @Test func recordedSeriesThatDisappearGetStalenessMarkers() throws {
        let head = Head.inMemory()
        var g = try Self.group("groups:\n  - name: g\n    rules:\n      - record: up:copy\n        expr: up == 1\n")
        Self.set(head, "up", ["job": "a"], 1, at: 0)
        g.evaluate(at: 1000, engine: Engine(), querier: head, storage: head)
        #expect(try Self.query(head, "up:copy", at: 2000).count == 1)
        Self.set(head, "up", ["job": "a"], 0, at: 5000)
        g.evaluate(at: 6000, engine: Engine(), querier: head, storage: head)
        // Without the marker the old sample would stay visible for the 5 m lookback.
        #expect(try Self.query(head, "up:copy", at: 7000).isEmpty)
    }

    @Test func alertsGoFromPendingToFiringToResolved() throws {
        let head = Head.inMemory()
        var g = try Self.group("""
        groups:
          - name: g
            rules:
              - alert: HighLatency
                expr: latency_seconds > 1
                for: 2m
                labels:
                  severity: page
                annotations:
                  summary: slow
        """)
        let minute: Int64 = 60_000
        Self.set(head, "latency_seconds", ["instance": "a"], 0.5, at: 0)
        g.evaluate(at: minute, engine: Engine(), querier: head, storage: head)
        #expect(g.alerting[0]?.active.isEmpty == true)

        Self.set(head, "latency_seconds", ["instance": "a"], 3, at: 2 * minute)
        g.evaluate(at: 2 * minute, engine: Engine(), querier: head, storage: head)
        let pending = try #require(g.alerting[0]?.active.first)
        #expect(pending.state == .pending)
        #expect(pending.activeAt == 2 * minute)
        #expect(pending.labels == Labels(["alertname": "HighLatency", "instance": "a", "severity": "page"]))
        #expect(pending.annotations == ["summary": "slow"])
        let alerts = try Self.query(head, "ALERTS", at: 2 * minute)
        #expect(alerts.map { $0.labels["alertstate"] } == ["pending"])
        #expect(try Self.query(head, "ALERTS_FOR_STATE", at: 2 * minute).map(\.v) == [120])

        for step: Int64 in 3...4 {
            Self.set(head, "latency_seconds", ["instance": "a"], 3, at: step * minute)
            g.evaluate(at: step * minute, engine: Engine(), querier: head, storage: head)
        }
        #expect(g.alerting[0]?.active.first?.state == .firing)
        #expect(g.alerting[0]?.active.first?.firedAt == 4 * minute)
        #expect(try Self.query(head, "ALERTS", at: 4 * minute).map { $0.labels["alertstate"] } == ["firing"])

        Self.set(head, "latency_seconds", ["instance": "a"], 0.2, at: 5 * minute)
        g.evaluate(at: 5 * minute, engine: Engine(), querier: head, storage: head)
        let resolved = try #require(g.alerting[0]?.alerts.values.first)
        #expect(resolved.state == .inactive)
        #expect(resolved.resolvedAt == 5 * minute)
        #expect(try Self.query(head, "ALERTS", at: 5 * minute).isEmpty, "the firing series ends with a staleness marker")

        // Resolved alerts are kept for 15 minutes, then forgotten.
        g.evaluate(at: 20 * minute, engine: Engine(), querier: head, storage: head)
        #expect(g.alerting[0]?.alerts.count == 1)
        g.evaluate(at: 21 * minute, engine: Engine(), querier: head, storage: head)
        #expect(g.alerting[0]?.alerts.count == 0)
    }

    @Test func pendingAlertsThatClearAreForgottenAndKeepFiringForHoldsFiringOnes() throws {
        var state = AlertingRuleState(name: "A", holdDuration: 60_000, keepFiringFor: 120_000)
        let a = Labels(["alertname": "A", "x": "1"])
        state.evaluate([(a, 5, [:])], at: 0)
        state.evaluate([], at: 30_000)
        #expect(state.alerts.count == 0, "a pending alert that clears never fired and is dropped")

        state.evaluate([(a, 5, [:])], at: 100_000)
        state.evaluate([(a, 6, [:])], at: 160_000)
        #expect(state.active.first?.state == .firing)
        state.evaluate([], at: 220_000)
        #expect(state.active.first?.state == .firing, "keep_firing_for holds it")
        #expect(state.active.first?.keepFiringSince == 220_000)
        state.evaluate([], at: 340_000)
        #expect(state.active.isEmpty, "resolved once keep_firing_for has passed")
        state.evaluate([(a, 7, [:])], at: 400_000)
        #expect(state.active.first?.state == .pending, "a resolved alert that returns starts over")
        #expect(state.active.first?.activeAt == 400_000)
    }

    @Test func expandsLabelAndAnnotationTemplatesPerAlert() throws {
        let head = Head.inMemory()
        var g = try Self.group("""
        groups:
          - name: g
            rules:
              - alert: DiskFull
                expr: disk_used_ratio > 0.9
                labels:
                  severity: "{{ if gt $value 0.95 }}critical{{ else }}warning{{ end }}"
                annotations:
                  summary: "{{ $labels.instance }} disk at {{ $value | humanizePercentage }} ({{ $externalLabels.cluster }})"
                  total: '{{ with query "count(disk_used_ratio)" }}{{ . | first | value }}{{ end }} disks'
                  broken: "{{ $value | nosuchfunction }}"
        """)
        g.templates = RuleTemplates(externalLabels: ["cluster": "eu-1"], externalURL: "http://vigil:9090/")
        Self.set(head, "disk_used_ratio", ["instance": "a"], 0.97, at: 0)
        Self.set(head, "disk_used_ratio", ["instance": "b"], 0.92, at: 0)
        g.evaluate(at: 1000, engine: Engine(), querier: head, storage: head)
        let alerts = try #require(g.alerting[0]?.active).sorted { $0.labels < $1.labels }
        #expect(alerts.map { $0.labels["severity"] } == ["critical", "warning"])
        #expect(alerts[0].annotations["summary"] == "a disk at 97% (eu-1)")
        #expect(alerts[1].annotations["total"] == "2 disks")
        #expect(alerts[0].annotations["broken"]?.hasPrefix("<error expanding template: template: __alert_DiskFull:1:") == true)
        #expect(alerts[0].annotations["broken"]?.contains("nosuchfunction") == true)
        #expect(g.health[0].status == .ok)
    }

    @Test func resolvedAlertsCarryTheValueAtResolution() throws {
        let head = Head.inMemory()
        var g = try Self.group("""
        groups:
          - name: g
            rules:
              - alert: Hot
                expr: (temperature_celsius > 80)
                annotations:
                  summary: "{{ $labels.room }} is at {{ $value }}°C"
        """)
        Self.set(head, "temperature_celsius", ["room": "lab"], 95, at: 0)
        g.evaluate(at: 1000, engine: Engine(), querier: head, storage: head)
        #expect(g.alerting[0]?.active.first?.annotations["summary"] == "lab is at 95°C")
        Self.set(head, "temperature_celsius", ["room": "lab"], 21.5, at: 2000)
        g.evaluate(at: 3000, engine: Engine(), querier: head, storage: head)
        let resolved = try #require(g.alerting[0]?.alerts.values.first)
        #expect(resolved.state == .inactive)
        #expect(resolved.value == 21.5, "not the last firing value (95)")
        #expect(resolved.annotations["summary"] == "lab is at 21.5°C")
        let sent = g.alertsToSend(at: 3000, resendDelay: 60_000)
        #expect(sent.first?.alert.annotations["summary"] == "lab is at 21.5°C")
    }

    @Test func zeroForFiresAtOnce() {
        var state = AlertingRuleState(name: "A", holdDuration: 0, keepFiringFor: 0)
        state.evaluate([(Labels(["alertname": "A"]), 1, [:])], at: 5000)
        #expect(state.active.first?.state == .firing)
    }

    @Test func ruleErrorsAndLimitsShowInHealthWithoutStoppingTheGroup() throws {
        let head = Head.inMemory()
        var g = try Self.group("""
        groups:
          - name: g
            limit: 1
            rules:
              - record: collide
                expr: m
                labels:
                  instance: same
              - record: many
                expr: m
              - record: fine
                expr: vector(1)
        """)
        Self.set(head, "m", ["instance": "a"], 1, at: 0)
        Self.set(head, "m", ["instance": "b"], 2, at: 0)
        g.evaluate(at: 1000, engine: Engine(), querier: head, storage: head)
        #expect(g.health[0].status == .err)
        #expect(g.health[0].lastError.contains("same labelset"))
        #expect(g.health[1].status == .err)
        #expect(g.health[1].lastError.contains("exceeded limit of 1"))
        #expect(g.health[2].status == .ok)
        #expect(try Self.query(head, "fine", at: 1000).map(\.v) == [1])
        #expect(try Self.query(head, "many", at: 1000).isEmpty)
    }
}
