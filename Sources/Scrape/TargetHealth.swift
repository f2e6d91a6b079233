import Foundation
import MetricModel

/// The health of a target as `/api/v1/targets` reports it.
public struct TargetHealth: Sendable, Hashable {
    /// `up`, `down` or `unknown` (not scraped yet).
    public enum State: String, Sendable, Hashable {
        case up, down, unknown
    }

    public var state: State = .unknown
    public var lastError = ""
    public var lastScrape: Date?
    public var lastScrapeDuration: Double = 0
    public var lastSamples = 0
    /// How often the target's counters went down lately (see ``CounterResetWatch``).
    public var counterResets = CounterResetWatch()
}

/// A point-in-time view of an active target for the API.
public struct ActiveTargetStatus: Sendable {
    public var scrapePool: String
    public var target: ScrapeTarget
    public var health: TargetHealth
}

/// A point-in-time view of all targets.
public struct TargetsSnapshot: Sendable {
    public var active: [ActiveTargetStatus]
    public var dropped: [(pool: String, discoveredLabels: Labels)]
}
