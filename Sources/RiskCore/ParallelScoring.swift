import Foundation
import Geo

/// Which path scores routes: the exact definition, or the grid.
public enum ScoringPath: String, Sendable {
    case exact, fast
}

/// The share of a route's exposure that the fast path's error bound may reach before the route is
/// scored exactly: the spec's 1 %, less a fifth for what the bound leaves out (Simpson's rule on
/// the smooth part of the field, and `Float` rounding in the grid).
public let fastTolerance = 0.008

/// Scores many routes on `jobs` tasks, each with its own scorer (and so its own GEOS and PROJ
/// contexts); the shared inputs are immutable values. Results come back in input order.
///
/// The fast path builds one `HazardGrid` at the earliest evaluation time, over the routes'
/// extent, and `note` reports its size; when it would exceed `gridMemoryLimit` bytes, or the
/// model's kernel is not the Gaussian (the disk), `note` says so and the exact path runs.
/// A route whose fast exposure's error bound (`FastScorer.Bounded`) exceeds `fastTolerance` of
/// its exposure is scored again exactly: the spec allows the fast path 1 % on every route, and the
/// bound, not an estimate, is what shows a route within it. Such routes mostly graze a heavy
/// incident's cutoff, where few incidents reach them, so the exact path is cheap there.
public func scoreRoutes(_ routes: [Route], asOf: Date, data: ScoringData, path: ScoringPath = .fast, jobs: Int = 1,
                        gridMemoryLimit: Int = 1 << 30,
                        note: (String) -> Void = { _ in }) async throws -> [Result<RouteResult, any Error>] {
    guard !routes.isEmpty else { return [] }
    var grid: HazardGrid?
    if path == .fast {
        let reference = routes.map { $0.departsAt ?? asOf }.min()!
        // A route that cannot be projected (a coordinate off the globe, or at a pole) fails when
        // it is scored, on its own; it must not take the grid, and every other route, down with it.
        let transformer = try data.crs.transformer()
        let projected = routes.compactMap { route -> [Coordinate]? in
            guard route.shape.coordinates.allSatisfy({ (try? $0.validateGeographic()) != nil }) else { return nil }
            return try? transformer.transformed(route.shape.coordinates)
        }
        let extent = Envelope(covering: projected.flatMap { $0 })
        if let extent {
            do {
                let started = Date()
                let built = try await HazardGrid.build(data: data, extent: extent, referenceTime: reference,
                                                       memoryLimit: gridMemoryLimit, jobs: jobs)
                note(String(format: "hazard grid: %d x %d nodes, %.0f MiB (limit %.0f MiB), built in %.2f s", built.columns, built.rows,
                            Double(built.memoryBytes) / 1_048_576, Double(gridMemoryLimit) / 1_048_576,
                            Date().timeIntervalSince(started)))
                grid = built
            } catch let tooLarge as HazardGrid.TooLarge {
                note("\(tooLarge); scoring on the exact path instead")
            } catch let notGridded as HazardGrid.KernelNotGridded {
                note("\(notGridded)")
            }
        }
    }
    return try await parallelMap(routes, jobs: jobs, worker: { [grid] () throws -> (Route) throws -> RouteResult in
        if let grid {
            let fast = try FastScorer(data, grid: grid)
            var exact: Scorer?
            return { route in
                let bounded = try fast.scoreBounded(route, asOf: asOf)
                guard bounded.errorBound > fastTolerance * bounded.result.exposure else { return bounded.result }
                if exact == nil { exact = try Scorer(data) }
                return try exact!.score(route, asOf: asOf)
            }
        }
        let scorer = try Scorer(data)
        return { try scorer.score($0, asOf: asOf) }
    }) { score, route in Result { try score(route) } }
}
