import Foundation
import Testing
import Geo
import RiskCore
@testable import RiskValidation

@Suite struct BacktestTests {
    /// Incidents from a static field known in closed form: the model's mean hazard must rank
    /// routes as the field's true mean along them does, the skill measures must be clearly
    /// positive, and the random baseline must be near zero.
    @Test func ranksRoutesByTheTrueIntensity() async throws {
        let incidents = World.staticIncidents(count: 1500, seed: 4)
        let routes = World.routes(count: 150, seed: 8)
        var model = Model()
        model.halfLifeDays = 1460
        let setup = BacktestSetup(routes: routes, incidents: incidents, zones: [], model: model,
                                  cuts: [2008, 2012].map(World.date), horizonDays: 730, radiusKm: 10, bootstrap: 50, cellKm: 10)
        let result = try await backtest(setup)
        let truth = routes.map(World.meanStaticIntensity)
        for cut in result.cuts {
            let rho = try #require(Metrics.spearman(cut.values[.meanHazard]!, truth))
            #expect(rho > 0.9, "mean hazard vs the true intensity: \(rho)")
        }
        func pooled(_ p: Predictor) -> RouteSkill { result.pooledRoutes.first { $0.predictor == p }! }
        let mean = try #require(pooled(.meanHazard).spearman)
        #expect(mean.value > 0.5 && mean.low < mean.value && mean.value < mean.high)
        #expect(try #require(pooled(.meanHazard).auc).value > 0.75)
        #expect(abs(try #require(pooled(.random).spearman).value) < 0.2)
        #expect(abs(try #require(pooled(.random).auc).value - 0.5) < 0.12)
        // Past count within the radius is nearly the truth here (the field does not change).
        #expect(try #require(pooled(.pastCount).spearman).value > 0.5)
        // No provinces: the province baseline is constant and has no correlation.
        #expect(pooled(.province).spearman == nil)
        // The hazard field puts far more than its share of future incidents in its top 5 % of area.
        let hazard = try #require(result.pooledArea.first { $0.predictor == .hazard }?.pai5)
        #expect(hazard.value > 3)
        let randomArea = try #require(result.pooledArea.first { $0.predictor == .random }?.pai5)
        #expect(randomArea.value < 2)
    }

    /// Counting: an incident 3 km off a route is within a 5 km radius, one 8 km off is not, and
    /// only incidents in the horizon after the cut count.
    @Test func countsIncidentsWithinTheRadiusInTheHorizon() async throws {
        let route = Route(id: "a", shape: .lineString([World.lonLat(0, 100), World.lonLat(100, 100)]))
        let other = Route(id: "b", shape: .lineString([World.lonLat(0, 200), World.lonLat(100, 200)]))
        let cut = World.date(2010)
        func incident(_ id: String, _ x: Double, _ y: Double, _ days: Double) -> Incident {
            Incident(id: id, location: World.lonLat(x, y), time: cut.addingTimeInterval(days * 86_400))
        }
        let incidents = [incident("near", 50, 103, 10), incident("far", 50, 108, 10), incident("late", 50, 101, 400),
                         incident("past", 20, 99, -100)]
        let setup = BacktestSetup(routes: [route, other], incidents: incidents, zones: [], model: Model(), cuts: [cut],
                                  horizonDays: 365, radiusKm: 5, bootstrap: 0)
        let result = try await backtest(setup)
        #expect(result.cuts[0].futureCounts == [1, 0])
        #expect(result.cuts[0].futureIncidents == 2)
        #expect(result.cuts[0].pastIncidents == 1)
        let lengths = result.lengthsKm
        #expect(result.cuts[0].values[.pastCount]! == [1 / lengths[0], 0])
    }
}
