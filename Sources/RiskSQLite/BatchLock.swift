import Foundation
import RiskBatch
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<store>-batch.lock`, so two batches never run on one store at once
/// (the second would otherwise take the first's running run for an interrupted one and resume
/// it alongside). The kernel drops the lock when its holder exits, even by `kill -9`, so an
/// interrupted run is resumed by the next batch as before. A separate file, not the store: SQLite's
/// own POSIX locks on the store would be dropped when any other descriptor of it is closed.
final class BatchLock {
    private let descriptor: Int32

    init(store: String) throws {
        let path = store + "-batch.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError("cannot open the batch lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK ? "another batch is running on \(store) (it holds \(path)); wait for it to finish"
                : "cannot lock \(path): \(String(cString: strerror(errno)))"
            close(descriptor)
            throw StoreError(reason)
        }
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
