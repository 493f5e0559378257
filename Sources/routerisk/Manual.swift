import ArgumentParser
import Foundation

/// Writes a man page per command (`routerisk.1`, `routerisk-score.1`, `routerisk-store-init.1`,
/// ...) from the same help text `--help` prints, for `make install`. Hidden from `--help`.
struct Manual: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manual", abstract: "Write the man pages into a folder.", shouldDisplay: false)

    @Option(help: "Folder to write the pages into.") var out: String

    func run() throws {
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, command) in Self.commands(RouteRisk.self, path: ["routerisk"]) {
            let page = Self.page(name: name, abstract: command.configuration.abstract,
                                 help: RouteRisk.helpMessage(for: command, columns: 80))
            try Data(page.utf8).write(to: folder.appendingPathComponent("\(name).1"))
            print(folder.appendingPathComponent("\(name).1").path)
        }
    }

    /// Every displayed command under `command`, named by its path joined with dashes.
    static func commands(_ command: ParsableCommand.Type, path: [String]) -> [(String, ParsableCommand.Type)] {
        var found = [(path.joined(separator: "-"), command)]
        for sub in command.configuration.subcommands where sub.configuration.shouldDisplay {
            let name = sub.configuration.commandName ?? sub._commandName
            found += commands(sub, path: path + [name])
        }
        return found
    }

    /// A man(7) page holding the help text verbatim (no-fill), escaped for roff.
    static func page(name: String, abstract: String, help: String) -> String {
        let escaped = help.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let text = line.replacingOccurrences(of: "\\", with: "\\e")
            // A line starting with a dot or a quote would be read as a request.
            return text.hasPrefix(".") || text.hasPrefix("'") ? "\\&" + text : text
        }
        return """
            .TH \(name.uppercased()) 1 "" "routerisk \(RouteRisk.version)" "User Commands"
            .SH NAME
            \(name.replacingOccurrences(of: "-", with: "\\-")) \\- \(abstract)
            .SH DESCRIPTION
            .nf
            \(escaped.joined(separator: "\n"))
            .fi

            """
    }
}
