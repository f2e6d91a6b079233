import Foundation
import Logging
import Testing
@testable import Alertmanager
import ConfigSupport

/// State files (silences, notification log) survive a crash at any step of a write.
@Suite struct AtomicFileTests {
    static func directory() -> String {
        let dir = NSTemporaryDirectory() + "vigil-atomic-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test(arguments: AtomicFile.Step.allCases)
    func aCrashAfterAnyStepLeavesTheOldOrTheNewFile(step: AtomicFile.Step) throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/silences.json"
        let file = StateFile<String>(path: path, what: "records", logger: Logger(label: "test"))
        file.save(["old"])
        #expect(throws: AtomicFile.SimulatedCrash.self) {
            try AtomicFile.write(try JSONEncoder().encode(["new"]), to: path, crashAfter: step)
        }
        // What a restart reads: the old content before the rename, the new one after it.
        let loaded = file.load()
        switch step {
        case .createdTemporary, .wroteData, .syncedTemporary: #expect(loaded == ["old"])
        case .renamed, .syncedDirectory: #expect(loaded == ["new"])
        }
        // The crashed write's temporary file is cleaned up at load.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["silences.json"])
    }

    @Test func concurrentWritersNeverInterleave() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/nflog.json"
        let file = StateFile<String>(path: path, what: "records", logger: Logger(label: "test"))
        // Threads of their own (each save fsyncs twice): the test pool stays free for others.
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            for i in 0..<10 { file.save(Array(repeating: "writer-\(writer)-\(i)", count: 200)) }
        }
        let records = file.load()
        #expect(records.count == 200)
        #expect(Set(records).count == 1, "one writer's whole content, never a mix")
    }
}
