import Foundation
import Geo
#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium driven through the DevTools protocol over `--remote-debugging-pipe`
/// (messages are JSON ending in a NUL byte; the browser reads fd 3 and writes fd 4), written
/// for these tests: it opens one page, records every console message, exception and network
/// request, and sends input events.
final class Browser {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The Chromium binary, or nil when none is installed (`make test` installs it).
    static let executable: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    private let pid: pid_t
    private let commands: Int32
    private let replies: Int32
    private let profile: URL
    private var buffer: [UInt8] = []
    private var nextID = 1
    private var session: String?
    /// Every event received, in order.
    private(set) var events: [JSONValue] = []

    init(width: Int = 1280, height: Int = 900) throws {
        guard let executable = Browser.executable else { throw Failure(description: "no Chromium installed") }
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("routerisk-chromium-\(UUID().uuidString)")
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw Failure(description: "pipe failed") }
        // Moved above 10 so that putting them on 3 and 4 in the child cannot overwrite each other.
        let childIn = fcntl(toBrowser[0], F_DUPFD, 10), childOut = fcntl(fromBrowser[1], F_DUPFD, 10)
        close(toBrowser[0])
        close(fromBrowser[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childIn, 3)
        posix_spawn_file_actions_adddup2(&actions, childOut, 4)
        posix_spawn_file_actions_addclose(&actions, toBrowser[1])
        posix_spawn_file_actions_addclose(&actions, fromBrowser[0])
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
                         "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--mute-audio",
                         "--user-data-dir=\(profile.path)", "--window-size=\(width),\(height)", "about:blank"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, &argv, environ)
        close(childIn)
        close(childOut)
        guard status == 0 else {
            close(toBrowser[1])
            close(fromBrowser[0])
            throw Failure(description: "could not start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        commands = toBrowser[1]
        replies = fromBrowser[0]
        signal(SIGPIPE, SIG_IGN)
    }

    deinit {
        _ = try? call("Browser.close", session: false, timeout: 5)
        close(commands)
        close(replies)
        var status: Int32 = 0
        for _ in 0..<50 where waitpid(pid, &status, WNOHANG) == 0 { usleep(100_000) }
        if waitpid(pid, &status, WNOHANG) == 0 {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        try? FileManager.default.removeItem(at: profile)
    }

    /// Sends a command (to the page's session unless `session` is false) and returns its result.
    @discardableResult
    func call(_ method: String, _ params: [JSONValue.Member] = [], session: Bool = true, timeout: TimeInterval = 30) throws -> JSONValue {
        let id = nextID
        nextID += 1
        var members: [JSONValue.Member] = [.init("id", .number(Double(id))), .init("method", .string(method)), .init("params", .object(params))]
        if session, let current = self.session { members.append(.init("sessionId", .string(current))) }
        var bytes = Array(JSONValue.object(members).serialized().utf8)
        bytes.append(0)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(commands, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "the browser closed its pipe during \(method)") }
            written += n
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let message = try nextMessage(until: deadline, waitingFor: method)
            if message["id"]?.numberValue == Double(id) {
                if let error = message["error"] { throw Failure(description: "\(method): \(error.serialized())") }
                return message["result"] ?? .null
            }
            events.append(message)
        }
    }

    /// Waits until an event named `method` arrives (or has arrived since `after`).
    func waitForEvent(_ method: String, after start: Int = 0, timeout: TimeInterval = 30) throws -> JSONValue {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let found = events[min(start, events.count)...].first(where: { $0["method"]?.stringValue == method }) { return found }
            events.append(try nextMessage(until: deadline, waitingFor: method))
        }
    }

    private func nextMessage(until deadline: Date, waitingFor what: String) throws -> JSONValue {
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let text = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(...end)
                return try JSONValue.parse(text)
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw Failure(description: "timed out waiting for \(what)") }
            var descriptor = pollfd(fd: replies, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining, 1) * 1000))
            guard ready >= 0 else { throw Failure(description: "poll failed") }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = read(replies, &chunk, chunk.count)
            guard n > 0 else { throw Failure(description: "the browser closed its pipe while waiting for \(what)") }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// Opens a tab, attaches to it and turns on the domains the tests watch.
    func openPage(width: Int = 1280, height: Int = 900) throws {
        let target = try call("Target.createTarget", [.init("url", "about:blank")], session: false)
        guard let targetID = target["targetId"]?.stringValue else { throw Failure(description: "no target id") }
        let attached = try call("Target.attachToTarget", [.init("targetId", .string(targetID)), .init("flatten", true)], session: false)
        guard let sessionID = attached["sessionId"]?.stringValue else { throw Failure(description: "no session id") }
        session = sessionID
        for domain in ["Page", "Runtime", "Log", "Network"] { try call("\(domain).enable") }
        try call("Emulation.setDeviceMetricsOverride", [.init("width", .number(Double(width))), .init("height", .number(Double(height))),
                                                       .init("deviceScaleFactor", 1), .init("mobile", false)])
    }

    /// Navigates and waits for the load event.
    func load(_ url: URL) throws {
        let start = events.count
        try call("Page.navigate", [.init("url", .string(url.absoluteString))])
        _ = try waitForEvent("Page.loadEventFired", after: start)
    }

    /// The value of a JavaScript expression evaluated in the page.
    func evaluate(_ expression: String) throws -> JSONValue {
        let reply = try call("Runtime.evaluate", [.init("expression", .string(expression)), .init("returnByValue", true)])
        if let exception = reply["exceptionDetails"] { throw Failure(description: "\(expression): \(exception.serialized())") }
        return reply["result"]?["value"] ?? .null
    }

    /// A left click at a point of the viewport, as a person's mouse makes it.
    func click(x: Double, y: Double) throws {
        for type in ["mouseMoved", "mousePressed", "mouseReleased"] {
            try call("Input.dispatchMouseEvent", [.init("type", .string(type)), .init("x", .number(x)), .init("y", .number(y)),
                                                 .init("button", type == "mouseMoved" ? "none" : "left"), .init("clickCount", 1)])
        }
    }

    /// Console errors and warnings, uncaught exceptions and browser log errors so far.
    var problems: [String] {
        events.compactMap { event -> String? in
            let params = event["params"]
            switch event["method"]?.stringValue {
            case "Runtime.exceptionThrown":
                return "exception: " + (params?["exceptionDetails"]?.serialized() ?? "")
            case "Runtime.consoleAPICalled" where ["error", "warning", "assert"].contains(params?["type"]?.stringValue ?? ""):
                return "console: " + (params?["args"]?.serialized() ?? "")
            case "Log.entryAdded" where ["error", "warning"].contains(params?["entry"]?["level"]?.stringValue ?? ""):
                return "log: " + (params?["entry"]?["text"]?.stringValue ?? "")
            default:
                return nil
            }
        }
    }

    /// The URL of every request the page made.
    var requests: [String] {
        events.filter { $0["method"]?.stringValue == "Network.requestWillBeSent" }
            .compactMap { $0["params"]?["request"]?["url"]?.stringValue }
    }
}
