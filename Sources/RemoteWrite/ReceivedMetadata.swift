import Synchronization

/// Metric metadata that remote-write 2.0 senders sent, the newest per metric name, so
/// `/api/v1/metadata` lists received families beside scraped ones.
public final class ReceivedMetadata: Sendable {
    /// Metric names kept at most; past it, new names are not recorded (known ones still update).
    public static let maxMetrics = 100_000

    private let entries = Mutex<[String: RemoteWriteMetadata]>([:])

    public init() {}

    /// Records what one request said, replacing what earlier ones said about the same metrics.
    public func record(_ metadata: [String: RemoteWriteMetadata]) {
        guard !metadata.isEmpty else { return }
        entries.withLock { stored in
            for (name, entry) in metadata where stored.count < Self.maxMetrics || stored[name] != nil {
                stored[name] = entry
            }
        }
    }

    /// Everything recorded, by metric name.
    public var all: [String: RemoteWriteMetadata] { entries.withLock { $0 } }
}
