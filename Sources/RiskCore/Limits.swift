/// Bounds on input values, checked by every reader and by the store when it reads rows back
/// (docs/model.md lists them with the model's). Real data sits far inside them; beyond them a
/// value is a mistake or an attack: near 1e308 a casualty count or zone factor overflows the
/// score to infinity, and an unbounded polygon makes its repair take minutes.
public enum Limits {
    /// Killed or injured in one incident.
    public static let casualties: ClosedRange<Double> = 0...1_000_000
    /// A zone's `base` hazard per km.
    public static let zoneBase: ClosedRange<Double> = 0...1_000_000
    /// A zone's `multiplier` (must also be > 0).
    public static let zoneMultiplier: ClosedRange<Double> = 0...1_000
    /// Latitude of incidents and zones, in degrees. The working projection (a conic fitted to
    /// them, or Mercator about the equator) cannot hold a pole, where distances are infinite: an
    /// incident or zone beyond is refused by row or feature instead of failing every route in
    /// PROJ (an incident at each pole gave a raw "Invalid value").
    public static let latitude: ClosedRange<Double> = -85...85
    /// Vertices in one zone or one route (the largest OSM province of Pakistan has 8,523).
    public static let vertices = 100_000
    /// Vertices of an invalid zone that is still repaired: GEOS's makeValid on a crafted
    /// self-intersecting ring grows with the square of its crossings (20,001 vertices took 648 s),
    /// so a larger invalid zone is refused, by name, instead.
    public static let repairedVertices = 10_000
    /// Self-intersections of an invalid zone that is still repaired: the repair's time grows
    /// faster than their number, not the vertices' (a 141-vertex star of about 9,700 crossings
    /// took 67 s, a 500-vertex one over 7 minutes), so a zone with more is refused by name.
    /// Real boundary defects are a few; at the limits (10,000 vertices, 900 crossings) a crafted
    /// zone is read and repaired in about 4.5 s (ZoneReaderTests.repairOfACraftedZoneAtTheLimitsIsBounded).
    public static let repairedCrossings = 1_000

    /// Why `value` is outside `range` (with `positive`, also when it is 0), or nil.
    public static func flaw(_ value: Double, _ range: ClosedRange<Double>, positive: Bool = false) -> String? {
        guard value.isFinite else { return "is not a finite number" }
        if positive && value <= 0 { return "must be > 0, got \(text(value))" }
        guard range.contains(value) else { return "must be between \(text(range.lowerBound)) and \(text(range.upperBound)), got \(text(value))" }
        return nil
    }

    static func text(_ n: Double) -> String {
        n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : "\(n)"
    }
}
