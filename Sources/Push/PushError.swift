/// Why a push API request was refused; the message is the response body.
public struct PushError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The URL's grouping key is malformed (400).
        case badPath
        /// The body cannot be read (400; the group is left as it was).
        case badBody
        /// The body reads but would make the pushed metrics invalid or inconsistent (400; the
        /// group's `push_failure_time_seconds` records the attempt, as the Pushgateway does).
        case rejected
        /// Storage could not take the samples (500).
        case storage
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
