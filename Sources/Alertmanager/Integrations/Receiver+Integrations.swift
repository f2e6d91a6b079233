extension Receiver {
    /// The integrations that deliver to this receiver, in configuration order (`email[0]`, `webhook[0]`, `slack[0]`, …).
    public var integrations: [any Integration] {
        emailConfigs.map { EmailIntegration(config: $0) } + webhookConfigs.map { WebhookIntegration(config: $0) }
            + slackConfigs.map { SlackIntegration(config: $0) } + discordConfigs.map { DiscordIntegration(config: $0) }
            + pagerdutyConfigs.map { PagerDutyIntegration(config: $0) } + opsgenieConfigs.map { OpsGenieIntegration(config: $0) }
            + telegramConfigs.map { TelegramIntegration(config: $0) } + msteamsv2Configs.map { MSTeamsV2Integration(config: $0) }
    }
}
