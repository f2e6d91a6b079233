import ConfigSupport
import Crypto
import Foundation
import Synchronization

/// Holds the web configuration in force and reloads it when its file, or a certificate, key or
/// CA file it names, changes. A broken file (or unreadable certificate) is reported and the
/// last good configuration stays in force: a typo never opens the server or locks everyone out.
public final class WebConfigStore: Sendable {
    /// The file, or nil when Vigil runs without `--web.config.file`.
    public let file: String?
    private let state: Mutex<Stored>

    private struct Stored: Sendable {
        var current: WebSecurityState
        var fingerprint: SHA256Digest?
        var lastReloadSucceeded = true
        var lastError: String?
    }

    /// The outcome of looking at the files again.
    public enum ReloadOutcome: Sendable, Equatable {
        case unchanged
        case reloaded
        case failed(String)
    }

    /// No file: plain HTTP, no authentication.
    public init() {
        file = nil
        state = Mutex(Stored(current: .open))
    }

    /// Loads `file` now; throws if it is not a good configuration (the server must not start).
    public init(file: String) throws {
        self.file = file
        let (config, fingerprint) = try Self.read(file)
        let current = try WebSecurityState(config: config)
        state = Mutex(Stored(current: current, fingerprint: fingerprint))
    }

    /// What is enforced now.
    public var current: WebSecurityState { state.withLock { $0.current } }

    /// Whether the last look at the files found a good configuration (or no change).
    public var lastReloadSucceeded: Bool { state.withLock { $0.lastReloadSucceeded } }

    /// Reads the files again and, if anything changed and the result is good, puts it in force.
    @discardableResult
    public func reloadIfChanged() -> ReloadOutcome {
        guard let file else { return .unchanged }
        do {
            let (config, fingerprint) = try Self.read(file)
            if state.withLock({ $0.fingerprint == fingerprint && $0.lastReloadSucceeded }) { return .unchanged }
            let servesTLS = state.withLock { $0.current.tls != nil }
            if servesTLS != (config.tlsServer != nil) {
                throw ConfigError(file: file, line: 0, message: "TLS is turned on or off only at start; restart Vigil for that")
            }
            let next = try WebSecurityState(config: config)
            state.withLock {
                $0.current = next
                $0.fingerprint = fingerprint
                $0.lastReloadSucceeded = true
                $0.lastError = nil
            }
            return .reloaded
        } catch {
            let message = "\(error)"
            let isNew = state.withLock { stored in
                defer {
                    stored.lastReloadSucceeded = false
                    stored.lastError = message
                }
                return stored.lastError != message
            }
            return isNew ? .failed(message) : .unchanged
        }
    }

    /// The parsed file and a digest of it and of every file it names.
    private static func read(_ file: String) throws -> (WebConfig, SHA256Digest) {
        let text = try ConfigError.readFile(file)
        let directory = FilePaths.directory(of: file)
        let config = try WebConfig.parse(text, file: file, directory: directory.isEmpty ? nil : directory)
        var hasher = SHA256()
        hasher.update(data: Array(text.utf8))
        for named in [config.tlsServer?.certFile, config.tlsServer?.keyFile, config.tlsServer?.clientCAFile].compactMap({ $0 }) {
            hasher.update(data: Array(named.utf8))
            hasher.update(data: (try? Data(contentsOf: URL(fileURLWithPath: named))) ?? Data())
        }
        return (config, hasher.finalize())
    }
}
