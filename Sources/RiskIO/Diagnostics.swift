import Foundation
import Geo
import RiskCore

/// One problem found in an input file, precise enough for a person to find and fix it.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it (relative paths stay relative, so messages match the command line).
    public var file: String
    /// Where in the file: `line 14`, `feature 3`, or a key path such as `severity.killed`.
    public var location: String
    public var field: String?
    public var reason: String

    public init(file: String, location: String, field: String? = nil, reason: String) {
        self.file = file
        self.location = location
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var parts = [file]
        if !location.isEmpty { parts.append(location) }
        if let field { parts.append("field \"\(field)\"") }
        parts.append(reason)
        return parts.joined(separator: ": ")
    }
}

/// What a lenient read produced: the good items, and one warning per item it skipped or repaired.
public struct ReadResult<T: Sendable>: Sendable {
    public var items: [T]
    public var warnings: [Diagnostic]

    public init(items: [T] = [], warnings: [Diagnostic] = []) {
        self.items = items
        self.warnings = warnings
    }
}

/// A problem that stops the read: the file is unusable, or (in strict mode) one item is bad.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Never empty.
    public var diagnostics: [Diagnostic]

    public init(_ diagnostic: Diagnostic) {
        diagnostics = [diagnostic]
    }

    public init(diagnostics: [Diagnostic]) {
        precondition(!diagnostics.isEmpty, "an InputError needs at least one diagnostic")
        self.diagnostics = diagnostics
    }

    public init(file: String, location: String = "", field: String? = nil, reason: String) {
        self.init(Diagnostic(file: file, location: location, field: field, reason: reason))
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

/// Collects the bad rows or features of one read: in strict mode the first one ends the read.
struct Problems {
    let strict: Bool
    private(set) var warnings: [Diagnostic] = []

    init(strict: Bool) {
        self.strict = strict
    }

    /// An item that is skipped (lenient) or fatal (strict).
    mutating func reject(_ diagnostic: Diagnostic) throws(InputError) {
        if strict { throw InputError(diagnostic) }
        warnings.append(diagnostic)
    }

    /// Something that was fixed up and kept; never fatal, but the user should know.
    mutating func note(_ diagnostic: Diagnostic) {
        warnings.append(diagnostic)
    }
}

/// A bad row or feature found while reading one item; converted to a `Diagnostic` by the reader,
/// which knows the file and location.
struct ItemProblem: Error {
    var field: String?
    var reason: String

    init(field: String? = nil, _ reason: String) {
        self.field = field
        self.reason = reason
    }
}

// MARK: - Files and text

enum InputFile {
    /// The name used in diagnostics: the path as given, so relative paths stay short.
    static func name(_ url: URL) -> String {
        url.isFileURL ? url.relativePath : url.absoluteString
    }

    /// The file's bytes, or an InputError with the operating system's reason.
    static func data(_ url: URL) throws(InputError) -> Data {
        let file = name(url)
        var isDirectory: ObjCBool = false
        if url.isFileURL, FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw InputError(file: file, reason: "cannot read: is a directory")
        }
        do {
            if url.isFileURL, isStream(url.path) {
                // Foundation's Data(contentsOf:) refuses anything but a regular file (a pipe,
                // /dev/stdin, a shell's <(...)) with "Permission denied": read those to their end.
                let handle = try FileHandle(forReadingFrom: url)
                defer { try? handle.close() }
                return try handle.readToEnd() ?? Data()
            }
            return try Data(contentsOf: url)
        } catch {
            throw InputError(file: file, reason: "cannot read: \(osReason(error))")
        }
    }

    /// True for a pipe, socket or character device (links followed), which has no size to read by.
    private static func isStream(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let type = info.st_mode & mode_t(S_IFMT)
        return type == mode_t(S_IFIFO) || type == mode_t(S_IFCHR) || type == mode_t(S_IFSOCK)
    }

    /// The file decoded as text (see `TextDecoding`).
    static func text(_ url: URL) throws(InputError) -> String {
        TextDecoding.decode(try data(url))
    }

    /// Prefers the POSIX message ("No such file or directory") over Foundation's longer prose.
    private static func osReason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? any Error {
            let posix = underlying as NSError
            if posix.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(posix.code))) }
        }
        if nsError.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(nsError.code)))
        }
        return nsError.localizedDescription
    }

    /// The file name without its directory and last extension, for generated ids.
    static func stem(_ url: URL) -> String {
        url.deletingPathExtension().lastPathComponent
    }
}

public enum TextDecoding {
    /// UTF-8 when the bytes are valid UTF-8 (leading BOMs dropped: a file saved twice by a
    /// careless editor has two, and the second would hide the first column's name); otherwise each byte is read as
    /// Windows-1252, which is Latin-1 except that 0x80-0x9F hold the punctuation that
    /// spreadsheet exports really mean there (0x92 is a right single quote, not a control code).
    public static func decode(_ data: Data) -> String {
        var bytes = [UInt8](data)
        while bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for byte in bytes {
            let value: UInt32
            if (0x80...0x9F).contains(byte), let mapped = windows1252[Int(byte - 0x80)] {
                value = mapped
            } else {
                value = UInt32(byte)
            }
            // Every value here is a valid scalar (below 0xD800 or a defined punctuation mark).
            scalars.append(Unicode.Scalar(value)!)
        }
        return String(scalars)
    }

    /// 0x80...0x9F in Windows-1252; nil where it defines nothing (the Latin-1 C1 control is kept).
    private static let windows1252: [UInt32?] = [
        0x20AC, nil, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, nil, 0x017D, nil,
        nil, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, nil, 0x017E, 0x0178,
    ]
}

/// An id as every reader keeps it: in NFC (`Identifier`'s rule), or an `ItemProblem` naming
/// `field` when it holds a character no id may hold.
func checkedID(_ raw: String, field: String = "id") throws(ItemProblem) -> String {
    if let flaw = Identifier.flaw(raw) { throw ItemProblem(field: field, flaw) }
    return Identifier.normalized(raw)
}

/// Why an incident or zone at `latitude` cannot be scored, or nil (see `Limits.latitude`).
func latitudeFlaw(_ latitude: Double) -> String? {
    guard !Limits.latitude.contains(latitude) else { return nil }
    return "\(FeatureFile.numberText(latitude)) is beyond \(FeatureFile.numberText(Limits.latitude.upperBound)) degrees north or south, "
        + "where RouteRisk's working projection cannot measure distances (it cannot hold the poles)"
}

/// A zone or route of more vertices than `Limits.vertices` is refused: the work on it (GEOS
/// validity, cutting, scoring) would be unbounded.
func checkVertexCount(_ shape: Shape) throws(ItemProblem) {
    let count = shape.coordinates.count
    guard count <= Limits.vertices else {
        throw ItemProblem(field: "geometry", "has \(count) vertices, more than the limit of \(Limits.vertices)")
    }
}
