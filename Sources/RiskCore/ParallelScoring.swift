import Foundation
import Geo

/// Which path scores routes: the exact definition, or the grid.
public enum ScoringPath: String, Sendable {
    case exact, fast
}

/// Scores many routes on `jobs` tasks, each with its own scorer (and so its own GEOS and PROJ
/// contexts); the shared inputs are immutable values. Results come back in input order.
///
/// The fast path builds one `HazardGrid` at the earliest evaluation time, over the routes'
/// extent, and `note` reports its size; when it would exceed `gridMemoryLimit` bytes, or the
/// model's kernel is not the Gaussian (the disk), `note` says so and the exact path runs.
/// A route whose fast incident exposure is under 10 % of the score scale is scored again exactly:
/// such a route only grazes the incidents' reach, where the grid's relative error is largest, and
/// few incidents reach it, so the exact path is cheap there.
public func scoreRoutes(_ routes: [Route], asOf: Date, data: ScoringData, path: ScoringPath = .fast, jobs: Int = 1,
                        gridMemoryLimit: Int = 1 << 30,
                        note: (String) -> Void = { _ in }) async throws -> [Result<RouteResult, any Error>] {
    guard !routes.isEmpty else { return [] }
    var grid: HazardGrid?
    if path == .fast {
        let reference = routes.map { $0.departsAt ?? asOf }.min()!
        let coordinates = routes.flatMap(\.shape.coordinates).filter { (try? $0.validateGeographic()) != nil }
        let extent = Envelope(covering: try data.crs.transformer().transformed(coordinates))
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
            let small = data.model.scoreScale / 10
            return { route in
                let result = try fast.score(route, asOf: asOf)
                guard result.incidentExposure < small else { return result }
                if exact == nil { exact = try Scorer(data) }
                return try exact!.score(route, asOf: asOf)
            }
        }
        let scorer = try Scorer(data)
        return { try scorer.score($0, asOf: asOf) }
    }) { score, route in Result { try score(route) } }
}
