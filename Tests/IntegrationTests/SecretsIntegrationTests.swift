import Foundation
import Testing

/// The running server shows its configurations with every secret as `<secret>`: the Prometheus
/// status API, Alertmanager's API v2 status (which amtool and the UI read), and its logs.
@Suite(.serialized) struct SecretsIntegrationTests {
    @Test func statusAPIsAndLogsShowNoSecret() async throws {
        let dir = Paths.tempDirectory()
        let am = dir + "/alertmanager.yml"
        try """
            global:
              smtp_smarthost: '127.0.0.1:1'
              smtp_from: 'vigil@example.org'
              smtp_auth_username: 'vigil'
              smtp_auth_password: 'am-smtp-hunter2'
            route: {receiver: team}
            receivers:
              - name: team
                webhook_configs:
                  - url: 'https://hook:am-webhook-hunter2@127.0.0.1:1/alert'
            """.write(toFile: am, atomically: true, encoding: .utf8)
        let config = """
            scrape_configs:
              - job_name: api
                basic_auth: {username: u, password: 'scrape-hunter2'}
                static_configs: [{targets: ['127.0.0.1:1']}]
            """
        let vigil = try await VigilInstance(config: config, extraArgs: ["--alertmanager.config.file=" + am], dir: dir)
        let amStatus = try await HTTP.request(vigil.base + "/api/v2/status")
        #expect(amStatus.status == 200)
        #expect(amStatus.body.contains("smtp_auth_password: <secret>"), "\(amStatus.body)")
        #expect(!amStatus.body.contains("hunter2"), "\(amStatus.body)")
        let promStatus = try await HTTP.request(vigil.base + "/api/v1/status/config")
        #expect(promStatus.body.contains("password: <secret>"), "\(promStatus.body)")
        #expect(!promStatus.body.contains("hunter2"), "\(promStatus.body)")
        try await Task.sleep(for: .seconds(2))
        #expect(!vigil.process.log.contains("hunter2"))
    }
}
