import Foundation
import Geo

/// The incidents and zones of one scoring job, prepared once and shared read-only by every
/// worker: incidents projected into the working CRS with their time-independent weights, and
/// spatial indexes over both. A plain `Sendable` value with no C handles in it.
public struct ScoringData: Sendable {
    public let model: Model
    public let crs: WorkingCRS
    public let incidents: [Incident]
    public let zones: [Zone]

    /// Position in the working CRS (km), weight `w = S C G`, and time in seconds since 1970.
    struct IndexedIncident: Sendable {
        var position: Coordinate
        var weight: Double
        var time: Double
    }

    let indexed: [IndexedIncident]
    /// Incident positions in the working CRS.
    let incidentIndex: EnvelopeIndex<Int>
    /// Zone envelopes in longitude/latitude.
    let zoneIndex: EnvelopeIndex<Int>

    /// `extent` chooses the working CRS; by default it is fitted to the incidents and zones
    /// (Pakistan's extent when there are none).
    public init(incidents: [Incident], zones: [Zone], model: Model, extent: Envelope? = nil) throws {
        self.model = model
        self.incidents = incidents
        self.zones = zones
        let dataExtent = extent
            ?? Envelope(covering: incidents.map(\.location) + zones.flatMap { $0.shape.envelope.map { [Coordinate($0.minX, $0.minY), Coordinate($0.maxX, $0.maxY)] } ?? [] })
            ?? WorkingCRS.pakistanExtent
        crs = try WorkingCRS(fitting: dataExtent)
        let projected = try crs.transformer().transformed(incidents.map(\.location))
        indexed = zip(incidents, projected).map { incident, position in
            IndexedIncident(position: position, weight: model.weight(incident), time: incident.time.timeIntervalSince1970)
        }
        incidentIndex = EnvelopeIndex(indexed.enumerated().map { index, incident in
            (Envelope(minX: incident.position.x, minY: incident.position.y, maxX: incident.position.x, maxY: incident.position.y), index)
        })
        zoneIndex = EnvelopeIndex(zones.enumerated().compactMap { index, zone in
            zone.shape.envelope.map { ($0, index) }
        })
    }

    /// `w D(T)` for an incident at evaluation time `time` (seconds since 1970), or nil when the
    /// incident does not count then.
    func amplitude(_ index: Int, at time: Double) -> Double? {
        let incident = indexed[index]
        return model.decay(ageDays: (time - incident.time) / 86_400).map { incident.weight * $0 }
    }
}
