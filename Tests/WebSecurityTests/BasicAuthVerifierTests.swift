import ConfigSupport
import Testing
import WebSecurity

/// Basic-auth checks with hummingbird-auth's bcrypt.
@Suite struct BasicAuthVerifierTests {
    static let alice = BcryptHash.hash("alice-pw", cost: 6)!
    static let bob = BcryptHash.hash("bob-pw", cost: 6)!

    @Test func admitsAUserWithTheirOwnPasswordOnly() async {
        let verifier = BasicAuthVerifier(users: ["alice": Secret(Self.alice), "bob": Secret(Self.bob)])
        #expect(await verifier.verify(user: "alice", password: "alice-pw"))
        #expect(await verifier.verify(user: "bob", password: "bob-pw"))
        #expect(!(await verifier.verify(user: "alice", password: "bob-pw")))
        #expect(!(await verifier.verify(user: "alice", password: "")))
        #expect(!(await verifier.verify(user: "Alice", password: "alice-pw")))
        #expect(!(await verifier.verify(user: "", password: "")))
        #expect(!(await verifier.verify(user: "mallory", password: "alice-pw")))
    }

    @Test func rememberedResultsStayCorrect() async {
        let verifier = BasicAuthVerifier(users: ["alice": Secret(Self.alice)])
        for _ in 0..<3 {
            #expect(await verifier.verify(user: "alice", password: "alice-pw"))
            #expect(!(await verifier.verify(user: "alice", password: "wrong")))
            #expect(!(await verifier.verify(user: "mallory", password: "x")))
        }
    }

    @Test func anUnknownUserCostsAsMuchAsAWrongPassword() async {
        let slow = BcryptHash.hash("pw", cost: 10)!
        let verifier = BasicAuthVerifier(users: ["alice": Secret(slow)])
        let clock = ContinuousClock()
        let unknown = await clock.measure { _ = await verifier.verify(user: "mallory", password: "guess-1") }
        let wrong = await clock.measure { _ = await verifier.verify(user: "alice", password: "guess-2") }
        // bcrypt at cost 10 takes tens of milliseconds; both answers must pay it.
        #expect(unknown > wrong / 3, "unknown \(unknown), wrong password \(wrong)")
    }
}
