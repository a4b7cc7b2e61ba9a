import Foundation
import Ledger
import LoketClient
import Storage
import Synchronization

/// How a bulk sync runs.
public struct SyncOptions: Sendable {
    /// Administrations worked on at the same time (1–16).
    public var concurrency: Int
    /// Book every new draft that passes all booking checks.
    public var book: Bool
    /// Where the sync was started: `web` or `cli`.
    public var origin: SyncOrigin

    public init(concurrency: Int = 4, book: Bool = false, origin: SyncOrigin = .web) {
        self.concurrency = min(max(concurrency, 1), 16)
        self.book = book
        self.origin = origin
    }
}

/// A draft the `--book` option could not book, with every reason.
public struct UnbookedDraft: Sendable, Equatable {
    public let entryId: EntryID
    public let description: String
    public let problems: [String]
}

/// What one administration got out of a sync.
public struct AdministrationSyncResult: Sendable, Equatable {
    public var target: SyncTarget
    public var imported = 0
    public var alreadyPresent = 0
    /// Runs Loket has not finished yet (status 0: the journal is still being made).
    public var waiting = 0
    public var booked: [String] = []
    public var notBooked: [UnbookedDraft] = []
    public var cancelled = false
    /// Why this administration failed, in Dutch (nil: it succeeded).
    public var error: String?
    /// Why nothing came, when Loket has no runs (Journaal Basis instead of a journal profile).
    public var note: String?

    public init(target: SyncTarget) { self.target = target }

    public var row: SyncResultRow {
        SyncResultRow(
            administrationId: self.target.administrationId, code: self.target.code, name: self.target.name, imported: self.imported,
            alreadyPresent: self.alreadyPresent, waiting: self.waiting, booked: self.booked.count, notBooked: self.notBooked.count,
            cancelled: self.cancelled, error: self.error, note: self.note
        )
    }
}

/// The live state of a sync, shared by the worker and whoever watches it (page, CLI).
public struct SyncProgress: Sendable, Equatable {
    public enum Phase: String, Sendable {
        case running, cancelling, finished, cancelled
    }

    public var syncRunId: Int64?
    public var phase: Phase = .running
    public var total: Int
    public var done = 0
    public var runsImported = 0
    public var failed = 0
    public var startedAt: Date
    public var finishedAt: Date?
    /// Administrations being worked on now, by code.
    public var active: [String] = []
    /// Finished administrations in the order they finished.
    public var results: [AdministrationSyncResult] = []

    public var isRunning: Bool { self.phase == .running || self.phase == .cancelling }
}

/// Thread-safe holder of a sync's progress.
public final class SyncTracker: Sendable {
    private let state: Mutex<SyncProgress>
    private let cancelRequested = Atomic<Bool>(false)

    public init(total: Int, startedAt: Date) {
        self.state = Mutex(SyncProgress(total: total, startedAt: startedAt))
    }

    public var progress: SyncProgress { self.state.withLock { $0 } }
    public var isCancelRequested: Bool { self.cancelRequested.load(ordering: .relaxed) }

    public func requestCancel() {
        self.cancelRequested.store(true, ordering: .relaxed)
        self.state.withLock { if $0.phase == .running { $0.phase = .cancelling } }
    }

    /// Changes the progress and returns a copy of the result.
    @discardableResult
    func update(_ change: (inout SyncProgress) -> Void) -> SyncProgress {
        self.state.withLock { progress in
            change(&progress)
            return progress
        }
    }
}

/// "Alles bijwerken": imports every new importable run of every linked administration as a
/// draft, a bounded number of administrations at a time. One failing administration never stops
/// the others; each run is imported in its own transaction (unique per run, so never twice).
public struct BulkSync: Sendable {
    public let importer: RunImporter

    public init(importer: RunImporter) { self.importer = importer }

    var database: AppDatabase { self.importer.database }

    /// Runs the sync over `targets`, records it, and returns the results in target order.
    /// `onFinish` is called for each administration as it finishes.
    @discardableResult
    public func run(
        _ targets: [SyncTarget],
        options: SyncOptions,
        tracker: SyncTracker,
        onFinish: @escaping @Sendable (AdministrationSyncResult, SyncProgress) -> Void = { _, _ in }
    ) async -> [AdministrationSyncResult] {
        let syncRunId = try? self.database.startSync(
            origin: options.origin, concurrency: options.concurrency, administrations: targets.count, at: self.importer.now()
        )
        tracker.update { $0.syncRunId = syncRunId }
        var results: [Int: AdministrationSyncResult] = [:]
        await withTaskGroup(of: (Int, AdministrationSyncResult).self) { group in
            var next = 0
            func startNext() {
                guard next < targets.count else { return }
                let index = next
                let target = targets[index]
                next += 1
                tracker.update { $0.active.append(target.code) }
                group.addTask {
                    if tracker.isCancelRequested {
                        var result = AdministrationSyncResult(target: target)
                        result.cancelled = true
                        return (index, result)
                    }
                    return (index, await self.sync(target, options: options, tracker: tracker))
                }
            }
            for _ in 0..<min(options.concurrency, targets.count) { startNext() }
            while let (index, result) = await group.next() {
                results[index] = result
                let snapshot = tracker.update { progress in
                    progress.done += 1
                    progress.runsImported += result.imported
                    if result.error != nil { progress.failed += 1 }
                    if let position = progress.active.firstIndex(of: result.target.code) { progress.active.remove(at: position) }
                    progress.results.append(result)
                }
                onFinish(result, snapshot)
                startNext()
            }
        }
        let ordered = targets.indices.compactMap { results[$0] }
        let cancelled = tracker.isCancelRequested
        if let syncRunId {
            try? self.database.finishSync(id: syncRunId, results: ordered.map(\.row), cancelled: cancelled, at: self.importer.now())
        }
        tracker.update {
            $0.phase = cancelled ? .cancelled : .finished
            $0.finishedAt = self.importer.now()
            $0.active = []
        }
        return ordered
    }

    /// One administration: list its runs once, then fetch and store each new importable run.
    func sync(_ target: SyncTarget, options: SyncOptions, tracker: SyncTracker) async -> AdministrationSyncResult {
        var result = AdministrationSyncResult(target: target)
        var created: [EntryID] = []
        do {
            guard let context = try await self.database.importContext(administrationId: target.administrationId) else {
                throw RunImporter.ImportError.notLinked
            }
            let link = context.link
            let client = try self.importer.loket.apiClient(connectionId: link.connectionId)
            let runs = try await client.journalRuns(payrollAdministrationId: link.payrollAdministrationId)
            if runs.isEmpty {
                result.note = context.hasJournalProfile == false
                    ? "Geen journaalruns: deze loonadministratie gebruikt in Loket nog Journaal Basis of de oude journaalmodule, niet het journaalprofiel (Journaliseren, product 940)."
                    : "Nog geen journaalrun in Loket."
            }
            for run in runs.sorted(by: { $0.sequenceNumber < $1.sequenceNumber }) {
                if context.importedRuns.contains(run.id) {
                    result.alreadyPresent += 1
                    continue
                }
                guard RunImporter.isImportable(status: run.journalRunStatus.key) else {
                    if run.journalRunStatus.key == 0 { result.waiting += 1 }
                    continue
                }
                if tracker.isCancelRequested {
                    result.cancelled = true
                    break
                }
                let stored = try await self.importer.store(run, of: runs, client: client, context: context, administrationId: target.administrationId, sequence: 1)
                if stored.created {
                    result.imported += 1
                    created.append(stored.entryId)
                } else {
                    result.alreadyPresent += 1
                }
            }
            // The tax returns come along, for the month-end check. A refusal (no rights) is
            // recorded; neither it nor a failure fails the sync: the next one asks again.
            if !result.cancelled {
                _ = await MonthEndControl(importer: self.importer).refreshTaxReturns(target, client: client)
                // Documents a former round could not fetch are asked again.
                let evidence = Evidence(database: self.database, loket: self.importer.loket, now: self.importer.now)
                let missing = await evidence.retryPending(administrationId: target.administrationId, client: client, except: Set(created))
                    + ((try? self.database.entriesWithPendingDownloads(administrationId: target.administrationId)) ?? []).filter { created.contains($0.id!) }.count
                if missing > 0 {
                    let text = "\(missing) bijlage(n) uit Loket nog niet opgehaald; de volgende keer wordt het opnieuw geprobeerd."
                    result.note = result.note.map { "\($0) \(text)" } ?? text
                }
            }
        } catch {
            let explanation = Self.describe(error)
            // What came in before the failure stays (each run is its own transaction).
            result.error = result.imported > 0 ? "\(result.imported) run(s) zijn wel opgehaald; daarna: \(explanation)" : explanation
        }
        if options.book {
            await self.book(created, into: &result)
        }
        return result
    }

    /// Books what passes every check; lists the rest with their problems.
    func book(_ entryIds: [EntryID], into result: inout AdministrationSyncResult) async {
        let administrationId = result.target.administrationId
        for id in entryIds {
            do {
                let entry = try await self.importer.book(entryId: id, administrationId: administrationId).entry
                result.booked.append("\(entry.fiscalYear)-\(entry.number ?? 0)")
            } catch EntryError.bookingRefused(let problems) {
                let description = (try? self.database.entry(id: id, administrationId: administrationId))??.description ?? "boeking \(id)"
                result.notBooked.append(UnbookedDraft(entryId: id, description: description, problems: problems.map(\.message)))
            } catch {
                let description = (try? self.database.entry(id: id, administrationId: administrationId))??.description ?? "boeking \(id)"
                result.notBooked.append(UnbookedDraft(entryId: id, description: description, problems: ["Boeken mislukte: \(error)"]))
            }
        }
    }

    /// A Dutch sentence for anything that stopped an administration.
    static func describe(_ error: any Error) -> String {
        switch error {
        // One dead connection is one reason, whichever worker noticed first.
        case LoketError.reconnectNeeded, LoketError.notConnected:
            "De verbinding met Loket is verlopen of ingetrokken. Kies \u{2018}Opnieuw verbinden\u{2019} en meld u opnieuw aan bij Loket; "
                + "uw koppelingen en concepten blijven bewaard."
        case let error as LoketError: error.explanation
        case let error as RunImporter.ImportError: error.explanation
        case EntryError.beyondLimits: RunImporter.importError(error).explanation
        case is CancellationError: "Geannuleerd."
        default: "Opslaan mislukte (\(String(describing: error).prefix(200))). Er is niets half opgeslagen; probeer het opnieuw."
        }
    }
}
