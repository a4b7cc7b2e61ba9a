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

/// One row of the runs page.
public struct RunRow: Sendable {
    public let run: LoketJournalRun
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
    public func overview(administrationId: Int64) async throws(ImportError) -> RunsOverview {
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
                            && $0.payrollRun?.payrollRunId == run.payrollRun?.payrollRunId && $0.journalRunStatus.key >= 4
                    }
                    state = recalculated ? .recalculatedAfterBooking : .booked
                }
                rows.append(
                    RunRow(
                        run: run, state: state, entry: latest, isDifference: difference,
                        importable: latest == nil && run.journalRunStatus.key >= 4,
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
            $0.sequenceNumber < run.sequenceNumber && $0.payrollRun?.payrollRunId == payrollRunId && $0.journalRunStatus.key >= 4
        }
    }

    /// Imports one run as a draft (one transaction). A run that has an entry already returns that
    /// entry; with `again`, a run whose entries are all reversed gets a new draft.
    public func importRun(administrationId: Int64, journalRunId: String, again: Bool = false) async throws(ImportError) -> (entryId: Int64, created: Bool) {
        guard let link = try? self.database.link(administrationId: administrationId) else { throw .notLinked }
        var sequence = 1
        if again {
            do {
                sequence = try self.database.nextImportSequence(administrationId: administrationId, source: .loket, reference: journalRunId)
            } catch {
                throw .reimportNotAllowed
            }
        } else if let existing = try? self.database.entriesByJournalRun(administrationId: administrationId)[journalRunId]?.first {
            return (existing.id!, false)
        }
        do {
            let client = try self.loket.apiClient(connectionId: link.connectionId)
            let runs = try await client.journalRuns(payrollAdministrationId: link.payrollAdministrationId)
            guard let run = runs.first(where: { $0.id == journalRunId }) else { throw ImportError.runNotFound }
            guard run.journalRunStatus.key >= 4 else {
                throw ImportError.notImportable(status: run.journalRunStatus.key, reason: Self.reason(status: run.journalRunStatus.key) ?? "")
            }
            let lines = try await client.journalRunResults(id: run.id)
            let draft = try self.makeDraft(run: run, isDifference: Self.isDifference(run, in: runs), lines: lines, link: link, administrationId: administrationId, sequence: sequence)
            return try self.database.insertImportedDraft(draft, at: self.now())
        } catch let error as ImportError {
            throw error
        } catch let error as LoketError {
            throw .loket(error)
        } catch EntryError.beyondLimits(let reason) {
            throw .beyondLimits(reason)
        } catch {
            throw .loket(.unreachable(endpoint: "journalruns"))
        }
    }

    func makeDraft(run: LoketJournalRun, isDifference: Bool, lines: [LoketJournalLine], link: LoketLinkRecord, administrationId: Int64, sequence: Int) throws -> NewDraft {
        let settings = try self.database.settings(administrationId: administrationId)
        let accounts = try self.database.accountsForLoketCodes(administrationId: administrationId, codes: Set(lines.map(\.generalLedgerAccount.code)))
        return try Self.draft(
            run: run, isDifference: isDifference, lines: lines, link: link, administrationId: administrationId, sequence: sequence,
            settings: settings, accounts: accounts
        )
    }

    /// The draft of one run, given the administration's settings and account codes (no I/O).
    static func draft(
        run: LoketJournalRun, isDifference: Bool, lines: [LoketJournalLine], link: LoketLinkRecord, administrationId: Int64, sequence: Int,
        settings: AdministrationSettings, accounts: [String: Int64]
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
                accountId: accounts[line.generalLedgerAccount.code],
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

    /// Tells Loket a booked run was processed (when the setting is on); the result is recorded
    /// and a failure can be retried — the booking stands either way.
    @discardableResult
    public func writeBack(entry: JournalEntryRecord) async -> Bool? {
        guard entry.isBooked, entry.source == .loket, let runId = entry.sourceReference,
            let settings = try? self.database.settings(administrationId: entry.administrationId), settings.markProcessedInLoket,
            let link = try? self.database.link(administrationId: entry.administrationId)
        else { return nil }
        let message = "Geboekt in loonjournaal als \(entry.fiscalYear)-\(entry.number ?? 0)"
        do {
            let client = try self.loket.apiClient(connectionId: link.connectionId)
            try await client.markJournalRun(id: runId, action: .markAsProcessed, message: message)
            try? self.database.recordWriteback(entryId: entry.id!, journalRunId: runId, succeeded: true, message: "Loket bijgewerkt: verwerkt (\(message)).", at: self.now())
            return true
        } catch let error as LoketError {
            try? self.database.recordWriteback(entryId: entry.id!, journalRunId: runId, succeeded: false, message: error.explanation, at: self.now())
            return false
        } catch {
            try? self.database.recordWriteback(entryId: entry.id!, journalRunId: runId, succeeded: false, message: "Loket kon niet worden bijgewerkt.", at: self.now())
            return false
        }
    }
}
