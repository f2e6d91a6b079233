import Config
import Discovery
import Logging
import MetricModel
import ServiceLifecycle
import TSDB

/// Runs every scrape job of the configuration: builds pools, feeds them discovered targets,
/// and swaps them on reload. A ServiceLifecycle service: it stops all loops on shutdown.
public actor ScrapeManager: Service {
    private let storage: any Appendable
    private let userAgent: String
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: ScrapeMetrics?
    private let discoveryPollInterval: Duration
    /// Refreshes and failures of the discovery providers.
    nonisolated package let discoveryStats = DiscoveryStats()

    private struct Job {
        var pool: ScrapePool
        var watchers: [FileSDWatcher]
        var fileGroups: [[TargetGroup]]
        /// Groups from HTTP, DNS and Kubernetes discovery, and the tasks that run those providers.
        var provided: ProvidedGroups
        var providedGroups: [TargetGroup] = []
        var providerTasks: [Task<Void, Never>] = []

        var allGroups: [TargetGroup] { pool.config.staticConfigs + fileGroups.flatMap { $0 } + providedGroups }
    }

    private var jobs: [String: Job] = [:]
    private var jobOrder: [String] = []

    /// Scrapes into `storage`, sending `userAgent` (such as `Vigil/0.1.0`) with every request.
    public init(storage: any Appendable, userAgent: String, clock: any WallClock = SystemWallClock(),
                logger: Logger = Logger(label: "vigil.scrape"), metrics: ScrapeMetrics? = nil, discoveryPollInterval: Duration = .seconds(1)) {
        self.storage = storage
        self.userAgent = userAgent
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.discoveryPollInterval = discoveryPollInterval
    }

    /// Applies a (new) configuration. Unchanged jobs keep their loops; changed jobs get new pools,
    /// and targets that disappear are marked stale. On error nothing changes.
    public func apply(_ config: PrometheusConfig) async throws(ScrapeError) {
        var newJobs: [String: Job] = [:]
        var replaced: [(ScrapePool, Set<ScrapePool.TargetKey>)] = []
        // Build every new pool first so a bad job (unreadable TLS file) leaves the old config running.
        var built: [String: ScrapePool] = [:]
        for sc in config.scrapeConfigs {
            if let old = jobs[sc.jobName], old.pool.config == sc { continue }
            built[sc.jobName] = try ScrapePool(config: sc, userAgent: userAgent, storage: storage, clock: clock, logger: logger, metrics: metrics)
        }
        for sc in config.scrapeConfigs {
            if let old = jobs[sc.jobName], old.pool.config == sc {
                newJobs[sc.jobName] = old
                continue
            }
            guard let pool = built[sc.jobName] else { continue }
            let providers = TargetProviders.make(for: sc, userAgent: userAgent, logger: logger, stats: discoveryStats)
            var job = Job(pool: pool, watchers: sc.fileSDConfigs.map(FileSDWatcher.init), fileGroups: [],
                          provided: ProvidedGroups(providers: providers.count))
            job.fileGroups = Array(repeating: [], count: job.watchers.count)
            for i in job.watchers.indices {
                let (groups, failures) = job.watchers[i].poll(now: .init())
                job.fileGroups[i] = groups ?? []
                for f in failures { logger.error("file discovery failed", metadata: ["job": "\(sc.jobName)", "error": "\(f)"]) }
            }
            if let old = jobs[sc.jobName] {
                // Until the new providers answer, the old ones' targets stand (no false staleness).
                job.providedGroups = old.providedGroups
            }
            let groups = job.allGroups
            pool.sync(groups)
            if let old = jobs[sc.jobName] { replaced.append((old.pool, ScrapePool.keys(for: groups, config: sc))) }
            let provided = job.provided
            job.providerTasks = providers.enumerated().map { index, provider in
                Task { await provider.run { provided.publish($0, from: index) } }
            }
            newJobs[sc.jobName] = job
        }
        for (name, old) in jobs where newJobs[name] == nil { replaced.append((old.pool, [])) }
        for (name, old) in jobs where newJobs[name]?.pool !== old.pool { old.providerTasks.forEach { $0.cancel() } }
        jobs = newJobs
        jobOrder = config.scrapeConfigs.map(\.jobName)
        for (pool, survivors) in replaced { await pool.stop(markStale: true, survivors: survivors) }
    }

    /// Polls file discovery until shutdown, then stops every loop.
    public func run() async throws {
        // Polling ends at graceful shutdown (or cancellation); loops are stopped either way.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.pollDiscovery()
                do { try await Task.sleep(for: self.discoveryPollInterval) } catch { break }
            }
        }
        await stopAll()
    }

    /// Stops all loops without staleness markers (the process is going away, not the targets).
    public func stopAll() async {
        let pools = jobs.values.map(\.pool)
        for job in jobs.values { job.providerTasks.forEach { $0.cancel() } }
        jobs = [:]
        for p in pools { await p.stop(markStale: false) }
    }

    func pollDiscovery() {
        for name in jobOrder {
            guard var job = jobs[name] else { continue }
            var changed = false
            if let groups = job.provided.takeChanges() {
                job.providedGroups = groups
                changed = true
            }
            for i in job.watchers.indices {
                let (groups, failures) = job.watchers[i].poll()
                for f in failures { logger.error("file discovery failed", metadata: ["job": "\(name)", "error": "\(f)"]) }
                if let groups {
                    job.fileGroups[i] = groups
                    changed = true
                }
            }
            jobs[name] = job
            if changed { job.pool.sync(job.allGroups) }
        }
    }

    /// Active and dropped targets, in configuration order.
    public func targets() -> TargetsSnapshot {
        var active: [ActiveTargetStatus] = []
        var dropped: [(String, Labels)] = []
        for name in jobOrder {
            guard let job = jobs[name] else { continue }
            for loop in job.pool.loops { active.append(ActiveTargetStatus(scrapePool: name, target: loop.target, health: loop.health)) }
            for d in job.pool.droppedTargets { dropped.append((name, d)) }
        }
        return TargetsSnapshot(active: active, dropped: dropped.map { (pool: $0.0, discoveredLabels: $0.1) })
    }

    /// Metadata per metric family, merged across targets.
    public func metadata() -> [String: [MetricMetadata]] {
        var out: [String: Set<MetricMetadata>] = [:]
        for job in jobs.values {
            for loop in job.pool.loops {
                for (name, m) in loop.metadata { out[name, default: []].insert(m) }
            }
        }
        return out.mapValues { Array($0) }
    }
}
