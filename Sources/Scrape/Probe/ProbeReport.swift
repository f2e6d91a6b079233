/// What one probe found, as the gauges the blackbox exporter writes, in the order written.
struct ProbeReport {
    private var lines: [(name: String, help: String, value: Double, labels: String)] = []
    var success = false

    mutating func set(_ name: String, _ help: String, _ value: Double, labels: String = "") {
        if let i = lines.firstIndex(where: { $0.name == name && $0.labels == labels }) { lines[i].value = value; return }
        lines.append((name, help, value, labels))
    }

    /// The certificate facts of a TLS connection: the earliest expiry in the presented chain,
    /// and the negotiated version.
    mutating func addTLS(_ chain: TLSPeerChain) {
        if let earliest = chain.expiries.min() {
            set("probe_ssl_earliest_cert_expiry", "Returns last SSL chain expiry in unixtime", earliest)
        }
        if let version = chain.version {
            set("probe_tls_version_info", "Returns the TLS version used or NaN when unknown", 1, labels: "{version=\"\(version)\"}")
        }
    }

    /// Text format 0.0.4, `probe_success` last.
    func exposition() -> [UInt8] {
        var out = ""
        var all = lines
        all.append(("probe_success", "Displays whether or not the probe was a success", success ? 1 : 0, ""))
        var described = Set<String>()
        for line in all {
            if described.insert(line.name).inserted {
                out += "# HELP \(line.name) \(line.help)\n# TYPE \(line.name) gauge\n"
            }
            out += line.name + line.labels + " " + Self.format(line.value) + "\n"
        }
        return Array(out.utf8)
    }

    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }
}
