import Foundation
import MetricModel
import TSDB

/// Runs PromQL test scripts against a fresh in-memory head.
public struct TestScriptRunner: Sendable {
    /// The outcome of one script.
    public struct Report: Sendable {
        public var file: String
        public var passed = 0
        public var failures: [(line: Int, message: String)] = []

        public var summary: String { "\(passed) passed, \(failures.count) failed" }
    }

    /// Functions whose result depends on the evaluation time even with fixed inputs; queries
    /// using them are not re-run with `@` (as in Prometheus' own runner).
    static let atUnsafeFunctions: Set<String> = ["days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute",
                                                 "month", "year", "predict_linear", "time", "step", "range", "start", "end"]

    public let engine: Engine

    public init(engine: Engine = Engine()) { self.engine = engine }

    public func run(file: String) -> Report {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            var r = Report(file: file)
            r.failures.append((0, "cannot read \(file)"))
            return r
        }
        return run(text, file: file)
    }

    public func run(_ text: String, file: String) -> Report {
        var report = Report(file: file)
        let script: TestScript
        do { script = try TestScript.parse(text) } catch {
            report.failures.append((0, "\(error)"))
            return report
        }
        var head = Head.inMemory()
        for command in script.commands {
            switch command {
            case .clear:
                head = Head.inMemory()
            case .load(let interval, let series, let nhcb, let line):
                // A series listed twice keeps the later line's values, as in Prometheus.
                var merged: [Labels: [Int64: SeriesValues.Point]] = [:]
                var order: [Labels] = []
                for (labels, points) in series {
                    if merged[labels] == nil { order.append(labels) }
                    for (k, p) in points.enumerated() where p != .missing { merged[labels, default: [:]][Int64(k) * interval] = p }
                }
                var app = head.appender()
                for labels in order {
                    for (t, p) in (merged[labels] ?? [:]).sorted(by: { $0.key < $1.key }) {
                        switch p {
                        case .value(let v): _ = app.append(ref: nil, labels: labels, t: t, v: v)
                        case .histogram(let h): _ = app.append(ref: nil, labels: labels, t: t, histogram: .float(h))
                        case .missing: break
                        }
                    }
                }
                if nhcb { Self.appendCustomBucketHistograms(series, interval: interval, to: &app) }
                do { _ = try app.commit() } catch { report.failures.append((line, "load failed: \(error)")) }
            case .eval(let c):
                if let problem = check(c, head: head) {
                    report.failures.append((c.line, "\(c.query): \(problem)"))
                } else {
                    report.passed += 1
                }
            }
        }
        return report
    }

    /// The series of one classic histogram in a `load_with_nhcb` block.
    private struct ClassicHistogramParts {
        var buckets: [(upper: Double, points: [SeriesValues.Point])] = []
        var count: [SeriesValues.Point]?
        var sum: [SeriesValues.Point]?
    }

    /// `load_with_nhcb`: beside the classic series, each classic histogram (its `_bucket` series
    /// with `le`, `_count` and `_sum`) is also loaded as one native histogram with custom buckets
    /// under its base name, at every step where all its buckets have a value.
    static func appendCustomBucketHistograms(_ series: [(Labels, [SeriesValues.Point])], interval: Int64, to app: inout some Appender) {
        var histograms: [Labels: ClassicHistogramParts] = [:]
        var order: [Labels] = []
        for (labels, points) in series where !points.contains(where: \.isHistogram) {
            let name = labels.metricName
            guard let suffix = ["_bucket", "_count", "_sum"].first(where: { name.hasSuffix($0) }) else { continue }
            var b = LabelsBuilder(labels.removing("le"))
            b[LabelName.metricName] = String(name.dropLast(suffix.count))
            let key = b.labels()
            if histograms[key] == nil { order.append(key) }
            switch suffix {
            case "_bucket":
                guard let upper = Double(labels["le"]) ?? BucketQuantile.parseBound(labels["le"]) else { continue }
                histograms[key, default: ClassicHistogramParts()].buckets.append((upper, points))
            case "_count": histograms[key, default: ClassicHistogramParts()].count = points
            default: histograms[key, default: ClassicHistogramParts()].sum = points
            }
        }
        for key in order {
            guard let parts = histograms[key], !parts.buckets.isEmpty else { continue }
            let steps = parts.buckets.map(\.points.count).max() ?? 0
            func value(_ points: [SeriesValues.Point]?, _ k: Int) -> Double? {
                guard let points, k < points.count, case .value(let v) = points[k] else { return nil }
                return v
            }
            for k in 0..<steps {
                let t = Int64(k) * interval
                var cumulative: [(upper: Double, count: Double)] = []
                for bucket in parts.buckets {
                    guard let v = value(bucket.points, k) else { break }
                    cumulative.append((bucket.upper, v))
                }
                guard cumulative.count == parts.buckets.count else { continue }
                if cumulative.contains(where: { StaleNaN.isStale($0.count) }) {
                    _ = app.append(ref: nil, labels: key, t: t, v: StaleNaN.value)
                    continue
                }
                guard var h = FloatHistogram(classicBuckets: cumulative, requiringInfinity: false) else { continue }
                if let count = value(parts.count, k) { h.count = count }
                h.sum = value(parts.sum, k) ?? 0
                _ = app.append(ref: nil, labels: key, t: t, histogram: .float(h))
            }
        }
    }

    static func walk(_ e: Expr, _ visit: (Expr) -> Void) {
        visit(e)
        switch e {
        case .subquery(let inner, _, _, _, _), .negate(let inner), .paren(let inner): walk(inner, visit)
        case .call(_, let args, _): for a in args { walk(a, visit) }
        case .aggregate(_, let inner, let param, _, _, _):
            walk(inner, visit)
            if let param { walk(param, visit) }
        case .binary(_, let l, let r, _, _):
            walk(l, visit)
            walk(r, visit)
        default: break
        }
    }

    /// Returns nil when the case holds, or what went wrong.
    func check(_ c: TestScript.EvalCase, head: Head) -> String? {
        let expr: Expr
        do { expr = try Parser.parse(c.query) } catch {
            return c.expectFail ? checkFailure(QueryError(.badData, error.description), c) : "unexpected parse error: \(error)"
        }
        if let range = c.range {
            do {
                let result = try engine.prepareRange(expr, start: range.start, end: range.end, step: range.step, querier: head).run()
                if c.expectFail { return "expected an error, got a result" }
                if let problem = checkAnnotations(result, c) { return problem }
                return compareRange(result.value, c, start: range.start, step: range.step)
            } catch {
                return c.expectFail ? checkFailure(error, c) : "unexpected error: \(error.message)"
            }
        }
        let at = c.instantAt ?? 0
        var variants: [(Expr, Int64)] = [(expr, at)]
        if let fixed = Self.withAt(expr, at), fixed != expr {
            let times: [Int64] = at == 0 ? [-1000, 1000] : [-10 * at, 0, at / 5, 10 * at]
            variants += times.map { (fixed, $0) }
            variants.append((fixed, at))
        }
        for (e, t) in variants {
            let suffix = e == expr ? "" : " (re-run with @ \(Double(at) / 1000) at \(Double(t) / 1000)s)"
            do {
                let result = try engine.prepareInstant(e, at: t, querier: head).run()
                if c.expectFail { return "expected an error, got a result" + suffix }
                if e == expr, let problem = checkAnnotations(result, c) { return problem }
                if let problem = compareInstant(result.value, c) { return problem + suffix }
            } catch {
                if !c.expectFail { return "unexpected error: \(error.message)" + suffix }
                if let problem = checkFailure(error, c) { return problem + suffix }
            }
        }
        return nil
    }

    /// `expect warn|info` must each be met, and then every annotation of that kind must be expected;
    /// `no_warn`/`no_info` forbid them; with neither, annotations are not checked.
    func checkAnnotations(_ result: QueryResult, _ c: TestScript.EvalCase) -> String? {
        func matches(_ a: String, _ e: (msg: String?, regex: String?)) -> Bool {
            if let m = e.msg { return a == m }
            if let r = e.regex { return (try? Regex2(r))?.firstMatch(in: a) != nil }
            return true
        }
        let warnExpected = c.warnExpectations + (c.expectWarn ? [(nil, nil)] : [])
        let infoExpected = c.infoExpectations + (c.expectInfo ? [(nil, nil)] : [])
        for (kind, got, expected, none) in [("warning", result.warnings, warnExpected, c.noWarn), ("info", result.infos, infoExpected, c.noInfo)] {
            if none, !got.isEmpty { return "unexpected \(kind) annotations: \(got)" }
            guard !expected.isEmpty else { continue }
            if got.isEmpty { return "expected a \(kind) annotation, got none" }
            for e in expected where !got.contains(where: { matches($0, e) }) {
                return "no \(kind) annotation matches \(e.msg ?? e.regex ?? "anything"); got \(got)"
            }
            for a in got where !expected.contains(where: { matches(a, $0) }) {
                return "unexpected \(kind) annotation \"\(a)\""
            }
        }
        return nil
    }

    func checkFailure(_ error: QueryError, _ c: TestScript.EvalCase) -> String? {
        if let msg = c.failMessage, msg != error.message {
            return "expected error \"\(msg)\", got \"\(error.message)\""
        }
        if let pattern = c.failRegex {
            guard let re = try? Regex2(pattern), re.firstMatch(in: error.message) != nil else {
                return "expected error matching /\(pattern)/, got \"\(error.message)\""
            }
        }
        return nil
    }

    /// The expression with `@ at` on every selector and subquery that has none (not inside
    /// subqueries), or nil when it uses a function that depends on the evaluation time.
    static func withAt(_ e: Expr, _ at: Int64) -> Expr? {
        var unsafe = false
        walk(e) { if case .call(let n, _, _) = $0, atUnsafeFunctions.contains(n) { unsafe = true } }
        if unsafe { return nil }
        func set(_ e: Expr) -> Expr {
            switch e {
            case .vector(var s):
                if s.at == nil { s.at = .timestamp(at) }
                return .vector(s)
            case .matrix(var s, let r):
                if s.at == nil { s.at = .timestamp(at) }
                return .matrix(s, range: r)
            case .subquery(let inner, let r, let st, let o, let a):
                return .subquery(inner, range: r, step: st, offset: o, at: a ?? .timestamp(at))
            case .call(let n, let args, let p): return .call(n, args.map(set), positions: p)
            case .aggregate(let op, let inner, let param, let g, let w, let pp):
                return .aggregate(op, set(inner), param: param.map(set), grouping: g, without: w, paramPosition: pp)
            case .binary(let op, let l, let r, let m, let b): return .binary(op, set(l), set(r), matching: m, returnBool: b)
            case .negate(let inner): return .negate(set(inner))
            case .paren(let inner): return .paren(set(inner))
            case .number, .string: return e
            }
        }
        return set(e)
    }

    /// Prometheus' tolerance: about 1e-6 relative, with an absolute floor near zero.
    static func almostEqual(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN && b.isNaN { return StaleNaN.isStale(a) == StaleNaN.isStale(b) }
        if a == b { return true }
        let epsilon = 1e-6
        let absSum = abs(a) + abs(b)
        let diff = abs(a - b)
        if a == 0 || b == 0 || absSum < Double.leastNormalMagnitude { return diff < epsilon * Double.leastNormalMagnitude }
        return diff / min(absSum, Double.greatestFiniteMagnitude) < epsilon
    }

    func compareInstant(_ value: Value, _ c: TestScript.EvalCase) -> String? {
        switch value {
        case .string(_, let s):
            guard let want = c.expectedString else { return "unexpected string result \"\(s)\"" }
            return want == s ? nil : "expected string \"\(want)\", got \"\(s)\""
        case .scalar(_, let v):
            guard c.expected.count == 1, c.expected[0].labels == nil, case .value(let want) = c.expected[0].points.first else {
                return "unexpected scalar result \(v)"
            }
            return Self.almostEqual(v, want) ? nil : "expected scalar \(want), got \(v)"
        case .vector(let vec):
            if c.expected.count != vec.count {
                return "expected \(c.expected.count) series, got \(vec.count): \(vec.map { "\($0.labels) \($0.histogram.map(\.description) ?? "\($0.v)")" })"
            }
            for (k, exp) in c.expected.enumerated() {
                guard let labels = exp.labels, let want = exp.points.first, want != .missing else { return "expected a scalar, got a vector" }
                let match: VectorElement?
                if c.ordered { match = vec[k].labels == labels ? vec[k] : nil } else { match = vec.first { $0.labels == labels } }
                guard let m = match else {
                    return c.ordered ? "series \(k) should be \(labels), got \(vec[k].labels)" : "missing series \(labels); got \(vec.map(\.labels))"
                }
                if let problem = Self.compare(want, value: m.v, histogram: m.histogram) { return "series \(labels): \(problem)" }
            }
            return nil
        case .matrix(let m):
            guard c.expectedRangeVector || !c.expected.isEmpty else { return "unexpected range vector result" }
            return compareMatrix(m, c.expected, start: nil, step: nil)
        }
    }

    func compareRange(_ value: Value, _ c: TestScript.EvalCase, start: Int64, step: Int64) -> String? {
        guard case .matrix(let m) = value else { return "range query did not return a matrix" }
        return compareMatrix(m, c.expected, start: start, step: step)
    }

    func compareMatrix(_ m: [MatrixSeries], _ expected: [(labels: Labels?, points: [SeriesValues.Point])], start: Int64?, step: Int64?) -> String? {
        let wanted = expected.filter { $0.points.contains { $0 != .missing } }
        if wanted.count != m.count { return "expected \(wanted.count) series, got \(m.count): \(m.map(\.labels))" }
        for exp in wanted {
            let labels = exp.labels ?? .empty
            guard let series = m.first(where: { $0.labels == labels }) else { return "missing series \(labels); got \(m.map(\.labels))" }
            // Both kinds in time order, as one list of points.
            var got: [(t: Int64, v: Double, h: FloatHistogram?)] = series.samples.map { ($0.t, $0.v, nil) } + series.histograms.map { ($0.t, 0, $0.histogram) }
            got.sort { $0.t < $1.t }
            var remaining = got[...]
            var k = 0
            for p in exp.points {
                defer { k += 1 }
                guard p != .missing else { continue }
                if let start, let step {
                    let t = start + Int64(k) * step
                    guard let s = got.first(where: { $0.t == t }) else { return "series \(labels): no point at \(Double(t) / 1000)s" }
                    if let problem = Self.compare(p, value: s.v, histogram: s.h) { return "series \(labels) at \(Double(t) / 1000)s: \(problem)" }
                } else {
                    guard let s = remaining.popFirst() else { return "series \(labels): fewer points than expected" }
                    if let problem = Self.compare(p, value: s.v, histogram: s.h) { return "series \(labels): \(problem)" }
                }
            }
            if let start, let step {
                let expectedTimes = Set(exp.points.enumerated().compactMap { k, p -> Int64? in p == .missing ? nil : start + Int64(k) * step })
                if let extra = got.first(where: { !expectedTimes.contains($0.t) }) {
                    return "series \(labels): unexpected point at \(Double(extra.t) / 1000)s"
                }
            }
        }
        return nil
    }

    /// Whether a result point is the expected one: floats within Prometheus' tolerance, histograms
    /// with the same count, sum and populated buckets (each within the tolerance); nil when it is.
    static func compare(_ expected: SeriesValues.Point, value: Double, histogram: FloatHistogram?) -> String? {
        switch (expected, histogram) {
        case (.value(let want), nil):
            return almostEqual(value, want) ? nil : "expected \(want), got \(value)"
        case (.histogram(let want), let got?):
            let a = want.populatedBuckets, b = got.populatedBuckets
            let same = almostEqual(want.count, got.count) && almostEqual(want.sum, got.sum) && a.count == b.count
                && zip(a, b).allSatisfy { x, y in
                    almostEqual(x.lower, y.lower) && almostEqual(x.upper, y.upper) && x.lowerInclusive == y.lowerInclusive
                        && x.upperInclusive == y.upperInclusive && almostEqual(x.count, y.count)
                }
            return same ? nil : "expected \(want), got \(got)"
        case (.histogram(let want), nil):
            return "expected \(want), got the float \(value)"
        case (_, let got?):
            return "expected a float, got \(got)"
        case (.missing, nil):
            return nil
        }
    }
}
