import AsyncHTTPClient
import Config
import Foundation
import Logging
import MetricModel
import NIOCore
import OutgoingHTTP
import Synchronization
import TSDB

/// One `remote_write` destination, fed from the WAL: a reader follows the WAL from where this
/// queue last stopped, names each sample's series (external labels, then
/// `write_relabel_configs`), and fills one batch per shard (a series always goes to the same
/// shard, so its samples arrive in order); shards send their batches one at a time with
/// retries. Progress — the WAL position before the oldest sample not yet sent — is saved every
/// few seconds and at shutdown, and the WAL keeps every segment from there on, so a receiver
/// that is down delays data without losing it, and a restart resumes where sending stopped.
package final class RemoteWriteQueue: Sendable {
    package let config: RemoteWriteConfig
    package let stats: RemoteWriteStats
    let externalLabels: Labels
    let database: Database
    let progress: RemoteWriteProgress
    let userAgent: String
    let logger: Logger

    /// Batches handed to shards and not yet sent (or given up), by id: where each starts.
    private let outstanding = Mutex<[Int: WALPosition]>([:])
    private let control = Mutex(Control())
    /// The shards' channels while they run, so ``stop()`` can end a wait for room in them.
    private let channels = Mutex<[BatchChannel<RemoteWriteBatch>]>([])

    private struct Control {
        var stopping = false
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// How long shards may keep sending at shutdown before what is left waits for the next start.
    static let flushDeadline: Duration = .seconds(10)

    package init(config: RemoteWriteConfig, externalLabels: Labels, database: Database, storagePath: String,
                 userAgent: String, logger: Logger) {
        self.config = config
        self.externalLabels = externalLabels
        self.database = database
        self.progress = RemoteWriteProgress(directory: storagePath + "/remote_write", queue: config.name)
        self.userAgent = userAgent
        self.stats = RemoteWriteStats(name: config.name, url: config.url)
        var logger = logger
        logger[metadataKey: "remote_name"] = "\(config.name)"
        logger[metadataKey: "url"] = "\(config.url)"
        self.logger = logger
    }

    /// Asks the queue to stop: it stops reading, gives its shards a few seconds to send what
    /// they hold, and saves its progress.
    package func stop() {
        control.withLock { $0.stopping = true }
        // The reader may be waiting for room in a shard stuck on a receiver that is down:
        // closing the channels lets it go (what it held stays unsent, and progress stops
        // before it); the shards still get the flush deadline for what they queued.
        for channel in channels.withLock({ $0 }) { channel.close() }
    }

    var isStopping: Bool { control.withLock { $0.stopping } }

    /// Returns once ``run()`` has ended.
    package func waitUntilFinished() async {
        await withCheckedContinuation { (wait: CheckedContinuation<Void, Never>) in
            let done = control.withLock { c in
                if c.finished { return true }
                c.waiters.append(wait)
                return false
            }
            if done { wait.resume() }
        }
    }

    /// Reads and sends until ``stop()``.
    package func run() async {
        // A new queue starts with the segment being written now (what is stored already is not
        // sent); a saved place in a segment since removed continues at the oldest one left.
        let current = WALPosition(segment: database.currentWALSegment, offset: 0)
        var start = progress.load() ?? current
        if start > current {
            logger.warning("saved remote write progress is ahead of the WAL (was the WAL removed?); starting at its end", metadata: ["saved": "\(start)"])
            start = current
        }
        database.retainWAL(from: start.segment, for: progress.key)
        logger.info("remote write queue starting", metadata: ["from": "\(start)"])
        var reader = Reader(tail: WALTailReader(directory: database.walDirectory, from: start), lastEnd: start)
        var shards = config.queue.minShards
        let counter = RemoteWriteShardCount(minShards: config.queue.minShards, maxShards: config.queue.maxShards)
        while true {
            stats.shards.store(shards, ordering: .relaxed)
            let next = await runShards(shards, reader: &reader, counter: counter)
            saveProgress(reader)
            guard let next else { break }
            logger.info("remote write resharding", metadata: ["from": "\(shards)", "to": "\(next)"])
            shards = next
        }
        let waiters = control.withLock { c in
            c.finished = true
            defer { c.waiters = [] }
            return c.waiters
        }
        logger.info("remote write queue stopped", metadata: ["at": "\(committed(reader))"])
        for w in waiters { w.resume() }
    }

    /// What the reader carries from one shard set to the next.
    struct Reader {
        var tail: WALTailReader
        /// The end of the last record read: everything before it has been read.
        var lastEnd: WALPosition
        /// Each series' labels as sent (`Labels.empty`: dropped by relabeling).
        var names: [SeriesRef: Labels] = [:]
        var nextBatchID = 1
        var builders: [RemoteWriteBatch] = []
        var lastRates = RateWindow()
        var lastPrune = ContinuousClock.now
    }

    /// How often the names of series the head no longer holds are forgotten, so pods that come
    /// and go do not grow the queue's memory for ever.
    static let pruneInterval: Duration = .seconds(600)

    /// Send-time and arrival measurements since the last reshard check.
    struct RateWindow {
        var at = ContinuousClock.now
        var read = 0
        var requests = 0
        var nanoseconds = 0
        var sent = 0
    }

    /// Runs `count` shards until the queue stops (nil) or wants another shard count.
    private func runShards(_ count: Int, reader: inout Reader, counter: RemoteWriteShardCount) async -> Int? {
        let perShard = max(1, config.queue.capacity / max(1, config.queue.maxSamplesPerSend))
        let channels = (0..<count).map { _ in BatchChannel<RemoteWriteBatch>(capacity: perShard) }
        reader.builders = Array(repeating: RemoteWriteBatch(), count: count)
        self.channels.withLock { $0 = channels }
        if isStopping { for channel in channels { channel.close() } }
        return await withTaskGroup(of: Bool.self) { group -> Int? in
            for channel in channels {
                group.addTask {
                    await self.drain(channel)
                    return true
                }
            }
            let next = await read(&reader, channels: channels, counter: counter)
            for i in reader.builders.indices { await hand(&reader, shard: i, to: channels) }
            for channel in channels { channel.close() }
            if next == nil {
                // Stopping: a receiver that is down must not hold the shutdown up.
                group.addTask {
                    try? await Task.sleep(for: Self.flushDeadline)
                    return false
                }
                var remaining = count
                while remaining > 0, let finishedShard = await group.next() {
                    if finishedShard { remaining -= 1 } else { group.cancelAll() }
                }
                group.cancelAll()
            }
            await group.waitForAll()
            self.channels.withLock { $0 = [] }
            return next
        }
    }

    /// Reads the WAL into the shards' batches until stopped or a reshard is due.
    private func read(_ reader: inout Reader, channels: [BatchChannel<RemoteWriteBatch>], counter: RemoteWriteShardCount) async -> Int? {
        let deadline = Duration.milliseconds(config.queue.batchSendDeadline.milliseconds)
        var lastSave = ContinuousClock.now
        while !isStopping {
            let records: [(record: WALRecord, end: WALPosition)]
            do { records = try reader.tail.read(maxBytes: 4 << 20) } catch {
                logger.error("reading the WAL failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            for note in reader.tail.takeSkipped() { logger.warning("remote write: \(note)") }
            stats.currentSegment.store(reader.tail.position.segment, ordering: .relaxed)
            for (record, end) in records {
                switch record {
                case .series(let series):
                    for s in series { reader.names[s.ref] = name(s.labels) }
                case .samples(let samples):
                    await batch(samples, ref: \.ref, &reader, channels: channels) { batch, sample, labels, start in
                        batch.add(ref: sample.ref, labels: labels, t: sample.t, v: sample.v, start: start)
                    }
                case .histograms(let samples):
                    // Sent only when asked for, as Prometheus does (`send_native_histograms`).
                    guard config.sendNativeHistograms else { break }
                    await batch(samples, ref: \.ref, &reader, channels: channels) { batch, sample, labels, start in
                        batch.add(ref: sample.ref, labels: labels, t: sample.t, histogram: sample.value, start: start)
                    }
                }
                reader.lastEnd = end
            }
            for shard in reader.builders.indices {
                if let opened = reader.builders[shard].opened, opened.duration(to: .now) >= deadline {
                    await hand(&reader, shard: shard, to: channels)
                }
            }
            if reader.lastPrune.duration(to: .now) >= Self.pruneInterval {
                let alive = database.head.labels(of: reader.names.keys)
                reader.names = reader.names.filter { alive[$0.key] != nil }
                reader.lastPrune = .now
            }
            if lastSave.duration(to: .now) >= .seconds(5) {
                saveProgress(reader)
                lastSave = .now
            }
            if reader.lastRates.at.duration(to: .now) >= .seconds(10), let next = reshard(&reader, current: channels.count, counter: counter) {
                return next
            }
            if records.isEmpty { try? await Task.sleep(for: .milliseconds(100)) }
        }
        return nil
    }

    /// The labels `labels` are sent with: external labels added where absent, then
    /// `write_relabel_configs`; `Labels.empty` when relabeling drops the series.
    func name(_ labels: Labels) -> Labels {
        Relabeling.process(labels.addingAbsent(externalLabels), config.writeRelabelConfigs) ?? .empty
    }

    /// Hands a shard's batch over (waiting while that shard is full).
    /// Puts the samples of one record into their shards' batches (a series always goes to the same
    /// shard, so its samples stay in order), handing a batch over when it is full. Labels of
    /// references the reader has not seen are looked up in the head first; samples of series with
    /// no name to send under (relabelled away, or gone) are dropped and counted.
    private func batch<Sample>(_ samples: [Sample], ref: (Sample) -> SeriesRef, _ reader: inout Reader, channels: [BatchChannel<RemoteWriteBatch>],
                               add: (inout RemoteWriteBatch, Sample, Labels, WALPosition) -> Void) async {
        let shardCount = UInt64(channels.count)
        var unknown: Set<SeriesRef> = []
        for sample in samples where reader.names[ref(sample)] == nil { unknown.insert(ref(sample)) }
        if !unknown.isEmpty {
            let found = database.head.labels(of: unknown)
            for r in unknown { reader.names[r] = found[r].map(name) ?? .empty }
        }
        stats.samplesRead.add(samples.count, ordering: .relaxed)
        reader.lastRates.read += samples.count
        for sample in samples {
            let r = ref(sample)
            guard let labels = reader.names[r], !labels.isEmpty else {
                stats.samplesDropped.add(1, ordering: .relaxed)
                continue
            }
            let shard = Int(r % shardCount)
            add(&reader.builders[shard], sample, labels, reader.lastEnd)
            stats.samplesPending.add(1, ordering: .relaxed)
            if reader.builders[shard].count >= config.queue.maxSamplesPerSend {
                await hand(&reader, shard: shard, to: channels)
            }
        }
    }

    private func hand(_ reader: inout Reader, shard: Int, to channels: [BatchChannel<RemoteWriteBatch>]) async {
        guard reader.builders[shard].count > 0 else { return }
        let batch = reader.builders[shard].take(id: reader.nextBatchID)
        reader.nextBatchID += 1
        outstanding.withLock { $0[batch.id] = batch.start }
        await channels[shard].send(batch)
    }

    /// A new shard count when the measurements call for one; nil to keep the current one.
    private func reshard(_ reader: inout Reader, current: Int, counter: RemoteWriteShardCount) -> Int? {
        let now = ContinuousClock.now
        let window = reader.lastRates
        let requests = stats.requests.load(ordering: .relaxed)
        let nanoseconds = stats.requestNanoseconds.load(ordering: .relaxed)
        let sent = stats.samplesSent.load(ordering: .relaxed)
        reader.lastRates = RateWindow(at: now, read: 0, requests: requests, nanoseconds: nanoseconds, sent: sent)
        // Nothing was sent (the receiver is down, or nothing arrived): no basis for a change.
        guard requests > window.requests, sent > window.sent else { return nil }
        let elapsed = window.at.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let perSample = Double(nanoseconds - window.nanoseconds) / 1e9 / Double(sent - window.sent)
        let inRate = Double(window.read) / max(seconds, 0.001)
        // While shards are full the reader waits, so what it read is what was sent: the backlog
        // still in the WAL shows as lag, the newest sample stored against the newest one sent.
        let lagSeconds = Double(max(0, database.head.maxTime &- stats.highestSentTimestamp.load(ordering: .relaxed))) / 1000
        let backlog = max(Double(stats.samplesPending.load(ordering: .relaxed)), min(lagSeconds, 3600) * inRate)
        let desired = counter.desired(current: current, samplesInPerSecond: inRate, secondsPerSample: perSample, pendingSamples: backlog)
        stats.desiredShards.store(desired, ordering: .relaxed)
        return desired == current ? nil : desired
    }

    /// The WAL position before the oldest sample not yet sent.
    func committed(_ reader: Reader) -> WALPosition {
        var position = reader.lastEnd
        if let oldest = outstanding.withLock({ $0.values.min() }), oldest < position { position = oldest }
        for b in reader.builders { if let start = b.start, start < position { position = start } }
        return position
    }

    private func saveProgress(_ reader: Reader) {
        let position = committed(reader)
        do { try progress.save(position) } catch {
            logger.error("saving remote write progress failed", metadata: ["error": "\(error)"])
        }
        database.retainWAL(from: position.segment, for: progress.key)
    }

    // MARK: Shards

    /// Sends a shard's batches one after the other.
    private func drain(_ channel: BatchChannel<RemoteWriteBatch>) async {
        while let batch = await channel.next() {
            let finished = await send(batch)
            stats.samplesPending.subtract(batch.count, ordering: .relaxed)
            // A batch cut short by shutdown stays outstanding: progress stops before it.
            if finished { _ = outstanding.withLock { $0.removeValue(forKey: batch.id) } }
        }
    }

    /// Sends one batch, retrying while the receiver is down; false when cancelled first.
    private func send(_ original: RemoteWriteBatch) async -> Bool {
        var batch = original
        var retry = RemoteWriteRetry(minBackoff: .milliseconds(config.queue.minBackoff.milliseconds),
                                     maxBackoff: .milliseconds(config.queue.maxBackoff.milliseconds),
                                     retryOn429: config.queue.retryOnHTTP429)
        var body: [UInt8] = []
        while !Task.isCancelled {
            if config.queue.sampleAgeLimit.milliseconds > 0 {
                let cutoff = Int64(Date().timeIntervalSince1970 * 1000) - config.queue.sampleAgeLimit.milliseconds
                let dropped = batch.dropSamples(olderThan: cutoff)
                if dropped > 0 {
                    stats.samplesFailed.add(dropped, ordering: .relaxed)
                    body = []
                }
                if batch.count == 0 { return true }
            }
            if body.isEmpty { body = batch.encoded() }
            let started = ContinuousClock.now
            let outcome = await post(body)
            switch retry.next(after: outcome) {
            case .done:
                stats.recordSent(samples: batch.count, bytes: body.count, newest: batch.newestTimestamp, took: started.duration(to: .now))
                return true
            case .drop(let reason):
                stats.samplesFailed.add(batch.count, ordering: .relaxed)
                logger.error("remote write batch dropped", metadata: ["samples": "\(batch.count)", "reason": "\(reason)"])
                return true
            case .retry(let wait):
                stats.samplesRetried.add(batch.count, ordering: .relaxed)
                if retry.failures == 1 || retry.failures % 20 == 0 {
                    logger.warning("remote write failed; retrying", metadata: ["attempts": "\(retry.failures)", "outcome": "\(outcome)"])
                }
                do { try await Task.sleep(for: wait) } catch { return false }
            }
        }
        return false
    }

    /// One POST of a remote-write 1.0 body.
    private func post(_ body: [UInt8]) async -> RemoteWriteOutcome {
        do {
            let client = try OutgoingHTTPClients.client(for: config.httpClient)
            var request = HTTPClientRequest(url: config.url)
            request.method = .POST
            for (name, value) in config.headers { request.headers.add(name: name, value: value) }
            request.headers.add(name: "Content-Encoding", value: "snappy")
            request.headers.add(name: "Content-Type", value: "application/x-protobuf")
            request.headers.add(name: "User-Agent", value: userAgent)
            request.headers.add(name: "X-Prometheus-Remote-Write-Version", value: "0.1.0")
            if let auth = try await OAuth2Tokens.authorizationHeader(for: config.httpClient) {
                request.headers.add(name: "Authorization", value: auth)
            }
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, timeout: .milliseconds(max(1, config.remoteTimeout.milliseconds)))
            let code = Int(response.status.code)
            // Read (and discard) the answer so the connection can be reused.
            _ = try? await response.body.collect(upTo: 1 << 20)
            if (200..<300).contains(code) { return .accepted }
            if code == 401 { OAuth2Tokens.invalidate(config.httpClient) }
            let retryAfter = response.headers.first(name: "Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                .map { Duration.seconds(min(max($0, 0), 3600)) }
            return .status(code, retryAfter: retryAfter)
        } catch {
            return .unreachable(NetworkErrorText.describe(error))
        }
    }
}
