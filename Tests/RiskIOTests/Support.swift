import Foundation
@testable import RiskIO

/// A fresh directory for one test's input files, removed when the test lets go of it.
final class TempDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("riskio-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func write(_ name: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file
    }

    func write(_ name: String, bytes: [UInt8]) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }
}

/// The InputError a throwing call raised, or nil when it threw nothing or something else.
func inputError<T>(_ body: () throws -> T) -> InputError? {
    do {
        _ = try body()
        return nil
    } catch let error as InputError {
        return error
    } catch {
        return nil
    }
}

/// Seconds since 1970 as a Date, for comparing against epoch values computed outside Swift
/// (with `date -u -d ... +%s`).
func epoch(_ seconds: Double) -> Date {
    Date(timeIntervalSince1970: seconds)
}
