import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Storage

/// Local bookkeeping administrations: list, create, view, edit.
struct AdministrationController {
    let pages: PageSupport

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.administrations, use: self.list)
        router.get(.newAdministration, use: self.new)
        router.post(.administrations, use: self.create)
        router.get(.administration(0), use: self.show)
        router.get(.editAdministration(0), use: self.edit)
        router.post(.administration(0), use: self.update)
    }

    /// GET /administraties
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let rows = try self.pages.database.administrationSummaries().map { DashboardPage.Row($0) }
        let page = AdministrationListPage(
            layout: try self.pages.layout("Administraties", section: "administrations", context: context),
            administrations: rows
        )
        return self.pages.renderer.render("administrations", page)
    }

    /// GET /administraties/nieuw
    @Sendable func new(_ request: Request, context: AppRequestContext) async throws -> Response {
        let year = Calendar(identifier: .gregorian).component(.year, from: self.pages.now())
        return try self.form(
            isNew: true,
            action: Route.administrations.path,
            input: AdministrationInput(fiscalYear: String(year)),
            errors: nil,
            context: context,
            status: .ok
        )
    }

    /// POST /administraties — creates; a second post of the same form finds the code taken.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = Self.input(from: context.postedForm)
        do {
            let details = try AdministrationRules.validate(input)
            let record = try self.pages.bookkeeping.createAdministration(details)
            return self.pages.redirect(
                to: Route.administration(record.id ?? 0).path,
                flash: FlashMessage(.success, "Administratie \(record.code) \(record.name) is aangemaakt. Leg nu het rekeningschema vast."),
                context: context
            )
        } catch let errors as ValidationErrors {
            return try self.form(isNew: true, action: Route.administrations.path, input: input, errors: errors, context: context, status: .unprocessableContent)
        } catch StorageError.duplicateAdministrationCode(let code) {
            let errors = ValidationErrors([
                FieldError(field: "code", message: "Er bestaat al een administratie met code \(code). Kies een andere code.")
            ])
            return try self.form(isNew: true, action: Route.administrations.path, input: input, errors: errors, context: context, status: .conflict)
        }
    }

    /// GET /administraties/:id
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try self.pages.administration(context)
        let id = record.id ?? 0
        let accounts = try self.pages.database.accounts(administrationId: id)
        let audit = try self.pages.database.auditEntries(administrationId: id, limit: 20)
        func fact(_ label: String, _ value: String?) -> AdministrationPage.Fact {
            AdministrationPage.Fact(label: label, value: value ?? "niet ingevuld", missing: value == nil)
        }
        let address = [record.street, [record.postalCode, record.city].compactMap { $0 }.joined(separator: " ")]
            .compactMap { $0 }
            .filter { !$0.isEmpty }
            .joined(separator: ", ")
        let page = AdministrationPage(
            layout: try self.pages.layout(
                record.name,
                section: "administrations",
                context: context,
                administration: self.pages.header(record, section: "administration")
            ),
            id: id,
            code: record.code,
            name: record.name,
            facts: [
                fact("Code", record.code),
                fact("Naam", record.name),
                fact("Boekjaar", String(record.fiscalYear)),
                fact("KvK-nummer", record.chamberOfCommerceNumber),
                fact("Btw-identificatienummer", record.vatNumber),
                fact("RSIN", record.rsin),
                fact("Adres", address.isEmpty ? nil : address),
                fact("Land", record.country),
            ],
            accountCount: DutchFormat.count(accounts.count),
            hasNoAccounts: accounts.isEmpty,
            audit: audit.map {
                AdministrationPage.AuditRow(when: DutchFormat.dateTime($0.occurredAt), subject: $0.subject, action: $0.action, details: $0.details)
            }
        )
        return self.pages.renderer.render("administration", page)
    }

    /// GET /administraties/:id/wijzigen
    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try self.pages.administration(context)
        let input = AdministrationInput(
            code: record.code,
            name: record.name,
            fiscalYear: String(record.fiscalYear),
            chamberOfCommerceNumber: record.chamberOfCommerceNumber ?? "",
            vatNumber: record.vatNumber ?? "",
            rsin: record.rsin ?? "",
            street: record.street ?? "",
            postalCode: record.postalCode ?? "",
            city: record.city ?? "",
            country: record.country
        )
        return try self.form(isNew: false, action: Route.administration(record.id ?? 0).path, input: input, errors: nil, context: context, status: .ok, record: record)
    }

    /// POST /administraties/:id — rename or change company data.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try self.pages.administration(context)
        let id = record.id ?? 0
        let input = Self.input(from: context.postedForm)
        let action = Route.administration(id).path
        do {
            let details = try AdministrationRules.validate(input)
            let updated = try self.pages.bookkeeping.updateAdministration(id: id, details)
            return self.pages.redirect(
                to: Route.administration(id).path,
                flash: FlashMessage(.success, "De gegevens van \(updated.code) zijn opgeslagen."),
                context: context
            )
        } catch let errors as ValidationErrors {
            return try self.form(isNew: false, action: action, input: input, errors: errors, context: context, status: .unprocessableContent, record: record)
        } catch StorageError.duplicateAdministrationCode(let code) {
            let errors = ValidationErrors([
                FieldError(field: "code", message: "Er bestaat al een andere administratie met code \(code).")
            ])
            return try self.form(isNew: false, action: action, input: input, errors: errors, context: context, status: .conflict, record: record)
        } catch StorageError.administrationNotFound {
            throw AppError.notFound("Deze administratie bestaat niet (meer).")
        }
    }

    private func form(
        isNew: Bool,
        action: String,
        input: AdministrationInput,
        errors: ValidationErrors?,
        context: AppRequestContext,
        status: HTTPResponse.Status,
        record: AdministrationRecord? = nil
    ) throws -> Response {
        let title = isNew ? "Nieuwe administratie" : "Administratie wijzigen"
        let layout = try self.pages.layout(
            title,
            section: "administrations",
            context: context,
            administration: record.map { self.pages.header($0, section: "administration") }
        )
        let page = AdministrationFormPage(layout: layout, isNew: isNew, action: action, input: input, errors: errors)
        return self.pages.renderer.render("administration_form", page, status: status)
    }

    static func input(from form: FormData) -> AdministrationInput {
        AdministrationInput(
            code: form["code"],
            name: form["name"],
            fiscalYear: form["fiscalYear"],
            chamberOfCommerceNumber: form["chamberOfCommerceNumber"],
            vatNumber: form["vatNumber"],
            rsin: form["rsin"],
            street: form["street"],
            postalCode: form["postalCode"],
            city: form["city"],
            country: form["country"]
        )
    }
}
