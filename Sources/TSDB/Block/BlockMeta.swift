import Foundation
import MetricModel

/// A block's `meta.json`, field for field as Prometheus writes and reads it.
public struct BlockMeta: Codable, Sendable, Equatable {
    public struct Stats: Codable, Sendable, Equatable {
        public var numSamples: UInt64 = 0
        public var numSeries: UInt64 = 0
        public var numChunks: UInt64 = 0
        public var numTombstones: UInt64?
    }

    public struct Compaction: Codable, Sendable, Equatable {
        public var level: Int
        public var sources: [String]
        /// The blocks this one was compacted from (absent for a block cut from the head).
        public var parents: [Parent]?
        /// Set when a compaction failed on this block, so it is not tried again.
        public var failed: Bool?
    }

    public struct Parent: Codable, Sendable, Equatable {
        public var ulid: String
        public var minTime: Int64
        public var maxTime: Int64
    }

    public var ulid: String
    /// The first millisecond covered (inclusive).
    public var minTime: Int64
    /// The end of the covered range (exclusive).
    public var maxTime: Int64
    public var stats: Stats
    public var compaction: Compaction
    /// Always 1: the only `meta.json` version.
    public var version: Int = 1

    public static let fileName = "meta.json"

    /// Reads and checks `<directory>/meta.json`.
    static func read(directory: String) throws(BlockError) -> BlockMeta {
        let path = directory + "/" + fileName
        let bytes: [UInt8]
        do { bytes = try PosixFile.readAll(path) } catch { throw .io(error) }
        let meta: BlockMeta
        do { meta = try JSONDecoder().decode(BlockMeta.self, from: Data(bytes)) } catch {
            throw .corrupt(path, "meta.json does not parse: \(error)")
        }
        guard meta.version == 1 else { throw .corrupt(path, "unsupported meta.json version \(meta.version)") }
        guard Milliseconds.isInRange(meta.minTime), Milliseconds.isInRange(meta.maxTime) else {
            throw .corrupt(path, "minTime or maxTime beyond ±2^50 ms")
        }
        guard meta.minTime <= meta.maxTime else { throw .corrupt(path, "minTime \(meta.minTime) is after maxTime \(meta.maxTime)") }
        return meta
    }

    /// Writes `<directory>/meta.json` through a temporary file, fsynced and renamed.
    func write(directory: String) throws(StorageIOError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        try PosixFile.writeDurably(Array(data), to: directory + "/" + Self.fileName)
    }
}

/// Why a block could not be opened or written.
public enum BlockError: Error, CustomStringConvertible, Sendable {
    case io(StorageIOError)
    /// A file of the block is not what its format says; the text names the file and the problem.
    case corrupt(String, String)

    public var description: String {
        switch self {
        case .io(let e): return "\(e)"
        case .corrupt(let path, let problem): return "\(path): \(problem)"
        }
    }
}
