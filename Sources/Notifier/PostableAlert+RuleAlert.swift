import Alertmanager
import Foundation
import MetricModel
import Rules

extension PostableAlert {
    /// The wire form of a rule's alert: resolved alerts end when they resolved, firing ones when
    /// their validity runs out; the generator URL opens the rule's expression in Vigil.
    public init(_ n: AlertNotification, externalURL: String) {
        let a = n.alert
        let endsAt = a.state == .inactive ? a.resolvedAt : a.validUntil
        var base = externalURL
        if base.hasSuffix("/") { base.removeLast() }
        let query = n.expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? ""
        self.init(labels: a.labels, annotations: Labels(a.annotations), startsAt: a.activeAt, endsAt: endsAt,
                  generatorURL: base + "/graph?g0.expr=" + query + "&g0.tab=1")
    }
}
