import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import LoketSandbox
import Testing

@testable import Storage
@testable import WebApp

/// Issue 12: set-up in bulk and mapping that stays right.
@Suite struct ChartSetupTests {
    /// Connect and "Alles koppelen" without any chart; returns the administrations by payroll id.
    func linkedWithoutChart(_ h: Harness) async throws -> [String: AdministrationID] {
        _ = try await h.connect()
        #expect(try await h.post("/loket/verbindingen/1/alles-koppelen", []).status == .seeOther)
        return Dictionary(try h.database.links().map { ($0.payrollAdministrationId, $0.administrationId) }, uniquingKeysWith: { first, _ in first })
    }

    /// The stale flag of the issue: a chart loaded after the import clears the drafts' flags at
    /// once; booking succeeds without importing again.
    @Test func aChartLoadedAfterTheImportClearsTheFlags() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let bakery = try #require(try await self.linkedWithoutChart(h)[Seed.bakery])
            #expect(try h.database.accounts(administrationId: bakery).isEmpty)
            let entryId = try await h.importRun(bakery, Seed.run(admin: 1, 2))
            #expect(try h.database.entryLines(entryId: entryId).allSatisfy { $0.accountId == nil })
            let path = "/administraties/\(bakery)/boekingen/\(entryId)"
            #expect(try await h.get(path).body.contains("Loket-rekening 4000 &ldquo;Lonen en salarissen&rdquo; bestaat niet in deze administratie"))
            #expect(try await h.post("/administraties/\(bakery)/rekeningschema/standaard", []).status == .seeOther)
            #expect(try h.database.entryLines(entryId: entryId).allSatisfy { $0.accountId != nil })
            let page = try await h.get(path)
            #expect(!page.body.contains("bestaat niet in deze administratie"))
            #expect(page.body.contains("rekening gevonden"))
            let booked = try await h.post(path, try RunImportTests.formFields(page.body) + [("action", "book")])
            #expect(booked.status == .seeOther)
            #expect(try h.database.entry(id: entryId, administrationId: bakery)?.status == .booked)
        }
    }

    /// One submit gives forty administrations the starter chart; the office's default chart
    /// goes to administrations made later; relinking proposes the former administration.
    @Test func oneChartForFortyAdministrationsAndTheDefaultForNewOnes() async throws {
        try await Harness.run(simulator: SandboxConfiguration(employers: 40)) { h in
            let ids = try await self.linkedWithoutChart(h)
            #expect(ids.count == 40)
            let page = try await h.get("/rekeningschemas")
            #expect(page.status == .ok && page.body.contains("Schema toepassen"))
            // Nothing ticked: named, nothing applied.
            let refused = try await h.post("/rekeningschemas/toepassen", [("source", "starter")])
            #expect(refused.status == .unprocessableContent && refused.body.contains("Vink de administraties aan"))
            #expect(try await h.post("/rekeningschemas/toepassen", [("source", "starter"), ("target", "99999")]).status == .badRequest)
            let applied = try await h.post("/rekeningschemas/toepassen", [("source", "starter"), ("all", "1")])
            #expect(applied.status == .seeOther)
            let after = try await h.get("/rekeningschemas")
            #expect(after.body.contains("Schema toegepast op 40 administratie(s): \(DutchFormat.count(40 * StarterChart.accounts.count)) rekeningen toegevoegd."))
            for id in ids.values { #expect(try h.database.accounts(administrationId: id).count == StarterChart.accounts.count) }
            // Again: nothing twice.
            #expect(try await h.post("/rekeningschemas/toepassen", [("source", "starter"), ("all", "1")]).status == .seeOther)
            #expect(try await h.get("/rekeningschemas").body.contains("0 rekeningen toegevoegd (40 hadden alle rekeningen al)"))

            // The bakery's own chart (one account more) becomes the office default.
            let bakery = try #require(ids[Seed.bakery])
            #expect(try await h.post("/administraties/\(bakery)/rekeningen", [("number", "4060"), ("name", "Bedrijfsfitness"), ("type", "W")]).status == .seeOther)
            #expect(try await h.post("/rekeningschemas/standaard", [("defaultChart", "admin-\(bakery)")]).status == .seeOther)
            #expect(try h.database.defaultChart() == .administration(bakery))
            #expect(try await h.post("/rekeningschemas/standaard", [("defaultChart", "admin-abc")]).status == .unprocessableContent)
            // Unlink the gardener, link it again to a new administration: it starts with the bakery's chart.
            let gardenerLink = try #require(try h.database.links().first { $0.payrollAdministrationId == Seed.gardener })
            #expect(try await h.post("/loket/koppelingen/\(gardenerLink.id!)/ontkoppelen", [("confirmed", "1")]).status == .seeOther)
            let list = try await h.get("/loket/verbindingen/1")
            #expect(list.body.contains("(eerder gekoppeld)"))
            #expect(try #require(list.body.firstMatch(of: /<option value="(\d+)" selected>[^<]*\(eerder gekoppeld\)/)).1 == "\(gardenerLink.administrationId)")
            #expect(try await h.post("/loket/verbindingen/1/koppelen", [("payrollAdministrationId", Seed.gardener), ("administrationId", "nieuw")]).status == .seeOther)
            let fresh = try #require(try h.database.links().first { $0.payrollAdministrationId == Seed.gardener })
            #expect(fresh.administrationId != gardenerLink.administrationId)
            #expect(try h.database.accounts(administrationId: fresh.administrationId).count == StarterChart.accounts.count + 1)
            #expect(try h.database.accounts(administrationId: fresh.administrationId).contains { $0.number == "4060" && $0.name == "Bedrijfsfitness" })
        }
    }

    /// The unknown-accounts screen: a number whose name differs is a warning, a new number is
    /// proposed as an account typed by its number; one submit settles both and is remembered.
    @Test func everyUnknownAccountIsSettledInOneSubmit() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = try #require(ids[Seed.bakery])
            let entryId = try await h.importRun(bakery, Seed.run(admin: 1, 3))
            let path = "/administraties/\(bakery)/onbekende-rekeningen"
            let page = try await h.get(path)
            #expect(page.status == .ok)
            let rows = page.body.matches(of: /<tr data-code="([^"]+)">/).map { String($0.1) }
            #expect(rows == ["1740", "4050"])
            #expect(page.body.contains("Rekening 1740 heet hier \u{201C}Loonbeslag en overige inhoudingen te betalen\u{201D}, in Loket \u{201C}Te betalen kinderopvangbijdrage\u{201D}"))
            #expect(page.body.contains("name=\"account_0\" value=\"1740 Loonbeslag en overige inhoudingen te betalen\""))
            #expect(page.body.contains("name=\"action_1\" value=\"create\" checked"))
            #expect(page.body.contains("<option value=\"W\" selected>"))
            // A wrong account is named and nothing is saved.
            let bad: [(String, String)] = [
                ("row_count", "2"), ("code_0", "1740"), ("action_0", "map"), ("account_0", "bestaat-niet"),
                ("code_1", "4050"), ("action_1", "create"), ("type_1", "W"),
            ]
            let refused = try await h.post(path, bad)
            #expect(refused.status == .unprocessableContent && refused.body.contains("Rekening \u{201C}bestaat-niet\u{201D} bestaat niet"))
            #expect(try h.database.accounts(administrationId: bakery).contains { $0.number == "4050" } == false)
            #expect(try await h.post(path, [("row_count", "-1")]).status == .badRequest)
            // By (part of) the name, and a new account: both in one submit.
            let good = RunImportTests.replacing(bad, "account_0", with: "loonbeslag")
            #expect(try await h.post(path, good).status == .seeOther)
            #expect(try await h.get(path).body.contains("Alle concepten vinden nu hun rekeningen."))
            #expect(try h.database.entryLines(entryId: entryId).allSatisfy { $0.accountId != nil })
            let created = try #require(try h.database.accounts(administrationId: bakery).first { $0.number == "4050" })
            #expect(created.type == "W" && created.name == "Kinderopvang werkgeversbijdrage")
            #expect(Set(try h.database.mappings(administrationId: bakery).map(\.loketCode)) == ["1740", "4050"])
            let entryPath = "/administraties/\(bakery)/boekingen/\(entryId)"
            let booked = try await h.post(entryPath, try RunImportTests.formFields(try await h.get(entryPath).body) + [("action", "book")])
            #expect(booked.status == .seeOther)
            // Remembered: the next run of the bakery has no unknown accounts.
            let next = try await h.importRun(bakery, Seed.run(admin: 1, 6))
            #expect(try h.database.entryLines(entryId: next).allSatisfy { $0.accountId != nil })
            #expect(try await h.get(path).body.contains("id=\"no-unknown\""))
        }
    }

    /// An account created from a Loket line under a name of the user's own still catches the
    /// line, now and in later runs (the choice is remembered as a mapping).
    @Test func anAccountCreatedFromALoketLineIsRememberedWhateverItsName() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = try #require(ids[Seed.bakery])
            let entryId = try await h.importRun(bakery, Seed.run(admin: 1, 3))
            let path = "/administraties/\(bakery)/boekingen/\(entryId)"
            let created = try await h.post(
                "/administraties/\(bakery)/rekeningkoppelingen/aanmaken", [("code", "4050"), ("name", "Bijdrage kinderopvang"), ("type", "W"), ("returnTo", path)]
            )
            #expect(created.status == .seeOther)
            #expect(try h.database.entryLines(entryId: entryId).filter { $0.originalAccountCode == "4050" }.allSatisfy { $0.accountId != nil })
            #expect(try h.database.mappings(administrationId: bakery).contains { $0.loketCode == "4050" && $0.accountName == "Bijdrage kinderopvang" })
            let again = try await h.post("/administraties/\(bakery)/rekeningkoppelingen/aanmaken", [("code", "4050"), ("name", "Nog eens"), ("type", "W"), ("returnTo", path)])
            #expect(again.status == .seeOther)
            #expect(try h.database.accounts(administrationId: bakery).filter { $0.number == "4050" }.count == 1)
        }
    }

    /// Mappings go to other administrations by account number; a number they lack is skipped.
    @Test func mappingsAreCopiedByAccountNumber() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = try #require(ids[Seed.bakery]), detailed = try #require(ids[Seed.detailed]), gardener = try #require(ids[Seed.gardener])
            let other = try #require(try h.database.accounts(administrationId: bakery).first { $0.number == "4900" })
            _ = try await h.post("/administraties/\(bakery)/rekeningkoppelingen", [("code", "4050"), ("accountId", String(other.id!))])
            let custom = try await h.post("/administraties/\(bakery)/rekeningen", [("number", "4061"), ("name", "Eigen rekening"), ("type", "W")])
            #expect(custom.status == .seeOther)
            let own = try #require(try h.database.accounts(administrationId: bakery).first { $0.number == "4061" })
            _ = try await h.post("/administraties/\(bakery)/rekeningkoppelingen", [("code", "4070"), ("accountId", String(own.id!))])
            // The gardener chose its own account for 4050 before: that choice is kept.
            let gardenerWages = try #require(try h.database.accounts(administrationId: gardener).first { $0.number == "4000" })
            _ = try await h.post("/administraties/\(gardener)/rekeningkoppelingen", [("code", "4050"), ("accountId", String(gardenerWages.id!))])
            let copied = try await h.post("/rekeningschemas/koppelingen-kopieren", [("mappingSource", "\(bakery)"), ("target", "\(detailed)"), ("target", "\(gardener)")])
            #expect(copied.status == .seeOther)
            let flash = try await h.get("/rekeningschemas").body
            #expect(flash.contains("1 koppeling(en) gekopieerd naar 2 administratie(s). 3 overgeslagen"), "\(flash.firstMatch(of: /flash-success[^<]*/)?.0 ?? "")")
            #expect(try h.database.mappings(administrationId: detailed).first { $0.loketCode == "4050" }?.accountNumber == "4900")
            #expect(try h.database.mappings(administrationId: gardener).first { $0.loketCode == "4050" }?.accountNumber == "4000")
            for target in [detailed, gardener] {
                #expect(try h.database.mappings(administrationId: target).contains { $0.loketCode == "4070" } == false)
            }
        }
    }
}
