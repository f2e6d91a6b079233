import ConfigSupport
import Foundation
import MetricModel

/// One entry of a named `time_intervals` list: the instant matches when every field given matches
/// (times of day, weekdays, days of the month, months, years), read in `location`.
public struct TimeInterval: Sendable, Equatable {
    /// Minutes since midnight, start inclusive, end exclusive.
    public var times: [Range<Int>] = []
    /// 0 = Sunday … 6 = Saturday.
    public var weekdays: [ClosedRange<Int>] = []
    /// 1…31, or negative counting from the month's end (-1 = last day).
    public var daysOfMonth: [ClosedRange<Int>] = []
    public var months: [ClosedRange<Int>] = []
    public var years: [ClosedRange<Int>] = []
    /// An IANA zone name; UTC when absent.
    public var location: String?

    public init() {}

    /// Whether the instant (ms since the epoch) falls inside this interval.
    public func contains(_ ms: Int64) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = location.flatMap { $0 == "Local" ? TimeZone.current : TimeZone(identifier: $0) } ?? TimeZone(secondsFromGMT: 0) ?? .current
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        guard let year = c.year, let month = c.month, let day = c.day, let hour = c.hour, let minute = c.minute, let weekday = c.weekday else {
            return false
        }
        if !times.isEmpty, !times.contains(where: { $0.contains(hour * 60 + minute) }) { return false }
        if !weekdays.isEmpty, !weekdays.contains(where: { $0.contains(weekday - 1) }) { return false }
        if !daysOfMonth.isEmpty {
            let daysInMonth = calendar.range(of: .day, in: .month, for: date)?.count ?? 31
            func resolve(_ d: Int) -> Int { d < 0 ? daysInMonth + d + 1 : d }
            if !daysOfMonth.contains(where: { (resolve($0.lowerBound)...max(resolve($0.lowerBound), resolve($0.upperBound))).contains(day) }) {
                return false
            }
        }
        if !months.isEmpty, !months.contains(where: { $0.contains(month) }) { return false }
        if !years.isEmpty, !years.contains(where: { $0.contains(year) }) { return false }
        return true
    }
}

extension TimeInterval {
    static let weekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    static let monthNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                             "october", "november", "december"]

    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> TimeInterval {
        var m = try MappingReader(v, what: "time_interval", ctx)
        var t = TimeInterval()
        for item in try m.sequence("times", ctx) ?? [] {
            var tm = try MappingReader(item, what: "times", ctx)
            guard let start = try tm.string("start_time", ctx).flatMap(minutes), let end = try tm.string("end_time", ctx).flatMap(minutes) else {
                throw ctx.error(item, "times: start_time and end_time must be given as HH:MM between 00:00 and 24:00")
            }
            try tm.finish(&ctx)
            guard start < end else { throw ctx.error(item, "times: start_time cannot be equal or greater than end_time") }
            t.times.append(start..<end)
        }
        t.weekdays = try ranges(m.stringList("weekdays", ctx), v, what: "weekday", names: weekdayNames, base: 0, bounds: 0...6, &ctx)
        t.daysOfMonth = try ranges(m.stringList("days_of_month", ctx), v, what: "day of month", names: [], base: 1, bounds: -31...31, &ctx)
        if t.daysOfMonth.contains(where: { $0.lowerBound == 0 || $0.upperBound == 0 }) { throw ctx.error(v, "days_of_month: 0 is not a day") }
        t.months = try ranges(m.stringList("months", ctx), v, what: "month", names: monthNames, base: 1, bounds: 1...12, &ctx)
        t.years = try ranges(m.stringList("years", ctx), v, what: "year", names: [], base: 0, bounds: 0...9999, &ctx)
        if let loc = try m.string("location", ctx) {
            guard loc == "Local" || loc == "UTC" || TimeZone(identifier: loc) != nil else { throw ctx.error(v, "unknown time zone \(loc)") }
            t.location = loc
        }
        try m.finish(&ctx)
        return t
    }

    /// `HH:MM` → minutes since midnight.
    static func minutes(_ s: String) -> Int? {
        let parts = s.split(separator: ":")
        guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let mm = Int(parts[1]), (0...24).contains(h), (0..<60).contains(mm) else {
            return nil
        }
        let total = h * 60 + mm
        return total <= 24 * 60 ? total : nil
    }

    /// `monday:friday`, `3`, `-3:-1`, `january:march`: inclusive ranges of names or numbers.
    static func ranges(
        _ items: [String]?, _ v: YAMLValue, what: String, names: [String], base: Int, bounds: ClosedRange<Int>, _ ctx: inout DecodeContext
    ) throws(ConfigError) -> [ClosedRange<Int>] {
        var out: [ClosedRange<Int>] = []
        for item in items ?? [] {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.count == 1 || parts.count == 2 else { throw ctx.error(v, "invalid \(what) range \(GoQuotedString.quote(item))") }
            var values: [Int] = []
            for p in parts {
                if let i = names.firstIndex(of: p) { values.append(i + base) } else if let n = Int(p), bounds.contains(n) { values.append(n) } else {
                    throw ctx.error(v, "invalid \(what) \(GoQuotedString.quote(p))")
                }
            }
            let lo = values[0], hi = values.count == 2 ? values[1] : values[0]
            if (lo < 0) == (hi < 0), lo > hi { throw ctx.error(v, "\(what) range \(GoQuotedString.quote(item)): start is after end") }
            out.append(lo...max(lo, hi))
        }
        return out
    }
}
