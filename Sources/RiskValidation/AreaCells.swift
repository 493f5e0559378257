import Foundation
import Geo
import RiskCore
import RiskSynth

/// Square cells of the study area in the working CRS, for the measures of the hazard field: the
/// cells whose centre lies in a province when there are provinces, else every cell of the
/// incidents' extent. Cells are equal in area, so a share of cells is a share of area.
struct AreaCells {
    let cellKm: Double
    let originX: Double
    let originY: Double
    let columns: Int
    let rows: Int
    /// Centres of the cells kept, and each grid position's index among them (or -1).
    let centres: [Coordinate]
    let slot: [Int]
    /// The centres in longitude/latitude.
    let lonLatCentres: [Coordinate]
    /// Province (index into `Study.provinces`) of each kept cell, when there are provinces.
    let province: [Int?]

    init(study: Study, cellKm: Double) throws {
        self.cellKm = cellKm
        let box: Envelope
        if let provinces = Envelope(covering: study.projectedProvinces.flatMap(\.coordinates)) {
            box = provinces
        } else if let incidents = Envelope(covering: study.positions) {
            box = incidents.expanded(by: cellKm)
        } else {
            throw BacktestError.nothing("no incidents and no provinces to lay area cells over")
        }
        originX = box.minX
        originY = box.minY
        columns = max(1, Int((box.width / cellKm).rounded(.up)))
        rows = max(1, Int((box.height / cellKm).rounded(.up)))
        let context = try GeometryContext()
        let prepared = try study.projectedProvinces.map { try Geometry($0, in: context).prepared() }
        var centres: [Coordinate] = [], slot = [Int](repeating: -1, count: columns * rows), province: [Int?] = []
        for j in 0..<rows {
            for i in 0..<columns {
                let centre = Coordinate(originX + (Double(i) + 0.5) * cellKm, originY + (Double(j) + 0.5) * cellKm)
                var inside: Int?
                if !prepared.isEmpty {
                    inside = try prepared.firstIndex { try $0.covers(centre) }
                    if inside == nil { continue }
                }
                slot[j * columns + i] = centres.count
                centres.append(centre)
                province.append(inside)
            }
        }
        self.centres = centres
        lonLatCentres = try study.crs.transformer().transformed(centres, inverse: true)
        self.slot = slot
        self.province = province
    }

    /// The kept cell holding `p` (working CRS), or nil outside them.
    func cell(of p: Coordinate) -> Int? {
        let i = Int(((p.x - originX) / cellKm).rounded(.down)), j = Int(((p.y - originY) / cellKm).rounded(.down))
        guard i >= 0, j >= 0, i < columns, j < rows else { return nil }
        let s = slot[j * columns + i]
        return s >= 0 ? s : nil
    }

    /// Each area predictor's value in every kept cell at `cut`.
    func values(setup: BacktestSetup, study: Study, cut: Date, past: [Int],
                random: inout SeededRandom) async throws -> [AreaPredictor: [Double]] {
        var values: [AreaPredictor: [Double]] = [:]
        let data = try ScoringData(incidents: past.map { study.incidents[$0] }, zones: [], model: setup.model,
                                   extent: study.extent)
        // The model's own incident field at each centre, from the exact scorer: the peak hazard of
        // a 1 m piece of road there (no zones), which works for every kernel and sigma.
        let scorer = try Scorer(data, topIncidents: 0)
        values[.hazard] = try lonLatCentres.map { centre in
            let east = try Geodesic.wgs84.direct(from: centre, azimuth: 90, distanceKm: 0.001).position
            return try scorer.score(Route(id: "cell", shape: .lineString([centre, east])), asOf: cut).peakHazard
        }
        let points = past.map { study.positions[$0] }
        let index = EnvelopeIndex(points.enumerated().map { i, p in (Envelope(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y), i) })
        let r = setup.radiusKm
        values[.pastCount] = centres.map { c in
            var n = 0.0
            index.query(Envelope(minX: c.x - r, minY: c.y - r, maxX: c.x + r, maxY: c.y + r)) { i in
                if hypot(points[i].x - c.x, points[i].y - c.y) <= r { n += 1 }
            }
            return n
        }
        let density = provinceDensities(study: study, past: past)
        values[.province] = province.map { $0.map { density[$0] } ?? 0 }
        values[.random] = centres.map { _ in random.uniform(0, 1) }
        return values
    }
}
