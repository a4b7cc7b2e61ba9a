import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import NIOCore
import PayrollImport
import Reports
import Storage

/// The evidence of an entry: Loket's journal report and per-employee overview, the user's own
/// files; opening them (the PDF inline, the CSV as a download or a table), adding and removing
/// (drafts only), fetching again, and the auditfile zip with all evidence of a year.
struct EvidenceController {
    let pages: PageSupport
    let evidence: Evidence
    let exporter: LedgerExporter
    let temporaryDirectory: URL

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.attachment(0, entry: 0, attachment: 0), use: self.open)
        router.get(.attachmentTable(0, entry: 0, attachment: 0), use: self.table)
        router.post(.addAttachment(0, entry: 0), use: self.add)
        router.post(.removeAttachment(0, entry: 0, attachment: 0), use: self.remove)
        router.post(.fetchEvidence(0, entry: 0), use: self.fetch)
        router.get(.evidenceExport(0), use: self.export)
    }

    /// The policy of a served attachment: nothing may load, run, submit or frame; only the
    /// document itself is shown (Chromium's PDF viewer draws it without any of the page's
    /// permissions). The pages keep their own, unchanged policy.
    static let attachmentPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    /// A CSV is only ever downloaded: sandboxed as well.
    static let downloadPolicy = attachmentPolicy + "; sandbox"

    /// GET …/bijlagen/:attachmentId — the file itself: PDF and images inline, CSV as a download.
    @Sendable func open(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (administration, entry) = try self.entry(context)
        let (record, bytes) = try self.attachment(context, administration, entry)
        let inline = record.mediaType != .csv
        let contentType = record.mediaType == .csv ? "text/csv; charset=utf-8" : record.mediaType.rawValue
        return Response(
            status: .ok,
            headers: [
                .contentType: contentType,
                HTTPField.Name("Content-Disposition")!: Self.disposition(inline: inline, fileName: record.fileName),
                .contentSecurityPolicy: inline ? Self.attachmentPolicy : Self.downloadPolicy,
                .cacheControl: "private, no-store",
                .contentLength: String(bytes.count),
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    /// `inline; filename="…"; filename*=UTF-8''…` with an ASCII fallback name.
    static func disposition(inline: Bool, fileName: String) -> String {
        let ascii = String(fileName.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" })
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._")
        let encoded = fileName.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "\(inline ? "inline" : "attachment"); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    /// GET …/bijlagen/:attachmentId/tabel — a CSV shown as a table, Dutch number format.
    @Sendable func table(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (administration, entry) = try self.entry(context)
        let (record, bytes) = try self.attachment(context, administration, entry)
        guard record.mediaType == .csv else { throw AppError.notFound("Deze bijlage is geen CSV-bestand; open haar als bestand.") }
        guard let table = Evidence.table(csv: bytes) else {
            throw AppError.badRequest("Dit CSV-bestand kon niet als tabel worden gelezen. Download het en open het in een rekenprogramma.")
        }
        let id = administration.id!
        let page = AttachmentTablePage(
            layout: try self.pages.layout(record.fileName, section: "administrations", context: context, administration: self.pages.header(administration, section: "entries")),
            title: record.fileName, kind: record.kind.label,
            entryLabel: entry.number.map { "boeking \(entry.fiscalYear)-\($0)" } ?? "concept \(entry.id!)",
            entryLink: .entry(id, entry: entry.id!), downloadLink: .attachment(id, entry: entry.id!, attachment: record.id!),
            headerHTML: AttachmentTableHTML.header(table), rowsHTML: AttachmentTableHTML.rows(table),
            rowCount: DutchFormat.count(table.rows.count), truncated: table.truncated
        )
        return self.pages.renderer.render("attachment_table", page)
    }

    /// POST …/bijlagen (multipart) — adds the user's file to a draft.
    @Sendable func add(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (administration, entry) = try self.entry(context)
        let back = Route.entry(administration.id!, entry: entry.id!).path + "#evidence"
        guard let file = context.postedForm.files["file"], !file.filename.isEmpty || !file.bytes.isEmpty else {
            return self.pages.redirect(to: back, flash: FlashMessage(.error, "Kies eerst een bestand (PDF, CSV, PNG of JPEG)."), context: context)
        }
        do throws(Evidence.EvidenceError) {
            let record = try self.evidence.addUserFile(entryId: entry.id!, administrationId: administration.id!, fileName: file.filename, bytes: file.bytes)
            return self.pages.redirect(to: back, flash: FlashMessage(.success, "Bijlage \u{201C}\(record.fileName)\u{201D} is bewaard bij deze boeking."), context: context)
        } catch {
            return self.pages.redirect(to: back, flash: FlashMessage(.error, error.explanation), context: context)
        }
    }

    /// POST …/bijlagen/:attachmentId/verwijderen — removes a user's file from a draft.
    @Sendable func remove(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (administration, entry) = try self.entry(context)
        let back = Route.entry(administration.id!, entry: entry.id!).path + "#evidence"
        guard let attachmentId = context.parameters.get("attachmentId", as: Int64.self) else {
            throw AppError.notFound("Deze bijlage bestaat niet (meer).")
        }
        do throws(Evidence.EvidenceError) {
            try self.evidence.removeUserFile(attachmentId: attachmentId, entryId: entry.id!, administrationId: administration.id!)
            return self.pages.redirect(to: back, flash: FlashMessage(.success, "De bijlage is verwijderd."), context: context)
        } catch {
            return self.pages.redirect(to: back, flash: FlashMessage(.error, error.explanation), context: context)
        }
    }

    /// POST …/bijlagen-ophalen — asks Loket again for the documents still missing.
    @Sendable func fetch(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (administration, entry) = try self.entry(context)
        let back = Route.entry(administration.id!, entry: entry.id!).path + "#evidence"
        do throws(Evidence.EvidenceError) {
            let missing = try await self.evidence.retry(entryId: entry.id!, administrationId: administration.id!)
            let flash = missing == 0
                ? FlashMessage(.success, "De bijlagen uit Loket zijn opgehaald.")
                : FlashMessage(.error, "\(missing) bijlage(n) konden nog niet uit Loket worden gehaald; de reden staat hieronder.")
            return self.pages.redirect(to: back, flash: flash, context: context)
        } catch {
            return self.pages.redirect(to: back, flash: FlashMessage(.error, error.explanation), context: context)
        }
    }

    /// GET /administraties/:id/export/bewijsstukken?jaar=2026 — the XAF 3.2 auditfile with every
    /// booked entry's attachments, as one zip (written to a private temporary file first).
    @Sendable func export(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let year = try RequestNumber.year(request.uri.queryParameters.get("jaar")) ?? administration.fiscalYear
        let name = LedgerExporter.evidenceFileName(code: administration.code, year: year)
        do {
            return try FileDownload.response(in: self.temporaryDirectory, name: name, contentType: "application/zip") { file in
                try self.exporter.exportEvidence(administration: administration, year: year, to: file)
            }
        } catch let error as ExportError {
            return self.pages.redirect(
                to: Route.journal(administration.id!).path(query: [("jaar", String(year))]), flash: FlashMessage(.error, error.description), context: context
            )
        }
    }

    // MARK: - The entry page's section

    /// The evidence section of the entry page (read only).
    static func section(_ entry: JournalEntryRecord, database: AppDatabase) throws -> EvidenceSection {
        let id = entry.administrationId
        let entryId = entry.id!
        let records = try database.attachments(entryId: entryId)
        let pending = try database.pendingDownloads(entryId: entryId)
        return EvidenceSection(
            items: records.map { record in
                EvidenceSection.Item(
                    id: record.id!, name: record.fileName, kind: record.kind.label, size: Self.size(record.byteCount),
                    hash: String(record.sha256.prefix(12)), fullHash: record.sha256, added: DutchFormat.dateTime(record.addedAt),
                    openLink: .attachment(id, entry: entryId, attachment: record.id!),
                    tableLink: record.mediaType == .csv ? .attachmentTable(id, entry: entryId, attachment: record.id!) : nil,
                    isDownload: record.mediaType == .csv,
                    removeLink: record.kind == .userFile && !entry.isBooked ? .removeAttachment(id, entry: entryId, attachment: record.id!) : nil
                )
            },
            pending: pending.map { item in
                EvidenceSection.Pending(
                    kind: item.kind.label, attempts: item.attempts,
                    state: item.attempts == 0 ? "nog niet opgehaald" : "niet gelukt na \(item.attempts) poging(en)",
                    error: item.lastError, lastAttempt: item.lastAttemptAt.map(DutchFormat.dateTime)
                )
            },
            canFetch: entry.source == .loket && (!pending.isEmpty || !Set(AttachmentKind.fromLoket).isSubset(of: Set(records.map(\.kind)))),
            canAdd: !entry.isBooked,
            isBooked: entry.isBooked,
            maxSize: Self.size(Evidence.maxUserFileBytes)
        )
    }

    static func size(_ bytes: Int) -> String {
        if bytes >= 1024 * 1024 { return "\(Money(cents: Int64(bytes) * 100 / (1024 * 1024)).dutch) MB".replacingOccurrences(of: ",00 MB", with: " MB") }
        if bytes >= 1024 { return "\(DutchFormat.count(bytes / 1024)) kB" }
        return "\(bytes) bytes"
    }

    // MARK: - Helpers

    private func entry(_ context: AppRequestContext) throws -> (AdministrationRecord, JournalEntryRecord) {
        let administration = try self.pages.administration(context)
        guard let entryId = context.parameters.get("entryId", as: EntryID.self),
            let entry = try self.pages.database.entry(id: entryId, administrationId: administration.id!)
        else {
            throw AppError.notFound("Deze boeking bestaat niet (meer) in administratie \(administration.code).")
        }
        return (administration, entry)
    }

    private func attachment(_ context: AppRequestContext, _ administration: AdministrationRecord, _ entry: JournalEntryRecord) throws -> (AttachmentRecord, [UInt8]) {
        guard let attachmentId = context.parameters.get("attachmentId", as: Int64.self),
            let found = try self.pages.database.attachment(id: attachmentId, entryId: entry.id!, administrationId: administration.id!)
        else {
            throw AppError.notFound("Deze bijlage bestaat niet (meer) bij deze boeking.")
        }
        return found
    }
}
