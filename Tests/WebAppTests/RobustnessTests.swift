import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import LoketSandbox
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import Storage
@testable import WebApp

/// Issue 10: no input crashes the app, drops a line or breaks a ledger. One test per case.
@Suite struct RobustnessTests {
    func administration(_ h: Harness, vat: Bool = false) async throws -> AdministrationID {
        var fields = [("code", "ROBUUST"), ("name", "Klant met veel regels"), ("fiscalYear", "2026")]
        if vat { fields.append(("vatNumber", "NL123456789B01")) }
        #expect(try await h.post("/administraties", fields).status == .seeOther)
        let id = try #require(try h.database.administrationSummaries().first?.id)
        _ = try h.database.addStarterChart(administrationId: id, at: Date())
        return id
    }

    /// Uploads a payroll file and imports it with the given roles; returns the import answer.
    func importFile(_ h: Harness, _ id: AdministrationID, _ text: String, roles: [String]) async throws -> Page {
        let upload = try await h.upload("/administraties/\(id)/salarisbestand", file: Array(text.utf8), filename: "journaal.csv")
        let token = try #require(upload.body.firstMatch(of: /name="token" value="([^"]+)"/).map { String($0.1) }, "\(upload.status) \(upload.body.prefix(500))")
        let fields = [("token", token), ("entryDate", "31-03-2026"), ("period", "3"), ("description", "")]
            + roles.enumerated().map { ("role_\($0.offset)", $0.element) }
        return try await h.post("/administraties/\(id)/salarisbestand/importeren", fields)
    }

    /// A balanced payroll file of `lines` lines (half wages, half net pay), amounts all different.
    static func bigFile(lines: Int) -> (text: String, total: Int64) {
        var text = "rekening;omschrijving;debet;credit\n"
        var total: Int64 = 0
        for index in 0..<(lines / 2) {
            let cents = Int64(10_000 + index * 101)
            total += cents
            let amount = Money(cents: cents).dutch
            text += "4000;Loon werknemer \(index);\(amount);\n1710;Netto werknemer \(index);;\(amount)\n"
        }
        return (text, total)
    }

    // Case 1: a 2.100-line draft is saved and booked with all its lines; a post that lacks lines is refused whole.
    @Test func aDraftOfTwoThousandOneHundredLinesIsBookedWhole() async throws {
        try await Harness.run { h in
            let id = try await self.administration(h)
            let (file, total) = Self.bigFile(lines: 2_100)
            let imported = try await self.importFile(h, id, file, roles: ["rekening", "omschrijving", "debet", "credit"])
            #expect(imported.status == .seeOther, "\(imported.body.prefix(800))")
            let entry = try #require(try h.database.entries(administrationId: id).first)
            let path = "/administraties/\(id)/boekingen/\(entry.id!)"
            let fields = try RunImportTests.formFields(try await h.get(path).body)
            #expect(fields.filter { $0.0.hasPrefix("line_id_") && !$0.1.isEmpty }.count == 2_100)
            // A cut-off post (the first 2.000 lines): refused, nothing changed, nothing deleted.
            let cut = fields.filter { name, _ in
                guard let index = name.split(separator: "_").last.flatMap({ Int($0) }), name.contains("_") else { return true }
                return index < 2_000
            }
            let refused = try await h.post(path, RunImportTests.replacing(cut, "line_count", with: "2000") + [("action", "book")])
            #expect(refused.status == .conflict)
            #expect(refused.body.contains("2.000 van de 2.100 regels"))
            #expect(try h.database.entryLines(entryId: entry.id!).count == 2_100)
            #expect(try h.database.entry(id: entry.id!, administrationId: id)?.status == .draft)
            #expect(try h.database.history(entryId: entry.id!).allSatisfy { $0.newValue != "verwijderd" })
            // Saved unchanged: all 2.100 lines stay. Booked unchanged: all 2.100 lines are booked.
            #expect(try await h.post(path, fields + [("action", "save")]).status == .seeOther)
            #expect(try h.database.entryLines(entryId: entry.id!).count == 2_100)
            let again = try RunImportTests.formFields(try await h.get(path).body)
            let booked = try await h.post(path, again + [("action", "book")])
            #expect(booked.status == .seeOther)
            let lines = try h.database.entryLines(entryId: entry.id!)
            #expect(lines.count == 2_100)
            #expect(lines.reduce(0) { $0 + $1.debitCents } == total)
            #expect(lines.reduce(0) { $0 + $1.creditCents } == total)
            #expect(try h.database.entry(id: entry.id!, administrationId: id)?.isBooked == true)
        }
    }

    // Case 2: line_count out of range on a draft and on a booked entry: 400 with a message, the app lives on.
    @Test func aLineCountOutOfRangeIsABadRequest() async throws {
        try await Harness.run { h in
            let id = try await self.administration(h)
            #expect(try await self.importFile(h, id, "4000;Loon;100,00;\n1710;Netto;;100,00\n", roles: ["rekening", "omschrijving", "debet", "credit"]).status == .seeOther)
            let entry = try #require(try h.database.entries(administrationId: id).first)
            let path = "/administraties/\(id)/boekingen/\(entry.id!)"
            let fields = try RunImportTests.formFields(try await h.get(path).body)
            for bad in ["-1", "abc", "", "1000000", "9223372036854775808", "-9223372036854775808", "10003"] {
                let answer = try await h.post(path, RunImportTests.replacing(fields, "line_count", with: bad) + [("action", "save")])
                #expect(answer.status == .badRequest, "line_count=\(bad)")
                #expect(answer.body.contains("aantal regels"), "line_count=\(bad)")
            }
            for bad in ["0", "-5", "x1"] {
                let answer = try await h.post(path, RunImportTests.replacing(fields, "line_id_0", with: bad) + [("action", "save")])
                #expect(answer.status == .badRequest, "line_id_0=\(bad)")
            }
            #expect(try await h.post(path, fields + [("action", "book")]).status == .seeOther)
            let booked = try await h.post(path, RunImportTests.replacing(fields, "line_count", with: "-1") + [("action", "save")])
            #expect(booked.status == .badRequest)
            #expect(try await h.get("/").status == .ok)
            #expect(try h.database.entryLines(entryId: entry.id!).count == 2)
        }
    }

    // Case 3: amounts that would overflow are refused at the door of a payroll file, with the line.
    @Test func aPayrollFileBeyondTheLimitsIsRefusedNotSummed() async throws {
        try await Harness.run { h in
            let id = try await self.administration(h)
            let huge = "rekening;debet\n" + String(repeating: "4000;1000000000000\n", count: 100_000)
            let refused = try await self.importFile(h, id, huge, roles: ["rekening", "debet"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("Regel 2: debet"))
            #expect(refused.body.contains("te groot"))
            #expect(refused.body.components(separatedBy: "te groot").count <= 27)  // at most 25 problems listed
            let (many, _) = Self.bigFile(lines: JournalLimits.maxLinesPerEntry + 2)
            let tooMany = try await self.importFile(h, id, many, roles: ["rekening", "omschrijving", "debet", "credit"])
            #expect(tooMany.status == .unprocessableContent)
            #expect(tooMany.body.contains("hoogstens 10.000 regels"))
            let longText = "rekening;omschrijving;debet;credit\n4000;\(String(repeating: "x", count: 201));1,00;\n1710;Netto;;1,00\n"
            let tooLong = try await self.importFile(h, id, longText, roles: ["rekening", "omschrijving", "debet", "credit"])
            #expect(tooLong.status == .unprocessableContent)
            #expect(tooLong.body.contains("Regel 2: De omschrijving is te lang (201 tekens; maximaal 200)"))
            #expect(try h.database.entries(administrationId: id).isEmpty)
        }
    }

    // Loket JSON is a door too: a run beyond the limits is refused with the reason, never cut.
    @Test func aLoketRunBeyondTheLimitsIsRefusedWithTheReason() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let run = Seed.run(admin: 1, 2)
            h.simulator!.handle.setEveryLineAmount(ofRun: run, cents: JournalLimits.lineAmountCents * 10)
            let refused = try await h.post("/administraties/\(bakery)/runs/import", [("runId", run)])
            #expect(refused.status == .seeOther)
            let page = try await h.get(try #require(refused.headers[.location]))
            #expect(page.body.contains("Deze run is niet geïmporteerd, want hij past niet in één boeking: Regel 1 heeft € 10.000.000.000,00"))
            #expect(try h.database.entries(administrationId: bakery).isEmpty)
            #expect(try await h.post("/administraties/\(bakery)/runs/import", [("all", "1")]).status == .seeOther)
            #expect(try h.database.entries(administrationId: bakery).allSatisfy { $0.sourceReference != run })
        }
    }

    // Case 4: the amounts are refused at the form; the ledger of a maximal administration renders and exports.
    @Test func hugeAmountsAreRefusedAndAMaximalLedgerStillRenders() async throws {
        try await Harness.run { h in
            let id = try await self.administration(h, vat: true)
            #expect(try await self.importFile(h, id, "4000;Loon;100,00;\n1710;Netto;;100,00\n", roles: ["rekening", "omschrijving", "debet", "credit"]).status == .seeOther)
            let draft = try #require(try h.database.entries(administrationId: id).first)
            let path = "/administraties/\(id)/boekingen/\(draft.id!)"
            let fields = try RunImportTests.formFields(try await h.get(path).body)
            for amount in ["1.000.000.000.000", "1000000000,01", "92233720368547758,07"] {
                let answer = try await h.post(path, RunImportTests.replacing(RunImportTests.replacing(fields, "debit_0", with: amount), "credit_1", with: amount) + [("action", "book")])
                #expect(answer.status == .unprocessableContent, "\(amount)")
                #expect(answer.body.contains("Dit bedrag is te groot: één regel gaat tot € 1.000.000.000,00."), "\(amount)")
            }
            #expect(try h.database.entry(id: draft.id!, administrationId: id)?.isBooked == false)
            try h.database.deleteDraft(entryId: draft.id!, administrationId: id, at: Date())
            // Fill the administration to its limit (two entries of 10.000 lines at the line limit).
            let accounts = Dictionary(try h.database.accounts(administrationId: id).map { ($0.number, $0.id!) }, uniquingKeysWith: { a, _ in a })
            let half = JournalLimits.maxLinesPerEntry / 2
            let max = Money(cents: JournalLimits.lineAmountCents)
            for month in 1...2 {
                let lines = (0..<half).map { _ in NewLine(accountId: accounts["4000"], description: "Lonen", costCenter: nil, costUnit: nil, debit: max, credit: .zero, original: nil) }
                    + (0..<half).map { _ in NewLine(accountId: accounts["1710"], description: "Netto", costCenter: nil, costUnit: nil, debit: .zero, credit: max, original: nil) }
                let (entryId, _) = try h.database.insertImportedDraft(
                    NewDraft(administrationId: id, source: .file, sourceReference: "max-\(month)", description: "Maximaal", entryDate: CalendarDate.lastDay(ofMonth: month, year: 2026), period: month, lines: lines),
                    at: Date()
                )
                _ = try h.database.book(entryId: entryId, administrationId: id, at: Date())
            }
            let total = Money(cents: JournalLimits.administrationTotalCents).dutch
            let trial = try await h.get("/administraties/\(id)/proefbalans?jaar=2026")
            #expect(trial.status == .ok)
            #expect(trial.body.contains("id=\"tb-debit\">\(total)<"))
            let journal = try await h.get("/administraties/\(id)/grootboek?jaar=2026&pagina=200")
            #expect(journal.status == .ok)
            #expect(journal.body.contains("id=\"journal-debit\">\(total)<"))
            let card = try await h.get("/administraties/\(id)/grootboek/rekening/\(accounts["4000"]!)?jaar=2026&pagina=100")
            #expect(card.status == .ok)
            #expect(card.body.contains("id=\"card-balance\">\(total)<"))
            for format in ["xaf", "xaf4", "csv"] {
                let export = try await h.get("/administraties/\(id)/export?jaar=2026&formaat=\(format)")
                #expect(export.status == .ok, "\(format)")
                #expect(export.body.contains(format == "csv" ? "1000000000,00" : "<totalDebit>10000000000000.00</totalDebit>"), "\(format)")
            }
        }
    }

    // Case 5: characters XML 1.0 does not allow are refused at input with a message.
    @Test func charactersAnAuditfileCannotHoldAreRefusedAtInput() async throws {
        try await Harness.run { h in
            let id = try await self.administration(h)
            for bad in ["Lonen\u{FFFF}", "Lonen\u{FFFE}", "\u{0}Lonen", "Lo\u{1B}nen"] {
                let answer = try await h.post("/administraties/\(id)/rekeningen", [("number", "4999"), ("name", bad), ("type", "W")])
                #expect(answer.status.code >= 400 && answer.status.code < 500, "\(bad.unicodeScalars.map(\.value))")
                #expect(answer.body.contains("onzichtbaar of ongeldig teken"), "\(bad.unicodeScalars.map(\.value))")
            }
            #expect(try h.database.accounts(administrationId: id).allSatisfy { $0.number != "4999" })
            #expect(try await self.importFile(h, id, "4000;Loon;100,00;\n1710;Netto;;100,00\n", roles: ["rekening", "omschrijving", "debet", "credit"]).status == .seeOther)
            let entry = try #require(try h.database.entries(administrationId: id).first)
            let path = "/administraties/\(id)/boekingen/\(entry.id!)"
            let fields = try RunImportTests.formFields(try await h.get(path).body)
            for (field, value) in [("desc_0", "Loon \u{FFFF}"), ("cc_0", "K\u{0}"), ("description", "Journaal \u{FFFE}")] {
                let answer = try await h.post(path, RunImportTests.replacing(fields, field, with: value) + [("action", "save")])
                #expect(answer.status == .unprocessableContent, "\(field)")
                #expect(answer.body.contains("onzichtbaar of ongeldig teken"), "\(field)")
            }
            #expect(try h.database.entryLines(entryId: entry.id!).map(\.description) == ["Loon", "Netto"])
        }
    }

    // Case 6: lengths are counted as the database counts them: a message, never a 500.
    @Test func lengthsAreCountedAsTheDatabaseCountsThem() async throws {
        try await Harness.run { h in
            let family = String(repeating: "👨‍👩‍👧‍👦", count: 30)  // 30 characters, 210 code points
            for name in [family, String(repeating: "e\u{301}", count: 150), String(repeating: "🇳🇱", count: 101), "\u{0}Bakkerij"] {
                let answer = try await h.post("/administraties", [("code", "LEN1"), ("name", name), ("fiscalYear", "2026")])
                #expect(answer.status.code >= 400 && answer.status.code < 500, "\(name.unicodeScalars.count)")
                #expect(answer.body.contains("te lang") || answer.body.contains("ongeldig teken"), "\(name.unicodeScalars.count)")
            }
            #expect(try h.database.administrationSummaries().isEmpty)
            let fits = String(repeating: "é", count: 100)  // 100 code points: fits
            #expect(try await h.post("/administraties", [("code", "LEN2"), ("name", fits), ("fiscalYear", "2026")]).status == .seeOther)
            let id = try #require(try h.database.administrationSummaries().first?.id)
            _ = try h.database.addStarterChart(administrationId: id, at: Date())
            #expect(try await h.post("/administraties/\(id)/rekeningen", [("number", "4998"), ("name", String(repeating: "🇳🇱", count: 51)), ("type", "W")]).body.contains("te lang (102 tekens; maximaal 100)"))
            #expect(try await self.importFile(h, id, "4000;Loon;100,00;\n1710;Netto;;100,00\n", roles: ["rekening", "omschrijving", "debet", "credit"]).status == .seeOther)
            let entry = try #require(try h.database.entries(administrationId: id).first)
            let path = "/administraties/\(id)/boekingen/\(entry.id!)"
            let fields = try RunImportTests.formFields(try await h.get(path).body)
            for (field, value) in [("description", family), ("desc_0", String(repeating: "e\u{301}", count: 150)), ("cu_0", String(repeating: "🇳🇱", count: 21))] {
                let answer = try await h.post(path, RunImportTests.replacing(fields, field, with: value) + [("action", "save")])
                #expect(answer.status == .unprocessableContent, "\(field)")
                #expect(answer.body.contains("te lang"), "\(field)")
            }
            #expect(try await h.get("/").status == .ok)
        }
    }

    // Case 7: an export leaves no temporary folder, failed or not; a silent connection is closed.
    @Test func exportsLeaveNoTemporaryFolders() async throws {
        try await Harness.run { h in
            let temporary = h.dataDirectory.deletingLastPathComponent().appending(path: "tmp")
            func leftovers() -> [String] {
                ((try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []).filter { $0.hasPrefix("loonjournaal-export-") }
            }
            let id = try await self.administration(h)  // no VAT number or RSIN: an auditfile cannot be made
            let failed = try await h.get("/administraties/\(id)/export?jaar=2026&formaat=xaf")
            #expect(failed.status == .seeOther)
            #expect(leftovers().isEmpty)
            #expect(try await self.importFile(h, id, "4000;Loon;100,00;\n1710;Netto;;100,00\n", roles: ["rekening", "omschrijving", "debet", "credit"]).status == .seeOther)
            let entry = try #require(try h.database.entries(administrationId: id).first)
            _ = try h.database.book(entryId: entry.id!, administrationId: id, at: Date())
            let csv = try await h.get("/administraties/\(id)/export?jaar=2026&formaat=csv")
            #expect(csv.status == .ok)
            #expect(leftovers().isEmpty)
            #expect(try await h.get("/administraties/\(id)/export?jaar=2026&formaat=pdf").status == .badRequest)
            #expect(try await h.get("/administraties/\(id)/export?jaar=99999&formaat=csv").status == .badRequest)
            #expect(leftovers().isEmpty)
        }
    }

    @Test func aConnectionThatSendsNothingIsClosed() async throws {
        try await Harness.run(signedIn: false, idleTimeout: .seconds(1)) { h in  // raw sockets only: the harness's own connection may be closed as idle
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #expect(socket >= 0)
            defer { close(socket) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(h.port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            #expect(connected == 0)
            // Half a request head, then silence (a slow or stuck client).
            let partial = Array("GET / HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\n".utf8)
            #expect(send(socket, partial, partial.count, 0) == partial.count)
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let started = ContinuousClock.now
            var buffer = [UInt8](repeating: 0, count: 512)
            let received = recv(socket, &buffer, buffer.count, 0)
            #expect(received == 0, "the server should close the connection (got \(received))")
            #expect(ContinuousClock.now - started < .seconds(8))
            // The server itself goes on: a new connection is answered.
            let fresh = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fresh) }
            let reconnected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fresh, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            #expect(reconnected == 0)
            let full = Array("GET /static/css/app.css HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\n\r\n".utf8)
            #expect(send(fresh, full, full.count, 0) == full.count)
            // Not under test here: how fast the answer comes while every suite runs on two cores.
            var patience = timeval(tv_sec: 60, tv_usec: 0)
            setsockopt(fresh, SOL_SOCKET, SO_RCVTIMEO, &patience, socklen_t(MemoryLayout<timeval>.size))
            var head: [UInt8] = []
            while head.count < 12 {
                let answered = recv(fresh, &buffer, buffer.count, 0)
                if answered <= 0 { break }
                head += buffer.prefix(answered)
            }
            #expect(head.count >= 12 && String(decoding: head.prefix(12), as: UTF8.self) == "HTTP/1.1 200")
        }
    }
}
