import Alertmanager
import Foundation
import Logging
import MetricModel
import Testing

@Suite struct SilenceStoreTests {
    let hour: Int64 = 3_600_000
    let now: Int64 = 1_800_000_000_000

    func silence(_ matchers: [Silence.Matcher], from: Int64, to: Int64, id: String = "") -> Silence {
        Silence(id: id, matchers: matchers, startsAt: from, endsAt: to, createdBy: "me", comment: "test")
    }

    @Test func activeSilencesMuteMatchingAlertsOnly() throws {
        let store = SilenceStore(file: nil, logger: Logger(label: "t"))
        let id = try store.set(silence([.init(name: "alertname", value: "Down|Slow", isRegex: true)], from: now - hour, to: now + hour), now: now)
        #expect(store.silencing(Labels(["alertname": "Down"]), now: now) == [id])
        #expect(store.silencing(Labels(["alertname": "Other"]), now: now).isEmpty)
        #expect(store.get(id)?.startsAt == now, "a start in the past becomes now")
        #expect(store.silencing(Labels(["alertname": "Down"]), now: now + 2 * hour).isEmpty, "expired")
    }

    @Test(arguments: [
        ([Silence.Matcher](), "at least one matcher required"),
        ([Silence.Matcher(name: "a", value: ".*", isRegex: true)], "at least one matcher must not match the empty string"),
        ([Silence.Matcher(name: "a", value: "(", isRegex: true)], "invalid label matcher"),
        ([Silence.Matcher(name: "", value: "x", isRegex: false)], "label name must not be empty"),
    ])
    func invalidSilencesAreRefused(matchers: [Silence.Matcher], message: String) {
        let store = SilenceStore(file: nil, logger: Logger(label: "t"))
        #expect {
            try store.set(silence(matchers, from: now, to: now + hour), now: now)
        } throws: { error in
            "\(error)".contains(message)
        }
        #expect(store.all.isEmpty)
    }

    @Test func updatesInPlaceWhenAllowedAndReplacesOtherwise() throws {
        let store = SilenceStore(file: nil, logger: Logger(label: "t"))
        let m = [Silence.Matcher(name: "job", value: "api", isRegex: false)]
        let id = try store.set(silence(m, from: now, to: now + hour), now: now)
        // Extending an active silence keeps its id.
        var extended = try #require(store.get(id))
        extended.endsAt = now + 2 * hour
        #expect(try store.set(extended, now: now + 1) == id)
        // Changing the matchers expires the old one and makes a new one.
        var changed = try #require(store.get(id))
        changed.matchers = [Silence.Matcher(name: "job", value: "web", isRegex: false)]
        let newID = try store.set(changed, now: now + 2)
        #expect(newID != id)
        #expect(store.get(id)?.state(at: now + 3) == .expired)
        #expect(throws: SilenceError.notFound("nope")) { try store.set(silence(m, from: now, to: now + hour, id: "nope"), now: now) }
    }

    @Test func expiringTwiceIsAnErrorAndPendingSilencesNeverStart() throws {
        let store = SilenceStore(file: nil, logger: Logger(label: "t"))
        let m = [Silence.Matcher(name: "job", value: "api", isRegex: false)]
        let pending = try store.set(silence(m, from: now + hour, to: now + 2 * hour), now: now)
        try store.expire(pending, now: now)
        #expect(store.get(pending)?.state(at: now + hour + 1) == .expired)
        #expect(throws: SilenceError.alreadyExpired(pending)) { try store.expire(pending, now: now + 1) }
    }

    @Test func silencesSurviveARestart() throws {
        let file = NSTemporaryDirectory() + "silences-\(UInt64.random(in: 0...UInt64.max)).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let store = SilenceStore(file: file, logger: Logger(label: "t"))
        let id = try store.set(silence([.init(name: "job", value: "api", isRegex: false)], from: now, to: now + hour), now: now)
        let reopened = SilenceStore(file: file, logger: Logger(label: "t"))
        #expect(reopened.get(id) == store.get(id))
        #expect(reopened.silencing(Labels(["job": "api"]), now: now + 1) == [id])
    }

    @Test func aDamagedFileStartsEmptyInsteadOfFailing() throws {
        let file = NSTemporaryDirectory() + "silences-bad-\(UInt64.random(in: 0...UInt64.max)).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: file))
        #expect(SilenceStore(file: file, logger: Logger(label: "t")).all.isEmpty)
    }
}

@Suite struct InhibitorTests {
    let now: Int64 = 1_000_000

    func alert(_ labels: [String: String], resolved: Bool = false) -> ManagedAlert {
        ManagedAlert(labels: Labels(labels), startsAt: now - 100, endsAt: resolved ? now - 1 : nil, updatedAt: now)
    }

    func rule(_ source: String, _ target: String, equal: [String]) throws -> InhibitRule {
        InhibitRule(sourceMatchers: try MatcherSyntax.parseList(source), targetMatchers: try MatcherSyntax.parseList(target), equal: equal)
    }

    @Test func aFiringSourceMutesTargetsWithEqualLabels() throws {
        let inhibitor = Inhibitor(rules: [try rule("alertname=Down", "severity=warning", equal: ["instance"])])
        let down = alert(["alertname": "Down", "instance": "a", "severity": "critical"])
        let slowA = alert(["alertname": "Slow", "instance": "a", "severity": "warning"])
        let slowB = alert(["alertname": "Slow", "instance": "b", "severity": "warning"])
        let all = [down, slowA, slowB]
        #expect(inhibitor.inhibitors(of: slowA, among: all, now: now) == [down.fingerprint])
        #expect(inhibitor.inhibitors(of: slowB, among: all, now: now).isEmpty, "other instance")
        #expect(inhibitor.inhibitors(of: down, among: all, now: now).isEmpty)
        let resolvedDown = alert(["alertname": "Down", "instance": "a", "severity": "critical"], resolved: true)
        #expect(inhibitor.inhibitors(of: slowA, among: [resolvedDown, slowA], now: now).isEmpty, "resolved sources do not inhibit")
    }

    @Test func alertsMatchingBothSidesDoNotInhibitEachOther() throws {
        let inhibitor = Inhibitor(rules: [try rule("severity=~critical|warning", "severity=~critical|warning", equal: ["alertname"])])
        let a = alert(["alertname": "X", "severity": "critical", "instance": "1"])
        let b = alert(["alertname": "X", "severity": "warning", "instance": "2"])
        #expect(inhibitor.inhibitors(of: a, among: [a, b], now: now).isEmpty)
        #expect(inhibitor.inhibitors(of: b, among: [a, b], now: now).isEmpty)
    }
}
