import Foundation
import GRDB
import Ledger
import Reports
import Testing

@testable import Storage

/// Issue 10, case 4: amounts are refused at the door, and an administration filled to its
/// limits still reads, sums and exports — the database refuses what would break it.
@Suite struct LimitsTests {
    static let max = JournalLimits.lineAmountCents
    static let half = JournalLimits.maxLinesPerEntry / 2

    /// An administration whose booked entries reach `administrationTotalCents` on both sides:
    /// two entries of 10.000 lines (5.000 × the line limit on each side).
    func maximalLedger(_ temp: TempDirectory) throws -> (AppDatabase, AdministrationRecord, [String: Int64]) {
        let database = try openDatabase(temp)
        let admin = try database.createAdministration(
            AdministrationDetails(code: "MAX", name: "Grootste klant B.V.", fiscalYear: 2026, vatNumber: "NL123456789B01"), at: jan
        )
        _ = try database.addStarterChart(administrationId: admin.id!, at: jan)
        let accounts = Dictionary(try database.accounts(administrationId: admin.id!).map { ($0.number, $0.id!) }, uniquingKeysWith: { a, _ in a })
        for month in 1...2 {
            let debit = (0..<Self.half).map { NewLine(accountId: accounts["4000"], description: "Lonen \($0)", costCenter: nil, costUnit: nil, debit: Money(cents: Self.max), credit: .zero, original: nil) }
            let credit = (0..<Self.half).map { NewLine(accountId: accounts["1710"], description: "Netto \($0)", costCenter: nil, costUnit: nil, debit: .zero, credit: Money(cents: Self.max), original: nil) }
            let (id, _) = try database.insertImportedDraft(
                NewDraft(
                    administrationId: admin.id!, source: .file, sourceReference: "max-\(month)", description: "Maximaal \(month)",
                    entryDate: CalendarDate.lastDay(ofMonth: month, year: 2026), period: month, lines: debit + credit
                ),
                at: jan
            )
            _ = try database.book(entryId: id, administrationId: admin.id!, at: jan)
        }
        return (database, try database.administration(id: admin.id!)!, accounts)
    }

    func smallDraft(_ database: AppDatabase, _ admin: AdministrationRecord, _ accounts: [String: Int64], reference: String) throws -> EntryID {
        try database.insertImportedDraft(
            NewDraft(
                administrationId: admin.id!, source: .file, sourceReference: reference, description: "Nog één", entryDate: CalendarDate.lastDay(ofMonth: 3, year: 2026),
                period: 3,
                lines: [
                    NewLine(accountId: accounts["4000"], description: "", costCenter: nil, costUnit: nil, debit: Money(cents: 1), credit: .zero, original: nil),
                    NewLine(accountId: accounts["1710"], description: "", costCenter: nil, costUnit: nil, debit: .zero, credit: Money(cents: 1), original: nil),
                ]
            ),
            at: jan
        ).entryId
    }

    @Test func aMaximalAdministrationStillSumsAndExportsAndRefusesMore() throws {
        let temp = try TempDirectory()
        let (database, admin, accounts) = try self.maximalLedger(temp)
        let cap = JournalLimits.administrationTotalCents
        // Every sum the ledger computes is exact at the limit.
        let trial = try database.trialBalance(administrationId: admin.id!, year: 2026, period: nil)
        #expect(trial.reduce(0) { $0 + $1.debitToDateCents } == cap)
        #expect(trial.reduce(0) { $0 + $1.creditToDateCents } == cap)
        let card = try database.accountCard(administrationId: admin.id!, accountId: accounts["4000"]!, year: 2026, limit: 10, offset: 2 * Self.half - 10)
        #expect(card.total == 2 * Self.half)
        #expect(card.lines.last?.1 == cap)
        #expect(try database.journalLines(administrationId: admin.id!, year: 2026, period: nil, accountId: nil, source: nil, limit: 5, offset: 0).total == 4 * Self.half)
        // One cent more on either side is refused at booking, with the reason, and by the database itself.
        let extra = try self.smallDraft(database, admin, accounts, reference: "extra")
        #expect {
            _ = try database.book(entryId: extra, administrationId: admin.id!, at: jan)
        } throws: { error in
            guard case EntryError.bookingRefused(let problems) = error, case .beyondLimits(let message) = problems.first else { return false }
            return message.contains("past niet meer in de administratie")
        }
        #expect(throws: DatabaseError.self) {
            try database.writer.write { db in
                try db.execute(sql: "UPDATE journal_entries SET status = 'booked', number = 99, booked_at = ? WHERE id = ?", arguments: [jan, extra])
            }
        }
        let booked = try database.entries(administrationId: admin.id!).filter(\.isBooked)
        #expect {
            _ = try database.reverse(entryId: booked[0].id!, administrationId: admin.id!, at: jan)
        } throws: { error in
            guard case EntryError.bookingRefused(let problems) = error, case .beyondLimits = problems.first else { return false }
            return true
        }
        #expect(try database.entries(administrationId: admin.id!).filter(\.isBooked).count == 2)
        // Both auditfiles and the CSV are written and the XAF validates.
        for (format, schema) in [(ExportFormat.xaf, "XmlAuditfileFinancieel3.2.xsd"), (ExportFormat.xaf4, "XmlAuditfileFinancieel4.0.xsd")] {
            let file = temp.url.appending(path: LedgerExporter.fileName(code: admin.code, year: 2026, format: format))
            try LedgerExporter(database: database, now: { jan }).export(administration: admin, year: 2026, format: format, to: file)
            let (status, output) = try ExportTests().xmllint(file, schema: schema)
            #expect(status == 0, "\(output.prefix(2000))")
            #expect(try String(contentsOf: file, encoding: .utf8).contains("<totalDebit>10000000000000.00</totalDebit>"))
        }
        let csv = temp.url.appending(path: "max.csv")
        try LedgerExporter(database: database, now: { jan }).export(administration: admin, year: 2026, format: .csv, to: csv)
        #expect(try String(contentsOf: csv, encoding: .utf8).contains("1000000000,00"))
    }

    @Test func theDatabaseRefusesAmountsBeyondTheLineLimitAndTooManyLines() throws {
        let temp = try TempDirectory()
        let database = try openDatabase(temp)
        let admin = try database.createAdministration(details("L1"), at: jan)
        _ = try database.addStarterChart(administrationId: admin.id!, at: jan)
        let accounts = Dictionary(try database.accounts(administrationId: admin.id!).map { ($0.number, $0.id!) }, uniquingKeysWith: { a, _ in a })
        // Through the app: refused with a message, nothing stored.
        let tooBig = NewDraft(
            administrationId: admin.id!, source: .file, sourceReference: "big", description: "Te groot", entryDate: CalendarDate.lastDay(ofMonth: 1, year: 2026), period: 1,
            lines: [
                NewLine(accountId: accounts["4000"], description: "", costCenter: nil, costUnit: nil, debit: Money(cents: Self.max + 1), credit: .zero, original: nil),
                NewLine(accountId: accounts["1710"], description: "", costCenter: nil, costUnit: nil, debit: .zero, credit: Money(cents: Self.max + 1), original: nil),
            ]
        )
        #expect {
            _ = try database.insertImportedDraft(tooBig, at: jan)
        } throws: { error in
            guard case EntryError.beyondLimits(let message) = error else { return false }
            return message.contains("Regel 1") && message.contains("€ 1.000.000.000,00")
        }
        var many = tooBig
        many.sourceReference = "many"
        many.lines = (0...JournalLimits.maxLinesPerEntry).map { index in
            NewLine(accountId: accounts["4000"], description: "", costCenter: nil, costUnit: nil, debit: Money(cents: 1), credit: .zero, original: nil)
        }
        #expect {
            _ = try database.insertImportedDraft(many, at: jan)
        } throws: { error in
            guard case EntryError.beyondLimits(let message) = error else { return false }
            return message.contains("hoogstens 10.000 regels")
        }
        #expect(try database.entries(administrationId: admin.id!).isEmpty)
        // Around the app (a mistake in a future door): the triggers refuse it.
        var ok = tooBig
        ok.sourceReference = "ok"
        ok.lines = ok.lines.map { var line = $0; line.debit = Money(cents: line.debit.cents > 0 ? 100 : 0); line.credit = Money(cents: line.credit.cents > 0 ? 100 : 0); return line }
        let (entryId, _) = try database.insertImportedDraft(ok, at: jan)
        #expect(throws: DatabaseError.self) {
            try database.writer.write { db in
                try db.execute(sql: "UPDATE journal_lines SET debit_cents = ? WHERE entry_id = ? AND debit_cents > 0", arguments: [Self.max + 1, entryId])
            }
        }
        #expect(throws: DatabaseError.self) {
            try database.writer.write { db in
                try db.execute(
                    sql: "INSERT INTO journal_lines (entry_id, position, account_id, debit_cents, credit_cents) VALUES (?, 3, ?, ?, 0)",
                    arguments: [entryId, accounts["4000"], Self.max + 1]
                )
            }
        }
        #expect(try database.entryLines(entryId: entryId).map(\.debitCents) == [100, 0])
    }

    /// Issue 10, case 5: whatever text the app accepts (and whatever Loket sends, cleaned on
    /// import) makes a well-formed auditfile that validates.
    @Test func everyAcceptedTextMakesAValidAuditfile() throws {
        let temp = try TempDirectory()
        let database = try openDatabase(temp)
        let family = "👨‍👩‍👧‍👦"
        let name = try AdministrationRules.validate(
            AdministrationInput(code: "TXT", name: "Café \(family) e\u{301} 🇳🇱 <&>", fiscalYear: "2026", vatNumber: "NL123456789B01")
        )
        let admin = try database.createAdministration(name, at: jan)
        let account = try database.addAccount(
            administrationId: admin.id!, ChartAccount(number: "4000", name: try AccountRules.name("Lonen \(family) – e\u{301}"), type: .profitAndLoss), at: jan
        )
        let other = try database.addAccount(administrationId: admin.id!, ChartAccount(number: "1710", name: "Netto", type: .balance), at: jan)
        // Loket text with characters XML does not allow: cleaned when stored.
        let hostile = "Loon\u{0}\u{1}\u{FFFE}\u{FFFF} – SALARIS"
        let (id, _) = try database.insertImportedDraft(
            NewDraft(
                administrationId: admin.id!, source: .loket, sourceReference: "run-x", description: "Loonjournaal \u{FFFF}", entryDate: CalendarDate.lastDay(ofMonth: 1, year: 2026),
                period: 1,
                lines: [
                    NewLine(accountId: account.id, description: hostile, costCenter: "K\u{0}1", costUnit: nil, debit: Money(cents: 100), credit: .zero,
                            original: .init(accountCode: "4000", accountDescription: hostile, costCenter: nil, costUnit: nil, component: nil, debit: Money(cents: 100), credit: .zero)),
                    NewLine(accountId: other.id, description: String(repeating: "e\u{301}", count: 150), costCenter: nil, costUnit: nil, debit: .zero, credit: Money(cents: 100), original: nil),
                ]
            ),
            at: jan
        )
        let lines = try database.entryLines(entryId: id)
        #expect(lines.allSatisfy { !$0.description.unicodeScalars.contains(where: TextRules.isNotXML) && TextRules.length($0.description) <= 200 })
        #expect(lines[1].description.unicodeScalars.count == 200)  // cut between characters, never inside one
        _ = try database.book(entryId: id, administrationId: admin.id!, at: jan)
        for (format, schema) in [(ExportFormat.xaf, "XmlAuditfileFinancieel3.2.xsd"), (ExportFormat.xaf4, "XmlAuditfileFinancieel4.0.xsd")] {
            let file = temp.url.appending(path: LedgerExporter.fileName(code: admin.code, year: 2026, format: format))
            try LedgerExporter(database: database, now: { jan }).export(administration: try database.administration(id: admin.id!)!, year: 2026, format: format, to: file)
            let (status, output) = try ExportTests().xmllint(file, schema: schema)
            #expect(status == 0, "\(output)")
            #expect(try String(contentsOf: file, encoding: .utf8).contains(family))
        }
    }
}
