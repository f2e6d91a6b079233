import Config
import MetricModel

/// A target after relabeling: what to scrape and the labels its samples carry.
public struct ScrapeTarget: Sendable, Hashable {
    /// Labels after relabeling, including the `__`-prefixed ones that shape the URL.
    public let labels: Labels
    /// Labels as discovered, before relabeling.
    public let discoveredLabels: Labels
    public let url: String
    public let interval: PromDuration
    public let timeout: PromDuration

    /// Labels attached to every scraped sample: the relabeled ones without a `__` prefix.
    public var sampleLabels: Labels { Labels(sorted: labels.pairs.filter { !$0.name.hasPrefix(LabelName.reservedPrefix) }) }

    /// Stable identity across restarts, used for the scrape phase.
    public var hash: UInt64 {
        var h = FNV1a64()
        h.add(url)
        var l = labels.stableHash
        for _ in 0..<8 { h.add(byte: UInt8(truncatingIfNeeded: l)); l >>= 8 }
        return h.value
    }
}

/// A target that relabeling dropped, kept for `/api/v1/targets`.
public struct DroppedTarget: Sendable, Hashable {
    public let discoveredLabels: Labels
}

/// Turns discovered target groups into scrape targets, as Prometheus does.
public enum TargetBuilder {
    public enum Outcome: Sendable, Hashable {
        case target(ScrapeTarget)
        case dropped(DroppedTarget)
        /// A target whose labels are unusable (bad interval, no address...).
        case invalid(discovered: Labels, reason: String)
    }

    public static func build(_ groups: [TargetGroup], config: ScrapeConfig) -> [Outcome] {
        var out: [Outcome] = []
        for group in groups {
            for (i, address) in group.targets.enumerated() {
                let own = i < group.targetLabels.count ? group.targetLabels[i] : .empty
                out.append(build(address: address, groupLabels: group.labels, targetLabels: own, config: config))
            }
        }
        return out
    }

    static func build(address: String, groupLabels: Labels, targetLabels: Labels = .empty, config: ScrapeConfig) -> Outcome {
        var b = LabelsBuilder(groupLabels)
        for l in targetLabels.pairs { b[l.name] = l.value }
        b[LabelName.address] = address
        b[LabelName.job] = config.jobName
        b[LabelName.scheme] = config.scheme
        b[LabelName.metricsPath] = config.metricsPath
        b[LabelName.scrapeInterval] = config.scrapeInterval.description
        b[LabelName.scrapeTimeout] = config.scrapeTimeout.description
        for (name, values) in config.params where !values.isEmpty {
            if b[LabelName.paramPrefix + name].isEmpty { b[LabelName.paramPrefix + name] = values[0] }
        }
        let discovered = b.labels()
        guard let relabeled = Relabeling.process(discovered, config.relabelConfigs) else {
            return .dropped(DroppedTarget(discoveredLabels: discovered))
        }
        var r = LabelsBuilder(relabeled)
        let addr = r[LabelName.address]
        guard !addr.isEmpty else { return .invalid(discovered: discovered, reason: "no address") }
        // A probe target may be a URL; a scrape target is a host and port.
        guard config.probe != nil || !addr.contains("/") else { return .invalid(discovered: discovered, reason: "\"\(addr)\" is not a valid hostname") }
        let interval: PromDuration
        let timeout: PromDuration
        do {
            interval = try PromDuration(parsing: r[LabelName.scrapeInterval])
            timeout = try PromDuration(parsing: r[LabelName.scrapeTimeout])
        } catch {
            return .invalid(discovered: discovered, reason: "error parsing scrape interval or timeout: \(error)")
        }
        guard interval.milliseconds > 0 else { return .invalid(discovered: discovered, reason: "scrape interval cannot be 0") }
        guard timeout <= interval else {
            return .invalid(discovered: discovered, reason: "scrape timeout cannot be greater than scrape interval (\"\(timeout)\" > \"\(interval)\")")
        }
        // Meta labels are dropped; `instance` defaults to the address.
        r.removeAll { $0.hasPrefix(LabelName.metaPrefix) || $0.hasPrefix(LabelName.tmpPrefix) }
        if r[LabelName.instance].isEmpty { r[LabelName.instance] = addr }
        let final = r.labels()
        // A probe job's "URL" is what it probes: the exporter-style `__param_target` when the
        // relabeling set one, else the address.
        let probeTarget = final[LabelName.paramPrefix + "target"].isEmpty ? addr : final[LabelName.paramPrefix + "target"]
        return .target(ScrapeTarget(labels: final, discoveredLabels: discovered, url: config.probe != nil ? probeTarget : url(for: final),
                                    interval: interval, timeout: timeout))
    }

    /// `scheme://address/path?param=value` from the target's labels.
    static func url(for labels: Labels) -> String {
        var path = labels[LabelName.metricsPath]
        if !path.hasPrefix("/") { path = "/" + path }
        var query: [String] = []
        for l in labels.pairs where l.name.hasPrefix(LabelName.paramPrefix) {
            query.append(percentEncode(String(l.name.dropFirst(LabelName.paramPrefix.count))) + "=" + percentEncode(l.value))
        }
        let scheme = labels[LabelName.scheme].isEmpty ? "http" : labels[LabelName.scheme]
        return scheme + "://" + labels[LabelName.address] + path + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(Unicode.Scalar(b))
            if c.isASCII && (c.isLetter || c.isNumber || "-_.~".contains(c)) { out.append(c) } else { out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2) }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
