import MetricModel

/// A series' reference in the head: assigned once, never reused.
public typealias SeriesRef = UInt64

/// A sample addressed to a series reference, as the WAL stores it.
public struct RefSample: Sendable, Hashable {
    public var ref: SeriesRef
    public var t: Int64
    public var v: Double

    public init(ref: SeriesRef, t: Int64, v: Double) {
        self.ref = ref
        self.t = t
        self.v = v
    }

    public static func == (a: RefSample, b: RefSample) -> Bool { a.ref == b.ref && a.t == b.t && a.v.bitPattern == b.v.bitPattern }
    public func hash(into h: inout Hasher) { h.combine(ref); h.combine(t); h.combine(v.bitPattern) }
}

/// A native histogram sample addressed to a series reference, as the WAL stores it.
public struct RefHistogramSample: Sendable, Equatable {
    public var ref: SeriesRef
    public var t: Int64
    public var value: HistogramValue

    public init(ref: SeriesRef, t: Int64, value: HistogramValue) {
        self.ref = ref
        self.t = t
        self.value = value
    }

    /// Equal bit for bit (a staleness marker's NaN sum equals itself).
    public static func == (a: RefHistogramSample, b: RefHistogramSample) -> Bool {
        a.ref == b.ref && a.t == b.t && a.value.isIdentical(to: b.value)
    }
}

/// A series record: a reference and the labels it stands for.
public struct RefSeries: Sendable, Hashable {
    public var ref: SeriesRef
    public var labels: Labels
    public init(ref: SeriesRef, labels: Labels) { self.ref = ref; self.labels = labels }
}

/// What one WAL record holds. Framing and checksums are the ``WAL``'s business.
public enum WALRecord: Sendable, Equatable {
    case series([RefSeries])
    case samples([RefSample])
    /// Native histogram samples (`WALRecord+Histograms.swift`).
    case histograms([RefHistogramSample])

    enum Kind: UInt8 {
        case series = 1
        /// Samples with references relative to the first sample's (the first format; still read).
        case samplesFromFirst = 2
        /// Samples with each reference's slot relative to the previous sample's, its generation
        /// written only when it changes (what is written now; see ``encodePayload()``).
        case samples = 3
        /// Native histogram samples of either kind.
        case histograms = 4
    }

    var kind: Kind {
        switch self {
        case .series: return .series
        case .samples: return .samples
        case .histograms: return .histograms
        }
    }

    /// The payload bytes (without framing).
    func encodePayload() -> [UInt8] {
        var w = ByteWriter()
        switch self {
        case .series(let series):
            w.uvarint(UInt64(series.count))
            for s in series {
                w.uvarint(s.ref)
                w.uvarint(UInt64(s.labels.count))
                for l in s.labels.pairs {
                    w.string(l.name)
                    w.string(l.value)
                }
            }
        case .histograms(let samples):
            Self.encode(samples, into: &w)
        case .samples(let samples):
            // Count and the first timestamp; then per sample: the slot (a reference's low 32
            // bits) as a zigzag delta from the previous sample's, shifted left one bit with the
            // low bit set when the generation (the high 32 bits) differs from the previous
            // sample's, that generation if so, the timestamp's delta from the first, and the value's
            // bits. A commit's samples come in scrape order, whose slots mostly follow each other:
            // one byte of reference per sample, where a delta from the first takes two or three.
            w.bytes.reserveCapacity(samples.count * 11 + 16)
            w.uvarint(UInt64(samples.count))
            guard let first = samples.first else { break }
            w.varint(first.t)
            var previousSlot: Int64 = 0, previousGeneration: UInt64 = 0
            for s in samples {
                let slot = Int64(s.ref & 0xFFFF_FFFF), generation = s.ref >> 32
                let delta = slot - previousSlot
                let zigzag = UInt64(bitPattern: (delta << 1) ^ (delta >> 63))
                let generationChanged = generation != previousGeneration
                w.uvarint(zigzag << 1 | (generationChanged ? 1 : 0))
                if generationChanged { w.uvarint(generation) }
                w.varint(s.t &- first.t)
                w.u64(s.v.bitPattern)
                previousSlot = slot
                previousGeneration = generation
            }
        }
        return w.bytes
    }

    /// Decodes a payload; nil when it is malformed.
    static func decode(kind: UInt8, payload: [UInt8]) -> WALRecord? {
        var r = ByteReader(payload)
        switch Kind(rawValue: kind) {
        case .series:
            guard let n = r.uvarint(), n <= UInt64(payload.count) else { return nil }
            var out: [RefSeries] = []
            out.reserveCapacity(Int(n))
            for _ in 0..<n {
                guard let ref = r.uvarint(), let lc = r.uvarint(), lc <= UInt64(payload.count) else { return nil }
                var pairs: [Label] = []
                for _ in 0..<lc {
                    guard let name = r.string(), let value = r.string() else { return nil }
                    pairs.append(Label(name, value))
                }
                out.append(RefSeries(ref: ref, labels: Labels(pairs)))
            }
            return r.atEnd ? .series(out) : nil
        case .samples:
            guard let n = r.uvarint(), n <= UInt64(payload.count) else { return nil }
            if n == 0 { return r.atEnd ? .samples([]) : nil }
            guard let baseT = r.varint() else { return nil }
            var out: [RefSample] = []
            out.reserveCapacity(Int(n))
            var slot: Int64 = 0, generation: UInt64 = 0
            for _ in 0..<n {
                guard let head = r.uvarint() else { return nil }
                if head & 1 == 1 {
                    guard let g = r.uvarint(), g <= UInt64(UInt32.max) else { return nil }
                    generation = g
                }
                let zigzag = head >> 1
                let delta = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
                // A slot outside 32 bits is damage (or a crafted record), never a reference.
                let (next, overflow) = slot.addingReportingOverflow(delta)
                guard !overflow, next >= 0, next <= Int64(UInt32.max) else { return nil }
                slot = next
                guard let dt = r.varint(), let bits = r.u64() else { return nil }
                out.append(RefSample(ref: generation << 32 | UInt64(slot), t: baseT &+ dt, v: Double(bitPattern: bits)))
            }
            return r.atEnd ? .samples(out) : nil
        case .histograms:
            guard let samples = decodeHistograms(&r, payloadBytes: payload.count) else { return nil }
            return r.atEnd ? .histograms(samples) : nil
        case .samplesFromFirst:
            guard let n = r.uvarint(), n <= UInt64(payload.count) else { return nil }
            if n == 0 { return r.atEnd ? .samples([]) : nil }
            guard let baseRef = r.uvarint(), let baseT = r.varint() else { return nil }
            var out: [RefSample] = []
            out.reserveCapacity(Int(n))
            for _ in 0..<n {
                guard let dr = r.varint(), let dt = r.varint(), let bits = r.u64() else { return nil }
                out.append(RefSample(ref: baseRef &+ UInt64(bitPattern: dr), t: baseT &+ dt, v: Double(bitPattern: bits)))
            }
            return r.atEnd ? .samples(out) : nil
        case nil:
            return nil
        }
    }
}
