import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import TSDB

/// Keeps storage healthy while the server runs (interval WAL fsyncs, cutting blocks from the head,
/// retention, snapshots), and
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
            try await BlockingPool.run { [database] in try database.checkpoint() }
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
            guard lastMaintenance.duration(to: .now) >= maintenanceInterval else { continue }
            lastMaintenance = .now
            do { _ = try await BlockingPool.run { try db.compactHead() } } catch { logger.error("cutting a block from the head failed; the head keeps the samples: \(error)") }
            _ = try? await BlockingPool.run { db.compactBlocks() }
            do { try await BlockingPool.run { try db.applyRetentionRules() } } catch { logger.error("applying retention rules failed: \(error)") }
            let dropped = (try? await BlockingPool.run { db.applyRetention() }) ?? 0
            if dropped > 0 { logger.info("retention dropped series", metadata: ["series": "\(dropped)"]) }
            if db.needsCheckpoint {
                do { try await BlockingPool.run { try db.checkpoint() } } catch { logger.error("snapshot failed: \(error)") }
            }
        }
    }
}
