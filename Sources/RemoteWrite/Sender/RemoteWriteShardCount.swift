/// How many shards a queue needs: enough parallel senders to keep up with what arrives and to
/// work off the backlog within about twenty seconds, judged from how long sending one sample
/// takes. Changes under 30% are ignored, so the queue does not reshard on noise.
package struct RemoteWriteShardCount: Sendable, Equatable {
    package let minShards: Int
    package let maxShards: Int

    package init(minShards: Int, maxShards: Int) {
        self.minShards = max(1, minShards)
        self.maxShards = max(self.minShards, maxShards)
    }

    /// The shard count to run next.
    /// - Parameters:
    ///   - current: shards running now.
    ///   - samplesInPerSecond: samples read from the WAL per second lately.
    ///   - secondsPerSample: send time per sample, per shard (a shard sends one batch at a time).
    ///   - pendingSamples: samples read and not yet sent.
    package func desired(current: Int, samplesInPerSecond: Double, secondsPerSample: Double, pendingSamples: Double) -> Int {
        guard samplesInPerSecond.isFinite, secondsPerSample.isFinite, pendingSamples.isFinite,
              samplesInPerSecond >= 0, secondsPerSample > 0, pendingSamples >= 0 else { return clamp(current) }
        let catchUp = pendingSamples / 20
        let needed = ((samplesInPerSecond + catchUp) * secondsPerSample).rounded(.up)
        let proposal = needed >= Double(maxShards) ? maxShards : max(Int(needed), minShards)
        let lower = Double(current) * 0.7, upper = Double(current) * 1.3
        if Double(proposal) > lower, Double(proposal) < upper { return clamp(current) }
        return clamp(proposal)
    }

    private func clamp(_ n: Int) -> Int { min(max(n, minShards), maxShards) }
}
