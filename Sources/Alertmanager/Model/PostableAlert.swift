import MetricModel

/// An alert in Alertmanager API v2's `postableAlert` shape: what the notifier sends and what
/// `POST /api/v2/alerts` receives, the one wire type of both sides. Times are milliseconds since
/// the epoch; a missing `startsAt` means now, a past `endsAt` means resolved.
public struct PostableAlert: Sendable, Equatable {
    public var labels: Labels
    public var annotations: Labels
    public var startsAt: Int64?
    public var endsAt: Int64?
    public var generatorURL: String

    public init(labels: Labels, annotations: Labels = .empty, startsAt: Int64? = nil, endsAt: Int64? = nil, generatorURL: String = "") {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }
}
