/// A configuration problem, located at a file and line.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}

extension ConfigError {
    /// A configuration file's text, or an error naming the file.
    public static func readFile(_ file: String) throws(ConfigError) -> String {
        do { return try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw ConfigError(file: file, line: 0, message: "cannot read config file: \(error.localizedDescription)")
        }
    }
}
