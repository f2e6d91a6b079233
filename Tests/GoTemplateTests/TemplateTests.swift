import Testing
@testable import GoTemplate

/// Go text/template semantics and Prometheus' template functions, with the outputs Go gives.
@Suite struct TemplateTests {
    /// Expands as Prometheus expands alert labels and annotations.
    static func alert(_ text: String, labels: [String: String] = ["instance": "node-1:9100", "job": "node"], value: Double = 0.5) throws -> String {
        let defs = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$value := .Value}}"
        let data: TemplateValue = .map(["Labels": .stringMap(labels), "ExternalLabels": .stringMap(["monitor": "vigil"]), "Value": .float(value)])
        return try Template(defs + text, name: "__alert_Test").render(data, functions: PrometheusTemplateFunctions.functions(externalURL: "http://vigil:9090/prefix"))
    }

    @Test(arguments: [
        ("{{ $labels.instance }} of {{ $labels.job }} is down", "node-1:9100 of node is down"),
        ("{{ .Labels.instance }}", "node-1:9100"),
        ("{{ $labels.missing }}|", "|"),
        ("{{ $externalLabels.monitor }}", "vigil"),
        ("{{ $value }}", "0.5"),
        ("{{ if gt $value 0.4 }}high{{ else }}ok{{ end }}", "high"),
        ("{{ if lt $value 0.1 }}low{{ else if lt $value 1.0 }}mid{{ else }}high{{ end }}", "mid"),
        ("{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}", "instance=node-1:9100;job=node;"),
        ("{{ range $labels }}[{{ . }}]{{ end }}", "[node-1:9100][node]"),
        ("a {{- 1 -}} b", "a1b"),
        ("x{{/* a comment */}}y", "xy"),
        ("{{ printf \"%.2f\" $value }}", "0.50"),
        ("{{ printf \"%s has %d%%\" \"disk\" 95 }}", "disk has 95%"),
        ("{{ printf \"%5.1f|%-4s|\" 3.14159 \"ab\" }}", "  3.1|ab  |"),
        ("{{ $value | humanizePercentage }}", "50%"),
        ("{{ $x := 1 }}{{ $x = 2 }}{{ $x }}", "2"),
        ("{{ with $labels.job }}job {{ . }}{{ end }}", "job node"),
        ("{{ with $labels.nothing }}yes{{ else }}none{{ end }}", "none"),
        ("{{ define \"row\" }}[{{ . }}]{{ end }}{{ template \"row\" \"a\" }}{{ template \"row\" 2 }}", "[a][2]"),
        ("{{ eq $labels.job \"api\" \"node\" }} {{ ne 1 2 }} {{ and 1 0 }} {{ or 0 \"x\" }} {{ not true }}", "true true 0 x false"),
        ("{{ len $labels }} {{ index $labels \"job\" }} {{ len \"héllo\" }}", "2 node 6"),
        ("{{ $labels.instance | reReplaceAll \"(.*):.*\" \"$1\" }}", "node-1"),
        ("{{ reReplaceAll \"(a+)\" \"{${1}}\" \"baab\" }}", "b{aa}b"),
        ("{{ toUpper \"abc\" }} {{ toLower \"ABC\" }} {{ title \"hello big world\" }}", "ABC abc Hello Big World"),
        ("{{ if match \"^node\" $labels.instance }}node{{ end }}", "node"),
        ("{{ $labels.instance | stripPort }} {{ externalURL }} {{ pathPrefix }}", "node-1 http://vigil:9090/prefix /prefix"),
        ("{{ with args 1 \"b\" }}{{ .arg0 }}{{ .arg1 }}{{ end }}", "1b"),
        ("{{ range $i, $e := args 5 6 }}{{ end }}{{ print 1 2 \"a\" \"b\" 3 }}", "1 2ab3"),
        ("{{ html \"<b>&\" }}", "&lt;b&gt;&amp;"),
        ("{{ range $i := 3 }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ $i }}{{ end }}", "02"),
    ])
    func expandsAsGoDoes(template: String, expected: String) throws {
        #expect(try Self.alert(template) == expected)
    }

    /// `{{ $value }}` prints floats as Go's `%v` does.
    @Test(arguments: [(0.5, "0.5"), (100, "100"), (123456, "123456"), (1234567, "1.234567e+06"), (1e6, "1e+06"), (0.0001, "0.0001"),
                      (0.00001, "1e-05"), (-2.5, "-2.5"), (Double.nan, "NaN"), (Double.infinity, "+Inf"), (0, "0")])
    func printsValuesLikeGoPercentV(value: Double, text: String) throws {
        #expect(try Self.alert("{{ $value }}", value: value) == text)
    }

    @Test(arguments: [
        ("humanize", 1234567.0, "1.235M"), ("humanize", 0.5, "500m"), ("humanize", 12, "12"), ("humanize", 1000, "1k"), ("humanize", 0, "0"),
        ("humanize", 0.000001234, "1.234u"), ("humanize1024", 1048576, "1Mi"), ("humanize1024", 1536, "1.5Ki"), ("humanize1024", 0.5, "0.5"),
        ("humanizeDuration", 3723, "1h 2m 3s"), ("humanizeDuration", 90061, "1d 1h 1m 1s"), ("humanizeDuration", 59.5, "59.5s"),
        ("humanizeDuration", 0.0015, "1.5ms"), ("humanizeDuration", 0, "0s"), ("humanizePercentage", 0.1234, "12.34%"),
        ("humanizeTimestamp", 1450953519, "2015-12-24 10:38:39 +0000 UTC"), ("humanizeTimestamp", 1450953519.5, "2015-12-24 10:38:39.5 +0000 UTC"),
    ])
    func humanizesAsPrometheusDoes(function: String, value: Double, text: String) throws {
        #expect(try Self.alert("{{ $value | \(function) }}", value: value) == text)
    }

    @Test func queriesThroughTheCallersEngine() throws {
        let functions = PrometheusTemplateFunctions.functions(query: { q in
            #expect(q == "up")
            return [PrometheusTemplateFunctions.sample(labels: ["instance": "b"], value: 0),
                    PrometheusTemplateFunctions.sample(labels: ["instance": "a"], value: 1)]
        })
        let t = try Template("{{ with query \"up\" }}{{ . | first | value }} {{ range sortByLabel \"instance\" . }}{{ label \"instance\" . }}{{ end }}{{ end }}")
        #expect(try t.render(.null, functions: functions) == "0 ab")
    }

    @Test(arguments: [
        ("{{ .Labels", "unclosed action"), ("{{ nope 1 }}", "function \"nope\" not defined"), ("{{ if 1 }}x", "unexpected EOF"),
        ("{{ end }}", "unexpected {{end}}"), ("{{ $undefined }}", "undefined variable"), ("{{ template \"missing\" }}", "no such template"),
        ("{{ 1 2 }}", "can't give argument to non-function"), ("{{ index $labels 1 }}", "can't index"), ("{{ \"unterminated }}", "unterminated"),
    ])
    func reportsErrorsWithTheTemplateNameAndLine(template: String, message: String) {
        do {
            _ = try Self.alert(template)
            Issue.record("no error for \(template)")
        } catch {
            let text = (error as? TemplateError)?.message ?? "\(error)"
            #expect(text.contains(message), "\(error)")
            #expect(text.hasPrefix("template: __alert_Test:1:"), "\(error)")
        }
    }

    @Test func sharesDefinedTemplatesAcrossFiles() throws {
        let library = try Template("{{ define \"slack.title\" }}[{{ .Status | toUpper }}] {{ .Name }}{{ end }}", name: "lib.tmpl")
        let main = try Template("{{ template \"slack.title\" . }}", name: "main").adding(library)
        let text = try main.render(.map(["Status": .string("firing"), "Name": .string("Down")]), functions: PrometheusTemplateFunctions.functions())
        #expect(text == "[FIRING] Down")
        #expect(try library.render(defined: "slack.title", .map(["Status": .string("resolved"), "Name": .string("X")]),
                                   functions: PrometheusTemplateFunctions.functions()) == "[RESOLVED] X")
    }

    @Test func deepTemplateRecursionFailsInsteadOfCrashing() throws {
        let t = try Template("{{ define \"loop\" }}{{ template \"loop\" . }}{{ end }}{{ template \"loop\" . }}")
        #expect(throws: TemplateError.self) { try t.render(.null) }
    }
}
