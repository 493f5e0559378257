import ArgumentParser
import Foundation
import Geo

/// Prints the geodesic length or area of a WKT or GeoJSON geometry: the geometry stack end to end.
struct Measure: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the geodesic length (lines) or area (polygons) of a WGS84 geometry."
    )

    @Argument(help: "WKT or a GeoJSON geometry object, inline or a path to a file holding one.")
    var geometry: String

    func run() throws {
        let text = FileManager.default.fileExists(atPath: geometry)
            ? try String(contentsOfFile: geometry, encoding: .utf8) : geometry
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let context = try GeometryContext()
        let parsed = trimmed.hasPrefix("{")
            ? try Geometry(geoJSON: trimmed, in: context) : try Geometry(wkt: trimmed, in: context)
        let shape = try parsed.shape()
        try shape.validateGeographic()
        let geodesic = Geodesic.wgs84
        switch shape {
        case .lineString, .multiLineString:
            print(String(format: "%@ geodesic length: %.3f km", shape.typeName, try geodesic.lengthKm(of: shape)))
        case .polygon, .multiPolygon:
            print(String(format: "%@ geodesic area: %.3f km²", shape.typeName, try geodesic.areaKm2(of: shape)))
        default:
            throw CommandFailure(.badInput, "\(shape.typeName) has no length or area; give a line or a polygon")
        }
    }
}
