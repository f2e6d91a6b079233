import Testing
@testable import MetricModel

@Suite struct AnchoredRegexTests {
    @Test(arguments: [
        ("foo", "foo", true), ("foo", "foobar", false), ("fo.*", "foobar", true), (".*bar", "foobar", true),
        (".*ob.*", "foobar", true), ("a|b|c", "b", true), ("a|b|c", "d", false), (".+", "", false), (".*", "", true),
        ("[a-c]+x", "abcx", true), ("[^a-c]+", "def", true), ("[^a-c]+", "dae", false), ("\\d{2,3}", "123", true),
        ("\\d{2,3}", "1234", false), ("(?i)FoO", "foo", true), ("a.c", "a\nc", true), ("x*", "", true),
        ("(a|ab)(c|bcd)(d*)", "abcd", true), ("[[:alpha:]]+", "abcXYZ", true), ("\\w+@\\w+\\.com", "me@site.com", true),
        ("a{0}b", "b", true), ("(?:ab)+", "ababab", true), ("(?:ab)+", "ababa", false), ("\\.", ".", true),
        ("\\.", "x", false), ("[\\d.]+", "1.5", true), ("^foo$", "foo", true),
    ])
    func matchesWholeString(pattern: String, text: String, expected: Bool) throws {
        #expect(try AnchoredRegex(pattern).matches(text) == expected)
    }

    @Test(arguments: ["(", "[a-", "a**", "\\p{Greek}", "a{1001}", "(?P<>x)", "x{3,1}", "\\k"])
    func rejectsInvalidPatterns(pattern: String) {
        #expect(throws: RegexSyntaxError.self) { try AnchoredRegex(pattern) }
    }

    @Test func pathologicalPatternRunsInLinearTime() throws {
        // A backtracking engine takes exponential time here; the Pike VM is linear.
        let re = try AnchoredRegex("(a+)+b")
        let text = String(repeating: "a", count: 20_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(!re.matches(text)) }
        #expect(elapsed < .seconds(5))
    }

    @Test func capturesFollowLeftmostFirstSemantics() throws {
        let re = try AnchoredRegex("(.*)-(\\d+)")
        let groups = try #require(re.groups("web-01-22"))
        #expect(groups[1] == "web-01")
        #expect(groups[2] == "22")
    }

    @Test func replaceAllExpandsGroups() throws {
        let re = try Regex2("(\\w+):(\\d+)")
        #expect(re.replacingAll(in: "a:1 b:2", with: "$2=${1}") == "1=a 2=b")
        #expect(try Regex2("x*").replacingAll(in: "abc", with: "-") == "-a-b-c-")
    }

    @Test(arguments: [("$1", "x"), ("${1}y", "xy"), ("$1y", ""), ("$$1", "$1"), ("a$", "a$"), ("$2", "")])
    func expandFollowsGoRules(template: String, expected: String) {
        #expect(Regex2.expand(template, groups: ["x", "x"]) == expected)
    }
}

@Suite struct PromDurationTests {
    @Test(arguments: [("15s", 15_000), ("1h30m", 5_400_000), ("500ms", 500), ("2d", 172_800_000), ("0", 0), ("1y", 31_536_000_000)])
    func parses(text: String, ms: Int64) throws {
        #expect(try PromDuration(parsing: text).milliseconds == ms)
    }

    @Test(arguments: ["", "15", "1m1h", "s", "-1s", "1.5s", "10x", "99999999999999999999s"])
    func rejects(text: String) {
        #expect(throws: PromDuration.ParseError.self) { try PromDuration(parsing: text) }
    }

    @Test func rendersCanonically() throws {
        #expect(try PromDuration(parsing: "90m").description == "1h30m")
        #expect(PromDuration(milliseconds: 0).description == "0s")
    }
}
