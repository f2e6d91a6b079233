import TSDB

extension AppendReport {
    /// What storage refused, one phrase per reason, for a receiver's answer
    /// (`3 out-of-order samples`); empty when nothing was refused.
    var rejectionPhrases: [String] {
        var parts: [String] = []
        if outOfOrder > 0 { parts.append("\(outOfOrder) out-of-order samples") }
        if duplicate > 0 { parts.append("\(duplicate) duplicate samples with a different value") }
        if outOfBounds > 0 { parts.append("\(outOfBounds) samples with timestamps out of bounds") }
        if invalid > 0 { parts.append("\(invalid) inconsistent native histograms") }
        return parts
    }
}
