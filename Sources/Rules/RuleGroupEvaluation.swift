import Foundation
import MetricModel
import PromQL
import TSDB

/// How one rule fared at its last evaluation, for `/api/v1/rules`.
public struct RuleHealth: Sendable, Equatable {
    public enum Status: String, Sendable { case unknown, ok, err }
    public var status: Status = .unknown
    public var lastError: String = ""
    /// Milliseconds of the last evaluation's timestamp, nil before the first.
    public var lastEvaluation: Int64?
    public var evaluationSeconds: Double = 0
}

/// A loaded group with the state its rules carry between evaluations: alerts, health, and the
/// series each rule wrote last time (so series that disappear get staleness markers).
public struct RuleGroupState: Sendable {
    public let group: RuleGroup
    public let file: String
    /// The group's interval in milliseconds (its own, or the global evaluation interval).
    public let interval: Int64
    public let queryOffset: Int64
    public private(set) var health: [RuleHealth]
    public private(set) var alerting: [AlertingRuleState?]
    public private(set) var lastEvaluation: Int64?
    public private(set) var evaluationSeconds: Double = 0
    /// External labels and URL for alert templates.
    public var templates = RuleTemplates()
    /// How alerts resume from `ALERTS_FOR_STATE` at the first evaluation after a start.
    public var restoration = ForStateRestoration()
    private var written: [Set<Labels>]

    public init(group: RuleGroup, file: String, defaultInterval: Int64, defaultQueryOffset: Int64 = 0) {
        self.group = group
        self.file = file
        self.interval = group.interval?.milliseconds ?? defaultInterval
        self.queryOffset = group.queryOffset?.milliseconds ?? defaultQueryOffset
        self.health = Array(repeating: RuleHealth(), count: group.rules.count)
        self.alerting = group.rules.map { rule in
            guard case .alerting(let name) = rule.kind else { return nil }
            return AlertingRuleState(name: name, holdDuration: rule.holdDuration.milliseconds, keepFiringFor: rule.keepFiringFor.milliseconds)
        }
        self.written = Array(repeating: [], count: group.rules.count)
    }

    /// Carries state over from the same group before a reload: alerts, health and the series
    /// written, rule by rule where a rule of the same kind, name and labels existed (as Prometheus
    /// matches them, so an edited expression keeps its alerts and can resolve them).
    public mutating func inherit(from old: RuleGroupState) {
        var used = Set<Int>()
        for i in group.rules.indices {
            let rule = group.rules[i]
            guard let j = old.group.rules.indices.first(where: { j in
                !used.contains(j) && old.group.rules[j].kind == rule.kind
                    && old.group.rules[j].labels.map { "\($0.name)=\($0.value)" } == rule.labels.map { "\($0.name)=\($0.value)" }
            }) else { continue }
            used.insert(j)
            if let previous = old.alerting[j] {
                alerting[i] = AlertingRuleState(previous, holdDuration: rule.holdDuration.milliseconds, keepFiringFor: rule.keepFiringFor.milliseconds)
            }
            health[i] = old.health[j]
            written[i] = old.written[j]
        }
        lastEvaluation = old.lastEvaluation
        evaluationSeconds = old.evaluationSeconds
    }

    /// Evaluates every rule in order at `t` and writes the results through one appender per
    /// rule, so a recording rule feeds the rules after it in the same evaluation.
    public mutating func evaluate(at t: Int64, engine: Engine, querier: any Querier, storage: any Appendable) {
        let started = ContinuousClock.now
        let queryTime = t - queryOffset
        for (i, rule) in group.rules.enumerated() {
            let ruleStarted = ContinuousClock.now
            var output: [RuleOutput] = []
            do throws(QueryError) {
                let value = try engine.instant(rule.expr, at: queryTime, querier: querier)
                let vector: [VectorElement]
                switch value {
                case .vector(let v): vector = v
                case .scalar(_, let v): vector = [VectorElement(labels: .empty, t: queryTime, v: v)]
                default: throw QueryError(.execution, "rule result is not a vector or scalar")
                }
                output = try results(of: rule, index: i, vector, at: t, engine: engine, querier: querier)
                if group.limit > 0, output.count > group.limit {
                    throw QueryError(.execution, "exceeded limit of \(group.limit) with \(output.count) series")
                }
                health[i].status = .ok
                health[i].lastError = ""
            } catch {
                health[i].status = .err
                health[i].lastError = error.description
                output = []
            }
            write(output, rule: i, at: t, storage: storage)
            health[i].lastEvaluation = t
            health[i].evaluationSeconds = Self.seconds(ruleStarted.duration(to: .now))
        }
        lastEvaluation = t
        evaluationSeconds = Self.seconds(started.duration(to: .now))
    }

    /// Alerts of every alerting rule due for sending at `t` (see ``AlertingRuleState/alertsToSend(at:resendDelay:interval:)``).
    public mutating func alertsToSend(at t: Int64, resendDelay: Int64) -> [AlertNotification] {
        var out: [AlertNotification] = []
        for i in alerting.indices {
            guard var state = alerting[i] else { continue }
            let expression = group.rules[i].expr.description
            out += state.alertsToSend(at: t, resendDelay: resendDelay, interval: interval).map { AlertNotification(alert: $0, expression: expression) }
            alerting[i] = state
        }
        return out
    }

    /// One sample a rule writes: a float, or the native histogram a recording rule's expression
    /// evaluated to.
    typealias RuleOutput = (labels: Labels, v: Double, histogram: FloatHistogram?)

    /// The samples rule `i` writes at `t`: the recorded series, or `ALERTS` and `ALERTS_FOR_STATE`.
    private mutating func results(of rule: RuleDefinition, index i: Int, _ vector: [VectorElement], at t: Int64,
                                  engine: Engine, querier: any Querier) throws(QueryError) -> [RuleOutput] {
        switch rule.kind {
        case .recording(let metric):
            var out: [RuleOutput] = []
            var seen = Set<Labels>()
            for el in vector {
                var b = LabelsBuilder(el.labels)
                b[LabelName.metricName] = metric
                for (name, value) in group.labels where rule.labels.allSatisfy({ $0.name != name }) { b[name] = value }
                for (name, value) in rule.labels { b[name] = value }
                let labels = b.labels()
                guard seen.insert(labels).inserted else {
                    throw QueryError(.execution, "vector contains metrics with the same labelset after applying rule labels")
                }
                out.append((labels, el.v, el.histogram))
            }
            return out
        case .alerting(let name):
            var present: [(labels: Labels, value: Double, annotations: [String: String])] = []
            var sources: [Labels: Labels] = [:]
            var seen = Set<Labels>()
            for el in vector {
                // Templates see the sample's own labels and value.
                func expand(_ text: String) -> String {
                    templates.expand(text, ruleName: name, labels: el.labels, value: el.v, at: t, engine: engine, querier: querier)
                }
                var b = LabelsBuilder(el.labels)
                b.remove(LabelName.metricName)
                for (label, value) in group.labels where rule.labels.allSatisfy({ $0.name != label }) { b[label] = value }
                for (label, value) in rule.labels { b[label] = expand(value) }
                b["alertname"] = name
                let labels = b.labels()
                guard seen.insert(labels).inserted else {
                    throw QueryError(.execution, "vector contains metrics with the same labelset after applying alert labels")
                }
                var annotations: [String: String] = [:]
                for (key, value) in rule.annotations { annotations[key] = expand(value) }
                present.append((labels, el.v, annotations))
                sources[labels] = el.labels.removing(LabelName.metricName)
            }
            if lastEvaluation == nil {
                // The first evaluation since start: alerts continue from ALERTS_FOR_STATE.
                let restoration = self.restoration
                let hold = rule.holdDuration.milliseconds
                alerting[i]?.evaluate(present, at: t, sources: sources) { labels in
                    Self.forStateBeforeRestart(labels, at: t, within: restoration.outageToleranceMs, querier: querier).flatMap {
                        restoration.resumedActiveAt(activeAt: $0.activeAt, downAt: $0.downAt, holdMs: hold, now: t)
                    }
                }
            } else {
                alerting[i]?.evaluate(present, at: t, sources: sources)
            }
            recordResolutionValues(rule: rule, index: i, name: name, at: t, engine: engine, querier: querier)
            var out: [RuleOutput] = []
            for alert in alerting[i]?.active ?? [] {
                var b = LabelsBuilder(alert.labels)
                b[LabelName.metricName] = "ALERTS"
                b["alertstate"] = alert.state.rawValue
                out.append((b.labels(), 1, nil))
                var f = LabelsBuilder(alert.labels)
                f[LabelName.metricName] = "ALERTS_FOR_STATE"
                out.append((f.labels(), Double(alert.activeAt) / 1000, nil))
            }
            return out
        }
    }

    /// Beyond Prometheus: an alert that resolves carries the value its series has now, not the
    /// last firing value. For a condition written as a comparison (`x > 0.9`), the left side is
    /// evaluated at resolution and the alert's series looked up in it; annotations are expanded
    /// again with that value, so the resolved notification says where things stand.
    private mutating func recordResolutionValues(rule: RuleDefinition, index i: Int, name: String, at t: Int64, engine: Engine, querier: any Querier) {
        guard let state = alerting[i] else { return }
        let resolved = state.alerts.values.filter { $0.state == .inactive && $0.resolvedAt == t && !$0.sourceLabels.isEmpty }
        guard !resolved.isEmpty else { return }
        var expr = rule.expr
        while case .paren(let inner) = expr { expr = inner }
        guard case .binary(let op, let lhs, _, _, false) = expr, [.gtr, .lss, .gte, .lte, .eql, .neq].contains(op) else { return }
        guard case .vector(let current)? = try? engine.instant(lhs, at: t - queryOffset, querier: querier) else { return }
        var bySource: [Labels: VectorElement] = [:]
        for el in current { bySource[el.labels.removing(LabelName.metricName)] = el }
        for alert in resolved {
            guard let el = bySource[alert.sourceLabels] else { continue }
            var annotations: [String: String] = [:]
            for (key, value) in rule.annotations {
                annotations[key] = templates.expand(value, ruleName: name, labels: el.labels, value: el.v, at: t, engine: engine, querier: querier)
            }
            alerting[i]?.recordResolution(alert.labels, value: el.v, annotations: annotations)
        }
    }

    /// Appends the rule's samples, and staleness markers for series it wrote last time but not now.
    private mutating func write(_ output: [RuleOutput], rule i: Int, at t: Int64, storage: any Appendable) {
        var app = storage.appender()
        var now = Set<Labels>()
        for (labels, v, histogram) in output {
            if let histogram {
                _ = app.append(ref: nil, labels: labels, t: t, histogram: .float(histogram))
            } else {
                _ = app.append(ref: nil, labels: labels, t: t, v: v)
            }
            now.insert(labels)
        }
        for gone in written[i] where !now.contains(gone) {
            _ = app.append(ref: nil, labels: gone, t: t, v: StaleNaN.value)
        }
        written[i] = now
        do { _ = try app.commit() } catch {
            health[i].status = .err
            health[i].lastError = "storage: \(error)"
        }
    }

    /// The last `ALERTS_FOR_STATE` sample of an alert within `tolerance` before `t`: the time the
    /// alert was active since (its value) and when it was written (the last evaluation before the restart).
    static func forStateBeforeRestart(_ labels: Labels, at t: Int64, within tolerance: Int64, querier: any Querier) -> (activeAt: Int64, downAt: Int64)? {
        var matchers: [LabelMatcher] = []
        do {
            matchers.append(try LabelMatcher(.equal, LabelName.metricName, "ALERTS_FOR_STATE"))
            for p in labels.pairs { matchers.append(try LabelMatcher(.equal, p.name, p.value)) }
        } catch {
            return nil
        }
        var last: (v: Double, t: Int64)?
        for series in querier.select(matchers, mint: t - tolerance, maxt: t - 1) where series.labels.count == labels.count + 1 {
            for sample in series.samples(mint: t - tolerance, maxt: t - 1) where !StaleNaN.isStale(sample.v) { last = (sample.v, sample.t) }
        }
        guard let last, last.v.isFinite, abs(last.v) < 1e15 else { return nil }
        return (Int64(last.v * 1000), last.t)
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
