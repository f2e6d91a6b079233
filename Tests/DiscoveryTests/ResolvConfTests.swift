@testable import Discovery
import Testing

/// `/etc/resolv.conf` read as the system resolver reads it.
@Suite struct ResolvConfTests {
    @Test func serversSearchDomainsAndOptionsAreRead() {
        let conf = ResolvConf(parsing: """
            # generated
            nameserver 10.96.0.10
            nameserver 2001:db8::53 ; second
            search monitoring.svc.cluster.local svc.cluster.local cluster.local
            options ndots:5 timeout:2 attempts:3 rotate
            """)
        #expect(conf.nameservers == ["10.96.0.10", "2001:db8::53"])
        #expect(conf.search == ["monitoring.svc.cluster.local", "svc.cluster.local", "cluster.local"])
        #expect(conf.ndots == 5 && conf.timeoutSeconds == 2 && conf.attempts == 3)
    }

    @Test func anEmptyFileFallsBackToTheLocalServer() {
        #expect(ResolvConf(parsing: "").nameservers == ["127.0.0.1", "::1"])
    }

    @Test func relativeNamesTrySearchDomainsAsNdotsSays() {
        var conf = ResolvConf(parsing: "nameserver 127.0.0.1\nsearch a.test b.test\noptions ndots:2")
        #expect(conf.candidates(for: "api") == ["api.a.test.", "api.b.test.", "api."])
        #expect(conf.candidates(for: "api.x.org") == ["api.x.org.", "api.x.org.a.test.", "api.x.org.b.test."])
        #expect(conf.candidates(for: "fixed.org.") == ["fixed.org."])
        conf.search = []
        #expect(conf.candidates(for: "api") == ["api."])
    }
}
