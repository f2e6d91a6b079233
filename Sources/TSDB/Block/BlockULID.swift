/// A block's name: a ULID (48 bits of creation time in milliseconds, 80 random bits) in
/// Crockford's base 32, 26 characters, so names sort by creation time as Prometheus' do.
public struct BlockULID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 26 characters.
    public let text: String

    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A new ULID for a block made at `timestampMs`.
    public init(timestampMs: Int64) {
        var generator = SystemRandomNumberGenerator()
        let time = UInt64(clamping: max(0, timestampMs)) & 0xFFFF_FFFF_FFFF
        // 128 bits: time in the high 48, randomness below; written as 26 five-bit digits (130 bits,
        // the top two always zero).
        let high = time << 16 | UInt64(generator.next() & 0xFFFF)
        let low = generator.next()
        var chars = [UInt8](repeating: 0, count: 26)
        for i in 0..<26 {
            let bit = (25 - i) * 5 // position of this digit's lowest bit in the 128-bit value
            var digit: UInt64
            if bit >= 64 {
                digit = high >> UInt64(bit - 64)
            } else {
                digit = low >> UInt64(bit)
                if bit + 5 > 64 { digit |= high << UInt64(64 - bit) }
            }
            chars[i] = Self.alphabet[Int(digit & 31)]
        }
        text = String(decoding: chars, as: UTF8.self)
    }

    /// Parses a directory name; nil unless it is 26 characters of the alphabet.
    public init?(_ text: String) {
        let upper = text.uppercased()
        guard upper.utf8.count == 26, upper.utf8.allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        self.text = upper
    }

    public var description: String { text }
    public static func < (a: BlockULID, b: BlockULID) -> Bool { a.text < b.text }
}
