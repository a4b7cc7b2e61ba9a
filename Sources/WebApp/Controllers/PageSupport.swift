import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import PayrollImport
import Storage

/// What every page controller shares: rendering, the session store for flash messages, the
/// database for the reads a page shows, the bookkeeping use cases for every change, and the clock.
struct PageSupport: Sendable {
    let renderer: PageRenderer
    let sessions: SessionStore
    /// Reads only: controllers never write to the database themselves.
    let database: AppDatabase
    let bookkeeping: Bookkeeping
    let now: @Sendable () -> Date

    /// The frame of a signed-in page; takes the pending flash messages.
    func layout(_ title: String, section: String, context: AppRequestContext, administration: AdministrationHeader? = nil) throws -> Layout {
        let session = try context.requireSession()
        let flash = self.sessions.takeFlash(for: session.id).map { FlashView(kind: $0.kind.rawValue, text: $0.text) }
        return Layout(
            title: title,
            signedIn: true,
            csrfToken: session.csrfToken,
            flash: flash,
            section: section,
            administration: administration
        )
    }

    /// Redirects after a successful post (303), with a message for the next page.
    func redirect(to path: String, flash: FlashMessage?, context: AppRequestContext) -> Response {
        if let flash, let session = context.session {
            self.sessions.addFlash(flash, to: session.id)
        }
        return Response.redirect(to: path, type: .normal)
    }

    /// The administration named in the URL, or a Dutch 404.
    func administration(_ context: AppRequestContext) throws -> AdministrationRecord {
        guard let id = context.parameters.get("id", as: AdministrationID.self), let record = try self.database.administration(id: id) else {
            throw AppError.notFound("Deze administratie bestaat niet (meer). Kies een administratie uit het overzicht.")
        }
        return record
    }

    func header(_ record: AdministrationRecord, section: String) -> AdministrationHeader {
        AdministrationHeader(
            id: record.id ?? 0,
            code: record.code,
            name: record.name,
            onOverview: section == "administration",
            onAccounts: section == "accounts",
            onRuns: section == "runs",
            onEntries: section == "entries",
            onSettings: section == "settings",
            onLedger: section == "ledger",
            onYearEnd: section == "yearEnd"
        )
    }
}

extension Layout {
    /// The frame of an error page rendered inside the session (used by signed-in handlers).
    static func signedIn(title: String, context: AppRequestContext) -> Layout {
        Layout(
            title: title,
            signedIn: context.session != nil,
            csrfToken: context.session?.csrfToken ?? "",
            flash: [],
            section: "",
            administration: nil
        )
    }
}

extension PageSupport {
    /// The Loket connection named in the URL, or a Dutch 404.
    func loketConnection(_ context: AppRequestContext) throws -> LoketConnectionRecord {
        guard let id = context.parameters.get("connectionId", as: ConnectionID.self), let connection = try self.database.connection(id: id) else {
            throw AppError.notFound("Deze Loket-verbinding bestaat niet. Kies een verbinding op de pagina Loket.")
        }
        return connection
    }
}

extension PageSupport {
    /// 12 periods, or 13 for an administration that books by 4-weekly payroll period.
    func periodCount(_ id: AdministrationID) throws -> Int {
        let settings = try self.database.settings(administrationId: id)
        let kind = PayrollPeriodKind(dutch: try self.database.link(administrationId: id)?.periodType)
        return FiscalPeriods.count(rule: settings.periodRule, payroll: kind)
    }
}
