/// A credential from a config file; it prints as `<secret>` so logs and APIs never leak it.
public struct Secret: Sendable, Hashable, CustomStringConvertible {
    public var value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<secret>" }
}
