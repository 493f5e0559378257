import Foundation
import Testing

/// Every line of the README's "Using it" block, run as written by the shell with an installed
/// `routerisk` on `PATH`, in a folder holding the files the lines name (written here).
@Suite struct ReadmeExamplesTests {
    /// The commands of the first `sh` block after "## Using it", continuation lines joined.
    static func examples() throws -> [String] {
        let readme = try String(contentsOf: RouteRiskCommand.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Using it"))
        let open = try #require(readme.range(of: "```sh\n", range: section.upperBound..<readme.endIndex))
        let close = try #require(readme.range(of: "```\n", range: open.upperBound..<readme.endIndex))
        let block = readme[open.upperBound..<close.lowerBound].replacingOccurrences(of: "\\\n", with: " ")
        return block.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// The files the examples name, small and in the forms they stand for.
    static func writeInputs(_ scratch: Scratch) throws {
        let route = routesGeoJSON([(id: "karachi-thatta", line: [LonLat(67.0011, 24.8607), LonLat(67.45, 24.77), LonLat(67.92, 24.75)])])
        try scratch.write("my-routes.geojson", route)
        try scratch.write("r.geojson", route)
        try scratch.write("acled.csv", """
            event_id_cnty,event_date,year,event_type,sub_event_type,latitude,longitude,fatalities,notes
            PAK1001,2024-10-06,2024,Explosions/Remote violence,Suicide bomb,24.8935,67.1679,2,"Blast near the airport"
            PAK1002,2024-03-12,2024,Violence against civilians,Attack,24.78,67.40,1,"Roadside attack"
            """ + "\n")
        try scratch.write("districts.geojson", zonesGeoJSON([
            ZoneBox(id: "karachi", west: 66.6, south: 24.6, east: 67.6, north: 25.3, base: 0.2, multiplier: 1.5),
            ZoneBox(id: "thatta", west: 67.6, south: 24.4, east: 68.4, north: 25.1, base: 0.1, multiplier: 1),
        ]))
        try scratch.write("pbc.csv", """
            S#,Date,City,Province,Latitude,Longitude,Killed Max,Injured Max
            1,Sunday-November 19-1995,Karachi,Sindh,24.86,67.01,3,10
            2,"Friday, June 18, 2004",Thatta,Sindh,24.75,67.92,,4
            """ + "\n")
        try scratch.write("new.csv", incidentsCSV([(id: "new-1", date: "2025-05-30", at: LonLat(66.98, 25.05), killed: 1, injured: 3)]))
        // Tomorrow's movements on bundled routes, in Pakistan's local time as planners write them.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Asia/Karachi"))
        let soon = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: Date().addingTimeInterval(3 * 3600))
        let local = String(format: "%04d-%02d-%02d %02d:%02d", soon.year!, soon.month!, soon.day!, soon.hour!, soon.minute!)
        try scratch.write("tomorrow.csv", "id,route_id,departs_at,status,labels\nmv-next-1,gwadar-turbat-m8,\(local),scheduled,convoy-9\n")
    }

    @Test func everyUsageExampleRunsAsWritten() throws {
        let examples = try Self.examples()
        #expect(examples.count >= 12 && examples.allSatisfy { $0.hasPrefix("routerisk ") }, "\(examples)")
        let scratch = try Scratch()
        let prefix = scratch.url.appendingPathComponent("prefix")
        let binDir = RouteRiskCommand.executable.deletingLastPathComponent().path
        let installed = try RouteRiskCommand.run(["install", "PREFIX=\(prefix.path)", "BIN_DIR=\(binDir)"],
                                                 in: RouteRiskCommand.packageRoot, timeout: 300, program: InstallTests.make)
        try #require(installed.status == 0, "\(installed.stderr)")
        let work = scratch.url.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let inputs = try Scratch()
        try Self.writeInputs(inputs)
        for name in try FileManager.default.contentsOfDirectory(atPath: inputs.url.path) {
            try FileManager.default.copyItem(at: inputs.url.appendingPathComponent(name), to: work.appendingPathComponent(name))
        }
        for example in examples {
            let run = try InstallTests.shell(example, in: work, path: prefix.appendingPathComponent("bin"))
            #expect(run.status == 0, "\(example)\n\(run.stderr)")
            #expect(!run.stdout.isEmpty, "\(example) printed nothing")
            #expect(!run.stderr.contains("warning:"), "\(example) warned: \(run.stderr)")
        }
    }
}
