import ConfigSupport
/// Network and TLS failures of outgoing connections (webhooks, Alertmanagers, SMTP servers) in
/// words a user can act on, instead of the library's nested error values.
public enum NetworkErrorText {
    public static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "the server's certificate is not trusted (set tls_config.ca_file to the CA that signed it, or insecure_skip_verify: true)"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("wrong version number") {
            return "the server did not answer with TLS (is it a plain-text port?)"
        }
        if text.contains("Connection refused") || text.contains("connectionRefused") { return "connection refused (is anything listening there?)" }
        if text.contains("No route to host") { return "no route to host" }
        if text.contains("connectTimeout") || text.contains("timed out") || text.contains("deadlineExceeded") { return "timed out" }
        if text.contains("UnknownHost") || text.contains("Name or service not known") { return "the host name does not resolve" }
        return text
    }
}
