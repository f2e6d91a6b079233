/// Path arithmetic on configuration file names, as plain strings. (Foundation's
/// `NSString.deletingLastPathComponent` traps on a one-character name such as `p`, and a
/// file name comes from the command line or a config file.)
package enum FilePaths {
    /// The directory part of `path`: everything before the last `/` (`/` for a file at the
    /// root), or the empty string for a bare file name.
    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// `path` as seen from `directory`: unchanged when absolute or when there is no directory.
    package static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}
