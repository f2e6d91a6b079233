import Foundation
import NIOCore
import PromQL
import Testing
@testable import HTTPAPI

@Suite struct ParseTreeJSONTests {
    static func tree(_ query: String) throws -> [String: Any] {
        var w = JSONWriter()
        ParseTreeJSON.write(try Parser.parse(query), into: &w)
        let object = try JSONSerialization.jsonObject(with: Data(String(buffer: w.buffer).utf8))
        return try #require(object as? [String: Any])
    }

    @Test func describesEveryNodeAsPrometheusUIExpectsIt() throws {
        let root = try Self.tree("sum by (job) (rate(foo{a=\"b\"}[5m] offset 1h)) / on (x) group_left (y) -topk(3, bar @ start())")
        #expect(root["type"] as? String == "binaryExpr")
        #expect(root["op"] as? String == "/")
        #expect(root["bool"] as? Bool == false)
        let matching = try #require(root["matching"] as? [String: Any])
        #expect(matching["card"] as? String == "many-to-one")
        #expect(matching["labels"] as? [String] == ["x"])
        #expect(matching["include"] as? [String] == ["y"])
        #expect(matching["on"] as? Bool == true)

        let sum = try #require(root["lhs"] as? [String: Any])
        #expect(sum["type"] as? String == "aggregation")
        #expect(sum["grouping"] as? [String] == ["job"])
        #expect(sum["param"] is NSNull)
        let call = try #require(sum["expr"] as? [String: Any])
        #expect(call["type"] as? String == "call")
        let function = try #require(call["func"] as? [String: Any])
        #expect(function["name"] as? String == "rate")
        #expect(function["argTypes"] as? [String] == ["matrix"])
        #expect(function["returnType"] as? String == "vector")
        let matrix = try #require((call["args"] as? [[String: Any]])?.first)
        #expect(matrix["type"] as? String == "matrixSelector")
        #expect(matrix["range"] as? Int == 300_000)
        #expect(matrix["offset"] as? Int == 3_600_000)
        #expect(matrix["name"] as? String == "foo")
        let matchers = try #require(matrix["matchers"] as? [[String: String]])
        #expect(matchers.contains(["name": "a", "type": "=", "value": "b"]))
        #expect(matchers.contains(["name": "__name__", "type": "=", "value": "foo"]))

        let negated = try #require(root["rhs"] as? [String: Any])
        #expect(negated["type"] as? String == "unaryExpr")
        let topk = try #require(negated["expr"] as? [String: Any])
        #expect((topk["param"] as? [String: Any])?["val"] as? String == "3")
        let selector = try #require(topk["expr"] as? [String: Any])
        #expect(selector["type"] as? String == "vectorSelector")
        #expect(selector["startOrEnd"] as? String == "start")
        #expect(selector["timestamp"] is NSNull)
    }

    @Test func describesSubqueriesLiteralsAndParentheses() throws {
        let root = try Self.tree("(max_over_time(x[10m:1m] @ 100) > bool 2) or label_replace(y, \"a\", \"b\", \"c\", \"d\")")
        let paren = try #require(root["lhs"] as? [String: Any])
        #expect(paren["type"] as? String == "parenExpr")
        let comparison = try #require(paren["expr"] as? [String: Any])
        #expect(comparison["bool"] as? Bool == true)
        let subquery = try #require(((comparison["lhs"] as? [String: Any])?["args"] as? [[String: Any]])?.first)
        #expect(subquery["type"] as? String == "subquery")
        #expect(subquery["range"] as? Int == 600_000)
        #expect(subquery["step"] as? Int == 60_000)
        #expect(subquery["timestamp"] as? Int == 100_000)
        let replace = try #require(root["rhs"] as? [String: Any])
        #expect(((replace["args"] as? [[String: Any]])?[1])?["type"] as? String == "stringLiteral")
    }
}
