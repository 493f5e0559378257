import Foundation
import Testing

/// What `score`, `batch` and `store scores` print as JSON is checked against the schemas in
/// `docs/schemas/`, with Python's `jsonschema` (an implementation independent of ours). `make
/// test` installs it; without it these tests fail rather than pass unchecked.
extension CommandLineTests {
    struct Validation {
        var status: Int32
        var messages: String
    }

    /// Runs `Tests/tools/validate-json.py` on `document` against `schema`.
    func validate(_ document: String, against schema: String) throws -> Validation {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.packageRoot.appendingPathComponent("Tests/tools/validate-json.py").path,
                             Self.packageRoot.appendingPathComponent("docs/schemas").path, schema]
        let input = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        input.fileHandleForWriting.write(Data(document.utf8))
        try input.fileHandleForWriting.close()
        let messages = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Validation(status: process.terminationStatus, messages: String(decoding: messages, as: UTF8.self))
    }

    func expectValid(_ document: String, against schema: String) throws {
        let result = try validate(document, against: schema)
        #expect(result.status == 0, "\(schema): \(result.messages)")
    }

    @Test func scoreJSONAndGeoJSONFollowTheirSchemas() throws {
        let json = try routerisk(["score", "--as-of", "2025-06-01T00:00:00Z", "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        try expectValid(json.stdout, against: "score.schema.json")

        let geojson = try routerisk(["score", "--as-of", "2025-06-01T00:00:00Z", "--format", "geojson"])
        #expect(geojson.status == 0, "\(geojson.stderr)")
        try expectValid(geojson.stdout, against: "score-geojson.schema.json")

        // The validator is not vacuous: a band outside the four and a missing spec field fail.
        let lowered = json.stdout.replacingOccurrences(of: "\"band\": \"LOW\"", with: "\"band\": \"low\"")
        #expect(lowered != json.stdout)
        #expect(try validate(lowered, against: "score.schema.json").status == 1)
        let missing = json.stdout.replacingOccurrences(of: "\"peak_at_km\"", with: "\"peak_km\"")
        #expect(try validate(missing, against: "score.schema.json").status == 1)
    }

    @Test func batchAndStoreScoresJSONFollowTheirSchemas() throws {
        let store = try temporaryStorePath()
        let created = try routerisk(["store", "init", "--store", store])
        #expect(created.status == 0, "\(created.stderr)")
        let batch = try routerisk(["batch", "--store", store, "--as-of", "2025-06-01T00:00:00Z", "--window", "30d",
                                   "--format", "json"])
        #expect(batch.status == 0, "\(batch.stderr)")
        try expectValid(batch.stdout, against: "batch.schema.json")

        let scores = try routerisk(["store", "scores", "--store", store, "--format", "json"])
        #expect(scores.status == 0, "\(scores.stderr)")
        try expectValid(scores.stdout, against: "store-scores.schema.json")
        let withoutMovement = scores.stdout.replacingOccurrences(of: "\"movement_id\"", with: "\"movement\"")
        #expect(try validate(withoutMovement, against: "store-scores.schema.json").status == 1)
    }
}
