import Foundation
import Synchronization

/// The server's counters, written out in Prometheus's text exposition format (version 0.0.4).
/// One instance per server, so that tests running several servers see only their own counts.
public final class ServerMetrics: Sendable {
    /// Upper bounds of the latency histogram's buckets, in seconds.
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    struct RequestKey: Hashable, Comparable {
        var route: String
        var method: String
        var status: Int

        static func < (a: RequestKey, b: RequestKey) -> Bool {
            (a.route, a.method, a.status) < (b.route, b.method, b.status)
        }
    }

    struct LatencyKey: Hashable, Comparable {
        var route: String
        var method: String

        static func < (a: LatencyKey, b: LatencyKey) -> Bool {
            (a.route, a.method) < (b.route, b.method)
        }
    }

    struct Histogram {
        /// Counts per bucket (not cumulative); the last one is +Inf.
        var counts = [Int](repeating: 0, count: ServerMetrics.latencyBuckets.count + 1)
        var sum = 0.0
        var count = 0

        mutating func record(_ seconds: Double) {
            let bucket = ServerMetrics.latencyBuckets.firstIndex { seconds <= $0 } ?? ServerMetrics.latencyBuckets.count
            counts[bucket] += 1
            sum += seconds
            count += 1
        }
    }

    struct State {
        var requests: [RequestKey: Int] = [:]
        var latencies: [LatencyKey: Histogram] = [:]
        var routesScored = 0
        var routesFailed = 0
        var snapshotSwaps = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// One answered request; `route` is the route's template (`/v1/movements/{id}`), never the
    /// raw path, so that the number of series stays bounded.
    func recordRequest(route: String, method: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
            state.latencies[LatencyKey(route: route, method: method), default: Histogram()].record(seconds)
        }
    }

    func recordScores(succeeded: Int, failed: Int) {
        state.withLock { state in
            state.routesScored += succeeded
            state.routesFailed += failed
        }
    }

    func recordSnapshotSwap() {
        state.withLock { $0.snapshotSwaps += 1 }
    }

    /// The text exposition, with the gauges passed in by the server (they are read, not counted).
    func exposition(gauges: [(name: String, help: String, value: Double)]) -> String {
        let state = state.withLock { $0 }
        var lines: [String] = []
        lines.append("# HELP routerisk_http_requests_total HTTP requests answered, by route template, method and status.")
        lines.append("# TYPE routerisk_http_requests_total counter")
        for (key, count) in state.requests.sorted(by: { $0.key < $1.key }) {
            lines.append("routerisk_http_requests_total{route=\"\(escape(key.route))\",method=\"\(key.method)\",status=\"\(key.status)\"} \(count)")
        }
        lines.append("# HELP routerisk_http_request_duration_seconds Time from the request's head to its answer.")
        lines.append("# TYPE routerisk_http_request_duration_seconds histogram")
        for (key, histogram) in state.latencies.sorted(by: { $0.key < $1.key }) {
            let labels = "route=\"\(escape(key.route))\",method=\"\(key.method)\""
            var cumulative = 0
            for (index, bound) in ServerMetrics.latencyBuckets.enumerated() {
                cumulative += histogram.counts[index]
                lines.append("routerisk_http_request_duration_seconds_bucket{\(labels),le=\"\(number(bound))\"} \(cumulative)")
            }
            lines.append("routerisk_http_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(histogram.count)")
            lines.append("routerisk_http_request_duration_seconds_sum{\(labels)} \(number(histogram.sum))")
            lines.append("routerisk_http_request_duration_seconds_count{\(labels)} \(histogram.count)")
        }
        lines.append("# HELP routerisk_routes_scored_total Routes scored successfully.")
        lines.append("# TYPE routerisk_routes_scored_total counter")
        lines.append("routerisk_routes_scored_total \(state.routesScored)")
        lines.append("# HELP routerisk_routes_failed_total Routes whose scoring failed (reported as warnings).")
        lines.append("# TYPE routerisk_routes_failed_total counter")
        lines.append("routerisk_routes_failed_total \(state.routesFailed)")
        lines.append("# HELP routerisk_snapshot_swaps_total Scoring snapshots swapped in after an import.")
        lines.append("# TYPE routerisk_snapshot_swaps_total counter")
        lines.append("routerisk_snapshot_swaps_total \(state.snapshotSwaps)")
        for gauge in gauges {
            lines.append("# HELP \(gauge.name) \(gauge.help)")
            lines.append("# TYPE \(gauge.name) gauge")
            lines.append("\(gauge.name) \(number(gauge.value))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Label values escape backslash, double quote and line feed.
    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Integers without a fraction, others in Swift's shortest round-trip form.
    private func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}
