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
        /// A native histogram sample's histogram; absent for floats and in older files.
        var histogram: HistogramDTO?
    }

    /// A native histogram with its counts as written: integer deltas or float counts, floats as
    /// Go writes them, spans as `[offset, length]` pairs.
    private struct HistogramDTO: Codable {
        var float: Bool
        var hint: UInt8
        var schema: Int32
        var zeroThreshold: String
        var zeroCount: String
        var count: String
        var sum: String
        var positiveSpans: [[Int64]]
        var negativeSpans: [[Int64]]
        var positive: [String]
        var negative: [String]
        var customValues: [String]?

        init(_ value: HistogramValue) {
            let f = value.wireFields
            func spans(_ s: [HistogramSpan]) -> [[Int64]] { s.map { [Int64($0.offset), Int64($0.length)] } }
            (float, hint, schema, zeroThreshold, sum) = (f.floatCounts, f.counterResetHint.rawValue, f.schema, GoFloat.format(f.zeroThreshold), GoFloat.format(f.sum))
            (positiveSpans, negativeSpans) = (spans(f.positiveSpans), spans(f.negativeSpans))
            if f.floatCounts {
                (zeroCount, count) = (GoFloat.format(f.zeroCountFloat), GoFloat.format(f.countFloat))
                (positive, negative) = (f.positiveCounts.map(GoFloat.format), f.negativeCounts.map(GoFloat.format))
            } else {
                (zeroCount, count) = (String(f.zeroCountInt), String(f.countInt))
                (positive, negative) = (f.positiveDeltas.map(String.init), f.negativeDeltas.map(String.init))
            }
            customValues = f.customValues.isEmpty ? nil : f.customValues.map(GoFloat.format)
        }

        /// The histogram, or nil when a field does not read.
        var value: HistogramValue? {
            func spans(_ pairs: [[Int64]]) -> [HistogramSpan]? {
                var out: [HistogramSpan] = []
                for pair in pairs {
                    guard pair.count == 2, let offset = Int32(exactly: pair[0]), let length = UInt32(exactly: pair[1]) else { return nil }
                    out.append(HistogramSpan(offset: offset, length: length))
                }
                return out
            }
            func floats(_ texts: [String]) -> [Double]? {
                var out: [Double] = []
                for text in texts {
                    guard let v = PushRegistry.value(text) else { return nil }
                    out.append(v)
                }
                return out
            }
            guard let positiveSpans = spans(positiveSpans), let negativeSpans = spans(negativeSpans),
                  let zeroThreshold = PushRegistry.value(zeroThreshold), let sum = PushRegistry.value(sum),
                  let customValues = floats(customValues ?? []) else { return nil }
            var fields = HistogramValue.WireFields(
                floatCounts: float, counterResetHint: HistogramCounterResetHint(rawValue: hint) ?? .unknown, schema: schema,
                zeroThreshold: zeroThreshold, sum: sum, countInt: 0, countFloat: 0, zeroCountInt: 0, zeroCountFloat: 0,
                positiveSpans: positiveSpans, positiveDeltas: [], positiveCounts: [],
                negativeSpans: negativeSpans, negativeDeltas: [], negativeCounts: [], customValues: customValues)
            if float {
                guard let zeroCount = PushRegistry.value(zeroCount), let count = PushRegistry.value(count),
                      let positive = floats(positive), let negative = floats(negative) else { return nil }
                (fields.zeroCountFloat, fields.countFloat, fields.positiveCounts, fields.negativeCounts) = (zeroCount, count, positive, negative)
            } else {
                let positive = self.positive.compactMap { Int64($0) }, negative = self.negative.compactMap { Int64($0) }
                guard let zeroCount = UInt64(zeroCount), let count = UInt64(count),
                      positive.count == self.positive.count, negative.count == self.negative.count else { return nil }
                (fields.zeroCountInt, fields.countInt, fields.positiveDeltas, fields.negativeDeltas) = (zeroCount, count, positive, negative)
            }
            return HistogramValue(fields)
        }
    }

    static let fileVersion = 1

    /// Writes every group to `path`, atomically (the old file or the new, never a mix).
    func write(to path: String) throws {
        let dto = FileDTO(version: Self.fileVersion, groups: groups.values.sorted { $0.key < $1.key }.map { group in
            GroupDTO(key: Dictionary(group.key.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }), lastPushMs: group.lastPushMs, lastFailureMs: group.lastFailureMs,
                     families: group.families.map { family in
                         FamilyDTO(name: family.name, type: family.type.rawValue, help: family.help, unit: family.unit,
                                   samples: family.samples.map {
                                       SampleDTO(labels: Self.dictionary($0.labels), value: GoFloat.format($0.value), implied: $0.isImpliedBucket ? true : nil,
                                                 histogram: $0.histogram.map(HistogramDTO.init))
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
                    if let h = s.histogram {
                        guard let histogram = h.value, histogram.inconsistency == nil else {
                            throw PushError(.badBody, "a bad native histogram in the pushed groups' file")
                        }
                        sample.histogram = histogram
                    }
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

    fileprivate static func value(_ text: String) -> Double? {
        switch text {
        case "NaN": .nan
        case "+Inf": .infinity
        case "-Inf": -.infinity
        default: Double(text)
        }
    }
}
