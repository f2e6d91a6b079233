import Crypto
import Foundation

/// The SASL mechanisms Vigil speaks to SMTP servers, chosen as Alertmanager chooses: CRAM-MD5
/// when a secret is configured, else PLAIN, else LOGIN, among those the server offers.
public enum SMTPAuthMechanism: String, Sendable, Equatable {
    case cramMD5 = "CRAM-MD5"
    case plain = "PLAIN"
    case login = "LOGIN"

    /// The mechanism to use given the server's `AUTH` list and the credentials at hand.
    static func choose(offered: String, hasSecret: Bool, hasPassword: Bool) -> SMTPAuthMechanism? {
        let names = Set(offered.uppercased().split(separator: " ").map(String.init))
        if hasSecret, names.contains("CRAM-MD5") { return .cramMD5 }
        if hasPassword, names.contains("PLAIN") { return .plain }
        if hasPassword, names.contains("LOGIN") { return .login }
        return nil
    }

    /// `AUTH PLAIN` initial response: authorization identity, user and password, NUL-separated.
    static func plainResponse(identity: String, username: String, password: String) -> String {
        Data((identity + "\0" + username + "\0" + password).utf8).base64EncodedString()
    }

    /// RFC 2195: the user name, a space, and the hex HMAC-MD5 of the server's challenge keyed by the secret.
    public static func cramMD5Response(challengeBase64: String, username: String, secret: String) -> String? {
        guard let challenge = Data(base64Encoded: challengeBase64.trimmingCharacters(in: .whitespaces)) else { return nil }
        let mac = HMAC<Insecure.MD5>.authenticationCode(for: challenge, using: SymmetricKey(data: Data(secret.utf8)))
        let hex = mac.map { String(format: "%02x", $0) }.joined()
        return Data((username + " " + hex).utf8).base64EncodedString()
    }
}
