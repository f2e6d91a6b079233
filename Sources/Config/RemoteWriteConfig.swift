import ConfigSupport
import MetricModel

/// One `remote_write` entry: where samples from the WAL are sent, how, and at what pace.
public struct RemoteWriteConfig: Sendable, Hashable {
    /// `queue_config`: the sending queue's shape, retries and backoff.
    public struct QueueConfig: Sendable, Hashable {
        /// Samples buffered per shard before reading the WAL waits.
        public var capacity = 10_000
        public var maxShards = 50
        public var minShards = 1
        public var maxSamplesPerSend = 2_000
        /// How long a shard waits to fill a batch before sending what it has.
        public var batchSendDeadline = PromDuration(milliseconds: 5_000)
        public var minBackoff = PromDuration(milliseconds: 30)
        public var maxBackoff = PromDuration(milliseconds: 5_000)
        /// Whether 429 Too Many Requests is retried like a 5xx (otherwise dropped like a 4xx).
        public var retryOnHTTP429 = true
        /// Samples older than this when sent are dropped instead (0: no limit).
        public var sampleAgeLimit = PromDuration(milliseconds: 0)

        public init() {}
    }

    /// `metadata_config`: whether and how often metric metadata is sent.
    public struct MetadataConfig: Sendable, Hashable {
        public var send = true
        public var sendInterval = PromDuration(milliseconds: 60_000)
        public var maxSamplesPerSend = 500

        public init() {}
    }

    public var url: String
    /// `name`, or a hash of the settings: labels the queue's metrics and names its progress file.
    public var name: String
    public var remoteTimeout = PromDuration(milliseconds: 30_000)
    public var headers: [String: String] = [:]
    public var writeRelabelConfigs: [RelabelConfig] = []
    public var sendExemplars = false
    public var sendNativeHistograms = false
    public var queue = QueueConfig()
    public var metadata = MetadataConfig()
    public var httpClient = HTTPClientConfig()

    public init(url: String, name: String = "") {
        self.url = url
        self.name = name
    }

    /// Headers Vigil sets itself; configuring them is an error, as in Prometheus.
    static let reservedHeaders: Set<String> = [
        "host", "authorization", "content-encoding", "content-type", "x-prometheus-remote-write-version", "user-agent",
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "www-authenticate",
    ]

    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> RemoteWriteConfig {
        var m = try MappingReader(v, what: "remote_write", ctx)
        guard let url = try m.string("url", ctx), !url.isEmpty else { throw ctx.error(v, "remote_write: url is missing") }
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw ctx.error(v, "remote_write: url must be an http or https URL: \(url)")
        }
        var c = RemoteWriteConfig(url: url, name: try m.string("name", ctx) ?? "")
        if c.name.isEmpty {
            // As in Prometheus, an unnamed queue is named after its settings: the same entry
            // keeps its name (and its progress through the WAL) across restarts.
            var hash = FNV1a64()
            hash.add(v.rendered(maskingKeys: { _ in false }))
            let hex = String(hash.value, radix: 16)
            c.name = String((String(repeating: "0", count: max(0, 16 - hex.count)) + hex).prefix(6))
        }
        if let t = try m.duration("remote_timeout", ctx) { c.remoteTimeout = t }
        for (name, value) in try m.stringMap("headers", ctx) ?? [] {
            if reservedHeaders.contains(name.lowercased()) { throw ctx.error(v, "remote_write: header \(name) is reserved and cannot be set") }
            c.headers[name] = value
        }
        c.writeRelabelConfigs = try RelabelConfig.decodeList(try m.sequence("write_relabel_configs", ctx), &ctx)
        c.sendExemplars = try m.bool("send_exemplars", ctx) ?? false
        c.sendNativeHistograms = try m.bool("send_native_histograms", ctx) ?? false
        if let message = try m.string("protobuf_message", ctx), message != "prometheus.WriteRequest" {
            throw ctx.error(v, "remote_write: protobuf_message \(message) (remote write 2.0) is not supported yet; use prometheus.WriteRequest")
        }
        if let q = m.take("queue_config") { c.queue = try decodeQueue(q, &ctx) }
        if let md = m.take("metadata_config") {
            var r = try MappingReader(md, what: "metadata_config", ctx)
            c.metadata.send = try r.bool("send", ctx) ?? true
            if let d = try r.duration("send_interval", ctx) { c.metadata.sendInterval = d }
            if let n = try r.int("max_samples_per_send", ctx) { c.metadata.maxSamplesPerSend = n }
            try r.finish(&ctx)
        }
        for unsupported in ["sigv4", "azuread", "google_iam"] where m.has(unsupported) {
            throw ctx.error(v, "remote_write: \(unsupported) authentication is not supported by Vigil; use basic_auth, authorization, oauth2 or tls_config")
        }
        c.httpClient = try HTTPClientConfig.decode(from: &m, &ctx)
        try m.finish(&ctx, ignoredKnownFields: HTTPClientConfig.ignoredKnownFields.union(["round_robin_dns"]))
        return c
    }

    /// Refuses two queues with the same name: their metrics and WAL progress would mix.
    static func checkNames(_ configs: [RemoteWriteConfig], source: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) {
        var seen: Set<String> = []
        for c in configs where !seen.insert(c.name).inserted {
            throw ctx.error(source, "found multiple remote write configs with name \"\(c.name)\" (identical unnamed entries share a name too)")
        }
    }

    static func decodeQueue(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> QueueConfig {
        var r = try MappingReader(v, what: "queue_config", ctx)
        var q = QueueConfig()
        func positive(_ key: String, _ value: Int?, _ into: inout Int) throws(ConfigError) {
            guard let value else { return }
            guard value > 0 else { throw ctx.error(v, "queue_config: \(key) must be positive") }
            into = value
        }
        try positive("capacity", try r.int("capacity", ctx), &q.capacity)
        try positive("max_shards", try r.int("max_shards", ctx), &q.maxShards)
        try positive("min_shards", try r.int("min_shards", ctx), &q.minShards)
        try positive("max_samples_per_send", try r.int("max_samples_per_send", ctx), &q.maxSamplesPerSend)
        if let d = try r.duration("batch_send_deadline", ctx) { q.batchSendDeadline = d }
        if let d = try r.duration("min_backoff", ctx) { q.minBackoff = d }
        if let d = try r.duration("max_backoff", ctx) { q.maxBackoff = d }
        q.retryOnHTTP429 = try r.bool("retry_on_http_429", ctx) ?? true
        if let d = try r.duration("sample_age_limit", ctx) { q.sampleAgeLimit = d }
        try r.finish(&ctx)
        guard q.minShards <= q.maxShards else { throw ctx.error(v, "queue_config: min_shards must not exceed max_shards") }
        guard q.batchSendDeadline.milliseconds > 0 else { throw ctx.error(v, "queue_config: batch_send_deadline must be positive") }
        guard q.minBackoff <= q.maxBackoff else { throw ctx.error(v, "queue_config: min_backoff must not exceed max_backoff") }
        return q
    }
}
