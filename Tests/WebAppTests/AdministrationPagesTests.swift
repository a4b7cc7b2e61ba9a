import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Testing

@testable import WebApp

@Suite struct AdministrationPagesTests {
    @Test func dashboardEmptyStateSaysWhatToDoNext() async throws {
        try await Harness.run { h in
            let page = try await h.get("/")
            #expect(page.status == .ok)
            #expect(page.body.contains("Er is nog geen administratie"))
            #expect(page.body.contains("/administraties/nieuw"))
        }
    }

    @Test func createRenameAndList() async throws {
        try await Harness.run { h in
            let created = try await h.post(
                "/administraties",
                [
                    ("code", "bakker01"), ("name", "Bakkerij Jansen B.V."), ("fiscalYear", "2026"),
                    ("chamberOfCommerceNumber", "12345678"), ("vatNumber", "NL123456789B01"), ("rsin", "111222333"),
                    ("street", "Dorpsstraat 1"), ("postalCode", "1234ab"), ("city", "Utrecht"), ("country", "NL"),
                ]
            )
            #expect(created.status == .seeOther)
            #expect(created.headers[.location] == "/administraties/1")
            let detail = try await h.get("/administraties/1")
            #expect(detail.body.contains("Bakkerij Jansen B.V."))
            #expect(detail.body.contains("1234 AB Utrecht"))
            #expect(detail.body.contains("is aangemaakt"))  // flash
            let renamed = try await h.post("/administraties/1", [("code", "BAKKER01"), ("name", "Bakkerij Jansen"), ("fiscalYear", "2026")])
            #expect(renamed.status == .seeOther)
            let list = try await h.get("/administraties")
            #expect(list.body.contains("Bakkerij Jansen<") || list.body.contains("Bakkerij Jansen</td>"))
            let audit = try await h.get("/administraties/1")
            #expect(audit.body.contains("naam: Bakkerij Jansen B.V. → Bakkerij Jansen"))
            let dashboard = try await h.get("/")
            #expect(dashboard.body.contains("Rekeningschema vastleggen"))
        }
    }

    @Test func invalidInputIsNamedAtTheFieldAndNothingIsStored() async throws {
        try await Harness.run { h in
            let page = try await h.post(
                "/administraties",
                [("code", "met spatie"), ("name", ""), ("fiscalYear", "twintig"), ("chamberOfCommerceNumber", "12"), ("postalCode", "99")]
            )
            #expect(page.status == .unprocessableContent)
            #expect(page.body.contains("Een code bestaat alleen uit letters, cijfers, - en _"))
            #expect(page.body.contains("Vul de naam van de administratie in."))
            #expect(page.body.contains("Vul een boekjaar in tussen 1990 en 2100"))
            #expect(page.body.contains("Een KvK-nummer bestaat uit 8 cijfers."))
            #expect(page.body.contains("Een Nederlandse postcode ziet eruit als 1234 AB."))
            #expect(page.body.contains("value=\"met spatie\""))  // input kept
            let long = try await h.post("/administraties", [("code", String(repeating: "A", count: 21)), ("name", String(repeating: "n", count: 101)), ("fiscalYear", "2026")])
            #expect(long.status == .unprocessableContent)
            #expect(long.body.contains("De code is te lang (21 tekens; maximaal 20)."))
            #expect(long.body.contains("De naam is te lang (101 tekens; maximaal 100)."))
            #expect(try h.database.administrationSummaries().isEmpty)
        }
    }

    @Test func aFormPostedTwiceCreatesOneRecord() async throws {
        try await Harness.run { h in
            let fields = [("code", "A1"), ("name", "Eerste"), ("fiscalYear", "2026")]
            #expect(try await h.post("/administraties", fields).status == .seeOther)
            let again = try await h.post("/administraties", fields)
            #expect(again.status == .conflict)
            #expect(again.body.contains("Er bestaat al een administratie met code A1."))
            #expect(try h.database.administrationSummaries().count == 1)
        }
    }

    @Test func unknownAdministrationIdsGetADutch404() async throws {
        try await Harness.run { h in
            for path in ["/administraties/999", "/administraties/abc", "/administraties/999/rekeningen", "/administraties/-1/wijzigen"] {
                let page = try await h.get(path)
                #expect(page.status == .notFound, "\(path)")
                #expect(page.body.contains("Deze administratie bestaat niet"), "\(path)")
            }
            let post = try await h.post("/administraties/999/rekeningschema/standaard", [])
            #expect(post.status == .notFound)
        }
    }
}

@Suite struct ChartOfAccountsPagesTests {
    func makeAdministration(_ h: Harness) async throws {
        #expect(try await h.post("/administraties", [("code", "A1"), ("name", "Test"), ("fiscalYear", "2026")]).status == .seeOther)
    }

    @Test func starterChartLoadsOnceAndShowsItsAccounts() async throws {
        try await Harness.run { h in
            try await self.makeAdministration(h)
            let empty = try await h.get("/administraties/1/rekeningen")
            #expect(empty.body.contains("Standaardschema laden"))
            #expect(try await h.post("/administraties/1/rekeningschema/standaard", []).status == .seeOther)
            let page = try await h.get("/administraties/1/rekeningen")
            #expect(page.body.contains("\(StarterChart.accounts.count) rekeningen uit het standaardschema toegevoegd."))
            #expect(page.body.contains("Lonen en salarissen"))
            #expect(page.body.contains("Af te dragen loonheffingen"))
            #expect(try await h.post("/administraties/1/rekeningschema/standaard", []).status == .seeOther)
            #expect(try h.database.accounts(administrationId: 1).count == StarterChart.accounts.count)
        }
    }

    @Test func addEditDeactivateAccount() async throws {
        try await Harness.run { h in
            try await self.makeAdministration(h)
            #expect(try await h.post("/administraties/1/rekeningen", [("number", "4000"), ("name", "Lonen"), ("type", "W")]).status == .seeOther)
            let duplicate = try await h.post("/administraties/1/rekeningen", [("number", "4000"), ("name", "Nog eens"), ("type", "W")])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.body.contains("Rekening 4000 bestaat al in deze administratie."))
            let bad = try await h.post("/administraties/1/rekeningen", [("number", ""), ("name", ""), ("type", "Q")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.body.contains("Vul een rekeningnummer in."))
            #expect(bad.body.contains("Vul een naam voor de rekening in."))
            #expect(bad.body.contains("Onbekend soort rekening"))
            let edited = try await h.post("/administraties/1/rekeningen/1", [("number", "4000"), ("name", "Lonen en salarissen"), ("type", "W"), ("rgsCode", "WPerLes")])
            #expect(edited.status == .seeOther)
            #expect(try await h.post("/administraties/1/rekeningen/1/deactiveren", []).status == .seeOther)
            let account = try #require(try h.database.accounts(administrationId: 1).first)
            #expect(account.name == "Lonen en salarissen")
            #expect(account.rgsCode == "WPerLes")
            #expect(account.isActive == false)
            let page = try await h.get("/administraties/1/rekeningen")
            #expect(page.body.contains("gedeactiveerd"))
            #expect(try await h.get("/administraties/1/rekeningen/99").status == .notFound)
        }
    }

    @Test func csvImportIsAllOrNothingWithDutchMessagesPerLine() async throws {
        try await Harness.run { h in
            try await self.makeAdministration(h)
            let good = Array("nummer;naam;soort;rgs\n4000;Lonen en salarissen;W;WPerLes\n1700;Af te dragen loonheffingen;B\n".utf8)
            let imported = try await h.upload("/administraties/1/rekeningschema/import", file: good, filename: "schema.csv")
            #expect(imported.status == .seeOther)
            #expect(try h.database.accounts(administrationId: 1).map(\.number) == ["1700", "4000"])

            let cases: [(String, [UInt8], String)] = [
                ("comma", Array("4100,Sociale lasten,W\n".utf8), "Regel 1: geen puntkomma (;) gevonden"),
                ("columns", Array("4100;Sociale lasten;W\n4200;Pensioen\n".utf8), "Regel 2: 2 kolommen gevonden"),
                ("cp1252", Array("4100;Sociale lasten;W\n4200;Pensi".utf8) + [0xEB] + Array("n;W\n".utf8), "Regel 2: deze regel bevat tekens die geen UTF-8 zijn"),
                ("binary", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00], "geen tekstbestand"),
                ("existing", Array("4100;Sociale lasten;W\n4000;Lonen;W\n".utf8), "Regel 2: rekening 4000 bestaat al."),
                ("empty", [], "Kies eerst een CSV-bestand"),
            ]
            for (label, bytes, message) in cases {
                let page = try await h.upload("/administraties/1/rekeningschema/import", file: bytes, filename: label == "empty" ? "" : "\(label).csv")
                #expect(page.status.code == 422 || page.status.code == 409, "\(label)")
                #expect(page.body.contains(message), "\(label): \(message)")
                #expect(try h.database.accounts(administrationId: 1).count == 2, "\(label) stored something")
            }
            // Windows-1252 imports when chosen, with the € and ë intact.
            let cp1252 = Array("4200;Pensi".utf8) + [0xEB] + Array("nlasten ".utf8) + [0x80] + Array(";W\n".utf8)
            let chosen = try await h.upload("/administraties/1/rekeningschema/import", file: cp1252, filename: "oud.csv", fields: [("encoding", "windows-1252")])
            #expect(chosen.status == .seeOther)
            #expect(try h.database.accounts(administrationId: 1).contains { $0.name == "Pensiënlasten €" })
        }
    }

    @Test func tenMegabyteUploadIsRefusedWithAMessage() async throws {
        try await Harness.run { h in
            try await self.makeAdministration(h)
            let big = [UInt8](repeating: 0x41, count: 10 * 1024 * 1024)
            let page = try await h.upload("/administraties/1/rekeningschema/import", file: big, filename: "groot.csv")
            #expect(page.status == .contentTooLarge)
            #expect(page.body.contains("te groot"))
            #expect(try h.database.accounts(administrationId: 1).isEmpty)
        }
    }

    @Test func everyEmbeddedAssetIsServedWithItsType() async throws {
        try await Harness.run { h in
            for (path, type) in [("/static/css/app.css", "text/css"), ("/static/js/app.js", "text/javascript"), ("/static/images/logo.svg", "image/svg+xml")] {
                let page = try await h.get(path)
                #expect(page.status == .ok, "\(path)")
                #expect(page.headers[.contentType]?.hasPrefix(type) == true, "\(path)")
                let etag = try #require(page.headers[.eTag])
                #expect(try await h.get(path, headers: [.ifNoneMatch: etag]).status == .notModified)
            }
            #expect(try await h.get("/static/../Templates/error.mustache").status == .notFound)
            #expect(try await h.get("/static/nope.css").status == .notFound)
        }
    }
}
