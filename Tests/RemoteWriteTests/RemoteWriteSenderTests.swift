@testable import Config
import MetricModel
@testable import RemoteWrite
import Snappy
import Testing
import TSDB

/// The sender's parts in isolation: its retry policy, its shard arithmetic, its batches and
/// their wire form, its hand-over between reader and shards, and its saved progress.
@Suite struct RemoteWriteSenderTests {

    @Test func nativeHistogramsTravelBesideFloatsAndArriveAsSent() throws {
        var batch = RemoteWriteBatch()
        let latency = Labels(["__name__": "latency_seconds", "job": "api"])
        let queue = Labels(["__name__": "queue_depth", "job": "api"])
        let integer = NativeHistogram(counterResetHint: .counterReset, schema: 3, zeroThreshold: 0.001, zeroCount: 1, count: 7, sum: 2.5,
                                      positiveSpans: [HistogramSpan(offset: -1, length: 2), HistogramSpan(offset: 3, length: 1)], positiveDeltas: [2, -1, 1],
                                      negativeSpans: [HistogramSpan(offset: 0, length: 1)], negativeDeltas: [1])
        let float = FloatHistogram(counterResetHint: .gauge, schema: 0, count: 2.5, sum: 10,
                                   positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveBuckets: [0.5, 2])
        let start = WALPosition(segment: 0, offset: 0)
        batch.add(ref: 1, labels: latency, t: 1_000, v: 7, start: start)
        batch.add(ref: 1, labels: latency, t: 2_000, histogram: .integer(integer), start: start)
        batch.add(ref: 2, labels: queue, t: 2_000, histogram: .float(float), start: start)
        #expect(batch.count == 3)
        #expect(batch.newestTimestamp == 2_000)
        let head = Head.inMemory()
        let out = try RemoteWriteReceiver(storage: head).receive(compressed: batch.encoded())
        #expect(out.isComplete, "\(out.summary)")
        #expect(out.histograms == 2)
        let stored = head.select([], mint: .min, maxt: .max)
        let l = try #require(stored.first { $0.labels == latency })
        #expect(l.samples() == [Sample(t: 1_000, v: 7)])
        #expect(l.histogramSamples() == [HistogramSample(t: 2_000, histogram: integer)])
        let q = try #require(stored.first { $0.labels == queue })
        #expect(q.floatHistogramSamples() == [FloatHistogramSample(t: 2_000, histogram: float)])
        // sample_age_limit drops histograms as it drops floats.
        #expect(batch.dropSamples(olderThan: 1_500) == 1)
        #expect(batch.count == 2)
    }
    @Test func serverErrorsAndSilenceAreRetriedWithDoublingBackoffAndRefusalsDropped() {
        var retry = RemoteWriteRetry(minBackoff: .milliseconds(30), maxBackoff: .milliseconds(100), retryOn429: true)
        #expect(retry.next(after: .status(503, retryAfter: nil)) == .retry(after: .milliseconds(30)))
        #expect(retry.next(after: .unreachable("refused")) == .retry(after: .milliseconds(60)))
        #expect(retry.next(after: .status(500, retryAfter: nil)) == .retry(after: .milliseconds(100)))
        #expect(retry.next(after: .status(502, retryAfter: nil)) == .retry(after: .milliseconds(100)), "capped at max_backoff")
        #expect(retry.next(after: .status(429, retryAfter: .seconds(7))) == .retry(after: .seconds(7)), "Retry-After is honoured")
        #expect(retry.next(after: .status(429, retryAfter: .seconds(86_400))) == .retry(after: .seconds(300)), "within reason")
        #expect(retry.failures == 6)
        #expect(retry.next(after: .accepted) == .done)
        guard case .drop = retry.next(after: .status(400, retryAfter: nil)) else { Issue.record("a 400 is dropped"); return }
        var strict = RemoteWriteRetry(minBackoff: .milliseconds(30), maxBackoff: .seconds(5), retryOn429: false)
        guard case .drop = strict.next(after: .status(429, retryAfter: nil)) else { Issue.record("429 dropped when not retried"); return }
    }

    @Test func shardsFollowTheBacklogWithinBoundsAndIgnoreSmallChanges() {
        let count = RemoteWriteShardCount(minShards: 1, maxShards: 10)
        // 1000 samples/s at 2 ms per sample need 2 shards.
        #expect(count.desired(current: 1, samplesInPerSecond: 1000, secondsPerSample: 0.002, pendingSamples: 0) == 2)
        // A backlog of 100k samples asks for more, up to max_shards.
        #expect(count.desired(current: 2, samplesInPerSecond: 1000, secondsPerSample: 0.002, pendingSamples: 100_000) == 10)
        // Within 30% of the current count: no change.
        #expect(count.desired(current: 4, samplesInPerSecond: 1900, secondsPerSample: 0.002, pendingSamples: 0) == 4)
        #expect(count.desired(current: 4, samplesInPerSecond: 0, secondsPerSample: 0.002, pendingSamples: 0) == 1)
        // Measurements that make no sense change nothing.
        #expect(count.desired(current: 3, samplesInPerSecond: .nan, secondsPerSample: 0.002, pendingSamples: 0) == 3)
        #expect(count.desired(current: 3, samplesInPerSecond: 1e300, secondsPerSample: 1e300, pendingSamples: 0) == 10)
    }

    @Test func aBatchEncodesEachSeriesOnceWithItsSamplesInOrder() throws {
        var batch = RemoteWriteBatch()
        let a = Labels(["__name__": "up", "job": "api"]), b = Labels(["__name__": "up", "job": "spark"])
        batch.add(ref: 1, labels: a, t: 1000, v: 1, start: WALPosition(segment: 3, offset: 40))
        batch.add(ref: 2, labels: b, t: 1000, v: 0, start: WALPosition(segment: 3, offset: 90))
        batch.add(ref: 1, labels: a, t: 2000, v: 1, start: WALPosition(segment: 3, offset: 90))
        #expect(batch.start == WALPosition(segment: 3, offset: 40), "the earliest record's start")
        #expect(batch.series.count == 2 && batch.count == 3)
        let taken = batch.take(id: 7)
        #expect(batch.count == 0 && batch.start == nil)
        let request = try Vigil_Remotewrite_V1_WriteRequest(serializedBytes: try Snappy.decode(taken.encoded()))
        #expect(request.timeseries.count == 2)
        #expect(request.timeseries[0].labels.map(\.name) == ["__name__", "job"])
        #expect(request.timeseries[0].samples.map(\.timestamp) == [1000, 2000])
        #expect(request.timeseries[1].samples.map(\.value) == [0])
        var aged = taken
        #expect(aged.dropSamples(olderThan: 1500) == 2)
        #expect(aged.newestTimestamp == 2000)
    }

    @Test func theChannelMakesTheReaderWaitForAFullShardAndCloseReleasesEveryone() async {
        let channel = BatchChannel<Int>(capacity: 2)
        await channel.send(1)
        await channel.send(2)
        let third = Task { await channel.send(3) }
        try? await Task.sleep(for: .milliseconds(50))
        #expect(channel.count == 2, "the third waits for room")
        #expect(await channel.next() == 1)
        await third.value
        #expect(await channel.next() == 2)
        #expect(await channel.next() == 3)
        let waiting = Task { await channel.next() }
        try? await Task.sleep(for: .milliseconds(50))
        channel.close()
        #expect(await waiting.value == nil)
        await channel.send(4)
        #expect(await channel.next() == nil, "a closed channel takes nothing more")
    }

    @Test func progressIsSavedAtomicallyAndAnUnreadableFileCountsAsNone() throws {
        let dir = "/tmp/vigil-progress-\(UInt64.random(in: 0 ... .max))"
        let progress = RemoteWriteProgress(directory: dir, queue: "mimir/eu-west")
        #expect(progress.load() == nil)
        try progress.save(WALPosition(segment: 12, offset: 4096))
        #expect(progress.load() == WALPosition(segment: 12, offset: 4096))
        #expect(!progress.key.contains("/"))
        try "garbage".write(toFile: dir + "/" + progress.key + ".position", atomically: true, encoding: .utf8)
        #expect(progress.load() == nil)
    }

    @Test func remoteWriteConfigReadsPrometheusFieldsAndRefusesWhatItCannotDo() throws {
        let config = try PrometheusConfig.parse("""
            global: {external_labels: {cluster: edge}}
            remote_write:
              - url: https://mimir.example/api/v1/push
                headers: {X-Scope-OrgID: ml-team}
                write_relabel_configs: [{source_labels: [__name__], regex: "go_.*", action: drop}]
                oauth2: {client_id: vigil, client_secret: s3cret, token_url: "https://auth.example/token", scopes: [write]}
                queue_config: {capacity: 5000, max_shards: 8, min_shards: 2, max_samples_per_send: 500, batch_send_deadline: 2s,
                               min_backoff: 50ms, max_backoff: 10s, retry_on_http_429: false}
                metadata_config: {send: false}
              - url: http://vm:8428/api/v1/write
            """, file: "p.yml")
        #expect(config.remoteWrite.count == 2)
        let mimir = config.remoteWrite[0]
        #expect(mimir.headers["X-Scope-OrgID"] == "ml-team")
        #expect(mimir.httpClient.oauth2?.clientSecret?.value == "s3cret")
        #expect(mimir.queue.maxShards == 8 && mimir.queue.minShards == 2 && !mimir.queue.retryOnHTTP429)
        #expect(mimir.queue.batchSendDeadline.milliseconds == 2000)
        #expect(mimir.name.count == 6, "an unnamed queue is named after its settings")
        #expect(config.remoteWrite[0].name != config.remoteWrite[1].name)
        #expect(config.renderedYAML.contains("<secret>") && !config.renderedYAML.contains("s3cret"))

        for (bad, reason) in [
            ("remote_write: [{url: http://a, headers: {Authorization: x}}]", "reserved"),
            ("remote_write: [{url: http://a, sigv4: {region: eu}}]", "sigv4"),
            ("remote_write: [{url: http://a, protobuf_message: io.prometheus.write.v2.Request}]", "2.0"),
            ("remote_write: [{url: http://a, queue_config: {min_shards: 5, max_shards: 2}}]", "min_shards"),
            ("remote_write: [{url: http://a, name: x}, {url: http://b, name: x}]", "multiple"),
            ("remote_write: [{url: ftp://a}]", "http"),
        ] {
            #expect { try PrometheusConfig.parse(bad, file: "p.yml") } throws: { "\($0)".contains(reason) }
        }
    }
}
