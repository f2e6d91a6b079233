import MetricModel
import Testing
@testable import Push

@Suite struct GroupingKeyTests {
    @Test func readsTheJobAndFurtherPairs() throws {
        let key = try GroupingKey(path: "job/training/instance/worker-1/stage/eval")
        #expect(key.labels == Labels(["job": "training", "instance": "worker-1", "stage": "eval"]))
    }

    @Test func decodesBase64ValuesWithOrWithoutPadding() throws {
        // "train/epoch 3" and "/var/tmp", as prometheus_client and curl users encode them.
        let key = try GroupingKey(path: "job@base64/L3Zhci90bXA/stage@base64/dHJhaW4vZXBvY2ggMw==")
        #expect(key.labels == Labels(["job": "/var/tmp", "stage": "train/epoch 3"]))
        #expect(try GroupingKey(path: "job@base64/L3Zhci90bXA=").labels["job"] == "/var/tmp")
        // URL-safe alphabet: "-" and "_" stand for "+" and "/".
        #expect(try GroupingKey(path: "job/a/v@base64/fn5-Pz8_").labels["v"] == "~~~???")
    }

    @Test func anEmptyValueNamesAnotherGroupButIsNotStored() throws {
        let withEmpty = try GroupingKey(path: "job/spark/run@base64/=")
        let without = try GroupingKey(path: "job/spark")
        #expect(withEmpty != without)
        #expect(withEmpty.labels == without.labels)
    }

    @Test func percentEscapesAreResolvedAndPlusStaysAPlus() throws {
        let key = try GroupingKey(path: "job/etl/model/r%C3%A9sum%C3%A9/plan/a+b")
        #expect(key.labels["model"] == "résumé")
        #expect(key.labels["plan"] == "a+b")
    }

    @Test func utf8LabelNamesComeEscapedAsValues() throws {
        let key = try GroupingKey(path: "job/etl/U__model_2e_stage/train/U__r_e9_gion@base64/ZXUtd2VzdA/plain_name/x")
        #expect(key.labels == Labels(["job": "etl", "model.stage": "train", "région": "eu-west", "plain_name": "x"]))
        // Escaped the way Vigil escapes names for readers asking for `escaping=values`.
        let name = "ml.model/stage"
        #expect(try GroupingKey(path: Substring("job/etl/" + NameEscapingScheme.values.escape(labelName: name) + "/v")).labels[name] == "v")
    }

    @Test func oneTrailingSlashIsIgnored() throws {
        #expect(try GroupingKey(path: "job/etl/instance/a/") == GroupingKey(path: "job/etl/instance/a"))
    }

    @Test(arguments: [
        "job", "job/etl/lonely", "instance/a", "job/", "job@base64/=", "job/etl/__name__/x", "job/etl/1abc/x",
        "job/etl/a/1/a/2", "job/etl/v@base64/!!!", "job/etl/v/%zz", "job/etl/v/%C3", "job/etl/v@base64/_w",
        "job/etl/my.label/x", "job/etl/U___5f__5f_name/x", "job/etl/U__/x",
    ])
    func refusesMalformedPaths(path: String) {
        #expect(throws: PushError.self) { try GroupingKey(path: Substring(path)) }
    }
}
