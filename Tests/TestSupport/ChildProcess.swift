import Foundation

// Every child process a test waits for has a time limit: a hung child must fail its test, not
// hold the whole suite until CI's limit. Foundation only, so any test target can use it.

/// A child that did not end within its time limit; it was killed.
public struct ChildTimeout: Error, CustomStringConvertible {
    public var command: String
    public var seconds: TimeInterval
    public var description: String { "\(command) did not finish within \(Int(seconds)) s and was killed" }
}

/// What one finished child printed.
public struct ChildRun: Sendable {
    public var status: Int32
    public var reason: Process.TerminationReason
    public var stdout: String
    public var stderr: String
}

extension Process {
    /// Waits for the process to end. Past `seconds` it is killed with SIGKILL (a child started
    /// from the Swift Testing runner was seen to outlive SIGTERM) and `ChildTimeout` is thrown.
    public func waitUntilExit(timeout seconds: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning && Date() < deadline { usleep(10_000) }
        guard isRunning else {
            waitUntilExit()
            return
        }
        kill(processIdentifier, SIGKILL)
        waitUntilExit()
        let name = executableURL?.lastPathComponent ?? "child"
        throw ChildTimeout(command: ([name] + (arguments ?? [])).joined(separator: " "), seconds: seconds)
    }
}

/// Runs `executable arguments` in `folder` (with `environment` in place of this process's when
/// given, and `input` on its standard input) and returns what it printed. Output goes through
/// files, so a chatty child never blocks on a full pipe; past `timeout` seconds the child is
/// killed and `ChildTimeout` thrown.
public func runChild(_ executable: URL, _ arguments: [String], in folder: URL? = nil, environment: [String: String]? = nil,
                     input: Data? = nil, timeout: TimeInterval) throws -> ChildRun {
    let files = FileManager.default.temporaryDirectory.appendingPathComponent("routerisk-child-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: files) }
    let stdinURL = files.appendingPathComponent("stdin"), stdoutURL = files.appendingPathComponent("stdout")
    let stderrURL = files.appendingPathComponent("stderr")
    try (input ?? Data()).write(to: stdinURL)
    try Data().write(to: stdoutURL)
    try Data().write(to: stderrURL)
    let stdin = try FileHandle(forReadingFrom: stdinURL)
    let stdout = try FileHandle(forWritingTo: stdoutURL), stderr = try FileHandle(forWritingTo: stderrURL)
    defer {
        try? stdin.close()
        try? stdout.close()
        try? stderr.close()
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = folder }
    if let environment { process.environment = environment }
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    try process.waitUntilExit(timeout: timeout)
    return ChildRun(status: process.terminationStatus, reason: process.terminationReason,
                    stdout: String(decoding: try Data(contentsOf: stdoutURL), as: UTF8.self),
                    stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self))
}
