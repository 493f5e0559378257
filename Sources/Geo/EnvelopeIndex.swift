/// A static R-tree packed by Sort-Tile-Recursive (the algorithm of GEOS's and Shapely's STRtree),
/// over envelopes with an item each. It is a plain value: built once, then queried from any
/// number of threads without a GEOS context.
public struct EnvelopeIndex<Item: Sendable>: Sendable {
    public static var defaultNodeCapacity: Int { 10 }

    /// Items in leaf order, with their envelopes.
    private let items: [Item]
    /// levels[0] are the items' envelopes; levels[k][i] bounds levels[k-1][i*capacity ..< (i+1)*capacity].
    private let levels: [[Envelope]]
    private let capacity: Int

    public init(_ entries: [(envelope: Envelope, item: Item)], nodeCapacity: Int = defaultNodeCapacity) {
        precondition(nodeCapacity >= 2, "an R-tree node holds at least two children")
        capacity = nodeCapacity
        let ordered = EnvelopeIndex.sortTileRecursive(entries, capacity: nodeCapacity)
        items = ordered.map(\.item)
        var levels = [ordered.map(\.envelope)]
        while let below = levels.last, below.count > 1 {
            levels.append(stride(from: 0, to: below.count, by: nodeCapacity).map { start in
                below[start..<min(start + nodeCapacity, below.count)].dropFirst().reduce(below[start]) { $0.union($1) }
            })
        }
        self.levels = levels
    }

    public var count: Int { items.count }
    public var isEmpty: Bool { items.isEmpty }

    /// Orders entries so consecutive runs of `capacity` are spatially compact: vertical slices
    /// by centre x, each sorted by centre y.
    private static func sortTileRecursive(_ entries: [(envelope: Envelope, item: Item)], capacity: Int)
        -> [(envelope: Envelope, item: Item)] {
        guard entries.count > capacity else { return entries }
        let leafCount = (entries.count + capacity - 1) / capacity
        let slices = Int(Double(leafCount).squareRoot().rounded(.up))
        let perSlice = slices * capacity
        let byX = entries.sorted { $0.envelope.center.x < $1.envelope.center.x }
        return stride(from: 0, to: byX.count, by: perSlice).flatMap { start in
            byX[start..<min(start + perSlice, byX.count)].sorted { $0.envelope.center.y < $1.envelope.center.y }
        }
    }

    /// Calls `visit` with every item whose envelope intersects `envelope`.
    public func query(_ envelope: Envelope, _ visit: (Item) throws -> Void) rethrows {
        guard let top = levels.indices.last else { return }
        var stack: [(level: Int, index: Int)] = levels[top].indices.map { (top, $0) }
        while let (level, index) = stack.popLast() {
            guard levels[level][index].intersects(envelope) else { continue }
            if level == 0 {
                try visit(items[index])
            } else {
                let below = levels[level - 1].count
                for child in (index * capacity)..<min((index + 1) * capacity, below) {
                    stack.append((level - 1, child))
                }
            }
        }
    }

    /// The items whose envelopes intersect `envelope`.
    public func query(_ envelope: Envelope) -> [Item] {
        var found: [Item] = []
        query(envelope) { found.append($0) }
        return found
    }
}
