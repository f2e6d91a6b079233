import HummingbirdBcrypt

/// The shape of a bcrypt hash in modular crypt format: `$2a$`, `$2b$` or `$2y$`, a two-digit
/// cost from 04 to 31, `$`, then 22 characters of salt and 31 of hash in bcrypt's base64.
public enum BcryptHash {
    /// Whether `hash` is a bcrypt hash the verifier can check.
    public static func isWellFormed(_ hash: String) -> Bool {
        let b = Array(hash.utf8)
        guard b.count == 60, b[0] == UInt8(ascii: "$"), b[1] == UInt8(ascii: "2"),
              [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(b[2]), b[3] == UInt8(ascii: "$"),
              b[6] == UInt8(ascii: "$"), let cost = cost(of: hash), (4...31).contains(cost)
        else { return false }
        return b[7...].allSatisfy(isBcryptBase64)
    }

    /// The cost (log2 of the rounds) written in a hash, if it has one.
    public static func cost(of hash: String) -> Int? {
        let b = Array(hash.utf8)
        guard b.count >= 7, let tens = digit(b[4]), let ones = digit(b[5]) else { return nil }
        return tens * 10 + ones
    }

    private static func digit(_ c: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) ? Int(c - UInt8(ascii: "0")) : nil
    }

    private static func isBcryptBase64(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ".") || c == UInt8(ascii: "/") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
    }
}

extension BcryptHash {
    /// Costs `hash(_:cost:)` accepts: bcrypt's own range.
    public static let costs: ClosedRange<Int> = 4...31

    /// A new bcrypt hash of `password` (random salt) for `basic_auth_users`; nil when the cost
    /// is outside ``costs`` or the password is longer than the 72 bytes bcrypt reads.
    public static func hash(_ password: String, cost: Int) -> String? {
        guard costs.contains(cost), password.utf8.count <= 72 else { return nil }
        return Bcrypt.hash(password, cost: UInt8(cost))
    }
}
