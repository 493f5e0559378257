import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Geo
import RiskCore

/// Routes from the XML files planners' tools write: KML (Google Earth placemarks with a
/// `LineString`, or a `MultiGeometry` of them, named by their `name`) and GPX (GPS units' tracks,
/// one part per `trkseg`, and routes of `rtept`s). Placemarks without a line (points, polygons)
/// are not routes and are passed over; a line that cannot be read is a bad item, named by its
/// element, number and name. A file that is not well-formed XML is an `InputError` naming the line.
enum XMLRouteReader {
    typealias Item = RouteItem

    static func isXMLRouteFile(name: String, text: String) -> Bool {
        let lower = name.lowercased()
        if lower.hasSuffix(".kml") || lower.hasSuffix(".gpx") { return true }
        return text.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" }).hasPrefix("<")
    }

    static func items(in text: String, file: String) throws(InputError) -> [Item] {
        let root = try XMLTree.parse(text, file: file)
        switch root.name {
        case "kml": return kml(root)
        case "gpx": return gpx(root)
        default:
            throw InputError(file: file, location: "line \(root.line)", field: root.name,
                             reason: "is not a KML or GPX document (the root element is <\(root.name)>)")
        }
    }

    // MARK: KML

    private static func kml(_ root: XMLTree.Node) -> [Item] {
        root.descendants(named: "Placemark").enumerated().compactMap { index, placemark in
            let lines = placemark.descendants(named: "LineString")
            guard !lines.isEmpty else { return nil }
            let name = placemark.child("name")?.trimmedText
            let location = "Placemark \(index + 1)" + (name.map { " (\"\($0)\")" } ?? "") + " at line \(placemark.line)"
            let shape = attempt {
                let parts = try lines.map { line throws(ItemProblem) -> [Coordinate] in
                    guard let coordinates = line.child("coordinates") else {
                        throw ItemProblem(field: "LineString", "has no <coordinates> (line \(line.line))")
                    }
                    return try kmlCoordinates(coordinates.text, line: coordinates.line)
                }
                return parts.count == 1 ? .lineString(parts[0]) : .multiLineString(parts)
            }
            return Item(id: placemark.attributes["id"].flatMap(nonBlank), name: name, location: location, shape: shape)
        }
    }

    /// `lon,lat[,alt]` tuples separated by white space.
    private static func kmlCoordinates(_ text: String, line: Int) throws(ItemProblem) -> [Coordinate] {
        var positions: [Coordinate] = []
        for (index, tuple) in text.split(whereSeparator: \.isWhitespace).enumerated() {
            let values = tuple.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
            guard values.count == 2 || values.count == 3, let lon = values[0], let lat = values[1], values.allSatisfy({ $0 != nil }) else {
                throw ItemProblem(field: "coordinates", "position \(index + 1) \"\(tuple)\" (line \(line)) is not lon,lat[,alt]")
            }
            positions.append(try checked(lon: lon, lat: lat, field: "coordinates", what: "position \(index + 1) (line \(line))"))
        }
        return positions
    }

    // MARK: GPX

    private static func gpx(_ root: XMLTree.Node) -> [Item] {
        var items: [Item] = []
        for (index, track) in root.children(named: "trk").enumerated() {
            let name = track.child("name")?.trimmedText
            let shape = attempt {
                let parts = try track.children(named: "trkseg").map { segment throws(ItemProblem) in
                    try gpxPoints(segment.children(named: "trkpt"))
                }
                guard !parts.isEmpty else { throw ItemProblem(field: "trkseg", "the track has no segment") }
                return parts.count == 1 ? .lineString(parts[0]) : .multiLineString(parts)
            }
            items.append(Item(id: nil, name: name, location: "trk \(index + 1)" + (name.map { " (\"\($0)\")" } ?? "") + " at line \(track.line)",
                              shape: shape))
        }
        for (index, route) in root.children(named: "rte").enumerated() {
            let name = route.child("name")?.trimmedText
            let shape = attempt { .lineString(try gpxPoints(route.children(named: "rtept"))) }
            items.append(Item(id: nil, name: name, location: "rte \(index + 1)" + (name.map { " (\"\($0)\")" } ?? "") + " at line \(route.line)",
                              shape: shape))
        }
        return items
    }

    private static func gpxPoints(_ points: [XMLTree.Node]) throws(ItemProblem) -> [Coordinate] {
        try points.map { point throws(ItemProblem) in
            guard let lat = point.attributes["lat"].flatMap({ Double($0) }), let lon = point.attributes["lon"].flatMap({ Double($0) }) else {
                throw ItemProblem(field: point.name, "at line \(point.line) needs numeric lat and lon attributes")
            }
            return try checked(lon: lon, lat: lat, field: point.name, what: "line \(point.line)")
        }
    }

    private static func checked(lon: Double, lat: Double, field: String, what: String) throws(ItemProblem) -> Coordinate {
        guard lon.isFinite, lat.isFinite, (-180...180).contains(lon), (-90...90).contains(lat) else {
            throw ItemProblem(field: field, "\(what): (\(lon), \(lat)) is not a WGS84 longitude and latitude")
        }
        return Coordinate(lon, lat)
    }

    /// The shape `body` makes, or the problem it found.
    private static func attempt(_ body: () throws -> Shape) -> Result<Shape, ItemProblem> {
        do {
            return .success(try body())
        } catch let problem as ItemProblem {
            return .failure(problem)
        } catch {
            return .failure(ItemProblem("\(error)"))
        }
    }

    private static func nonBlank(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// Just enough of an XML tree for KML and GPX, built with Foundation's `XMLParser`; element
/// names without their namespace prefix.
enum XMLTree {
    final class Node {
        let name: String
        let attributes: [String: String]
        let line: Int
        var children: [Node] = []
        var text = ""

        init(name: String, attributes: [String: String], line: Int) {
            self.name = name
            self.attributes = attributes
            self.line = line
        }

        var trimmedText: String? {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }

        func child(_ name: String) -> Node? { children.first { $0.name == name } }
        func children(named name: String) -> [Node] { children.filter { $0.name == name } }
        func descendants(named name: String) -> [Node] {
            children.flatMap { $0.name == name ? [$0] : $0.descendants(named: name) }
        }
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [Node] = []
        var root: Node?
        weak var parser: XMLParser?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            let node = Node(name: local, attributes: attributes, line: parser.lineNumber)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
        }
    }

    static func parse(_ text: String, file: String) throws(InputError) -> Node {
        let parser = XMLParser(data: Data(text.utf8))
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "no root element"
            throw InputError(file: file, location: "line \(parser.lineNumber)", field: nil, reason: "is not well-formed XML: \(reason)")
        }
        // A file cut short can end without a parser error: every element must have been closed.
        if let open = builder.stack.last {
            throw InputError(file: file, location: "line \(parser.lineNumber)", field: open.name,
                             reason: "is not well-formed XML: the file ends inside <\(open.name)> opened at line \(open.line)")
        }
        return root
    }
}
