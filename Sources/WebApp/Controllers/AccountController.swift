import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Storage

/// The chart of accounts of one administration: list, add, edit, deactivate, CSV import and
/// the starter chart. Accounts are never deleted.
struct AccountController {
    let pages: PageSupport

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.accounts(0), use: self.list)
        router.post(.accounts(0), use: self.add)
        router.get(.account(0, account: 0), use: self.edit)
        router.post(.account(0, account: 0), use: self.update)
        router.post(.deactivateAccount(0, account: 0), use: self.deactivate)
        router.post(.activateAccount(0, account: 0), use: self.activate)
        router.post(.chartImport(0), use: self.importCSV)
        router.post(.starterChart(0), use: self.loadStarterChart)
    }

    /// GET /administraties/:id/rekeningen
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try self.pages.administration(context)
        return try self.page(record, context: context, status: .ok)
    }

    /// POST /administraties/:id/rekeningen — adds one account.
    @Sendable func add(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try self.pages.administration(context)
        let form = context.postedForm
        do {
            let account = try Self.account(from: form)
            let saved = try self.pages.bookkeeping.addAccount(administrationId: record.id ?? 0, account)
            return self.pages.redirect(
                to: Route.accounts(record.id ?? 0).path,
                flash: FlashMessage(.success, "Rekening \(saved.number) \(saved.name) is toegevoegd."),
                context: context
            )
        } catch let errors as ValidationErrors {
            return try self.page(record, context: context, status: .unprocessableContent, form: form, addErrors: errors)
        } catch StorageError.duplicateAccountNumber(let number) {
            let errors = ValidationErrors([FieldError(field: "number", message: "Rekening \(number) bestaat al in deze administratie.")])
            return try self.page(record, context: context, status: .conflict, form: form, addErrors: errors)
        }
    }

    /// GET /administraties/:id/rekeningen/:accountId
    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try self.pages.administration(context)
        let account = try self.account(record, context)
        let form = FormData.urlEncoded("")
        return try self.editPage(record, account, form: form, prefill: true, errors: nil, context: context, status: .ok)
    }

    /// POST /administraties/:id/rekeningen/:accountId — changes number, name, type or RGS code.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try self.pages.administration(context)
        let account = try self.account(record, context)
        let form = context.postedForm
        do {
            let changed = try Self.account(from: form)
            let saved = try self.pages.bookkeeping.updateAccount(id: account.id ?? 0, administrationId: record.id ?? 0, changed)
            return self.pages.redirect(
                to: Route.accounts(record.id ?? 0).path,
                flash: FlashMessage(.success, "Rekening \(saved.number) is opgeslagen."),
                context: context
            )
        } catch let errors as ValidationErrors {
            return try self.editPage(record, account, form: form, prefill: false, errors: errors, context: context, status: .unprocessableContent)
        } catch StorageError.duplicateAccountNumber(let number) {
            let errors = ValidationErrors([FieldError(field: "number", message: "Rekening \(number) bestaat al in deze administratie.")])
            return try self.editPage(record, account, form: form, prefill: false, errors: errors, context: context, status: .conflict)
        }
    }

    /// POST …/deactiveren — the account stays (with its history) but cannot be used any more.
    @Sendable func deactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        try self.setActive(false, context: context)
    }

    /// POST …/activeren
    @Sendable func activate(_ request: Request, context: AppRequestContext) async throws -> Response {
        try self.setActive(true, context: context)
    }

    private func setActive(_ active: Bool, context: AppRequestContext) throws -> Response {
        let record = try self.pages.administration(context)
        let account = try self.account(record, context)
        let saved = try self.pages.bookkeeping.setAccountActive(
            id: account.id ?? 0,
            administrationId: record.id ?? 0,
            active: active
        )
        let text =
            active
            ? "Rekening \(saved.number) is weer actief."
            : "Rekening \(saved.number) is gedeactiveerd: ze blijft zichtbaar, maar er kan niet meer op worden geboekt."
        return self.pages.redirect(to: Route.accounts(record.id ?? 0).path, flash: FlashMessage(.success, text), context: context)
    }

    /// POST /administraties/:id/rekeningschema/import — a CSV `nummer;naam;soort[;RGS]`, all or nothing.
    @Sendable func importCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try self.pages.administration(context)
        let id = record.id ?? 0
        let form = context.postedForm
        let encoding = TextEncoding(rawValue: form["encoding"]) ?? .utf8
        guard let file = form.files["file"], !(file.filename.isEmpty && file.bytes.isEmpty) else {
            return try self.page(
                record,
                context: context,
                status: .unprocessableContent,
                importProblems: ["Kies eerst een CSV-bestand om te importeren."],
                encoding: encoding
            )
        }
        do {
            let entries = try ChartCSV.parse(file.bytes, encoding: encoding)
            let count = try self.pages.bookkeeping.importAccounts(
                administrationId: id,
                entries.map(\.account),
                lines: entries.map(\.line),
                source: file.filename.isEmpty ? "CSV-bestand" : file.filename
            )
            return self.pages.redirect(
                to: Route.accounts(id).path,
                flash: FlashMessage(.success, "\(DutchFormat.count(count)) rekeningen geïmporteerd uit \(file.filename)."),
                context: context
            )
        } catch let errors as ImportErrors {
            let problems = ["Er is niets geïmporteerd. Verbeter het bestand en probeer het opnieuw:"] + errors.problems.map(\.text)
            return try self.page(record, context: context, status: .unprocessableContent, importProblems: problems, encoding: encoding)
        } catch StorageError.existingAccountNumbers(let clashes) {
            let problems =
                ["Er is niets geïmporteerd: deze rekeningen bestaan al in de administratie. Haal ze uit het bestand of wijzig ze hier:"]
                + clashes.prefix(25).map { clash in
                    clash.line.map { "Regel \($0): rekening \(clash.number) bestaat al." } ?? "Rekening \(clash.number) bestaat al."
                }
            return try self.page(record, context: context, status: .conflict, importProblems: problems, encoding: encoding)
        }
    }

    /// POST /administraties/:id/rekeningschema/standaard — adds the starter chart's missing accounts.
    @Sendable func loadStarterChart(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try self.pages.administration(context)
        let added = try self.pages.bookkeeping.addStarterChart(administrationId: record.id ?? 0)
        let text =
            added == 0
            ? "Het standaardschema was al geladen; er is niets toegevoegd."
            : "\(added) rekeningen uit het standaardschema toegevoegd."
        return self.pages.redirect(
            to: Route.accounts(record.id ?? 0).path,
            flash: FlashMessage(added == 0 ? .info : .success, text),
            context: context
        )
    }

    // MARK: - Helpers

    private func account(_ record: AdministrationRecord, _ context: AppRequestContext) throws -> LedgerAccountRecord {
        guard let accountId = context.parameters.get("accountId", as: Int64.self),
            let account = try self.pages.database.account(id: accountId, administrationId: record.id ?? 0)
        else {
            throw AppError.notFound("Deze rekening bestaat niet in administratie \(record.code).")
        }
        return account
    }

    static func account(from form: FormData) throws -> ChartAccount {
        try self.account(number: form["number"], name: form["name"], type: form["type"], rgsCode: form["rgsCode"])
    }

    /// Checks an account's fields; every problem is reported at once.
    static func account(number rawNumber: String, name rawName: String, type rawType: String, rgsCode rawRGS: String) throws -> ChartAccount {
        var errors = ValidationCollector()
        let number = errors.check("number") { try AccountRules.number(rawNumber) }
        let name = errors.check("name") { try AccountRules.name(rawName) }
        let type = errors.check("type") { try AccountRules.type(rawType) }
        let rgs = errors.check("rgsCode") { try AccountRules.rgsCode(rawRGS) }
        try errors.throwIfAny()
        return ChartAccount(number: number!, name: name!, type: type!, rgsCode: rgs ?? nil)
    }

    private func page(
        _ record: AdministrationRecord,
        context: AppRequestContext,
        status: HTTPResponse.Status,
        form: FormData = FormData(),
        addErrors: ValidationErrors? = nil,
        importProblems: [String] = [],
        encoding: TextEncoding = .utf8
    ) throws -> Response {
        let id = record.id ?? 0
        let accounts = try self.pages.database.accounts(administrationId: id)
        let existing = Set(accounts.map(\.number))
        let missingStarter = StarterChart.accounts.filter { !existing.contains($0.number) }.count
        let page = AccountsPage(
            layout: try self.pages.layout(
                "Rekeningschema \(record.code)",
                section: "administrations",
                context: context,
                administration: self.pages.header(record, section: "accounts")
            ),
            administrationId: id,
            accounts: accounts.map {
                AccountsPage.Row(
                    id: $0.id ?? 0,
                    link: .account(id, account: $0.id ?? 0),
                    number: $0.number,
                    name: $0.name,
                    typeLabel: $0.accountType.label,
                    typeCode: $0.type,
                    rgsCode: $0.rgsCode ?? "",
                    isActive: $0.isActive
                )
            },
            accountCount: DutchFormat.count(accounts.count),
            activeCount: DutchFormat.count(accounts.filter(\.isActive).count),
            hasNoAccounts: accounts.isEmpty,
            starterCount: missingStarter,
            starterMissing: missingStarter > 0,
            addErrors: addErrors?.errors.map(\.message) ?? [],
            number: FieldView(form["number"], addErrors, "number"),
            name: FieldView(form["name"], addErrors, "name"),
            typeBalance: form["type"] == "B",
            typeProfitAndLoss: form["type"] == "W",
            typeError: addErrors?.message(for: "type"),
            rgsCode: FieldView(form["rgsCode"], addErrors, "rgsCode"),
            importProblems: importProblems,
            encodings: TextEncoding.allCases.map {
                AccountsPage.EncodingOption(value: $0.rawValue, label: $0.label, selected: $0 == encoding)
            }
        )
        return self.pages.renderer.render("accounts", page, status: status)
    }

    private func editPage(
        _ record: AdministrationRecord,
        _ account: LedgerAccountRecord,
        form: FormData,
        prefill: Bool,
        errors: ValidationErrors?,
        context: AppRequestContext,
        status: HTTPResponse.Status
    ) throws -> Response {
        let number = prefill ? account.number : form["number"]
        let name = prefill ? account.name : form["name"]
        let type = prefill ? account.type : form["type"]
        let rgs = prefill ? (account.rgsCode ?? "") : form["rgsCode"]
        let page = AccountFormPage(
            layout: try self.pages.layout(
                "Rekening \(account.number)",
                section: "administrations",
                context: context,
                administration: self.pages.header(record, section: "accounts")
            ),
            administrationId: record.id ?? 0,
            accountId: account.id ?? 0,
            paths: AccountPaths(administration: record.id ?? 0, account: account.id ?? 0),
            isActive: account.isActive,
            errors: errors?.errors.map(\.message) ?? [],
            number: FieldView(number, errors, "number"),
            name: FieldView(name, errors, "name"),
            typeBalance: type == "B",
            typeProfitAndLoss: type == "W",
            typeError: errors?.message(for: "type"),
            rgsCode: FieldView(rgs, errors, "rgsCode")
        )
        return self.pages.renderer.render("account_form", page, status: status)
    }
}
