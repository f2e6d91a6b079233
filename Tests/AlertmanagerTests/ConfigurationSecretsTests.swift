import Alertmanager
import Testing

/// Every secret of `alertmanager.yml` is shown as `<secret>` wherever the configuration is shown.
@Suite struct ConfigurationSecretsTests {
    /// Sets every secret field Alertmanager knows, each to a value of its own.
    static let everySecret = """
        global:
          smtp_smarthost: 'mail.example.org:587'
          smtp_from: 'vigil@example.org'
          smtp_auth_username: 'vigil'
          smtp_auth_password: 'SECRET-01'
          smtp_auth_secret: 'SECRET-02'
          slack_api_url: 'https://hooks.slack.com/services/SECRET-03'
          opsgenie_api_key: 'SECRET-04'
          opsgenie_api_url: 'https://api.opsgenie.com/SECRET-05'
          victorops_api_key: 'SECRET-06'
          wechat_api_secret: 'SECRET-07'
          telegram_api_url: 'https://api.telegram.org/SECRET-08'
          http_config:
            basic_auth: {username: u, password: 'SECRET-09'}
        route:
          receiver: team
        receivers:
          - name: team
            email_configs:
              - to: 'oncall@example.org'
                auth_password: 'SECRET-10'
                auth_secret: 'SECRET-11'
            webhook_configs:
              - url: 'https://user:SECRET-12@hooks.example.org/alert'
                http_config:
                  authorization: {credentials: 'SECRET-13'}
                  tls_config: {cert: 'CERTIFICATE-TEXT', key: 'SECRET-15'}
                  http_headers:
                    X-Token: {secrets: ['SECRET-16']}
              - url: 'https://hooks.example.org/SECRET-17'
                http_config:
                  oauth2: {client_id: id, client_secret: 'SECRET-14', token_url: 'https://auth.example.org/token'}
            slack_configs:
              - api_url: 'https://hooks.slack.com/services/SECRET-18'
            pagerduty_configs:
              - routing_key: 'SECRET-19'
                service_key: 'SECRET-20'
            pushover_configs:
              - user_key: 'SECRET-21'
                token: 'SECRET-22'
            telegram_configs:
              - bot_token: 'SECRET-23'
                chat_id: -100123
            msteams_configs:
              - webhook_url: 'https://example.webhook.office.com/SECRET-24'
            discord_configs:
              - webhook_url: 'https://discord.com/api/webhooks/SECRET-25'
            opsgenie_configs:
              - api_key: 'SECRET-26'
            victorops_configs:
              - api_key: 'SECRET-27'
            wechat_configs:
              - api_secret: 'SECRET-28'
            msteamsv2_configs:
              - webhook_url: 'https://prod.westeurope.logic.azure.com/workflows/x?sig=SECRET-29'
        """

    @Test func theStatusRenderingShowsNoSecret() throws {
        let c = try AlertmanagerConfiguration.parse(Self.everySecret, file: "am.yml")
        let shown = c.renderedYAML
        #expect(!shown.contains("SECRET-"), "\(shown)")
        #expect(shown.components(separatedBy: "<secret>").count - 1 == 29, "\(shown)")
        // What is not secret is still there to read.
        #expect(shown.contains("smtp_auth_username: \"vigil\""))
        #expect(shown.contains("to: \"oncall@example.org\""))
    }
}
