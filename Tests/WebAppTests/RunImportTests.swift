import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import LoketClient
import LoketSandbox
import PayrollImport
@testable import Storage
import Testing

@testable import WebApp

/// Seeded simulator ids.
enum Seed {
    static let bakery = "00002000-0000-4000-8000-000000000001"
    static let detailed = "00002000-0000-4000-8000-000000000002"
    static let fourWeekly = "00002000-0000-4000-8000-000000000003"
    static let careHome = "00002000-0000-4000-8000-000000000004"
    static let gardener = "00002000-0000-4000-8000-000000000005"
    static func run(admin: Int, _ sequence: Int) -> String {
        let kind = String(0x4A00 + admin, radix: 16)
        let hex = String(sequence, radix: 16)
        return String(repeating: "0", count: 8 - kind.count) + kind + "-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
    }
}

extension Harness {
    /// Connect, link everything, give every administration the starter chart; returns admin ids by payroll id.
    func linkedWithStarterChart() async throws -> [String: AdministrationID] {
        _ = try await self.connect()
        #expect(try await self.post("/loket/verbindingen/1/alles-koppelen", []).status == .seeOther)
        // "Alles koppelen" leaves the one without journal profile alone; linked by hand, it
        // shows why nothing comes.
        let single = [("payrollAdministrationId", Seed.careHome), ("administrationId", "nieuw")]
        #expect(try await self.post("/loket/verbindingen/1/koppelen", single).status == .seeOther)
        var ids: [String: AdministrationID] = [:]
        for link in try self.database.links() {
            ids[link.payrollAdministrationId] = link.administrationId
            _ = try self.database.addStarterChart(administrationId: link.administrationId, at: Date())
        }
        return ids
    }

    func importRun(_ administrationId: AdministrationID, _ runId: String) async throws -> EntryID {
        let response = try await self.post("/administraties/\(administrationId)/runs/import", [("runId", runId)])
        #expect(response.status == .seeOther)
        let location = try #require(response.headers[.location])
        return try #require(EntryID(String(location.split(separator: "/").last!)))
    }
}

@Suite struct RunImportTests {
    @Test func runsPageShowsStatusesReasonsAndExplainsEmptyLists() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let page = try await h.get("/administraties/\(ids[Seed.bakery]!)/runs")
            #expect(page.status == .ok)
            for text in ["Journaal gereed", "Journaal geëxporteerd", "Staat klaar voor journaliseren", "Fout bij aanmaken", "Verwijderd door gebruiker",
                         "Loket maakt het journaal nog aan", "herberekening", "2026 periode 03", "01-03-2026 t/m 31-03-2026", "nieuw"] {
                #expect(page.body.contains(text), "\(text)")
            }
            let care = try await h.get("/administraties/\(ids[Seed.careHome]!)/runs")
            #expect(care.body.contains("Journaal Basis (product 938)"))
            #expect(care.body.contains("Handleiding journaalprofiel"))
            let garden = try await h.get("/administraties/\(ids[Seed.gardener]!)/runs")
            #expect(garden.body.contains("Nog geen journaalruns"))
            #expect(garden.body.contains("niet automatisch"))
            // An administration without a link is told to link first.
            #expect(try await h.post("/administraties", [("code", "LOS"), ("name", "Los"), ("fiscalYear", "2026")]).status == .seeOther)
            let loose = try #require(try h.database.administrationSummaries().first { $0.code == "LOS" })
            let unlinked = try await h.get("/administraties/\(loose.id)/runs")
            #expect(unlinked.status == .conflict)
            #expect(unlinked.body.contains("niet aan een Loket-loonadministratie gekoppeld"))
        }
    }

    @Test func everySeededKindOfRunImportsCorrectly() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            // March (status 4): balanced, exact cents, date = end of period, description, every line keeps what Loket sent.
            let march = try await h.importRun(bakery, Seed.run(admin: 1, 3))
            let entry = try #require(try h.database.entry(id: march, administrationId: bakery))
            #expect(entry.entryDate == "2026-03-31" && entry.period == 3 && entry.fiscalYear == 2026)
            #expect(entry.description == "Loonjournaal 2026 periode 03 (run 3)")
            #expect(entry.status == .draft && !entry.isDifference)
            let lines = try h.database.entryLines(entryId: march)
            #expect(lines.reduce(0) { $0 + $1.debitCents } == lines.reduce(0) { $0 + $1.creditCents })
            #expect(lines.reduce(0) { $0 + $1.debitCents } == entry.loketDebitCents)
            #expect(lines.allSatisfy { $0.originalAccountCode != nil && $0.originalDebitCents == $0.debitCents })
            #expect(lines.contains { $0.costCenter == "PRD010" && $0.costUnit == "02" && $0.originalComponent == "10 SALARIS" })
            // 4050 is not in the starter chart: flagged, never created silently.
            let unknown = try #require(lines.first { $0.originalAccountCode == "4050" })
            #expect(unknown.accountId == nil)
            #expect(try h.database.accounts(administrationId: bakery).contains { $0.number == "4050" } == false)
            // The recalculation of March is its own difference entry.
            let recalculation = try await h.importRun(bakery, Seed.run(admin: 1, 4))
            let difference = try #require(try h.database.entry(id: recalculation, administrationId: bakery))
            #expect(difference.isDifference)
            #expect(difference.description == "Loonjournaal 2026 periode 03 (run 4, herberekening)")
            #expect(try h.database.entryLines(entryId: recalculation).count == 2)
            // An exported run (status 7) imports too.
            let january = try await h.importRun(bakery, Seed.run(admin: 1, 1))
            #expect(try h.database.entry(id: january, administrationId: bakery)?.entryDate == "2026-01-31")
            // Status 0–3 cannot be imported.
            let queued = try await h.post("/administraties/\(bakery)/runs/import", [("runId", Seed.run(admin: 1, 9))])
            #expect(try await h.get(queued.headers[.location]!).body.contains("Loket maakt het journaal nog aan"))
            // 4-weekly period 13 lands on 31 December; period 12 on 2 December.
            let fourWeekly = ids[Seed.fourWeekly]!
            let p13 = try await h.importRun(fourWeekly, Seed.run(admin: 3, 2))
            #expect(try h.database.entry(id: p13, administrationId: fourWeekly)?.entryDate == "2026-12-31")
            let p12 = try await h.importRun(fourWeekly, Seed.run(admin: 3, 1))
            #expect(try h.database.entry(id: p12, administrationId: fourWeekly)?.entryDate == "2026-12-02")
            // More than 250 lines: all of them.
            let detailed = ids[Seed.detailed]!
            let big = try await h.importRun(detailed, Seed.run(admin: 2, 1))
            let bigLines = try h.database.entryLines(entryId: big)
            #expect(bigLines.count == 303)
            #expect(bigLines.reduce(0) { $0 + $1.debitCents } == bigLines.reduce(0) { $0 + $1.creditCents })
            // "All new runs" imports the rest in one go.
            #expect(try await h.post("/administraties/\(bakery)/runs/import", [("all", "1")]).status == .seeOther)
            #expect(try h.database.entries(administrationId: bakery).count == 5)
            #expect(try await h.get("/").body.contains("5 concept(en) te controleren"))
        }
    }

    @Test func fiftyConcurrentImportsOfOneRunMakeOneEntry() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let harness = h
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        // Each its own connection, as 50 tabs would be.
                        let client = TestClient(host: "127.0.0.1", port: harness.port)
                        client.connect()
                        defer { Task { try? await client.shutdown() } }
                        let body = "runId=\(Seed.run(admin: 1, 2))&_csrf=\(harness.csrf)"
                        let response = try await client.execute(
                            TestClient.Request(
                                "/administraties/\(bakery)/runs/import", method: .post, authority: harness.host,
                                headers: [.cookie: harness.cookie, .contentType: "application/x-www-form-urlencoded", .origin: harness.origin],
                                body: ByteBuffer(string: body)
                            )
                        )
                        return response.status
                    }
                }
                for try await status in group { #expect(status == .seeOther) }
            }
            let entries = try h.database.entries(administrationId: bakery)
            #expect(entries.count == 1)
            #expect(try h.database.entryLines(entryId: entries[0].id!).count == 12)
            // A second import shows the existing entry.
            let again = try await h.post("/administraties/\(bakery)/runs/import", [("runId", Seed.run(admin: 1, 2))])
            #expect(again.headers[.location] == "/administraties/\(bakery)/boekingen/\(entries[0].id!)")
        }
    }

    @Test func editBookWriteBackAndReverse() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let entryId = try await h.importRun(bakery, Seed.run(admin: 1, 2))
            let path = "/administraties/\(bakery)/boekingen/\(entryId)"
            let page = try await h.get(path)
            #expect(page.body.contains("0,00 — in balans"))
            // Change an amount: the difference appears and booking is refused, naming it.
            var fields = try Self.formFields(page.body)
            fields = Self.replacing(fields, "debit_0", with: "10.000,00")
            let refused = try await h.post(path, fields + [("action", "book")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("De boeking is niet in balans"))
            #expect(refused.body.contains("er ontbreekt"))
            #expect(try h.database.entry(id: entryId, administrationId: bakery)?.status == .draft)
            // Bad input is named at the field and nothing is saved.
            let current = try await h.get(path)
            var bad = try Self.formFields(current.body)
            bad = Self.replacing(Self.replacing(bad, "debit_1", with: "12,345"), "credit_2", with: "veel")
            let invalid = try await h.post(path, bad + [("action", "save")])
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.body.contains("meer dan twee decimalen"))
            #expect(invalid.body.contains("is geen bedrag"))
            // Header fields get their message beside them.
            let badHeader = try await h.post(path, Self.replacing(Self.replacing(bad, "entryDate", with: "31-02-2026"), "period", with: "14") + [("action", "save")])
            #expect(badHeader.status == .unprocessableContent)
            #expect(badHeader.body.contains("id=\"entryDate-error\">&#8220;31-02-2026&#8221; bestaat niet als datum") || badHeader.body.contains("id=\"entryDate-error\">"))
            #expect(badHeader.body.contains("id=\"period-error\">Kies een periode van 1 tot en met 13."))
            let farAway = try await h.post(path, Self.replacing(try Self.formFields(current.body), "entryDate", with: "01-01-1899") + [("action", "save")])
            #expect(farAway.body.contains("valt buiten elk boekjaar"))
            // Put it back: books with the next number, Loket is told.
            let original = try #require(try h.database.entryLines(entryId: entryId).first?.originalDebitCents)
            var fixed = try Self.formFields(try await h.get(path).body)
            fixed = Self.replacing(fixed, "debit_0", with: Money(cents: original).dutch)
            let booked = try await h.post(path, fixed + [("action", "book")])
            #expect(booked.status == .seeOther)
            let entry = try #require(try h.database.entry(id: entryId, administrationId: bakery))
            #expect(entry.status == .booked && entry.number == 1)
            #expect(h.simulator!.handle.journalRunStatus(Seed.run(admin: 1, 2)) == 7)
            #expect(h.simulator!.handle.patches.last?.message == "Geboekt in loonjournaal als 2026-1")
            let view = try await h.get(path)
            #expect(view.body.contains("Loket bijgewerkt"))
            #expect(view.body.contains("<td>regel 1 debet</td>") && view.body.contains("<td>10.000,00</td>"))
            // Booked entries are immutable, also straight in the database.
            #expect(throws: DatabaseError.self) { try h.database.writer.write { try $0.execute(sql: "UPDATE journal_lines SET debit_cents = 1 WHERE entry_id = ?", arguments: [entryId]) } }
            #expect(throws: DatabaseError.self) { try h.database.writer.write { try $0.execute(sql: "DELETE FROM journal_entries WHERE id = ?", arguments: [entryId]) } }
            #expect(try await h.post(path, fixed + [("action", "save")]).status == .badRequest)
            // Reverse: a mirrored, booked entry; the run can be imported again.
            let reversed = try await h.post(path + "/terugboeken", [("confirmed", "1")])
            #expect(reversed.status == .seeOther)
            let reversal = try #require(try h.database.reversal(of: entryId))
            #expect(reversal.number == 2 && reversal.status == .booked)
            let mirror = try h.database.entryLines(entryId: reversal.id!)
            let source = try h.database.entryLines(entryId: entryId)
            #expect(mirror.map(\.debitCents) == source.map(\.creditCents))
            #expect(try await h.get(path).body.contains("Teruggeboekt door"))
            #expect(try await h.get("/administraties/\(bakery)/runs").body.contains("teruggeboekt"))
            let again = try await h.post("/administraties/\(bakery)/runs/opnieuw", [("runId", Seed.run(admin: 1, 2))])
            #expect(again.status == .seeOther)
            #expect(try h.database.entriesByJournalRun(administrationId: bakery)[Seed.run(admin: 1, 2)]?.count == 2)
        }
    }

    @Test func unknownAccountsAreMappedOrCreatedAndRemembered() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let entryId = try await h.importRun(bakery, Seed.run(admin: 1, 3))
            let path = "/administraties/\(bakery)/boekingen/\(entryId)"
            let page = try await h.get(path)
            #expect(page.body.contains("Loket-rekening 4050"))
            let refused = try await h.post(path, try Self.formFields(page.body) + [("action", "book")])
            #expect(refused.body.contains("Loket-rekening 4050 bestaat niet in deze administratie"))
            // 4050 is not in the starter chart: map 4050 to 4900 and remember it.
            let other = try #require(try h.database.accounts(administrationId: bakery).first { $0.number == "4900" })
            #expect(try await h.post("/administraties/\(bakery)/rekeningkoppelingen", [("code", "4050"), ("accountId", String(other.id!)), ("returnTo", path)]).status == .seeOther)
            // 1740 is, but under another name (Loket: "Te betalen kinderopvangbijdrage"; here:
            // "Loonbeslag en overige inhoudingen te betalen"): never matched silently. Confirmed
            // once, the choice is remembered like any mapping.
            #expect(try h.database.unknownAccounts(administrationId: bakery).map(\.code) == ["1740"])
            let same = try #require(try h.database.accounts(administrationId: bakery).first { $0.number == "1740" })
            #expect(try await h.post("/administraties/\(bakery)/rekeningkoppelingen", [("code", "1740"), ("accountId", String(same.id!)), ("returnTo", path)]).status == .seeOther)
            #expect(try h.database.entryLines(entryId: entryId).allSatisfy { $0.accountId != nil })
            let booked = try await h.post(path, try Self.formFields(try await h.get(path).body) + [("action", "book")])
            #expect(booked.status == .seeOther)
            #expect(try h.database.entry(id: entryId, administrationId: bakery)?.status == .booked)
            // Applied to later imports.
            let run4 = try await h.importRun(bakery, Seed.run(admin: 1, 6))
            #expect(try h.database.entryLines(entryId: run4).allSatisfy { $0.accountId != nil })
            #expect(try await h.get("/administraties/\(bakery)/instellingen").body.contains("Loket 4050"))
        }
    }

    @Test func twoTabsCannotSilentlyOverwriteEachOther() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let entryId = try await h.importRun(bakery, Seed.run(admin: 1, 2))
            let path = "/administraties/\(bakery)/boekingen/\(entryId)"
            let tabA = try Self.formFields(try await h.get(path).body)
            let tabB = try Self.formFields(try await h.get(path).body)
            let postedA = Self.replacing(tabA, "description", with: "Versie A") + [("action", "save")]
            #expect(try await h.post(path, postedA).status == .seeOther)
            let postedB = Self.replacing(tabB, "description", with: "Versie B") + [("action", "save")]
            let second = try await h.post(path, postedB)
            #expect(second.status == .conflict)
            #expect(second.body.contains("intussen ergens anders opgeslagen"))
            #expect(second.body.contains("value=\"Versie B\""))
            #expect(try h.database.entry(id: entryId, administrationId: bakery)?.description == "Versie A")
            let history = try h.database.history(entryId: entryId)
            #expect(history.contains { $0.field == "omschrijving" && $0.newValue == "Versie A" })
            // Both changed the description: the user decides per field. Taking the other's keeps "Versie A".
            #expect(second.body.contains("data-conflict=\"description\""))
            let choice = try Self.formFields(second.body).filter { !$0.0.hasPrefix("take_") } + [("take_description", "theirs"), ("action", "save")]
            #expect(try await h.post(path, choice).status == .seeOther)
            #expect(try h.database.entry(id: entryId, administrationId: bakery)?.description == "Versie A")
        }
    }

    /// Two tabs change different things: the second save merges, and both changes survive.
    @Test func twoTabsChangingDifferentThingsKeepBothChanges() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let entryId = try await h.importRun(bakery, Seed.run(admin: 1, 2))
            let path = "/administraties/\(bakery)/boekingen/\(entryId)"
            let tabA = try Self.formFields(try await h.get(path).body)
            let tabB = try Self.formFields(try await h.get(path).body)
            #expect(try await h.post(path, Self.replacing(tabA, "description", with: "Februari, gecontroleerd") + [("action", "save")]).status == .seeOther)
            let postedB = Self.replacing(tabB, "desc_0", with: "Brutoloon februari") + [("action", "save")]
            let second = try await h.post(path, postedB)
            #expect(second.status == .seeOther)
            #expect(try await h.get(path).body.contains("beide wijzigingen zijn bewaard"))
            #expect(try h.database.entry(id: entryId, administrationId: bakery)?.description == "Februari, gecontroleerd")
            #expect(try h.database.entryLines(entryId: entryId).first?.description == "Brutoloon februari")
            // A line one tab deleted while the other changed a different line: the deletion stands too.
            let tabC = try Self.formFields(try await h.get(path).body)
            let tabD = try Self.formFields(try await h.get(path).body)
            let before = try h.database.entryLines(entryId: entryId).count
            #expect(try await h.post(path, tabC + [("remove_1", "1"), ("action", "save")]).status == .seeOther)
            let fourth = try await h.post(path, Self.replacing(tabD, "cc_2", with: "PRD099") + [("action", "save")])
            let conflicts = fourth.body.matches(of: /data-conflict="([^"]+)"/).map { String($0.1) }
            let fieldErrors = fourth.body.matches(of: /field-error">([^<]+)</).map { String($0.1) }
            #expect(fourth.status == .seeOther, "\(conflicts) \(fieldErrors)")
            let lines = try h.database.entryLines(entryId: entryId)
            #expect(lines.count == before - 1)
            #expect(lines.contains { $0.costCenter == "PRD099" })
            // Two fields of one line, one per tab: both kept too.
            let tabE = try Self.formFields(try await h.get(path).body)
            let tabF = try Self.formFields(try await h.get(path).body)
            #expect(try await h.post(path, Self.replacing(tabE, "desc_0", with: "Salaris februari") + [("action", "save")]).status == .seeOther)
            #expect(try await h.post(path, Self.replacing(tabF, "cu_0", with: "KDR7") + [("action", "save")]).status == .seeOther)
            let first = try #require(try h.database.entryLines(entryId: entryId).first)
            #expect(first.description == "Salaris februari" && first.costUnit == "KDR7")
            // The same field of one line in both: asked per field; taking the other's amount.
            let tabG = try Self.formFields(try await h.get(path).body)
            let tabH = try Self.formFields(try await h.get(path).body)
            #expect(try await h.post(path, Self.replacing(tabG, "desc_0", with: "Versie G") + [("action", "save")]).status == .seeOther)
            let clash = try await h.post(path, Self.replacing(Self.replacing(tabH, "desc_0", with: "Versie H"), "cc_0", with: "PRD123") + [("action", "save")])
            #expect(clash.status == .conflict)
            let key = "line_\(first.id)_description"
            #expect(clash.body.contains("data-conflict=\"\(key)\""))
            #expect(!clash.body.contains("data-conflict=\"line_\(first.id)_costCenter\""))
            let decided = try Self.formFields(clash.body).filter { !$0.0.hasPrefix("take_") } + [("take_\(key)", "theirs"), ("action", "save")]
            #expect(try await h.post(path, decided).status == .seeOther)
            let after = try #require(try h.database.entryLines(entryId: entryId).first)
            #expect(after.description == "Versie G" && after.costCenter == "PRD123")
            // Only an honest earlier page merges: a made-up version or a cut-off form saves nothing.
            let count = try h.database.entryLines(entryId: entryId).count
            let made = try await h.post(path, Self.replacing(tabG, "version", with: "x") + [("action", "save")])
            #expect(made.status == .conflict && made.body.contains("niet volledig genoeg om samen te voegen"))
            let cut = try await h.post(path, Self.replacing(tabG, "line_count", with: "2") + [("action", "save")])
            #expect(cut.status == .conflict)
            #expect(try h.database.entryLines(entryId: entryId).count == count)
            #expect(try h.database.entryLines(entryId: entryId).first?.description == "Versie G")
        }
    }

    @Test func draftDeleteIsConfirmedAndRecorded() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let entryId = try await h.importRun(bakery, Seed.run(admin: 1, 2))
            let path = "/administraties/\(bakery)/boekingen/\(entryId)"
            #expect(try await h.post(path + "/verwijderen", []).status == .seeOther)
            #expect(try h.database.entry(id: entryId, administrationId: bakery) != nil)
            #expect(try await h.post(path + "/verwijderen", [("confirmed", "1")]).status == .seeOther)
            #expect(try h.database.entry(id: entryId, administrationId: bakery) == nil)
            #expect(try h.database.history(entryId: entryId).contains { $0.newValue == "verwijderd" })
            #expect(try await h.get(path).status == .notFound)
            #expect(try await h.get("/administraties/\(bakery)/boekingen/abc").status == .notFound)
        }
    }

    @Test func failedWriteBackIsShownAndRetriedWhileTheBookingStands() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let entryId = try await h.importRun(bakery, Seed.run(admin: 1, 2))
            let path = "/administraties/\(bakery)/boekingen/\(entryId)"
            h.simulator!.handle.revokeRefreshTokens()
            h.simulator!.handle.expireAccessTokens()
            let booked = try await h.post(path, try Self.formFields(try await h.get(path).body) + [("action", "book")])
            #expect(booked.status == .seeOther)
            #expect(try h.database.entry(id: entryId, administrationId: bakery)?.status == .booked)
            let view = try await h.get(path)
            #expect(view.body.contains("Loket kon niet worden bijgewerkt"))
            #expect(view.body.contains("Loket opnieuw bijwerken"))
            // Reconnect, retry: done.
            let callback = try await h.loginAtSimulator(try await h.followToLoket(try await h.post("/loket/verbindingen/1/verbinden", [])))
            _ = try await h.get(callback)
            #expect(try await h.post(path + "/loket", []).status == .seeOther)
            #expect(h.simulator!.handle.journalRunStatus(Seed.run(admin: 1, 2)) == 7)
        }
    }

    /// The fields of the entry form as a browser would post them.
    static func formFields(_ html: String) throws -> [(String, String)] {
        let form = try #require(html.firstMatch(of: /<form method="post" action="[^"]+" id="entry-form"[\s\S]*?<\/form>/)).0
        var fields: [(String, String)] = []
        for match in form.matches(of: /<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/) {
            let name = String(match.1)
            if name.hasPrefix("remove_") { continue }
            fields.append((name, Self.unescape(String(match.2))))
        }
        for select in form.matches(of: /<select name="([^"]+)"[\s\S]*?<\/select>/) {
            let selected = select.0.firstMatch(of: /<option value="([^"]*)" selected>/)?.1
            fields.append((String(select.1), selected.map(String.init) ?? ""))
        }
        return fields.filter { $0.0 != "_csrf" }
    }

    /// The fields with one value changed (a function, not a closure literal: the toolchain here
    /// merged two near-identical closures in one test and posted the wrong value).
    static func replacing(_ fields: [(String, String)], _ name: String, with value: String) -> [(String, String)] {
        var result = fields
        for index in result.indices where result[index].0 == name { result[index].1 = value }
        return result
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }
}
