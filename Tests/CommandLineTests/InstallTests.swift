import Foundation
import Testing

/// `make install` into a temporary prefix, then the installed `routerisk` run from other folders
/// through `PATH`, as a planner's script or cron would. The install takes the debug build the
/// tests run (`BIN_DIR`), so no release build and no network are needed.
@Suite(.serialized) struct InstallTests {
    static let asOf = "2025-06-01T00:00:00Z"
    static let make = URL(fileURLWithPath: "/usr/bin/make")
    static let shell = URL(fileURLWithPath: "/bin/sh")

    /// Every file under `folder`, relative, sorted.
    static func files(under folder: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var found: [String] = []
        while let path = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory),
               !isDirectory.boolValue {
                found.append(path)
            }
        }
        return found.sorted()
    }

    /// `command` run by the shell in `folder` with `bin` first on `PATH`.
    static func shell(_ command: String, in folder: URL, path bin: URL) throws -> CommandRun {
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return try RouteRiskCommand.run(["-c", command], in: folder, environment: ["PATH": path, "ROUTERISK_HOME": ""], program: shell)
    }

    @Test func installRunThroughPathAndUninstall() throws {
        let scratch = try Scratch()
        let prefix = scratch.url.appendingPathComponent("prefix")
        // Something already in the prefix that the uninstall must leave alone.
        try scratch.write("prefix/share/man/man1/other.1", ".TH OTHER 1\n")
        let binDir = RouteRiskCommand.executable.deletingLastPathComponent().path
        let installed = try RouteRiskCommand.run(["install", "PREFIX=\(prefix.path)", "BIN_DIR=\(binDir)"],
                                                 in: RouteRiskCommand.packageRoot, timeout: 300, program: Self.make)
        #expect(installed.status == 0, "\(installed.stdout) \(installed.stderr)")

        let files = Self.files(under: prefix)
        let bundled = Self.files(under: RouteRiskCommand.packageRoot.appendingPathComponent("data")).map { "share/routerisk/data/" + $0 }
            + Self.files(under: RouteRiskCommand.packageRoot.appendingPathComponent("seeds")).map { "share/routerisk/seeds/" + $0 }
        let expected = ["bin/routerisk", "share/bash-completion/completions/routerisk", "share/fish/vendor_completions.d/routerisk.fish",
                        "share/man/man1/routerisk.1", "share/man/man1/routerisk-score.1", "share/man/man1/routerisk-batch.1",
                        "share/man/man1/routerisk-store-init.1", "share/man/man1/routerisk-store-scores.1",
                        "share/zsh/site-functions/_routerisk", "share/routerisk/install-manifest"] + bundled
        for file in expected { #expect(files.contains(file), "installed \(file)") }
        let page = try String(contentsOf: prefix.appendingPathComponent("share/man/man1/routerisk-score.1"), encoding: .utf8)
        #expect(page.hasPrefix(".TH ROUTERISK-SCORE 1") && page.contains("--rank-by"))
        let bash = try String(contentsOf: prefix.appendingPathComponent("share/bash-completion/completions/routerisk"), encoding: .utf8)
        #expect(bash.contains("complete") && bash.contains("score"))

        // From an unrelated folder holding a stray data/model.json, through PATH: the bundled
        // data is the installed copy, and the output is the checkout build's, byte for byte.
        let elsewhere = scratch.url.appendingPathComponent("elsewhere")
        try scratch.write("elsewhere/data/model.json", "{ not the model")
        let bin = prefix.appendingPathComponent("bin")
        let viaPath = try Self.shell("routerisk score --as-of \(Self.asOf) --format json", in: elsewhere, path: bin)
        #expect(viaPath.status == 0, "\(viaPath.stderr)")
        let reference = try RouteRiskCommand.run(["score", "--as-of", Self.asOf, "--format", "json"], in: scratch.url)
        #expect(reference.status == 0 && viaPath.stdout == reference.stdout)
        #expect(try Self.shell("command -v routerisk", in: elsewhere, path: bin).stdout == bin.appendingPathComponent("routerisk").path + "\n")
        let version = try Self.shell("routerisk --version", in: elsewhere, path: bin)
        #expect(version.status == 0 && !version.stdout.isEmpty)

        // Through a symbolic link elsewhere on PATH: the link is resolved to find the data.
        let links = scratch.url.appendingPathComponent("links")
        try FileManager.default.createDirectory(at: links, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: links.appendingPathComponent("routerisk"), withDestinationURL: bin.appendingPathComponent("routerisk"))
        let viaLink = try Self.shell("routerisk score --as-of \(Self.asOf) --format json", in: elsewhere, path: links)
        #expect(viaLink.status == 0 && viaLink.stdout == reference.stdout, "\(viaLink.stderr)")

        // A store made by the installed binary holds the bundled data.
        let initialised = try Self.shell("routerisk store init --store ops.sqlite && routerisk store status --store ops.sqlite",
                                         in: elsewhere, path: bin)
        #expect(initialised.status == 0 && initialised.stdout.contains("routes 21"), "\(initialised.stdout) \(initialised.stderr)")

        // The binary alone, with no bundled data anywhere near it: every input on the command
        // line needs none; a run that needs the bundled data says where it looked.
        let lone = scratch.url.appendingPathComponent("lone/bin")
        try FileManager.default.createDirectory(at: lone, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: bin.appendingPathComponent("routerisk"), to: lone.appendingPathComponent("routerisk"))
        let root = RouteRiskCommand.packageRoot.path
        let given = "routerisk score \(root)/data/routes/karachi-gwadar.geojson --zones \(root)/data/zones/provinces.geojson "
            + "--incidents \(root)/seeds/incidents.csv --model \(root)/data/model.json --as-of \(Self.asOf) --format csv"
        let alone = try Self.shell(given, in: elsewhere, path: lone)
        #expect(alone.status == 0 && csvRecordCount(alone.stdout) == 2, "\(alone.stdout) \(alone.stderr)")
        let needsData = try Self.shell("routerisk score --as-of \(Self.asOf)", in: elsewhere, path: lone)
        #expect(needsData.status == 1 && needsData.stderr.contains("cannot find the bundled data")
                && needsData.stderr.contains("ROUTERISK_HOME"), "\(needsData.stderr)")
        // The current folder is never searched, not even a checkout holding every bundled file.
        let fromCheckout = try Self.shell("routerisk score --as-of \(Self.asOf)", in: RouteRiskCommand.packageRoot, path: lone)
        #expect(fromCheckout.status == 1 && fromCheckout.stderr.contains("cannot find the bundled data"), "\(fromCheckout.stderr)")
        // ROUTERISK_HOME points it at a checkout.
        let home = try RouteRiskCommand.run(["-c", "routerisk score --as-of \(Self.asOf) --format json"], in: elsewhere,
                                            environment: ["PATH": lone.path + ":/usr/bin:/bin", "ROUTERISK_HOME": root], program: Self.shell)
        #expect(home.status == 0 && home.stdout == reference.stdout, "\(home.stderr)")

        // Uninstall removes exactly what the install made, and leaves what was there before.
        let removed = try RouteRiskCommand.run(["uninstall", "PREFIX=\(prefix.path)"], in: RouteRiskCommand.packageRoot, program: Self.make)
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(Self.files(under: prefix) == ["share/man/man1/other.1"])
        let folders = try FileManager.default.contentsOfDirectory(atPath: prefix.path)
        #expect(folders == ["share"], "only the folders that were there before remain: \(folders)")
    }

    /// `store init` never touches an existing store; a failed init leaves no file.
    @Test func storeInitNeverResetsAStoreAndAFailedInitLeavesNoFile() throws {
        let scratch = try Scratch()
        let store = ["--store", "ops.sqlite"]
        #expect(try scratch.routerisk(["store", "init"] + store).status == 0)
        let scheduled = try #require(StoreCommandTests.counts(try scratch.routerisk(["store", "status"] + store))["scheduled"])
        // Stand one bundled movement down, then init again.
        let firstMovement = try String(contentsOf: RouteRiskCommand.packageRoot.appendingPathComponent("data/movements.csv"), encoding: .utf8)
            .split(separator: "\n")[1].split(separator: ",").map(String.init)
        try scratch.write("cancel.csv", "id,route_id,departs_at,status,labels\n\(firstMovement[0]),\(firstMovement[1]),\(firstMovement[2]),cancelled,\n")
        #expect(try scratch.routerisk(["store", "import", "movements", "cancel.csv"] + store).status == 0)
        let before = try scratch.routerisk(["store", "status"] + store)
        let bytes = try scratch.read("ops.sqlite")
        let again = try scratch.routerisk(["store", "init"] + store)
        #expect(again.status == 2 && again.stderr.hasPrefix("routerisk: error: ") && again.stderr.contains("already exists"),
                "\(again.stderr)")
        #expect(!again.stdout.contains("created"))
        #expect(try scratch.read("ops.sqlite") == bytes, "the store file is untouched")
        let after = try scratch.routerisk(["store", "status"] + store)
        #expect(after.stdout == before.stdout && StoreCommandTests.counts(after)["scheduled"] == scheduled - 1, "\(after.stdout)")
        #expect(try scratch.routerisk(["store", "init", "--empty"] + store).status == 2)

        // A folder that cannot hold it: no file.
        #expect(try scratch.routerisk(["store", "init", "--store", "missing/ops.sqlite"]).status == 4)
        #expect(!FileManager.default.fileExists(atPath: scratch.path("missing")))

        // A bundled model that cannot be read fails the init after the store was created: the
        // file and its companions are removed. (A copy of the binary beside a broken bundle.)
        let prefix = scratch.url.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: RouteRiskCommand.executable, to: prefix.appendingPathComponent("bin/routerisk"))
        let share = prefix.appendingPathComponent("share/routerisk")
        try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
        for folder in ["data", "seeds"] {
            try FileManager.default.copyItem(at: RouteRiskCommand.packageRoot.appendingPathComponent(folder), to: share.appendingPathComponent(folder))
        }
        try Data("{ \"sigma_km\": ".utf8).write(to: share.appendingPathComponent("data/model.json"))
        let failed = try RouteRiskCommand.run(["store", "init", "--store", "failed.sqlite"], in: scratch.url,
                                              program: prefix.appendingPathComponent("bin/routerisk"))
        #expect(failed.status == 1 && failed.stderr.contains("model.json"), "\(failed.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.hasPrefix("failed.sqlite") }
        #expect(left.isEmpty, "left behind: \(left)")
    }
}
