/// A credential from a config file; it prints as `<secret>` so logs and APIs never leak it.
public struct Secret: Sendable, Hashable, CustomStringConvertible {
    public var value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<secret>" }
}

/// Field names whose values the status API masks, across Prometheus and Alertmanager configs.
public enum SecretFields {
    public static let names: Set<String> = [
        "password", "bearer_token", "credentials", "client_secret", "secret", "smtp_auth_password",
        "smtp_auth_secret", "key", "api_key", "auth_password", "routing_key", "service_key", "token",
    ]
}
