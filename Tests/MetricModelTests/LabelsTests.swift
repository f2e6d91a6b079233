import MetricModel
import Testing

/// Label-set operations used on the way out of Vigil (notifications, remote write, federation).
@Suite struct LabelsTests {
    @Test func externalLabelsFillInWhatASeriesLacksAndNeverOverrideIt() {
        let series = Labels(["__name__": "up", "job": "api", "replica": "own"])
        let external = Labels(["replica": "edge-1", "cluster": "eu"])
        let out = series.addingAbsent(external)
        #expect(out == Labels(["__name__": "up", "job": "api", "replica": "own", "cluster": "eu"]))
        #expect(series.addingAbsent(.empty) == series)
        #expect(Labels.empty.addingAbsent(external) == external)
    }
}
