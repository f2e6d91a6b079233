import Config
import ConfigSupport
import Foundation

/// What Vigil takes from a kubeconfig file (`kubeconfig_file`): the current context's cluster
/// (server, CA, TLS server name, skip-verify), its user (token or token file, client certificate
/// and key, basic auth) and its namespace. Paths are relative to the file, `*-data` fields are
/// base64 PEM, as kubectl reads them. Credential plugins (`exec`, `auth-provider`) would run
/// programs; they are refused with a clear error rather than half-supported.
package struct Kubeconfig: Sendable {
    /// The API server's URL.
    package var server: String
    /// TLS and authentication towards it.
    package var httpClient = HTTPClientConfig()
    /// The context's namespace (what `own_namespace` means outside a pod).
    package var namespace: String?

    /// Reads and interprets the file at `path`.
    package static func load(path: String) throws(KubernetesAPI.Failure) -> Kubeconfig {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw KubernetesAPI.Failure(description: "kubeconfig_file \(path): \(error.localizedDescription)")
        }
        return try parse(text, path: path)
    }

    /// Interprets kubeconfig `text` read from `path` (its directory anchors relative paths).
    package static func parse(_ text: String, path: String) throws(KubernetesAPI.Failure) -> Kubeconfig {
        func fail(_ message: String) -> KubernetesAPI.Failure { KubernetesAPI.Failure(description: "kubeconfig_file \(path): \(message)") }
        let root: YAMLValue
        do { root = try YAMLValue.parse(text, file: path) } catch { throw fail(error.message) }
        let directory = FilePaths.directory(of: path)
        func file(_ value: String?) -> String? {
            guard let value, !value.isEmpty else { return nil }
            return value.hasPrefix("/") || directory.isEmpty ? value : directory + "/" + value
        }
        func pem(_ base64: String?, _ field: String) throws(KubernetesAPI.Failure) -> String? {
            guard let base64 else { return nil }
            guard let data = Data(base64Encoded: base64, options: .ignoreUnknownCharacters) else { throw fail("\(field) is not base64") }
            return String(decoding: data, as: UTF8.self)
        }
        /// The entry of `list` called `name`, as in `clusters: [{name: x, cluster: {...}}]`.
        func named(_ list: String, _ name: String?, _ field: String) throws(KubernetesAPI.Failure) -> YAMLValue {
            guard let name, !name.isEmpty else { throw fail("no \(field) is chosen (set current-context)") }
            for item in root[list]?.items ?? [] where item["name"]?.text == name {
                if let value = item[field] { return value }
            }
            throw fail("\(field) \"\(name)\" is not defined")
        }

        let context = try named("contexts", root["current-context"]?.text, "context")
        let cluster = try named("clusters", context["cluster"]?.text, "cluster")
        guard let server = cluster["server"]?.text, !server.isEmpty else { throw fail("the cluster has no server") }
        var config = Kubeconfig(server: server)
        config.namespace = context["namespace"]?.text
        var tls = HTTPClientConfig.TLSConfig()
        tls.caFile = file(cluster["certificate-authority"]?.text)
        tls.ca = try pem(cluster["certificate-authority-data"]?.text, "certificate-authority-data")
        tls.serverName = cluster["tls-server-name"]?.text
        tls.insecureSkipVerify = cluster["insecure-skip-tls-verify"]?.text == "true"
        config.httpClient.proxyURL = cluster["proxy-url"]?.text

        if let userName = context["user"]?.text, !userName.isEmpty {
            let user = try named("users", userName, "user")
            if user["exec"] != nil || user["auth-provider"] != nil {
                throw fail("user \"\(userName)\" gets its credentials from a plugin (exec or auth-provider), which Vigil does not run; use a token, token file or client certificate")
            }
            tls.certFile = file(user["client-certificate"]?.text)
            tls.cert = try pem(user["client-certificate-data"]?.text, "client-certificate-data")
            tls.keyFile = file(user["client-key"]?.text)
            tls.key = try pem(user["client-key-data"]?.text, "client-key-data").map(Secret.init)
            if let token = user["token"]?.text, !token.isEmpty {
                config.httpClient.authorization = .init(credentials: Secret(token))
            } else if let tokenFile = file(user["tokenFile"]?.text) {
                config.httpClient.authorization = .init(credentialsFile: tokenFile)
            } else if let username = user["username"]?.text {
                var basic = HTTPClientConfig.BasicAuth()
                basic.username = username
                basic.password = user["password"]?.text.map(Secret.init)
                config.httpClient.basicAuth = basic
            }
        }
        config.httpClient.tlsConfig = tls
        return config
    }
}

extension YAMLValue {
    /// A mapping's value for `key`, read loosely (kubeconfig files carry many fields Vigil ignores).
    fileprivate subscript(key: String) -> YAMLValue? {
        guard case .mapping(let pairs) = kind else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    fileprivate var items: [YAMLValue] {
        if case .sequence(let items) = kind { return items }
        return []
    }

    fileprivate var text: String? {
        if case .scalar(let s, _) = kind { return s }
        return nil
    }
}
