import Testing

@testable import TandemTraining

/// CSV and LIBSVM channels: values, missing values, and errors naming the file and line.
@Suite struct DataParserTests {
    func parse(_ text: String, _ format: DataFormat = .csv, width: Int? = nil) throws(TrainingError) -> Dataset {
        var parser = DataParser(format: format, width: width)
        try parser.parse(Array(text.utf8), file: "train/part-1.csv")
        return parser.dataset()
    }

    func error(_ text: String, _ format: DataFormat = .csv, width: Int? = nil) -> String {
        do {
            _ = try parse(text, format, width: width)
            Issue.record("expected an error for \(text)")
            return ""
        } catch {
            return error.message
        }
    }

    @Test func csvLabelFirstWithMissingValues() throws {
        let d = try parse("1,2.5,,3\r\n0,nan,4,5e-1\n\n")
        #expect(d.rows == 2 && d.features == 3)
        #expect(d.labels == [1, 0])
        #expect(d.values[0] == 2.5 && d.values[1].isNaN && d.values[2] == 3)
        #expect(d.values[3].isNaN && d.values[4] == 4 && d.values[5] == 0.5)
    }

    @Test func csvErrorsNameFileAndLine() {
        #expect(error("1,2,3\n0,4\n") == "train/part-1.csv:2: ragged row: 2 columns where the data has 3 (label + 2 features)")
        #expect(error("1,2\nyes,3\n") == "train/part-1.csv:2: non-numeric label 'yes'")
        #expect(error("1,2\n0,abc\n") == "train/part-1.csv:2: non-numeric value in column 2 'abc'")
        #expect(error("label,f1\n1,2\n").hasPrefix("train/part-1.csv:1: non-numeric label"))
        #expect(error(",2\n") == "train/part-1.csv:1: the label (first column) is missing")
        #expect(error("1,2,3\n", width: 1).contains("ragged row"))
    }

    @Test func libsvmSparseRowsAreMissingElsewhere() throws {
        let d = try parse("1 0:1.5 3:2\n0 1:-1 # comment\n", .libsvm)
        #expect(d.rows == 2 && d.features == 4)
        #expect(d.labels == [1, 0])
        #expect(d.values[0] == 1.5 && d.values[1].isNaN && d.values[3] == 2)
        #expect(d.values[5] == -1 && d.values[4].isNaN)
    }

    @Test func libsvmErrorsNameFileAndLine() {
        #expect(error("1 0:1\nx 1:2\n", .libsvm) == "train/part-1.csv:2: non-numeric label 'x'")
        #expect(error("1 0:1 7\n", .libsvm) == "train/part-1.csv:1: malformed entry '7' (expected index:value)")
        #expect(error("1 a:1\n", .libsvm) == "train/part-1.csv:1: malformed feature index 'a'")
        #expect(error("1 2:z\n", .libsvm) == "train/part-1.csv:1: malformed value in '2:z'")
    }

    @Test func contentTypes() throws {
        #expect(try DataFormat(contentType: "text/csv; label_size=1") == .csv)
        #expect(try DataFormat(contentType: "text/libsvm") == .libsvm)
        #expect(throws: TrainingError.self) { try DataFormat(contentType: "application/x-parquet") }
    }
}
