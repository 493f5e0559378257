/// Maps `items` on up to `jobs` concurrent tasks; the outputs come back in input order.
///
/// Each task makes one worker with `makeWorker` when it takes its first chunk (a scorer, say:
/// its GEOS and PROJ contexts must stay on one task, so workers are never shared), then takes
/// the next chunk of `chunkSize` items until none is left, so a few slow items do not hold up
/// the others. By default each task gets about four chunks.
public func parallelMap<Item: Sendable, Output: Sendable, Worker>(
    _ items: [Item], jobs: Int, chunkSize: Int? = nil,
    worker makeWorker: @escaping @Sendable () throws -> Worker,
    _ transform: @escaping @Sendable (inout Worker, Item) -> Output
) async throws -> [Output] {
    guard !items.isEmpty else { return [] }
    let tasks = max(1, jobs)
    let chunk = max(1, chunkSize ?? items.count / (tasks * 4))
    let starts = Array(stride(from: 0, to: items.count, by: chunk))
    let queue = ChunkQueue(count: starts.count)
    var outputs = [Output?](repeating: nil, count: items.count)
    try await withThrowingTaskGroup(of: [(start: Int, outputs: [Output])].self) { group in
        for _ in 0..<min(tasks, starts.count) {
            group.addTask {
                var worker: Worker?
                var finished: [(start: Int, outputs: [Output])] = []
                while let next = await queue.take() {
                    if worker == nil { worker = try makeWorker() }
                    let start = starts[next]
                    let mapped = items[start..<min(start + chunk, items.count)].map { transform(&worker!, $0) }
                    finished.append((start, mapped))
                }
                return finished
            }
        }
        for try await finished in group {
            for part in finished {
                for (offset, output) in part.outputs.enumerated() { outputs[part.start + offset] = output }
            }
        }
    }
    return outputs.map { $0! }
}

/// Hands out chunk numbers `0..<count`, each once, to whichever task asks next.
private actor ChunkQueue {
    private let count: Int
    private var next = 0

    init(count: Int) {
        self.count = count
    }

    func take() -> Int? {
        guard next < count else { return nil }
        defer { next += 1 }
        return next
    }
}
