import Foundation
import Geo
import RiskCore

/// Reads zones from a GeoJSON FeatureCollection of Polygon / MultiPolygon features with
/// properties `id` (string or number; required, or the feature's own `id`), `name` (default: the
/// id), `kind` (default `zone`), `base` (>= 0, default 0) and `multiplier` (> 0, default 1).
///
/// An invalid polygon (self-intersecting, say) is repaired with GEOS's makeValid and kept with a
/// warning, even in strict mode: boundary files from OSM often carry tiny defects, and dropping a
/// whole province over one would change scores far more than the repair does.
public struct ZoneReader: Sendable {
    public var strict: Bool

    public init(strict: Bool = false) {
        self.strict = strict
    }

    public func read(contentsOf url: URL) throws -> ReadResult<Zone> {
        try read(.file(url))
    }

    public func read(_ source: InputSource) throws -> ReadResult<Zone> {
        try parse(source.text(), file: source.name)
    }

    public func parse(_ text: String, file: String) throws -> ReadResult<Zone> {
        let features = try FeatureFile.features(in: text, file: file)
        let context = try GeometryContext()
        var problems = Problems(strict: strict)
        var ids = IDRegistry()
        var zones: [Zone] = []

        for feature in features {
            do throws(ItemProblem) {
                try FeatureFile.checkFeature(feature)
                let properties = try feature.properties()
                // Administrative boundary files often carry only a name; it then serves as the id.
                let fallback = properties.value("id") == nil ? properties.value("name").flatMap(FeatureFile.identifier) : nil
                guard let rawID = properties.value("id").flatMap(FeatureFile.identifier) ?? feature.topLevelID ?? fallback else {
                    if let bad = properties.value("id") {
                        throw ItemProblem(field: "id", "must be a non-empty string or a number, got \(bad.kindName)")
                    }
                    throw ItemProblem(field: "id", "is missing")
                }
                let id = try checkedID(rawID)
                let name = try ZoneReader.text(properties, "name") ?? id
                let kind = try ZoneReader.text(properties, "kind") ?? "zone"
                let base = try ZoneReader.number(properties, "base") ?? 0
                guard base >= 0 else { throw ItemProblem(field: "base", "must be >= 0, got \(FeatureFile.numberText(base))") }
                let multiplier = try ZoneReader.number(properties, "multiplier") ?? 1
                guard multiplier > 0 else { throw ItemProblem(field: "multiplier", "must be > 0, got \(FeatureFile.numberText(multiplier))") }
                if let flaw = Limits.flaw(base, Limits.zoneBase) { throw ItemProblem(field: "base", flaw) }
                if let flaw = Limits.flaw(multiplier, Limits.zoneMultiplier, positive: true) { throw ItemProblem(field: "multiplier", flaw) }

                var shape = try feature.shape()
                guard let polygons = shape.polygons else {
                    throw ItemProblem(field: "geometry", "must be a Polygon or MultiPolygon, got \(shape.typeName)")
                }
                guard polygons.contains(where: { !$0.isEmpty }) else {
                    throw ItemProblem(field: "geometry", "is empty")
                }
                try Feature.validateGeographic(shape)
                if let extreme = shape.coordinates.max(by: { abs($0.y) < abs($1.y) }), let flaw = latitudeFlaw(extreme.y) {
                    throw ItemProblem(field: "geometry", "reaches latitude " + flaw)
                }
                try checkVertexCount(shape)
                let repair = try ZoneReader.repaired(shape, context)
                try ids.claim(id, at: feature.location)
                if let repair {
                    shape = repair.shape
                    problems.note(Diagnostic(file: file, location: feature.location, field: "geometry",
                                             reason: "invalid polygon (GEOS: \(repair.reason)); repaired with makeValid"))
                }
                zones.append(Zone(id: id, name: name, kind: kind, base: base, multiplier: multiplier, shape: shape))
            } catch {
                try problems.reject(Diagnostic(file: file, location: feature.location, field: error.field, reason: error.reason))
            }
        }
        return ReadResult(items: zones, warnings: problems.warnings)
    }

    /// nil when GEOS finds the shape valid; otherwise its polygonal repair and GEOS's reason.
    static func repaired(_ shape: Shape, _ context: GeometryContext) throws(ItemProblem) -> (shape: Shape, reason: String)? {
        do {
            let geometry = try Geometry(shape, in: context)
            if try geometry.isValid() { return nil }
            let reason = try geometry.validityReason()
            let vertices = shape.coordinates.count
            guard vertices <= Limits.repairedVertices else {
                throw ItemProblem(field: "geometry", "invalid polygon (GEOS: \(reason)) of \(vertices) vertices; only invalid "
                    + "polygons of up to \(Limits.repairedVertices) vertices are repaired (fix it in a GIS)")
            }
            let crossings = ZoneReader.selfIntersections(shape, upTo: Limits.repairedCrossings)
            guard crossings <= Limits.repairedCrossings else {
                throw ItemProblem(field: "geometry", "invalid polygon (GEOS: \(reason)) with more than \(Limits.repairedCrossings) "
                    + "self-intersections; only invalid polygons of up to \(Limits.repairedCrossings) self-intersections are repaired (fix it in a GIS)")
            }
            let fixed = try geometry.makeValid().shape()
            guard let polygonal = polygonalPart(fixed) else {
                throw ItemProblem(field: "geometry", "invalid polygon (GEOS: \(reason)) and its repair has no area left")
            }
            return (polygonal, reason)
        } catch let problem as ItemProblem {
            throw problem
        } catch {
            throw ItemProblem(field: "geometry", "\(error)")
        }
    }

    /// How many pairs of non-adjacent ring edges of `shape` touch or cross, counted up to
    /// `cap + 1` (enough to refuse the repair). A sweep over the edges sorted by their west end:
    /// only edges whose boxes overlap are compared, so a real boundary costs little, and a crafted
    /// one at most the pairs of `Limits.repairedVertices` edges before the count passes `cap`.
    static func selfIntersections(_ shape: Shape, upTo cap: Int) -> Int {
        struct Edge {
            var a: Coordinate, b: Coordinate
            var ring: Int, index: Int, ringEdges: Int
            var minX: Double { min(a.x, b.x) }
        }
        var edges: [Edge] = []
        var ringNumber = 0
        for polygon in shape.polygons ?? [] {
            for ring in polygon where ring.count >= 2 {
                for index in 0..<(ring.count - 1) {
                    edges.append(Edge(a: ring[index], b: ring[index + 1], ring: ringNumber, index: index, ringEdges: ring.count - 1))
                }
                ringNumber += 1
            }
        }
        edges.sort { $0.minX < $1.minX }
        func orientation(_ p: Coordinate, _ q: Coordinate, _ r: Coordinate) -> Double {
            (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x)
        }
        var found = 0
        for i in edges.indices {
            let s = edges[i]
            let sMaxX = max(s.a.x, s.b.x), sMinY = min(s.a.y, s.b.y), sMaxY = max(s.a.y, s.b.y)
            var j = i + 1
            while j < edges.count, edges[j].minX <= sMaxX {
                let t = edges[j]
                j += 1
                if max(t.a.y, t.b.y) < sMinY || min(t.a.y, t.b.y) > sMaxY { continue }
                // Consecutive edges of a ring share a vertex; that is no defect.
                if s.ring == t.ring {
                    let gap = abs(s.index - t.index)
                    if gap == 1 || gap == s.ringEdges - 1 { continue }
                }
                let d1 = orientation(t.a, t.b, s.a), d2 = orientation(t.a, t.b, s.b)
                let d3 = orientation(s.a, s.b, t.a), d4 = orientation(s.a, s.b, t.b)
                if d1 * d2 <= 0, d3 * d4 <= 0 {
                    found += 1
                    if found > cap { return found }
                }
            }
        }
        return found
    }

    /// The area part of a repaired shape: makeValid may return a collection in which a collapsed
    /// spike became a line or a point, which a zone cannot use.
    static func polygonalPart(_ shape: Shape) -> Shape? {
        switch shape {
        case .polygon(let rings):
            return rings.isEmpty ? nil : shape
        case .multiPolygon(let polygons):
            let nonEmpty = polygons.filter { !$0.isEmpty }
            return nonEmpty.isEmpty ? nil : .multiPolygon(nonEmpty)
        case .geometryCollection(let members):
            let polygons = members.compactMap(polygonalPart).flatMap { $0.polygons ?? [] }
            return polygons.isEmpty ? nil : .multiPolygon(polygons)
        default:
            return nil
        }
    }

    private static func text(_ properties: [JSONValue.Member], _ key: String) throws(ItemProblem) -> String? {
        guard let value = properties.value(key) else { return nil }
        guard let text = FeatureFile.identifier(value) else {
            if case .string = value { return nil }  // blank: fall back to the default
            throw ItemProblem(field: key, "must be a string or a number, got \(value.kindName)")
        }
        return text
    }

    private static func number(_ properties: [JSONValue.Member], _ key: String) throws(ItemProblem) -> Double? {
        guard let value = properties.value(key) else { return nil }
        guard let number = value.numberValue else {
            throw ItemProblem(field: key, "must be a number, got \(value.kindName) \(value.serialized())")
        }
        guard number.isFinite else { throw ItemProblem(field: key, "must be finite") }
        return number
    }
}
