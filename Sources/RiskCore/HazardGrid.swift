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
///
/// That estimate is per incident; a route's error is not. The kernel is cut off at 3 sigma,
/// where it jumps from 1.1 % of its amplitude to nothing, and interpolation cannot follow a
/// jump: a route running along the cutoff circle of a heavy stack of incidents (real files put
/// dozens of attacks on one town's centroid) reads the jump smeared over a cell for kilometres.
/// So every node also holds an upper bound of the interpolation error of the cells around it
/// (`bounds`, see `errorBound(at:)`), from which `FastScorer` bounds each route's error and
/// hands the routes whose bound is not within the spec's 1 % to the exact path.
///
/// The grid is built for the Gaussian kernel only: the disk's field jumps by a whole weight at
/// each disk's edge, where interpolating between nodes has no useful error bound, so a model
/// with the disk is scored on the exact path (`build` throws `KernelNotGridded`).
public struct HazardGrid: Sendable {
    public let referenceTime: Date
    public let cellKm: Double
    public let originX: Double
    public let originY: Double
    public let columns: Int
    public let rows: Int
    /// Field values, row-major.
    let values: [Float]
    /// Per node, bounds of the interpolation error of the incidents around it (see `accumulate`),
    /// row-major: the curvature part, and the cutoff jumps of the circles passing near the node.
    let bounds: [Float]
    let jumps: [Float]
    /// Three leading incidents per node of the coarse leader grid (index into
    /// `ScoringData.incidents`, or -1).
    let leaders: [Int32]
    let leaderCellKm: Double
    let leaderColumns: Int
    let leaderRows: Int
    /// Incidents in the grid, by index: those counting at `referenceTime`.
    let included: [Bool]
    /// Incidents after `referenceTime` (a later evaluation adds them exactly), and the incidents
    /// in the grid oldest first (a later evaluation removes those that have decayed below
    /// `min_decay` by then: always a leading run of this list, however late the evaluation).
    let later: [Int]
    let fading: [Int]

    public static let leadersPerNode = 3

    public struct TooLarge: Error, CustomStringConvertible {
        public var bytes: Int
        public var limit: Int
        public var description: String {
            String(format: "the hazard grid would need %.0f MiB, over the %.0f MiB limit", Double(bytes) / 1_048_576,
                   Double(limit) / 1_048_576)
        }
    }

    /// The model's kernel is not one the grid is built for (only the Gaussian is).
    public struct KernelNotGridded: Error, CustomStringConvertible {
        public var kernel: Kernel
        public var description: String { "the \(kernel.name) kernel is scored on the exact path (the hazard grid is for the gaussian)" }
    }

    /// Bytes a grid over `extent` (working CRS, km) would take for a Gaussian of `sigmaKm`.
    static func memory(extent: Envelope, sigmaKm: Double) -> Int {
        func nodes(_ h: Double) -> Int { (Int((extent.width / h).rounded(.up)) + 1) * (Int((extent.height / h).rounded(.up)) + 1) }
        return nodes(sigmaKm / 16) * (4 + 4 + 4) + nodes(sigmaKm / 4) * (4 + 4) * leadersPerNode
    }

    /// Where the nodes are.
    struct Layout: Sendable {
        var originX: Double
        var originY: Double
        var cellKm: Double
        var columns: Int
        var rows: Int
        var leaderCellKm: Double
        var leaderColumns: Int
        var leaderRows: Int
    }

    /// One task's share of the build: the field and leaders of some of the incidents.
    struct Partial: Sendable {
        var values: [Float]
        var bounds: [Float]
        var jumps: [Float]
        var leaders: [Int32]
        var leaderWeights: [Float]
    }

    private init(referenceTime: Date, layout: Layout, values: [Float], bounds: [Float], jumps: [Float], leaders: [Int32], included: [Bool],
                 data: ScoringData) {
        self.referenceTime = referenceTime
        cellKm = layout.cellKm
        originX = layout.originX
        originY = layout.originY
        columns = layout.columns
        rows = layout.rows
        leaderCellKm = layout.leaderCellKm
        leaderColumns = layout.leaderColumns
        leaderRows = layout.leaderRows
        self.values = values
        self.bounds = bounds
        self.jumps = jumps
        self.leaders = leaders
        self.included = included
        later = included.indices.filter { !included[$0] && data.incidents[$0].time > referenceTime }
        fading = included.indices.filter { included[$0] }.sorted { data.incidents[$0].time < data.incidents[$1].time }
    }

    /// Builds the field of every incident counting at `referenceTime` over `extent` (working CRS,
    /// km, widened by the cutoff) on `jobs` tasks, or throws `TooLarge` when it would exceed
    /// `memoryLimit` bytes, and `KernelNotGridded` when the model's kernel is not the Gaussian.
    public static func build(data: ScoringData, extent: Envelope, referenceTime: Date, memoryLimit: Int = 1 << 30,
                             jobs: Int = 1) async throws -> HazardGrid {
        let model = data.model
        guard case .gaussian(let sigma, _) = model.kernel else { throw KernelNotGridded(kernel: model.kernel) }
        let area = extent.expanded(by: model.cutoffKm * 1.01)
        let needed = HazardGrid.memory(extent: area, sigmaKm: sigma)
        guard needed <= memoryLimit else { throw TooLarge(bytes: needed, limit: memoryLimit) }
        let h = sigma / 16, coarse = sigma / 4
        let layout = Layout(originX: area.minX, originY: area.minY, cellKm: h,
                            columns: Int((area.width / h).rounded(.up)) + 1, rows: Int((area.height / h).rounded(.up)) + 1,
                            leaderCellKm: coarse, leaderColumns: Int((area.width / coarse).rounded(.up)) + 1,
                            leaderRows: Int((area.height / coarse).rounded(.up)) + 1)
        let time = referenceTime.timeIntervalSince1970
        let included = data.incidents.indices.map { data.amplitude($0, at: time) != nil }
        let scales = try data.localScales()
        // Each task fills a grid of its own until they are summed: as many as the limit allows.
        let tasks = max(1, min(jobs, 8, memoryLimit / max(1, needed)))
        let share = (data.incidents.count + tasks - 1) / tasks
        var merged: Partial?
        try await withThrowingTaskGroup(of: Partial.self) { group in
            for start in stride(from: 0, to: max(1, data.incidents.count), by: max(1, share)) {
                let range = start..<min(start + share, data.incidents.count)
                group.addTask { accumulate(range, data: data, sigmaKm: sigma, layout: layout, scales: scales, time: time) }
            }
            for try await partial in group {
                merged = merged.map { merge($0, partial) } ?? partial
            }
        }
        let result = merged ?? accumulate(0..<0, data: data, sigmaKm: sigma, layout: layout, scales: scales, time: time)
        return HazardGrid(referenceTime: referenceTime, layout: layout, values: result.values, bounds: result.bounds, jumps: result.jumps,
                          leaders: result.leaders, included: included, data: data)
    }

    private static func merge(_ a: Partial, _ b: Partial) -> Partial {
        var out = a
        out.values.withUnsafeMutableBufferPointer { values in
            b.values.withUnsafeBufferPointer { other in
                for i in values.indices { values[i] += other[i] }
            }
        }
        for (target, source) in [(\Partial.bounds, b.bounds), (\Partial.jumps, b.jumps)] {
            out[keyPath: target].withUnsafeMutableBufferPointer { bounds in
                source.withUnsafeBufferPointer { other in
                    for i in bounds.indices { bounds[i] += other[i] }
                }
            }
        }
        for node in stride(from: 0, to: b.leaders.count, by: leadersPerNode) {
            for slot in 0..<leadersPerNode where b.leaders[node + slot] >= 0 {
                insertLeader(b.leaders[node + slot], weight: b.leaderWeights[node + slot], at: node,
                             leaders: &out.leaders, weights: &out.leaderWeights)
            }
        }
        return out
    }

    /// Puts an incident among a node's three heaviest, heaviest first.
    private static func insertLeader(_ incident: Int32, weight: Float, at base: Int, leaders: inout [Int32], weights: inout [Float]) {
        var slot = leadersPerNode
        while slot > 0 && weights[base + slot - 1] < weight { slot -= 1 }
        guard slot < leadersPerNode else { return }
        var move = leadersPerNode - 1
        while move > slot {
            weights[base + move] = weights[base + move - 1]
            leaders[base + move] = leaders[base + move - 1]
            move -= 1
        }
        weights[base + slot] = weight
        leaders[base + slot] = incident
    }

    /// The field and leaders of the incidents in `range`, for a Gaussian of `sigmaKm`, and the
    /// nodes' error bounds.
    ///
    /// The bound. Bilinear interpolation over a cell of side `h` errs by at most
    /// `h^2 / 8 (max |f_xx| + max |f_yy|)` over the cell. For one incident of amplitude `A` at true
    /// offsets `(u, v)` (projected offsets over the incident's local scale `k`) the Gaussian's
    /// second derivatives along the projected axes are `A / k^2 g (u^2 / sigma^2 - 1) / sigma^2` and
    /// the same in `v`, so `|f_xx| + |f_yy| <= A g (r^2 / sigma^2 + 2) / (k^2 sigma^2)`: separable,
    /// like the field, with `g = factor(u) factor(v)`. It is written at every node within the
    /// cutoff plus a cell diagonal `delta`. Where the cutoff circle crosses a cell, the field jumps
    /// inside it, and the interpolant (between the field and 0) errs by at most the field there,
    /// `A g(cutoff - delta)`: that is added to `jumps` at every node within `delta` of the circle,
    /// so the four corners of any cell the circle crosses carry it. `errorBound(at:)` takes the
    /// largest curvature bound of a cell's corners, widened for its change within the cell, plus
    /// the jumps interpolated (full inside every crossed cell, whose corners all carry them).
    
    private static func accumulate(_ range: Range<Int>, data: ScoringData, sigmaKm: Double, layout: Layout, scales: [Double],
                                   time: Double) -> Partial {
        let h = layout.cellKm, coarse = layout.leaderCellKm
        let (originX, originY, columns, rows) = (layout.originX, layout.originY, layout.columns, layout.rows)
        var values = [Float](repeating: 0, count: columns * rows)
        var bounds = [Float](repeating: 0, count: columns * rows)
        var jumps = [Float](repeating: 0, count: columns * rows)
        var leaders = [Int32](repeating: -1, count: layout.leaderColumns * layout.leaderRows * leadersPerNode)
        var leaderWeights = [Float](repeating: 0, count: leaders.count)
        let cutoff = data.model.cutoffKm
        func factor(_ offset: Double) -> Double { Kernel.gaussianFactor(squaredKm: offset * offset, sigmaKm: sigmaKm) }
        let sigmaSquared = sigmaKm * sigmaKm
        for index in range {
            guard let amplitude = data.amplitude(index, at: time) else { continue }
            let p = data.indexed[index].position
            let k = scales[index]
            // A cell's diagonal in true km, and how far the bound reaches past the cutoff.
            let delta = 2.0.squareRoot() * h / k
            let outer = cutoff + delta
            let reach = outer * k
            let i0 = max(0, Int(((p.x - reach - originX) / h).rounded(.down)))
            let i1 = min(columns - 1, Int(((p.x + reach - originX) / h).rounded(.up)))
            let j0 = max(0, Int(((p.y - reach - originY) / h).rounded(.down)))
            let j1 = min(rows - 1, Int(((p.y + reach - originY) / h).rounded(.up)))
            guard i0 <= i1, j0 <= j1 else { continue }
            // The Gaussian separates (`Kernel.gaussianFactor`): a row and a column of factors
            // replace an exponential per node, and each row's nodes inside the cutoff form one
            // contiguous run.
            // Per column: the factor, its product with u^2 / sigma^2, and u^2 (true km^2).
            let across = (i0...i1).map { i -> (factor: Float, curved: Float, squared: Double) in
                let u = (originX + Double(i) * h - p.x) / k
                let f = factor(u)
                return (Float(f), Float(f * u * u / sigmaSquared), u * u)
            }
            let curvature = amplitude * h * h / (8 * k * k * sigmaSquared)
            let jump = Float(amplitude * factor(max(0, cutoff - delta)))
            let ringInner = max(0, cutoff - delta) * max(0, cutoff - delta), ringOuter = outer * outer
            values.withUnsafeMutableBufferPointer { grid in
              jumps.withUnsafeMutableBufferPointer { jumpNodes in
                bounds.withUnsafeMutableBufferPointer { bound in
                    for j in j0...j1 {
                        let dy = (originY + Double(j) * h - p.y) / k
                        let row = j * columns
                        let outerRemaining = ringOuter - dy * dy
                        guard outerRemaining >= 0 else { continue }
                        let outerHalf = outerRemaining.squareRoot() * k
                        let lowB = max(i0, Int(((p.x - outerHalf - originX) / h).rounded(.up)))
                        let highB = min(i1, Int(((p.x + outerHalf - originX) / h).rounded(.down)))
                        if lowB <= highB {
                            let fy = factor(dy)
                            let rowFactor = Float(curvature * fy), rowCurved = Float(curvature * fy * dy * dy / sigmaSquared)
                            let dy2 = dy * dy
                            for i in lowB...highB {
                                let column = across[i - i0]
                                bound[row + i] += rowFactor * (column.curved + 2 * column.factor) + rowCurved * column.factor
                                let squared = column.squared + dy2
                                if squared >= ringInner && squared <= ringOuter { jumpNodes[row + i] += jump }
                            }
                        }
                        let remaining = cutoff * cutoff - dy * dy
                        guard remaining >= 0 else { continue }
                        let halfWidth = remaining.squareRoot() * k
                        let low = max(i0, Int(((p.x - halfWidth - originX) / h).rounded(.up)))
                        let high = min(i1, Int(((p.x + halfWidth - originX) / h).rounded(.down)))
                        guard low <= high else { continue }
                        let rowFactor = Float(amplitude * factor(dy))
                        for i in low...high { grid[row + i] += rowFactor * across[i - i0].factor }
                    }
                }
              }
            }
            let l0 = max(0, Int(((p.x - reach - originX) / coarse).rounded(.down)))
            let l1 = min(layout.leaderColumns - 1, Int(((p.x + reach - originX) / coarse).rounded(.up)))
            let m0 = max(0, Int(((p.y - reach - originY) / coarse).rounded(.down)))
            let m1 = min(layout.leaderRows - 1, Int(((p.y + reach - originY) / coarse).rounded(.up)))
            guard l0 <= l1, m0 <= m1 else { continue }
            let leaderAcross = (l0...l1).map { l -> (squared: Double, factor: Double) in
                let dx = (originX + Double(l) * coarse - p.x) / k
                return (dx * dx, factor(dx))
            }
            for m in m0...m1 {
                let dy = (originY + Double(m) * coarse - p.y) / k
                let rowFactor = amplitude * factor(dy)
                for (offset, column) in leaderAcross.enumerated() where column.squared + dy * dy <= cutoff * cutoff {
                    insertLeader(Int32(index), weight: Float(rowFactor * column.factor),
                                 at: (m * layout.leaderColumns + l0 + offset) * leadersPerNode, leaders: &leaders, weights: &leaderWeights)
                }
            }
        }
        return Partial(values: values, bounds: bounds, jumps: jumps, leaders: leaders, leaderWeights: leaderWeights)
    }

    public var memoryBytes: Int { values.count * 4 + bounds.count * 4 + jumps.count * 4 + leaders.count * 4 + included.count }

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

    /// An upper bound of `|field(at: p) - exact field|` for the incidents in the grid: the largest
    /// curvature bound of the four corners of `p`'s cell, widened by 1.35 for its change within
    /// the cell (`g (r^2 / sigma^2 + 2)` changes by a factor of at most `exp(r delta / sigma^2) <
    /// 1.31` over a cell diagonal `delta = sigma sqrt 2 / 16` within the cutoff), plus the cutoff
    /// jumps interpolated. Outside the grid the field is 0 and no incident reaches: 0.
    public func errorBound(at p: Coordinate) -> Double {
        let fx = (p.x - originX) / cellKm, fy = (p.y - originY) / cellKm
        let i = Int(fx.rounded(.down)), j = Int(fy.rounded(.down))
        guard i >= 0, j >= 0, i < columns - 1, j < rows - 1 else { return 0 }
        let node = j * columns + i
        let corners = max(max(bounds[node], bounds[node + 1]), max(bounds[node + columns], bounds[node + columns + 1]))
        let tx = Float(fx - Double(i)), ty = Float(fy - Double(j))
        let bottom = jumps[node] * (1 - tx) + jumps[node + 1] * tx
        let top = jumps[node + columns] * (1 - tx) + jumps[node + columns + 1] * tx
        return 1.35 * Double(corners) + Double(bottom * (1 - ty) + top * ty)
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
