import Foundation

/// A credential file named in a configuration that could not be read.
public struct SecretFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "unable to read secret file \(path): \(reason)" }
}

extension HTTPClientConfig {
    /// The `Authorization` header for `basic_auth` or `authorization`, reading password and
    /// credential files on every call so rotated secrets are picked up.
    public func authorizationHeader() throws(SecretFileError) -> String? {
        if let b = basicAuth {
            let user = try b.usernameFile.map(Self.readSecretFile) ?? b.username
            let pass = try b.passwordFile.map(Self.readSecretFile) ?? b.password?.value ?? ""
            return "Basic " + Data("\(user):\(pass)".utf8).base64EncodedString()
        }
        if let a = authorization {
            let cred = try a.credentialsFile.map(Self.readSecretFile) ?? a.credentials?.value ?? ""
            return "\(a.type) \(cred)"
        }
        return nil
    }

    /// A secret file's content without surrounding whitespace.
    public static func readSecretFile(_ path: String) throws(SecretFileError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw SecretFileError(path: path, reason: error.localizedDescription)
        }
    }
}
