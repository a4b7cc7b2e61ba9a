import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Testing

@testable import Storage
@testable import WebApp

@Suite struct FileImportTests {
    func administration(_ h: Harness) async throws -> AdministrationID {
        #expect(try await h.post("/administraties", [("code", "NMBRS1"), ("name", "Klant met Nmbrs"), ("fiscalYear", "2026")]).status == .seeOther)
        let id = try #require(try h.database.administrationSummaries().first?.id)
        _ = try h.database.addStarterChart(administrationId: id, at: Date())
        return id
    }

    func upload(_ h: Harness, _ id: AdministrationID, _ text: String, name: String = "journaal.csv") async throws -> (Page, String?) {
        let page = try await h.upload("/administraties/\(id)/salarisbestand", file: Array(text.utf8), filename: name)
        let token = page.body.firstMatch(of: /name="token" value="([^"]+)"/).map { String($0.1) }
        return (page, token)
    }

    @Test func uploadMapPreviewAndImportAsADraftOnceOnly() async throws {
        try await Harness.run { h in
            let id = try await self.administration(h)
            let file = "Grootboekrekening;Omschrijving;Debet;Credit;Kostenplaats\n4000;Lonen maart;10.000,00;;SAL073\n4050;Kinderopvang;250,00;;\n1700;Loonheffing;;3.000,00;\n1710;Netto;;7.250,00;\n"
            let (page, token) = try await self.upload(h, id, file)
            #expect(page.status == .ok)
            #expect(page.body.contains("journaal.csv</strong>: 4 regel(s)"))
            #expect(page.body.contains("<option value=\"rekening\" selected>"))
            let fields = [("token", token!), ("role_0", "rekening"), ("role_1", "omschrijving"), ("role_2", "debet"), ("role_3", "credit"), ("role_4", "kostenplaats"),
                          ("entryDate", "31-03-2026"), ("period", "3"), ("description", "")]
            let imported = try await h.post("/administraties/\(id)/salarisbestand/importeren", fields)
            #expect(imported.status == .seeOther)
            let entry = try #require(try h.database.entries(administrationId: id).first)
            #expect(entry.source == .file && entry.status == .draft && entry.entryDate == "2026-03-31" && entry.period == 3)
            #expect(entry.description == "Loonjournaal 2026 periode 03 (journaal.csv)")
            let lines = try h.database.entryLines(entryId: entry.id!)
            #expect(lines.count == 4)
            #expect(lines.first { $0.originalAccountCode == "4050" }?.accountId == nil)  // same mapping as Loket runs: flagged
            let draftPage = try await h.get("/administraties/\(id)/boekingen/\(entry.id!)")
            #expect(draftPage.body.contains("Bestand: 4000"))
            #expect(draftPage.body.contains("Het bestand bevatte"))
            // The same file for the same period: refused, pointing at the entry.
            let (_, again) = try await self.upload(h, id, file)
            let duplicate = try await h.post("/administraties/\(id)/salarisbestand/importeren", fields.map { $0.0 == "token" ? ($0.0, again!) : $0 })
            #expect(duplicate.status == .conflict)
            #expect(duplicate.body.contains("Dit bestand is al geïmporteerd voor periode 3 van 2026"))
            #expect(duplicate.body.contains("/administraties/\(id)/boekingen/\(entry.id!)"))
            #expect(try h.database.entries(administrationId: id).count == 1)
            // The column roles are remembered for the next file with the same header.
            let (next, _) = try await self.upload(h, id, file.replacingOccurrences(of: "10.000,00", with: "10.000,01").replacingOccurrences(of: "3.000,00", with: "3.000,01"))
            #expect(next.body.contains("<option value=\"kostenplaats\" selected>"))
        }
    }

    @Test func badFilesAreExplainedAndNothingIsStored() async throws {
        try await Harness.run { h in
            let id = try await self.administration(h)
            let (unbalancedPage, token) = try await self.upload(h, id, "4000;Lonen;100,00;\n1710;Netto;;99,00\n")
            #expect(unbalancedPage.status == .ok)
            let unbalanced = try await h.post(
                "/administraties/\(id)/salarisbestand/importeren",
                [("token", token!), ("role_0", "rekening"), ("role_1", "omschrijving"), ("role_2", "debet"), ("role_3", "credit"), ("entryDate", "31-03-2026"), ("period", "3")]
            )
            #expect(unbalanced.status == .unprocessableContent)
            #expect(unbalanced.body.contains("niet in balans"))
            let (mismatch, _) = try await self.upload(h, id, "4000;Lonen;100,00;\n1710;Netto\n")
            #expect(mismatch.status == .unprocessableContent)
            #expect(mismatch.body.contains("Regel 2: 2 kolommen"))
            let (empty, _) = try await self.upload(h, id, "")
            #expect(empty.status == .unprocessableContent)
            let big = try await h.upload("/administraties/\(id)/salarisbestand", file: [UInt8](repeating: 0x41, count: 50 * 1024 * 1024), filename: "groot.csv")
            #expect(big.status == .contentTooLarge)
            let english = try await self.upload(h, id, "4000,Wages,\"1,234.56\",\n1710,Net,,\"1,234.56\"\n")
            let englishImport = try await h.post(
                "/administraties/\(id)/salarisbestand/importeren",
                [("token", english.1!), ("role_0", "rekening"), ("role_1", "omschrijving"), ("role_2", "debet"), ("role_3", "credit"), ("entryDate", "31-13-2026"), ("period", "3")]
            )
            #expect(englishImport.status == .unprocessableContent)
            #expect(englishImport.body.contains("Boekdatum"))
            #expect(try h.database.entries(administrationId: id).isEmpty)
            let fixed = try await h.post(
                "/administraties/\(id)/salarisbestand/importeren",
                [("token", english.1!), ("role_0", "rekening"), ("role_1", "omschrijving"), ("role_2", "debet"), ("role_3", "credit"), ("entryDate", "30-04-2026"), ("period", "4")]
            )
            #expect(fixed.status == .seeOther)
            #expect(try h.database.entryLines(entryId: try h.database.entries(administrationId: id)[0].id!).map(\.debitCents) == [123_456, 0])
        }
    }
}
