import Foundation
import GRDB
import Ledger
import Storage

/// Development only (`bench-export`, `bench-sync`): data and yardsticks for `scripts/bench`,
/// written with their own connection to the database file — the app's `AppDatabase` offers
/// only intent-named writes, and these are not the app's.
public enum BenchmarkFixtures {
    /// `lines` booked lines in entries of ten, straight into the tables (drafts first, then
    /// booked, as the triggers require). One transaction.
    public static func fillLedger(databaseURL: URL, administrationId: AdministrationID, year: Int, lines: Int) throws {
        let queue = try DatabaseQueue(path: databaseURL.path)
        try queue.write { db in
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

    /// The yardstick of a bulk sync: `count` single durable commits (one audit row each, WAL
    /// with `synchronous=FULL`, like every write of the app) in the database file. Returns the time.
    public static func singleCommits(databaseURL: URL, count: Int) throws -> Duration {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let queue = try DatabaseQueue(path: databaseURL.path, configuration: configuration)
        return try ContinuousClock().measure {
            for index in 0..<count {
                try queue.write { db in
                    try db.execute(
                        sql: "INSERT INTO audit_log (administration_id, occurred_at, subject, action, details) VALUES (NULL, ?, 'benchmark', 'commit', ?)",
                        arguments: [Date(), String(index)]
                    )
                }
            }
        }
    }

    /// The report pages' yardsticks: an administration with `accounts` accounts (balance and P&L)
    /// and booked entries in every period 1–13 touching every account; and one with a draft that
    /// uses `unknown` Loket accounts it has no account for. Returns both administration ids.
    public static func reportAdministrations(database: AppDatabase, databaseURL: URL, accounts: Int = 500, unknown: Int = 40, year: Int = 2026) throws
        -> (trialBalance: AdministrationID, mapping: AdministrationID)
    {
        let now = Date()
        let big = try database.createAdministration(AdministrationDetails(code: "BENCH-TB", name: "Proefbalans \(accounts) rekeningen B.V.", fiscalYear: year), at: now)
        let chart = (0..<accounts).map { index -> ChartAccount in
            let number = String(1000 + index * 17)
            return ChartAccount(number: number, name: "Rekening \(number)", type: AccountMatching.proposedType(number: number))
        }
        _ = try database.importAccounts(administrationId: big.id!, chart, source: "bench", at: now)
        let queue = try DatabaseQueue(path: databaseURL.path)
        try queue.write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM ledger_accounts WHERE administration_id = ? ORDER BY number", arguments: [big.id!])
            let entry = try db.makeStatement(
                sql: """
                    INSERT INTO journal_entries (administration_id, status, source, source_reference, description, entry_date, fiscal_year, period, created_at, updated_at)
                    VALUES (?, 'draft', 'manual', NULL, ?, ?, ?, ?, ?, ?)
                    """
            )
            let line = try db.makeStatement(
                sql: "INSERT INTO journal_lines (entry_id, position, account_id, description, debit_cents, credit_cents) VALUES (?, ?, ?, ?, ?, ?)"
            )
            for period in 1...13 {
                let date = CalendarDate.lastDay(ofMonth: min(period, 12), year: year)
                try entry.execute(arguments: [big.id!, "Periode \(period) (bench)", date.iso, year, period, now, now])
                let id = db.lastInsertedRowID
                // Every account once, in pairs that balance.
                for (position, account) in ids.enumerated() {
                    let amount = Int64(10_000 + (period * 31 + position / 2 * 7) % 90_000)
                    try line.execute(arguments: [id, position + 1, account, "regel \(position + 1)", position % 2 == 0 ? amount : 0, position % 2 == 0 ? 0 : amount])
                }
                if ids.count % 2 == 1 { try db.execute(sql: "DELETE FROM journal_lines WHERE entry_id = ? AND position = ?", arguments: [id, ids.count]) }
                try db.execute(sql: "UPDATE journal_entries SET status = 'booked', number = ?, booked_at = ? WHERE id = ?", arguments: [period, now, id])
            }
        }
        let small = try database.createAdministration(AdministrationDetails(code: "BENCH-MAP", name: "Koppelscherm \(unknown) rekeningen B.V.", fiscalYear: year), at: now)
        _ = try database.addStarterChart(administrationId: small.id!, at: now)
        let lines = (0..<unknown).flatMap { index -> [NewLine] in
            let code = String(6000 + index)
            let original = NewLine.Original(accountCode: code, accountDescription: "Looncomponent \(index) vergoeding", costCenter: nil, costUnit: nil, component: nil, debit: Money(cents: 10_000), credit: .zero)
            let contra = NewLine.Original(accountCode: "1710", accountDescription: "Te betalen nettolonen", costCenter: nil, costUnit: nil, component: nil, debit: .zero, credit: Money(cents: 10_000))
            return [
                NewLine(accountId: nil, description: "Looncomponent \(index)", costCenter: nil, costUnit: nil, debit: Money(cents: 10_000), credit: .zero, original: original),
                NewLine(accountId: nil, description: "Netto", costCenter: nil, costUnit: nil, debit: .zero, credit: Money(cents: 10_000), original: contra),
            ]
        }
        _ = try database.insertImportedDraft(
            NewDraft(
                administrationId: small.id!, source: .file, sourceReference: "bench-mapping", description: "Koppelscherm (bench)",
                entryDate: CalendarDate.lastDay(ofMonth: 1, year: year), period: 1, lines: lines
            ),
            at: now
        )
        return (big.id!, small.id!)
    }
}
