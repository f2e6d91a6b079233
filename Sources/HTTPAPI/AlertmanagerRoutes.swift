import Alertmanager
import Foundation
import Hummingbird
import MetricModel
import NIOCore

extension APIRoutes {
    /// Alertmanager's API v2 on Vigil's own address: alerts, alert groups, silences, receivers and
    /// status, in Alertmanager's JSON shapes and status codes, so `amtool` and Prometheus servers
    /// talk to Vigil as to an Alertmanager. Malformed input gets 400 and changes nothing.
    static func addAlertmanager(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        router.get("/api/v2/alerts") { request, _ -> Response in
            guard let am = backend.alertmanager else { return unavailable() }
            let filter: AlertFilter
            do { filter = try AlertFilter(await APIParameters.from(request)) } catch { return badRequest("\(error)") }
            var w = JSONWriter()
            w.raw("[")
            var first = true
            for r in am.reports() where filter.accepts(r) {
                if !first { w.raw(",") }
                first = false
                AlertmanagerJSON.alert(r, into: &w)
            }
            w.raw("]")
            return json(w)
        }

        router.post("/api/v2/alerts") { request, _ -> Response in
            guard let am = backend.alertmanager else { return unavailable() }
            let body = try await request.body.collect(upTo: 32 << 20)
            let alerts: [PostableAlert]
            do { alerts = try PostableAlert.decodeList(Data(buffer: body)) } catch { return badRequest("\(error)") }
            let problems = am.receive(alerts)
            if !problems.isEmpty { return badRequest(problems.joined(separator: ";")) }
            return Response(status: .ok)
        }

        router.get("/api/v2/alerts/groups") { request, _ -> Response in
            guard let am = backend.alertmanager else { return unavailable() }
            let filter: AlertFilter
            do { filter = try AlertFilter(await APIParameters.from(request)) } catch { return badRequest("\(error)") }
            let reports = Dictionary(am.reports().map { ($0.alert.fingerprint, $0) }, uniquingKeysWith: { a, _ in a })
            let groups = am.dispatcher.groups.sorted { ($0.route.receiver, $0.key) < ($1.route.receiver, $1.key) }
            var w = JSONWriter()
            w.raw("[")
            var first = true
            for g in groups {
                let members = g.alerts.values.sorted { $0.labels < $1.labels }.compactMap { reports[$0.fingerprint] }.filter(filter.accepts)
                guard !members.isEmpty, filter.acceptsReceiver(g.route.receiver) else { continue }
                if !first { w.raw(",") }
                first = false
                w.raw("{\"alerts\":[")
                for (i, r) in members.enumerated() {
                    if i > 0 { w.raw(",") }
                    AlertmanagerJSON.alert(r, into: &w)
                }
                w.raw("],\"labels\":")
                w.labels(g.id.labels)
                w.raw(",\"receiver\":{\"name\":")
                w.string(g.route.receiver)
                w.raw("}}")
            }
            w.raw("]")
            return json(w)
        }

        router.get("/api/v2/silences") { request, _ -> Response in
            guard let am = backend.alertmanager else { return unavailable() }
            let p = try await APIParameters.from(request)
            var filters: [LabelMatcher] = []
            for f in p.all("filter") {
                do { filters += try MatcherSyntax.parseList(f) } catch { return badRequest("\(error)") }
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let list = am.silences.all.filter { s in
                filters.allSatisfy { f in s.matchers.contains { $0.name == f.name && f.matches($0.value) } }
            }
            var w = JSONWriter()
            w.raw("[")
            for (i, s) in sortedSilences(list, now: now).enumerated() {
                if i > 0 { w.raw(",") }
                AlertmanagerJSON.silence(s, now: now, into: &w)
            }
            w.raw("]")
            return json(w)
        }

        router.post("/api/v2/silences") { request, _ -> Response in
            guard let am = backend.alertmanager else { return unavailable() }
            let body = try await request.body.collect(upTo: 1 << 20)
            let silence: Silence
            do { silence = try AlertmanagerJSON.postedSilence(Data(buffer: body)) } catch { return badRequest("\(error)") }
            do {
                let id = try am.silences.set(silence, now: Int64(Date().timeIntervalSince1970 * 1000))
                var w = JSONWriter()
                w.raw("{\"silenceID\":")
                w.string(id)
                w.raw("}")
                return json(w)
            } catch SilenceError.notFound(let id) {
                return jsonString("silence \(id) not found", .notFound)
            } catch {
                return badRequest("\(error)")
            }
        }

        router.get("/api/v2/silence/:id") { _, context -> Response in
            guard let am = backend.alertmanager else { return unavailable() }
            let id = context.parameters.get("id") ?? ""
            guard let s = am.silences.get(id) else { return jsonString("silence \(id) not found", .notFound) }
            var w = JSONWriter()
            AlertmanagerJSON.silence(s, now: Int64(Date().timeIntervalSince1970 * 1000), into: &w)
            return json(w)
        }

        router.delete("/api/v2/silence/:id") { _, context -> Response in
            guard let am = backend.alertmanager else { return unavailable() }
            let id = context.parameters.get("id") ?? ""
            do {
                try am.silences.expire(id, now: Int64(Date().timeIntervalSince1970 * 1000))
                return Response(status: .ok)
            } catch SilenceError.notFound {
                return jsonString("silence \(id) not found", .notFound)
            } catch {
                return jsonString("\(error)", .internalServerError)
            }
        }

        router.get("/api/v2/receivers") { _, _ -> Response in
            guard let am = backend.alertmanager else { return unavailable() }
            var w = JSONWriter()
            w.stringObjects(am.configuration.receivers) { ["name": $0.name] }
            return json(w)
        }

        router.get("/api/v2/status") { _, _ -> Response in
            guard let am = backend.alertmanager else { return unavailable() }
            var w = JSONWriter()
            w.raw("{\"cluster\":{\"name\":\"\",\"peers\":[],\"status\":\"disabled\"},\"config\":{\"original\":")
            w.string(am.configuration.renderedYAML)
            w.raw("},\"uptime\":")
            w.string(GoTime.rfc3339(am.startedAt))
            w.raw(",\"versionInfo\":{\"branch\":\"main\",\"buildDate\":\"\",\"buildUser\":\"vigil\",\"goVersion\":\"none (Swift)\",\"revision\":\"\",\"version\":")
            w.string(backend.settings.buildInfo.version)
            w.raw("}}")
            return json(w)
        }
    }

    /// Active silences first (ending soonest first), then pending (starting soonest), then expired (latest first).
    static func sortedSilences(_ list: [Silence], now: Int64) -> [Silence] {
        func rank(_ s: Silence) -> Int {
            switch s.state(at: now) {
            case .active: return 0
            case .pending: return 1
            case .expired: return 2
            }
        }
        return list.sorted { a, b in
            let ra = rank(a), rb = rank(b)
            if ra != rb { return ra < rb }
            switch a.state(at: now) {
            case .active: return a.endsAt < b.endsAt
            case .pending: return a.startsAt < b.startsAt
            case .expired: return a.endsAt > b.endsAt
            }
        }
    }

    private static func json(_ w: JSONWriter) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: w.buffer))
    }

    /// Alertmanager answers errors with a JSON string.
    private static func jsonString(_ message: String, _ status: HTTPResponse.Status) -> Response {
        var w = JSONWriter()
        w.string(message)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: w.buffer))
    }

    private static func badRequest(_ message: String) -> Response { jsonString(message, .badRequest) }

    private static func unavailable() -> Response { jsonString("the Alertmanager is disabled", .serviceUnavailable) }
}

/// The `GET /api/v2/alerts` query: `filter` matchers, `receiver` regex, and which states to include.
struct AlertFilter {
    var matchers: [LabelMatcher] = []
    var receiver: AnchoredRegex?
    var active = true
    var silenced = true
    var inhibited = true

    init(_ p: APIParameters) throws(APIv2Input.Invalid) {
        for f in p.all("filter") {
            do { matchers += try MatcherSyntax.parseList(f) } catch { throw APIv2Input.Invalid(error.description) }
        }
        if let r = p["receiver"], !r.isEmpty {
            do { receiver = try AnchoredRegex(r) } catch { throw APIv2Input.Invalid("invalid receiver regular expression: \(error)") }
        }
        func flag(_ name: String) throws(APIv2Input.Invalid) -> Bool {
            guard let v = p[name] else { return true }
            switch v.lowercased() {
            case "true", "1": return true
            case "false", "0": return false
            default: throw APIv2Input.Invalid("\(name) must be a boolean, got \(v)")
            }
        }
        active = try flag("active")
        silenced = try flag("silenced")
        inhibited = try flag("inhibited")
        _ = try flag("unprocessed")
    }

    func acceptsReceiver(_ name: String) -> Bool { receiver?.matches(name) ?? true }

    func accepts(_ r: AlertReport) -> Bool {
        if !silenced, !r.silencedBy.isEmpty { return false }
        if !inhibited, !r.inhibitedBy.isEmpty { return false }
        if !active, r.state == "active" { return false }
        if let receiver, !r.receivers.contains(where: { receiver.matches($0) }) { return false }
        return r.alert.labels.matches(matchers)
    }
}
