import Foundation
import Synchronization
import Testing
@testable import RiskServer

/// A latch a test opens to let work proceed.
final class Latch: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }
}

/// Polls until `condition` holds, for at most two minutes (a loaded machine is slow).
func eventually(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(120)
    while !condition() {
        guard ContinuousClock.now < deadline else { return }
        try await Task.sleep(for: .milliseconds(5))
    }
}

@Suite struct GateTests {
    @Test func runsUpToItsSlotsQueuesUpToItsLengthAndRefusesTheRest() async throws {
        let gate = ScoringGate(slots: 2, queueLength: 1)
        let latch = Latch()
        let ran = Counter()
        let holders = (0..<3).map { index in
            Task {
                try await gate.withSlot {
                    ran.add()
                    await latch.wait()
                }
            }
        }
        try await eventually { gate.load == (2, 1) }
        #expect(gate.load == (running: 2, waiting: 1))
        await #expect(throws: ScoringGate.Full.self) {
            try await gate.withSlot {}
        }
        latch.open()
        for holder in holders { try await holder.value }
        #expect(gate.load == (running: 0, waiting: 0))
        #expect(ran.value == 3)
    }

    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        let gate = ScoringGate(slots: 1, queueLength: 4)
        let latch = Latch()
        let holder = Task { try await gate.withSlot { await latch.wait() } }
        try await eventually { gate.load.running == 1 }
        let waiter = Task { try await gate.withSlot { 42 } }
        try await eventually { gate.load.waiting == 1 }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(gate.load == (running: 1, waiting: 0))
        latch.open()
        try await holder.value
        #expect(try await gate.withSlot { 7 } == 7)
        #expect(gate.load == (running: 0, waiting: 0))
    }

    @Test func theTimeLimitAnswersWithoutWaitingForTheWork() async throws {
        // Threads of the test's own, as the server has: the cooperative pool may be busy with
        // other tests for minutes.
        let threads = WorkerThreads(count: 2, name: "test")
        let scoring = WorkerThreads(count: 1, name: "test-scoring")
        defer {
            threads.stop()
            scoring.stop()
        }
        try await withTaskExecutorPreference(threads) { () async throws -> Void in
            let started = ContinuousClock.now
            await #expect(throws: TimeLimitExceeded.self) {
                try await withTimeLimit(.milliseconds(100), on: threads) {
                    // Work that ignores cancellation, as a scoring loop does, on a scoring thread.
                    try await withTaskExecutorPreference(scoring) {
                        usleep(4_000_000)
                        return 1
                    }
                }
            }
            // Well before the work ends.
            #expect(ContinuousClock.now - started < .seconds(3))
            #expect(try await withTimeLimit(.seconds(10), on: threads) { 5 } == 5)
            await #expect(throws: InputErrorStandIn.self) {
                try await withTimeLimit(.seconds(10), on: threads) { () async throws -> Int in throw InputErrorStandIn() }
            }
        }
    }
}

struct InputErrorStandIn: Error {}

final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add() { count.withLock { $0 += 1 } }
}
