import AsyncHTTPClient
import Config
import ConfigSupport
import Foundation
import NIOCore
import OutgoingHTTP

/// How Vigil reaches the Kubernetes API: the configured `api_server` with the scrape-style HTTP
/// options, or, in a pod, the service account's address, token and CA.
package struct KubernetesAPI: Sendable {
    package var baseURL: String
    package var httpClient: HTTPClientConfig
    /// Read before each request, so a rotated service-account token is picked up.
    package var tokenFile: String?

    /// Where a pod finds its service account.
    package static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    package struct Failure: Error, Sendable, CustomStringConvertible {
        package var description: String
        /// HTTP 410 Gone (or a watch ERROR event saying so): the resource version is too old.
        package var gone = false
    }

    package init(baseURL: String, httpClient: HTTPClientConfig, tokenFile: String? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.httpClient = httpClient
        self.tokenFile = tokenFile
    }

    /// The API for `config`: its `api_server`, or the in-cluster one.
    package static func from(_ config: KubernetesSDConfig, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Failure) -> KubernetesAPI {
        if let api = config.apiServer { return KubernetesAPI(baseURL: api, httpClient: config.httpClient) }
        if let path = config.kubeconfigFile {
            let kubeconfig = try Kubeconfig.load(path: path)
            return KubernetesAPI(baseURL: kubeconfig.server, httpClient: kubeconfig.httpClient)
        }
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] else {
            throw Failure(description: "not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST is unset) and no api_server is configured")
        }
        var http = config.httpClient
        if http.tlsConfig.caFile == nil { http.tlsConfig.caFile = serviceAccountDirectory + "/ca.crt" }
        return KubernetesAPI(baseURL: "https://" + TargetAddress.join(host, Int(port) ?? 443), httpClient: http,
                             tokenFile: serviceAccountDirectory + "/token")
    }

    func request(_ path: String) async throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "Accept", value: "application/json")
        if let tokenFile {
            let token = try HTTPClientConfig.readSecretFile(tokenFile)
            request.headers.add(name: "Authorization", value: "Bearer " + token)
        } else if let auth = try await OAuth2Tokens.authorizationHeader(for: httpClient) {
            request.headers.add(name: "Authorization", value: auth)
        }
        return request
    }

    /// A list: its items and the resource version to watch from.
    package func list(_ path: String) async throws -> (items: [[String: Any]], resourceVersion: String) {
        let client = try OutgoingHTTPClients.client(for: httpClient)
        let response = try await client.execute(try await request(path), timeout: .seconds(60))
        var body = try await response.body.collect(upTo: 256 << 20)
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        guard response.status == .ok else {
            throw Failure(description: "listing \(path): HTTP \(response.status.code)", gone: response.status.code == 410)
        }
        guard let root = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw Failure(description: "listing \(path): the answer is not a JSON object")
        }
        let version = (root["metadata"] as? [String: Any])?["resourceVersion"] as? String ?? ""
        return (root["items"] as? [[String: Any]] ?? [], version)
    }

    /// One watch event.
    package enum Event {
        case added([String: Any]), modified([String: Any]), deleted([String: Any])
        /// A bookmark: nothing changed up to this resource version.
        case bookmark(String)
    }

    /// Streams the events of a watch (newline-delimited JSON over a chunked response) to
    /// `handle` until the server ends it. An ERROR event throws (410: `gone`).
    package func watch(_ path: String, handle: ([Event]) -> Void) async throws {
        let client = try OutgoingHTTPClients.client(for: httpClient)
        // The server ends a watch after timeoutSeconds; the deadline only guards a silent one.
        let response = try await client.execute(try await request(path), timeout: .seconds(600))
        guard response.status == .ok else {
            throw Failure(description: "watching \(path): HTTP \(response.status.code)", gone: response.status.code == 410)
        }
        var pending: [UInt8] = []
        for try await chunk in response.body {
            pending += chunk.readableBytesView
            guard pending.count < 64 << 20 else { throw Failure(description: "watching \(path): an event larger than 64 MiB") }
            var events: [Event] = []
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                if line.allSatisfy({ $0 == 32 || $0 == 13 }) { continue }
                if let event = try Self.event(line, path: path) { events.append(event) }
            }
            if !events.isEmpty { handle(events) }
        }
    }

    package static func event(_ line: [UInt8], path: String) throws(Failure) -> Event? {
        guard let root = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
              let type = root["type"] as? String, let object = root["object"] as? [String: Any] else {
            throw Failure(description: "watching \(path): an event that is not JSON")
        }
        switch type {
        case "ADDED": return .added(object)
        case "MODIFIED": return .modified(object)
        case "DELETED": return .deleted(object)
        case "BOOKMARK": return .bookmark((object["metadata"] as? [String: Any])?["resourceVersion"] as? String ?? "")
        case "ERROR":
            let code = object["code"] as? Int ?? 0
            throw Failure(description: "watching \(path): \(object["message"] as? String ?? "error \(code)")", gone: code == 410)
        default: return nil
        }
    }
}
