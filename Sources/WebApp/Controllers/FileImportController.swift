import Foundation
import Hummingbird
import Ledger
import PayrollImport
import Storage

/// Payroll journal files from other packages: upload, map the columns (remembered), preview,
/// and make a draft entry through the same pipeline as Loket runs.
struct FileImportController {
    let pages: PageSupport
    let importer: PayrollFileImporter
    /// Uploaded files kept between the upload and the import step (30 minutes, in memory).
    let uploads: SingleUseParking<Upload>

    init(pages: PageSupport, importer: PayrollFileImporter) {
        self.pages = pages
        self.importer = importer
        self.uploads = SingleUseParking(lifetime: 1800, now: pages.now)
    }

    struct Upload: Sendable {
        let administrationId: AdministrationID
        let bytes: [UInt8]
        let table: PayrollFile.Table
        let fileName: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.payrollFile(0), use: self.start)
        router.post(.payrollFile(0), use: self.upload)
        router.post(.importPayrollFile(0), use: self.importFile)
    }

    /// GET — the upload form.
    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        return try self.render(administration, context: context, status: .ok, problems: [], upload: nil, token: nil, form: FormData())
    }

    /// POST (multipart) — reads the file and shows the column mapping with a preview.
    @Sendable func upload(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let form = context.postedForm
        guard let file = form.files["file"], !file.bytes.isEmpty || !file.filename.isEmpty else {
            return try self.render(administration, context: context, status: .unprocessableContent, problems: ["Kies eerst een bestand."], upload: nil, token: nil, form: form)
        }
        let encoding = TextEncoding(rawValue: form["encoding"]) ?? .utf8
        let parsed = Result { () throws(ImportErrors) -> PayrollFile.Table in try PayrollFile.table(file.bytes, encoding: encoding) }
        guard case .success(let table) = parsed else {
            let problems = Self.problems(of: parsed)
            return try self.render(
                administration, context: context, status: .unprocessableContent,
                problems: ["Er is niets geïmporteerd:"] + problems, upload: nil, token: nil, form: form
            )
        }
        let upload = Upload(administrationId: administration.id!, bytes: file.bytes, table: table, fileName: file.filename.isEmpty ? "bestand" : file.filename)
        let token = self.uploads.park(upload)
        return try self.render(administration, context: context, status: .ok, problems: [], upload: upload, token: token, form: FormData())
    }

    /// POST — the chosen roles, date and period: the draft.
    @Sendable func importFile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let id = administration.id!
        let form = context.postedForm
        guard let token = Optional(form["token"]), let upload = self.uploads.get(token), upload.administrationId == id else {
            return try self.render(
                administration, context: context, status: .unprocessableContent,
                problems: ["Het bestand is niet meer beschikbaar (te lang geleden of loonjournaal is herstart). Kies het opnieuw."], upload: nil, token: nil, form: FormData()
            )
        }
        let width = upload.table.rows.first?.fields.count ?? 0
        let roles = (0..<width).map { PayrollColumnRole(rawValue: form["role_\($0)"]) ?? .ignore }
        var problems: [String] = []
        var date: CalendarDate?
        do {
            date = try CalendarDate.parse(form["entryDate"])
            if !(1990...2100).contains(date!.year) { problems.append("Boekdatum: valt buiten elk boekjaar."); date = nil }
        } catch {
            problems.append("Boekdatum: \(error.message)")
        }
        let period = Int(form["period"].trimmedForInput)
        if period == nil || !(1...13).contains(period!) { problems.append("Periode: kies een periode van 1 tot en met 13.") }
        if let problem = TextRules.lineProblem(form["description"], max: 200, what: "De omschrijving") { problems.append("Omschrijving: \(problem)") }
        guard problems.isEmpty, let date, let period else {
            return try self.render(administration, context: context, status: .unprocessableContent, problems: problems, upload: upload, token: token, form: form)
        }
        do {
            let entryId = try self.importer.importFile(
                administrationId: id, bytes: upload.bytes, table: upload.table, roles: roles, date: date, period: period,
                description: form["description"].trimmedForInput, fileName: upload.fileName
            )
            self.uploads.remove(token)
            return self.pages.redirect(
                to: Route.entry(id, entry: entryId).path,
                flash: FlashMessage(.success, "Concept aangemaakt uit \(upload.fileName). De kolomindeling is onthouden voor volgende bestanden."),
                context: context
            )
        } catch .problems(let errors) {
            return try self.render(
                administration, context: context, status: .unprocessableContent,
                problems: ["Er is niets geïmporteerd:"] + errors.problems.map(\.text), upload: upload, token: token, form: form
            )
        } catch .alreadyImported(let entryId, let period, let year) {
            return try self.render(
                administration, context: context, status: .conflict,
                problems: ["Dit bestand is al geïmporteerd voor periode \(period) van \(year). Zie de bestaande boeking: /administraties/\(id)/boekingen/\(entryId)"],
                upload: upload, token: token, form: form, existingEntry: entryId
            )
        } catch .invalidHeader(let messages) {
            return try self.render(administration, context: context, status: .unprocessableContent, problems: messages, upload: upload, token: token, form: form)
        }
    }

    static func problems(of result: Result<PayrollFile.Table, ImportErrors>) -> [String] {
        if case .failure(let errors) = result { return errors.problems.map(\.text) }
        return []
    }

    private func render(
        _ administration: AdministrationRecord, context: AppRequestContext, status: HTTPResponse.Status, problems: [String], upload: Upload?,
        token: String?, form: FormData, existingEntry: EntryID? = nil
    ) throws -> Response {
        let id = administration.id!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = DutchFormat.timeZone
        let today = calendar.dateComponents([.year, .month], from: self.pages.now())
        let defaultDate = CalendarDate.lastDay(ofMonth: today.month ?? 1, year: today.year ?? 2026)
        let suggested = upload.map { self.importer.suggestedRoles(administrationId: id, table: $0.table) } ?? []
        let width = upload?.table.rows.first?.fields.count ?? 0
        let columns: [PayrollFilePage.Column] = (0..<width).map { index in
            let chosen = form.has("role_\(index)") ? (PayrollColumnRole(rawValue: form["role_\(index)"]) ?? .ignore) : suggested[index]
            return PayrollFilePage.Column(
                index: index,
                header: upload?.table.header?[index] ?? "kolom \(index + 1)",
                roles: PayrollColumnRole.allCases.map { PayrollFilePage.Option(value: $0.rawValue, label: $0.label, selected: $0 == chosen) }
            )
        }
        let page = PayrollFilePage(
            layout: try self.pages.layout("Salarisbestand importeren", section: "administrations", context: context, administration: self.pages.header(administration, section: "runs")),
            administrationId: id,
            problems: problems,
            hasUpload: upload != nil,
            token: token ?? "",
            fileName: upload?.fileName ?? "",
            columns: columns,
            preview: (upload?.table.rows.prefix(10) ?? []).map { PayrollFilePage.Row(line: $0.line, cells: $0.fields) },
            rowCount: upload?.table.rows.count ?? 0,
            entryDate: form.has("entryDate") ? form["entryDate"] : defaultDate.dutch,
            period: form.has("period") ? form["period"] : String(defaultDate.month),
            description: form["description"],
            existingEntry: existingEntry.map { .entry(id, entry: $0) },
            encodings: TextEncoding.allCases.map { PayrollFilePage.Option(value: $0.rawValue, label: $0.label, selected: $0.rawValue == (form.has("encoding") ? form["encoding"] : "utf-8")) }
        )
        return self.pages.renderer.render("payroll_file", page, status: status)
    }
}

