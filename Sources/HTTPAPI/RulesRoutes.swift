import Foundation
import Hummingbird
import MetricModel
import PromQL
import Rules

extension APIRoutes {
    /// `/api/v1/rules` (with `type`, `rule_name[]`, `rule_group[]`, `file[]`, `exclude_alerts`) and
    /// `/api/v1/alerts`, in Prometheus' JSON shapes.
    static func addRules(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        router.get("/api/v1/rules") { request, _ -> Response in
            let p = try await APIParameters.from(request)
            let groups = backend.ruleManager?.groups ?? []
            let type = p["type"]
            guard type == nil || type == "" || type == "alert" || type == "record" else {
                return JSONResponse.error(.badData, "invalid query parameter type='\(type ?? "")'")
            }
            let names = Set(p.all("rule_name[]")), groupNames = Set(p.all("rule_group[]")), files = Set(p.all("file[]"))
            let excludeAlerts = p["exclude_alerts"] == "true"
            var w = JSONWriter()
            w.raw("{\"status\":\"success\",\"data\":{\"groups\":[")
            var firstGroup = true
            for g in groups where (groupNames.isEmpty || groupNames.contains(g.group.name)) && (files.isEmpty || files.contains(g.file)) {
                let rules = g.group.rules.indices.filter { i in
                    let rule = g.group.rules[i]
                    if !names.isEmpty && !names.contains(rule.name) { return false }
                    switch (type, rule.kind) {
                    case ("alert", .recording), ("record", .alerting): return false
                    default: return true
                    }
                }
                // Filters that leave a group empty leave it out, as Prometheus does.
                if rules.isEmpty && (!names.isEmpty || type == "alert" || type == "record") { continue }
                if !firstGroup { w.raw(",") }
                firstGroup = false
                RulesJSON.group(g, rules: rules, excludeAlerts: excludeAlerts, into: &w)
            }
            w.raw("]}}")
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: w.buffer))
        }

        router.get("/api/v1/alerts") { _, _ -> Response in
            var w = JSONWriter()
            w.raw("{\"status\":\"success\",\"data\":{\"alerts\":[")
            var first = true
            for g in backend.ruleManager?.groups ?? [] {
                for rule in g.alerting.compactMap({ $0 }) {
                    for alert in rule.active {
                        if !first { w.raw(",") }
                        first = false
                        RulesJSON.alert(alert, into: &w)
                    }
                }
            }
            w.raw("]}}")
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: w.buffer))
        }
    }
}

/// Rule groups, rules and alerts as Prometheus' API writes them.
enum RulesJSON {
    static func group(_ g: RuleGroupState, rules: [Int], excludeAlerts: Bool, into w: inout JSONWriter) {
        w.raw("{\"name\":")
        w.string(g.group.name)
        w.raw(",\"file\":")
        w.string(g.file)
        w.raw(",\"rules\":[")
        for (n, i) in rules.enumerated() {
            if n > 0 { w.raw(",") }
            rule(g, i, excludeAlerts: excludeAlerts, into: &w)
        }
        w.raw("],\"interval\":")
        w.raw(seconds(g.interval))
        w.raw(",\"limit\":")
        w.integer(Int64(g.group.limit))
        w.raw(",\"evaluationTime\":")
        w.raw(String(g.evaluationSeconds))
        w.raw(",\"lastEvaluation\":")
        w.string(time(g.lastEvaluation))
        w.raw("}")
    }

    static func rule(_ g: RuleGroupState, _ i: Int, excludeAlerts: Bool, into w: inout JSONWriter) {
        let rule = g.group.rules[i]
        let health = g.health[i]
        w.raw("{")
        if case .alerting = rule.kind, let state = g.alerting[i] {
            let alerts = state.active
            let ruleState = alerts.contains { $0.state == .firing } ? "firing" : (alerts.isEmpty ? "inactive" : "pending")
            w.raw("\"state\":")
            w.string(ruleState)
            w.raw(",\"name\":")
            w.string(rule.name)
            w.raw(",\"query\":")
            w.string(rule.expr.description)
            w.raw(",\"duration\":")
            w.raw(seconds(rule.holdDuration.milliseconds))
            w.raw(",\"keepFiringFor\":")
            w.raw(seconds(rule.keepFiringFor.milliseconds))
            w.raw(",\"labels\":")
            pairs(rule.labels, into: &w)
            w.raw(",\"annotations\":")
            pairs(rule.annotations, into: &w)
            if !excludeAlerts {
                w.raw(",\"alerts\":[")
                for (n, alert) in alerts.enumerated() {
                    if n > 0 { w.raw(",") }
                    self.alert(alert, into: &w)
                }
                w.raw("]")
            }
            w.raw(",\"type\":\"alerting\"")
        } else {
            w.raw("\"name\":")
            w.string(rule.name)
            w.raw(",\"query\":")
            w.string(rule.expr.description)
            w.raw(",\"labels\":")
            pairs(rule.labels, into: &w)
            w.raw(",\"type\":\"recording\"")
        }
        if let origin = rule.generatedBy {
            // Vigil's own field: the anomaly rule this one was compiled from.
            w.raw(",\"generatedBy\":")
            w.string(origin)
        }
        w.raw(",\"health\":")
        w.string(health.status.rawValue)
        w.raw(",\"lastError\":")
        w.string(health.lastError)
        w.raw(",\"evaluationTime\":")
        w.raw(String(health.evaluationSeconds))
        w.raw(",\"lastEvaluation\":")
        w.string(time(health.lastEvaluation))
        w.raw("}")
    }

    static func alert(_ a: Alert, into w: inout JSONWriter) {
        w.raw("{\"labels\":")
        w.labels(a.labels)
        w.raw(",\"annotations\":")
        pairs(a.annotations.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }, into: &w)
        w.raw(",\"state\":")
        w.string(a.state.rawValue)
        w.raw(",\"activeAt\":")
        w.string(time(a.activeAt))
        if let since = a.keepFiringSince {
            w.raw(",\"keepFiringSince\":")
            w.string(time(since))
        }
        w.raw(",\"value\":")
        w.string(GoFloat.exponent(a.value))
        w.raw("}")
    }

    private static func pairs(_ list: [(name: String, value: String)], into w: inout JSONWriter) {
        w.raw("{")
        for (n, p) in list.enumerated() {
            if n > 0 { w.raw(",") }
            w.string(p.name)
            w.raw(":")
            w.string(p.value)
        }
        w.raw("}")
    }

    /// Durations in (possibly fractional) seconds, as a JSON number.
    private static func seconds(_ ms: Int64) -> String {
        ms % 1000 == 0 ? String(ms / 1000) : String(Double(ms) / 1000)
    }

    /// RFC 3339 with fractional seconds; Go's zero time before the first evaluation.
    static func time(_ ms: Int64?) -> String {
        guard let ms else { return "0001-01-01T00:00:00Z" }
        return APITime.format(Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
