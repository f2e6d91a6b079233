/// Why an e-mail could not be sent, said so a user knows what to fix.
public enum SMTPError: Error, Sendable, CustomStringConvertible, Equatable {
    case dns(host: String, reason: String)
    case connect(host: String, port: Int, reason: String)
    case tlsHandshake(host: String, reason: String)
    case startTLSUnavailable(host: String, port: Int)
    case greeting(SMTPReply)
    /// The server said nothing after connecting (it probably waits for a TLS handshake).
    case noGreeting(host: String, port: Int)
    case authenticationUnavailable(offered: String)
    case authentication(mechanism: String, reply: SMTPReply)
    case senderRefused(String, SMTPReply)
    case recipientRefused(String, SMTPReply)
    case messageRefused(SMTPReply)
    case unexpectedReply(command: String, reply: SMTPReply)
    case connectionClosed(during: String)
    case timeout(during: String)
    case protocolViolation(String)
    case invalidAddress(String)

    /// Whether trying again later may help (temporary 4xx replies, network trouble).
    public var isTemporary: Bool {
        switch self {
        case .dns, .connect, .connectionClosed, .timeout, .noGreeting: return true
        case .greeting(let r), .senderRefused(_, let r), .recipientRefused(_, let r), .messageRefused(let r),
             .unexpectedReply(_, let r), .authentication(_, let r):
            return (400..<500).contains(r.code)
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .dns(let host, let reason): return "cannot resolve the SMTP server's name \(host): \(reason)"
        case .connect(let host, let port, let reason): return "cannot connect to the SMTP server \(host):\(port): \(reason)"
        case .tlsHandshake(let host, let reason): return "TLS handshake with the SMTP server \(host) failed: \(reason)"
        case .startTLSUnavailable(let host, let port):
            return "require_tls is true (the default) but the SMTP server \(host):\(port) does not offer STARTTLS; "
                + "use port 465 for implicit TLS or set require_tls: false"
        case .greeting(let r): return "the SMTP server refused the connection: \(r)"
        case .noGreeting(let host, let port): return "the SMTP server \(host):\(port) sent no greeting"
        case .authenticationUnavailable(let offered):
            return "the SMTP server offers no authentication mechanism Vigil can use with the configured credentials (offered: \(offered.isEmpty ? "none" : offered))"
        case .authentication(let m, let r): return "authentication (\(m)) failed: \(r)"
        case .senderRefused(let a, let r): return "the SMTP server refused the sender \(a): \(r)"
        case .recipientRefused(let a, let r): return "the SMTP server refused the recipient \(a): \(r)"
        case .messageRefused(let r): return "the SMTP server refused the message: \(r)"
        case .unexpectedReply(let c, let r): return "unexpected reply to \(c): \(r)"
        case .connectionClosed(let during): return "the SMTP server closed the connection during \(during)"
        case .timeout(let during): return "timed out during \(during)"
        case .protocolViolation(let m): return "SMTP protocol error: \(m)"
        case .invalidAddress(let a): return "invalid e-mail address \(a)"
        }
    }
}
