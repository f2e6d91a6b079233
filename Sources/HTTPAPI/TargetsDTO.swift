import MetricModel
import Scrape

/// `/api/v1/targets` data, field for field as Prometheus returns it, plus two of Vigil's own
/// (clients ignore fields they do not know).
struct TargetsDTO: Encodable {
    struct Active: Encodable {
        let discoveredLabels: [String: String]
        let labels: [String: String]
        let scrapePool: String
        let scrapeUrl: String
        let globalUrl: String
        let lastError: String
        let lastScrape: String
        let lastScrapeDuration: Double
        let health: String
        let scrapeInterval: String
        let scrapeTimeout: String
        /// Vigil's own: of the last scrapes (`CounterResetWatch.window`), how many saw a counter
        /// go down, and whether that is far more than restarts explain — the mark of several
        /// worker processes answering scrapes without `PROMETHEUS_MULTIPROC_DIR`.
        let counterResetScrapes: Int
        let counterResetsSuspicious: Bool
    }

    struct Dropped: Encodable {
        let discoveredLabels: [String: String]
        let scrapePool: String
    }

    let activeTargets: [Active]
    let droppedTargets: [Dropped]
    let droppedTargetCounts: [String: Int]

    /// `state` is `active`, `dropped` or `any` (default); `scrapePool` filters by job.
    init(_ snapshot: TargetsSnapshot, state: String?, scrapePool: String?) {
        let wantActive = state == nil || state == "any" || state == "active"
        let wantDropped = state == nil || state == "any" || state == "dropped"
        activeTargets = wantActive ? snapshot.active.filter { scrapePool == nil || $0.scrapePool == scrapePool }.map { a in
            Active(
                discoveredLabels: Self.dict(a.target.discoveredLabels),
                labels: Self.dict(a.target.sampleLabels),
                scrapePool: a.scrapePool,
                scrapeUrl: a.target.url,
                globalUrl: a.target.url,
                lastError: a.health.lastError,
                lastScrape: a.health.lastScrape.map(APITime.format) ?? "0001-01-01T00:00:00Z",
                lastScrapeDuration: a.health.lastScrapeDuration,
                health: a.health.state.rawValue,
                scrapeInterval: a.target.interval.description,
                scrapeTimeout: a.target.timeout.description,
                counterResetScrapes: a.health.counterResets.scrapesWithResets,
                counterResetsSuspicious: a.health.counterResets.isSuspicious)
        } : []
        let dropped = snapshot.dropped.filter { scrapePool == nil || $0.pool == scrapePool }
        droppedTargets = wantDropped ? dropped.map { Dropped(discoveredLabels: Self.dict($0.discoveredLabels), scrapePool: $0.pool) } : []
        var counts: [String: Int] = [:]
        for d in snapshot.dropped { counts[d.pool, default: 0] += 1 }
        for a in snapshot.active where counts[a.scrapePool] == nil { counts[a.scrapePool] = 0 }
        droppedTargetCounts = counts
    }

    static func dict(_ l: Labels) -> [String: String] {
        Dictionary(l.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, b in b })
    }
}
