import ConfigSupport
import Exposition
import Foundation
import MetricModel

extension PushRegistry {
    /// The file's layout: a version and every group with its families as pushed.
    private struct FileDTO: Codable {
        var version: Int
        var groups: [GroupDTO]
    }

    private struct GroupDTO: Codable {
        var key: [String: String]
        var lastPushMs: Int64?
        var lastFailureMs: Int64?
        var families: [FamilyDTO]
    }

    private struct FamilyDTO: Codable {
        var name: String
        var type: String
        var help: String?
        var unit: String?
        var samples: [SampleDTO]
    }

    /// Values as Go writes them (`NaN`, `+Inf` included), so every float survives JSON.
    private struct SampleDTO: Codable {
        var labels: [String: String]
        var value: String
        /// ``ExpositionFamily/Sample/isImpliedBucket`` when true; absent otherwise and in older files.
        var implied: Bool?
    }

    static let fileVersion = 1

    /// Writes every group to `path`, atomically (the old file or the new, never a mix).
    func write(to path: String) throws {
        let dto = FileDTO(version: Self.fileVersion, groups: groups.values.sorted { $0.key < $1.key }.map { group in
            GroupDTO(key: Dictionary(group.key.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }), lastPushMs: group.lastPushMs, lastFailureMs: group.lastFailureMs,
                     families: group.families.map { family in
                         FamilyDTO(name: family.name, type: family.type.rawValue, help: family.help, unit: family.unit,
                                   samples: family.samples.map {
                                       SampleDTO(labels: Self.dictionary($0.labels), value: GoFloat.format($0.value), implied: $0.isImpliedBucket ? true : nil)
                                   })
                     })
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try encoder.encode(dto), to: path)
    }

    /// Reads the groups a ``write(to:)`` left. Every group is checked as a push would be: a file
    /// edited by hand into an inconsistent state is refused, not half-loaded.
    static func read(from path: String) throws -> PushRegistry {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let dto = try JSONDecoder().decode(FileDTO.self, from: data)
        guard dto.version == fileVersion else { throw PushError(.badBody, "unknown version \(dto.version) of the pushed groups' file") }
        var registry = PushRegistry()
        for g in dto.groups {
            let key = GroupingKey(pairs: g.key.map { Label($0.key, $0.value) })
            guard !key.labels[LabelName.job].isEmpty else { throw PushError(.badBody, "a group without a job in the pushed groups' file") }
            var families: [ExpositionFamily] = []
            for f in g.families {
                guard let type = MetricType(rawValue: f.type) else { throw PushError(.badBody, "unknown metric type \"\(f.type)\" in the pushed groups' file") }
                var samples: [ExpositionFamily.Sample] = []
                for s in f.samples {
                    guard let value = Self.value(s.value) else { throw PushError(.badBody, "bad value \"\(s.value)\" in the pushed groups' file") }
                    var sample = ExpositionFamily.Sample(labels: Labels(s.labels), value: value)
                    sample.isImpliedBucket = s.implied ?? false
                    samples.append(sample)
                }
                families.append(ExpositionFamily(name: f.name, type: type, help: f.help, unit: f.unit, samples: samples))
            }
            if let pushed = g.lastPushMs {
                try registry.push(families, to: key, method: .replaceGroup, nowMs: pushed)
            }
            var group = registry.groups[key] ?? PushedGroup(key: key)
            group.lastFailureMs = g.lastFailureMs
            registry.restore(group)
        }
        return registry
    }

    private static func dictionary(_ labels: Labels) -> [String: String] {
        Dictionary(labels.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    private static func value(_ text: String) -> Double? {
        switch text {
        case "NaN": .nan
        case "+Inf": .infinity
        case "-Inf": -.infinity
        default: Double(text)
        }
    }
}
