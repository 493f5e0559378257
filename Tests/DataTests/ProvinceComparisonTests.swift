import Foundation
import Geo
import Testing

/// The package's root folder, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
/// Third-party data, read in place when the checkout has it beside it.
let sharedData = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

func features(_ url: URL) throws -> [JSONValue] {
    try #require(try JSONValue.parse(Data(contentsOf: url))["features"]?.arrayValue)
}

/// Compares the hand-drawn provinces with the OpenStreetMap provinces in ../shared/data/admin:
/// a measurement of how good the generalisation is (nothing is derived from the reference).
@Suite struct ProvinceComparisonTests {
    static let reference = sharedData.appendingPathComponent("admin/pak_provinces_osm_2023.geojson")
    static var referenceExists: Bool { FileManager.default.fileExists(atPath: reference.path) }

    // Without the reference the test is skipped through its trait, so the run reports it as
    // skipped with this reason and `make test` counts it; a printed note and an early return
    // would count as a pass.
    @Test(.enabled(if: referenceExists, "skipped: ../shared/data/admin/pak_provinces_osm_2023.geojson is not present next to the package"))
    func provincesOverlapTheRealOnes() throws {
        let context = try GeometryContext()
        let geodesic = Geodesic.wgs84
        let names = ["PK-PB": "Punjab", "PK-SD": "Sindh", "PK-KP": "Khyber Pakhtunkhwa", "PK-BA": "Balochistan",
                     "PK-IS": "Islamabad Capital Territory", "PK-GB": "Gilgit-Baltistan", "PK-JK": "Azad Jammu & Kashmir"]
        var real: [String: Geometry] = [:]
        for feature in try features(Self.reference) {
            let name = try #require(feature["properties"]?["name"]?.stringValue)
            real[name] = try Geometry(GeoJSON.geometry(try #require(feature["geometry"]), path: name), in: context).makeValid()
        }
        let ours = try features(packageRoot.appendingPathComponent("data/zones/provinces.geojson"))
        #expect(ours.count == 7)
        for feature in ours {
            let id = try #require(feature["properties"]?["id"]?.stringValue)
            let drawn = try Geometry(GeoJSON.geometry(try #require(feature["geometry"]), path: id), in: context)
            let reason = try drawn.validityReason()
            #expect(try drawn.isValid(), "\(id) is not valid: \(reason)")
            let name = try #require(names[id])
            let reference = try #require(real[name])
            let drawnArea = try geodesic.areaKm2(of: drawn.shape())
            let referenceArea = try geodesic.areaKm2(of: reference.shape())
            let overlap = try geodesic.areaKm2(of: drawn.intersection(reference).shape())
            let iou = overlap / (drawnArea + referenceArea - overlap)
            print(String(format: "province %@: area %.0f km² vs %.0f km² (ratio %.3f), IoU %.3f", id, drawnArea, referenceArea,
                         drawnArea / referenceArea, iou))
            if ["PK-PB", "PK-SD", "PK-KP", "PK-BA"].contains(id) {
                #expect(iou >= 0.75, "\(id) IoU \(iou)")
            }
        }
    }

    @Test func provincesTileWithoutOverlaps() throws {
        let context = try GeometryContext()
        let shapes = try features(packageRoot.appendingPathComponent("data/zones/provinces.geojson")).map { feature in
            try Geometry(GeoJSON.geometry(try #require(feature["geometry"]), path: "feature"), in: context)
        }
        for i in shapes.indices {
            for j in shapes.indices where j > i {
                #expect(try shapes[i].intersection(shapes[j]).area() < 1e-9, "provinces \(i) and \(j) overlap")
            }
        }
    }
}
