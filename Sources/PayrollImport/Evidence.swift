import Crypto
import Foundation
import Ledger
import LoketClient
import Storage

/// The evidence kept with an entry: Loket's journal report (PDF) and run overview per employee
/// (CSV), fetched with every imported run, and files the user adds. A failed download never
/// blocks an import: it stays pending, visibly, and is tried again by the next import, sync or
/// "Opnieuw ophalen".
public struct Evidence: Sendable {
    public let database: AppDatabase
    public let loket: LoketService
    public let now: @Sendable () -> Date

    public init(database: AppDatabase, loket: LoketService, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.loket = loket
        self.now = now
    }

    /// The journal number we give Loket for its report parameters (our payroll journal).
    public static let reportJournalNumber = 90
    /// Largest file a user may add (Loket's own documents may be up to the database's 20 MB).
    public static let maxUserFileBytes = 10 * 1024 * 1024

    public enum EvidenceError: Error, Equatable {
        case notFound
        case booked
        case empty
        case tooLarge(bytes: Int)
        case unsupportedType
        case unreadable(String)

        public var explanation: String {
            switch self {
            case .notFound: "Deze boeking of bijlage bestaat niet (meer)."
            case .booked: "Deze boeking is geboekt: haar bijlagen liggen vast en kunnen niet meer worden gewijzigd of aangevuld."
            case .empty: "Het gekozen bestand is leeg. Kies een PDF-, CSV-, PNG- of JPEG-bestand."
            case .tooLarge(let bytes):
                "Het bestand is te groot (\(max(1, bytes / 1024 / 1024)) MB); een eigen bijlage mag hoogstens \(Evidence.maxUserFileBytes / 1024 / 1024) MB zijn."
            case .unsupportedType: "Dit bestandstype kan niet als bijlage worden bewaard: alleen PDF, CSV, PNG en JPEG."
            case .unreadable(let reason): "De bijlage kon niet worden bewaard: \(reason)"
            }
        }
    }

    // MARK: - Loket's documents

    /// Marks and fetches Loket's documents of an imported entry; returns how many are still
    /// missing afterwards. Never throws: the import stands whatever happens here.
    @discardableResult
    public func fetchLoketDocuments(entry: JournalEntryRecord, client: LoketAPIClient) async -> Int {
        guard entry.source == .loket, let runId = entry.sourceReference, let entryId = entry.id else { return 0 }
        do {
            try self.database.expectLoketDocuments(entryId: entryId)
        } catch {
            return AttachmentKind.fromLoket.count
        }
        // The report first, then the overview: the order the entry page lists them in.
        let pending = ((try? self.database.pendingDownloads(entryId: entryId)) ?? []).sorted {
            (AttachmentKind.fromLoket.firstIndex(of: $0.kind) ?? 9) < (AttachmentKind.fromLoket.firstIndex(of: $1.kind) ?? 9)
        }
        var missing = 0
        for item in pending {
            do {
                let document: LoketDocument
                switch item.kind {
                case .journalReport:
                    document = try await client.journalReport(id: runId)
                case .employeeOverview:
                    document = try await client.runOverviewPerEmployment(id: runId, report: Self.reportParameters(entry))
                case .userFile:
                    continue
                }
                try self.database.storeLoketDocument(entryId: entryId, self.attachment(document, kind: item.kind, entry: entry), at: self.now())
            } catch {
                missing += 1
                let reason = (error as? LoketError)?.explanation ?? "de download is mislukt"
                try? self.database.recordFailedDownload(entryId: entryId, kind: item.kind, error: reason, at: self.now())
            }
        }
        return missing
    }

    /// Tries every pending download of an administration again (sync, "Alles bijwerken"); the
    /// entries of `tried` were just imported and tried in this round already.
    public func retryPending(administrationId: AdministrationID, client: LoketAPIClient, except tried: Set<EntryID> = []) async -> Int {
        let entries = (try? self.database.entriesWithPendingDownloads(administrationId: administrationId)) ?? []
        var missing = 0
        for entry in entries where !tried.contains(entry.id!) {
            missing += await self.fetchLoketDocuments(entry: entry, client: client)
        }
        return missing
    }

    /// "Opnieuw ophalen" on the entry page.
    public func retry(entryId: EntryID, administrationId: AdministrationID) async throws(EvidenceError) -> Int {
        guard let entry = try? self.database.entry(id: entryId, administrationId: administrationId), entry.source == .loket else { throw .notFound }
        guard let link = try? self.database.link(administrationId: administrationId), let client = try? self.loket.apiClient(connectionId: link.connectionId) else {
            throw .unreadable("deze administratie is niet (meer) aan Loket gekoppeld")
        }
        return await self.fetchLoketDocuments(entry: entry, client: client)
    }

    static func reportParameters(_ entry: JournalEntryRecord) -> LoketReportParameters {
        LoketReportParameters(
            journalNumber: self.reportJournalNumber, voucherNumber: Int(truncatingIfNeeded: entry.id?.rawValue ?? 0), description: String(entry.description.prefix(100)),
            year: entry.payrollYear ?? entry.fiscalYear, periodNumber: entry.payrollPeriod ?? entry.period, date: entry.entryDate
        )
    }

    func attachment(_ document: LoketDocument, kind: AttachmentKind, entry: JournalEntryRecord) throws -> NewAttachment {
        guard document.bytes.count <= AppDatabase.maxAttachmentBytes else { throw EvidenceError.tooLarge(bytes: document.bytes.count) }
        let type: AttachmentMediaType = document.kind == .pdf ? .pdf : .csv
        let period = String(format: "%04d-%02d", entry.payrollYear ?? entry.fiscalYear, entry.payrollPeriod ?? entry.period)
        let fallback = kind == .journalReport ? "Journaalrapport \(period).pdf" : "Verloningsoverzicht per werknemer \(period).csv"
        let name = Self.cleanFileName(document.suggestedName ?? fallback, type: type)
        return NewAttachment(kind: kind, fileName: name, mediaType: type, sha256: Self.sha256(document.bytes), bytes: document.bytes)
    }

    // MARK: - The user's own files

    /// Adds a user's file to a draft: PDF, CSV, PNG or JPEG (recognised by content, not by
    /// name), at most 20 MB; refused on a booked entry.
    public func addUserFile(entryId: EntryID, administrationId: AdministrationID, fileName: String, bytes: [UInt8]) throws(EvidenceError) -> AttachmentRecord {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= Self.maxUserFileBytes else { throw .tooLarge(bytes: bytes.count) }
        guard let type = Self.mediaType(of: bytes, fileName: fileName) else { throw .unsupportedType }
        let attachment = NewAttachment(
            kind: .userFile, fileName: Self.cleanFileName(fileName, type: type), mediaType: type, sha256: Self.sha256(bytes), bytes: bytes
        )
        do {
            return try self.database.addUserAttachment(entryId: entryId, administrationId: administrationId, attachment, at: self.now())
        } catch AttachmentError.notFound {
            throw .notFound
        } catch AttachmentError.booked {
            throw .booked
        } catch {
            throw Self.isImmutability(error) ? .booked : .unreadable("de database weigerde het opslaan")
        }
    }

    public func removeUserFile(attachmentId: Int64, entryId: EntryID, administrationId: AdministrationID) throws(EvidenceError) {
        do {
            try self.database.removeUserAttachment(id: attachmentId, entryId: entryId, administrationId: administrationId, at: self.now())
        } catch AttachmentError.notFound {
            throw .notFound
        } catch {
            throw .booked
        }
    }

    static func isImmutability(_ error: any Error) -> Bool {
        String(describing: error).contains("immutable")
    }

    /// The type by the file's first bytes; a CSV must be text (no NUL bytes) and named .csv/.txt.
    public static func mediaType(of bytes: [UInt8], fileName: String) -> AttachmentMediaType? {
        if bytes.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        let lower = fileName.lowercased()
        if (lower.hasSuffix(".csv") || lower.hasSuffix(".txt")) && !bytes.prefix(65_536).contains(0) { return .csv }
        return nil
    }

    /// A file name safe to show and to offer as a download: the last path part, ordinary
    /// characters only, at most 120, ending in the extension of its real type.
    public static func cleanFileName(_ raw: String, type: AttachmentMediaType) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let kept = String(String.UnicodeScalarView(last.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._- ()".unicodeScalars.contains($0) }))
        var base = kept.trimmingCharacters(in: CharacterSet(charactersIn: ". "))
        if let dot = base.lastIndex(of: "."), base[base.index(after: dot)...].count <= 4 { base = String(base[..<dot]) }
        base = TextRules.cleaned(base, max: 100).trimmingCharacters(in: .whitespaces)
        if base.isEmpty { base = "bijlage" }
        return "\(base).\(type.fileExtension)"
    }

    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - Showing a CSV

    /// A CSV attachment as a table: the first row is the header; numbers in Loket's Dutch
    /// notation (1234,56) are shown as `1.234,56`. At most `maxRows` rows.
    public static func table(csv bytes: [UInt8], maxRows: Int = 2_000) -> CSVTable? {
        guard let text = String(validating: bytes, as: UTF8.self) ?? String(bytes: bytes, encoding: .isoLatin1) else { return nil }
        let separator: Character = text.prefix(2_000).filter { $0 == ";" }.count >= text.prefix(2_000).filter { $0 == "," }.count ? ";" : ","
        var rows: [[String]] = []
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            rows.append(Self.fields(String(line), separator: separator).map { String($0.prefix(200)) })
            if rows.count > maxRows { break }
        }
        guard let header = rows.first else { return nil }
        let body = Array(rows.dropFirst().prefix(maxRows))
        let numeric = header.indices.map { column in
            let values = body.compactMap { $0.indices.contains(column) ? $0[column] : nil }.filter { !$0.isEmpty }
            return !values.isEmpty && values.allSatisfy { Self.dutchCents($0) != nil }
        }
        let shown = body.map { row in
            header.indices.map { column -> CSVTable.Cell in
                let value = row.indices.contains(column) ? row[column] : ""
                if numeric[column], let cents = Self.dutchCents(value) {
                    return CSVTable.Cell(text: Money(cents: cents).dutch, isNumber: true)
                }
                return CSVTable.Cell(text: value, isNumber: false)
            }
        }
        return CSVTable(header: header, rows: shown, numericColumns: numeric, truncated: rows.count > maxRows + 1)
    }

    /// `1234,56`, `-12,5` or `1.234,56` as cents: a decimal comma is required (a personnel
    /// number such as `2026` stays text); nil for anything else.
    static func dutchCents(_ raw: String) -> Int64? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.count <= 20, let comma = text.lastIndex(of: ","), text.filter({ $0 == "," }).count == 1 else { return nil }
        let decimals = text[text.index(after: comma)...]
        guard (1...2).contains(decimals.count), decimals.allSatisfy(\.isASCII), decimals.allSatisfy(\.isNumber) else { return nil }
        return try? Money.parse(text, allowNegative: true).cents
    }

    /// Fields of one CSV line; quotes may hold separators and doubled quotes.
    static func fields(_ line: String, separator: Character) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = Array(line).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { current.append(c) }
            } else if c == "\"" && current.isEmpty {
                quoted = true
            } else if c == separator {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(current)
        return fields.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// A CSV shown as a table.
public struct CSVTable: Sendable, Equatable {
    public struct Cell: Sendable, Equatable {
        public let text: String
        public let isNumber: Bool
    }

    public let header: [String]
    public let rows: [[Cell]]
    public let numericColumns: [Bool]
    public let truncated: Bool
}
