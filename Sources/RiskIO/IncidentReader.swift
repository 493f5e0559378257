import Foundation
import Geo
import RiskCore

/// Reads incidents from CSV (an ACLED export loads as it is) or from GeoJSON Point features.
///
/// Choices a careful analyst should know about:
/// - Empty `killed` / `injured` count as 0: an unknown number of casualties adds no severity,
///   so a sparse export ranks incidents by what is known rather than being rejected.
/// - A row without an id gets `<file stem>-row-<line>` (GeoJSON: `<file stem>-feature-<N>`),
///   stable as long as the file is, so it can be cited in reports.
/// - A later row repeating an earlier id is a bad row; the first one wins.
public struct IncidentReader: Sendable {
    /// The fields of an incident that a column can supply.
    public static let fields = ["id", "date", "lat", "lon", "killed", "injured", "category", "target", "description", "source"]

    /// Header names tried, in order, for a field the user did not map.
    public static let aliases: [String: [String]] = [
        "id": ["id", "event_id_cnty"],
        "date": ["date", "event_date"],
        "lat": ["lat", "latitude"],
        "lon": ["lon", "lng", "long", "longitude"],
        "killed": ["killed", "fatalities"],
        "injured": ["injured"],
        "category": ["category", "sub_event_type", "event_type"],
        // ACLED names the victim in `actor2` ("Civilians (China)") and flags attacks on civilians
        // in `civilian_targeting`; the first of these columns that is not empty on a row is used.
        "target": ["target", "actor2", "civilian_targeting"],
        "description": ["description", "notes"],
        "source": ["source"],
    ]

    static let required = ["date", "lat", "lon"]
    /// Fields read from the first of their alias columns that is not empty on the row (the
    /// others from the first alias column the file has).
    static let firstNonEmpty: Set = ["target"]

    /// Field -> header name, from `--column FIELD=HEADER`.
    public var columns: [String: String]
    public var dayFirst: Bool
    public var strict: Bool

    public init(columns: [String: String] = [:], dayFirst: Bool = false, strict: Bool = false) {
        self.columns = columns
        self.dayFirst = dayFirst
        self.strict = strict
    }

    /// Reads a `.csv` file as CSV and a `.geojson` / `.json` file as GeoJSON; any other name by its
    /// content (text starting with `{` is GeoJSON).
    public func read(contentsOf url: URL) throws -> ReadResult<Incident> {
        try read(.file(url))
    }

    /// Reads a file or in-memory source, choosing the format as `read(contentsOf:)` does.
    public func read(_ source: InputSource) throws -> ReadResult<Incident> {
        let text = try source.text()
        let (file, stem) = (source.name, source.stem)
        switch source.pathExtension {
        case "csv":
            return try readCSV(text, file: file, stem: stem)
        case "geojson", "json":
            return try readGeoJSON(text, file: file, stem: stem)
        default:
            if InputSource.looksLikeJSONObject(text) {
                return try readGeoJSON(text, file: file, stem: stem)
            }
            return try readCSV(text, file: file, stem: stem)
        }
    }

    // MARK: CSV

    public func readCSV(_ text: String, file: String, stem: String) throws -> ReadResult<Incident> {
        try checkMappedFields(file: file)
        var table: CSVTable?
        var columnIndex: [String: [Int]] = [:]
        var problems = Problems(strict: strict)
        var ids = IDRegistry()
        var incidents: [Incident] = []

        // Rows are read as the scan hands them over, not kept as a table: a file of a million
        // incidents holds its incidents, not also its text split into fields.
        // Width is checked here rather than with `rows(strict:)` so warnings come in file order.
        try CSVReader(file: file).scan(text) { row in
            guard let table else {
                let header = CSVTable(file: file, header: row.fields, headerLine: row.line, records: [])
                columnIndex = try resolveColumns(header)
                table = header
                return
            }
            let location = "line \(row.line)"
            do throws(ItemProblem) {
                guard row.fields.count == table.header.count else {
                    throw ItemProblem("has \(row.fields.count) fields, the header has \(table.header.count)")
                }
                var values: [String: String] = [:]
                for (field, indices) in columnIndex {
                    values[field] = indices.lazy.map { row.fields[$0] }
                        .first { !$0.trimmingBlanks().isEmpty } ?? row.fields[indices[0]]
                }
                let position = try coordinate(lat: values["lat"], lon: values["lon"])
                let incident = try makeIncident(values, at: position, defaultID: "\(stem)-row-\(row.line)")
                try ids.claim(incident.id, at: location)
                incidents.append(incident)
            } catch {
                try problems.reject(Diagnostic(file: file, location: location, field: error.field, reason: error.reason))
            }
        }
        guard table != nil else { throw InputError(file: file, reason: "no header line (the file is empty)") }
        return ReadResult(items: incidents, warnings: problems.warnings)
    }

    /// Field -> column indices, for the fields this table supplies: one, or for `firstNonEmpty`
    /// fields every alias column present, in alias order.
    private func resolveColumns(_ table: CSVTable) throws(InputError) -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for field in IncidentReader.fields {
            if let header = columns[field] {
                guard let index = table.column(named: header) else {
                    throw InputError(file: table.file, location: "line \(table.headerLine)", field: field,
                                     reason: "column \"\(header)\" is not in the header")
                }
                result[field] = [index]
            } else {
                let present = IncidentReader.aliases[field]!.compactMap { table.column(named: $0) }
                if !present.isEmpty { result[field] = IncidentReader.firstNonEmpty.contains(field) ? present : [present[0]] }
            }
        }
        for field in IncidentReader.required where result[field] == nil {
            throw InputError(file: table.file, location: "line \(table.headerLine)", field: field,
                             reason: missingColumnReason(field))
        }
        return result
    }

    private func missingColumnReason(_ field: String) -> String {
        let tried = IncidentReader.aliases[field]!.map { "\"\($0)\"" }.joined(separator: ", ")
        return "no column for this required field (looked for \(tried)); name one with --column \(field)=HEADER"
    }

    private func checkMappedFields(file: String) throws(InputError) {
        for field in columns.keys.sorted() where !IncidentReader.fields.contains(field) {
            throw InputError(file: file, field: field,
                             reason: "unknown field in a column mapping; the fields are \(IncidentReader.fields.joined(separator: ", "))")
        }
    }

    private func coordinate(lat: String?, lon: String?) throws(ItemProblem) -> Coordinate {
        let latitude = try number(lat, field: "lat")
        let longitude = try number(lon, field: "lon")
        try IncidentReader.checkRange(latitude: latitude, longitude: longitude)
        return Coordinate(longitude, latitude)
    }

    static func checkRange(latitude: Double, longitude: Double) throws(ItemProblem) {
        guard (-90...90).contains(latitude) else {
            throw ItemProblem(field: "lat", "\(FeatureFile.numberText(latitude)) is outside -90...90")
        }
        if let flaw = latitudeFlaw(latitude) { throw ItemProblem(field: "lat", flaw) }
        guard (-180...180).contains(longitude) else {
            throw ItemProblem(field: "lon", "\(FeatureFile.numberText(longitude)) is outside -180...180")
        }
    }

    /// A required finite number.
    private func number(_ text: String?, field: String) throws(ItemProblem) -> Double {
        let trimmed = (text ?? "").trimmingBlanks()
        guard !trimmed.isEmpty else { throw ItemProblem(field: field, "is empty") }
        guard let value = Double(trimmed) else { throw ItemProblem(field: field, "\"\(trimmed)\" is not a number") }
        guard value.isFinite else { throw ItemProblem(field: field, "\"\(trimmed)\" is not a finite number") }
        return value
    }

    /// Killed or injured: empty is 0 (unknown counts as none), otherwise a finite number >= 0.
    /// Reports often give a floor such as "40+"; it counts as its stated minimum.
    private func casualties(_ text: String?, field: String) throws(ItemProblem) -> Double {
        var trimmed = (text ?? "").trimmingBlanks()
        if trimmed.isEmpty { return 0 }
        if trimmed.hasSuffix("+") { trimmed.removeLast() }
        let value = try number(trimmed, field: field)
        guard value >= 0 else { throw ItemProblem(field: field, "\"\(trimmed)\" is negative") }
        if let flaw = Limits.flaw(value, Limits.casualties) { throw ItemProblem(field: field, flaw) }
        return value
    }

    /// The incident from its text fields (lat/lon already read into `position`).
    private func makeIncident(_ values: [String: String], at position: Coordinate, defaultID: String) throws(ItemProblem) -> Incident {
        let dateText = (values["date"] ?? "").trimmingBlanks()
        guard !dateText.isEmpty else { throw ItemProblem(field: "date", "is empty") }
        guard let time = DateParser(dayFirst: dayFirst).parse(dateText) else {
            throw ItemProblem(field: "date", "\"\(dateText)\" is not a date this reader understands")
        }
        let killed = try casualties(values["killed"], field: "killed")
        let injured = try casualties(values["injured"], field: "injured")
        func label(_ field: String) -> String? {
            let trimmed = (values[field] ?? "").trimmingBlanks()
            return trimmed.isEmpty ? nil : trimmed
        }
        return Incident(id: try checkedID(label("id") ?? defaultID), location: position, time: time, killed: killed, injured: injured,
                        category: label("category"), target: label("target"),
                        description: label("description"), source: label("source"))
    }

    // MARK: GeoJSON

    /// Point features whose properties use the field names (or the mapped / alias names);
    /// `id` may also be the feature's own `id`.
    public func readGeoJSON(_ text: String, file: String, stem: String) throws -> ReadResult<Incident> {
        try checkMappedFields(file: file)
        let features = try FeatureFile.features(in: text, file: file)
        try checkMappedProperties(features, file: file)
        var problems = Problems(strict: strict)
        var ids = IDRegistry()
        var incidents: [Incident] = []

        for feature in features {
            do throws(ItemProblem) {
                try FeatureFile.checkFeature(feature)
                guard let properties = feature.value["properties"], !properties.isNull else {
                    throw ItemProblem(field: "properties", "are missing")
                }
                let members = try feature.properties()
                let shape = try feature.shape()
                guard case .point(let point) = shape else {
                    throw ItemProblem(field: "geometry", "must be a Point, got \(shape.typeName)")
                }
                guard point.x.isFinite, point.y.isFinite else {
                    throw ItemProblem(field: "geometry", "the position is not finite")
                }
                try IncidentReader.checkRange(latitude: point.y, longitude: point.x)
                var values = try propertyTexts(members)
                if values["id"] == nil, let id = feature.topLevelID { values["id"] = id }
                let incident = try makeIncident(values, at: point, defaultID: "\(stem)-feature-\(feature.number)")
                try ids.claim(incident.id, at: feature.location)
                incidents.append(incident)
            } catch {
                try problems.reject(Diagnostic(file: file, location: feature.location, field: error.field, reason: error.reason))
            }
        }
        return ReadResult(items: incidents, warnings: problems.warnings)
    }

    /// A mapped property that no feature has is a typo in the mapping, not a bad feature.
    private func checkMappedProperties(_ features: [Feature], file: String) throws(InputError) {
        var present = Set<String>()
        for feature in features {
            for member in feature.value["properties"]?.objectMembers ?? [] { present.insert(CSVTable.normalise(member.key)) }
        }
        for (field, name) in columns.sorted(by: { $0.key < $1.key }) where !present.contains(CSVTable.normalise(name)) {
            throw InputError(file: file, field: field, reason: "property \"\(name)\" is in no feature")
        }
    }

    /// Field -> text of the properties, found like CSV columns (mapping, then aliases; any case).
    private func propertyTexts(_ members: [JSONValue.Member]) throws(ItemProblem) -> [String: String] {
        var values: [String: String] = [:]
        for field in IncidentReader.fields where field != "lat" && field != "lon" {
            let names = columns[field].map { [$0] } ?? IncidentReader.aliases[field]!
            let wanted = names.map(CSVTable.normalise)
            let present = wanted.compactMap { name in members.first { CSVTable.normalise($0.key) == name } }
            let usable = IncidentReader.firstNonEmpty.contains(field)
                ? present.first { member in
                    if case .string(let text) = member.value { return !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
                    return !member.value.isNull
                }
                : present.first
            guard let member = usable ?? present.first else { continue }
            switch member.value {
            case .null: continue
            case .string(let text): values[field] = text
            case .number(let n): values[field] = field == "id" ? FeatureFile.numberText(n) : "\(n)"
            default: throw ItemProblem(field: field, "must be a string or a number, got \(member.value.kindName)")
            }
        }
        return values
    }
}

/// Ids seen so far in one file, to report a repeat with where the first one was.
struct IDRegistry {
    private var firstSeen: [String: String] = [:]

    mutating func claim(_ id: String, at location: String) throws(ItemProblem) {
        if let earlier = firstSeen[id] {
            throw ItemProblem(field: "id", "duplicate id \"\(id)\" (first at \(earlier))")
        }
        firstSeen[id] = location
    }
}
