import Foundation

/// The bundled demo data: `data/` and `seeds/` of the RouteRisk checkout. Found through
/// `ROUTERISK_HOME`, else the current directory, else the folders above the executable (a
/// `swift build` puts it in `.build/<config>/`).
struct Bundle {
    let root: URL

    var model: URL { root.appendingPathComponent("data/model.json") }
    var incidents: URL { root.appendingPathComponent("seeds/incidents.csv") }
    var movements: URL { root.appendingPathComponent("data/movements.csv") }
    var openAPIDocument: URL { root.appendingPathComponent("docs/openapi.json") }

    func zoneFiles() throws -> [URL] { try geoJSONFiles(in: "data/zones") }
    func routeFiles() throws -> [URL] { try geoJSONFiles(in: "data/routes") }

    private func geoJSONFiles(in folder: String) throws -> [URL] {
        let directory = root.appendingPathComponent(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return names.filter { $0.hasSuffix(".geojson") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static func locate() throws -> Bundle {
        var candidates: [URL] = []
        if let home = ProcessInfo.processInfo.environment["ROUTERISK_HOME"] { candidates.append(URL(fileURLWithPath: home)) }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("data/model.json").path) {
            return Bundle(root: candidate)
        }
        throw BundleError(searched: candidates.map(\.path))
    }
}

struct BundleError: Error, CustomStringConvertible {
    var searched: [String]
    var description: String {
        "cannot find the bundled data (data/model.json); set ROUTERISK_HOME to the RouteRisk checkout. Searched: "
            + searched.joined(separator: ", ")
    }
}
