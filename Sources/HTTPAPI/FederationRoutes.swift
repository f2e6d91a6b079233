import Foundation
import Hummingbird
import MetricModel
import NIOCore
import PromQL
import TSDB

extension APIRoutes {
    /// `GET /federate`: for each series matching any `match[]` selector, its newest sample
    /// within the lookback window (stale series left out), in the text exposition format with
    /// Vigil's external labels added, so another Prometheus can scrape it with `honor_labels`.
    /// Names that are not legacy names are quoted when the `Accept` header asks for
    /// `escaping=allow-utf-8`, and escaped as it asks otherwise (`underscores` when it does not
    /// say), so a Prometheus 2 reader gets names it can parse.
    static func addFederation(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        let federate: @Sendable (Request, VigilRequestContext) async throws -> Response = { request, _ in
            let p = try await APIParameters.from(request)
            guard let querier = backend.querier else { return text("Vigil is not ready yet\n", .serviceUnavailable) }
            let matches = p.all("match[]")
            guard !matches.isEmpty else { return text("federation needs at least one match[] parameter\n", .badRequest) }
            var selectors: [[LabelMatcher]] = []
            for m in matches {
                do { selectors.append(try Parser.parseSelector(m).matchers) } catch {
                    return text("invalid match[] \(m): \(error)\n", .badRequest)
                }
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let external = backend.config?.global.externalLabels ?? .empty
            let samples = FederatedSamples.collect(querier, selectors: selectors, at: now,
                                                   lookback: backend.settings.queryOptions.lookbackDelta, externalLabels: external)
            let escaping = NameEscapingScheme.requested(byAccept: request.headers[.accept] ?? "") ?? .underscores
            let version = escaping == .allowUTF8 ? "1.0.0" : "0.0.4"
            return Response(status: .ok, headers: [.contentType: "text/plain; version=\(version); charset=utf-8; escaping=\(escaping.rawValue)"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: samples.exposition(escaping: escaping))))
        }
        router.get("/federate", use: federate)
    }
}

/// The newest sample of each federated series, and their text exposition.
struct FederatedSamples {
    var series: [(labels: Labels, t: Int64, v: Double)] = []

    static func collect(_ querier: any Querier, selectors: [[LabelMatcher]], at now: Int64, lookback: Int64,
                        externalLabels: Labels) -> FederatedSamples {
        var seen = Set<Labels>()
        var out = FederatedSamples()
        let (mint, overflow) = now.subtractingReportingOverflow(max(lookback, 0))
        var times: [Int64] = [], values: [Double] = []
        for matchers in selectors {
            for s in querier.select(matchers, mint: overflow ? .min : mint, maxt: now, sorted: false) where seen.insert(s.labels).inserted {
                times.removeAll(keepingCapacity: true)
                values.removeAll(keepingCapacity: true)
                s.appendSamples(mint: overflow ? .min : mint, maxt: now, times: &times, values: &values)
                guard let t = times.last, let v = values.last, !StaleNaN.isStale(v) else { continue }
                out.series.append((s.labels.addingAbsent(externalLabels), t, v))
            }
        }
        out.series.sort { a, b in
            let (na, nb) = (a.labels["__name__"], b.labels["__name__"])
            return na != nb ? na < nb : a.labels < b.labels
        }
        return out
    }

    /// The text format: a `# TYPE … untyped` line per metric name, then one line per series with
    /// its timestamp. With ``NameEscapingScheme/allowUTF8`` (text format 1.0.0) a name that is not
    /// a legacy name is quoted, the metric name then inside the braces (`{"my.metric","a.b"="1"}`);
    /// with the other schemes (text format 0.0.4) such names are escaped.
    func exposition(escaping: NameEscapingScheme = .underscores) -> [UInt8] {
        var out = ""
        var current: String?
        for (labels, t, v) in series {
            let raw = labels["__name__"]
            let quoted = escaping == .allowUTF8 && !LabelName.isValidLegacyMetric(raw)
            let name = quoted ? "\"" + Self.escape(raw) + "\"" : escaping.escape(metricName: raw)
            if raw != current {
                out += "# TYPE \(name) untyped\n"
                current = raw
            }
            var inside = labels.pairs.filter { $0.name != "__name__" }.map { pair -> String in
                let label = escaping == .allowUTF8 && !LabelName.isValidLegacy(pair.name)
                    ? "\"" + Self.escape(pair.name) + "\"" : escaping.escape(labelName: pair.name)
                return label + "=\"" + Self.escape(pair.value) + "\""
            }
            if quoted {
                inside.insert(name, at: 0)
            } else {
                out += name
            }
            if !inside.isEmpty { out += "{" + inside.joined(separator: ",") + "}" }
            out += " " + GoFloat.format(v) + " " + String(t) + "\n"
        }
        return Array(out.utf8)
    }

    /// A label value as the text format quotes it: backslash, double quote and newline escaped.
    static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
