import Foundation

/// Where one input comes from: a file, or bytes or text already in memory (an HTTP request's
/// body, say), with the name that diagnostics use for it.
///
/// Readers pick a format by the name's extension, as they do for a file, and fall back on the
/// content when the extension says nothing; so an in-memory source named `routes.geojson` reads
/// exactly like the file of that name.
public struct InputSource: Sendable, Equatable {
    enum Content: Sendable, Equatable {
        case file(URL)
        case data(Data)
        case text(String)
    }

    /// The name in diagnostics: a file's path as the user gave it, or the caller's label.
    public let name: String
    let content: Content

    /// A file; its name is its path as given, so relative paths stay short in messages.
    public static func file(_ url: URL) -> InputSource {
        InputSource(name: InputFile.name(url), content: .file(url))
    }

    /// Bytes in memory, decoded like a file's (UTF-8, else Windows-1252).
    public static func data(_ data: Data, name: String) -> InputSource {
        InputSource(name: name, content: .data(data))
    }

    /// Text in memory.
    public static func text(_ text: String, name: String) -> InputSource {
        InputSource(name: name, content: .text(text))
    }

    /// The content as text; an unreadable file is an InputError with the system's reason.
    public func text() throws(InputError) -> String {
        switch content {
        case .file(let url): try InputFile.text(url)
        case .data(let data): TextDecoding.decode(data)
        case .text(let text): text
        }
    }

    /// The content's bytes (text in memory as UTF-8); an unreadable file is an InputError.
    func data() throws(InputError) -> Data {
        switch content {
        case .file(let url): try InputFile.data(url)
        case .data(let data): data
        case .text(let text): Data(text.utf8)
        }
    }

    /// The lower-cased extension of the file, or of the name for content in memory ("" if none).
    var pathExtension: String {
        switch content {
        case .file(let url): url.pathExtension.lowercased()
        case .data, .text: (name as NSString).pathExtension.lowercased()
        }
    }

    /// The name without its folder and last extension, for ids generated from it.
    var stem: String {
        switch content {
        case .file(let url): InputFile.stem(url)
        case .data, .text: ((name as NSString).lastPathComponent as NSString).deletingPathExtension
        }
    }

    /// True when the text, past leading white space, opens a JSON object: the test for a
    /// GeoJSON source whose name says nothing.
    static func looksLikeJSONObject(_ text: String) -> Bool {
        text.drop(while: { $0.isWhitespace }).first == "{"
    }
}
