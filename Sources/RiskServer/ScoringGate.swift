import Foundation
import Synchronization

/// Bounds how many scoring requests run at once (one slot per core by default) and how many may
/// wait for a slot. Past the queue a request is refused at once, so an overloaded server answers
/// 503 quickly instead of letting every client time out.
final class ScoringGate: Sendable {
    struct Full: Error {}

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var free: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    let slots: Int
    let queueLength: Int
    private let state: Mutex<State>

    init(slots: Int, queueLength: Int) {
        precondition(slots >= 1 && queueLength >= 0)
        self.slots = slots
        self.queueLength = queueLength
        state = Mutex(State(free: slots))
    }

    /// Requests running and waiting now.
    var load: (running: Int, waiting: Int) {
        state.withLock { (slots - $0.free, $0.waiters.count) }
    }

    /// Runs `body` holding a slot. Throws `Full` when every slot is taken and the queue is full,
    /// and `CancellationError` when the task is cancelled while it waits.
    func withSlot<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async throws {
        enum Decision { case granted, full, wait(UInt64) }
        let decision: Decision = state.withLock { state in
            if state.free > 0 {
                state.free -= 1
                return .granted
            }
            if state.waiters.count >= queueLength { return .full }
            state.nextID += 1
            return .wait(state.nextID)
        }
        switch decision {
        case .granted: return
        case .full: throw Full()
        case .wait(let id):
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let cancelled = state.withLock { state -> Bool in
                        // Cancelled before it could queue: do not wait for a slot that is not wanted.
                        if Task.isCancelled { return true }
                        state.waiters.append(Waiter(id: id, continuation: continuation))
                        return false
                    }
                    if cancelled { continuation.resume(throwing: CancellationError()) }
                }
            } onCancel: {
                let waiter = state.withLock { state -> Waiter? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.waiters.remove(at: index)
                }
                waiter?.continuation.resume(throwing: CancellationError())
            }
        }
    }

    /// Hands the slot to the longest waiter, or frees it.
    private func release() {
        let next = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume()
    }
}

struct TimeLimitExceeded: Error {}

/// Runs `work` and returns its value, or throws `TimeLimitExceeded` once `limit` has passed. The
/// work runs in its own task so the answer is not held up by work that ignores cancellation: it
/// is cancelled and left to finish (keeping any slot it holds until then, so the bound on
/// concurrent scoring holds).
/// The work and the timer run as tasks that prefer `executor`.
func withTimeLimit<T: Sendable>(_ limit: Duration, on executor: any TaskExecutor,
                                _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = TimeLimitRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation, limit: limit, executor: executor, work: work)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The work and the timer of `withTimeLimit`; the first to end answers, the other is cancelled.
private final class TimeLimitRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var tasks: [Task<Void, Never>] = []
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>, limit: Duration, executor: any TaskExecutor,
               work: @escaping @Sendable () async throws -> T) {
        // Both tasks are made under the lock, so neither can finish before the other is known.
        state.withLock { state in
            state.continuation = continuation
            state.tasks.append(Task(executorPreference: executor) {
                do { self.finish(.success(try await work())) } catch { self.finish(.failure(error)) }
            })
            state.tasks.append(Task(executorPreference: executor) {
                do { try await Task.sleep(for: limit) } catch { return }
                self.finish(.failure(TimeLimitExceeded()))
            })
        }
    }

    /// Answers the caller once; later calls do nothing.
    func finish(_ result: Result<T, any Error>) {
        let (continuation, tasks) = state.withLock { state in (state.continuation.take(), state.tasks) }
        guard let continuation else { return }
        tasks.forEach { $0.cancel() }
        continuation.resume(with: result)
    }
}
