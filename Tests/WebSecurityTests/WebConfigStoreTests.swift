import Foundation
import Testing
import WebSecurity

/// Reloads of the web configuration: a good change is taken, a broken one leaves the last good.
@Suite struct WebConfigStoreTests {
    static func write(_ text: String, to file: String) throws {
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    @Test func aGoodChangeIsTakenAndABrokenOneKeepsTheLastGood() throws {
        let dir = NSTemporaryDirectory() + "vigil-web-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/web.yml"
        let hash = BcryptHash.hash("pw", cost: 4)!
        try Self.write("basic_auth_users:\n  alice: \(hash)\n", to: file)
        let store = try WebConfigStore(file: file)
        #expect(store.current.config.basicAuthUsers.keys.sorted() == ["alice"])
        #expect(store.reloadIfChanged() == .unchanged)

        try Self.write("basic_auth_users:\n  bob: \(hash)\n", to: file)
        #expect(store.reloadIfChanged() == .reloaded)
        #expect(store.current.config.basicAuthUsers.keys.sorted() == ["bob"])

        try Self.write("basic_auth_users:\n  carol: [not, a, hash]\n", to: file)
        guard case .failed(let message) = store.reloadIfChanged() else {
            Issue.record("a broken file must be reported")
            return
        }
        #expect(message.contains("web.yml:2"))
        #expect(!store.lastReloadSucceeded)
        #expect(store.current.config.basicAuthUsers.keys.sorted() == ["bob"])
        // Reported once, not every second.
        #expect(store.reloadIfChanged() == .unchanged)

        try FileManager.default.removeItem(atPath: file)
        if case .reloaded = store.reloadIfChanged() { Issue.record("a missing file must not be taken") }
        #expect(store.current.config.basicAuthUsers.keys.sorted() == ["bob"])

        try Self.write("basic_auth_users:\n  bob: \(hash)\n", to: file)
        #expect(store.reloadIfChanged() == .reloaded)
        #expect(store.lastReloadSucceeded)
    }

    @Test func theRateLimitRefillsOneRequestPerInterval() {
        let limiter = RateLimiter(interval: .milliseconds(100), burst: 2)
        let start = ContinuousClock.now
        #expect(limiter.allow(now: start))
        #expect(limiter.allow(now: start))
        #expect(!limiter.allow(now: start))
        #expect(!limiter.allow(now: start + .milliseconds(50)))
        #expect(limiter.allow(now: start + .milliseconds(100)))
        #expect(!limiter.allow(now: start + .milliseconds(100)))
        #expect(limiter.allow(now: start + .seconds(10)))
        #expect(limiter.allow(now: start + .seconds(10)))
        #expect(!limiter.allow(now: start + .seconds(10)))
    }
}
