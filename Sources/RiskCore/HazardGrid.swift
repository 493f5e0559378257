import Foundation
import Geo

/// The incident field `I_T0(x)` precomputed on a regular grid in the working CRS, for the fast
/// path. Nodes are `cellKm` apart; values between them are interpolated bilinearly. Each node
/// also keeps the three incidents that weigh most there, from which the fast path estimates a
/// route's leading incidents.
///
/// The cell is a sixteenth of sigma. Bilinear interpolation errs by h^2 / 8 times the kernel's
/// curvature, which relative to the kernel is (d^2 / sigma^2 - 1) / sigma^2: largest in the tail,
/// 8 / sigma^2 at the 3-sigma cutoff, so 0.4 % there with h = sigma / 16 (a sixth of sigma put
/// routes that only graze incidents 1.6 % high). Leaders are kept on a coarser grid, a quarter
/// sigma apart.
public struct HazardGrid: Sendable {
    public let referenceTime: Date
    public let cellKm: Double
    public let originX: Double
    public let originY: Double
    public let columns: Int
    public let rows: Int
    /// Field values, row-major.
    let values: [Float]
    /// Three leading incidents per node of the coarse leader grid (index into
    /// `ScoringData.incidents`, or -1).
    let leaders: [Int32]
    let leaderCellKm: Double
    let leaderColumns: Int
    let leaderRows: Int
    /// Incidents in the grid, by index: those counting at `referenceTime`.
    let included: [Bool]

    public static let leadersPerNode = 3

    public struct TooLarge: Error, CustomStringConvertible {
        public var bytes: Int
        public var limit: Int
        public var description: String {
            String(format: "the hazard grid would need %.0f MiB, over the %.0f MiB limit", Double(bytes) / 1_048_576,
                   Double(limit) / 1_048_576)
        }
    }

    /// Bytes a grid over `extent` (working CRS, km) would take for this model.
    public static func memory(extent: Envelope, model: Model) -> Int {
        func nodes(_ h: Double) -> Int { (Int((extent.width / h).rounded(.up)) + 1) * (Int((extent.height / h).rounded(.up)) + 1) }
        return nodes(model.sigmaKm / 16) * 4 + nodes(model.sigmaKm / 4) * (4 + 4) * leadersPerNode
    }

    /// Builds the field of every incident counting at `referenceTime` over `extent` (working CRS,
    /// km, widened by the cutoff), or throws `TooLarge` when it would exceed `memoryLimit` bytes.
    public init(data: ScoringData, extent: Envelope, referenceTime: Date, memoryLimit: Int = 1 << 30) throws {
        let model = data.model
        let area = extent.expanded(by: model.cutoffKm * 1.01)
        let needed = HazardGrid.memory(extent: area, model: model)
        guard needed <= memoryLimit else { throw TooLarge(bytes: needed, limit: memoryLimit) }
        let h = model.sigmaKm / 16
        cellKm = h
        let coarse = model.sigmaKm / 4
        leaderCellKm = coarse
        leaderColumns = Int((area.width / coarse).rounded(.up)) + 1
        leaderRows = Int((area.height / coarse).rounded(.up)) + 1
        originX = area.minX
        originY = area.minY
        columns = Int((area.width / h).rounded(.up)) + 1
        rows = Int((area.height / h).rounded(.up)) + 1
        self.referenceTime = referenceTime
        var values = [Float](repeating: 0, count: columns * rows)
        var leaders = [Int32](repeating: -1, count: leaderColumns * leaderRows * HazardGrid.leadersPerNode)
        var leaderWeights = [Float](repeating: 0, count: leaderColumns * leaderRows * HazardGrid.leadersPerNode)
        var included = [Bool](repeating: false, count: data.incidents.count)
        let time = referenceTime.timeIntervalSince1970
        let scales = try data.localScales()
        let cutoff = model.cutoffKm
        let inverse = 1 / (2 * model.sigmaKm * model.sigmaKm)
        for index in data.incidents.indices {
            guard let amplitude = data.amplitude(index, at: time) else { continue }
            included[index] = true
            let p = data.indexed[index].position
            let k = scales[index]
            let reach = cutoff * k
            let i0 = max(0, Int(((p.x - reach - originX) / h).rounded(.down)))
            let i1 = min(columns - 1, Int(((p.x + reach - originX) / h).rounded(.up)))
            let j0 = max(0, Int(((p.y - reach - originY) / h).rounded(.down)))
            let j1 = min(rows - 1, Int(((p.y + reach - originY) / h).rounded(.up)))
            guard i0 <= i1, j0 <= j1 else { continue }
            for j in j0...j1 {
                let dy = (originY + Double(j) * h - p.y) / k
                for i in i0...i1 {
                    let dx = (originX + Double(i) * h - p.x) / k
                    let squared = dx * dx + dy * dy
                    guard squared <= cutoff * cutoff else { continue }
                    values[j * columns + i] += Float(amplitude * exp(-squared * inverse))
                }
            }
            let l0 = max(0, Int(((p.x - reach - originX) / coarse).rounded(.down)))
            let l1 = min(leaderColumns - 1, Int(((p.x + reach - originX) / coarse).rounded(.up)))
            let m0 = max(0, Int(((p.y - reach - originY) / coarse).rounded(.down)))
            let m1 = min(leaderRows - 1, Int(((p.y + reach - originY) / coarse).rounded(.up)))
            guard l0 <= l1, m0 <= m1 else { continue }
            for m in m0...m1 {
                let dy = (originY + Double(m) * coarse - p.y) / k
                for l in l0...l1 {
                    let dx = (originX + Double(l) * coarse - p.x) / k
                    let squared = dx * dx + dy * dy
                    guard squared <= cutoff * cutoff else { continue }
                    let term = Float(amplitude * exp(-squared * inverse))
                    // Keep the node's three heaviest incidents, heaviest first.
                    let base = (m * leaderColumns + l) * HazardGrid.leadersPerNode
                    var slot = HazardGrid.leadersPerNode
                    while slot > 0 && leaderWeights[base + slot - 1] < term { slot -= 1 }
                    guard slot < HazardGrid.leadersPerNode else { continue }
                    var move = HazardGrid.leadersPerNode - 1
                    while move > slot {
                        leaderWeights[base + move] = leaderWeights[base + move - 1]
                        leaders[base + move] = leaders[base + move - 1]
                        move -= 1
                    }
                    leaderWeights[base + slot] = term
                    leaders[base + slot] = Int32(index)
                }
            }
        }
        self.values = values
        self.leaders = leaders
        self.included = included
    }

    public var memoryBytes: Int { values.count * 4 + leaders.count * 4 + included.count }

    /// The interpolated field at a point of the working CRS (0 outside the grid).
    public func field(at p: Coordinate) -> Double {
        let fx = (p.x - originX) / cellKm, fy = (p.y - originY) / cellKm
        let i = Int(fx.rounded(.down)), j = Int(fy.rounded(.down))
        guard i >= 0, j >= 0, i < columns - 1, j < rows - 1 else { return 0 }
        let tx = Float(fx - Double(i)), ty = Float(fy - Double(j))
        let node = j * columns + i
        let bottom = values[node] * (1 - tx) + values[node + 1] * tx
        let top = values[node + columns] * (1 - tx) + values[node + columns + 1] * tx
        return Double(bottom * (1 - ty) + top * ty)
    }

    /// The leading incidents of the node nearest `p`.
    func leaders(near p: Coordinate) -> ArraySlice<Int32> {
        let i = Int(((p.x - originX) / leaderCellKm).rounded()), j = Int(((p.y - originY) / leaderCellKm).rounded())
        guard i >= 0, j >= 0, i < leaderColumns, j < leaderRows else { return [] }
        let base = (j * leaderColumns + i) * HazardGrid.leadersPerNode
        return leaders[base..<base + HazardGrid.leadersPerNode]
    }
}

extension ScoringData {
    /// Each incident's local scale in the working CRS (projected over true distance), measured
    /// over a 1 km geodesic step east.
    func localScales() throws -> [Double] {
        let east = try incidents.map { try Geodesic.wgs84.direct(from: $0.location, azimuth: 90, distanceKm: 1).position }
        let projected = try crs.transformer().transformed(east)
        return zip(indexed, projected).map { incident, step in
            hypot(step.x - incident.position.x, step.y - incident.position.y)
        }
    }
}
