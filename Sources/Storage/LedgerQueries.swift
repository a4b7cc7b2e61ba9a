import Foundation
import GRDB
import Ledger

/// Per account: debit and credit of one period (or the whole year) and of the year to date.
public struct TrialBalanceRow: Equatable, Sendable, FetchableRecord, Decodable {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public var accountId: Int64
    public var number: String
    public var name: String
    public var type: String
    public var debitCents: Int64
    public var creditCents: Int64
    public var debitToDateCents: Int64
    public var creditToDateCents: Int64
}

/// One booked line in the journal or on an account card.
public struct LedgerLineRow: Equatable, Sendable, FetchableRecord, Decodable {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public var entryId: Int64
    public var number: Int
    public var fiscalYear: Int
    public var entryDate: String
    public var period: Int
    public var entryDescription: String
    public var source: EntrySource
    public var position: Int
    public var accountId: Int64
    public var accountNumber: String
    public var accountName: String
    public var accountType: String
    public var rgsCode: String?
    public var description: String
    public var costCenter: String?
    public var costUnit: String?
    public var debitCents: Int64
    public var creditCents: Int64
}

/// Sums of booked lines.
public struct LedgerTotals: Equatable, Sendable {
    public var entries: Int
    public var lines: Int
    public var debit: Money
    public var credit: Money
}

/// A period of a fiscal year and whether it is closed.
public struct PeriodState: Equatable, Sendable {
    public var period: Int
    public var closed: Bool
    public var closedAt: Date?
    public var bookedEntries: Int
}

public enum PeriodError: Error, Equatable {
    case reasonRequired
    /// Too long, or with characters a text field cannot hold (the Dutch message).
    case invalidReason(String)
    case outOfRange
}

extension AppDatabase {
    static let ledgerLineSelect = """
        SELECT e.id AS entry_id, e.number, e.fiscal_year, e.entry_date, e.period, e.description AS entry_description, e.source,
               l.position, a.id AS account_id, a.number AS account_number, a.name AS account_name, a.type AS account_type, a.rgs_code,
               l.description, l.cost_center, l.cost_unit, l.debit_cents, l.credit_cents
        FROM journal_entries e
        JOIN journal_lines l ON l.entry_id = e.id
        JOIN ledger_accounts a ON a.id = l.account_id
        """

    /// Totals of the booked lines of a year (optionally one period) — the auditfile's control totals.
    public func ledgerTotals(administrationId: Int64, year: Int, period: Int? = nil) throws -> LedgerTotals {
        try self.writer.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(DISTINCT e.id) AS entries, COUNT(l.id) AS lines,
                           COALESCE(SUM(l.debit_cents), 0) AS debit, COALESCE(SUM(l.credit_cents), 0) AS credit
                    FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
                    WHERE e.administration_id = ? AND e.status = 'booked' AND e.fiscal_year = ? AND (? IS NULL OR e.period = ?)
                    """,
                arguments: [administrationId, year, period, period]
            )!
            return LedgerTotals(entries: row["entries"], lines: row["lines"], debit: Money(cents: row["debit"]), credit: Money(cents: row["credit"]))
        }
    }

    /// Streams every booked entry of a year with its lines, in entry-number order, without
    /// loading them all (one read transaction, a cursor).
    public func forEachBookedEntry(administrationId: Int64, year: Int, _ body: ([LedgerLineRow]) throws -> Void) throws {
        try self.writer.read { db in
            let cursor = try LedgerLineRow.fetchCursor(
                db,
                sql: Self.ledgerLineSelect + " WHERE e.administration_id = ? AND e.status = 'booked' AND e.fiscal_year = ? ORDER BY e.number, l.position, l.id",
                arguments: [administrationId, year]
            )
            var current: [LedgerLineRow] = []
            while let line = try cursor.next() {
                if let first = current.first, first.entryId != line.entryId {
                    try body(current)
                    current.removeAll(keepingCapacity: true)
                }
                current.append(line)
            }
            if !current.isEmpty { try body(current) }
        }
    }

    /// Booked lines of a year, newest entry first, filtered and paged (journal page).
    public func journalLines(
        administrationId: Int64, year: Int, period: Int?, accountId: Int64?, source: EntrySource?, limit: Int, offset: Int
    ) throws -> (lines: [LedgerLineRow], total: Int) {
        try self.writer.read { db in
            let filter = """
                 WHERE e.administration_id = ? AND e.status = 'booked' AND e.fiscal_year = ?
                   AND (? IS NULL OR e.period = ?) AND (? IS NULL OR l.account_id = ?) AND (? IS NULL OR e.source = ?)
                """
            let arguments: StatementArguments = [administrationId, year, period, period, accountId, accountId, source, source]
            let total = try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id JOIN ledger_accounts a ON a.id = l.account_id" + filter,
                arguments: arguments
            ) ?? 0
            let lines = try LedgerLineRow.fetchAll(
                db, sql: Self.ledgerLineSelect + filter + " ORDER BY e.number DESC, l.position LIMIT ? OFFSET ?",
                arguments: arguments + [limit, offset]
            )
            return (lines, total)
        }
    }

    /// One account's booked lines of a year, oldest first, with the running balance, paged.
    public func accountCard(administrationId: Int64, accountId: Int64, year: Int, limit: Int, offset: Int) throws -> (lines: [(LedgerLineRow, Int64)], total: Int) {
        try self.writer.read { db in
            let total = try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
                    WHERE e.administration_id = ? AND e.status = 'booked' AND e.fiscal_year = ? AND l.account_id = ?
                    """,
                arguments: [administrationId, year, accountId]
            ) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT * FROM (" + Self.ledgerLineSelect
                    + " WHERE e.administration_id = ? AND e.status = 'booked' AND e.fiscal_year = ? AND l.account_id = ?)"
                    + " ORDER BY entry_date, number, position LIMIT ? OFFSET ?",
                arguments: [administrationId, year, accountId, limit, offset]
            )
            let opening = try Int64.fetchOne(
                db,
                sql: """
                    SELECT COALESCE(SUM(debit_cents - credit_cents), 0) FROM (
                      SELECT l.debit_cents, l.credit_cents FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
                      WHERE e.administration_id = ? AND e.status = 'booked' AND e.fiscal_year = ? AND l.account_id = ?
                      ORDER BY e.entry_date, e.number, l.position LIMIT ?)
                    """,
                arguments: [administrationId, year, accountId, offset]
            ) ?? 0
            var running = opening
            var lines: [(LedgerLineRow, Int64)] = []
            for row in rows {
                let line = try LedgerLineRow(row: row)
                // Bounded by JournalLimits (at most 10^15); checked all the same.
                running = try (Money(cents: running) + Money(cents: line.debitCents) - Money(cents: line.creditCents)).cents
                lines.append((line, running))
            }
            return (lines, total)
        }
    }

    /// The trial balance: every account with booked lines in the year, with the chosen period's
    /// movements (the whole year when nil) and the year to date up to that period.
    public func trialBalance(administrationId: Int64, year: Int, period: Int?) throws -> [TrialBalanceRow] {
        try self.writer.read { db in
            try TrialBalanceRow.fetchAll(
                db,
                sql: """
                    SELECT a.id AS account_id, a.number, a.name, a.type,
                           COALESCE(SUM(CASE WHEN ? IS NULL OR e.period = ? THEN l.debit_cents END), 0) AS debit_cents,
                           COALESCE(SUM(CASE WHEN ? IS NULL OR e.period = ? THEN l.credit_cents END), 0) AS credit_cents,
                           COALESCE(SUM(CASE WHEN ? IS NULL OR e.period <= ? THEN l.debit_cents END), 0) AS debit_to_date_cents,
                           COALESCE(SUM(CASE WHEN ? IS NULL OR e.period <= ? THEN l.credit_cents END), 0) AS credit_to_date_cents
                    FROM ledger_accounts a
                    JOIN journal_lines l ON l.account_id = a.id
                    JOIN journal_entries e ON e.id = l.entry_id AND e.status = 'booked' AND e.fiscal_year = ?
                    WHERE a.administration_id = ?
                    GROUP BY a.id
                    ORDER BY a.number
                    """,
                arguments: [period, period, period, period, period, period, period, period, year, administrationId]
            )
        }
    }

    /// Periods 1–13 of a year with their state.
    public func periodStates(administrationId: Int64, year: Int) throws -> [PeriodState] {
        try self.writer.read { db in
            var closed: [Int: Date] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT period, closed_at FROM closed_periods WHERE administration_id = ? AND fiscal_year = ?", arguments: [administrationId, year]) {
                closed[row["period"]] = row["closed_at"]
            }
            var booked: [Int: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT period, COUNT(*) AS n FROM journal_entries WHERE administration_id = ? AND fiscal_year = ? AND status = 'booked' GROUP BY period",
                arguments: [administrationId, year]
            ) {
                booked[row["period"]] = row["n"]
            }
            return (1...13).map { PeriodState(period: $0, closed: closed[$0] != nil, closedAt: closed[$0], bookedEntries: booked[$0] ?? 0) }
        }
    }

    public func closePeriod(administrationId: Int64, year: Int, period: Int, at now: Date) throws {
        guard (1...13).contains(period) else { throw PeriodError.outOfRange }
        try self.writer.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO closed_periods (administration_id, fiscal_year, period, closed_at) VALUES (?, ?, ?, ?)",
                arguments: [administrationId, year, period, now]
            )
            try self.auditEntry(administrationId, "periode \(year)-\(period)", "afgesloten", "", now, db)
        }
    }

    /// Reopens a closed period; the reason is required and recorded.
    public func reopenPeriod(administrationId: Int64, year: Int, period: Int, reason: String, at now: Date) throws {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw PeriodError.reasonRequired }
        if let problem = TextRules.lineProblem(reason, max: 500, what: "De reden") { throw PeriodError.invalidReason(problem) }
        try self.writer.write { db in
            try db.execute(
                sql: "DELETE FROM closed_periods WHERE administration_id = ? AND fiscal_year = ? AND period = ?",
                arguments: [administrationId, year, period]
            )
            try self.auditEntry(administrationId, "periode \(year)-\(period)", "heropend", reason, now, db)
        }
    }

    /// The first period of the year that is not closed (offered when booking into a closed one).
    public func firstOpenPeriod(administrationId: Int64, year: Int) throws -> Int? {
        let closed = try self.closedPeriods(administrationId: administrationId, year: year)
        return (1...13).first { !closed.contains($0) }
    }
}

extension AppDatabase {
    /// Benchmark data: `lines` booked lines in entries of ten, straight into the tables (drafts
    /// first, then booked, as the triggers require). One transaction.
    public func fillBenchmarkLedger(administrationId: Int64, year: Int, lines: Int) throws {
        try self.writer.write { db in
            let accounts = try Int64.fetchAll(db, sql: "SELECT id FROM ledger_accounts WHERE administration_id = ? ORDER BY number", arguments: [administrationId])
            let entry = try db.makeStatement(
                sql: """
                    INSERT INTO journal_entries (administration_id, status, source, source_reference, description, entry_date, fiscal_year, period, created_at, updated_at)
                    VALUES (?, 'draft', 'manual', NULL, ?, ?, ?, ?, ?, ?)
                    """
            )
            let line = try db.makeStatement(
                sql: "INSERT INTO journal_lines (entry_id, position, account_id, description, cost_center, debit_cents, credit_cents) VALUES (?, ?, ?, ?, ?, ?, ?)"
            )
            let book = try db.makeStatement(sql: "UPDATE journal_entries SET status = 'booked', number = ?, booked_at = ? WHERE id = ?")
            let now = Date()
            let entries = (lines + 9) / 10
            var written = 0
            for number in 1...entries {
                let month = (number - 1) * 12 / entries + 1
                let date = CalendarDate.lastDay(ofMonth: month, year: year)
                try entry.execute(arguments: [administrationId, "Loonjournaal \(year) periode \(month) (bench \(number))", date.iso, year, month, now, now])
                let id = db.lastInsertedRowID
                let count = min(10, lines - written)
                for position in 1...count {
                    let amount = Int64(10_000 + (number * 7 + position * 13) % 90_000)
                    let isLast = position == count
                    let debit = position % 2 == 1 && !isLast ? amount : 0
                    let credit = debit == 0 ? amount : 0
                    try line.execute(arguments: [id, position, accounts[(number + position) % accounts.count], "regel \(position)", position % 3 == 0 ? "SAL073" : nil, debit, credit])
                }
                // Balance the entry on its last line.
                let sums = try Row.fetchOne(db, sql: "SELECT SUM(debit_cents) AS d, SUM(credit_cents) AS c FROM journal_lines WHERE entry_id = ? AND position < ?", arguments: [id, count])
                let difference = (sums?["d"] as Int64? ?? 0) - (sums?["c"] as Int64? ?? 0)
                try db.execute(
                    sql: "UPDATE journal_lines SET debit_cents = ?, credit_cents = ? WHERE entry_id = ? AND position = ?",
                    arguments: [max(-difference, 0), max(difference, 0), id, count]
                )
                try book.execute(arguments: [number, now, id])
                written += count
            }
        }
    }
}

extension AppDatabase {
    /// Benchmark yardstick: `count` single durable commits (one audit row each, WAL with
    /// `synchronous=FULL`, like every write of the app). Returns the time they took.
    public func benchmarkSingleCommits(count: Int) throws -> Duration {
        let clock = ContinuousClock()
        return try clock.measure {
            for index in 0..<count {
                try self.writer.write { db in
                    try self.auditEntry(nil, "benchmark", "commit", "\(index)", Date(), db)
                }
            }
        }
    }
}
