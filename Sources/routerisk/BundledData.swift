import Foundation

/// The bundled demo data: the `data/` and `seeds/` folders of a RouteRisk checkout, or their
/// installed copy in `PREFIX/share/routerisk`. Searched, first match wins:
/// 1. from the real path of the running executable (links resolved, so a `routerisk` reached
///    through `PATH` or a symbolic link finds its own data): `../share/routerisk` beside an
///    installed `bin/`, then the executable's folder and the three above it (a checkout's
///    `.build/<triple>/<configuration>/`);
/// 2. `$ROUTERISK_HOME`;
/// 3. the usual install prefixes, `/usr/local/share/routerisk` and `/usr/share/routerisk`.
/// The current directory is never searched: a folder that happens to hold a `data/model.json`
/// must not change what a run reads. A folder counts only when it holds every bundled part.
struct BundledData {
    let root: URL

    var model: URL { root.appendingPathComponent("data/model.json") }
    var incidents: URL { root.appendingPathComponent("seeds/incidents.csv") }
    var movements: URL { root.appendingPathComponent("data/movements.csv") }
    var zoneFolder: URL { root.appendingPathComponent("data/zones") }
    var routeFolder: URL { root.appendingPathComponent("data/routes") }
    /// The HTTP API's OpenAPI document, which `serve` answers at `/openapi.json`.
    var openAPIDocument: URL { root.appendingPathComponent("docs/openapi.json") }

    func zoneFiles() throws -> [URL] { try geoJSONFiles(in: zoneFolder) }
    func routeFiles() throws -> [URL] { try geoJSONFiles(in: routeFolder) }

    private func geoJSONFiles(in directory: URL) throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return names.filter { $0.hasSuffix(".geojson") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// Whether `root` holds every part a default run or `store init` reads.
    private var isComplete: Bool {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        let folders = [zoneFolder, routeFolder].allSatisfy {
            files.fileExists(atPath: $0.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        return folders && [model, incidents, movements].allSatisfy { files.isReadableFile(atPath: $0.path) }
    }

    /// The real path of the running executable, links resolved.
    static func executable() -> URL? {
        #if os(Linux)
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: target)
        }
        #endif
        return Foundation.Bundle.main.executableURL?.resolvingSymlinksInPath()
    }

    /// The folders searched, in order (see the type's comment).
    static func candidates(executable: URL?, environment: [String: String]) -> [URL] {
        var candidates: [URL] = []
        if let executable {
            var folder = executable.deletingLastPathComponent()
            candidates.append(folder.deletingLastPathComponent().appendingPathComponent("share/routerisk"))
            for _ in 0..<4 {
                candidates.append(folder)
                folder = folder.deletingLastPathComponent()
            }
        }
        if let home = environment["ROUTERISK_HOME"], !home.isEmpty { candidates.append(URL(fileURLWithPath: home)) }
        candidates += ["/usr/local/share/routerisk", "/usr/share/routerisk"].map { URL(fileURLWithPath: $0) }
        return candidates
    }

    static func locate() throws -> BundledData {
        let candidates = candidates(executable: executable(), environment: ProcessInfo.processInfo.environment)
        for candidate in candidates where BundledData(root: candidate).isComplete {
            return BundledData(root: candidate)
        }
        throw CommandFailure(.badInput, "cannot find the bundled data (data/ and seeds/ of RouteRisk); give every input on the "
            + "command line, install with `make install`, or set ROUTERISK_HOME to a checkout. Searched: "
            + candidates.map(\.path).joined(separator: ", "))
    }
}
