import Foundation
import PayrollImport
import Storage
import Synchronization

/// The one bulk sync of this app at a time. It runs in the background, outliving the request
/// that started it; pages read its progress.
final class SyncJobs: Sendable {
    let sync: BulkSync
    let now: @Sendable () -> Date
    private let current = Mutex<SyncTracker?>(nil)

    init(sync: BulkSync, now: @escaping @Sendable () -> Date) {
        self.sync = sync
        self.now = now
    }

    /// The sync of this app run, if one was started (running or finished).
    var latest: SyncTracker? { self.current.withLock { $0 } }

    /// The running sync, if any.
    var running: SyncTracker? { self.current.withLock { $0?.progress.isRunning == true ? $0 : nil } }

    /// Starts a sync over `targets` unless one is running; returns the running one and whether
    /// it is new.
    func start(_ targets: [SyncTarget], options: SyncOptions) -> (tracker: SyncTracker, started: Bool) {
        self.current.withLock { current in
            if let existing = current, existing.progress.isRunning { return (existing, false) }
            let tracker = SyncTracker(total: targets.count, startedAt: self.now())
            current = tracker
            let sync = self.sync
            Task.detached {
                await sync.run(targets, options: options, tracker: tracker)
            }
            return (tracker, true)
        }
    }

    /// Asks the running sync to stop after the runs in progress; true when one was running.
    func cancel() -> Bool {
        guard let running = self.running else { return false }
        running.requestCancel()
        return true
    }
}
