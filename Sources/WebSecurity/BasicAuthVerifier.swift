import ConfigSupport
import Crypto
import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// Checks basic-auth credentials against `basic_auth_users`.
///
/// bcrypt is slow on purpose (about 70 ms at cost 10), so:
/// - it runs on a small thread pool of its own, never on the event loops or the concurrency pool;
/// - an unknown user costs the same bcrypt as a known one (against a dummy hash of a like cost),
///   and names are compared in constant time, so the answer's timing does not tell which users exist;
/// - a result is remembered by a digest of user, password and hash (never the password itself),
///   so Grafana, which sends credentials with every request, pays bcrypt once.
public final class BasicAuthVerifier: Sendable {
    private let users: [(name: [UInt8], hash: String)]
    private let dummyHash: String
    private let cache = Mutex<[SHA256Digest: Bool]>([:])
    private let pool: NIOThreadPool
    private static let cacheLimit = 4096

    /// - Parameter users: user name → bcrypt hash, as `basic_auth_users` holds them.
    public init(users: [String: Secret]) {
        self.users = users.sorted { $0.key < $1.key }.map { (Array($0.key.utf8), $0.value.value) }
        // A dummy of the same cost as the users' hashes (capped: this runs once per load).
        let cost = users.values.compactMap { BcryptHash.cost(of: $0.value) }.max() ?? 10
        self.dummyHash = Bcrypt.hash(String(UInt64.random(in: .min ... .max)), cost: UInt8(min(max(cost, 4), 14)))
        self.pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
    }

    deinit { pool.shutdownGracefully { _ in } }

    /// Whether `user` with `password` may come in.
    public func verify(user: String, password: String) async -> Bool {
        let known = lookUp(Array(user.utf8))
        let hash = known ?? dummyHash
        let key = SHA256.hash(data: Array("\(user)\u{0}\(password)\u{0}\(hash)".utf8))
        if let remembered = cache.withLock({ $0[key] }) { return remembered && known != nil }
        let matches = (try? await pool.runIfActive { Bcrypt.verify(password, hash: hash) }) ?? false
        cache.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[key] = matches
        }
        return matches && known != nil
    }

    /// The hash of `name`, comparing against every user in constant time for names of a length.
    private func lookUp(_ name: [UInt8]) -> String? {
        var found: String?
        for user in users where Self.constantTimeEqual(user.name, name) { found = user.hash }
        return found
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference: UInt8 = a.count == b.count ? 0 : 1
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
