import Exposition
import MetricModel

/// Every pushed group, and the rules a push must keep, as the Pushgateway keeps them: a push
/// replaces its group's metrics (PUT) or only the families it names (POST); pushed samples carry
/// no timestamps; a metric family has one type across all groups; and no two groups (nor one
/// group twice) hold the same series.
///
/// A value type with no clock and no I/O: ``PushGateway`` holds it under a lock, stores what it
/// holds and writes it to disk.
public struct PushRegistry: Sendable, Equatable {
    public private(set) var groups: [GroupingKey: PushedGroup] = [:]
    /// Which group holds each stored series (a push may not take another group's series).
    private var seriesOwner: [Labels: GroupingKey] = [:]
    /// Each family name's type and how many groups hold a family of that name.
    private var familyTypes: [String: FamilyUse] = [:]

    private struct FamilyUse: Sendable, Equatable {
        var type: MetricType
        var groups: Int
    }

    /// How a push treats the group's existing families.
    public enum Method: Sendable {
        /// PUT: the pushed families replace every family of the group.
        case replaceGroup
        /// POST: the pushed families replace only the families of the same names.
        case replaceFamilies
    }

    /// The most pushed series all groups may hold together: a push that would go beyond is
    /// refused, so pushes cannot take the server's memory.
    public var seriesLimit = 1_000_000

    public init() {}

    /// How many pushed series all groups hold (their two time series not counted).
    public var seriesCount: Int { seriesOwner.count }

    /// Applies a push at `nowMs`. A refused push leaves the group's metrics as they were but
    /// records the failure time (creating the group if it did not exist), as the Pushgateway does.
    public mutating func push(_ pushed: [ExpositionFamily], to key: GroupingKey, method: Method, nowMs: Int64) throws(PushError) {
        do {
            try apply(pushed, to: key, method: method, nowMs: nowMs)
        } catch {
            var group = groups[key] ?? PushedGroup(key: key)
            group.lastFailureMs = nowMs
            groups[key] = group
            throw error
        }
    }

    private mutating func apply(_ pushed: [ExpositionFamily], to key: GroupingKey, method: Method, nowMs: Int64) throws(PushError) {
        // The two time series are the gateway's own; a pushed family of either name is dropped.
        var incoming: [ExpositionFamily] = []
        for pushedFamily in pushed where pushedFamily.name != PushedGroup.pushTimeName && pushedFamily.name != PushedGroup.failureTimeName {
            // Kept as the Pushgateway keeps families: structured, written back canonically.
            let family: ExpositionFamily
            do { family = try pushedFamily.structured() } catch { throw PushError(.badBody, "the pushed body cannot be read: \(error)") }
            // A body may name a family twice (two protobuf messages): one family, one type.
            guard let i = incoming.firstIndex(where: { $0.name == family.name }) else { incoming.append(family); continue }
            guard incoming[i].type == family.type else {
                throw PushError(.rejected, "metric family \"\(family.name)\" is pushed twice with different types")
            }
            incoming[i].samples += family.samples
        }
        for family in incoming where family.samples.contains(where: { $0.timestamp != nil }) {
            throw PushError(.rejected, "pushed metrics must not have timestamps (metric family \"\(family.name)\")")
        }
        let existing = groups[key]
        var families: [ExpositionFamily]
        switch method {
        case .replaceGroup:
            families = incoming
        case .replaceFamilies:
            families = existing?.families ?? []
            for family in incoming {
                if let i = families.firstIndex(where: { $0.name == family.name }) { families[i] = family } else { families.append(family) }
            }
        }
        let oldNames = Set(existing?.families.map(\.name) ?? [])
        for family in families {
            guard let use = familyTypes[family.name], use.type != family.type else { continue }
            let elsewhere = use.groups - (oldNames.contains(family.name) ? 1 : 0)
            if elsewhere > 0 {
                throw PushError(.rejected, "metric family \"\(family.name)\" is pushed as \(Self.typeName(family.type)) but other groups hold it as \(Self.typeName(use.type))")
            }
        }
        var series: [PushedGroup.Series] = []
        series.reserveCapacity(families.reduce(0) { $0 + $1.samples.count })
        var seen = Set<Labels>(minimumCapacity: series.capacity)
        for family in families {
            for sample in family.samples {
                let labels = PushedGroup.storedLabels(sample.labels, key: key)
                let owner = seriesOwner[labels]
                guard seen.insert(labels).inserted, owner == nil || owner == key else {
                    throw PushError(.rejected, "series \(labels) was pushed before with the same name and label values\(owner.map { $0 == key ? "" : " by group \($0)" } ?? "")")
                }
                if let why = sample.histogram?.inconsistency {
                    throw PushError(.badBody, "the native histogram \(labels) is inconsistent: \(why)")
                }
                series.append(PushedGroup.Series(labels: labels, value: sample.value, histogram: sample.histogram))
            }
        }
        let total = seriesOwner.count - (existing?.series.count ?? 0) + series.count
        if total > seriesLimit {
            throw PushError(.rejected, "the push would make \(total) pushed series, more than the limit of \(seriesLimit)")
        }
        // Accepted: the indexes drop the group's old series and families and take the new.
        var group = existing ?? PushedGroup(key: key)
        unindex(group)
        group.families = families
        group.series = series
        group.lastPushMs = nowMs
        index(group)
        groups[key] = group
    }

    /// Removes a group (DELETE); deleting a group that does not exist is not an error.
    public mutating func delete(_ key: GroupingKey) {
        guard let group = groups.removeValue(forKey: key) else { return }
        unindex(group)
    }

    /// Removes the groups that have not changed (pushed or failed to) since `cutoffMs`.
    public mutating func expire(unchangedSince cutoffMs: Int64) -> [GroupingKey] {
        let stale = groups.values.filter { max($0.lastPushMs ?? .min, $0.lastFailureMs ?? .min) < cutoffMs }.map(\.key)
        for key in stale { delete(key) }
        return stale
    }

    /// Puts a group read back from disk in place, as it was written.
    mutating func restore(_ group: PushedGroup) {
        if let old = groups[group.key] { unindex(old) }
        groups[group.key] = group
        index(group)
    }

    private mutating func index(_ group: PushedGroup) {
        for s in group.series { seriesOwner[s.labels] = group.key }
        for family in group.families {
            familyTypes[family.name, default: FamilyUse(type: family.type, groups: 0)].groups += 1
            familyTypes[family.name]?.type = family.type
        }
    }

    private mutating func unindex(_ group: PushedGroup) {
        for s in group.series where seriesOwner[s.labels] == group.key { seriesOwner[s.labels] = nil }
        for family in group.families {
            guard var use = familyTypes[family.name] else { continue }
            use.groups -= 1
            familyTypes[family.name] = use.groups > 0 ? use : nil
        }
    }

    static func typeName(_ type: MetricType) -> String {
        type == .unknown ? "untyped" : type.rawValue
    }
}
