import Foundation
import HTTPTypes
import Ledger
import LoketSandbox
import PayrollImport
import Storage
import Testing

@testable import WebApp

/// Evidence on entries and the jaaraansluiting lonen, over the pages against the simulator on
/// loopback: documents fetched on import, a failed download retried, booked evidence fixed,
/// the PDF served with its own policy, and the year reconciled or its differences explained.
@Suite struct EvidencePagesTests {
    func book(_ h: Harness, _ administration: AdministrationID, _ entry: EntryID, edit: (([(String, String)]) -> [(String, String)])? = nil) async throws {
        let path = "/administraties/\(administration)/boekingen/\(entry)"
        var fields = try RunImportTests.formFields(try await h.get(path).body)
        if let edit { fields = edit(fields) }
        let booked = try await h.post(path, fields + [("action", "book")])
        #expect(booked.status == .seeOther, "\(booked.body.prefix(2000))")
        #expect(try h.database.entry(id: entry, administrationId: administration)?.isBooked == true)
    }

    @Test(.timeLimit(.minutes(3))) func importFetchesTheDocumentsAndTheEntryShowsThem() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let entry = try await h.importRun(bakery, Seed.run(admin: 1, 1))
            let attachments = try h.database.attachments(entryId: entry)
            #expect(attachments.map(\.kind) == [.journalReport, .employeeOverview])
            #expect(attachments.map(\.mediaType) == [.pdf, .csv])
            #expect(try h.database.pendingDownloads(entryId: entry).isEmpty)
            // Content-hashed: the stored hash is the SHA-256 of the bytes served back.
            let report = attachments[0]
            let path = "/administraties/\(bakery)/boekingen/\(entry)"
            let page = try await h.get(path)
            #expect(page.body.contains("id=\"evidence\""))
            #expect(page.body.contains(report.fileName))
            #expect(page.body.contains("\(path)/bijlagen/\(report.id!)"))
            #expect(page.body.contains("als tabel tonen"))

            // The PDF opens inline with application/pdf and a policy of its own, stricter than the pages'.
            let pdf = try await h.get("\(path)/bijlagen/\(report.id!)")
            #expect(pdf.status == .ok)
            #expect(pdf.headers[.contentType] == "application/pdf")
            #expect(pdf.headers[HTTPField.Name("Content-Disposition")!]?.hasPrefix("inline; filename=\"Journaalrapport_5001_2026_01") == true)
            let policy = try #require(pdf.headers[.contentSecurityPolicy])
            #expect(policy == EvidenceController.attachmentPolicy)
            #expect(policy.contains("default-src 'none'") && !policy.contains("unsafe") && policy.contains("frame-ancestors 'none'"))
            #expect(pdf.headers[.xContentTypeOptions] == "nosniff")
            #expect(pdf.body.hasPrefix("%PDF-"))
            #expect(pdf.headers[.contentLength] == String(report.byteCount))
            #expect(Evidence.sha256(try #require(try h.database.attachmentContent(sha256: report.sha256))) == report.sha256)
            // The pages keep their own policy, unchanged.
            #expect(page.headers[.contentSecurityPolicy] == SecurityHeadersMiddleware<AppRequestContext>.contentSecurityPolicy)

            // The CSV downloads (sandboxed) and shows as a table with Dutch numbers.
            let overview = attachments[1]
            let csv = try await h.get("\(path)/bijlagen/\(overview.id!)")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[HTTPField.Name("Content-Disposition")!]?.hasPrefix("attachment;") == true)
            #expect(csv.headers[.contentSecurityPolicy]?.hasSuffix("; sandbox") == true)
            let table = try await h.get("\(path)/bijlagen/\(overview.id!)/tabel")
            #expect(table.status == .ok)
            #expect(table.body.contains("<th class=\"num\">Brutoloon</th>"))
            #expect(table.body.contains("<tr class=\"total\">"))
            // 1.845.000 cents of gross wages in January, shown with a thousands separator.
            #expect(table.body.contains(">18.450,00<"))
            // Another administration's id, or an attachment of another entry: not found.
            #expect(try await h.get("/administraties/\(ids[Seed.fourWeekly]!)/boekingen/\(entry)/bijlagen/\(report.id!)").status == .notFound)
            #expect(try await h.get("\(path)/bijlagen/999999").status == .notFound)
            #expect(try await h.get("\(path)/bijlagen/\(report.id!)/tabel").status == .notFound)
        }
    }

    @Test(.timeLimit(.minutes(3))) func aFailedDownloadLeavesTheImportAndIsRetried() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            h.simulator!.handle.setDocumentsAvailable(false)
            let entry = try await h.importRun(bakery, Seed.run(admin: 1, 2))
            // The draft is there, whole; the documents are pending with the reason.
            let draft = try #require(try h.database.entry(id: entry, administrationId: bakery))
            #expect(draft.status == .draft)
            #expect(try h.database.entryLines(entryId: entry).count > 5)
            #expect(try h.database.attachments(entryId: entry).isEmpty)
            let pending = try h.database.pendingDownloads(entryId: entry)
            #expect(pending.map(\.kind) == [.employeeOverview, .journalReport])
            #expect(pending.allSatisfy { $0.attempts == 1 && $0.lastError != nil })
            let path = "/administraties/\(bakery)/boekingen/\(entry)"
            let page = try await h.get(path)
            #expect(page.body.contains("Nog niet opgehaald uit Loket"))
            #expect(page.body.contains("niet gelukt na 1 poging(en)"))
            // Still down: the retry records a second attempt and keeps the draft.
            #expect(try await h.post("\(path)/bijlagen-ophalen", []).status == .seeOther)
            #expect(try h.database.pendingDownloads(entryId: entry).allSatisfy { $0.attempts == 2 })
            // Loket is back: the retry fetches both; nothing is pending any more.
            h.simulator!.handle.setDocumentsAvailable(true)
            #expect(try await h.post("\(path)/bijlagen-ophalen", []).status == .seeOther)
            #expect(try h.database.attachments(entryId: entry).count == 2)
            #expect(try h.database.pendingDownloads(entryId: entry).isEmpty)
            #expect(!(try await h.get(path)).body.contains("Nog niet opgehaald uit Loket"))
        }
    }

    @Test(.timeLimit(.minutes(3))) func bookedEvidenceIsFixedByTheDatabase() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let entry = try await h.importRun(bakery, Seed.run(admin: 1, 1))
            let path = "/administraties/\(bakery)/boekingen/\(entry)"
            // On a draft the user adds and removes files: type by content, size limited.
            let pdf = Array("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".utf8)
            #expect(try await h.upload("\(path)/bijlagen", file: pdf, filename: "../../loonstrook januari.pdf").status == .seeOther)
            let own = try #require(try h.database.attachments(entryId: entry).first { $0.kind == .userFile })
            #expect(own.fileName == "loonstrook januari.pdf")
            #expect(own.sha256 == Evidence.sha256(pdf))
            let refusedType = try await h.upload("\(path)/bijlagen", file: Array("MZ\u{90}\u{00}binary".utf8), filename: "virus.pdf.exe")
            #expect(refusedType.status == .seeOther)
            #expect(try await h.get(path).body.contains("alleen PDF, CSV, PNG en JPEG"))
            let tooLarge = try await h.upload("\(path)/bijlagen", file: Array(repeating: 0x41, count: Evidence.maxUserFileBytes + 1), filename: "groot.csv")
            #expect(tooLarge.status == .seeOther)
            #expect(try await h.get(path).body.contains("te groot"))
            #expect(try h.database.attachments(entryId: entry).count == 3)
            #expect(try await h.post("\(path)/bijlagen/\(own.id!)/verwijderen", []).status == .seeOther)
            #expect(try h.database.attachments(entryId: entry).count == 2)
            _ = try await h.upload("\(path)/bijlagen", file: pdf, filename: "loonstrook.pdf")
            let kept = try h.database.attachments(entryId: entry)
            #expect(kept.count == 3)

            try await self.book(h, bakery, entry)
            // Booked: the page offers neither adding nor removing, and the use case refuses both.
            let booked = try await h.get(path)
            #expect(booked.body.contains("haar bijlagen liggen vast"))
            #expect(!booked.body.contains("id=\"add-attachment\""))
            #expect(try await h.upload("\(path)/bijlagen", file: pdf, filename: "later.pdf").status == .seeOther)
            #expect(try await h.get(path).body.contains("haar bijlagen liggen vast en kunnen niet meer"))
            let userFile = try #require(kept.first { $0.kind == .userFile })
            _ = try await h.post("\(path)/bijlagen/\(userFile.id!)/verwijderen", [])
            #expect(try h.database.attachments(entryId: entry) == kept)
            #expect(try h.database.attachmentContent(sha256: userFile.sha256) == pdf)
        }
    }

    @Test(.timeLimit(.minutes(4))) func yearEndReconcilesOrExplainsEveryDifference() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            // Van Dijk 4-weekly: both runs imported and booked, the returns match: it reconciles.
            let fourWeekly = ids[Seed.fourWeekly]!
            for sequence in [1, 2] {
                try await self.book(h, fourWeekly, try await h.importRun(fourWeekly, Seed.run(admin: 3, sequence)))
            }
            // Before the refresh the page says so and asks Loket nothing.
            let requests = h.simulator!.handle.apiRequests
            let before = try await h.get("/administraties/\(fourWeekly)/jaaraansluiting?jaar=2026")
            #expect(before.status == .ok && before.body.contains("nog niet bij Loket opgevraagd"))
            #expect(h.simulator!.handle.apiRequests == requests)
            #expect(try await h.post("/administraties/\(fourWeekly)/jaaraansluiting/vernieuwen", [("jaar", "2026")]).status == .seeOther)
            let reconciled = try await h.get("/administraties/\(fourWeekly)/jaaraansluiting?jaar=2026")
            #expect(reconciled.body.contains("Alle loonrekeningen sluiten aan op Loket en de loonaangiften."))
            #expect(!reconciled.body.contains("class=\"explanation\""))
            #expect(!reconciled.body.contains("num unbalanced"))
            #expect(reconciled.body.contains("data-account=\"1700\""))

            // The bakery: February and March not imported, January booked with one line moved to another account.
            let bakery = ids[Seed.bakery]!
            let january = try await h.importRun(bakery, Seed.run(admin: 1, 1))
            try await self.book(h, bakery, january) { fields in
                // Line 1 is 4010 Vakantiegeld: booked on 4000 instead.
                RunImportTests.replacing(fields, "account_1", with: "4000")
            }
            // April booked too; February and March (with its recalculation) stay in Loket only.
            try await self.book(h, bakery, try await h.importRun(bakery, Seed.run(admin: 1, 6)))
            #expect(try await h.post("/administraties/\(bakery)/jaaraansluiting/vernieuwen", [("jaar", "2026")]).status == .seeOther)
            let loket = LoketService(database: h.database, tokenStore: h.tokenStore, transport: h.simulator!.transport)
            let report = try #require(try YearEnd(importer: RunImporter(database: h.database, loket: loket)).report(administrationId: bakery, year: 2026))
            #expect(!report.result.reconciles)
            let explanations = report.result.rows.flatMap { $0.loketExplanations + $0.taxExplanations }
            // Every difference is explained to the cent: nothing is left unexplained.
            #expect(!explanations.contains { $0.cause == .unexplained }, "\(explanations)")
            let holiday = try #require(report.result.rows.first { $0.accountNumber == "4010" })
            let edited = try #require(holiday.loketExplanations.first { $0.cause == .editedLine })
            #expect(edited.cents == -147_600)  // 8 % of € 18.450,00 of January, booked on 4000
            #expect(holiday.loketExplanations.contains { $0.cause == .runNotImported && $0.text.contains("Run 2 (februari 2026) is niet geïmporteerd") })
            let wageTax = try #require(report.result.rows.first { $0.accountNumber == "1700" })
            #expect(wageTax.taxExplanations.contains { $0.cause == .taxReturnCorrection && $0.cents == 41_200 })
            let page = try await h.get("/administraties/\(bakery)/jaaraansluiting?jaar=2026")
            #expect(page.body.contains("wijkt af van wat Loket stuurde: regel 2: Loket 4010"))
            #expect(page.body.contains("Run 2 (februari 2026) is niet geïmporteerd"))
            #expect(page.body.contains("num unbalanced"))
            let csv = try await h.get("/administraties/\(bakery)/jaaraansluiting/csv?jaar=2026")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.body.contains("Run 2 (februari 2026) is niet geïmporteerd"))

            // The summary of all: which reconcile, which do not.
            let summary = try await h.get("/jaaraansluiting?jaar=2026")
            #expect(summary.status == .ok)
            #expect(summary.body.contains("data-state=\"reconciles\" data-code=\"\(try #require(try h.database.administration(id: fourWeekly)).code)\""))
            #expect(summary.body.contains("data-state=\"differences\" data-code=\"\(try #require(try h.database.administration(id: bakery)).code)\""))
            #expect(try await h.get("/jaaraansluiting?jaar=1899").status == .badRequest)
            #expect(try await h.get("/administraties/\(bakery)/jaaraansluiting?jaar=abc").status == .badRequest)
        }
    }
}
