import MetricModel

/// Deleting series, as Prometheus' admin API does: tombstones in the blocks (applied on every read,
/// dropped for good by `cleanTombstones` or the next compaction) and the samples themselves in
/// the head, made durable by a snapshot.
extension Database {
    /// Deletes the samples in `[mint, maxt]` of every series matching any of the matcher sets.
    /// Returns the blocks that gained tombstones.
    @discardableResult
    public func deleteSeries(_ selectors: [[LabelMatcher]], mint: Int64, maxt: Int64) throws(StorageIOError) -> Int {
        guard mint <= maxt else { return 0 }
        var touched = 0
        for block in blocks where block.minTime <= maxt && block.maxTime > mint {
            var tombstones = block.tombstones
            var added = 0
            for matchers in selectors {
                for id in block.index.candidates(matchers) {
                    guard let entry = block.index.series(id), entry.labels.matches(matchers),
                          entry.chunks.contains(where: { $0.maxTime >= mint && $0.minTime <= maxt }) else { continue }
                    tombstones.add(id, max(mint, block.minTime)...min(maxt, block.maxTime - 1))
                    added += 1
                }
            }
            guard added > 0 else { continue }
            try tombstones.write(directory: block.directory)
            try replace(block)
            touched += 1
        }
        var headChanged = 0
        for matchers in selectors { headChanged += head.deleteSamples(matching: matchers, in: mint...maxt) }
        if headChanged > 0 { try checkpoint() }
        logger.info("deleted series", metadata: ["selectors": "\(selectors.count)", "blocks": "\(touched)", "head_series": "\(headChanged)"])
        return touched
    }

    /// Rewrites every block that has tombstones without the deleted samples; returns how many.
    @discardableResult
    public func cleanTombstones() throws(StorageIOError) -> Int {
        var cleaned = 0
        for block in blocks where !block.tombstones.isEmpty {
            let meta = try BlockCompactor.compact([block], into: directory, nowMs: options.clock.nowMs())
            let rewritten: Block?
            if let meta {
                do { rewritten = try Block(directory: directory + "/" + meta.ulid) } catch {
                    throw StorageIOError(operation: "reopen the rewritten block (\(error))", path: directory, errno: 5 /* EIO */)
                }
            } else {
                rewritten = nil
            }
            blockList.withLock { list in
                list.removeAll { $0.ulid == block.ulid }
                if let rewritten { list.append(rewritten) }
                list.sort { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }
            }
            removeDirectories(of: [block])
            cleaned += 1
        }
        return cleaned
    }

    /// Reopens a block whose tombstones changed and puts it in the old one's place.
    private func replace(_ block: Block) throws(StorageIOError) {
        let reopened: Block
        do { reopened = try Block(directory: block.directory) } catch {
            throw StorageIOError(operation: "reopen block after writing tombstones (\(error))", path: block.directory, errno: 5 /* EIO */)
        }
        blockList.withLock { list in
            if let i = list.firstIndex(where: { $0.ulid == block.ulid }) { list[i] = reopened }
        }
    }
}
