import Crypto

/// The identifier incident services deduplicate a group's events by (PagerDuty's `dedup_key`,
/// OpsGenie's `alias`): the SHA-256 of the group key in hex, as Alertmanager computes it, so an
/// incident opened by an Alertmanager is updated and resolved by Vigil and the other way round.
enum GroupKeyHash {
    static func of(_ groupKey: String) -> String {
        SHA256.hash(data: Array(groupKey.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
