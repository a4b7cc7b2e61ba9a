import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import LoketSandbox
import Testing

@testable import Storage
@testable import WebApp

@Suite struct LedgerPagesTests {
    /// Connect, link, import and book February and March of the bakery.
    func bookedBakery(_ h: Harness) async throws -> AdministrationID {
        let ids = try await h.linkedWithStarterChart()
        let bakery = ids[Seed.bakery]!
        for run in [Seed.run(admin: 1, 2), Seed.run(admin: 1, 6)] {
            let entryId = try await h.importRun(bakery, run)
            let path = "/administraties/\(bakery)/boekingen/\(entryId)"
            let booked = try await h.post(path, try RunImportTests.formFields(try await h.get(path).body) + [("action", "book")])
            #expect(booked.status == .seeOther)
        }
        return bakery
    }

    @Test func journalTrialBalanceAndAccountCardReconcile() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let bakery = try await self.bookedBakery(h)
            let journal = try await h.get("/administraties/\(bakery)/grootboek?jaar=2026")
            #expect(journal.status == .ok)
            #expect(journal.body.contains("2026-1") && journal.body.contains("2026-2"))
            let debit = try #require(journal.body.firstMatch(of: /id="journal-debit">([^<]+)</)).1
            let credit = try #require(journal.body.firstMatch(of: /id="journal-credit">([^<]+)</)).1
            #expect(debit == credit)
            let trial = try await h.get("/administraties/\(bakery)/proefbalans?jaar=2026")
            #expect(trial.body.contains("(sluit)"))
            #expect(try #require(trial.body.firstMatch(of: /id="tb-debit">([^<]+)</)).1 == debit)
            // A real trial balance: balance sheet and P&L each with a subtotal, the balance split
            // into debit and credit, the result; the CSV has the same totals to the cent.
            #expect(trial.body.contains("Totaal balans") && trial.body.contains("Totaal winst en verlies"))
            #expect(trial.body.contains("id=\"tb-result-to-date\">verlies "))
            let toDate = try #require(trial.body.firstMatch(of: /id="tb-debit-to-date">([^<]+)</)).1
            #expect(toDate == debit)
            let csvLink = try #require(trial.body.firstMatch(of: /href="([^"]+)" id="tb-csv"/)).1.replacingOccurrences(of: "&amp;", with: "&")
            let csv = try await h.get(String(csvLink))
            #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition]?.contains("proefbalans-") == true)
            let totalRow = try #require(csv.body.split(separator: "\r\n").first { $0.hasPrefix(";Totaal;") }).split(separator: ";", omittingEmptySubsequences: false)
            let pageCents = debit.replacingOccurrences(of: ".", with: "")
            #expect(totalRow[3] == pageCents && totalRow[4] == pageCents && totalRow[5] == pageCents && totalRow[6] == pageCents)
            #expect(csv.body.contains(";Totaal balans;") && csv.body.contains(";Totaal winst en verlies;") && csv.body.contains(";Resultaat t/m;"))
            // Balance debit total equals balance credit total (the balance sheet and P&L close together).
            #expect(totalRow[7] == totalRow[8])
            #expect(try await h.get("/administraties/\(bakery)/proefbalans?jaar=2026&formaat=pdf").status == .badRequest)
            let february = try await h.get("/administraties/\(bakery)/proefbalans?jaar=2026&periode=2")
            #expect(february.body.contains("februari 2026"))
            // A monthly administration has twelve periods with month names.
            let periods = try await h.get("/administraties/\(bakery)/perioden?jaar=2026")
            #expect(periods.body.contains("<td>maart</td>") && !periods.body.contains("data-period=\"13\""))
            let wages = try #require(try h.database.accounts(administrationId: bakery).first { $0.number == "4000" })
            let card = try await h.get("/administraties/\(bakery)/grootboek/rekening/\(wages.id!)?jaar=2026")
            #expect(card.status == .ok)
            let expected = try h.database.trialBalance(administrationId: bakery, year: 2026, period: nil).first { $0.number == "4000" }!
            #expect(card.body.contains("id=\"card-balance\">\(Money(cents: expected.debitToDateCents - expected.creditToDateCents).dutch)<"))
            // Paging and filters.
            let filtered = try await h.get("/administraties/\(bakery)/grootboek?jaar=2026&periode=4&rekening=\(wages.id!)")
            #expect(filtered.body.contains("2026-2") && !filtered.body.contains(">2026-1<"))
        }
    }

    @Test func periodsCloseAndReopenAndBookingIntoAClosedPeriodOffersTheFirstOpenOne() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            #expect(try await h.post("/administraties/\(bakery)/perioden/2/afsluiten", [("jaar", "2026")]).status == .seeOther)
            #expect(try await h.get("/administraties/\(bakery)/perioden?jaar=2026").body.contains("afgesloten op"))
            let entryId = try await h.importRun(bakery, Seed.run(admin: 1, 2))
            let path = "/administraties/\(bakery)/boekingen/\(entryId)"
            let refused = try await h.post(path, try RunImportTests.formFields(try await h.get(path).body) + [("action", "book")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("Periode 2 van 2026 is afgesloten."))
            #expect(refused.body.contains("De eerste open periode van 2026 is periode 1"))
            let noReason = try await h.post("/administraties/\(bakery)/perioden/2/heropenen", [("jaar", "2026"), ("reason", "")])
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.body.contains("Geef een reden op"))
            #expect(try await h.post("/administraties/\(bakery)/perioden/2/heropenen", [("jaar", "2026"), ("reason", "Late correctie")]).status == .seeOther)
            #expect(try h.database.auditEntries(administrationId: bakery).contains { $0.details == "Late correctie" })
            #expect(try await h.post(path, try RunImportTests.formFields(try await h.get(path).body) + [("action", "book")]).status == .seeOther)
            #expect(try await h.get("/administraties/\(bakery)/perioden/2/afsluiten").status == .notFound)
        }
    }

    /// A booking date outside the entry's period is refused with the fix named.
    @Test func aBookingDateOutsideItsPeriodIsRefusedWithTheFix() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let entryId = try await h.importRun(bakery, Seed.run(admin: 1, 2))
            let path = "/administraties/\(bakery)/boekingen/\(entryId)"
            let fields = RunImportTests.replacing(try RunImportTests.formFields(try await h.get(path).body), "entryDate", with: "31-01-2026")
            let refused = try await h.post(path, fields + [("action", "book")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("De boekdatum 31-01-2026 valt in januari, niet in periode 2 (februari). Kies een datum in februari of zet de periode op 1."))
            #expect(try h.database.entry(id: entryId, administrationId: bakery)?.status == .draft)
            // The refused page keeps what was typed; following the advice books it.
            let fixed = RunImportTests.replacing(try RunImportTests.formFields(refused.body), "period", with: "1")
            #expect(try await h.post(path, fixed + [("action", "book")]).status == .seeOther)
            #expect(try h.database.entry(id: entryId, administrationId: bakery)?.period == 1)
        }
    }

    /// A booked entry in a closed period is reversed in the first open period after it, as
    /// proposed on its page; a period chosen otherwise is checked like any booking.
    @Test func aReversalIntoAClosedPeriodGoesToTheFirstOpenOne() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let bakery = try await self.bookedBakery(h)
            let entry = try #require(try h.database.entries(administrationId: bakery).first { $0.period == 2 && $0.isBooked })
            let path = "/administraties/\(bakery)/boekingen/\(entry.id!)"
            for period in [2, 3] { #expect(try await h.post("/administraties/\(bakery)/perioden/\(period)/afsluiten", [("jaar", "2026")]).status == .seeOther) }
            let page = try await h.get(path)
            #expect(page.body.contains("Periode februari 2026 is afgesloten. De terugboeking komt in de eerste open periode: april 2026, op 30-04-2026."))
            // Into the closed period itself: refused with the reason, nothing booked.
            let refused = try await h.post("\(path)/terugboeken", [("confirmed", "1"), ("period", "3"), ("entryDate", "31-03-2026")])
            #expect(refused.status == .seeOther)
            #expect(try await h.get(path).body.contains("Periode 3 van 2026 is afgesloten."))
            #expect(try h.database.entries(administrationId: bakery).contains { $0.reversesEntryId == entry.id } == false)
            #expect(try await h.post("\(path)/terugboeken", [("confirmed", "1"), ("period", "99"), ("entryDate", "x")]).status == .badRequest)
            // As proposed.
            let done = try await h.post("\(path)/terugboeken", [("confirmed", "1"), ("period", "4"), ("entryDate", "30-04-2026")])
            #expect(done.status == .seeOther)
            let reversal = try #require(try h.database.entries(administrationId: bakery).first { $0.reversesEntryId == entry.id })
            #expect(reversal.isBooked && reversal.period == 4 && reversal.entryDate == "2026-04-30")
        }
    }

    /// Boekingen: search by description or number, filters for status and period, an amount column.
    @Test func theEntriesListSearchesFiltersAndShowsAmounts() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let bakery = try await self.bookedBakery(h)
            _ = try await h.importRun(bakery, Seed.run(admin: 1, 3))
            let base = "/administraties/\(bakery)/boekingen"
            let all = try await h.get(base)
            #expect(all.status == .ok && all.body.contains("3 boeking(en)"))
            let rows = { (page: Page) in page.body.matches(of: /<tr><td><a href="[^"]+">([^<]+)<\/a>/).map { String($0.1) } }
            #expect(Set(rows(all)) == ["2026-1", "2026-2", "concept"])
            let booked = try #require(try h.database.entries(administrationId: bakery).first { $0.number == 1 })
            let debit = try h.database.entryLines(entryId: booked.id!).reduce(Int64(0)) { $0 + $1.debitCents }
            #expect(all.body.contains("<td class=\"num\">\(Money(cents: debit).dutch)</td>"))
            #expect(rows(try await h.get("\(base)?status=concept")) == ["concept"])
            #expect(rows(try await h.get("\(base)?zoek=2026-1")) == ["2026-1"])
            #expect(rows(try await h.get("\(base)?periode=2")) == ["2026-1"])
            #expect(rows(try await h.get("\(base)?status=geboekt&periode=3")).isEmpty)
            #expect(try await h.get("\(base)?zoek=100%25+_").body.contains("Geen boekingen die hierbij passen"))
            #expect(try await h.get("\(base)?status=weg").status == .badRequest)
            #expect(try await h.get("\(base)?periode=14").status == .badRequest)
            #expect(all.body.contains("<td>februari</td>"))
        }
    }

    /// A recalculation is not booked before its original without the user choosing so.
    @Test func aRecalculationWaitsForItsOriginalUnlessTheUserChooses() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let original = try await h.importRun(bakery, Seed.run(admin: 1, 3))
            let recalculation = try await h.importRun(bakery, Seed.run(admin: 1, 4))
            let path = "/administraties/\(bakery)/boekingen/\(recalculation)"
            let refused = try await h.post(path, try RunImportTests.formFields(try await h.get(path).body) + [("action", "book")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("Dit is een herberekening (alleen de verschillen); de oorspronkelijke run van deze loonperiode is nog een concept"))
            #expect(refused.body.contains("id=\"book-anyway\""))
            #expect(try h.database.entry(id: recalculation, administrationId: bakery)?.status == .draft)
            // The user chooses: booked, the original stays a draft.
            let anyway = try await h.post(path, try RunImportTests.formFields(refused.body) + [("action", "book_anyway")])
            #expect(anyway.status == .seeOther)
            #expect(try h.database.entry(id: recalculation, administrationId: bakery)?.status == .booked)
            #expect(try h.database.entry(id: original, administrationId: bakery)?.status == .draft)
        }
    }

    @Test func exportsDownloadAndMissingCompanyDataIsNamed() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let bakery = try await self.bookedBakery(h)
            let refused = try await h.get("/administraties/\(bakery)/export?jaar=2026&formaat=xaf")
            #expect(refused.status == .seeOther)
            #expect(try await h.get(refused.headers[.location]!).body.contains("btw-identificatienummer of het RSIN"))
            let csv = try await h.get("/administraties/\(bakery)/export?jaar=2026&formaat=csv")
            #expect(csv.status == .ok)
            #expect(csv.headers[HTTPField.Name("Content-Disposition")!] == "attachment; filename=\"L5001-2026.csv\"")
            #expect(csv.body.hasPrefix("\u{FEFF}boekingsnummer;datum"))
            _ = try await h.post("/administraties/\(bakery)", [("code", "L5001"), ("name", "Bakkerij De Gouden Korst B.V."), ("fiscalYear", "2026"), ("vatNumber", "NL123456789B01")])
            let xaf = try await h.get("/administraties/\(bakery)/export?jaar=2026&formaat=xaf4")
            #expect(xaf.status == .ok)
            #expect(xaf.headers[.contentType] == "application/xml; charset=utf-8")
            #expect(xaf.body.contains("<taxRegIdent>NL123456789B01</taxRegIdent>"))
            #expect(xaf.body.hasSuffix("</auditfile>\n"))
            #expect(try await h.get("/administraties/\(bakery)/export?jaar=2026&formaat=pdf").status == .badRequest)
            let empty = try await h.get("/administraties/\(bakery)/export?jaar=2025&formaat=csv")
            #expect(try await h.get(empty.headers[.location]!).body.contains("Er zijn in 2025 geen geboekte boekingen"))
        }
    }
}
