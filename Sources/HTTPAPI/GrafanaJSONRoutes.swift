import Foundation
import Hummingbird
import MetricModel
import NIOCore
import PromQL
import TSDB

extension APIRoutes {
    /// The API of Grafana's JSON datasource plugin (simpod-json-datasource) under `/grafana/json`:
    /// add a JSON datasource with the URL `http://vigil:9090/grafana/json`. Targets are PromQL
    /// (or a metric with the builder's payload); responses follow the plugin's OpenAPI contract.
    static func addGrafanaJSON(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        let base = "/grafana/json"
        let health: @Sendable (Request, VigilRequestContext) async -> Response = { _, _ in
            backend.querier == nil ? text("Vigil is not ready yet", .serviceUnavailable) : text("OK")
        }
        router.get(RouterPath(base), use: health)

        router.post(RouterPath(base + "/metrics")) { request, _ -> Response in
            guard let querier = backend.querier else { return grafanaError("Vigil is not ready yet", .serviceUnavailable) }
            _ = try await request.body.collect(upTo: 1 << 20)
            var w = JSONWriter()
            w.raw("[")
            for (i, name) in querier.labelValues(LabelName.metricName, []).sorted().enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("{\"label\":")
                w.string(name)
                w.raw(",\"value\":")
                w.string(name)
                w.raw(",\"payloads\":" + GrafanaJSON.builderPayloads + "}")
            }
            w.raw("]")
            return jsonResponse(w)
        }

        router.post(RouterPath(base + "/metric-payload-options")) { request, _ -> Response in
            guard let querier = backend.querier else { return grafanaError("Vigil is not ready yet", .serviceUnavailable) }
            guard let body = JSONObject(data: Data(buffer: try await request.body.collect(upTo: 1 << 20))),
                  let metric = body.string("metric"), let name = body.string("name") else {
                return grafanaError("metric and name are required", .badRequest)
            }
            let matchers = GrafanaQueryTranslation.isMetricName(metric) ? [try LabelMatcher(.equal, LabelName.metricName, metric)] : []
            var options: [String] = []
            switch name {
            case "labels":
                for label in querier.labelNames(matchers) where label != LabelName.metricName {
                    for value in querier.labelValues(label, matchers).prefix(200) { options.append("\(label)=\(GoQuotedString.quote(value))") }
                }
            case "by": options = querier.labelNames(matchers).filter { $0 != LabelName.metricName }
            case "function": options = ["none"] + GrafanaQueryTranslation.builderFunctions
            case "aggregation": options = ["none"] + GrafanaQueryTranslation.builderAggregations
            case "histogram": options = GrafanaHistogramView.allCases.map(\.rawValue)
            default: options = []
            }
            return jsonResponse(GrafanaJSON.options(options))
        }

        router.post(RouterPath(base + "/query")) { request, context -> Response in
            guard let querier = backend.querier else { return grafanaError("Vigil is not ready yet", .serviceUnavailable) }
            guard let body = JSONObject(data: Data(buffer: try await request.body.collect(upTo: 8 << 20))) else {
                return grafanaError("the body must be a JSON object", .badRequest)
            }
            let translation: GrafanaQueryTranslation
            do { translation = try GrafanaQueryTranslation(request: body) } catch { return grafanaError("\(error)", .badRequest) }
            let engine = Engine(options: backend.settings.queryOptions)
            var w = JSONWriter()
            w.raw("[")
            var first = true
            for target in body.objects("targets") ?? [] where target.bool("hide") != true {
                guard let text = target.string("target"), !text.isEmpty else { continue }
                let payload = target.object("payload")
                let expr: Expr
                do { expr = try translation.expression(target: text, payload: payload) } catch {
                    return grafanaError("target \(target.string("refId") ?? text): \(error)", .badRequest)
                }
                let table = payload?.string("format") == "table" || target.string("type") == "table"
                let legendFormat = payload?.string("legendFormat")
                let histograms: GrafanaHistogramView
                do { histograms = try GrafanaHistogramView(payload: payload) } catch {
                    return grafanaError("target \(target.string("refId") ?? text): \(error)", .badRequest)
                }
                let result = await backend.runQuery(on: context.eventLoop, { () throws(QueryError) -> PreparedQuery in
                    table ? engine.prepareInstant(expr, at: translation.toMs, querier: querier)
                        : try engine.prepareRange(expr, start: translation.fromMs, end: translation.toMs, step: translation.intervalMs, querier: querier)
                }) { result in
                    // Rendered where the query ran: a large result is not encoded on the event loop.
                    result.map { r -> ByteBuffer in
                        var piece = JSONWriter()
                        if table {
                            GrafanaJSON.table(r.value, histograms: histograms, into: &piece)
                        } else {
                            GrafanaJSON.timeSeries(r.value, histograms: histograms, legendFormat: legendFormat, fallback: text, into: &piece)
                        }
                        return piece.buffer
                    }
                }
                switch result {
                case .success(var piece):
                    if !first { w.raw(",") }
                    first = false
                    w.raw(&piece)
                case .failure(let e):
                    return grafanaError("target \(target.string("refId") ?? text): \(e.message)", .badRequest)
                }
            }
            w.raw("]")
            return jsonResponse(w)
        }

        router.post(RouterPath(base + "/variable")) { request, _ -> Response in
            guard let querier = backend.querier else { return grafanaError("Vigil is not ready yet", .serviceUnavailable) }
            guard let body = JSONObject(data: Data(buffer: try await request.body.collect(upTo: 1 << 20))) else {
                return grafanaError("the body must be a JSON object", .badRequest)
            }
            let target = body.object("payload")?.string("target") ?? body.string("target") ?? ""
            let now = nowMs()
            let to = body.object("range")?.string("to").flatMap(APIParameters.parseTime) ?? now
            let values: [String]
            do { values = try GrafanaVariableQuery.values(target, at: to, db: querier, engine: Engine(options: backend.settings.queryOptions)) } catch {
                return grafanaError("\(error)", .badRequest)
            }
            var w = JSONWriter()
            w.stringObjects(values) { ["text": $0, "value": $0, "__text": $0, "__value": $0] }
            return jsonResponse(w)
        }

        router.post(RouterPath(base + "/tag-keys")) { request, _ -> Response in
            guard let querier = backend.querier else { return grafanaError("Vigil is not ready yet", .serviceUnavailable) }
            _ = try await request.body.collect(upTo: 1 << 20)
            var w = JSONWriter()
            w.stringObjects(querier.labelNames([]).filter { $0 != LabelName.metricName }) { ["type": "string", "text": $0] }
            return jsonResponse(w)
        }

        router.post(RouterPath(base + "/tag-values")) { request, _ -> Response in
            guard let querier = backend.querier else { return grafanaError("Vigil is not ready yet", .serviceUnavailable) }
            guard let body = JSONObject(data: Data(buffer: try await request.body.collect(upTo: 1 << 20))), let key = body.string("key") else {
                return grafanaError("key is required", .badRequest)
            }
            var w = JSONWriter()
            w.stringObjects(querier.labelValues(key, [])) { ["text": $0] }
            return jsonResponse(w)
        }
    }

    private static func jsonResponse(_ w: JSONWriter) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: w.buffer))
    }

    /// `{"error": "..."}`, which the plugin shows on the panel.
    private static func grafanaError(_ message: String, _ status: HTTPResponse.Status) -> Response {
        var w = JSONWriter()
        w.raw("{\"error\":")
        w.string(message)
        w.raw("}")
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: w.buffer))
    }
}

/// Response bodies of the Grafana JSON datasource API.
enum GrafanaJSON {
    /// The query builder's payload fields offered with every metric.
    static let builderPayloads: String = {
        func select(_ values: [String]) -> String {
            "[" + values.map { "{\"label\":\"\($0)\",\"value\":\"\($0)\"}" }.joined(separator: ",") + "]"
        }
        return "[" + [
            #"{"name":"labels","label":"Label filters","type":"multi-select","placeholder":"job=\"model-api\"","width":40}"#,
            #"{"name":"function","label":"Function","type":"select","options":"# + select(["none"] + GrafanaQueryTranslation.builderFunctions) + "}",
            #"{"name":"aggregation","label":"Aggregation","type":"select","options":"# + select(["none"] + GrafanaQueryTranslation.builderAggregations) + "}",
            #"{"name":"by","label":"By","type":"multi-select"}"#,
            #"{"name":"format","label":"Format","type":"select","options":[{"label":"time series","value":"time_series"},{"label":"table","value":"table"}]}"#,
            #"{"name":"legendFormat","label":"Legend","type":"input","placeholder":"{{instance}}"}"#,
            #"{"name":"histogram","label":"Native histograms as","type":"select","options":"# + select(GrafanaHistogramView.allCases.map(\.rawValue)) + "}",
        ].joined(separator: ",") + "]"
    }()

    static func options(_ values: [String]) -> JSONWriter {
        var w = JSONWriter()
        w.stringObjects(values) { ["label": $0, "value": $0] }
        return w
    }

    /// One `{"target", "datapoints": [[value, ms]…]}` per series; points that are not finite
    /// numbers (JSON has none) are left out, which Grafana draws as gaps.
    /// Native histograms become the numbers `histograms` picks.
    static func timeSeries(_ value: Value, histograms: GrafanaHistogramView, legendFormat: String?, fallback: String, into w: inout JSONWriter) {
        let series: [(Labels, [(Int64, Double)])]
        switch value {
        case .matrix(let m): series = histograms.series(m)
        case .vector(let v): series = histograms.rows(v).map { ($0.1, [($0.0, $0.2)]) }
        case .scalar(let t, let v): series = [(.empty, [(t, v)])]
        case .string: series = []
        }
        for (i, (labels, points)) in series.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"target\":")
            w.string(GrafanaQueryTranslation.legend(labels, format: legendFormat, fallback: fallback))
            w.raw(",\"datapoints\":[")
            var first = true
            for (t, v) in points where v.isFinite {
                if !first { w.raw(",") }
                first = false
                w.raw("[")
                w.raw(v.description)
                w.raw(",")
                w.integer(t)
                w.raw("]")
            }
            w.raw("]}")
        }
        if series.isEmpty { w.raw("{\"target\":") ; w.string(fallback); w.raw(",\"datapoints\":[]}") }
    }

    /// `{"type":"table","columns":[Time, labels…, Value],"rows":[…]}` for an instant result.
    /// Native histograms become rows of the numbers `histograms` picks.
    static func table(_ value: Value, histograms: GrafanaHistogramView, into w: inout JSONWriter) {
        var rows: [(Int64, Labels, Double)] = []
        switch value {
        case .vector(let v): rows = histograms.rows(v)
        case .scalar(let t, let v): rows = [(t, .empty, v)]
        case .matrix(let m): rows = histograms.series(m).compactMap { s in s.1.last.map { ($0.0, s.0, $0.1) } }
        case .string: rows = []
        }
        let names = Array(Set(rows.flatMap { $0.1.pairs.map(\.name) })).sorted()
        w.raw("{\"type\":\"table\",\"columns\":[{\"text\":\"Time\",\"type\":\"time\"}")
        for n in names {
            w.raw(",{\"text\":")
            w.string(n)
            w.raw(",\"type\":\"string\"}")
        }
        w.raw(",{\"text\":\"Value\",\"type\":\"number\"}],\"rows\":[")
        for (i, (t, labels, v)) in rows.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("[")
            w.integer(t)
            for n in names {
                w.raw(",")
                w.string(labels[n])
            }
            w.raw(",")
            w.raw(v.isFinite ? v.description : "0")
            w.raw("]")
        }
        w.raw("]}")
    }
}
