import ConfigSupport
import MetricModel

extension AlertmanagerConfiguration {
    static func decode(_ root: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> AlertmanagerConfiguration {
        var m = try MappingReader(root, what: "config", ctx)
        let global = try m.take("global").map { (v) throws(ConfigError) in try AlertmanagerGlobal.decode(v, &ctx) } ?? AlertmanagerGlobal()
        guard let routeValue = m.take("route") else { throw ctx.error(root, "no route provided in config") }
        var c = AlertmanagerConfiguration(route: try Route.decodeRoot(routeValue, &ctx))
        c.global = global
        for item in try m.sequence("inhibit_rules", ctx) ?? [] {
            c.inhibitRules.append(try InhibitRule.decode(item, &ctx))
        }
        var names: Set<String> = []
        for item in try m.sequence("receivers", ctx) ?? [] {
            let r = try Receiver.decode(item, global: global, &ctx)
            guard names.insert(r.name).inserted else { throw ctx.error(item, "notification config name \(GoQuotedString.quote(r.name)) is not unique") }
            c.receivers.append(r)
        }
        c.templateFiles = try m.stringList("templates", ctx) ?? []
        for field in ["time_intervals", "mute_time_intervals"] {
            for item in try m.sequence(field, ctx) ?? [] {
                var im = try MappingReader(item, what: field, ctx)
                guard let name = try im.string("name", ctx), !name.isEmpty else { throw ctx.error(item, "\(field): missing name") }
                guard c.timeIntervals[name] == nil else { throw ctx.error(item, "time interval \(GoQuotedString.quote(name)) is not unique") }
                var list: [TimeInterval] = []
                for t in try im.sequence("time_intervals", ctx) ?? [] { list.append(try TimeInterval.decode(t, &ctx)) }
                try im.finish(&ctx)
                c.timeIntervals[name] = list
            }
        }
        try m.finish(&ctx, ignoredKnownFields: ["tracing"])
        try c.validateReferences(routeValue, &ctx)
        return c
    }

    /// Every receiver and time interval a route names must exist.
    private func validateReferences(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) {
        for r in route.allRoutes {
            guard receiver(named: r.receiver) != nil else {
                throw ctx.error(v, "undefined receiver \(GoQuotedString.quote(r.receiver)) used in route")
            }
            for name in r.muteTimeIntervals + r.activeTimeIntervals where timeIntervals[name] == nil {
                throw ctx.error(v, "undefined time interval \(GoQuotedString.quote(name)) used in route")
            }
        }
    }
}
