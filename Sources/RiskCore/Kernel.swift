import Foundation

/// The kernel `K(d)` of the incident field: how an incident's weight spreads with the distance
/// `d` (km) from it. Every scorer and the hazard grid take it from `Model.kernel`; this file is
/// the only place its formulas, and the decay law's, are written.
public enum Kernel: Sendable, Equatable {
    /// The spec's kernel: `exp(-d^2 / 2 sigma^2)` for `d <= cutoffSigmas * sigma`, else 0; the
    /// spec's defaults.
    case gaussian(sigmaKm: Double = 10, cutoffSigmas: Double = 3)
    /// 1 for `d <= radius`, else 0: the field at a point is the weighted count of the incidents
    /// within the radius. The default is the radius of the "attacks within 10 km" baseline.
    case disk(radiusKm: Double = 10)

    /// The name the model file uses for the kernel.
    public var name: String {
        switch self {
        case .gaussian: "gaussian"
        case .disk: "disk"
        }
    }

    /// The distance beyond which the kernel is zero.
    public var cutoffKm: Double {
        switch self {
        case .gaussian(let sigma, let cutoffSigmas): cutoffSigmas * sigma
        case .disk(let radius): radius
        }
    }

    /// The distance over which the kernel changes (sigma, or the radius): routes are cut into
    /// pieces of at most a quarter of it.
    public var widthKm: Double {
        switch self {
        case .gaussian(let sigma, _): sigma
        case .disk(let radius): radius
        }
    }

    /// Whether the field is smooth (the Gaussian: its peak is found by sampling and refining) or
    /// a step function (the disk: its peak is found exactly by a sweep over the disks' edges).
    var isSmooth: Bool {
        switch self {
        case .gaussian: true
        case .disk: false
        }
    }

    /// `K(d)`.
    public func callAsFunction(_ distanceKm: Double) -> Double {
        distanceKm > cutoffKm ? 0 : inside(squaredKm: distanceKm * distanceKm)
    }

    /// `K` at the squared distance `squaredKm` (the hot paths have squares, not distances).
    func value(squaredKm: Double) -> Double {
        let cutoff = cutoffKm
        return squaredKm <= cutoff * cutoff ? inside(squaredKm: squaredKm) : 0
    }

    /// The kernel's formula within the cutoff.
    private func inside(squaredKm: Double) -> Double {
        switch self {
        case .gaussian(let sigma, _): Kernel.gaussianFactor(squaredKm: squaredKm, sigmaKm: sigma)
        case .disk: 1
        }
    }

    /// `exp(-x^2 / 2 sigma^2)` for `x^2 = squaredKm`. The Gaussian separates,
    /// `exp(-(dx^2 + dy^2) / 2 sigma^2) = factor(dx) * factor(dy)`, so the hazard grid builds a
    /// node's value from a row factor and a column factor instead of one exponential per node.
    static func gaussianFactor(squaredKm: Double, sigmaKm: Double) -> Double {
        exp(-squaredKm * (1 / (2 * sigmaKm * sigmaKm)))
    }

    /// `integral of K ds` over the positions `from...to` (km) of a straight line whose closest
    /// point to the incident is at `foot`, `acrossSquared` km^2 away. Exact: the kernel is
    /// non-zero only on the chord `foot +- sqrt(cutoff^2 - across^2)`; along it the Gaussian
    /// integrates to `exp(-across^2 / 2 sigma^2) sigma sqrt(pi/2) [erf((s - foot) / sigma sqrt 2)]`,
    /// and the disk to the length of the chord inside `from...to`.
    func lineIntegral(acrossSquared: Double, foot: Double, from: Double, to: Double) -> Double {
        guard let chord = chord(acrossSquared: acrossSquared, foot: foot) else { return 0 }
        let lower = max(from, chord.lower) - foot
        let upper = min(to, chord.upper) - foot
        guard upper > lower else { return 0 }
        switch self {
        case .gaussian(let sigma, _):
            let r = sigma * 2.0.squareRoot()
            // erfc keeps precision when both bounds lie far on the same side.
            let mass: Double
            if lower >= 0 {
                mass = erfc(lower / r) - erfc(upper / r)
            } else if upper <= 0 {
                mass = erfc(-upper / r) - erfc(-lower / r)
            } else {
                mass = erf(upper / r) - erf(lower / r)
            }
            return Kernel.gaussianFactor(squaredKm: acrossSquared, sigmaKm: sigma) * sigma * (Double.pi / 2).squareRoot() * mass
        case .disk:
            return upper - lower
        }
    }

    /// Where along a straight line the kernel is non-zero: the chord `lower...upper` (km, in the
    /// line's positions) of an incident whose closest point on the line is at `foot`,
    /// `acrossSquared` km^2 away; nil when the line passes beyond the cutoff.
    func chord(acrossSquared: Double, foot: Double) -> (lower: Double, upper: Double)? {
        let cutoff = cutoffKm
        guard acrossSquared <= cutoff * cutoff else { return nil }
        let halfChord = (cutoff * cutoff - acrossSquared).squareRoot()
        return (foot - halfChord, foot + halfChord)
    }
}

extension Model {
    /// The distance beyond which the kernel is zero: how far an incident reaches.
    public var cutoffKm: Double { kernel.cutoffKm }

    /// The decay law `0.5 ^ (ageDays / half-life)`, for any age: also the factor by which every
    /// incident's term shrinks over `ageDays` (the spec's decay property).
    func decayFactor(ageDays: Double) -> Double {
        pow(0.5, ageDays / halfLifeDays)
    }

    /// `D = 0.5 ^ (age / half-life)` for an incident `ageDays` old, or nil when it does not
    /// count: it lies in the future (no look-ahead) or has decayed below `minDecay`.
    func decay(ageDays: Double) -> Double? {
        guard ageDays >= 0 else { return nil }
        let d = decayFactor(ageDays: ageDays)
        return d < minDecay ? nil : d
    }

    /// `D` for an incident at `incidentTime` evaluated at `time`; nil when it does not count then.
    public func decay(of incidentTime: Date, at time: Date) -> Double? {
        decay(ageDays: time.timeIntervalSince(incidentTime) / 86_400)
    }
}
