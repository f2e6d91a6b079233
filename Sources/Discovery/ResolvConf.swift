import Foundation

/// The system resolver's settings from `/etc/resolv.conf`: which servers to ask and how to
/// complete a relative name, read as the C library and Go read them.
package struct ResolvConf: Sendable, Equatable {
    package var nameservers: [String] = []
    package var search: [String] = []
    package var ndots = 1
    /// Seconds to wait for one server's answer.
    package var timeoutSeconds = 5
    /// Rounds over all servers.
    package var attempts = 2

    package init() {}

    package init(parsing text: String) {
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let keyword = fields.first else { continue }
            switch keyword {
            case "nameserver":
                if fields.count > 1, nameservers.count < 3 { nameservers.append(fields[1]) }
            case "search", "domain":
                search = Array(fields.dropFirst()).map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
            case "options":
                for option in fields.dropFirst() {
                    let parts = option.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, let n = Int(parts[1]), n >= 0 else { continue }
                    switch parts[0] {
                    case "ndots": ndots = min(n, 15)
                    case "timeout": timeoutSeconds = min(max(n, 1), 30)
                    case "attempts": attempts = min(max(n, 1), 5)
                    default: break
                    }
                }
            default:
                continue
            }
        }
        if nameservers.isEmpty { nameservers = ["127.0.0.1", "::1"] }
    }

    /// The system's settings (the defaults when the file cannot be read).
    package static func system(path: String = "/etc/resolv.conf") -> ResolvConf {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return ResolvConf(parsing: "") }
        return ResolvConf(parsing: text)
    }

    /// The absolute names to try for `name`, in order: a name ending in a dot as it is; one with
    /// at least `ndots` dots as it is first, then with each search domain; others the other way round.
    package func candidates(for name: String) -> [String] {
        if name.hasSuffix(".") { return [name] }
        let withSearch = search.map { name + "." + $0 + "." }
        let dots = name.filter { $0 == "." }.count
        return dots >= ndots ? [name + "."] + withSearch : withSearch + [name + "."]
    }
}
