import Foundation
@_exported import TestSupport  // for every file of this target: the scratch folders, Vincenty, the process runner
@testable import RiskIO

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
