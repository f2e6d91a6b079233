/// 64-bit FNV-1a, used where a hash must be stable across processes.
public struct FNV1a64: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add(byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x0000_0100_0000_01B3
    }

    public mutating func add(_ s: String) {
        for b in s.utf8 { add(byte: b) }
    }
}
