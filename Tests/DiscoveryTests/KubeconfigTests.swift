@testable import Discovery
import Foundation
import Testing

/// `kubeconfig_file`: the current context's server, credentials, TLS material and namespace.
@Suite struct KubeconfigTests {
    static let text = """
        apiVersion: v1
        kind: Config
        current-context: ml-prod
        clusters:
          - name: staging
            cluster: {server: "https://staging.example:6443"}
          - name: prod
            cluster:
              server: https://10.0.0.1:6443
              certificate-authority: certs/ca.crt
              tls-server-name: kubernetes.default
        contexts:
          - name: ml-prod
            context: {cluster: prod, user: vigil, namespace: ml}
        users:
          - name: vigil
            user:
              token: sa-token-123
              client-certificate-data: \(Data("-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n".utf8).base64EncodedString())
              client-key: /etc/vigil/client.key
        preferences: {}
        """

    @Test func theCurrentContextGivesServerCredentialsTLSAndNamespace() throws {
        let config = try Kubeconfig.parse(Self.text, path: "/etc/vigil/kubeconfig")
        #expect(config.server == "https://10.0.0.1:6443")
        #expect(config.namespace == "ml")
        #expect(config.httpClient.authorization?.credentials?.value == "sa-token-123")
        #expect(config.httpClient.tlsConfig.caFile == "/etc/vigil/certs/ca.crt", "relative to the kubeconfig's directory")
        #expect(config.httpClient.tlsConfig.serverName == "kubernetes.default")
        #expect(config.httpClient.tlsConfig.cert?.hasPrefix("-----BEGIN CERTIFICATE-----") == true)
        #expect(config.httpClient.tlsConfig.keyFile == "/etc/vigil/client.key")
    }

    @Test func credentialPluginsAndMissingContextsAreClearErrors() throws {
        let exec = Self.text.replacingOccurrences(of: "token: sa-token-123", with: "exec: {command: aws, args: [eks, get-token]}")
        #expect { try Kubeconfig.parse(exec, path: "k") } throws: { "\($0)".contains("plugin") }
        let noContext = Self.text.replacingOccurrences(of: "current-context: ml-prod", with: "current-context: gone")
        #expect { try Kubeconfig.parse(noContext, path: "k") } throws: { "\($0)".contains("context \"gone\" is not defined") }
        #expect { try Kubeconfig.parse("clusters: [", path: "k") } throws: { _ in true }
        #expect { try Kubeconfig.load(path: "/nonexistent/kubeconfig") } throws: { "\($0)".contains("/nonexistent/kubeconfig") }
    }
}
