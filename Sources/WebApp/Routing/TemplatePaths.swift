import Mustache
import Storage

// Templates print their links from `Route` too, never by hand:
// - `{{layout.paths.sync}}` for the app's own pages (`AppPath`);
// - `{{administrationId.runs}}`, `{{layout.administration.id.journal}}` for an administration's
//   pages (`AdministrationPath`), `{{connectionId.refreshCompanies}}` for a connection's
//   (`ConnectionPath`): an id answers the names of the routes it is the id of;
// - a view-model field of type `Route` prints its own path (`{{link}}`), for routes with two ids.
// The names are the names of the `Route` cases; `RouteTests` checks that every name a template
// uses is one of them, so a typo cannot print an empty link.

extension Route: MustacheCustomRenderable {
    var renderText: String { self.path }
    var isNull: Bool { false }
}

/// Routes without an id.
enum AppPath: String, CaseIterable {
    case dashboard, administrations, newAdministration, loket, connections, sync, syncProgress, retrySync, cancelSync, syncSettings
    case charts, applyChart, defaultChart, copyMappings
    case monthEnd, monthEndCSV, refreshMonthEnd, startJournals, bookMonthEnd, confirmWageTaxProposals
    case yearEndSummary, yearEndSummaryCSV, refreshYearEndAll, signOut

    var route: Route {
        switch self {
        case .dashboard: .dashboard
        case .administrations: .administrations
        case .newAdministration: .newAdministration
        case .loket: .loket
        case .connections: .connections
        case .sync: .sync
        case .syncProgress: .syncProgress
        case .retrySync: .retrySync
        case .cancelSync: .cancelSync
        case .syncSettings: .syncSettings
        case .charts: .charts
        case .applyChart: .applyChart
        case .defaultChart: .defaultChart
        case .copyMappings: .copyMappings
        case .monthEnd: .monthEnd
        case .monthEndCSV: .monthEndCSV
        case .refreshMonthEnd: .refreshMonthEnd
        case .startJournals: .startJournals
        case .bookMonthEnd: .bookMonthEnd
        case .confirmWageTaxProposals: .confirmWageTaxProposals
        case .yearEndSummary: .yearEndSummary
        case .yearEndSummaryCSV: .yearEndSummaryCSV
        case .refreshYearEndAll: .refreshYearEndAll
        case .signOut: .signOut
        }
    }
}

/// Every page's `layout.paths`.
struct AppPaths: Sendable, MustacheParent {
    func child(named name: String) -> Any? { AppPath(rawValue: name)?.route }
}

/// Routes of one administration.
enum AdministrationPath: String, CaseIterable {
    case administration, editAdministration, accounts, chartImport, starterChart, unknownAccounts, runs, importRuns, importRunAgain, entries
    case mapLoketCode, createAccountFromLoket, settings, payrollFile, importPayrollFile, journal, trialBalance, periods, export
    case wageTax, copyWageTax
    case evidenceExport, yearEnd, yearEndCSV, refreshYearEnd

    func route(_ id: AdministrationID) -> Route {
        switch self {
        case .administration: .administration(id)
        case .editAdministration: .editAdministration(id)
        case .accounts: .accounts(id)
        case .chartImport: .chartImport(id)
        case .starterChart: .starterChart(id)
        case .unknownAccounts: .unknownAccounts(id)
        case .runs: .runs(id)
        case .importRuns: .importRuns(id)
        case .importRunAgain: .importRunAgain(id)
        case .entries: .entries(id)
        case .mapLoketCode: .mapLoketCode(id)
        case .createAccountFromLoket: .createAccountFromLoket(id)
        case .settings: .settings(id)
        case .payrollFile: .payrollFile(id)
        case .importPayrollFile: .importPayrollFile(id)
        case .journal: .journal(id)
        case .trialBalance: .trialBalance(id)
        case .periods: .periods(id)
        case .export: .export(id)
        case .evidenceExport: .evidenceExport(id)
        case .yearEnd: .yearEnd(id)
        case .yearEndCSV: .yearEndCSV(id)
        case .refreshYearEnd: .refreshYearEnd(id)
        case .wageTax: .wageTax(id)
        case .copyWageTax: .copyWageTax(id)
        }
    }
}

/// Routes of one Loket connection.
enum ConnectionPath: String, CaseIterable {
    case companies, connect, pasteLogin, pastedCode, disconnect, refreshCompanies, link, linkAll

    func route(_ id: ConnectionID) -> Route {
        switch self {
        case .companies: .companies(connection: id)
        case .connect: .connect(connection: id)
        case .pasteLogin: .pasteLogin(connection: id)
        case .pastedCode: .pastedCode(connection: id)
        case .disconnect: .disconnect(connection: id)
        case .refreshCompanies: .refreshCompanies(connection: id)
        case .link: .link(connection: id)
        case .linkAll: .linkAll(connection: id)
        }
    }
}

/// The routes of one entry (draft or booked): `{{paths.entry}}`, `{{paths.reverseEntry}}`.
struct EntryPaths: Sendable, MustacheParent {
    let administration: AdministrationID
    let entry: EntryID

    enum Name: String, CaseIterable {
        case entry, deleteDraft, reverseEntry, retryWriteBack, roundingLine, addAttachment, fetchEvidence
    }

    func route(_ name: Name) -> Route {
        switch name {
        case .entry: .entry(self.administration, entry: self.entry)
        case .deleteDraft: .deleteDraft(self.administration, entry: self.entry)
        case .reverseEntry: .reverseEntry(self.administration, entry: self.entry)
        case .retryWriteBack: .retryWriteBack(self.administration, entry: self.entry)
        case .roundingLine: .roundingLine(self.administration, entry: self.entry)
        case .addAttachment: .addAttachment(self.administration, entry: self.entry)
        case .fetchEvidence: .fetchEvidence(self.administration, entry: self.entry)
        }
    }

    func child(named name: String) -> Any? { Name(rawValue: name).map(self.route) }
}

/// The routes of one account: `{{paths.account}}`, `{{paths.accountCard}}`.
struct AccountPaths: Sendable, MustacheParent {
    let administration: AdministrationID
    let account: Int64

    enum Name: String, CaseIterable {
        case account, deactivateAccount, activateAccount, accountCard
    }

    func route(_ name: Name) -> Route {
        switch name {
        case .account: .account(self.administration, account: self.account)
        case .deactivateAccount: .deactivateAccount(self.administration, account: self.account)
        case .activateAccount: .activateAccount(self.administration, account: self.account)
        case .accountCard: .accountCard(self.administration, account: self.account)
        }
    }

    func child(named name: String) -> Any? { Name(rawValue: name).map(self.route) }
}

/// An administration or connection id answers the names of its routes.
extension Identifier: MustacheParent {
    public func child(named name: String) -> Any? {
        if let id = self as? AdministrationID { return AdministrationPath(rawValue: name)?.route(id) }
        if let id = self as? ConnectionID { return ConnectionPath(rawValue: name)?.route(id) }
        return nil
    }
}

/// Every name a template may put after a dot to print a path.
enum TemplatePathNames {
    static let all: Set<String> = Set(
        AppPath.allCases.map(\.rawValue) + AdministrationPath.allCases.map(\.rawValue) + ConnectionPath.allCases.map(\.rawValue)
            + EntryPaths.Name.allCases.map(\.rawValue) + AccountPaths.Name.allCases.map(\.rawValue)
    )
}
