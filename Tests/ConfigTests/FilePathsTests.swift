@testable import Config
import ConfigSupport
import Testing

/// Directory arithmetic on config file names, including names Foundation's path API traps on.
@Suite struct FilePathsTests {
    @Test func theDirectoryOfAPathIsEverythingBeforeTheLastSlash() {
        #expect(FilePaths.directory(of: "p") == "")
        #expect(FilePaths.directory(of: "prometheus.yml") == "")
        #expect(FilePaths.directory(of: "/etc/vigil/prometheus.yml") == "/etc/vigil")
        #expect(FilePaths.directory(of: "/p") == "/")
        #expect(FilePaths.directory(of: "configs/p") == "configs")
        #expect(FilePaths.resolve("ca.crt", against: "/etc/vigil") == "/etc/vigil/ca.crt")
        #expect(FilePaths.resolve("ca.crt", against: "/") == "/ca.crt")
        #expect(FilePaths.resolve("/abs/ca.crt", against: "/etc") == "/abs/ca.crt")
        #expect(FilePaths.resolve("ca.crt", against: "") == "ca.crt")
    }

    @Test func aConfigFileWithAOneLetterNameLoadsAndItsDiscoveryPathsAreResolved() throws {
        let yaml = """
            scrape_configs:
              - job_name: k8s
                kubernetes_sd_configs:
                  - role: endpoints
                    kubeconfig_file: kube/config
                  - role: pod
                    api_server: https://k8s.example
                    tls_config: {ca_file: ca.crt}
                http_sd_configs:
                  - url: http://sd.example/targets
                    authorization: {credentials_file: token}
            """
        let bare = try PrometheusConfig.parse(yaml, file: "p")
        #expect(bare.scrapeConfigs[0].kubernetesSDConfigs[0].kubeconfigFile == "kube/config")
        let placed = try PrometheusConfig.parse(yaml, file: "/etc/vigil/p")
        let job = placed.scrapeConfigs[0]
        #expect(job.kubernetesSDConfigs[0].kubeconfigFile == "/etc/vigil/kube/config")
        #expect(job.kubernetesSDConfigs[1].httpClient.tlsConfig.caFile == "/etc/vigil/ca.crt")
        #expect(job.httpSDConfigs[0].httpClient.authorization?.credentialsFile == "/etc/vigil/token")
    }
}
