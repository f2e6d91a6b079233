import Foundation
import Testing

/// Native histogram samples as Vigil's `tsdb dump` and Prometheus' query API show them, for
/// tests that compare the two.
enum NativeHistogramSamples {
    /// A histogram sample compared by what both sides print exactly: count, sum and each bucket's
    /// count, oldest bucket first (bounds are not compared: Prometheus' schema table and Vigil's
    /// arithmetic may differ in the last place).
    struct Histogram: Hashable, CustomStringConvertible {
        var count: Double
        var sum: Double
        var bucketCounts: [Double]
        var isStale: Bool { sum.isNaN && count == 0 && bucketCounts.isEmpty }
        var description: String { "{count: \(count), sum: \(sum), buckets: \(bucketCounts)}" }
    }

    /// The histogram samples `vigil tsdb dump` prints for one metric, by timestamp. A line is
    /// `{labels} {count:…, sum:…, (lower,upper]:count, …} timestamp`; a staleness marker's sum is NaN.
    static func dumped(_ vigil: VigilInstance, _ name: String) async throws -> [Int64: Histogram] {
        let run = try await runToolAsync(Paths.vigil, ["tsdb", "dump", "--storage.tsdb.path=\(vigil.dir)/data", "--match", "__name__=\(name)"])
        var out: [Int64: Histogram] = [:]
        for line in run.output.split(separator: "\n") {
            guard let open = line.range(of: "} {count:"), let space = line.lastIndex(of: " "), let t = Int64(line[line.index(after: space)...]) else { continue }
            let body = line[line.index(open.lowerBound, offsetBy: 2)..<space].dropFirst().dropLast()
            var count = 0.0, sum = 0.0, buckets: [Double] = []
            for field in body.components(separatedBy: ", ") {
                guard let colon = field.lastIndex(of: ":") else { continue }
                let value = Double(field[field.index(after: colon)...]) ?? .nan
                if field.hasPrefix("count:") { count = value } else if field.hasPrefix("sum:") { sum = value } else { buckets.append(value) }
            }
            out[t] = Histogram(count: count, sum: sum, bucketCounts: buckets)
        }
        return out
    }

    /// What Prometheus' query API serves for the last hour of one metric, by timestamp.
    static func served(port: Int, name: String) async throws -> [Int64: Histogram] {
        try await served(base: "http://127.0.0.1:\(port)", name: name)
    }

    /// What a query API (Prometheus' or Vigil's) serves for the last hour of one metric, by timestamp.
    static func served(base: String, name: String) async throws -> [Int64: Histogram] {
        var out: [Int64: Histogram] = [:]
        for series in try await result(base: base, query: "\(name)[1h]") {
            for point in series["histograms"] as? [[Any]] ?? [] {
                guard let t = point[0] as? Double, let h = point[1] as? [String: Any] else { continue }
                out[Int64((t * 1000).rounded())] = histogram(h)
            }
        }
        return out
    }

    /// A histogram in the query API's JSON: `{"count","sum","buckets":[[rule,lower,upper,count]…]}`.
    static func histogram(_ h: [String: Any]) -> Histogram {
        let buckets = (h["buckets"] as? [[Any]] ?? []).map { number($0.last) }
        return Histogram(count: number(h["count"]), sum: number(h["sum"]), bucketCounts: buckets)
    }

    /// The buckets of a histogram in the query API's JSON as written: boundary rule, bounds, count.
    static func bucketLayout(_ h: [String: Any]) -> [[Double]] {
        (h["buckets"] as? [[Any]] ?? []).map { b in b.map { ($0 as? Int).map(Double.init) ?? ($0 as? Double) ?? number($0) } }
    }

    /// The configuration of a Prometheus that scrapes the native histogram target every 200 ms
    /// (more sections may follow it).
    static func prometheusScrapeConfig(targetPort: Int) -> String {
        """
        global:
          scrape_interval: 200ms
          scrape_timeout: 200ms
        scrape_configs:
          - job_name: model
            static_configs:
              - targets: ['127.0.0.1:\(targetPort)']

        """
    }

    static func number(_ any: Any?) -> Double { (any as? String).flatMap(Double.init) ?? .nan }

    /// The `result` array of a query (instant at `time` seconds, or now).
    static func result(base: String, query: String, time: Double? = nil) async throws -> [[String: Any]] {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let reply = try await HTTP.request(base + "/api/v1/query?query=\(encoded)" + (time.map { "&time=\($0)" } ?? ""))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any], "\(reply.body.prefix(500))")
        return try #require((json["data"] as? [String: Any])?["result"] as? [[String: Any]], "\(query): \(reply.body.prefix(500))")
    }
}
