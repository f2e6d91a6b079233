import Notifier
import Testing

/// Recognising an Alertmanager target that is Vigil itself.
@Suite struct SelfAddressesTests {
    @Test func aWildcardListenerIsEveryLocalAddressAtItsPort() {
        let me = SelfAddresses(listeners: [.init(host: "0.0.0.0", port: 9093)])
        #expect(me.contains("localhost:9093"))
        #expect(me.contains("127.0.0.1:9093"))
        #expect(!me.contains("localhost:9094"), "another port is another process")
        #expect(!me.contains("192.0.2.10:9093"), "an address of no interface here")
        #expect(!me.contains("not-a-target"))
    }

    @Test func aSpecificListenerIsOnlyItsOwnAddress() {
        let me = SelfAddresses(listeners: [.init(host: "127.0.0.1", port: 9090)])
        #expect(me.contains("127.0.0.1:9090"))
        #expect(!me.contains("[::1]:9090"), "the IPv6 loopback is not where it listens")
    }
}
