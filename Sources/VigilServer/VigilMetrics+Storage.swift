import Prometheus
import TSDB

/// Gauges of storage beyond the head: WAL replay progress while storage opens, and the blocks.
package struct StorageMetrics: Sendable {
    let replayInProgress: Gauge
    let replayFirstSegment: Gauge
    let replayLastSegment: Gauge
    let replayCurrentSegment: Gauge
    let replaySamples: Gauge
    let replaySeconds: Gauge
    let blocksLoaded: Gauge
    let blocksBytes: Gauge
    let lowestTimestamp: Gauge
    let failedCompactions: Gauge
    let headChunkFilesBytes: Gauge
    let headChunkFiles: Gauge

    init(registry: PrometheusCollectorRegistry) {
        func gauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: VigilMetrics.descriptor(name, help))
        }
        replayInProgress = gauge("vigil_tsdb_wal_replay_in_progress", "1 while storage is replaying its WAL at start, then 0.")
        replayFirstSegment = gauge("vigil_tsdb_wal_replay_first_segment", "The first WAL segment replayed at start (-1: none).")
        replayLastSegment = gauge("vigil_tsdb_wal_replay_last_segment", "The last WAL segment replayed at start (-1: none).")
        replayCurrentSegment = gauge("vigil_tsdb_wal_replay_current_segment", "The WAL segment being replayed (the last one once done).")
        replaySamples = gauge("vigil_tsdb_wal_replay_samples", "Samples loaded by the WAL replay at start (from snapshot segments and, once, a Prometheus WAL).")
        replaySeconds = gauge("vigil_tsdb_wal_replay_duration_seconds", "How long the replay at start took (so far, while it runs).")
        blocksLoaded = gauge("vigil_tsdb_blocks_loaded", "Blocks on disk that queries read.")
        blocksBytes = gauge("vigil_tsdb_storage_blocks_bytes", "Bytes of the blocks on disk.")
        lowestTimestamp = gauge("vigil_tsdb_lowest_timestamp_seconds", "The oldest sample time stored (blocks or head).")
        headChunkFilesBytes = gauge("vigil_tsdb_head_chunks_storage_size_bytes", "Bytes of the head chunk files: full head chunks, mapped rather than on the heap.")
        headChunkFiles = gauge("vigil_tsdb_head_chunk_files", "Head chunk files on disk.")
        failedCompactions = gauge("vigil_tsdb_compactions_failed_blocks", "Blocks left out of compaction because compacting them failed.")
    }
}

extension VigilMetrics {
    func observe(replay: WALReplayProgress.Snapshot) {
        storage.replayInProgress.set(to: replay.state == .done ? 0 : 1)
        storage.replayFirstSegment.set(to: Double(replay.firstSegment))
        storage.replayLastSegment.set(to: Double(replay.lastSegment))
        storage.replayCurrentSegment.set(to: Double(replay.currentSegment))
        storage.replaySamples.set(to: Double(replay.samples))
        storage.replaySeconds.set(to: replay.seconds)
    }

    func observe(blocks db: Database) {
        let blocks = db.blocks
        storage.blocksLoaded.set(to: Double(blocks.count))
        storage.blocksBytes.set(to: Double(blocks.reduce(0) { $0 + $1.byteCount }))
        let oldest = min(blocks.first?.minTime ?? .max, max(db.head.minTime, db.head.minValidTime))
        storage.lowestTimestamp.set(to: oldest == .max ? 0 : Double(oldest) / 1000)
        storage.failedCompactions.set(to: Double(db.failedCompactionCount))
        storage.headChunkFilesBytes.set(to: Double(db.headChunks.byteCount))
        storage.headChunkFiles.set(to: Double(db.headChunks.fileCount))
    }
}
