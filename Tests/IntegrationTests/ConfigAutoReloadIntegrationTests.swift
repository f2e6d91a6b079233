import Foundation
import Testing

/// Configuration files that change on disk are reloaded without a signal, the way a Kubernetes
/// ConfigMap volume changes them: the kubelet writes a new folder and swaps the `..data` symlink
/// that every file's symlink goes through.
@Suite(.serialized) struct ConfigAutoReloadIntegrationTests {
    /// A ConfigMap volume's layout, with `files` as its content.
    static func publish(_ files: [String: String], in dir: String, generation: Int) throws {
        let fm = FileManager.default
        let folder = "..\(generation)"
        try fm.createDirectory(atPath: dir + "/" + folder, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: dir + "/" + folder + "/" + name, atomically: true, encoding: .utf8) }
        // The swap: a new link, renamed over the old one in one step.
        try? fm.removeItem(atPath: dir + "/..data_tmp")
        try fm.createSymbolicLink(atPath: dir + "/..data_tmp", withDestinationPath: folder)
        guard rename(dir + "/..data_tmp", dir + "/..data") == 0 else { throw PeerError("rename failed") }
        for name in files.keys where !fm.fileExists(atPath: dir + "/" + name) {
            try fm.createSymbolicLink(atPath: dir + "/" + name, withDestinationPath: "..data/" + name)
        }
    }

    static func rules(_ names: [String]) -> String {
        "groups:\n  - name: g\n    rules:\n" + names.map { "      - record: \($0)\n        expr: vector(1)\n" }.joined()
    }

    @Test func aChangedConfigMapIsReloadedAndABrokenOneKeepsTheRunningConfiguration() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mounted = dir + "/config"
        try FileManager.default.createDirectory(atPath: mounted, withIntermediateDirectories: true)
        let prometheus = "global: {evaluation_interval: 1s}\nrule_files: [rules.yml]\nscrape_configs: []\n"
        try Self.publish(["prometheus.yml": prometheus, "rules.yml": Self.rules(["first:rule"])], in: mounted, generation: 1)
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: [
            "--config.file=\(mounted)/prometheus.yml", "--config.auto-reload-interval=1s",
        ], dir: dir)
        func ruleNames() async -> String { (try? await HTTP.request(vigil.base + "/api/v1/rules").body) ?? "" }
        #expect(await eventually(timeout: .seconds(10)) { await ruleNames().contains("first:rule") }, "\(vigil.process.log)")

        try Self.publish(["prometheus.yml": prometheus, "rules.yml": Self.rules(["first:rule", "second:rule"])], in: mounted, generation: 2)
        #expect(await eventually(timeout: .seconds(10)) { await ruleNames().contains("second:rule") }, "\(vigil.process.log.suffix(1500))")
        #expect(await vigil.metric("vigil_config_last_reload_successful") == 1)

        try Self.publish(["prometheus.yml": prometheus, "rules.yml": "groups: [ {name: broken"], in: mounted, generation: 3)
        #expect(await eventually(timeout: .seconds(10)) { await vigil.metric("vigil_config_last_reload_successful") == 0 })
        #expect(await ruleNames().contains("second:rule"), "the running rules stay")
        #expect(vigil.process.isRunning)
    }
}
