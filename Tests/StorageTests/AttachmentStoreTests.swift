import Foundation
import GRDB
import Ledger
import Reports
import Testing

@testable import Storage

/// Evidence kept with entries: content-hashed, fixed once the entry is booked (by the
/// database, whatever the code does), and bundled with the auditfile in a valid zip.
@Suite struct AttachmentStoreTests {
    static func attachment(_ kind: AttachmentKind, _ text: String, name: String, type: AttachmentMediaType = .pdf) -> NewAttachment {
        let bytes = Array(text.utf8)
        let hash = bytes.reduce(into: [UInt8](repeating: 0, count: 32)) { acc, byte in acc[Int(byte) % 32] &+= byte }.map { String(format: "%02x", $0) }.joined()
        return NewAttachment(kind: kind, fileName: name, mediaType: type, sha256: hash, bytes: bytes)
    }

    @Test func bookedEvidenceCannotChangeOrDisappear() throws {
        let temp = try TempDirectory()
        let (database, admin) = try ExportTests().bookedLedger(temp)
        let id = admin.id!
        let booked = try #require(try database.entries(administrationId: id).first { $0.isBooked })
        let entryId = booked.id!
        // Loket's documents may still arrive for a booked entry (they were pending at booking)...
        try database.expectLoketDocuments(entryId: entryId)
        try database.storeLoketDocument(entryId: entryId, Self.attachment(.journalReport, "%PDF-1.4 report %%EOF", name: "rapport.pdf"), at: jan)
        #expect(try database.pendingDownloads(entryId: entryId).map(\.kind) == [.employeeOverview])
        // ...a second one of the same kind is a no-op, and a user's file is refused.
        try database.storeLoketDocument(entryId: entryId, Self.attachment(.journalReport, "%PDF-1.4 other %%EOF", name: "ander.pdf"), at: jan)
        #expect(try database.attachments(entryId: entryId).map(\.fileName) == ["rapport.pdf"])
        #expect(throws: AttachmentError.booked) {
            try database.addUserAttachment(entryId: entryId, administrationId: id, Self.attachment(.userFile, "%PDF-1.4 mine", name: "mijn.pdf"), at: jan)
        }
        let before = try database.attachments(entryId: entryId)
        // The database refuses what the code never does: update, delete, a user's file, new bytes.
        for sql in [
            "UPDATE entry_attachments SET file_name = 'x.pdf' WHERE entry_id = \(entryId)",
            "DELETE FROM entry_attachments WHERE entry_id = \(entryId)",
            "INSERT INTO entry_attachments (entry_id, kind, file_name, media_type, sha256, byte_count, added_at) VALUES (\(entryId), 'userFile', 'x.pdf', 'application/pdf', '\(before[0].sha256)', 10, '2026-01-01')",
            "UPDATE attachment_contents SET content = x'00', byte_count = 1",
            "INSERT INTO entry_attachments (entry_id, kind, file_name, media_type, sha256, byte_count, added_at) VALUES (\(entryId), 'userFile', 'x.exe', 'application/x-msdownload', '\(before[0].sha256)', 10, '2026-01-01')",
        ] {
            #expect(throws: DatabaseError.self, "\(sql)") { try database.writer.write { try $0.execute(sql: sql) } }
        }
        #expect(try database.attachments(entryId: entryId) == before)
        // A draft's evidence may change, and goes with the draft when it is deleted.
        let draft = try database.insertImportedDraft(
            NewDraft(
                administrationId: id, source: .manual, sourceReference: nil, description: "Correctie", entryDate: CalendarDate(year: 2026, month: 4, day: 30)!, period: 4,
                lines: []
            ),
            at: jan
        ).entryId
        let added = try database.addUserAttachment(entryId: draft, administrationId: id, Self.attachment(.userFile, "%PDF-1.4 mine", name: "mijn.pdf"), at: jan)
        try database.removeUserAttachment(id: added.id!, entryId: draft, administrationId: id, at: jan)
        _ = try database.addUserAttachment(entryId: draft, administrationId: id, Self.attachment(.userFile, "%PDF-1.4 mine", name: "mijn.pdf"), at: jan)
        try database.deleteDraft(entryId: draft, administrationId: id, at: jan)
        #expect(try database.attachments(entryId: draft).isEmpty)
    }

    /// The zip holds the auditfile and each booked entry's evidence; the auditfile is valid
    /// against the official XSD and its `docRef` points at the evidence folder.
    @Test func evidenceZipHoldsAValidAuditfileAndTheFiles() throws {
        let temp = try TempDirectory()
        let (database, admin) = try ExportTests().bookedLedger(temp)
        let booked = try database.entries(administrationId: admin.id!).filter(\.isBooked)
        let first = try #require(booked.first)
        try database.expectLoketDocuments(entryId: first.id!)
        let report = Self.attachment(.journalReport, "%PDF-1.4 journaalrapport %%EOF", name: "Journaalrapport januari.pdf")
        let overview = Self.attachment(.employeeOverview, "Naam;Brutoloon\r\nJ. de Vries;1845,00\r\n", name: "Overzicht.csv", type: .csv)
        try database.storeLoketDocument(entryId: first.id!, report, at: jan)
        try database.storeLoketDocument(entryId: first.id!, overview, at: jan)
        let file = temp.url.appending(path: LedgerExporter.evidenceFileName(code: admin.code, year: 2026))
        try LedgerExporter(database: database, now: { jan }).exportEvidence(administration: admin, year: 2026, to: file)
        // Unpacked by an independent reader (Python's zipfile checks every CRC).
        let out = temp.url.appending(path: "uit")
        let unzip = Process()
        unzip.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        unzip.arguments = ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; z.extractall(sys.argv[2]); print('\\n'.join(z.namelist()))", file.path, out.path]
        let pipe = Pipe()
        unzip.standardOutput = pipe
        try unzip.run()
        unzip.waitUntilExit()
        #expect(unzip.terminationStatus == 0)
        let names = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
        let folder = "bewijsstukken/2026-\(first.number!)/"
        #expect(Set(names) == ["L5001-2026.xaf", folder + "Journaalrapport januari.pdf", folder + "Overzicht.csv", "bewijsstukken/overzicht.csv"])
        #expect(try Data(contentsOf: out.appending(path: folder + "Journaalrapport januari.pdf")) == Data(report.bytes))
        let xaf = out.appending(path: "L5001-2026.xaf")
        let (status, output) = try ExportTests().xmllint(xaf, schema: "XmlAuditfileFinancieel3.2.xsd")
        #expect(status == 0, "\(output)")
        let xml = try String(contentsOf: xaf, encoding: .utf8)
        #expect(xml.contains("<docRef>2026-\(first.number!) \(folder)</docRef>"))
        #expect(xml.contains("<docRef>2026-\(booked[1].number!)</docRef>"))
        // The plain auditfile (XAF 4.0 too) names the same folder.
        let plain = temp.url.appending(path: "plain.xaf")
        try LedgerExporter(database: database, now: { jan }).export(administration: admin, year: 2026, format: .xaf4, to: plain)
        #expect(try ExportTests().xmllint(plain, schema: "XmlAuditfileFinancieel4.0.xsd").0 == 0)
        #expect(try String(contentsOf: plain, encoding: .utf8).contains("<docRef>2026-\(first.number!) \(folder)</docRef>"))
        let index = try String(contentsOf: out.appending(path: "bewijsstukken/overzicht.csv"), encoding: .utf8)
        #expect(index.contains(report.sha256))
    }

    @Test func zipRefusesPathsOutsideItself() throws {
        let zip = ZipWriter(date: jan) { _ in }
        #expect(throws: ZipWriter.Failure.self) { try zip.add(name: "../buiten.txt", bytes: [1]) }
        #expect(throws: ZipWriter.Failure.self) { try zip.add(name: "/etc/passwd", bytes: [1]) }
        try zip.add(name: "a.txt", bytes: [1])
        #expect(throws: ZipWriter.Failure.self) { try zip.add(name: "a.txt", bytes: [2]) }
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}

/// Found by the fuzzer (seed 11): reversing an entry whose description fills its 200 scalars with
/// flags cut the reversal's text by characters, not scalars, and the database refused it (HTTP 500).
@Suite struct ReversalTextTests {
    @Test func theReversalOfAFullDescriptionFits() throws {
        let temp = try TempDirectory()
        let (database, admin) = try ExportTests().bookedLedger(temp)
        let accounts = Dictionary(try database.accounts(administrationId: admin.id!).map { ($0.number, $0.id!) }, uniquingKeysWith: { a, _ in a })
        let description = String(repeating: "🇳🇱", count: 99) + "ab"
        #expect(description.unicodeScalars.count == 200)
        let draft = NewDraft(
            administrationId: admin.id!, source: .manual, sourceReference: nil, description: description, entryDate: CalendarDate(year: 2026, month: 5, day: 31)!,
            period: 5,
            lines: [
                NewLine(accountId: accounts["4000"], description: "", costCenter: nil, costUnit: nil, debit: Money(cents: 100), credit: .zero, original: nil),
                NewLine(accountId: accounts["1710"], description: "", costCenter: nil, costUnit: nil, debit: .zero, credit: Money(cents: 100), original: nil),
            ]
        )
        let id = try database.insertImportedDraft(draft, at: jan).entryId
        _ = try database.book(entryId: id, administrationId: admin.id!, at: jan)
        let reversal = try database.reverse(entryId: id, administrationId: admin.id!, at: jan)
        #expect(reversal.description.unicodeScalars.count <= 200)
        #expect(reversal.description.hasPrefix("Terugboeking van 2026-"))
    }
}
