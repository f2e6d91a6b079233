import MetricModel

extension ExpositionFamily {
    /// Reads a text body (Prometheus 0.0.4 or OpenMetrics) into families, in the order they first
    /// appear. A sample belongs to the family of the `# TYPE` or `# HELP` before it when its name is
    /// that family's name or one of the series names its type owns (`x_bucket` of histogram `x`),
    /// and otherwise to the family of its own name (untyped unless declared).
    static func decodeText(_ body: [UInt8], format: ExpositionFormat) throws(ExpositionError) -> [ExpositionFamily] {
        var parser = ExpositionParser(bytes: body, format: format)
        var families: [ExpositionFamily] = []
        var index: [String: Int] = [:]
        var current: Int?
        func family(_ name: String) -> Int {
            if let i = index[name] { return i }
            families.append(ExpositionFamily(name: name))
            index[name] = families.count - 1
            return families.count - 1
        }
        while let entry = try parser.next() {
            switch entry {
            case .type(let metric, let type):
                let i = family(metric)
                if families[i].type != .unknown || !families[i].samples.isEmpty {
                    throw ExpositionError(line: parser.line, message: "second TYPE line for metric \"\(metric)\", or TYPE after its samples")
                }
                families[i].type = type
                current = i
            case .help(let metric, let text):
                let i = family(metric)
                if families[i].help != nil { throw ExpositionError(line: parser.line, message: "second HELP line for metric \"\(metric)\"") }
                families[i].help = text
                current = i
            case .unit(let metric, let unit):
                let i = family(metric)
                families[i].unit = unit
                current = i
            case .sample(let sample):
                let labels = try parser.labels()
                let name = labels.metricName
                var owner: Int?
                if let c = current {
                    let familyName = families[c].name
                    if name == familyName {
                        owner = c
                    } else if name.hasPrefix(familyName), ownsSuffix(name.dropFirst(familyName.count), type: families[c].type) {
                        owner = c
                    }
                }
                let i = owner ?? family(name)
                families[i].samples.append(Sample(labels: labels, value: sample.value, timestamp: sample.timestamp))
                current = i
            }
        }
        return families
    }
}
