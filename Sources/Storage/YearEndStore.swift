import Foundation
import GRDB
import Ledger

/// One line of Loket's cumulative journal results of a payroll year, as stored.
public struct LoketYearResult: Equatable, Sendable {
    public let accountCode: String
    public let accountDescription: String?
    public let debitCents: Int64
    public let creditCents: Int64

    public init(accountCode: String, accountDescription: String?, debitCents: Int64, creditCents: Int64) {
        self.accountCode = accountCode
        self.accountDescription = accountDescription
        self.debitCents = debitCents
        self.creditCents = creditCents
    }
}

/// A journal run of the year with results and no booked entry here: its totals per Loket account.
public struct LoketOpenRunTotal: Equatable, Sendable {
    public let journalRunId: String
    public let sequenceNumber: Int
    public let payrollPeriod: Int
    public let accountCode: String
    public let debitCents: Int64
    public let creditCents: Int64

    public init(journalRunId: String, sequenceNumber: Int, payrollPeriod: Int, accountCode: String, debitCents: Int64, creditCents: Int64) {
        self.journalRunId = journalRunId
        self.sequenceNumber = sequenceNumber
        self.payrollPeriod = payrollPeriod
        self.accountCode = accountCode
        self.debitCents = debitCents
        self.creditCents = creditCents
    }
}

/// What was last fetched from Loket for a payroll year of an administration.
public struct YearFigures: Equatable, Sendable {
    public let results: [LoketYearResult]
    public let openRuns: [LoketOpenRunTotal]
    /// nil: never fetched.
    public let refreshedAt: Date?
    /// The last refresh failed (the figures of `refreshedAt` stay).
    public let problem: String?
    public let problemAt: Date?
}

/// A booked entry with its lines, for the reconciliation.
public struct ReconciliationEntryRow: Equatable, Sendable {
    public let entry: JournalEntryRecord
    public let lines: [EntryLineRow]
}

extension AppDatabase {
    /// Replaces the stored Loket figures of a year in one transaction.
    public func replaceYearFigures(
        administrationId: AdministrationID, year: Int, results: [LoketYearResult], openRuns: [LoketOpenRunTotal], at now: Date
    ) async throws {
        try await self.writer.write { db in
            try db.execute(sql: "DELETE FROM loket_year_results WHERE administration_id = ? AND year = ?", arguments: [administrationId, year])
            try db.execute(sql: "DELETE FROM loket_year_open_runs WHERE administration_id = ? AND year = ?", arguments: [administrationId, year])
            for (position, result) in results.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO loket_year_results (administration_id, year, position, account_code, account_description, debit_cents, credit_cents)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [administrationId, year, position, TextRules.cleaned(result.accountCode, max: 100), result.accountDescription.map { TextRules.cleaned($0, max: 200) },
                                result.debitCents, result.creditCents]
                )
            }
            for run in openRuns {
                // Several lines of one account in a run are summed (netted) here.
                try db.execute(
                    sql: """
                        INSERT INTO loket_year_open_runs (administration_id, year, journal_run_id, sequence_number, payroll_period, account_code, debit_cents, credit_cents)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (administration_id, year, journal_run_id, account_code)
                        DO UPDATE SET debit_cents = debit_cents + excluded.debit_cents, credit_cents = credit_cents + excluded.credit_cents
                        """,
                    arguments: [administrationId, year, TextRules.cleaned(run.journalRunId, max: 100), run.sequenceNumber, run.payrollPeriod, TextRules.cleaned(run.accountCode, max: 100),
                                run.debitCents, run.creditCents]
                )
            }
            try db.execute(
                sql: """
                    INSERT INTO year_end_refreshes (administration_id, year, refreshed_at, problem, problem_at) VALUES (?, ?, ?, NULL, NULL)
                    ON CONFLICT (administration_id, year) DO UPDATE SET refreshed_at = excluded.refreshed_at, problem = NULL, problem_at = NULL
                    """,
                arguments: [administrationId, year, now]
            )
        }
    }

    /// A refresh that failed: the earlier figures stay, the problem is shown beside them.
    public func recordYearRefreshProblem(administrationId: AdministrationID, year: Int, problem: String, at now: Date) async throws {
        try await self.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO year_end_refreshes (administration_id, year, refreshed_at, problem, problem_at) VALUES (?, ?, NULL, ?, ?)
                    ON CONFLICT (administration_id, year) DO UPDATE SET problem = excluded.problem, problem_at = excluded.problem_at
                    """,
                arguments: [administrationId, year, TextRules.cleaned(problem, max: 1000), now]
            )
        }
    }

    public func yearFigures(administrationId: AdministrationID, year: Int) throws -> YearFigures {
        try self.writer.read { db in
            let results = try Row.fetchAll(
                db, sql: "SELECT * FROM loket_year_results WHERE administration_id = ? AND year = ? ORDER BY position", arguments: [administrationId, year]
            ).map { LoketYearResult(accountCode: $0["account_code"], accountDescription: $0["account_description"], debitCents: $0["debit_cents"], creditCents: $0["credit_cents"]) }
            let runs = try Row.fetchAll(
                db, sql: "SELECT * FROM loket_year_open_runs WHERE administration_id = ? AND year = ? ORDER BY sequence_number, account_code",
                arguments: [administrationId, year]
            ).map {
                LoketOpenRunTotal(
                    journalRunId: $0["journal_run_id"], sequenceNumber: $0["sequence_number"], payrollPeriod: $0["payroll_period"], accountCode: $0["account_code"],
                    debitCents: $0["debit_cents"], creditCents: $0["credit_cents"]
                )
            }
            let refresh = try Row.fetchOne(db, sql: "SELECT * FROM year_end_refreshes WHERE administration_id = ? AND year = ?", arguments: [administrationId, year])
            return YearFigures(
                results: results, openRuns: runs, refreshedAt: refresh?["refreshed_at"], problem: refresh?["problem"], problemAt: refresh?["problem_at"]
            )
        }
    }

    /// Booked entries of the fiscal year, and Loket entries of the payroll year booked in
    /// another fiscal year, with their lines.
    public func reconciliationEntries(administrationId: AdministrationID, year: Int) throws -> [ReconciliationEntryRow] {
        try self.writer.read { db in
            let entries = try JournalEntryRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM journal_entries WHERE administration_id = ? AND status = 'booked'
                    AND (fiscal_year = ? OR (source = 'loket' AND payroll_year = ?)) ORDER BY fiscal_year, number
                    """,
                arguments: [administrationId, year, year]
            )
            return try entries.map { ReconciliationEntryRow(entry: $0, lines: try self.lines($0.id!, db)) }
        }
    }

    /// Entries (any status) of the administration by journal-run id: which runs have a draft or a booking.
    public func entryStatesByJournalRun(administrationId: AdministrationID) throws -> [String: (booked: Bool, draft: Bool)] {
        try self.writer.read { db in
            var states: [String: (booked: Bool, draft: Bool)] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT source_reference AS run, MAX(status = 'booked') AS booked, MAX(status = 'draft') AS draft FROM journal_entries
                    WHERE administration_id = ? AND source = 'loket' AND source_reference IS NOT NULL GROUP BY source_reference
                    """,
                arguments: [administrationId]
            ) {
                states[row["run"]] = (row["booked"], row["draft"])
            }
            return states
        }
    }
}
