import Foundation
import Ledger
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// The formats of `loonjournaal export` and the ledger page's downloads.
public enum ExportFormat: String, Sendable, CaseIterable {
    case xaf
    case xaf4
    case csv

    public var fileExtension: String { self == .csv ? "csv" : "xaf" }
    public var contentType: String { self == .csv ? "text/csv; charset=utf-8" : "application/xml; charset=utf-8" }
    public var label: String {
        switch self {
        case .xaf: "Auditfile XAF 3.2"
        case .xaf4: "Auditfile XAF 4.0 (met RGS)"
        case .csv: "CSV voor Excel"
        }
    }
}

/// Why an export was refused, before anything was written.
public enum ExportError: Error, Equatable, CustomStringConvertible {
    case administrationNotFound(String)
    case missingCompanyData([String])
    case noBookedEntries(year: Int)
    case unbalanced(debit: Money, credit: Money)
    case writeFailed(String)

    public var description: String {
        switch self {
        case .administrationNotFound(let code): "Administratie \(code) bestaat niet."
        case .missingCompanyData(let fields): "Voor een auditfile ontbreekt: " + fields.joined(separator: "; ") + ". Er is niets geschreven."
        case .noBookedEntries(let year): "Er zijn in \(year) geen geboekte boekingen; er is niets te exporteren. Er is niets geschreven."
        case .unbalanced(let debit, let credit): "De geboekte regels sluiten niet (debet \(debit.euro), credit \(credit.euro)). Er is niets geschreven."
        case .writeFailed(let reason): "Het exportbestand kon niet worden geschreven: \(reason)"
        }
    }
}

/// Writes the booked entries of one administration and year as XAF 3.2, XAF 4.0 or CSV, streamed
/// from the database so the size of the ledger does not matter for memory.
public struct LedgerExporter: Sendable {
    public let database: AppDatabase
    public let now: @Sendable () -> Date
    public static let softwareVersion = "0.4"

    public init(database: AppDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    /// Checks everything the export needs; throws a Dutch explanation when something is missing.
    public func check(administration: AdministrationRecord, year: Int, format: ExportFormat) throws -> LedgerTotals {
        if format != .csv {
            let missing = Self.company(administration).missingFields
            if !missing.isEmpty { throw ExportError.missingCompanyData(missing) }
        }
        let totals = try self.database.ledgerTotals(administrationId: administration.id!, year: year)
        guard totals.entries > 0 else { throw ExportError.noBookedEntries(year: year) }
        guard totals.debit == totals.credit else { throw ExportError.unbalanced(debit: totals.debit, credit: totals.credit) }
        return totals
    }

    static func company(_ administration: AdministrationRecord) -> AuditfileCompany {
        AuditfileCompany(
            name: administration.name, chamberOfCommerceNumber: administration.chamberOfCommerceNumber,
            taxRegistrationIdentifier: administration.vatNumber ?? administration.rsin, country: administration.country,
            street: administration.street, postalCode: administration.postalCode, city: administration.city
        )
    }

    /// Streams the export to `sink`. `evidence` names, per entry, the folder of its attachments
    /// in an evidence zip; the auditfile's `docRef` then points there.
    public func export(
        administration: AdministrationRecord, year: Int, format: ExportFormat, evidence: [EntryID: String] = [:], sink: @escaping (String) throws -> Void
    ) throws {
        let totals = try self.check(administration: administration, year: year, format: format)
        let id = administration.id!
        switch format {
        case .csv:
            try sink(LedgerCSV.header)
            try self.database.forEachBookedEntry(administrationId: id, year: year) { lines in
                var chunk = ""
                for line in lines {
                    chunk += LedgerCSV.row(
                        entry: "\(line.fiscalYear)-\(line.number)", date: (try? CalendarDate.parse(line.entryDate)) ?? CalendarDate(year: year, month: 1, day: 1)!,
                        period: line.period, account: line.accountNumber, accountName: line.accountName,
                        description: line.description.isEmpty ? line.entryDescription : line.description,
                        costCenter: line.costCenter, costUnit: line.costUnit, debit: Money(cents: line.debitCents), credit: Money(cents: line.creditCents)
                    )
                }
                try sink(chunk)
            }
        case .xaf, .xaf4:
            // Entries with evidence name its folder in `docRef` (as in the evidence zip).
            let evidence = evidence.isEmpty ? try self.evidenceFolders(self.database.attachments(administrationId: id, fiscalYear: year), year: year) : evidence
            let writer = AuditfileWriter(version: format == .xaf ? .xaf32 : .xaf40, sink: sink)
            let accounts = try self.database.accounts(administrationId: id).map {
                AuditfileAccount(number: $0.number, name: $0.name, type: $0.accountType, rgsCode: $0.rgsCode)
            }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Europe/Amsterdam") ?? .current
            let today = calendar.dateComponents([.year, .month, .day], from: self.now())
            try writer.begin(
                fiscalYear: year, created: CalendarDate(year: today.year!, month: today.month!, day: today.day!)!, softwareVersion: Self.softwareVersion,
                company: Self.company(administration), accounts: accounts,
                totals: AuditfileTotals(lines: totals.lines, debit: totals.debit, credit: totals.credit),
                journalId: "LONEN", journalDescription: "Loonjournaalposten"
            )
            try self.database.forEachBookedEntry(administrationId: id, year: year) { lines in
                let first = lines[0]
                try writer.write(
                    AuditfileTransaction(
                        number: "\(first.fiscalYear)-\(first.number)", description: first.entryDescription, period: min(first.period, 12),
                        date: (try? CalendarDate.parse(first.entryDate)) ?? CalendarDate(year: year, month: 12, day: 31)!,
                        source: first.source == .reversal ? "terugboeking" : first.source.rawValue,
                        lines: lines.map {
                            AuditfileLine(
                                number: $0.position, accountNumber: $0.accountNumber, description: $0.description,
                                debit: Money(cents: $0.debitCents), credit: Money(cents: $0.creditCents), costCenter: $0.costCenter
                            )
                        },
                        documentReference: evidence[first.entryId].map { "\(first.fiscalYear)-\(first.number) \($0)" }
                    )
                )
            }
            try writer.end()
        }
    }

    /// Writes the export to `url` via a temporary file beside it; on any failure no file (and no
    /// half-written file) is left behind.
    public func export(administration: AdministrationRecord, year: Int, format: ExportFormat, to url: URL) throws {
        _ = try self.check(administration: administration, year: year, format: format)
        try Self.writeAtomically(to: url) { write in
            var buffer: [UInt8] = []
            try self.export(administration: administration, year: year, format: format) { chunk in
                buffer += chunk.utf8
                if buffer.count >= 1 << 16 {
                    try write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try write(buffer)
        }
    }

    /// The auditfile (XAF 3.2) with every booked entry's attachments, as one zip written to
    /// `url` via a temporary file (nothing half-written is left on failure):
    /// `L5001-2026.xaf`, `bewijsstukken/2026-12/<file>`, and `bewijsstukken/overzicht.csv` listing
    /// entry, file, kind and SHA-256. Each line's `docRef` names its entry's folder.
    public func exportEvidence(administration: AdministrationRecord, year: Int, to url: URL) throws {
        _ = try self.check(administration: administration, year: year, format: .xaf)
        let attachments = try self.database.attachments(administrationId: administration.id!, fiscalYear: year)
        let folders = try self.evidenceFolders(attachments, year: year)
        var xaf: [UInt8] = []
        try self.export(administration: administration, year: year, format: .xaf, evidence: folders) { xaf += Array($0.utf8) }
        try Self.writeAtomically(to: url) { write in
            let zip = ZipWriter(date: self.now(), sink: write)
            try zip.add(name: Self.fileName(code: administration.code, year: year, format: .xaf), bytes: xaf)
            var index = ["Boeking;Bestand;Soort;SHA-256;Bytes"]
            for entryId in attachments.keys.sorted() {
                guard let folder = folders[entryId] else { continue }
                var used: Set<String> = []
                for record in attachments[entryId] ?? [] {
                    guard let bytes = try self.database.attachmentContent(sha256: record.sha256) else { continue }
                    var name = record.fileName
                    var counter = 2
                    while used.contains(name) {
                        name = "\(counter)-\(record.fileName)"
                        counter += 1
                    }
                    used.insert(name)
                    try zip.add(name: folder + name, bytes: bytes)
                    index.append([folder.dropFirst("bewijsstukken/".count).dropLast().description, folder + name, record.kind.label, record.sha256, String(bytes.count)]
                        .map { SpreadsheetCSV.field($0, max: 300) }.joined(separator: ";"))
                }
            }
            try zip.add(name: "bewijsstukken/overzicht.csv", bytes: Array((index.joined(separator: "\r\n") + "\r\n").utf8))
            try zip.finish()
        }
    }

    /// The evidence folder of each booked entry that has attachments: `bewijsstukken/2026-12/`
    /// (the same in the plain auditfile's `docRef` and in the evidence zip).
    func evidenceFolders(_ attachments: [EntryID: [AttachmentRecord]], year: Int) throws -> [EntryID: String] {
        let numbers = try self.database.entryNumbers(ids: Array(attachments.keys))
        var folders: [EntryID: String] = [:]
        for (entryId, _) in attachments {
            if let number = numbers[entryId] { folders[entryId] = "bewijsstukken/\(year)-\(number)/" }
        }
        return folders
    }

    /// Writes through `body` into a temporary file beside `url`, then renames it into place.
    static func writeAtomically(to url: URL, _ body: (@escaping ([UInt8]) throws -> Void) throws -> Void) throws {
        let directory = url.deletingLastPathComponent()
        let temp = directory.appending(path: ".\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
        guard FileManager.default.createFile(atPath: temp.path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = try? FileHandle(forWritingTo: temp)
        else {
            throw ExportError.writeFailed("kan \(temp.path) niet aanmaken")
        }
        do {
            try body { bytes in try handle.write(contentsOf: Data(bytes)) }
            try handle.synchronize()
            try handle.close()
            guard rename(temp.path, url.path) == 0 else { throw ExportError.writeFailed(String(cString: strerror(errno))) }
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temp)
            if let error = error as? ExportError { throw error }
            throw ExportError.writeFailed("\(error)")
        }
    }

    /// `L5001-2026-bewijsstukken.zip`
    public static func evidenceFileName(code: String, year: Int) -> String {
        "\(code)-\(year)-bewijsstukken.zip"
    }

    /// `L5001-2026.xaf`
    public static func fileName(code: String, year: Int, format: ExportFormat) -> String {
        "\(code)-\(year)\(format == .xaf4 ? "-xaf4" : "").\(format.fileExtension)"
    }
}
