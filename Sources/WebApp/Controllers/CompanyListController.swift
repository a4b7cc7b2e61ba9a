import Foundation
import Hummingbird
import Ledger
import PayrollImport
import Storage
import Synchronization

/// The company list of a Loket connection (employers → payroll administrations, as last
/// fetched), refreshing it, and linking: one, all at once, or unlinking after confirmation.
struct CompanyListController {
    let pages: PageSupport
    let loket: LoketService

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.companies(connection: 0), use: self.companies)
        router.post(.refreshCompanies(connection: 0), use: self.refresh)
        router.post(.link(connection: 0), use: self.link)
        router.post(.linkAll(connection: 0), use: self.linkAll)
        router.get(.unlink(link: 0), use: self.confirmUnlink)
        router.post(.unlink(link: 0), use: self.unlink)
    }

    // MARK: - Company list

    /// GET /loket/verbindingen/:id — the company list as last fetched.
    @Sendable func companies(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try self.pages.loketConnection(context)
        let rows = try self.pages.database.companyList(connectionId: connection.id!)
        let administrations = try self.pages.database.administrationSummaries()
        let linkedIds = Set(try self.pages.database.links().map(\.administrationId))
        let formers = try self.pages.database.formerAdministrations()
        let choiceById = Dictionary(
            administrations.filter { !linkedIds.contains($0.id) }.map { ($0.id, CompanyListPage.Choice(id: $0.id, label: "\($0.code) – \($0.name)")) },
            uniquingKeysWith: { first, _ in first }
        )
        var employers: [CompanyListPage.Employer] = []
        var unlinked = 0
        var linked = 0
        var total = 0
        for group in Self.grouped(rows) {
            let first = group[0]
            let admins: [CompanyListPage.Administration] = group.compactMap { row in
                guard let id = row.payrollAdministrationId else { return nil }
                total += 1
                if row.linkId == nil { unlinked += 1 } else { linked += 1 }
                return CompanyListPage.Administration(
                    payrollAdministrationId: id,
                    name: row.name ?? "",
                    clientNumber: row.clientNumber.map(String.init) ?? "–",
                    periodType: row.periodType ?? "onbekend",
                    hasJournalProfile: row.hasJournalProfile ?? false,
                    journalProfile: row.journalProfile,
                    automatic: row.automaticJournalRuns ?? false,
                    error: row.error,
                    isLinked: row.linkId != nil,
                    linkedElsewhere: row.linkId != nil && row.linkedConnectionId != connection.id,
                    linkId: row.linkId ?? 0,
                    unlink: .unlink(link: row.linkId ?? 0),
                    former: formers[id].flatMap { former in choiceById[former] },
                    administrationId: row.administrationId ?? 0,
                    administrationCode: row.administrationCode ?? "",
                    administrationName: row.administrationName ?? ""
                )
            }
            employers.append(
                CompanyListPage.Employer(
                    name: first.employerName,
                    number: first.employerNumber.map(String.init),
                    kvk: first.employerKvk,
                    error: first.employerError,
                    administrations: admins,
                    hasNoAdministrations: admins.isEmpty && first.employerError == nil
                )
            )
        }
        let page = CompanyListPage(
            layout: try self.pages.layout("Bedrijven in Loket", section: "loket", context: context),
            connectionId: connection.id!,
            connectionName: connection.name,
            statusText: ConnectionController.statusText(connection),
            needsReconnect: connection.status == .reconnect || connection.status == .disconnected || connection.status == .new,
            fetchedAt: connection.companiesFetchedAt.map(DutchFormat.dateTime),
            neverFetched: connection.companiesFetchedAt == nil,
            employers: employers,
            unlinkedCount: unlinked,
            hasUnlinked: unlinked > 0,
            linkedCount: linked,
            choices: administrations.filter { !linkedIds.contains($0.id) }.map { CompanyListPage.Choice(id: $0.id, label: "\($0.code) – \($0.name)") },
            totalAdministrations: total
        )
        return self.pages.renderer.render("loket_companies", page)
    }

    static func grouped(_ rows: [CompanyListRow]) -> [[CompanyListRow]] {
        var groups: [[CompanyListRow]] = []
        for row in rows {
            if let last = groups.last?.first, last.employerId == row.employerId {
                groups[groups.count - 1].append(row)
            } else {
                groups.append([row])
            }
        }
        return groups
    }

    /// POST /loket/verbindingen/:id/vernieuwen — fetch the company list again.
    @Sendable func refresh(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try self.pages.loketConnection(context)
        let path = Route.companies(connection: connection.id!).path
        do {
            let summary = try await self.loket.refreshCompanyList(connectionId: connection.id!)
            var text = "Bijgewerkt: \(summary.employers) werkgever(s), \(summary.payrollAdministrations) loonadministratie(s)."
            if summary.employersWithoutAccess > 0 { text += " Bij \(summary.employersWithoutAccess) werkgever(s) ontbreken rechten (zie hieronder)." }
            return self.pages.redirect(to: path, flash: FlashMessage(.success, text), context: context)
        } catch let error as LoketProblem {
            return self.pages.redirect(to: path, flash: FlashMessage(.error, error.explanation + " De vorige lijst blijft staan."), context: context)
        }
    }

    /// POST /loket/verbindingen/:id/koppelen — link one payroll administration (to an existing or a new administration).
    @Sendable func link(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try self.pages.loketConnection(context)
        let form = context.postedForm
        let path = Route.companies(connection: connection.id!).path
        let payrollAdministrationId = form["payrollAdministrationId"]
        let target = form["administrationId"]
        do {
            let link: LoketLinkRecord
            if target == "nieuw" || target.isEmpty {
                link = try self.loket.link(connectionId: connection.id!, payrollAdministrationId: payrollAdministrationId, to: .newAdministration(fiscalYear: self.currentYear()))
            } else if let administrationId = AdministrationID(target) {
                link = try self.loket.link(connectionId: connection.id!, payrollAdministrationId: payrollAdministrationId, to: .existing(administrationId: administrationId))
            } else {
                throw AppError.badRequest("Kies een administratie om aan te koppelen.")
            }
            let administration = try self.pages.database.administration(id: link.administrationId)
            return self.pages.redirect(
                to: path,
                flash: FlashMessage(.success, DutchFormat.sentence("\(link.payrollAdministrationName) is gekoppeld aan \(administration?.code ?? "") \(administration?.name ?? "")")),
                context: context
            )
        } catch let error as StorageError {
            return self.pages.redirect(to: path, flash: FlashMessage(.error, Self.explain(error)), context: context)
        }
    }

    /// POST /loket/verbindingen/:id/alles-koppelen — a new administration for every unlinked one, in one go.
    @Sendable func linkAll(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try self.pages.loketConnection(context)
        let result = try self.loket.linkAll(connectionId: connection.id!, fiscalYear: self.currentYear())
        var text =
            result.linked == 0
            ? "Er was niets meer te koppelen."
            : "\(DutchFormat.count(result.linked)) loonadministratie(s) gekoppeld, elk aan een eigen administratie (de eerdere, of een nieuwe met de naam en het KvK-nummer uit Loket)."
        if !result.withoutJournalProfile.isEmpty {
            text += " Niet gekoppeld, want Loket heeft er geen journaalprofiel voor (er valt niets te importeren): \(result.withoutJournalProfile.joined(separator: ", ")). Koppel ze afzonderlijk als dat toch nodig is."
        }
        return self.pages.redirect(
            to: Route.companies(connection: connection.id!).path, flash: FlashMessage(result.linked == 0 ? .info : .success, text), context: context
        )
    }

    /// GET /loket/koppelingen/:id/ontkoppelen — asks for confirmation (pages work without JavaScript).
    @Sendable func confirmUnlink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let link = try self.linkRecord(context)
        let administration = try self.pages.database.administration(id: link.administrationId)
        let page = UnlinkConfirmPage(
            layout: try self.pages.layout("Koppeling verwijderen", section: "loket", context: context),
            linkId: link.id!,
            unlink: .unlink(link: link.id!),
            employerName: link.employerName,
            payrollAdministrationName: link.payrollAdministrationName,
            administrationCode: administration?.code ?? "",
            administrationName: administration?.name ?? "",
            returnTo: Route.companies(connection: link.connectionId).path
        )
        return self.pages.renderer.render("loket_unlink", page)
    }

    /// POST /loket/koppelingen/:id/ontkoppelen — removes the link after confirmation; the administration stays.
    @Sendable func unlink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let link = try self.linkRecord(context)
        guard context.postedForm["confirmed"] == "1" else {
            return Response.redirect(to: Route.unlink(link: link.id!).path, type: .normal)
        }
        try self.loket.unlink(linkId: link.id!)
        let administration = try self.pages.database.administration(id: link.administrationId)
        return self.pages.redirect(
            to: Route.companies(connection: link.connectionId).path,
            flash: FlashMessage(
                .success,
                "De koppeling van \(link.payrollAdministrationName) met \(administration?.code ?? "") is verwijderd. De administratie en haar boekingen blijven bestaan."
            ),
            context: context
        )
    }

    // MARK: - Helpers

    private func currentYear() -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = DutchFormat.timeZone
        return calendar.component(.year, from: self.pages.now())
    }

    private func linkRecord(_ context: AppRequestContext) throws -> LoketLinkRecord {
        guard let id = context.parameters.get("linkId", as: Int64.self), let link = try self.pages.database.link(id: id) else {
            throw AppError.notFound("Deze koppeling bestaat niet (meer); misschien is ze al verwijderd.")
        }
        return link
    }

    static func explain(_ error: StorageError) -> String {
        switch error {
        case .payrollAdministrationAlreadyLinked(let code): "Deze loonadministratie is al gekoppeld (aan \(code)). Een loonadministratie wordt maar één keer gekoppeld."
        case .administrationAlreadyLinked(let code): "Administratie \(code) is al aan een andere loonadministratie gekoppeld. Kies een andere of maak een nieuwe."
        case .payrollAdministrationNotFound: "Deze loonadministratie staat niet (meer) in de lijst. Vernieuw de lijst en probeer het opnieuw."
        case .administrationNotFound: "Die administratie bestaat niet (meer)."
        default: "Koppelen is niet gelukt."
        }
    }
}
