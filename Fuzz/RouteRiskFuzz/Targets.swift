import Foundation
import Geo
import RiskCore
import RiskIO
import RiskSQLite

/// The fuzz targets, one per reader of untrusted input. Each takes arbitrary bytes and must
/// return or throw an error, never crash, hang or allocate without bound. `FUZZ_TARGET` picks one.
enum FuzzTarget: String, CaseIterable {
    case json, csv, date, incidents, zones, routes, movements, model, store

    func run(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        switch self {
        case .json: _ = try? JSONValue.parse(text)
        case .csv: _ = try? CSVReader(file: "fuzz.csv").parse(text)
        case .date:
            _ = DateParser().parse(text)
            _ = DateParser(dayFirst: true).parse(text)
        case .incidents:
            _ = try? IncidentReader().read(.data(data, name: "fuzz.csv"))
            _ = try? IncidentReader().read(.data(data, name: "fuzz.geojson"))
        case .zones: _ = try? ZoneReader().read(.data(data, name: "fuzz.geojson"))
        case .routes:
            _ = try? RouteReader().parse(text, file: "fuzz.geojson")
            // By content, as standard input is read: GeoJSON, KML/GPX, or a GeoPackage (SQLite) file.
            _ = try? RouteReader().readEach([.data(data, name: "fuzz")])
        case .movements:
            _ = try? MovementReader().read(.data(data, name: "fuzz.csv"))
            _ = try? MovementReader().read(.data(data, name: "fuzz.geojson"))
        case .model: _ = try? ModelReader.read(.data(data, name: "fuzz.json"))
        case .store: FuzzTarget.readStore(data)
        }
    }

    /// The bytes as a store file (a mutated real store, from the seed corpus): every read of its
    /// rows must end in an error naming the row, not a crash.
    static func readStore(_ data: Data) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("routerisk-fuzz-\(getpid()).sqlite").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        guard FileManager.default.createFile(atPath: path, contents: data) else { return }
        guard let store = try? SQLiteStore(path: path) else { return }
        _ = try? store.counts()
        _ = try? store.model()
        _ = try? store.zones()
        _ = try? store.incidents()
        _ = try? store.routes()
        _ = try? store.movements()
        if let runs = try? store.runs() {
            for run in runs.prefix(3) { _ = try? store.scoreRecords(run: run.id) }
        }
    }

    static var selected: FuzzTarget {
        let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("FUZZ_TARGET must be one of: \(allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        return target
    }
}

#if FUZZING
/// libFuzzer's driver (the build uses `-sanitize=fuzzer,address`). SwiftPM names the program's
/// own `main`, so the driver is started from it rather than through libFuzzer's `main`.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The entry libFuzzer's runtime refers to (its own `main` would call it); the driver above is
/// handed the same function.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzTarget.selected.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

@main struct Fuzz {
    static func main() {
        let target = FuzzTarget.selected
        _ = target  // chosen (and checked) before the first input
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
    }
}
#else
/// Without libFuzzer: replays the files given (a corpus, or a crash found earlier) through
/// `FUZZ_TARGET`, so findings stay reproducible in an ordinary build.
@main struct Replay {
    static func main() throws {
        let target = FuzzTarget.selected
        for path in CommandLine.arguments.dropFirst() {
            target.run(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
    }
}
#endif
