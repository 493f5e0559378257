import Foundation
import Geo
import RiskCore

/// Which departures a batch re-scores, counted from its `as_of`.
public enum BatchWindow: Equatable, Sendable, CustomStringConvertible {
    case next(TimeInterval)
    case all

    /// `24h`, `7d`, `90m`, `all`.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "all" { self = .all; return }
        guard let unit = trimmed.last, let amount = Double(trimmed.dropLast()), amount > 0 else { return nil }
        switch unit {
        case "m": self = .next(amount * 60)
        case "h": self = .next(amount * 3_600)
        case "d": self = .next(amount * 86_400)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .all: return "all"
        case .next(let seconds):
            if seconds.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(seconds / 86_400))d" }
            if seconds.truncatingRemainder(dividingBy: 3_600) == 0 { return "\(Int(seconds / 3_600))h" }
            return "\(Int(seconds / 60))m"
        }
    }
}

public struct BatchOptions: Sendable {
    public var asOf: Date
    public var window: BatchWindow
    /// Recompute every movement from scratch instead of updating the previous run's scores.
    public var full: Bool
    /// Scores committed per transaction: a crash loses at most this many, and they are redone.
    public var transactionSize: Int
    /// The model to score with; nil uses the store's.
    public var model: Model?
    /// Scoring tasks run at once, each with its own scorer.
    public var jobs: Int

    public init(asOf: Date, window: BatchWindow = .next(86_400), full: Bool = false, transactionSize: Int = 250, model: Model? = nil,
                jobs: Int = 1) {
        self.jobs = jobs
        self.asOf = asOf
        self.window = window
        self.full = full
        self.transactionSize = transactionSize
        self.model = model
    }
}

/// A run as recorded in the store.
public struct RunRecord: Sendable, Equatable {
    public var id: Int
    public var startedAt: Date
    public var finishedAt: Date?
    public var asOf: Date
    public var window: String
    public var modelHash: String
    public var mode: String
    public var status: String
    public var selected: Int
    public var scored: Int
    public var failed: Int
    public var recomputed: Int
    public var reused: Int
}

/// One movement's score in a run.
public struct MovementScore: Sendable, Equatable {
    public var movementID: String
    public var routeID: String
    public var result: RouteResult
}

public struct Escalation: Sendable, Equatable {
    public var movementID: String
    public var oldBand: Band
    public var newBand: Band
    public var oldScore: Double
    public var newScore: Double
    /// The new incident (since the previous run) contributing most to the movement, if any.
    public var driver: (id: String, closestKm: Double)?

    public static func == (a: Escalation, b: Escalation) -> Bool {
        a.movementID == b.movementID && a.oldBand == b.oldBand && a.newBand == b.newBand && a.oldScore == b.oldScore
            && a.newScore == b.newScore && a.driver?.id == b.driver?.id && a.driver?.closestKm == b.driver?.closestKm
    }
}

public struct BatchOutcome: Sendable {
    public var run: RunRecord
    public var bands: [Band: Int]
    public var escalations: [Escalation]
    public var riskiest: [MovementScore]
    public var failed: [(movementID: String, reason: String)]
    /// True when this call finished a run that an earlier, interrupted call had started.
    public var resumed: Bool
}

/// 64-bit FNV-1a, as a hex string: a stable fingerprint of a model, a route or the zones.
func fingerprint(_ text: String) -> String {
    var hash = FNV1a()
    for byte in text.utf8 { hash.add(byte) }
    return hash.hex
}

/// The fingerprint of a geometry: its type and every coordinate's bits.
func fingerprint(_ shape: Shape) -> String {
    var hash = FNV1a()
    for byte in shape.typeName.utf8 { hash.add(byte) }
    if let parts = shape.lineParts {
        for part in parts {
            hash.add(UInt64(part.count))
            for c in part {
                hash.add(c.x.bitPattern)
                hash.add(c.y.bitPattern)
            }
        }
    } else {
        for c in shape.coordinates {
            hash.add(c.x.bitPattern)
            hash.add(c.y.bitPattern)
        }
    }
    return hash.hex
}

struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x100_0000_01b3
    }
    mutating func add(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { add(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }
    var hex: String { String(value, radix: 16) }
}
