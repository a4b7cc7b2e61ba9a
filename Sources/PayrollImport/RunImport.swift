import Foundation
import Ledger
import LoketClient
import Storage

/// Our view of a Loket journal run in one administration.
public enum RunState: String, Sendable, Equatable {
    case notReady
    case new
    case draft
    case booked
    case reversed
    case removedInLoket
    case recalculatedAfterBooking

    public var label: String {
        switch self {
        case .notReady: "nog niet te importeren"
        case .new: "nieuw"
        case .draft: "concept"
        case .booked: "geboekt"
        case .reversed: "teruggeboekt"
        case .removedInLoket: "in Loket verwijderd"
        case .recalculatedAfterBooking: "na boeking opnieuw berekend"
        }
    }
}

/// A Loket journal run as the pages see it (PayrollImport's own type: no Loket client types
/// cross into the web layer).
public struct JournalRunInfo: Sendable, Equatable {
    public let id: String
    public let sequenceNumber: Int
    public let payrollYear: Int?
    public let payrollPeriod: Int?
    /// `yyyy-mm-dd…` as Loket sends it.
    public let periodStart: String?
    public let periodEnd: String?
    public let statusKey: Int
    public let statusText: String?

    init(_ run: LoketJournalRun) {
        let period = run.payrollRun?.payrollPeriod
        self.id = run.id
        self.sequenceNumber = run.sequenceNumber
        self.payrollYear = period?.year
        self.payrollPeriod = period?.periodNumber
        self.periodStart = period?.periodStartDate
        self.periodEnd = period?.periodEndDate
        self.statusKey = run.journalRunStatus.key
        self.statusText = run.journalRunStatus.value
    }
}

/// One row of the runs page.
public struct RunRow: Sendable {
    public let run: JournalRunInfo
    public let state: RunState
    public let entry: JournalEntryRecord?
    public let isDifference: Bool
    public let importable: Bool
    /// Why no entry can be made yet (status 0–3), in Dutch.
    public let reason: String?
}

/// Why a run list is empty.
public enum EmptyRunsExplanation: Sendable, Equatable {
    /// No journal configuration: Journaal Basis (938) or the old journal module.
    case noJournalProfile
    /// A journal profile, but no journal run yet.
    case noRunsYet(automatic: Bool)
}

public struct RunsOverview: Sendable {
    public let link: LoketLinkRecord
    public let rows: [RunRow]
    public let emptyExplanation: EmptyRunsExplanation?
}

/// Import of Loket journal runs as draft entries, and booking with the write-back to Loket.
public struct RunImporter: Sendable {
    public let database: AppDatabase
    public let loket: LoketService
    public let now: @Sendable () -> Date

    public init(database: AppDatabase, loket: LoketService, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.loket = loket
        self.now = now
    }

    public enum ImportError: Error, Equatable {
        case notLinked
        case runNotFound
        case notImportable(status: Int, reason: String)
        case noPeriod
        case loket(LoketError)
        case reimportNotAllowed
        /// The run is beyond what one entry may hold (`JournalLimits`): refused whole, never cut.
        case beyondLimits(String)

        public var explanation: String {
            switch self {
            case .notLinked: "Deze administratie is niet aan een Loket-loonadministratie gekoppeld. Koppel haar eerst op de pagina Loket."
            case .runNotFound: "Deze journaalrun bestaat niet (meer) in Loket. Vernieuw de lijst."
            case .notImportable(_, let reason): reason
            case .noPeriod: "Loket gaf geen loonperiode bij deze run; de boekdatum kan niet worden bepaald."
            case .loket(let error): error.explanation
            case .reimportNotAllowed: "Deze run heeft al een boeking die niet is teruggeboekt. Boek die eerst terug als u opnieuw wilt importeren."
            case .beyondLimits(let reason): "Deze run is niet geïmporteerd, want hij past niet in één boeking: \(reason)"
            }
        }
    }

    /// The one rule for which journal runs have results to import: status 4 (ready) and up
    /// (5–7: processed, failed to process, exported). 0–3 have none (yet).
    public static func isImportable(status: Int) -> Bool { status >= 4 }

    static func reason(status: Int) -> String? {
        switch status {
        case 0: "Loket maakt het journaal nog aan (staat klaar voor journaliseren). Probeer het later opnieuw."
        case 1: "Deze run heeft geen journaalresultaten (er is niets te boeken)."
        case 2: "Loket kon het journaal niet aanmaken (fout bij aanmaken). Bekijk de fouten in Loket en laat de journaalrun opnieuw maken."
        case 3: "Deze run is in Loket verwijderd door een gebruiker; er komt een nieuwe run voor deze periode."
        default: nil
        }
    }

    /// Runs of the linked payroll administration, newest first, with our state for each.
    public func overview(administrationId: AdministrationID) async throws(ImportError) -> RunsOverview {
        guard let link = try? self.database.link(administrationId: administrationId) else { throw .notLinked }
        do {
            let client = try self.loket.apiClient(connectionId: link.connectionId)
            let runs = try await client.journalRuns(payrollAdministrationId: link.payrollAdministrationId)
                .sorted { $0.sequenceNumber > $1.sequenceNumber }
            let entries = try self.database.entriesByJournalRun(administrationId: administrationId)
            var rows: [RunRow] = []
            for run in runs {
                let latest = entries[run.id]?.last
                let difference = Self.isDifference(run, in: runs)
                var state: RunState
                var reversedEntry = false
                if let latest, latest.isBooked { reversedEntry = try self.database.reversal(of: latest.id!) != nil }
                switch (latest, run.journalRunStatus.key) {
                case (.some, 3): state = .removedInLoket
                case (nil, 0...3): state = .notReady
                case (nil, _): state = .new
                case (.some(let entry), _) where !entry.isBooked: state = .draft
                case (.some, _) where reversedEntry: state = .reversed
                default:
                    let recalculated = runs.contains {
                        $0.sequenceNumber > run.sequenceNumber && $0.payrollRun?.payrollRunId != nil
                            && $0.payrollRun?.payrollRunId == run.payrollRun?.payrollRunId && Self.isImportable(status: $0.journalRunStatus.key)
                    }
                    state = recalculated ? .recalculatedAfterBooking : .booked
                }
                rows.append(
                    RunRow(
                        run: JournalRunInfo(run), state: state, entry: latest, isDifference: difference,
                        importable: latest == nil && Self.isImportable(status: run.journalRunStatus.key),
                        reason: Self.reason(status: run.journalRunStatus.key)
                    )
                )
            }
            var explanation: EmptyRunsExplanation? = nil
            if runs.isEmpty {
                let configurations = try await client.journalConfigurations(payrollAdministrationId: link.payrollAdministrationId)
                explanation = configurations.isEmpty ? .noJournalProfile : .noRunsYet(automatic: configurations.contains { $0.automaticallyInitiateJournalRun == true })
            }
            return RunsOverview(link: link, rows: rows, emptyExplanation: explanation)
        } catch let error as LoketError {
            throw .loket(error)
        } catch {
            throw .loket(.unreachable(endpoint: "journalruns"))
        }
    }

    /// A run is a difference (recalculation) entry when an earlier run of the same payroll run has results.
    static func isDifference(_ run: LoketJournalRun, in runs: [LoketJournalRun]) -> Bool {
        guard let payrollRunId = run.payrollRun?.payrollRunId else { return run.methodOfCreation?.value?.lowercased().contains("herbereken") == true }
        return runs.contains {
            $0.sequenceNumber < run.sequenceNumber && $0.payrollRun?.payrollRunId == payrollRunId && Self.isImportable(status: $0.journalRunStatus.key)
        }
    }

    /// Which runs an import takes.
    public enum RunSelection: Sendable, Equatable {
        /// These journal-run ids.
        case runs([String])
        /// Every importable run that has no entry yet.
        case allNew
    }

    /// What became of one run of an import.
    public struct RunImportOutcome: Sendable {
        public let runId: String
        public let result: Result<ImportedRun, ImportError>
    }

    public struct ImportedRun: Sendable, Equatable {
        public let entryId: EntryID
        /// False when the run had an entry already (that one is returned).
        public let created: Bool
    }

    /// Imports runs of one administration as drafts: the run list is read once, then each run's
    /// results are fetched and stored in their own transaction. A run that has an entry already
    /// returns that entry; with `again`, a run whose entries are all reversed gets a new draft.
    /// Used by the runs page; "Alles bijwerken" and `sync` use `store` below, the same path.
    public func importRuns(administrationId: AdministrationID, _ selection: RunSelection, again: Bool = false) async throws(ImportError) -> [RunImportOutcome] {
        let context: AppDatabase.ImportContext
        do {
            guard let found = try await self.database.importContext(administrationId: administrationId) else { throw ImportError.notLinked }
            context = found
        } catch {
            throw .notLinked
        }
        let client: LoketAPIClient
        let runs: [LoketJournalRun]
        do {
            client = try self.loket.apiClient(connectionId: context.link.connectionId)
            runs = try await client.journalRuns(payrollAdministrationId: context.link.payrollAdministrationId)
        } catch let error as LoketError {
            throw .loket(error)
        } catch {
            throw .loket(.unreachable(endpoint: "journalruns"))
        }
        let ids: [String]
        switch selection {
        case .runs(let chosen): ids = chosen
        case .allNew:
            ids = runs.filter { Self.isImportable(status: $0.journalRunStatus.key) && !context.importedRuns.contains($0.id) }
                .sorted { $0.sequenceNumber < $1.sequenceNumber }.map(\.id)
        }
        // The entries of the administration's runs, read once for the whole selection.
        let existing = again ? [:] : ((try? self.database.entriesByJournalRun(administrationId: administrationId)) ?? [:])
        var outcomes: [RunImportOutcome] = []
        for id in ids {
            let result = await self.importOne(id, of: runs, client: client, context: context, administrationId: administrationId, again: again, existing: existing[id]?.first)
            outcomes.append(RunImportOutcome(runId: id, result: result))
        }
        return outcomes
    }

    /// One run of the page's import: the existing entry, or a new draft through `store`.
    private func importOne(
        _ journalRunId: String, of runs: [LoketJournalRun], client: LoketAPIClient, context: AppDatabase.ImportContext, administrationId: AdministrationID, again: Bool,
        existing: JournalEntryRecord?
    ) async -> Result<ImportedRun, ImportError> {
        var sequence = 1
        if again {
            guard let next = try? self.database.nextImportSequence(administrationId: administrationId, source: .loket, reference: journalRunId) else {
                return .failure(.reimportNotAllowed)
            }
            sequence = next
        } else if let existing {
            return .success(ImportedRun(entryId: existing.id!, created: false))
        }
        guard let run = runs.first(where: { $0.id == journalRunId }) else { return .failure(.runNotFound) }
        do {
            return .success(try await self.store(run, of: runs, client: client, context: context, administrationId: administrationId, sequence: sequence))
        } catch {
            return .failure(Self.importError(error))
        }
    }

    /// THE import of one run — page, "Alles bijwerken" and `sync` alike: refuse what is not
    /// importable, fetch its results, make the draft, store it in one transaction (unique per run,
    /// so never twice).
    func store(
        _ run: LoketJournalRun, of runs: [LoketJournalRun], client: LoketAPIClient, context: AppDatabase.ImportContext, administrationId: AdministrationID, sequence: Int
    ) async throws -> ImportedRun {
        guard Self.isImportable(status: run.journalRunStatus.key) else {
            throw ImportError.notImportable(status: run.journalRunStatus.key, reason: Self.reason(status: run.journalRunStatus.key) ?? "")
        }
        let lines = try await client.journalRunResults(id: run.id)
        let draft = try Self.draft(
            run: run, isDifference: Self.isDifference(run, in: runs), lines: lines, link: context.link, administrationId: administrationId,
            sequence: sequence, settings: context.settings, accounts: context.accounts
        )
        let stored = try await self.database.storeImportedDraft(draft, at: self.now())
        // The evidence comes along: the journal report and the overview per employee. A failed
        // download stays pending (shown on the entry) and never undoes the import.
        if stored.created, let entry = try? self.database.entry(id: stored.entryId, administrationId: administrationId) {
            await Evidence(database: self.database, loket: self.loket, now: self.now).fetchLoketDocuments(entry: entry, client: client)
        }
        return ImportedRun(entryId: stored.entryId, created: stored.created)
    }

    /// Any error of an import as the import's own error.
    static func importError(_ error: any Error) -> ImportError {
        switch error {
        case let error as ImportError: error
        case let error as LoketError: .loket(error)
        case EntryError.beyondLimits(let reason): .beyondLimits(reason)
        default: .loket(.unreachable(endpoint: "journalruns"))
        }
    }

    /// The draft of one run, given the administration's settings and account codes (no I/O).
    static func draft(
        run: LoketJournalRun, isDifference: Bool, lines: [LoketJournalLine], link: LoketLinkRecord, administrationId: AdministrationID, sequence: Int,
        settings: AdministrationSettings, accounts: AccountLookup
    ) throws -> NewDraft {
        if let problem = JournalLimits.problem(amounts: lines.map { ($0.debitCents, $0.creditCents) }) {
            throw ImportError.beyondLimits(problem)
        }
        let period = run.payrollRun?.payrollPeriod
        guard let year = period?.year, let number = period?.periodNumber else { throw ImportError.noPeriod }
        let loketEnd = period?.periodEndDate.flatMap { try? CalendarDate.parse(String($0.prefix(10))) }
        guard let date = PayrollCalendar.entryDate(year: year, period: number, kind: PayrollPeriodKind(dutch: link.periodType), loketEndDate: loketEnd) else {
            throw ImportError.noPeriod
        }
        let newLines = lines.map { line in
            let description = [line.generalLedgerAccount.description, line.payrollComponent?.description].compactMap { $0 }.joined(separator: " – ")
            return NewLine(
                accountId: accounts.account(code: line.generalLedgerAccount.code, description: line.generalLedgerAccount.description),
                description: TextRules.cleaned(description, max: 200),
                costCenter: line.costCenter?.code,
                costUnit: line.costUnit?.code,
                debit: Money(cents: line.debitCents),
                credit: Money(cents: line.creditCents),
                original: NewLine.Original(
                    accountCode: line.generalLedgerAccount.code,
                    accountDescription: line.generalLedgerAccount.description,
                    costCenter: line.costCenter.map { [$0.code, $0.description].compactMap { $0 }.joined(separator: " ") },
                    costUnit: line.costUnit.map { [$0.code, $0.description].compactMap { $0 }.joined(separator: " ") },
                    component: line.payrollComponent.map { "\($0.key) \($0.description ?? "")" },
                    debit: Money(cents: line.debitCents),
                    credit: Money(cents: line.creditCents)
                )
            )
        }
        return NewDraft(
            administrationId: administrationId, source: .loket, sourceReference: run.id, sourceSequence: sequence,
            description: PayrollCalendar.description(year: year, period: number, run: run.sequenceNumber, isDifference: isDifference),
            entryDate: date, period: PayrollCalendar.financialPeriod(date: date, payrollPeriod: number, rule: settings.periodRule),
            isDifference: isDifference, payrollYear: year, payrollPeriod: number, loketRunSequence: run.sequenceNumber,
            loketPayrollRunId: run.payrollRun?.payrollRunId, lines: newLines
        )
    }

    /// Books a draft and tells Loket — the one place that does both, for the draft page,
    /// `sync --book` and anything later. Booking checks every rule at once (`EntryError`
    /// `.bookingRefused` lists them); once booked the entry stands whatever Loket answers.
    public func book(entryId: EntryID, administrationId: AdministrationID, beforeOriginal: Bool = false) async throws -> BookingResult {
        let entry = try self.database.book(entryId: entryId, administrationId: administrationId, beforeOriginal: beforeOriginal, at: self.now())
        return BookingResult(entry: entry, loket: await self.writeBack(entry: entry))
    }

    /// Tells Loket a booked run was processed (when the setting is on); the result is recorded
    /// and a failure can be retried — the booking stands either way.
    @discardableResult
    public func writeBack(entry: JournalEntryRecord) async -> LoketWriteBack {
        guard entry.isBooked, entry.source == .loket, let runId = entry.sourceReference,
            let settings = try? self.database.settings(administrationId: entry.administrationId), settings.markProcessedInLoket,
            let link = try? self.database.link(administrationId: entry.administrationId)
        else { return .notAsked }
        let message = "Geboekt in loonjournaal als \(entry.fiscalYear)-\(entry.number ?? 0)"
        do {
            let client = try self.loket.apiClient(connectionId: link.connectionId)
            try await client.markJournalRun(id: runId, action: .markAsProcessed, message: message)
            try? self.database.recordWriteback(entryId: entry.id!, journalRunId: runId, succeeded: true, message: "Loket bijgewerkt: verwerkt (\(message)).", at: self.now())
            return .marked
        } catch let error as LoketError {
            try? self.database.recordWriteback(entryId: entry.id!, journalRunId: runId, succeeded: false, message: error.explanation, at: self.now())
            return .failed
        } catch {
            try? self.database.recordWriteback(entryId: entry.id!, journalRunId: runId, succeeded: false, message: "Loket kon niet worden bijgewerkt.", at: self.now())
            return .failed
        }
    }
}

/// What the write-back to Loket did after a booking.
public enum LoketWriteBack: Sendable, Equatable {
    /// Not a Loket run, or the administration does not mark runs processed.
    case notAsked
    /// Loket marked the run processed.
    case marked
    /// Loket could not be told; recorded with the reason, and it can be retried.
    case failed
}

/// A booked entry and what Loket was told.
public struct BookingResult: Sendable {
    public let entry: JournalEntryRecord
    public let loket: LoketWriteBack
}
