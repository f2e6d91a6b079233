import Foundation
import Testing

/// Vigil and the real Prometheus (Debian's) answer a battery in the spirit of the PromQL
/// compliance tester — every function, aggregation and operator, with each kind of vector
/// matching, over gauges, counters and classic histograms — the same, as instant and as range
/// queries, on the same data: blocks promtool writes, opened by both.
///
/// Samples never sit on a whole second, so no range window starts exactly on one: there Prometheus
/// 2 takes the sample and Vigil, like Prometheus 3, does not (README, "Differences").
@Suite(.serialized) struct PromQLComplianceIntegrationTests {
    static let gauge = "demo_memory_usage_bytes", counter = "demo_cpu_usage_seconds_total"
    static let bucket = "demo_api_request_duration_seconds_bucket"

    /// Three hours of a demo service's metrics, 15 s apart, in OpenMetrics text for promtool.
    static func history(end: Int64) -> String {
        var random = SplitMix64(seed: 7)
        let instances = (0..<3).map { "demo.example:1000\($0)" }
        var series: [(name: String, labels: String, kind: Character, start: Double)] = []
        for (i, instance) in instances.enumerated() {
            for type in ["buffers", "cached", "free", "used"] {
                series.append((gauge, "instance=\"\(instance)\",job=\"demo\",type=\"\(type)\"", "g", 1e9 * Double(i + 1)))
            }
            for mode in ["idle", "system", "user"] {
                series.append((counter, "instance=\"\(instance)\",job=\"demo\",mode=\"\(mode)\"", "c", 0))
            }
            for path in ["/api/foo", "/api/bar"] {
                let base = "instance=\"\(instance)\",job=\"demo\",method=\"GET\",path=\"\(path)\",status=\"200\""
                for le in ["0.0002", "0.0004", "0.001", "0.002", "0.004", "0.01", "0.02", "0.04", "0.1", "0.2", "+Inf"] {
                    series.append((bucket, base + ",le=\"\(le)\"", "b", 0))
                }
                series.append(("demo_api_request_duration_seconds_count", base, "b", 0))
                series.append(("demo_api_request_duration_seconds_sum", base, "c", 0))
            }
        }
        let start = end - 3 * 3600
        var lines: [[String]] = Array(repeating: [], count: series.count)
        var values = series.map(\.start)
        var t = start
        while t <= end {
            for (k, s) in series.enumerated() {
                switch s.kind {
                case "g": values[k] = max(0, values[k] + (random.unit() - 0.5) * 4e7)
                case "c": values[k] += random.unit() * 3
                default:
                    let le = s.labels.range(of: "le=\"").map { Double(s.labels[$0.upperBound...].dropLast()) ?? .infinity } ?? .infinity
                    values[k] += (100 * min(1, le * 20)).rounded(.down) + (random.unit() < 0.5 ? 0 : 1)
                }
                // 1–27 ms past the whole second: never on a window's edge.
                let ms = 1 + (k % 7) + Int(random.unit() * 20)
                lines[k].append("\(s.name){\(s.labels)} \(values[k]) \(t).\(String(format: "%03d", ms))")
            }
            t += 15
        }
        var out = ""
        for (family, type, prefixes) in [("demo_memory_usage_bytes", "gauge", [gauge]), ("demo_cpu_usage_seconds", "counter", [counter]),
                                         ("demo_api_request_duration_seconds", "histogram", [bucket, "demo_api_request_duration_seconds_sum", "demo_api_request_duration_seconds_count"])] {
            out += "# TYPE \(family) \(type)\n"
            for name in prefixes {
                for (k, s) in series.enumerated() where s.name == name { out += lines[k].joined(separator: "\n") + "\n" }
            }
        }
        return out + "# EOF\n"
    }

    /// The battery; `@start` and `@end` stand for times inside the data.
    static let queries: [String] = {
        let g = gauge, c = counter, b = bucket
        var q = [g, c, "\(g){type='free'}", "\(g){instance=~'.*:1000[01]'}", "\(g){type!~'free|used'}", "\(g) offset 90s", "count_over_time(\(g)[1m])"]
        for op in ["sum", "avg", "max", "min", "count", "stddev", "stdvar", "group"] {
            q += ["\(op)(\(g))", "\(op) by (instance) (\(g))", "\(op) without (instance) (\(g))", "\(op) by (nonexistent) (\(g))"]
        }
        for k in ["topk", "bottomk"] {
            q += ["\(k)(3, \(g))", "\(k) by (instance) (2, \(g))", "\(k) without (instance) (2, \(g))", "\(k)(1e10, \(g))", "\(k)(-1, \(g))"]
        }
        q += ["quantile(0.5, \(g))", "quantile by (instance) (0.9, \(g))", "quantile without (type) (0.1, \(g))", "quantile(-0.5, \(g))", "quantile(1.5, \(g))"]
        q += ["count_values('value', \(g) > 1e12)", "count_values by (instance) ('v', round(\(g) / 1e9))"]
        for op in ["+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<="] {
            q += ["\(g) \(op) 1.2345e9", "1.2345e9 \(op) \(g)", "\(g) \(op) \(g)", "\(g) \(op) on(instance, job, type) \(g)",
                  "\(g) \(op) ignoring(type) group_left \(g){type='free'}"]
            if ["==", "!=", ">", "<", ">=", "<="].contains(op) {
                q += ["\(g) \(op) bool 1.2345e9", "\(g) \(op) bool on(instance, job, type) \(g)", "1 \(op) bool 2"]
            }
        }
        q += ["\(g) and \(g){type='free'}", "\(g) and on(instance) \(g){type='free'}", "\(g) or \(c)", "\(g) unless \(g){type='free'}",
              "\(g) unless on(instance) \(g){type='nonexistent'}",
              "sum by (instance) (\(g)) / on(instance) group_right sum by (instance, type) (\(g))",
              "\(g) / on(instance, job) group_left sum by (instance, job) (\(g))",
              "max by (type) (\(g)) / ignoring (type) group_left max(\(g))", "\(g) / ignoring(instance) group_left avg without (instance) (\(g))"]
        for f in ["rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets"] {
            for r in ["15s", "30s", "1m", "2m", "5m"] {
                q.append("\(f)(\(["rate", "irate", "increase", "resets"].contains(f) ? c : g)[\(r)])")
            }
        }
        for f in ["avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "stddev_over_time",
                  "stdvar_over_time", "last_over_time", "present_over_time"] {
            q += ["\(f)(\(g)[2m])", "\(f)(\(g)[5m:30s])"]
        }
        q += ["quantile_over_time(0.5, \(g)[5m])", "quantile_over_time(0.95, \(g)[10m])", "predict_linear(\(g)[5m], 600)",
              "holt_winters(\(g)[10m], 0.5, 0.1)", "timestamp(\(g))", "timestamp(timestamp(\(g)))"]
        for f in ["abs", "ceil", "floor", "exp", "ln", "log2", "log10", "sqrt", "round", "sgn"] { q.append("\(f)(\(g) / 1e9)") }
        q += ["-\(g)", "round(\(g) / 1e9, 0.1)", "clamp(\(g), 1e9, 2e9)", "clamp_max(\(g), 1.5e9)", "clamp_min(\(g), 1.5e9)", "clamp(\(g), 2e9, 1e9)"]
        for quantile in ["0", "0.5", "0.9", "0.99", "1", "-0.1", "1.1"] { q.append("histogram_quantile(\(quantile), rate(\(b)[5m]))") }
        q += ["histogram_quantile(0.9, sum by (le) (rate(\(b)[5m])))", "histogram_quantile(0.9, sum by (le, instance) (rate(\(b)[1m])))",
              "histogram_quantile(0.5, sum without (instance, path) (rate(\(b)[30s])))"]
        q += ["label_replace(\(g), 'foo', '$1', 'instance', '(.*):.*')", "label_replace(\(g), 'instance', '', 'instance', '.*')",
              "label_join(\(g), 'new', '-', 'instance', 'type')", "sort(\(g))", "sort_desc(\(g))", "absent(\(g))", "absent(nonexistent)",
              "absent(nonexistent{job='x'})", "absent_over_time(nonexistent[5m])", "absent_over_time(\(g)[5m])"]
        q += ["vector(1)", "scalar(vector(1))", "scalar(\(g))", "scalar(sum(\(g)))", "time()", "\(g) * time() / 1e12", "pi()", "hour()",
              "minute()", "day_of_month()", "day_of_week()", "day_of_year()", "days_in_month()", "month()", "year()", "hour(timestamp(\(g)))"]
        q += ["max_over_time(rate(\(c)[1m])[5m:1m])", "avg_over_time(rate(\(c)[1m])[5m:10s])", "min_over_time(sum by (instance) (\(g))[10m:2m])",
              "rate(\(c)[5m:30s])", "sum_over_time(\(g)[5m:] offset 2m)", "\(g) @ @end", "rate(\(c)[5m] @ @start)", "sum(\(g) offset 5m) by (instance)"]
        q += ["1 + 2 * 3", "2 ^ 3 ^ 2", "-1 ^ 2", "(1 > bool 2) + 1", "NaN", "Inf", "-Inf", "1 / 0", "0 / 0"]
        q += ["sgn(\(g) - 1.5e9)", "\(g) > 1e9 < 2e9", "count(\(g) > 1.5e9)", "sum(rate(\(c)[1m])) by (mode)", "sum by (mode) (irate(\(c)[30s]))",
              "avg without (mode) (rate(\(c)[2m]))"]
        return q
    }()

    /// An answer reduced to what must agree: its type and its series with their points, or the
    /// error's type.
    enum Answer: Equatable {
        case error(String)
        case scalar(Point)
        case series([String: [Point]])

        struct Point: Equatable {
            var t: Double
            var v: Double
            static func == (a: Point, b: Point) -> Bool {
                // The compliance tester's tolerance: float sums in another order differ in the last bits.
                a.t == b.t && (a.v == b.v || (a.v.isNaN && b.v.isNaN) || abs(a.v - b.v) <= 1e-6 * max(abs(a.v), abs(b.v)))
            }
        }

        init(_ body: String) {
            guard let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { self = .error("unparsable"); return }
            guard json["status"] as? String == "success", let data = json["data"] as? [String: Any] else {
                self = .error(json["errorType"] as? String ?? "?")
                return
            }
            func point(_ pair: Any) -> Point {
                let p = pair as? [Any] ?? []
                return Point(t: (p.first as? NSNumber)?.doubleValue ?? .nan, v: Double(p.last as? String ?? "") ?? .nan)
            }
            if data["resultType"] as? String == "scalar" {
                self = .scalar(point(data["result"] ?? []))
                return
            }
            var out: [String: [Point]] = [:]
            for s in data["result"] as? [[String: Any]] ?? [] {
                let metric = (s["metric"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                out[metric] = ((s["values"] as? [Any]) ?? (s["value"].map { [$0] } ?? [])).map(point)
            }
            self = .series(out)
        }
    }

    @Test func vigilAnswersTheComplianceBatteryLikePrometheus() async throws {
        let promtool = "/usr/bin/promtool"
        try #require(FileManager.default.isExecutableFile(atPath: promtool), "Debian's prometheus is not installed: run scripts/install-test-deps.sh")
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Seven seconds past a whole minute: no query time, and so no subquery window's start
        // (subquery steps are multiples of 10 s), falls on a subquery point, where Prometheus 2's
        // left-closed windows and Vigil's left-open ones (Prometheus 3's) differ by design.
        let end = (Int64(Date().timeIntervalSince1970) - 3 * 3600) / 60 * 60 + 7
        try Self.history(end: end).write(toFile: dir + "/history.om", atomically: true, encoding: .utf8)
        let created = try await runToolAsync(promtool, ["tsdb", "create-blocks-from", "openmetrics", dir + "/history.om", dir + "/prometheus"])
        try #require(created.status == 0, "\(created.output)")
        try FileManager.default.createDirectory(atPath: dir + "/vigil", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir + "/prometheus", toPath: dir + "/vigil/data")

        let (prom, promBase, promDir) = try await startPrometheus(dataDirectory: dir + "/prometheus")
        defer { _ = prom; try? FileManager.default.removeItem(atPath: promDir) }
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", dir: dir + "/vigil")

        let instant = "&time=\(end - 3600)", range = "&start=\(end - 7200)&end=\(end - 600)&step=60"
        var compared = 0, differing: [String] = []
        for query in Self.queries {
            let q = query.replacingOccurrences(of: "@end", with: "\(end - 1800)").replacingOccurrences(of: "@start", with: "\(end - 7200)")
            let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
            for (path, params) in [("/api/v1/query", instant), ("/api/v1/query_range", range)] {
                let theirBody = try await HTTP.request(promBase + path + "?query=" + encoded + params, timeout: .seconds(30)).body
                let ourBody = try await HTTP.request(vigil.base + path + "?query=" + encoded + params, timeout: .seconds(30)).body
                compared += 1
                if Answer(theirBody) != Answer(ourBody) {
                    differing.append("\(path) \(q)")
                    // Both answers in the log, so a difference seen once can be read afterwards.
                    print("differs: \(path) \(q) \(params)\n  Prometheus: \(theirBody.prefix(1500))\n  Vigil: \(ourBody.prefix(1500))")
                }
            }
        }
        print("compliance battery: \(compared - differing.count) of \(compared) answers agree with Prometheus")
        #expect(differing.isEmpty, "\(differing.count) differ:\n\(differing.joined(separator: "\n"))")
        #expect(compared == 2 * Self.queries.count)
    }
}

/// A small deterministic generator (SplitMix64), so the data is the same every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A double in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
