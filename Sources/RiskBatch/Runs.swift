import Foundation
import RiskCore

/// Which departures a batch re-scores, counted from its `as_of`.
public enum BatchWindow: Equatable, Sendable, CustomStringConvertible {
    case next(TimeInterval)
    case all

    /// `24h`, `7d`, `90m`, `30s`, `all`.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "all" { self = .all; return }
        guard let unit = trimmed.last, let amount = Double(trimmed.dropLast()), amount > 0, amount.isFinite else { return nil }
        let seconds: Double
        switch unit {
        case "s": seconds = amount
        case "m": seconds = amount * 60
        case "h": seconds = amount * 3_600
        case "d": seconds = amount * 86_400
        default: return nil
        }
        guard seconds <= BatchWindow.longest else { return nil }
        self = .next(seconds)
    }

    /// The longest window, 100 years (36500d): longer ones are `all` in effect, and an unbounded
    /// one (1e300d) would overflow when it is written back as whole days.
    public static let longest: TimeInterval = 36_500 * 86_400

    /// For messages.
    public static let longestText = "36500d"

    /// The largest whole unit that fits; `init(_:)` reads it back to the same window, so the
    /// text is what stores keep.
    public var description: String {
        switch self {
        case .all: return "all"
        case .next(let seconds):
            if seconds.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(seconds / 86_400))d" }
            if seconds.truncatingRemainder(dividingBy: 3_600) == 0 { return "\(Int(seconds / 3_600))h" }
            if seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
            return seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
        }
    }

    /// The departure times selected from `asOf`, in seconds since 1970 (as stores keep them):
    /// `asOf` included, its end excluded; nil when every departure is.
    public func departures(from asOf: Date) -> Range<Double>? {
        switch self {
        case .all: return nil
        case .next(let seconds):
            let start = asOf.timeIntervalSince1970
            return start..<(start + seconds)
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
    /// Run even when no stored incident counts at any selected departure (scores on zones alone).
    public var allowEmpty: Bool

    public init(asOf: Date, window: BatchWindow = .next(86_400), full: Bool = false, transactionSize: Int = 250, model: Model? = nil,
                jobs: Int = 1, allowEmpty: Bool = false) {
        self.jobs = jobs
        self.allowEmpty = allowEmpty
        self.asOf = asOf
        self.window = window
        self.full = full
        self.transactionSize = transactionSize
        self.model = model
    }
}

public enum RunMode: String, Sendable, CaseIterable {
    /// Carry forward or update the previous completed run's scores where the inputs allow.
    case incremental
    /// Score every movement from scratch.
    case full
}

public enum RunStatus: String, Sendable, CaseIterable {
    case running, completed, abandoned
}

/// A run's movement counts. A chunk's tally (`init(tallying:)`) is added to the run's counters
/// in the same transaction as its outcomes, so the counters always match what is stored.
public struct RunCounters: Equatable, Sendable {
    /// Movements the run's window selected.
    public var selected = 0
    public var scored = 0
    public var failed = 0
    /// Scored from scratch or updated with new incidents.
    public var recomputed = 0
    /// Carried forward unchanged from the previous completed run.
    public var reused = 0

    public init(selected: Int = 0, scored: Int = 0, failed: Int = 0, recomputed: Int = 0, reused: Int = 0) {
        self.selected = selected
        self.scored = scored
        self.failed = failed
        self.recomputed = recomputed
        self.reused = reused
    }

    /// What a chunk of outcomes adds to its run (nothing to `selected`).
    public init(tallying outcomes: [MovementOutcome]) {
        for outcome in outcomes {
            switch outcome {
            case .scored(let record):
                scored += 1
                if record.method == .carriedForward { reused += 1 } else { recomputed += 1 }
            case .failed:
                failed += 1
            }
        }
    }

    public static func + (a: RunCounters, b: RunCounters) -> RunCounters {
        RunCounters(selected: a.selected + b.selected, scored: a.scored + b.scored, failed: a.failed + b.failed,
                    recomputed: a.recomputed + b.recomputed, reused: a.reused + b.reused)
    }
}

/// What a run's scores were computed from: when these match, a later run may build on them.
public struct RunInputs: Equatable, Sendable {
    /// `fingerprint` of the model's JSON.
    public var modelHash: String
    /// `fingerprint` of every zone's fields and geometry.
    public var zonesHash: String
    /// The store's incident revision when the run started.
    public var incidentRevision: Int

    public init(modelHash: String, zonesHash: String, incidentRevision: Int) {
        self.modelHash = modelHash
        self.zonesHash = zonesHash
        self.incidentRevision = incidentRevision
    }
}

/// A run as recorded in the store.
public struct RunRecord: Sendable, Equatable {
    public var id: Int
    public var startedAt: Date
    public var finishedAt: Date?
    public var asOf: Date
    public var window: BatchWindow
    public var mode: RunMode
    public var status: RunStatus
    public var inputs: RunInputs
    public var counters: RunCounters
    /// What its scores rest on; nil for a run recorded before stores kept it (SQLite schema 3,
    /// PostgreSQL schema 2, and earlier).
    public var basis: RunBasis?

    public init(id: Int, startedAt: Date, finishedAt: Date?, asOf: Date, window: BatchWindow, mode: RunMode, status: RunStatus,
                inputs: RunInputs, counters: RunCounters, basis: RunBasis? = nil) {
        self.basis = basis
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.asOf = asOf
        self.window = window
        self.mode = mode
        self.status = status
        self.inputs = inputs
        self.counters = counters
    }
}

/// The run a batch asks the store to open (`BatchStore.openRun`).
public struct RunRequest: Sendable {
    public var asOf: Date
    /// False when the caller took `asOf` as a default (now): an interrupted run is then resumed
    /// at its own `asOf`.
    public var asOfGiven: Bool
    public var window: BatchWindow
    public var mode: RunMode
    /// Kept with the run, so its scores can be explained later.
    public var model: Model
    public var inputs: RunInputs
    public var startedAt: Date
    /// True for workers, which share one run between processes; false for `batch`, which must
    /// be the only process scoring the store (stores hold a lock for it until the run finishes).
    public var shared: Bool
    /// Kept with the run (`RunRecord.basis`). A resumed run keeps the basis it was opened with.
    public var basis: RunBasis

    public init(asOf: Date, asOfGiven: Bool = true, window: BatchWindow, mode: RunMode, model: Model, inputs: RunInputs,
                startedAt: Date, shared: Bool = false, basis: RunBasis = RunBasis()) {
        self.basis = basis
        self.shared = shared
        self.asOf = asOf
        self.asOfGiven = asOfGiven
        self.window = window
        self.mode = mode
        self.model = model
        self.inputs = inputs
        self.startedAt = startedAt
    }

    /// Whether `run`, interrupted while running, is this request's run: made with the same
    /// inputs, window and mode (and `asOf`, when one was given). Every store resumes by this
    /// rule, so it is written once, here.
    public func resumes(_ run: RunRecord) -> Bool {
        run.status == .running && run.inputs == inputs && run.window == window && run.mode == mode && (!asOfGiven || run.asOf == asOf)
    }
}

/// The run `BatchStore.openRun` opened, and whether it was an interrupted one resumed.
public struct OpenedRun: Sendable, Equatable {
    public var run: RunRecord
    public var resumed: Bool

    public init(run: RunRecord, resumed: Bool) {
        self.run = run
        self.resumed = resumed
    }
}

/// A batch that would score every movement on zones alone: no stored incident counts at any of
/// the departures it selected.
public struct NothingApplies: Error, Sendable, CustomStringConvertible {
    public var departures: Int
    public var from: Date
    public var to: Date
    public var incidents: Int
    public var timeline: IncidentTimeline

    public var description: String {
        let day = { (date: Date) in date.formatted(.iso8601.year().month().day().dateSeparator(.dash)) }
        return "no stored incident applies at any of the \(departures) selected departure(s) (\(day(from)) to \(day(to))): "
            + "of \(incidents) incident(s), \(timeline.decayed) had decayed below min_decay and \(timeline.afterEvaluation) "
            + "are later; import recent incidents, or run anyway with --allow-empty"
    }
}
