import Foundation
import Ledger
import Reports
import Testing

@testable import Storage

/// Exports of the booked ledger: valid against the official XSDs, and read back to the cent.
@Suite struct ExportTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schemas = repository.deletingLastPathComponent().appending(path: "shared/reference/xaf")

    /// An administration with company data, the starter chart and a few booked payroll entries (one reversed).
    func bookedLedger(_ temp: TempDirectory) throws -> (AppDatabase, AdministrationRecord) {
        let database = try openDatabase(temp)
        let admin = try database.createAdministration(
            AdministrationDetails(
                code: "L5001", name: "Bakkerij De Gouden Korst & Zn <B.V.>", fiscalYear: 2026, chamberOfCommerceNumber: "12345678",
                vatNumber: "NL123456789B01", street: "Dorpsstraat 1", postalCode: "1234 AB", city: "Utrecht"
            ),
            at: jan
        )
        _ = try database.addStarterChart(administrationId: admin.id!, at: jan)
        let accounts = Dictionary(try database.accounts(administrationId: admin.id!).map { ($0.number, $0.id!) }, uniquingKeysWith: { a, _ in a })
        var entries: [EntryID] = []
        for month in 1...3 {
            let gross = Int64(1_000_000 + month * 12_345)
            let tax = gross * 30 / 100
            let draft = NewDraft(
                administrationId: admin.id!, source: .loket, sourceReference: "run-\(month)", description: "Loonjournaal 2026 periode 0\(month) (run \(month))",
                entryDate: CalendarDate.lastDay(ofMonth: month, year: 2026), period: month,
                lines: [
                    NewLine(accountId: accounts["4000"], description: "Lonen – SALARIS", costCenter: "SAL073", costUnit: "01", debit: Money(cents: gross), credit: .zero, original: nil),
                    NewLine(accountId: accounts["1700"], description: "Loonheffing", costCenter: nil, costUnit: nil, debit: .zero, credit: Money(cents: tax), original: nil),
                    NewLine(accountId: accounts["1710"], description: "Netto", costCenter: nil, costUnit: nil, debit: .zero, credit: Money(cents: gross - tax), original: nil),
                ]
            )
            let (id, _) = try database.insertImportedDraft(draft, at: jan)
            _ = try database.book(entryId: id, administrationId: admin.id!, at: jan)
            entries.append(id)
        }
        _ = try database.reverse(entryId: entries[1], administrationId: admin.id!, at: jan)
        return (database, try database.administration(id: admin.id!)!)
    }

    func xmllint(_ file: URL, schema: String) throws -> (Int32, String) {
        let candidates = ["/usr/bin/xmllint", "/usr/local/bin/xmllint"]
        let tool = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) }, "xmllint missing: scripts/setup --test installs libxml2-utils")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--noout", "--schema", Self.schemas.appending(path: schema).path, file.path]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    /// Per account: debit minus credit, from the trial balance.
    func trialBalance(_ database: AppDatabase, _ admin: AdministrationRecord) throws -> [String: Int64] {
        Dictionary(try database.trialBalance(administrationId: admin.id!, year: 2026, period: nil).map { ($0.number, $0.debitCents - $0.creditCents) }, uniquingKeysWith: { a, _ in a })
    }

    @Test(arguments: [(ExportFormat.xaf, "XmlAuditfileFinancieel3.2.xsd"), (ExportFormat.xaf4, "XmlAuditfileFinancieel4.0.xsd")])
    func auditfilesAreValidAndAddUpToTheTrialBalance(format: ExportFormat, schema: String) throws {
        let temp = try TempDirectory()
        let (database, admin) = try self.bookedLedger(temp)
        let file = temp.url.appending(path: LedgerExporter.fileName(code: admin.code, year: 2026, format: format))
        try LedgerExporter(database: database, now: { jan }).export(administration: admin, year: 2026, format: format, to: file)
        let (status, output) = try self.xmllint(file, schema: schema)
        #expect(status == 0, "\(output)")
        #expect(output.contains("validates"))
        let xml = try String(contentsOf: file, encoding: .utf8)
        #expect(xml.contains("&amp; Zn &lt;B.V.&gt;"))
        #expect(xml.contains("<jrnTp>M</jrnTp>"))
        if format == .xaf4 { #expect(xml.contains("<RGScode>WPerLes</RGScode>")) }
        // Read the lines back: per account the same totals as the trial balance, to the cent.
        var perAccount: [String: Int64] = [:]
        var lines = 0
        for match in xml.matches(of: /<trLine><nr>\d+<\/nr><accID>([^<]+)<\/accID>.*?<amnt>(\d+)\.(\d\d)<\/amnt><amntTp>([DC])<\/amntTp>/) {
            let cents = Int64(match.2)! * 100 + Int64(match.3)!
            perAccount[String(match.1), default: 0] += match.4 == "D" ? cents : -cents
            lines += 1
        }
        #expect(perAccount == (try self.trialBalance(database, admin)))
        let totals = try database.ledgerTotals(administrationId: admin.id!, year: 2026)
        #expect(lines == totals.lines)
        #expect(xml.contains("<linesCount>\(totals.lines)</linesCount><totalDebit>\(AuditfileWriter.amount(totals.debit))</totalDebit>"))
    }

    @Test func csvIsForDutchExcelAndAddsUpToTheTrialBalance() throws {
        let temp = try TempDirectory()
        let (database, admin) = try self.bookedLedger(temp)
        let file = temp.url.appending(path: "export.csv")
        try LedgerExporter(database: database).export(administration: admin, year: 2026, format: .csv, to: file)
        let bytes = try Data(contentsOf: file)
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let rows = String(decoding: bytes.dropFirst(3), as: UTF8.self).split(separator: "\r\n").map { $0.split(separator: ";", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows[0] == ["boekingsnummer", "datum", "periode", "rekening", "rekeningnaam", "omschrijving", "kostenplaats", "kostendrager", "debet", "credit"])
        var perAccount: [String: Int64] = [:]
        for row in rows.dropFirst() {
            #expect(row.count == 10)
            let debit = row[8].isEmpty ? 0 : try Money.parse(row[8]).cents
            let credit = row[9].isEmpty ? 0 : try Money.parse(row[9]).cents
            perAccount[row[3], default: 0] += debit - credit
        }
        #expect(perAccount == (try self.trialBalance(database, admin)))
        #expect(rows.contains { $0[1] == "31-01-2026" && $0[6] == "SAL073" && $0[8] == "10123,45" })
    }

    @Test func accountCardPagesCarryTheRunningBalanceOver() throws {
        let temp = try TempDirectory()
        let (database, admin) = try self.bookedLedger(temp)
        let wages = try #require(try database.accounts(administrationId: admin.id!).first { $0.number == "4000" })
        let all = try database.accountCard(administrationId: admin.id!, accountId: wages.id!, year: 2026, limit: 100, offset: 0)
        #expect(all.total == 4)
        let second = try database.accountCard(administrationId: admin.id!, accountId: wages.id!, year: 2026, limit: 2, offset: 2)
        #expect(second.lines.map(\.1) == all.lines.suffix(2).map(\.1))
        let final = try #require(all.lines.last?.1)
        let balance = try #require(try database.trialBalance(administrationId: admin.id!, year: 2026, period: nil).first { $0.number == "4000" })
        #expect(final == balance.debitToDateCents - balance.creditToDateCents)
    }

    @Test func missingCompanyDataAndEmptyYearsAreNamedAndNothingIsWritten() throws {
        let temp = try TempDirectory()
        let database = try openDatabase(temp)
        let bare = try database.createAdministration(details("LEEG"), at: jan)
        let file = temp.url.appending(path: "leeg.xaf")
        #expect(throws: ExportError.missingCompanyData(["het btw-identificatienummer of het RSIN (bij Gegevens wijzigen)"])) {
            try LedgerExporter(database: database).export(administration: bare, year: 2026, format: .xaf, to: file)
        }
        #expect(throws: ExportError.noBookedEntries(year: 2026)) {
            try LedgerExporter(database: database).export(administration: bare, year: 2026, format: .csv, to: file)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.url.path).filter { $0.hasSuffix(".tmp") || $0.hasPrefix("leeg") }.isEmpty)
    }

    @Test func periodsCloseAndReopenWithAReasonAndBookingIntoAClosedPeriodIsRefused() throws {
        let temp = try TempDirectory()
        let (database, admin) = try self.bookedLedger(temp)
        let id = admin.id!
        try database.closePeriod(administrationId: id, year: 2026, period: 4, at: jan)
        #expect(try database.periodStates(administrationId: id, year: 2026)[3].closed)
        #expect(try database.firstOpenPeriod(administrationId: id, year: 2026) == 1)
        let accounts = Dictionary(try database.accounts(administrationId: id).map { ($0.number, $0.id!) }, uniquingKeysWith: { a, _ in a })
        let draft = NewDraft(
            administrationId: id, source: .manual, sourceReference: nil, description: "April", entryDate: CalendarDate(year: 2026, month: 4, day: 30)!, period: 4,
            lines: [
                NewLine(accountId: accounts["4000"], description: "", costCenter: nil, costUnit: nil, debit: Money(cents: 100), credit: .zero, original: nil),
                NewLine(accountId: accounts["1710"], description: "", costCenter: nil, costUnit: nil, debit: .zero, credit: Money(cents: 100), original: nil),
            ]
        )
        let (entry, _) = try database.insertImportedDraft(draft, at: jan)
        #expect(throws: EntryError.bookingRefused([.closedPeriod(year: 2026, period: 4)])) { _ = try database.book(entryId: entry, administrationId: id, at: jan) }
        #expect(throws: PeriodError.reasonRequired) { try database.reopenPeriod(administrationId: id, year: 2026, period: 4, reason: "  ", at: jan) }
        try database.reopenPeriod(administrationId: id, year: 2026, period: 4, reason: "Correctie loonheffing april", at: jan)
        #expect(try database.auditEntries(administrationId: id).contains { $0.action == "heropend" && $0.details == "Correctie loonheffing april" })
        #expect(try database.book(entryId: entry, administrationId: id, at: jan).number == 5)
    }
}
