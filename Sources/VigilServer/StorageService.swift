import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import TSDB

/// Keeps storage healthy while the server runs (interval WAL fsyncs, full head chunks written out
/// and mapped, cutting blocks from the head, retention, snapshots), and
/// at shutdown, after every writer has stopped, writes a final snapshot and closes the WAL.
///
/// Its work blocks a thread, so it runs on NIO's blocking pool (see ``BlockingPool``).
struct StorageService: Service {
    let database: Database
    let walFsync: WALFsyncPolicy
    let maintenanceInterval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown { await maintain() }
        do {
            try await BlockingPool.run { [database] in try database.checkpoint(durable: false) }
        } catch {
            logger.error("final snapshot failed; the WAL still holds everything: \(error)")
        }
        database.close()
        logger.info("storage closed")
    }

    /// Periodic fsyncs (with `--storage.tsdb.wal-fsync=interval`), blocks, retention and snapshots.
    private func maintain() async {
        let fsyncEvery: Duration
        if case .interval(let d) = walFsync { fsyncEvery = d } else { fsyncEvery = .seconds(10) }
        let db = database
        var lastMaintenance = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: min(fsyncEvery, maintenanceInterval)) } catch { break }
            do { try await BlockingPool.run { try db.syncWAL() } } catch { logger.error("WAL fsync failed: \(error)") }
            // Full chunks off the heap, into the mapped head chunk files.
            var moved = 0
            do { moved = try await BlockingPool.run { try db.mapHeadChunks() } } catch { logger.error("writing full head chunks failed; they stay in memory: \(error)") }
            // A burst of chunks left the heap (a backfill): give their pages back.
            if moved > 10_000 { _ = try? await BlockingPool.run { FreedMemory.release() } }
            guard lastMaintenance.duration(to: .now) >= maintenanceInterval else { continue }
            lastMaintenance = .now
            var freedMuch = false
            do { freedMuch = try await BlockingPool.run { try db.compactHead() } > 0 } catch { logger.error("cutting a block from the head failed; the head keeps the samples: \(error)") }
            if ((try? await BlockingPool.run { db.compactBlocks() }) ?? 0) > 0 { freedMuch = true }
            do { try await BlockingPool.run { try db.applyRetentionRules() } } catch { logger.error("applying retention rules failed: \(error)") }
            let dropped = (try? await BlockingPool.run { db.applyRetention() }) ?? 0
            if dropped > 0 { logger.info("retention dropped series", metadata: ["series": "\(dropped)"]) }
            if db.needsCheckpoint {
                do { try await BlockingPool.run { try db.checkpoint() } } catch { logger.error("snapshot failed: \(error)") }
            }
            // Cutting and compacting blocks build large buffers, and dropped series free theirs.
            if freedMuch || dropped > 0 { _ = try? await BlockingPool.run { FreedMemory.release() } }
        }
    }
}
