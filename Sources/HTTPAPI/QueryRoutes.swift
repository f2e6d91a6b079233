import Foundation
import Hummingbird
import MetricModel
import NIOCore
import PromQL
import TSDB

extension APIRoutes {
    /// Prometheus refuses range queries with more points per series than this.
    static let maxPointsPerSeries: Int64 = 11_000

    static func json(_ body: String, _ status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func queryError(_ e: QueryError) -> Response {
        let type: APIErrorType
        switch e.kind {
        case .badData: type = .badData
        case .execution: type = .execution
        case .timeout: type = .timeout
        case .canceled: type = .canceled
        case .unavailable: type = .unavailable
        }
        return JSONResponse.error(type, e.message)
    }

    static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// `/api/v1/query`, `/query_range`, `/series`, `/labels`, `/label/<name>/values`.
    static func addQueries(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        let instant: @Sendable (Request, VigilRequestContext) async throws -> Response = { request, context in
            let p = try await APIParameters.from(request)
            guard let querier = backend.querier else { return JSONResponse.error(.unavailable, "Vigil is not ready yet") }
            guard let query = p["query"], !query.isEmpty else { return JSONResponse.error(.badData, "invalid parameter \"query\": query must not be empty") }
            let t: Int64
            do { t = try p.time("time", default: nowMs()) } catch { return badParameter(error) }
            return await run(p, backend, context) { e throws(QueryError) in try e.prepareInstant(query, at: t, querier: querier) }
        }
        router.get("/api/v1/query", use: instant)
        router.post("/api/v1/query", use: instant)

        let range: @Sendable (Request, VigilRequestContext) async throws -> Response = { request, context in
            let p = try await APIParameters.from(request)
            guard let querier = backend.querier else { return JSONResponse.error(.unavailable, "Vigil is not ready yet") }
            guard let query = p["query"], !query.isEmpty else { return JSONResponse.error(.badData, "invalid parameter \"query\": query must not be empty") }
            let start: Int64, end: Int64, step: Int64
            do {
                guard p["start"] != nil, p["end"] != nil else { return JSONResponse.error(.badData, "invalid parameter \"start\": cannot parse \"\" to a valid timestamp") }
                start = try p.time("start", default: 0)
                end = try p.time("end", default: 0)
                guard let s = try p.duration("step"), s > 0 else {
                    return JSONResponse.error(.badData, "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer")
                }
                step = s
            } catch {
                return badParameter(error)
            }
            guard end >= start else { return JSONResponse.error(.badData, "invalid parameter \"end\": end timestamp must not be before start time") }
            if (end - start) / step > maxPointsPerSeries {
                return JSONResponse.error(.badData, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
            }
            return await run(p, backend, context) { e throws(QueryError) in
                try e.prepareRange(query, start: start, end: end, step: step, querier: querier)
            }
        }
        router.get("/api/v1/query_range", use: range)
        router.post("/api/v1/query_range", use: range)

        let series: @Sendable (Request, VigilRequestContext) async throws -> Response = { request, _ in
            let p = try await APIParameters.from(request)
            guard let querier = backend.querier else { return JSONResponse.error(.unavailable, "Vigil is not ready yet") }
            let matches = p.all("match[]")
            guard !matches.isEmpty else { return JSONResponse.error(.badData, "no match[] parameter provided") }
            do {
                let start = try p.time("start", default: .min)
                let end = try p.time("end", default: .max)
                var seen = Set<Labels>()
                var out: [Labels] = []
                for m in matches {
                    let sel = try Parser.parseSelector(m)
                    for s in querier.select(sel.matchers, mint: start, maxt: end) where seen.insert(s.labels).inserted {
                        out.append(s.labels)
                    }
                }
                out.sort()
                let limit = try p.limit()
                var warnings: [String] = []
                if limit > 0, out.count > limit {
                    out = Array(out.prefix(limit))
                    warnings.append("results truncated due to limit")
                }
                return json(QueryResultJSON.success("[" + out.map(QueryResultJSON.labels).joined(separator: ",") + "]", warnings: warnings))
            } catch let e as APIParameters.Invalid {
                return JSONResponse.error(.badData, e.message)
            } catch {
                return JSONResponse.error(.badData, "invalid parameter \"match[]\": \(error)")
            }
        }
        router.get("/api/v1/series", use: series)
        router.post("/api/v1/series", use: series)

        let labels: @Sendable (Request, VigilRequestContext) async throws -> Response = { request, _ in
            let p = try await APIParameters.from(request)
            guard let querier = backend.querier else { return JSONResponse.error(.unavailable, "Vigil is not ready yet") }
            let limit: Int
            do { limit = try p.limit() } catch { return badParameter(error) }
            do {
                var names = Set<String>()
                let matches = p.all("match[]")
                if matches.isEmpty {
                    names = Set(querier.labelNames([]))
                } else {
                    for m in matches { names.formUnion(querier.labelNames(try Parser.parseSelector(m).matchers)) }
                }
                return json(QueryResultJSON.success(stringList(names.sorted(), limit: limit)))
            } catch {
                return JSONResponse.error(.badData, "invalid parameter \"match[]\": \(error)")
            }
        }
        router.get("/api/v1/labels", use: labels)
        router.post("/api/v1/labels", use: labels)

        router.get("/api/v1/label/:name/values") { request, context -> Response in
            let p = try await APIParameters.from(request)
            guard let querier = backend.querier else { return JSONResponse.error(.unavailable, "Vigil is not ready yet") }
            let raw = context.parameters.get("name") ?? ""
            let name = NameEscapingScheme.unescapingValues(raw.removingPercentEncoding ?? raw)
            let limit: Int
            do { limit = try p.limit() } catch { return badParameter(error) }
            do {
                var values = Set<String>()
                let matches = p.all("match[]")
                if matches.isEmpty {
                    values = Set(querier.labelValues(name, []))
                } else {
                    for m in matches { values.formUnion(querier.labelValues(name, try Parser.parseSelector(m).matchers)) }
                }
                return json(QueryResultJSON.success(stringList(values.sorted(), limit: limit)))
            } catch {
                return JSONResponse.error(.badData, "invalid parameter \"match[]\": \(error)")
            }
        }
    }

    static func badParameter(_ error: any Error) -> Response {
        JSONResponse.error(.badData, (error as? APIParameters.Invalid)?.message ?? "\(error)")
    }

    /// Runs one query through the scheduler and writes its result, `limit` and annotations included.
    static func run(_ p: APIParameters, _ backend: any APIBackend, _ context: VigilRequestContext,
                    _ prepare: (Engine) throws(QueryError) -> PreparedQuery) async -> Response {
        let engine: Engine
        do { engine = try queryEngine(p, backend) } catch { return JSONResponse.error(.badData, error.message) }
        let limit: Int
        do { limit = try p.limit() } catch { return badParameter(error) }
        let eventLoop = context.eventLoop
        return await backend.runQuery(on: eventLoop, { () throws(QueryError) in try prepare(engine) }) { result in
            switch result {
            case .success(let r):
                var (value, warnings) = (r.value, r.warnings)
                if limit > 0 {
                    let (v, w) = truncate(value, limit)
                    value = v
                    warnings += w
                }
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: QueryResultJSON.successResponseBody(value, warnings: warnings, infos: r.infos, writtenOn: eventLoop))
            case .failure(let e):
                return queryError(e)
            }
        }
    }

    /// The engine for one request: the server's limits, with a shorter `timeout` if asked.
    static func queryEngine(_ p: APIParameters, _ backend: any APIBackend) throws(APIParameters.Invalid) -> Engine {
        var options = backend.settings.queryOptions
        if let t = try p.duration("timeout"), t > 0 {
            options.timeout = min(options.timeout, .milliseconds(t))
        }
        return Engine(options: options)
    }

    static func stringList(_ items: [String], limit: Int) -> String {
        let shown = limit > 0 ? Array(items.prefix(limit)) : items
        return "[" + shown.map(QueryResultJSON.string).joined(separator: ",") + "]"
    }

    static func truncate(_ value: Value, _ limit: Int) -> (Value, [String]) {
        switch value {
        case .vector(let v) where v.count > limit: return (.vector(Array(v.prefix(limit))), ["results truncated due to limit"])
        case .matrix(let m) where m.count > limit: return (.matrix(Array(m.prefix(limit))), ["results truncated due to limit"])
        default: return (value, [])
        }
    }

}
