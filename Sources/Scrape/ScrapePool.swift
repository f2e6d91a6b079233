import Config
import Logging
import MetricModel
import Synchronization
import TSDB

/// The targets of one scrape job and their running loops.
final class ScrapePool: Sendable {
    let config: ScrapeConfig
    let client: ScrapeClient
    private let storage: any Appendable
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: ScrapeMetrics?

    /// Identity of a target: the same labels and URL keep the same loop across updates.
    struct TargetKey: Hashable, Sendable {
        var labels: Labels
        var url: String
    }

    private struct Running: Sendable {
        var loop: ScrapeLoop
        var task: Task<Void, Never>
    }

    private struct State {
        var running: [TargetKey: Running] = [:]
        var order: [TargetKey] = []
        var dropped: [Labels] = []
        var invalid: [(Labels, String)] = []
    }

    private let state = Mutex(State())

    init(config: ScrapeConfig, userAgent: String, storage: any Appendable, clock: any WallClock, logger: Logger,
         metrics: ScrapeMetrics?) throws(ScrapeError) {
        self.config = config
        self.client = try ScrapeClient(config: config, userAgent: userAgent)
        self.storage = storage
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
    }

    static func keys(for groups: [TargetGroup], config: ScrapeConfig) -> Set<TargetKey> {
        Set(TargetBuilder.build(groups, config: config).compactMap {
            if case .target(let t) = $0 { return TargetKey(labels: t.labels, url: t.url) }
            return nil
        })
    }

    /// Reconciles running loops with the targets `groups` yield. Removed targets go stale unless
    /// `survivors` (targets taken over by a replacement pool) holds them.
    func sync(_ groups: [TargetGroup]) {
        let outcomes = TargetBuilder.build(groups, config: config)
        var wanted: [TargetKey: ScrapeTarget] = [:]
        var order: [TargetKey] = []
        var dropped: [Labels] = []
        var invalid: [(Labels, String)] = []
        for o in outcomes {
            switch o {
            case .target(let t):
                let key = TargetKey(labels: t.labels, url: t.url)
                if wanted[key] == nil { order.append(key) }
                wanted[key] = t
            case .dropped(let d): dropped.append(d.discoveredLabels)
            case .invalid(let l, let reason):
                invalid.append((l, reason))
                logger.warning("invalid target", metadata: ["job": "\(config.jobName)", "reason": "\(reason)"])
            }
        }
        if config.limits.keepDroppedTargets > 0 { dropped = Array(dropped.prefix(config.limits.keepDroppedTargets)) }
        let limitError: String? = config.limits.targetLimit > 0 && wanted.count > config.limits.targetLimit
            ? "target_limit exceeded (number of targets: \(wanted.count), limit: \(config.limits.targetLimit))" : nil
        state.withLock { s in
            for (key, r) in s.running where wanted[key] == nil {
                r.loop.markRemoved()
                r.task.cancel()
                s.running[key] = nil
            }
            for key in order where s.running[key] == nil {
                guard let target = wanted[key] else { continue }
                let loop = ScrapeLoop(target: target, pool: config.jobName, options: ScrapeOptions(config), client: client,
                                      storage: storage, clock: clock, logger: logger, metrics: metrics)
                let task = Task { await loop.run() }
                s.running[key] = Running(loop: loop, task: task)
            }
            for r in s.running.values { r.loop.setLimitError(limitError) }
            s.order = order
            s.dropped = dropped
            s.invalid = invalid
        }
    }

    /// Stops every loop. Targets not in `survivors` are marked stale when `markStale` is set.
    func stop(markStale: Bool, survivors: Set<TargetKey> = []) async {
        let tasks: [Task<Void, Never>] = state.withLock { s in
            let all = s.running
            s.running = [:]
            return all.map { key, r in
                if markStale && !survivors.contains(key) { r.loop.markRemoved() }
                r.task.cancel()
                return r.task
            }
        }
        for t in tasks { await t.value }
        await client.shutdown()
    }

    var loops: [ScrapeLoop] {
        state.withLock { s in s.order.compactMap { s.running[$0]?.loop } }
    }

    var droppedTargets: [Labels] { state.withLock { $0.dropped + $0.invalid.map(\.0) } }
}
