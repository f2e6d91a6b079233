import Foundation
import Hummingbird
import MetricModel
import NIOCore
import PromQL
import TSDB

extension APIRoutes {
    /// `GET /federate`: for each series matching any `match[]` selector, its newest sample
    /// within the lookback window (stale series left out), with Vigil's external labels added, so
    /// another Prometheus can scrape it with `honor_labels`.
    ///
    /// A reader that prefers the delimited protobuf format (a Prometheus with native histograms
    /// on) gets it, native histograms included; others get the text format, which cannot carry
    /// native histograms and leaves them out, as Prometheus does. Names that are not legacy names
    /// are quoted (text) or kept (protobuf) when the `Accept` header asks for
    /// `escaping=allow-utf-8`, and escaped as it asks otherwise (`underscores` when it does not
    /// say), so a Prometheus 2 reader gets names it can parse.
    static func addFederation(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        let federate: @Sendable (Request, VigilRequestContext) async throws -> Response = { request, _ in
            let p = try await APIParameters.from(request)
            guard let querier = backend.querier else { return text("Vigil is not ready yet\n", .serviceUnavailable) }
            let matches = p.all("match[]")
            guard !matches.isEmpty else { return text("federation needs at least one match[] parameter\n", .badRequest) }
            var selectors: [[LabelMatcher]] = []
            for m in matches {
                do { selectors.append(try Parser.parseSelector(m).matchers) } catch {
                    return text("invalid match[] \(m): \(error)\n", .badRequest)
                }
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let external = backend.config?.global.externalLabels ?? .empty
            let accept = request.headers[.accept] ?? ""
            let protobuf = FederatedSamples.prefersProtobuf(accept: accept)
            let samples = FederatedSamples.collect(querier, selectors: selectors, at: now, lookback: backend.settings.queryOptions.lookbackDelta,
                                                   externalLabels: external, histograms: protobuf)
            let escaping = NameEscapingScheme.requested(byAccept: accept) ?? .underscores
            if protobuf {
                let body: [UInt8]
                do { body = try samples.delimitedProtobuf(escaping: escaping) } catch {
                    return text("encoding the federated samples failed: \(error)\n", .internalServerError)
                }
                return Response(status: .ok, headers: [.contentType: FederatedSamples.protobufContentType + "; escaping=\(escaping.rawValue)"],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
            }
            let version = escaping == .allowUTF8 ? "1.0.0" : "0.0.4"
            return Response(status: .ok, headers: [.contentType: "text/plain; version=\(version); charset=utf-8; escaping=\(escaping.rawValue)"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: samples.exposition(escaping: escaping))))
        }
        router.get("/federate", use: federate)
    }
}
