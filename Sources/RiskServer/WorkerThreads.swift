import Foundation

/// Threads of the server's own, for tasks that prefer them (`withTaskExecutorPreference`,
/// `Task(executorPreference:)`). Swift's cooperative pool has one thread per core, and whatever
/// else runs in the process shares it: scoring (long CPU work that never suspends) would take
/// every thread and hold up the timers of the time limit, `/healthz` and the other requests. So
/// the server handles requests on one set of these threads and scores on another, one thread per
/// scoring slot, and the operating system shares the cores between them.
final class WorkerThreads: TaskExecutor, @unchecked Sendable {
    // `jobs` and `stopping` are touched only under `condition`'s lock; that is what the
    // unchecked Sendable rests on.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    private let name: String

    init(count: Int, name: String) {
        self.name = name
        for index in 0..<max(1, count) { startThread(name: "\(name)-\(index + 1)") }
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
        if late { startThread(name: "\(name)-late") }
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
