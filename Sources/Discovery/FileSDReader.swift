import Config
import ConfigSupport
import Foundation
import MetricModel

/// Reads target groups from file-SD files: a JSON or YAML list of `{targets: [...], labels: {...}}`.
public enum FileSDReader {
    /// Label added to every group with the path of the file it came from.
    public static let filePathLabel = "__meta_filepath"

    /// A file that could not be used; the rest still load.
    public struct Failure: Error, Sendable, CustomStringConvertible, Equatable {
        public var file: String
        public var message: String
        public var description: String { "\(file): \(message)" }
    }

    /// Parses one file's content.
    public static func parse(_ text: String, file: String) throws(Failure) -> [TargetGroup] {
        let root: YAMLValue
        do { root = try YAMLValue.parse(text, file: file) } catch {
            throw Failure(file: file, message: error.description)
        }
        if case .null = root.kind { return [] }
        if case .mapping(let m) = root.kind, m.isEmpty { return [] }
        guard case .sequence(let items) = root.kind else {
            throw Failure(file: file, message: "expected a list of target groups")
        }
        var groups: [TargetGroup] = []
        for (i, item) in items.enumerated() {
            guard case .mapping(let pairs) = item.kind else {
                throw Failure(file: file, message: "line \(item.line): target group must be a mapping")
            }
            var targets: [String] = []
            var labels: [Label] = [Label(filePathLabel, file)]
            for p in pairs {
                switch p.key {
                case "targets":
                    guard case .sequence(let ts) = p.value.kind else {
                        throw Failure(file: file, message: "line \(p.value.line): targets must be a list")
                    }
                    for t in ts {
                        guard case .scalar(let s, _) = t.kind else {
                            throw Failure(file: file, message: "line \(t.line): target must be a string")
                        }
                        targets.append(s)
                    }
                case "labels":
                    if case .null = p.value.kind { continue }
                    guard case .mapping(let ls) = p.value.kind else {
                        throw Failure(file: file, message: "line \(p.value.line): labels must be a mapping")
                    }
                    for l in ls {
                        guard case .scalar(let v, _) = l.value.kind else {
                            throw Failure(file: file, message: "line \(l.value.line): label value must be a string")
                        }
                        labels.append(Label(l.key, v))
                    }
                default:
                    throw Failure(file: file, message: "line \(p.value.line): unknown field \(p.key)")
                }
            }
            groups.append(TargetGroup(targets: targets, labels: Labels(labels), source: "\(file):\(i)"))
        }
        return groups
    }
}

/// Polls the files of one `file_sd_configs` entry and reports groups when they change.
public struct FileSDWatcher: Sendable {
    public let config: FileSDConfig
    private var modified: [String: Date] = [:]
    private var lastFullRead: Date = .distantPast
    private var current: [String: [TargetGroup]] = [:]

    public init(config: FileSDConfig) { self.config = config }

    /// Re-reads changed files (or all, once per refresh interval). Returns the full group list when
    /// anything changed, nil otherwise; failures keep that file's previous groups.
    public mutating func poll(now: Date = Date()) -> (groups: [TargetGroup]?, failures: [FileSDReader.Failure]) {
        let files = Set(config.files.flatMap { FileGlob.expand($0) })
        let forceAll = now.timeIntervalSince(lastFullRead) >= config.refreshInterval.seconds
        if forceAll { lastFullRead = now }
        var changed = false
        var failures: [FileSDReader.Failure] = []
        for gone in Set(current.keys).subtracting(files) {
            current[gone] = nil
            modified[gone] = nil
            changed = true
        }
        for file in files.sorted() {
            let mtime = (try? FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date) ?? nil
            if !forceAll, let mtime, modified[file] == mtime { continue }
            modified[file] = mtime
            do {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                let groups = try FileSDReader.parse(text, file: file)
                if current[file] != groups {
                    current[file] = groups
                    changed = true
                }
            } catch let f as FileSDReader.Failure {
                failures.append(f)
            } catch {
                failures.append(FileSDReader.Failure(file: file, message: "\(error.localizedDescription)"))
            }
        }
        return (changed ? current.keys.sorted().flatMap { current[$0] ?? [] } : nil, failures)
    }
}
