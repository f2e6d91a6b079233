import Logging

extension Database {
    /// The blocks of a data directory, oldest first, opened read-only, and the problems of the
    /// ones that do not open (`vigil tsdb list` and `analyze`; nothing is removed).
    public static func blocks(in directory: String) -> (blocks: [Block], problems: [String]) {
        var problems: [String] = []
        let quiet = Logger(label: "vigil.tsdb") { _ in SwiftLogNoOpLogHandler() }
        let blocks = openBlocks(in: directory, removeLeftovers: false, logger: quiet, corruptions: &problems)
        return (blocks, problems)
    }
}
