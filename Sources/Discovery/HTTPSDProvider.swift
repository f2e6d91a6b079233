import AsyncHTTPClient
import Config
import ConfigSupport
import Foundation
import Logging
import MetricModel
import NIOCore
import OutgoingHTTP

/// `http_sd_configs`: GETs the URL every refresh interval and takes the JSON list of target
/// groups it answers (Prometheus' HTTP SD contract). A failed request or a body that breaks the
/// contract keeps the previous targets, and is logged and counted.
package struct HTTPSDProvider: TargetProvider {
    package let config: HTTPSDConfig
    let userAgent: String
    let logger: Logger
    let stats: DiscoveryStats?

    package var mechanism: String { "http" }

    /// Label set on every group: the URL it came from.
    package static let urlLabel = "__meta_url"
    /// Bodies beyond this are refused rather than read into memory.
    package static let bodyLimit = 64 << 20

    package init(config: HTTPSDConfig, userAgent: String, logger: Logger, stats: DiscoveryStats? = nil) {
        self.config = config
        self.userAgent = userAgent
        self.logger = logger
        self.stats = stats
    }

    package struct ContractError: Error, Sendable, CustomStringConvertible, Equatable {
        package var reason: String
        package var description: String { reason }
    }

    package func run(publish: @escaping @Sendable ([TargetGroup]) -> Void) async {
        while !Task.isCancelled {
            do {
                publish(try await fetch())
                stats?.recordRefresh(mechanism, failed: false)
            } catch {
                if Task.isCancelled { return }
                stats?.recordRefresh(mechanism, failed: true)
                logger.error("HTTP service discovery failed; keeping the previous targets", metadata: ["url": "\(config.url)", "error": "\(error)"])
            }
            do { try await Task.sleep(for: .milliseconds(config.refreshInterval.milliseconds)) } catch { return }
        }
    }

    func fetch() async throws -> [TargetGroup] {
        let client = try OutgoingHTTPClients.client(for: config.httpClient)
        var request = HTTPClientRequest(url: config.url)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: userAgent)
        request.headers.add(name: "X-Prometheus-Refresh-Interval-Seconds", value: String(config.refreshInterval.milliseconds / 1000))
        if let auth = try await OAuth2Tokens.authorizationHeader(for: config.httpClient) { request.headers.add(name: "Authorization", value: auth) }
        let response = try await client.execute(request, timeout: .seconds(30))
        guard response.status == .ok else { throw ContractError(reason: "server returned HTTP status \(response.status.code)") }
        let type = response.headers.first(name: "Content-Type") ?? ""
        guard type.lowercased().hasPrefix("application/json") else {
            throw ContractError(reason: "unsupported content type \"\(type)\": expected application/json")
        }
        var body = try await response.body.collect(upTo: Self.bodyLimit)
        return try Self.parse(body.readBytes(length: body.readableBytes) ?? [], url: config.url)
    }

    /// The groups of one answer: a JSON list of `{"targets": [...], "labels": {...}}`.
    package static func parse(_ body: [UInt8], url: String) throws(ContractError) -> [TargetGroup] {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) } catch {
            throw ContractError(reason: "the body is not JSON")
        }
        guard let items = root as? [Any] else { throw ContractError(reason: "expected a JSON list of target groups") }
        var groups: [TargetGroup] = []
        for (i, item) in items.enumerated() {
            guard let object = item as? [String: Any] else { throw ContractError(reason: "target group \(i) is not an object") }
            var targets: [String] = []
            if let list = object["targets"] {
                guard let strings = list as? [Any] else { throw ContractError(reason: "targets of group \(i) is not a list") }
                for t in strings {
                    guard let s = t as? String else { throw ContractError(reason: "a target of group \(i) is not a string") }
                    targets.append(s)
                }
            }
            var labels = [Label(urlLabel, url)]
            if let map = object["labels"], !(map is NSNull) {
                guard let pairs = map as? [String: Any] else { throw ContractError(reason: "labels of group \(i) is not an object") }
                for (name, value) in pairs.sorted(by: { $0.key < $1.key }) {
                    guard let v = value as? String else { throw ContractError(reason: "label \(name) of group \(i) is not a string") }
                    guard !name.isEmpty else { throw ContractError(reason: "group \(i) has an empty label name") }
                    labels.append(Label(name, v))
                }
            }
            for key in object.keys where key != "targets" && key != "labels" {
                throw ContractError(reason: "unknown field \(key) in group \(i)")
            }
            groups.append(TargetGroup(targets: targets, labels: Labels(labels), source: "\(url):\(i)"))
        }
        return groups
    }
}
