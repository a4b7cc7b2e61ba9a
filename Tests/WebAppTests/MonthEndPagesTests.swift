import Foundation
import HTTPTypes
import Ledger
import LoketSandbox
import PayrollImport
import Storage
import Testing

@testable import WebApp

/// The month-end control over the pages, against the simulator on loopback: every seeded branch
/// of the loonaangifte check, starting journal runs, booking and the overview of all clients.
@Suite struct MonthEndPagesTests {
    /// The overview's row of one administration (its `<tr>` up to the next).
    static func row(_ body: String, code: String) throws -> String {
        let start = try #require(body.range(of: "<tr data-administration=\"\(code)\""), "no row for \(code)")
        let rest = body[start.lowerBound...]
        let end = rest.range(of: "</tr>")?.upperBound ?? rest.endIndex
        return String(rest[..<end])
    }

    static func code(_ h: Harness, _ id: AdministrationID) throws -> String {
        try #require(try h.database.administration(id: id)).code
    }

    func refresh(_ h: Harness, _ period: String) async throws -> Page {
        let refreshed = try await h.post("/maandafsluiting/vernieuwen", [("periode", period)])
        #expect(refreshed.status == .seeOther)
        return try await h.get("/maandafsluiting?periode=\(period)")
    }

    func book(_ h: Harness, _ administration: AdministrationID, _ entry: EntryID) async throws {
        let path = "/administraties/\(administration)/boekingen/\(entry)"
        let booked = try await h.post(path, try RunImportTests.formFields(try await h.get(path).body) + [("action", "book")])
        #expect(booked.status == .seeOther)
        #expect(try h.database.entry(id: entry, administrationId: administration)?.isBooked == true)
    }

    @Test(.timeLimit(.minutes(3))) func matchingRoundingCorrectionAndNotYetAvailable() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let code = try Self.code(h, bakery)
            let january = try await h.importRun(bakery, Seed.run(admin: 1, 1))
            let february = try await h.importRun(bakery, Seed.run(admin: 1, 2))
            _ = try await h.importRun(bakery, Seed.run(admin: 1, 3))
            _ = try await h.importRun(bakery, Seed.run(admin: 1, 4))
            _ = try await h.importRun(bakery, Seed.run(admin: 1, 6))

            // Before any refresh the page says so and asks Loket nothing.
            let requests = h.simulator!.handle.apiRequests
            let untouched = try await h.get("/maandafsluiting?periode=2026-01")
            #expect(untouched.status == .ok && untouched.body.contains("nog niet bij Loket opgevraagd"))
            #expect(h.simulator!.handle.apiRequests == requests)

            // January: the journal matches the aangifte to the cent.
            let jan = try await self.refresh(h, "2026-01")
            let janRow = try Self.row(jan.body, code: code)
            #expect(janRow.contains("gelijk (verschil \u{20AC} 0,00)"))
            #expect(janRow.contains("1 concept(en)"))  // not booked yet: a gap
            #expect(jan.body.contains("Laatst opgehaald uit Loket"))
            try await self.book(h, bakery, january)
            let janBooked = try Self.row(try await h.get("/maandafsluiting?periode=2026-01").body, code: code)
            #expect(janBooked.contains(">geboekt<") && janBooked.contains("gelijk (verschil"))
            // The only thing left for January is to confirm the proposed wage-tax account.
            #expect(janBooked.contains("nog niet bevestigd"))
            #expect(try await h.post("/maandafsluiting/loonheffingsrekening", [("periode", "2026-01"), ("administration", String(bakery))]).status == .seeOther)
            let janDone = try Self.row(try await h.get("/maandafsluiting?periode=2026-01").body, code: code)
            #expect(janDone.contains("class=\"in-order\"") && janDone.contains("In orde"), "\(janDone)")

            // February: whole euros in the aangifte: a rounding difference of a few euros.
            let feb = try await self.refresh(h, "2026-02")
            let febRow = try Self.row(feb.body, code: code)
            let difference = try #require(febRow.firstMatch(of: /afronding (€ [0-9.,]+)/)).1
            let entryPage = try await h.get("/administraties/\(bakery)/boekingen/\(february)")
            #expect(entryPage.body.contains("id=\"wage-tax-check\"") && entryPage.body.contains("Waarschijnlijk afronding"))
            #expect(entryPage.body.contains("id=\"check-difference\">\(difference)<"))
            #expect(entryPage.body.contains("id=\"payable-reference\">") && entryPage.body.contains("NL86 INGB 0002 4455 88"))
            // The rounding account was proposed from the chart (4990): one click adds the pair of lines.
            let rounding = try await h.post("/administraties/\(bakery)/boekingen/\(february)/afronding", [("roundingAccount", "")])
            #expect(rounding.status == .seeOther)
            #expect(rounding.headers[.location] == "/administraties/\(bakery)/boekingen/\(february)")
            let afterRounding = try await h.get("/administraties/\(bakery)/boekingen/\(february)")
            #expect(afterRounding.body.contains("id=\"check-difference\">\u{20AC} 0,00<"))
            #expect(afterRounding.body.contains("Afrondingsverschil loonaangifte februari 2026"))
            try await self.book(h, bakery, february)
            let febBooked = try Self.row(try await h.get("/maandafsluiting?periode=2026-02").body, code: code)
            #expect(febBooked.contains("gelijk (verschil \u{20AC} 0,00)") && febBooked.contains(">geboekt<"))
            // A second click finds nothing left to round.
            let again = try await h.post("/administraties/\(bakery)/boekingen/\(february)/afronding", [("roundingAccount", "")])
            #expect(again.status == .seeOther)
            #expect(try await h.get(again.headers[.location]!).body.contains("geen afrondingsverschil"))

            // March: the period matches, the aangifte adds a correction over an earlier period.
            let mar = try await self.refresh(h, "2026-03")
            let marRow = try Self.row(mar.body, code: code)
            #expect(marRow.contains("correctie \u{20AC} 412,00"))
            #expect(marRow.contains("correctie over een eerdere periode"))

            // April: Loket is still making the aangifte (null amounts): nothing to compare yet.
            let apr = try await self.refresh(h, "2026-04")
            let aprRow = try Self.row(apr.body, code: code)
            #expect(aprRow.contains("aangifte nog niet beschikbaar") && aprRow.contains("verzoek tot aanmaak loonaangifte"))

            // The CSV has the same facts, amounts with a decimal comma, and the total due.
            let csv = try await h.get("/maandafsluiting/csv?periode=2026-03")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.body.contains("Te betalen (Loket)") && csv.body.contains("\r\nTotaal;"))
            #expect(csv.body.contains(code))
            #expect(try await h.get("/maandafsluiting/csv?periode=2026-99").status == .badRequest)
        }
    }

    @Test(.timeLimit(.minutes(3))) func noRightsFourWeeklyAndStartingJournalRuns() async throws {
        var configuration = SandboxConfiguration()
        configuration.journalDelaySeconds = 0.3
        try await Harness.run(simulator: configuration) { h in
            let ids = try await h.linkedWithStarterChart()
            // 403 on the tax returns of Van Dijk Techniek: explained, the rest still works.
            let vanDijk = ids[Seed.detailed]!
            _ = try await h.importRun(vanDijk, Seed.run(admin: 2, 1))
            let jan = try await self.refresh(h, "2026-01")
            let vanDijkRow = try Self.row(jan.body, code: try Self.code(h, vanDijk))
            #expect(vanDijkRow.contains("geen inzage") && vanDijkRow.contains("loonaangiften te raadplegen"))

            // The 4-weekly administration: period 13 exists and matches.
            let fourWeekly = ids[Seed.fourWeekly]!
            _ = try await h.importRun(fourWeekly, Seed.run(admin: 3, 2))
            let p13 = try await self.refresh(h, "2026-13")
            let fourRow = try Self.row(p13.body, code: try Self.code(h, fourWeekly))
            #expect(fourRow.contains("gelijk (verschil \u{20AC} 0,00)"), "\(fourRow)")

            // Groen Hoveniers: approved payroll runs, no journal run: start, wait, import.
            let gardener = ids[Seed.gardener]!
            let gardenerCode = try Self.code(h, gardener)
            let march = try await self.refresh(h, "2026-03")
            let gardenerRow = try Self.row(march.body, code: gardenerCode)
            #expect(gardenerRow.contains("ontbreekt") && gardenerRow.contains("data-start-journal"))
            let action = try await h.get("/maandafsluiting?periode=2026-03&filter=actie")
            #expect(action.body.contains("data-administration=\"\(gardenerCode)\""))
            #expect(!action.body.contains("class=\"in-order\""))
            // Without the browser's confirmation the server asks on a page first.
            let ask = try await h.post("/maandafsluiting/journaliseren", [("periode", "2026-03"), ("administration", String(gardener))])
            #expect(ask.status == .ok && ask.body.contains("Journaliseren starten?") && ask.body.contains(gardenerCode))
            #expect(h.simulator!.handle.importableRuns[Seed.gardener]?.isEmpty != false)
            let started = try await h.post("/maandafsluiting/journaliseren", [("periode", "2026-03"), ("administration", String(gardener)), ("confirmed", "1")])
            #expect(started.status == .seeOther)
            let waiting = try Self.row(try await h.get("/maandafsluiting?periode=2026-03").body, code: gardenerCode)
            #expect(waiting.contains("wordt gemaakt (status 0)"))
            try await Task.sleep(for: .milliseconds(600))
            let imported = try await h.post("/maandafsluiting/vernieuwen", [("periode", "2026-03")])
            #expect(imported.status == .seeOther)
            let flash = try await h.get("/maandafsluiting?periode=2026-03")
            let message = flash.body.firstMatch(of: /class="flash[^"]*"[^>]*>[^<]*/).map { String($0.0) } ?? ""
            #expect(flash.body.contains("3 journaalrun(s) als concept geïmporteerd"), "\(message)")
            let row = try Self.row(flash.body, code: gardenerCode)
            #expect(row.contains("1 concept(en)") && row.contains("gelijk (verschil \u{20AC} 0,00)"))
            // Book the period's draft and confirm the proposal from the overview: in order.
            #expect(try await h.post("/maandafsluiting/boeken", [("periode", "2026-03"), ("administration", String(gardener))]).status == .seeOther)
            #expect(try await h.post("/maandafsluiting/loonheffingsrekening", [("periode", "2026-03"), ("administration", String(gardener))]).status == .seeOther)
            let done = try Self.row(try await h.get("/maandafsluiting?periode=2026-03").body, code: gardenerCode)
            #expect(done.contains("class=\"in-order\""), "\(done)")

            // Bad input is refused in Dutch, nothing done.
            #expect(try await h.post("/maandafsluiting/journaliseren", [("periode", "2026-3x"), ("administration", String(gardener))]).status == .badRequest)
            #expect(try await h.post("/maandafsluiting/boeken", [("periode", "2026-03"), ("administration", "-1")]).status == .badRequest)
            let bad = try await h.get("/maandafsluiting?periode=9999-99")
            #expect(bad.status == .ok && bad.body.contains("is geen periode"))
        }
    }

    @Test func wageTaxAccountsAreConfirmedAndCopiedFromSettings() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let settings = try await h.get("/administraties/\(bakery)/instellingen")
            #expect(settings.body.contains("Voorstel uit het rekeningschema (nog niet bevestigd): 1700 Af te dragen loonheffingen"))
            // The batch read of the overview gives the same answers as the one per administration.
            for id in ids.values { #expect(try h.database.wageTaxSettings()[id] ?? WageTaxSetting(accountIds: [], confirmed: false, roundingAccountId: nil)
                == (try h.database.wageTaxSetting(administrationId: id))) }
            let accounts = try h.database.accounts(administrationId: bakery)
            let payable = try #require(accounts.first { $0.number == "1700" }?.id)
            let rounding = try #require(accounts.first { $0.number == "4990" }?.id)
            // The rounding account must differ from the wage-tax account; an account of another administration is refused.
            let other = try #require(try h.database.accounts(administrationId: ids[Seed.gardener]!).first?.id)
            for fields in [[("wageTaxAccount", String(payable)), ("roundingAccount", String(payable))], [("wageTaxAccount", String(other))], []] {
                let refused = try await h.post("/administraties/\(bakery)/loonaangifte", fields)
                #expect(refused.status == .seeOther)
                #expect(!(try h.database.wageTaxSetting(administrationId: bakery).confirmed))
            }
            let saved = try await h.post("/administraties/\(bakery)/loonaangifte", [("wageTaxAccount", String(payable)), ("roundingAccount", String(rounding))])
            #expect(saved.status == .seeOther)
            let setting = try h.database.wageTaxSetting(administrationId: bakery)
            #expect(setting.confirmed && setting.accountIds == [payable] && setting.roundingAccountId == rounding)
            let copied = try await h.post("/administraties/\(bakery)/loonaangifte/kopieren", [("all", "1")])
            #expect(copied.status == .seeOther)
            for id in ids.values where id != bakery {
                #expect(try h.database.wageTaxSetting(administrationId: id).confirmed)
            }
            for id in ids.values { #expect(try h.database.wageTaxSettings()[id] == (try h.database.wageTaxSetting(administrationId: id))) }
        }
    }
}
