import Foundation
import HTTPTypes
import Ledger
import Hummingbird
import LoketSandbox
import Storage
import Testing

@testable import WebApp

/// Pages that must stay quick and usable with hundreds of administrations and lines.
@Suite struct ScalingPagesTests {
    @Test func theAccountOfALineIsTypedByNumberFromOneSharedList() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let entryId = try await h.importRun(bakery, Seed.run(admin: 1, 2))
            let path = "/administraties/\(bakery)/boekingen/\(entryId)"
            let page = try await h.get(path)
            // One list for the whole page, not a select of the chart on every line.
            #expect(page.body.components(separatedBy: "<datalist id=\"account-list\">").count == 2)
            #expect(!page.body.contains("<select name=\"account_"))
            #expect(page.body.contains("name=\"account_0\" value=\"4000 Lonen en salarissen\" list=\"account-list\""))
            let accounts = try h.database.accounts(administrationId: bakery)
            let wage = try #require(accounts.first { $0.number == "4000" })
            let social = try #require(accounts.first { $0.number == "4100" })

            // Typing just the number is enough; an unknown number is named and kept, nothing saved.
            var fields = try RunImportTests.formFields(page.body)
            fields = RunImportTests.replacing(fields, "account_0", with: "9999 <b>verkeerd</b>")
            let refused = try await h.post(path, fields + [("action", "save")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("Rekening \u{201C}9999 &lt;b&gt;verkeerd&lt;/b&gt;\u{201D} bestaat niet in deze administratie"))
            #expect(refused.body.contains("value=\"9999 &lt;b&gt;verkeerd&lt;/b&gt;\""))
            #expect(try h.database.entryLines(entryId: entryId).first?.accountId == wage.id)

            fields = RunImportTests.replacing(try RunImportTests.formFields(page.body), "account_0", with: " 4100 ")
            let saved = try await h.post(path, fields + [("action", "save")])
            #expect(saved.status == .seeOther)
            #expect(try h.database.entryLines(entryId: entryId).first?.accountId == social.id)
        }
    }

    @Test func hostileAccountNamesAreEscapedInTheLinesAndTheList() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let hostile = "Lonen \"><script>alert(1)</script>"
            let account = try #require(try h.database.accounts(administrationId: bakery).first { $0.number == "4000" })
            let edit = try await h.post("/administraties/\(bakery)/rekeningen/\(account.id!)", [("number", "4000"), ("name", hostile), ("type", "W")])
            #expect(edit.status == .seeOther)
            let entryId = try await h.importRun(bakery, Seed.run(admin: 1, 2))
            let body = try await h.get("/administraties/\(bakery)/boekingen/\(entryId)").body
            #expect(!body.contains("<script>alert"))
            #expect(body.contains("4000 Lonen &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }

    @Test func theDashboardShowsFiftyAtATimeWithSearch() async throws {
        try await Harness.run { h in
            for number in 1...120 {
                let code = "K" + String(format: "%03d", number)
                _ = try h.database.createAdministration(
                    AdministrationDetails(code: code, name: number == 77 ? "Bakkerij Zoekmij & Zn" : "Klant \(number)", fiscalYear: 2026),
                    at: Date()
                )
            }
            let first = try await h.get("/")
            #expect(first.body.contains("120 administratie(s)"))
            #expect(first.body.contains("1–50 van 120"))
            #expect(first.body.contains(">K001<") && first.body.contains(">K050<") && !first.body.contains(">K051<"))
            #expect(first.body.contains("href=\"/?pagina=2\""))
            let third = try await h.get("/?pagina=3")
            #expect(third.body.contains("101–120 van 120") && third.body.contains(">K120<") && !third.body.contains(">K100<"))
            #expect(third.body.contains("href=\"/?pagina=2\"") && !third.body.contains("pagina=4"))
            // Past the end: the last page; nonsense: the first.
            #expect(try await h.get("/?pagina=99").body.contains("101–120 van 120"))
            // A page number that is no number in range is refused with a message, never used (issue 10).
            for bad in ["abc", "0", "-1", "9223372036854775807", "99999999999999999999999"] {
                let refused = try await h.get("/?pagina=\(bad)")
                #expect(refused.status == .badRequest)
                #expect(refused.body.contains("Ongeldig paginanummer"))
            }
            // As the search form sends it: spaces as "+".
            let found = try await h.get("/?zoek=bakkerij+zoekmij")
            #expect(found.body.contains("1 administratie(s) met \u{201C}bakkerij zoekmij\u{201D}"))
            #expect(found.body.contains("Bakkerij Zoekmij &amp; Zn") && !found.body.contains(">K001<"))
            // LIKE wildcards are text here.
            #expect(try await h.get("/?zoek=%25").body.contains("Geen administratie gevonden met"))
            #expect(try await h.get("/?zoek=K1").body.contains("21 administratie(s)"))
        }
    }
}
