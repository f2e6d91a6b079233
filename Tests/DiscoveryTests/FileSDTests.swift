import Config
import Foundation
import MetricModel
import Testing
@testable import Discovery

@Suite struct FileSDTests {
    @Test func parsesJSONAndYAMLTargetFiles() throws {
        let json = #"[{"targets": ["a:1", "b:2"], "labels": {"env": "prod"}}, {"targets": ["c:3"]}]"#
        let groups = try FileSDReader.parse(json, file: "/sd/x.json")
        #expect(groups.count == 2)
        #expect(groups[0].targets == ["a:1", "b:2"])
        #expect(groups[0].labels["env"] == "prod")
        #expect(groups[1].labels["__meta_filepath"] == "/sd/x.json")
        let yaml = "- targets: ['d:4']\n  labels:\n    team: ml\n"
        #expect(try FileSDReader.parse(yaml, file: "y.yml")[0].labels["team"] == "ml")
    }

    @Test(arguments: ["{\"targets\": [\"a\"]}", "[{\"targets\": \"a\"}]", "[{\"targetz\": [\"a\"]}]", "[{\"targets\": [\"a\"], \"labels\": [1]}]"])
    func refusesMalformedFiles(text: String) {
        #expect(throws: FileSDReader.Failure.self) { _ = try FileSDReader.parse(text, file: "bad.json") }
    }

    @Test func watcherReportsChangesAndKeepsGroupsOfBrokenFiles() throws {
        let dir = NSTemporaryDirectory() + "vigil-sd-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/targets.json"
        try #"[{"targets": ["a:1"]}]"#.write(toFile: file, atomically: true, encoding: .utf8)
        var w = FileSDWatcher(config: FileSDConfig(files: [dir + "/*.json"], refreshInterval: PromDuration(milliseconds: 300_000)))
        let first = w.poll()
        #expect(first.groups?.flatMap(\.targets) == ["a:1"])
        #expect(w.poll().groups == nil) // unchanged
        try #"[{"targets": ["a:1", "b:2"]}]"#.write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: file)
        #expect(w.poll().groups?.flatMap(\.targets) == ["a:1", "b:2"])
        try "not [ json".write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(10)], ofItemAtPath: file)
        let broken = w.poll()
        #expect(broken.failures.count == 1)
        #expect(broken.groups == nil) // the previous groups stay in force
        try FileManager.default.removeItem(atPath: file)
        #expect(w.poll().groups == [])
    }
}
