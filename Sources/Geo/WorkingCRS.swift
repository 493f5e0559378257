import Foundation

/// A metric CRS fitted to a data extent: Lambert conformal conic on WGS84, in kilometres, centred
/// on the extent. A conic's scale error grows as (phi - phi1)(phi - phi2) / 2, so standard
/// parallels at the middle latitude plus and minus half-span / sqrt(2) make the error at the
/// centre and at the edges equal (about a quarter of the half-span squared, in radians): 0.35 %
/// over Pakistan's 13.5 degrees, which the tests measure against geodesics.
public struct WorkingCRS: Sendable, Equatable {
    public let extent: Envelope
    /// The CRS as a PROJ string (`+type=crs`), for anything that takes a CRS.
    public let definition: String
    /// The projection alone, for the pipeline from degrees.
    private let projection: String

    public init(fitting extent: Envelope) throws {
        try Coordinate(extent.minX, extent.minY).validateGeographic()
        try Coordinate(extent.maxX, extent.maxY).validateGeographic()
        guard extent.width >= 0, extent.height >= 0 else {
            throw GeoError.invalidGeometry("the extent's minimum exceeds its maximum")
        }
        self.extent = extent
        let span = max(extent.height, 0.5)
        let middle = (extent.minY + extent.maxY) / 2
        let offset = span / 2 / 2.0.squareRoot()
        let parallel1 = middle - offset
        let parallel2 = middle + offset
        func f(_ v: Double) -> String { String(format: "%.6f", v) }
        if abs(middle) < 0.01 {
            // Parallels symmetric about the equator flatten the cone into a cylinder: PROJ refuses
            // such a conic ("Invalid value"), and its limit is Mercator true to scale at the same
            // parallels, with the same balance of scale errors.
            projection = "+proj=merc +lat_ts=\(f(offset)) +lon_0=\(f(extent.center.x)) +x_0=0 +y_0=0 +ellps=WGS84 +units=km"
        } else {
            projection = "+proj=lcc +lat_1=\(f(parallel1)) +lat_2=\(f(parallel2)) +lat_0=\(f(middle)) "
                + "+lon_0=\(f(extent.center.x)) +x_0=0 +y_0=0 +ellps=WGS84 +units=km"
        }
        definition = projection + " +no_defs +type=crs"
    }

    /// Pakistan with a margin: 60.8E to 77.9E, 23.6N to 37.1N.
    public static var pakistanExtent: Envelope { Envelope(minX: 60.8, minY: 23.6, maxX: 77.9, maxY: 37.1) }

    /// A transformer from WGS84 longitude/latitude (degrees) into this CRS (inverse: back). Built
    /// as a pipeline, since both share the WGS84 ellipsoid and no datum shift is involved: every
    /// scorer makes one, and a CRS-to-CRS search of PROJ's database costs milliseconds each time.
    public func transformer() throws -> Transformer {
        try Transformer(pipeline: "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step " + projection,
                        source: "EPSG:4326", target: definition)
    }
}
