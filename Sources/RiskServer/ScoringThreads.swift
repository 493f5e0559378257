import Foundation

/// Threads of their own for scoring. Scoring is long CPU work that never suspends; on Swift's
/// cooperative pool (one thread per core) two requests would take every thread, and the timers
/// of the time limit, `/healthz` and the answers to other requests would wait for them. Scoring
/// tasks run here instead (`withTaskExecutorPreference`), and the operating system shares the
/// cores between them and the pool.
final class ScoringThreads: TaskExecutor, @unchecked Sendable {
    // `jobs` and `stopping` are touched only under `condition`'s lock; that is what the
    // unchecked Sendable rests on.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    init(count: Int) {
        for index in 0..<max(1, count) { startThread(name: "routerisk-scoring-\(index + 1)") }
    }

    private func startThread(name: String) {
        // The thread holds the executor until it ends, so the executor outlives its jobs.
        let thread = Thread { self.serve() }
        thread.name = name
        // GEOS and PROJ recurse on complex geometries; give them a main thread's stack.
        thread.stackSize = 8 << 20
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        let late = stopping
        condition.signal()
        condition.unlock()
        if late { startThread(name: "routerisk-scoring-late") }
    }

    /// Lets the threads end once no job is left. Work that outlives the server (a request past
    /// its time limit) still finishes: a job that comes later gets a thread of its own.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func serve() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            guard !jobs.isEmpty else {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
