import Alertmanager
import AsyncHTTPClient
import Config
import ConfigSupport
import Foundation
import Logging
import MetricModel
import NIOCore
import OutgoingHTTP
import ServiceLifecycle
import Synchronization

/// Sends alerts to the configured Alertmanagers through their API v2: a bounded queue (the
/// oldest alerts are dropped and counted when it overflows, never unbounded memory), batches of
/// at most `maxBatchSize`, every Alertmanager of every `alertmanagers` entry in parallel.
public final class Notifier: Service, Sendable {
    /// `--alertmanager.notification-queue-capacity`.
    public let queueCapacity: Int
    public static let maxBatchSize = 64

    /// Counters, as `prometheus_notifications_*` report them.
    public struct Counters: Sendable, Equatable {
        public var sent = 0
        public var errors = 0
        public var dropped = 0
    }

    private struct State: Sendable {
        var queue: [PostableAlert] = []
        var config = AlertingConfig()
        var externalLabels = Labels.empty
        var counters = Counters()
        /// Where alerts go when no `alertmanagers` are configured: Vigil's own Alertmanager.
        var localDelivery: (@Sendable ([PostableAlert]) -> Void)?
        /// Vigil's own Alertmanager addresses, and the configured targets that are one of them.
        var selfAddresses: SelfAddresses?
        var selfTargets: Set<String> = []
    }

    private let state = Mutex(State())
    private let logger: Logger
    /// Signals `run()` that alerts were queued; holds at most one pending signal.
    private let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init(queueCapacity: Int = 10_000, logger: Logger) {
        self.queueCapacity = max(1, queueCapacity)
        self.logger = logger
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Takes a new `alerting` configuration and the external labels every alert gets.
    public func apply(_ config: AlertingConfig, externalLabels: Labels) {
        let me = state.withLock { $0.selfAddresses }
        let selfTargets = Self.selfTargets(config, me)
        state.withLock { s in
            s.config = config
            s.externalLabels = externalLabels
            s.selfTargets = selfTargets
        }
    }

    /// Tells the notifier where Vigil's own Alertmanager listens, so a configured target that is
    /// Vigil itself gets its alerts in process.
    public func setSelfAddresses(_ addresses: SelfAddresses) {
        let config = state.withLock { $0.config }
        let selfTargets = Self.selfTargets(config, addresses)
        state.withLock { s in
            s.selfAddresses = addresses
            s.selfTargets = selfTargets
        }
    }

    /// Targets (as configured) that are Vigil itself; resolved once per configuration.
    static func selfTargets(_ config: AlertingConfig, _ me: SelfAddresses?) -> Set<String> {
        guard let me else { return [] }
        return Set(config.alertmanagers.flatMap(\.targets).filter { me.contains($0) })
    }

    public var counters: Counters { state.withLock { $0.counters } }
    public var queueLength: Int { state.withLock { $0.queue.count } }

    /// Sends alerts to the in-process Alertmanager whenever the configuration names none.
    public func setLocalDelivery(_ deliver: (@Sendable ([PostableAlert]) -> Void)?) {
        state.withLock { $0.localDelivery = deliver }
    }

    /// Queues alerts after adding external labels (the alert's own win) and `alert_relabel_configs`
    /// (an alert relabelled away is not sent). Without configured Alertmanagers they go straight
    /// to the local one, when there is one.
    public func send(_ alerts: [PostableAlert]) {
        let local: (@Sendable ([PostableAlert]) -> Void)?
        let ready: [PostableAlert]
        (local, ready) = state.withLock { s in
            let local = s.config.alertmanagers.isEmpty ? s.localDelivery : nil
            guard local != nil || !s.config.alertmanagers.isEmpty else { return (nil, []) }
            var ready: [PostableAlert] = []
            for var alert in alerts {
                alert.labels = alert.labels.addingAbsent(s.externalLabels)
                guard let relabelled = Relabeling.process(alert.labels, s.config.alertRelabelConfigs), !relabelled.isEmpty else { continue }
                alert.labels = relabelled
                ready.append(alert)
            }
            if local != nil {
                s.counters.sent += ready.count
                return (local, ready)
            }
            s.queue += ready
            if s.queue.count > queueCapacity {
                let excess = s.queue.count - queueCapacity
                s.queue.removeFirst(excess)
                s.counters.dropped += excess
            }
            return (nil, [])
        }
        if let local, !ready.isEmpty { local(ready) } else if local == nil { wake.yield() }
    }

    /// Sends queued alerts as they arrive, until graceful shutdown or cancellation. Between
    /// batches it sleeps until ``send(_:)`` queues more: nothing polls.
    public func run() async {
        await cancelWhenGracefulShutdown { await self.sendQueued() }
    }

    private func sendQueued() async {
        var wakeUps = self.wakeUps.makeAsyncIterator()
        while !Task.isCancelled {
            let (batch, config) = state.withLock { s in
                let n = min(Self.maxBatchSize, s.queue.count)
                let batch = Array(s.queue.prefix(n))
                s.queue.removeFirst(n)
                return (batch, s.config)
            }
            if batch.isEmpty {
                // nil once the task is cancelled.
                guard await wakeUps.next() != nil else { return }
                continue
            }
            await deliver(batch, config)
        }
    }

    /// Posts one batch to every Alertmanager; each failure is counted and logged with its reason.
    func deliver(_ batch: [PostableAlert], _ config: AlertingConfig) async {
        let body = PostableAlert.json(batch)
        let (local, selfTargets) = state.withLock { ($0.localDelivery, $0.selfTargets) }
        var deliveredLocally = false
        await withTaskGroup(of: Bool.self) { group in
            for am in config.alertmanagers {
                for target in am.targets {
                    if let local, selfTargets.contains(target) {
                        // Vigil itself: handed over once, however many names point here.
                        if !deliveredLocally {
                            local(batch)
                            deliveredLocally = true
                            state.withLock { $0.counters.sent += batch.count }
                        }
                        continue
                    }
                    group.addTask { await self.post(body, to: am.alertsURL(for: target), am) }
                }
            }
            for await ok in group {
                state.withLock { s in
                    if ok { s.counters.sent += batch.count } else { s.counters.errors += batch.count }
                }
            }
        }
    }

    private func post(_ body: Data, to url: String, _ am: AlertmanagerConfig) async -> Bool {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Vigil")
        if let auth = await authorization(am.httpClient) { request.headers.add(name: "Authorization", value: auth) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let http = try OutgoingHTTPClients.client(for: am.httpClient)
            let response = try await http.execute(request, timeout: .milliseconds(am.timeout.milliseconds))
            let status = response.status.code
            _ = try? await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(status) else {
                logger.error("error sending alerts to Alertmanager", metadata: ["alertmanager": "\(url)", "status": "\(status)"])
                return false
            }
            return true
        } catch {
            logger.error("error sending alerts to Alertmanager", metadata: ["alertmanager": "\(url)", "error": "\(NetworkErrorText.describe(error))"])
            return false
        }
    }

    private func authorization(_ c: HTTPClientConfig) async -> String? {
        do { return try await OAuth2Tokens.authorizationHeader(for: c) } catch {
            logger.error("cannot read Alertmanager credentials", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
