import Foundation
import Testing
import Geo

@Suite struct WKBTests {
    /// Hex of the bytes, for comparing with layouts written out by hand.
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined() }

    func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    @Test func pointAndLineMatchTheLayoutOfTheStandard() throws {
        // NDR flag, type 1, then x = 1.0 (3FF0...) and y = 2.0 (4000...), each little-endian.
        let point = "01" + "01000000" + "000000000000F03F" + "0000000000000040"
        #expect(hex(Shape.point(Coordinate(1, 2)).wkb) == point)
        // A line: type 2, two points.
        let line = "01" + "02000000" + "02000000" + "0000000000000000" + "0000000000000000" + "000000000000F03F" + "000000000000F0BF"
        #expect(hex(Shape.lineString([Coordinate(0, 0), Coordinate(1, -1)]).wkb) == line)
        #expect(try Shape(wkb: bytes(line)) == .lineString([Coordinate(0, 0), Coordinate(1, -1)]))
    }

    @Test func bigEndianInputReads() throws {
        // XDR flag 0: the same line with every word and double big-endian.
        let line = "00" + "00000002" + "00000002" + "3FF0000000000000" + "4000000000000000" + "C008000000000000" + "4010000000000000"
        #expect(try Shape(wkb: bytes(line)) == .lineString([Coordinate(1, 2), Coordinate(-3, 4)]))
    }

    @Test func everyTypeRoundTripsExactlyAndAgreesWithGEOS() throws {
        let context = try GeometryContext()
        // Coordinates whose decimal forms are long, so any loss of bits would show.
        let a = Coordinate(67.00110000000001, 24.860700000000003), b = Coordinate(62.3254, 25.1216), c = Coordinate(0.1 + 0.2, -1e-300)
        let ring = [Coordinate(0, 0), Coordinate(4, 0), Coordinate(4, 4), Coordinate(0, 0)]
        let hole = [Coordinate(1, 1), Coordinate(2, 1), Coordinate(2, 2), Coordinate(1, 1)]
        let shapes: [Shape] = [
            .point(a), .lineString([a, b, c]), .polygon([ring, hole]), .multiPoint([a, b]),
            .multiLineString([[a, b], [b, c]]), .multiPolygon([[ring], [ring, hole]]),
            .geometryCollection([.point(a), .lineString([b, c])]),
        ]
        for shape in shapes {
            #expect(try Shape(wkb: shape.wkb) == shape, "\(shape.typeName)")
            // GEOS writes and reads the same bytes independently of this codec.
            #expect(try Geometry(shape, in: context).wkb() == shape.wkb, "\(shape.typeName)")
            #expect(try Geometry(wkb: shape.wkb, in: context).shape() == shape, "\(shape.typeName)")
        }
    }

    @Test func corruptInputIsRefusedWithTheReason() {
        let line = Shape.lineString([Coordinate(0, 0), Coordinate(1, 1)]).wkb
        #expect(throws: GeoError.self) { try Shape(wkb: Array(line.dropLast())) }
        #expect(throws: GeoError.self) { try Shape(wkb: line + [0]) }
        // Type 1002 is a LineString Z: refused rather than misread.
        #expect(throws: GeoError.self) { try Shape(wkb: bytes("01" + "EA030000" + "00000000")) }
        // A point count far beyond the bytes present.
        #expect(throws: GeoError.self) { try Shape(wkb: bytes("01" + "02000000" + "FFFFFF7F")) }
        // A collection member of the wrong type.
        let wrong = bytes("01" + "05000000" + "01000000") + Shape.point(Coordinate(1, 2)).wkb
        #expect(throws: GeoError.self) { try Shape(wkb: wrong) }
    }
}
