import MetricModel

/// A JSON object written member by member; empty strings are left out, as Slack's (and
/// Alertmanager's) `omitempty` fields are.
struct JSONObjectWriter {
    private var members: [String] = []

    mutating func string(_ key: String, _ value: String) {
        if !value.isEmpty { members.append(JSONString.quote(key) + ":" + JSONString.quote(value)) }
    }

    mutating func raw(_ key: String, _ json: String) { members.append(JSONString.quote(key) + ":" + json) }

    func finish() -> String { "{" + members.joined(separator: ",") + "}" }
}
