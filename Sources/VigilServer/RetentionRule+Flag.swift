import MetricModel
import PromQL
import TSDB

extension RetentionRule {
    /// Parses one `--storage.tsdb.retention.rules` value: a series selector, then whitespace and a
    /// duration, such as `{__name__=~"python_gc_.*"} 2d`.
    package init(flag: String) throws(RetentionRuleError) {
        let text = flag.trimmingCharacters(in: .whitespaces)
        guard let split = text.lastIndex(where: { $0 == " " || $0 == "\t" }) else {
            throw RetentionRuleError("\"\(flag)\": expected a selector and a duration, such as '{__name__=~\"python_gc_.*\"} 2d'")
        }
        let selector = String(text[..<split]).trimmingCharacters(in: .whitespaces)
        let durationText = String(text[text.index(after: split)...])
        let duration: PromDuration
        do { duration = try PromDuration(parsing: durationText) } catch {
            throw RetentionRuleError("\"\(flag)\": invalid duration \"\(durationText)\": \(error)")
        }
        guard duration.milliseconds > 0 else { throw RetentionRuleError("\"\(flag)\": the duration must be positive") }
        let parsed: VectorSelector
        do { parsed = try Parser.parseSelector(selector) } catch {
            throw RetentionRuleError("\"\(flag)\": invalid selector \"\(selector)\": \(error)")
        }
        guard parsed.offset == 0, parsed.at == nil else {
            throw RetentionRuleError("\"\(flag)\": a retention selector takes no offset or @ modifier")
        }
        self.init(matchers: parsed.matchers, retention: duration, selector: selector)
    }
}

/// Why a retention rule flag does not parse.
package struct RetentionRuleError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
