import Foundation

/// Text formatting shared by the `vigil tsdb` commands: aligned tables, durations, sizes, dates.
enum TSDBFormat {
    /// Rows as left-aligned columns separated by two spaces, one line each.
    static func table(_ rows: [[String]]) -> String {
        let widths = rows.reduce(into: [Int]()) { widths, row in
            for (i, cell) in row.enumerated() {
                if i == widths.count { widths.append(0) }
                widths[i] = max(widths[i], cell.count)
            }
        }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// `2h0m0s`, `1d12h`, `45m30s`, as Go prints durations (days added above 24 hours).
    static func duration(ms: Int64) -> String {
        guard ms >= 0 else { return "-" + duration(ms: ms == .min ? .max : -ms) }
        let seconds = ms / 1000
        let days = seconds / 86_400, hours = seconds % 86_400 / 3600, minutes = seconds % 3600 / 60, secs = seconds % 60
        if days > 0 { return "\(days)d\(hours)h\(minutes)m" }
        return "\(hours)h\(minutes)m\(secs)s"
    }

    /// Bytes in B, KiB, MiB or GiB with one decimal.
    static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    /// A millisecond timestamp as an RFC 3339 UTC date.
    static func date(ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
