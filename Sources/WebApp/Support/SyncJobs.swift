import Foundation
import PayrollImport
import ServiceLifecycle
import Storage
import Synchronization

/// The one bulk sync of this app at a time: a service the application runs. A page starts a
/// sync, which then runs here — outliving the request, inside the application's lifecycle — and
/// pages read its progress. On shutdown the running sync is asked to stop between runs (each run
/// is its own transaction, so nothing is left half-written) and the service waits for it.
final class SyncJobs: Service, Sendable {
    let sync: BulkSync
    let now: @Sendable () -> Date
    private let current = Mutex<SyncTracker?>(nil)
    private struct Job: Sendable {
        let targets: [SyncTarget]
        let options: SyncOptions
        let tracker: SyncTracker
    }
    private let jobs: AsyncStream<Job>
    private let submit: AsyncStream<Job>.Continuation

    init(sync: BulkSync, now: @escaping @Sendable () -> Date) {
        self.sync = sync
        self.now = now
        (self.jobs, self.submit) = AsyncStream.makeStream(of: Job.self)
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await job in self.jobs {
                    group.addTask { await self.sync.run(job.targets, options: job.options, tracker: job.tracker) }
                }
            }
        } onGracefulShutdown: {
            self.current.withLock { $0?.requestCancel() }
            self.submit.finish()
        }
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
            self.submit.yield(Job(targets: targets, options: options, tracker: tracker))
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
