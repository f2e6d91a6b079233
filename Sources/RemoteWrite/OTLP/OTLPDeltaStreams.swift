import Synchronization

/// The delta streams of every OTLP export (`--enable-feature=otlp-deltatocumulative`), shared by
/// the receiver's requests: one lock taken per export, none per point.
package final class OTLPDeltaStreams: Sendable {
    private let accumulator: Mutex<OTLPDeltaAccumulator>

    package init(maxStreams: Int = 1 << 20) {
        accumulator = Mutex(OTLPDeltaAccumulator(maxStreams: maxStreams))
    }

    /// Rewrites the delta points of `request` as cumulative (see ``OTLPDeltaAccumulator``).
    func convert(_ request: inout Vigil_Otlp_V1_ExportMetricsServiceRequest, now: Int64, outcome: inout OTLPReceiver.Outcome) {
        accumulator.withLock { $0.convert(&request, now: now, outcome: &outcome) }
    }

    /// Streams tracked now.
    package var count: Int { accumulator.withLock { $0.count } }
}
