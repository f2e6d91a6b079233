import Foundation
import MetricModel

/// The functions and value shapes of Alertmanager's notification templates: label sets with
/// `.SortedPairs`, `.Names`, `.Values` and `.Remove`, and the string helpers (`join`,
/// `stringSlice`, `toUpper`, `reReplaceAll`, …).
public enum AlertmanagerTemplateFunctions {
    public static func functions() -> [String: TemplateFunction] {
        let shared = PrometheusTemplateFunctions.functions()
        var f: [String: TemplateFunction] = [:]
        for name in ["toUpper", "toLower", "title", "match", "reReplaceAll", "safeHtml", "humanizeDuration"] { f[name] = shared[name] }
        let own: [String: TemplateFunction] = [
            "join": { args throws(TemplateError) in
                guard args.count == 2, case .string(let sep) = args[0] else { throw TemplateError("join wants a separator and a list of strings") }
                return .string(try strings(args[1]).joined(separator: sep))
            },
            "stringSlice": { args throws(TemplateError) in
                for a in args { guard case .string = a else { throw TemplateError("stringSlice wants strings") } }
                return .list(args)
            },
            "trimSpace": { args throws(TemplateError) in
                guard args.count == 1, case .string(let s) = args[0] else { throw TemplateError("trimSpace wants a string") }
                return .string(s.trimmingCharacters(in: .whitespacesAndNewlines))
            },
            "safeUrl": { args throws(TemplateError) in
                guard args.count == 1, case .string(let s) = args[0] else { throw TemplateError("safeUrl wants a string") }
                return .string(s)
            },
            "urlUnescape": { args throws(TemplateError) in
                guard args.count == 1, case .string(let s) = args[0] else { throw TemplateError("urlUnescape wants a string") }
                return .string(s.removingPercentEncoding ?? s)
            },
        ]
        for (k, v) in own { f[k] = v }
        return f
    }

    /// A label set as Alertmanager's `KV`: fields are label values; methods `SortedPairs`
    /// (alertname first, then by name), `Names`, `Values` and `Remove` (a list of names).
    public static func keyValues(_ labels: Labels) -> TemplateValue {
        var dict: [String: String] = [:]
        for p in labels.pairs { dict[p.name] = p.value }
        return keyValues(dict)
    }

    static func keyValues(_ dict: [String: String]) -> TemplateValue {
        let names = sortedNames(dict)
        let pairs = names.map { TemplateValue.map(["Name": .string($0), "Value": .string(dict[$0] ?? "")]) }
        let pairList = TemplateValue.object(TemplateObject(.list(pairs), methods: [
            "Names": { _ in .list(names.map { .string($0) }) },
            "Values": { _ in .list(names.map { .string(dict[$0] ?? "") }) },
        ]))
        return .object(TemplateObject(.stringMap(dict), methods: [
            "SortedPairs": { _ in pairList },
            "Names": { _ in .list(names.map { .string($0) }) },
            "Values": { _ in .list(names.map { .string(dict[$0] ?? "") }) },
            "Remove": { args throws(TemplateError) in
                guard args.count == 1 else { throw TemplateError("Remove wants a list of label names") }
                var copy = dict
                for name in try strings(args[0]) { copy[name] = nil }
                return keyValues(copy)
            },
        ]))
    }

    static func sortedNames(_ dict: [String: String]) -> [String] {
        let rest = dict.keys.filter { $0 != "alertname" }.sorted()
        return dict["alertname"] == nil ? rest : ["alertname"] + rest
    }

    static func strings(_ v: TemplateValue) throws(TemplateError) -> [String] {
        guard case .list(let items) = v.unwrapped else { throw TemplateError("expected a list of strings, got \(v.typeName)") }
        return try items.map { (item) throws(TemplateError) in
            guard case .string(let s) = item.unwrapped else { throw TemplateError("expected a list of strings") }
            return s
        }
    }
}
