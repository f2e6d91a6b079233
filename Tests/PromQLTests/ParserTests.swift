import MetricModel
import Testing
@testable import PromQL

@Suite struct ParserTests {
    @Test func powerIsRightAssociativeAndBindsTighterThanUnaryMinus() throws {
        #expect(try Parser.parse("2 ^ 3 ^ 2") == .binary(.pow, .number(2), .binary(.pow, .number(3), .number(2), matching: nil, returnBool: false), matching: nil, returnBool: false))
        // -2^2 is -(2^2).
        guard case .negate(.binary(.pow, _, _, _, _)) = try Parser.parse("-2 ^ 2") else {
            Issue.record("unary minus bound too tightly")
            return
        }
    }

    @Test func multiplicationBindsTighterThanAddition() throws {
        guard case .binary(.add, .number(1), .binary(.mul, _, _, _, _), _, _) = try Parser.parse("1 + 2 * 3") else {
            Issue.record("wrong precedence")
            return
        }
    }

    @Test(arguments: ["0x1F", "1e3", "Inf", "-NaN", ".5", "1h30m", "'single'", "`raw\\n`", "\"esc\\t\\u00e9\""])
    func parsesLiterals(text: String) throws {
        _ = try Parser.parse(text)
    }

    @Test func stringEscapesMayMakeInvalidUTF8WhichPrintsBackAsWritten() throws {
        guard case .aggregate(.countValues, _, param: .string(let literal)?, _, _, _) = try Parser.parse(#"count_values("a\xc5z", up)"#) else {
            Issue.record("count_values did not parse")
            return
        }
        #expect(literal.invalidUTF8 == [0x61, 0xC5, 0x7A])
        #expect(!literal.isValidLabelName)
        #expect(literal.quoted == #""a\xc5z""#)
        #expect(try Parser.parse(#""\xe2\x82\xac""#) == .string("€"))
    }

    @Test(arguments: [#"up{job="\xff"}"#, #"{"\xff"="a"}"#, #"sum by ("\xff") (up)"#])
    func invalidUTF8CannotNameOrMatchALabel(query: String) {
        #expect(throws: ParseError.self) { try Parser.parse(query) }
    }

    @Test func durationsAreNumbersOfSeconds() throws {
        #expect(try Parser.parse("1h30m") == .number(5400))
    }

    @Test func parsesSelectorsWithQuotedNamesOffsetAndAt() throws {
        guard case .matrix(let sel, let range) = try Parser.parse(#"{"model.latency", job=~"api|web"}[5m] offset -1h @ 100"#) else {
            Issue.record("not a matrix selector")
            return
        }
        #expect(sel.name == "model.latency")
        #expect(range == 300_000)
        #expect(sel.offset == -3_600_000)
        #expect(sel.at == .timestamp(100_000))
    }

    @Test func aggregationGroupingMayComeBeforeOrAfter() throws {
        let a = try Parser.parse("sum by (job) (rate(x[5m]))")
        let b = try Parser.parse("sum(rate(x[5m])) by (job)")
        #expect(a == b)
    }

    @Test func parsesVectorMatchingWithGroupLeft() throws {
        guard case .binary(.mul, _, _, let m, _) = try Parser.parse("a * on(job) group_left(team) b") else {
            Issue.record("not a binary expression")
            return
        }
        #expect(m?.cardinality == .manyToOne)
        #expect(m?.labels == ["job"])
        #expect(m?.include == ["team"])
    }

    struct BadQuery: Sendable, CustomTestStringConvertible {
        var query: String
        var error: String
        var testDescription: String { query }
    }

    @Test(arguments: [
        BadQuery(query: "sum(rate(x[5m])", error: "1:16: parse error: unexpected end of input"),
        BadQuery(query: "rate(x)", error: "1:1: parse error: expected type range vector in call to function \"rate\", got instant vector"),
        BadQuery(query: "{}", error: "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        BadQuery(query: "x{a=\"1\"", error: "1:8: parse error: unexpected end of input in label matching"),
        BadQuery(query: "1 > 2", error: "1:3: parse error: comparisons between scalars must use BOOL modifier"),
        BadQuery(query: "foo(x)", error: "1:1: parse error: unknown function with name \"foo\""),
        BadQuery(query: "x[5m] offset 1m offset 2m", error: "1:17: parse error: offset may not be set multiple times"),
        BadQuery(query: "x{a=~\"(\"}", error: "1:3: parse error: error parsing regexp: missing closing ): `(`"),
        BadQuery(query: "1 +\n  )", error: "2:3: parse error: unexpected \")\""),
    ])
    func reportsErrorsWithPositions(_ c: BadQuery) {
        do {
            _ = try Parser.parse(c.query)
            Issue.record("accepted \(c.query)")
        } catch {
            #expect(error.description.hasPrefix(c.error), "\(error.description)")
        }
    }
}
