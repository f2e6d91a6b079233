import MetricModel

/// Parses PromQL into an ``Expr``, checking types as Prometheus does.
public struct Parser {
    private var tokens: [Token]
    private var i = 0
    private var lexer: Lexer

    /// Parses a whole query.
    public static func parse(_ query: String) throws(ParseError) -> Expr {
        var p = try Parser(query)
        let e = try p.parseExpression(minPrecedence: 0)
        guard case .eof = p.current.kind else {
            throw p.error("unexpected \(p.describe(p.current)) after expression")
        }
        return e
    }

    /// Parses a selector such as `up{job="x"}` (the `match[]` parameter of the API).
    public static func parseSelector(_ text: String) throws(ParseError) -> VectorSelector {
        let e = try parse(text)
        guard case .vector(let sel) = e else {
            throw ParseError(line: 1, column: 1, message: "expected type instant vector selector, got \(e.type.rawValue)")
        }
        return sel
    }

    private init(_ query: String) throws(ParseError) {
        lexer = Lexer(query)
        tokens = try lexer.tokenize()
    }

    private var current: Token { tokens[min(i, tokens.count - 1)] }
    private func peek(_ k: Int = 1) -> Token { tokens[min(i + k, tokens.count - 1)] }
    private mutating func advance() { i += 1 }

    private func error(_ message: String, at token: Token? = nil) -> ParseError {
        lexer.error(message, at: (token ?? current).offset)
    }

    private func position(of t: Token) -> SourcePosition {
        let p = Lexer.position(of: t.offset, in: lexer.query)
        return SourcePosition(line: p.line, column: p.column)
    }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "end of input"
        case .identifier(let s), .metricIdentifier(let s): return "identifier \"\(s)\""
        case .number(let v): return "number \"\(v)\""
        case .duration: return "duration"
        case .string(let s): return "string \"\(s)\""
        case .invalidUTF8String(let b): return "string " + GoQuotedString.quote(bytes: b)
        case .leftParen: return "\"(\""
        case .rightParen: return "\")\""
        case .leftBrace: return "\"{\""
        case .rightBrace: return "\"}\""
        case .leftBracket: return "\"[\""
        case .rightBracket: return "\"]\""
        case .comma: return "\",\""
        case .colon: return "\":\""
        default: return "token"
        }
    }

    private mutating func expect(_ kind: Token.Kind, _ context: String) throws(ParseError) {
        guard current.kind == kind else { throw error("unexpected \(describe(current)) in \(context), expected \(describe(Token(kind: kind, offset: 0)))") }
        advance()
    }

    private func keyword(_ t: Token) -> String? {
        if case .identifier(let s) = t.kind { return s.lowercased() }
        return nil
    }

    // MARK: Binary expressions

    private func binaryOp(_ t: Token) -> BinaryOp? {
        switch t.kind {
        case .add: return .add
        case .sub: return .sub
        case .mul: return .mul
        case .div: return .div
        case .mod: return .mod
        case .pow: return .pow
        case .equal: return .eql
        case .notEqual: return .neq
        case .greater: return .gtr
        case .less: return .lss
        case .greaterEqual: return .gte
        case .lessEqual: return .lte
        case .identifier(let s):
            switch s.lowercased() {
            case "and": return .and
            case "or": return .or
            case "unless": return .unless
            case "atan2": return .atan2
            default: return nil
            }
        default: return nil
        }
    }

    /// How deeply expressions may nest: parentheses, unary operators, arguments of functions and
    /// aggregations, and binary operators chained on one side. Parsing, evaluating and printing a
    /// query recurse once per level and a thread's stack is fixed, so deeper queries are refused
    /// with an error instead of crashing the server; real queries stay far below.
    public static let maxNesting = 512

    /// Levels of nesting at the current point of the parse.
    private var nesting = 0

    private mutating func enterNesting(at t: Token) throws(ParseError) {
        nesting += 1
        if nesting > Self.maxNesting { throw error("query is nested too deeply (more than \(Self.maxNesting) levels)", at: t) }
    }

    mutating func parseExpression(minPrecedence: Int) throws(ParseError) -> Expr {
        try enterNesting(at: current)
        var folded = 1
        defer { nesting -= folded }
        var lhs = try parseUnary()
        while let op = binaryOp(current), op.precedence >= minPrecedence {
            let opToken = current
            // Each operator folded into `lhs` makes the tree one level deeper on that side.
            try enterNesting(at: opToken)
            folded += 1
            advance()
            var returnBool = false
            var matching: VectorMatching?
            if keyword(current) == "bool" {
                guard op.isComparison else { throw error("bool modifier can only be used on comparison operators") }
                returnBool = true
                advance()
            }
            if let k = keyword(current), k == "on" || k == "ignoring" {
                advance()
                var m = VectorMatching()
                m.on = k == "on"
                m.labels = try parseLabelList()
                if let g = keyword(current), g == "group_left" || g == "group_right" {
                    guard !op.isSetOperator else { throw error("no grouping allowed for \"\(op.rawValue)\" operation") }
                    advance()
                    m.cardinality = g == "group_left" ? .manyToOne : .oneToMany
                    if current.kind == .leftParen { m.include = try parseLabelList() }
                }
                matching = m
            } else if let g = keyword(current), g == "group_left" || g == "group_right" {
                throw error("unexpected <group_left/right> without on() or ignoring()")
            }
            let nextMin = op == .pow ? op.precedence : op.precedence + 1
            let rhs = try parseExpression(minPrecedence: nextMin)
            lhs = try makeBinary(op, lhs, rhs, matching: matching, returnBool: returnBool, at: opToken)
        }
        return lhs
    }

    private func makeBinary(_ op: BinaryOp, _ lhs: Expr, _ rhs: Expr, matching: VectorMatching?, returnBool: Bool, at t: Token) throws(ParseError) -> Expr {
        let lt = lhs.type, rt = rhs.type
        for side in [lt, rt] where side != .scalar && side != .vector {
            throw error("binary expression must contain only scalar and instant vector types", at: t)
        }
        if op.isComparison && !returnBool && lt == .scalar && rt == .scalar {
            throw error("comparisons between scalars must use BOOL modifier", at: t)
        }
        if op.isSetOperator && (lt == .scalar || rt == .scalar) {
            throw error("set operator \"\(op.rawValue)\" not allowed in binary scalar expression", at: t)
        }
        var m = matching
        if (lt == .scalar || rt == .scalar), let mm = m, mm.on || !mm.labels.isEmpty || mm.cardinality != .oneToOne {
            _ = mm
            throw error("vector matching only allowed between instant vectors", at: t)
        }
        if lt == .vector && rt == .vector {
            if m == nil { m = VectorMatching() }
            if op.isSetOperator { m?.cardinality = .manyToMany }
            if let mm = m, mm.cardinality == .manyToOne || mm.cardinality == .oneToMany, mm.on {
                for l in mm.include where mm.labels.contains(l) {
                    throw error("label \"\(l)\" must not occur in ON and GROUP clause at once", at: t)
                }
            }
        } else {
            m = nil
        }
        return .binary(op, lhs, rhs, matching: m, returnBool: returnBool)
    }

    private mutating func parseUnary() throws(ParseError) -> Expr {
        if current.kind == .sub || current.kind == .add {
            let negative = current.kind == .sub
            let t = current
            advance()
            // Unary minus binds tighter than * but looser than ^: -2^2 is -(2^2).
            let operand = try parseExpression(minPrecedence: BinaryOp.pow.precedence)
            guard operand.type == .scalar || operand.type == .vector else {
                throw error("unary expression only allowed on expressions of type scalar or instant vector, got \"\(operand.type.rawValue)\"", at: t)
            }
            if !negative { return operand }
            if case .number(let v) = operand { return .number(-v) }
            return .negate(operand)
        }
        return try parsePostfix(try parsePrimary())
    }

    // MARK: Primary expressions

    private mutating func parsePrimary() throws(ParseError) -> Expr {
        let t = current
        switch t.kind {
        case .number(let v):
            advance()
            return .number(v)
        case .duration(let ms):
            advance()
            return .number(Double(ms) / 1000)
        case .string(let s):
            advance()
            return .string(StringLiteral(s))
        case .invalidUTF8String(let bytes):
            advance()
            return .string(StringLiteral(bytes: bytes))
        case .leftParen:
            advance()
            let inner = try parseExpression(minPrecedence: 0)
            try expect(.rightParen, "parenthesized expression")
            return .paren(inner)
        case .leftBrace:
            return .vector(try parseSelectorBody(name: nil, start: t))
        case .metricIdentifier(let name):
            advance()
            return .vector(try parseSelectorBody(name: name, start: t))
        case .identifier(let name):
            if let agg = AggregateOp(rawValue: name.lowercased()),
               peek().kind == .leftParen || keyword(peek()) == "by" || keyword(peek()) == "without" {
                return try parseAggregation(agg)
            }
            if peek().kind == .leftParen {
                return try parseCall(name)
            }
            advance()
            return .vector(try parseSelectorBody(name: name, start: t))
        default:
            throw error("unexpected \(describe(t))")
        }
    }

    private mutating func parseSelectorBody(name: String?, start: Token) throws(ParseError) -> VectorSelector {
        var metricName = name
        var matchers: [LabelMatcher] = []
        if current.kind == .leftBrace {
            advance()
            while current.kind != .rightBrace {
                let labelToken = current
                var label: String
                switch current.kind {
                case .identifier(let s), .metricIdentifier(let s): label = s
                case .string(let s): label = s
                case .invalidUTF8String: throw error("invalid UTF-8 in label name")
                default: throw error("unexpected \(describe(current)) in label matching, expected label matching operator")
                }
                advance()
                // `{"metric.name"}` or `{"name", a="b"}`: a lone string is the metric name.
                if case .string = labelToken.kind, current.kind == .comma || current.kind == .rightBrace {
                    if metricName != nil { throw error("metric name must not be set twice: \"\(metricName ?? "")\" or \"\(label)\"", at: labelToken) }
                    metricName = label
                    if current.kind == .comma { advance() }
                    continue
                }
                let kind: LabelMatcher.Kind
                switch current.kind {
                case .assign: kind = .equal
                case .notEqual: kind = .notEqual
                case .regexMatch: kind = .regexMatch
                case .regexNoMatch: kind = .regexNoMatch
                default: throw error("unexpected \(describe(current)) in label matching, expected label matching operator")
                }
                advance()
                if case .invalidUTF8String = current.kind { throw error("invalid UTF-8 in label value") }
                guard case .string(let value) = current.kind else {
                    throw error("unexpected \(describe(current)) in label matching, expected string")
                }
                advance()
                if label == LabelName.metricName && kind == .equal && metricName != nil {
                    throw error("metric name must not be set twice: \"\(metricName ?? "")\" or \"\(value)\"", at: labelToken)
                }
                do { matchers.append(try LabelMatcher(kind, label, value)) } catch {
                    throw self.error("\(error)", at: labelToken)
                }
                label = ""
                if current.kind == .comma { advance(); continue }
                guard current.kind == .rightBrace else {
                    throw error("unexpected \(describe(current)) in label matching, expected \",\" or \"}\"")
                }
            }
            advance()
        }
        if let metricName {
            do { matchers.insert(try LabelMatcher(.equal, LabelName.metricName, metricName), at: 0) } catch {
                throw self.error("\(error)", at: start)
            }
        }
        if !matchers.contains(where: { !$0.matchesEmpty }) {
            throw error("vector selector must contain at least one non-empty matcher", at: start)
        }
        return VectorSelector(name: metricName, matchers: matchers)
    }

    private mutating func parseLabelList() throws(ParseError) -> [String] {
        try expect(.leftParen, "grouping opts")
        var labels: [String] = []
        while current.kind != .rightParen {
            switch current.kind {
            case .identifier(let s), .string(let s): labels.append(s)
            case .metricIdentifier(let s): throw error("invalid label name \"\(s)\"")
            case .invalidUTF8String(let b): throw error("invalid label name " + GoQuotedString.quote(bytes: b))
            default: throw error("unexpected \(describe(current)) in grouping opts, expected label")
            }
            advance()
            if current.kind == .comma { advance(); continue }
            guard current.kind == .rightParen else { throw error("unexpected \(describe(current)) in grouping opts, expected \")\" or \",\"") }
        }
        advance()
        return labels
    }

    /// Comma-separated expressions up to and including `)`, with where each starts.
    private mutating func parseArguments(_ context: String) throws(ParseError) -> ([Expr], [SourcePosition]) {
        var args: [Expr] = []
        var positions: [SourcePosition] = []
        while current.kind != .rightParen {
            positions.append(position(of: current))
            args.append(try parseExpression(minPrecedence: 0))
            if current.kind == .comma { advance(); continue }
            guard current.kind == .rightParen else { throw error("unexpected \(describe(current)) in \(context), expected \",\" or \")\"") }
        }
        advance()
        return (args, positions)
    }

    private mutating func parseAggregation(_ op: AggregateOp) throws(ParseError) -> Expr {
        let opToken = current
        advance()
        var grouping: [String] = []
        var without = false
        var sawGrouping = false
        if let k = keyword(current), k == "by" || k == "without" {
            advance()
            without = k == "without"
            grouping = try parseLabelList()
            sawGrouping = true
        }
        try expect(.leftParen, "aggregation")
        let (args, positions) = try parseArguments("aggregation")
        if !sawGrouping, let k = keyword(current), k == "by" || k == "without" {
            advance()
            without = k == "without"
            grouping = try parseLabelList()
        }
        let expected = op.hasParameter ? 2 : 1
        guard args.count == expected else {
            throw error("wrong number of arguments for aggregate expression provided, expected \(expected), got \(args.count)", at: opToken)
        }
        let expr = args[expected - 1]
        guard expr.type == .vector else {
            throw error("expected type instant vector in aggregation expression, got \(expr.type.rawValue)", at: opToken)
        }
        var param: Expr?
        if op.hasParameter {
            let p = args[0]
            let want: ValueType = op == .countValues ? .string : .scalar
            guard p.type == want else {
                throw error("expected type \(want.rawValue) in aggregation parameter, got \(p.type.rawValue)", at: opToken)
            }
            param = p
        }
        return .aggregate(op, expr, param: param, grouping: grouping, without: without, paramPosition: op.hasParameter ? positions.first : nil)
    }

    private mutating func parseCall(_ name: String) throws(ParseError) -> Expr {
        let nameToken = current
        guard let sig = FunctionTable.functions[name] else {
            throw error("unknown function with name \"\(name)\"")
        }
        advance()
        try expect(.leftParen, "function call")
        let (args, positions) = try parseArguments("function call")
        // Variadic functions may leave out their last argument entirely.
        let minArgs = sig.optional < 0 ? sig.args.count - 1 : sig.args.count - sig.optional
        let maxArgs = sig.optional < 0 ? Int.max : sig.args.count
        if args.count < minArgs || args.count > maxArgs {
            let expectedText = sig.optional < 0 ? "at least \(minArgs)" : (sig.optional > 0 ? "at most \(maxArgs)" : "\(maxArgs)")
            throw error("expected \(expectedText) argument(s) in call to \"\(name)\", got \(args.count)", at: nameToken)
        }
        for (k, a) in args.enumerated() {
            let want = k < sig.args.count ? sig.args[k] : (sig.args.last ?? .string)
            if a.type != want {
                throw error("expected type \(want.rawValue) in call to function \"\(name)\", got \(a.type.rawValue)", at: nameToken)
            }
        }
        return .call(name, args, positions: positions)
    }

    // MARK: Postfix: ranges, subqueries, offset, @

    private mutating func parsePostfix(_ base: Expr) throws(ParseError) -> Expr {
        var e = base
        while true {
            switch current.kind {
            case .leftBracket:
                let t = current
                advance()
                let range = try parseDurationValue("range")
                if current.kind == .colon {
                    advance()
                    var step: Int64?
                    if current.kind != .rightBracket { step = try parseDurationValue("subquery step") }
                    try expect(.rightBracket, "subquery")
                    guard e.type == .vector else {
                        throw error("subquery is only allowed on instant vector, got \(e.type.rawValue) instead", at: t)
                    }
                    e = .subquery(e, range: range, step: step, offset: 0, at: nil)
                } else {
                    try expect(.rightBracket, "range")
                    guard case .vector(let sel) = e else {
                        throw error("ranges only allowed for vector selectors", at: t)
                    }
                    if sel.offset != 0 || sel.at != nil {
                        throw error("no offset or @ modifier allowed before range", at: t)
                    }
                    e = .matrix(sel, range: range)
                }
            case .identifier(let s) where s.lowercased() == "offset":
                let t = current
                advance()
                var sign: Int64 = 1
                if current.kind == .sub { sign = -1; advance() } else if current.kind == .add { advance() }
                let d = try parseDurationValue("offset") * sign
                e = try applyOffset(e, d, at: t)
            case .at:
                let t = current
                advance()
                let at: AtModifier
                if let k = keyword(current), k == "start" || k == "end" {
                    advance()
                    try expect(.leftParen, "@ modifier")
                    try expect(.rightParen, "@ modifier")
                    at = k == "start" ? .start : .end
                } else {
                    var sign = 1.0
                    if current.kind == .sub { sign = -1; advance() } else if current.kind == .add { advance() }
                    let v: Double
                    switch current.kind {
                    case .number(let n): v = n
                    case .duration(let ms): v = Double(ms) / 1000
                    default: throw error("unexpected \(describe(current)) in @, expected timestamp")
                    }
                    advance()
                    guard let ms = Milliseconds.fromSeconds(v * sign) else {
                        throw error("timestamp out of bounds for @ modifier: \(v * sign)", at: t)
                    }
                    at = .timestamp(ms)
                }
                e = try applyAt(e, at, at: t)
            default:
                return e
            }
        }
    }

    private mutating func parseDurationValue(_ what: String) throws(ParseError) -> Int64 {
        let t = current
        switch t.kind {
        case .duration(let ms):
            guard Milliseconds.isInRange(ms) else { throw error("\(what) out of range: \(describe(t))", at: t) }
            advance()
            return ms
        case .number(let v) where v.isFinite && v >= 0:
            guard let ms = Milliseconds.fromSeconds(v) else { throw error("\(what) out of range: \(describe(t))", at: t) }
            advance()
            return ms
        default:
            throw error("unexpected \(describe(current)) in \(what), expected duration")
        }
    }

    private func applyOffset(_ e: Expr, _ d: Int64, at t: Token) throws(ParseError) -> Expr {
        switch e {
        case .vector(var s):
            guard s.offset == 0 else { throw error("offset may not be set multiple times", at: t) }
            s.offset = d
            return .vector(s)
        case .matrix(var s, let r):
            guard s.offset == 0 else { throw error("offset may not be set multiple times", at: t) }
            s.offset = d
            return .matrix(s, range: r)
        case .subquery(let inner, let r, let st, let o, let a):
            guard o == 0 else { throw error("offset may not be set multiple times", at: t) }
            return .subquery(inner, range: r, step: st, offset: d, at: a)
        default:
            throw error("offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", at: t)
        }
    }

    private func applyAt(_ e: Expr, _ at: AtModifier, at t: Token) throws(ParseError) -> Expr {
        switch e {
        case .vector(var s):
            guard s.at == nil else { throw error("@ <timestamp> may not be set multiple times", at: t) }
            s.at = at
            return .vector(s)
        case .matrix(var s, let r):
            guard s.at == nil else { throw error("@ <timestamp> may not be set multiple times", at: t) }
            s.at = at
            return .matrix(s, range: r)
        case .subquery(let inner, let r, let st, let o, let a):
            guard a == nil else { throw error("@ <timestamp> may not be set multiple times", at: t) }
            return .subquery(inner, range: r, step: st, offset: o, at: at)
        default:
            throw error("@ modifier must be preceded by an instant vector selector or range vector selector or a subquery", at: t)
        }
    }
}
