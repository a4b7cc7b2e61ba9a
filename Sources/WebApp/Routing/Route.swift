import Storage
import Foundation
import Hummingbird
import PayrollImport

/// Every path of the app, in one place: the router registers each handler from a `Route`, and
/// redirects and links print their address from one, so a link, a redirect and a handler cannot
/// disagree. Both come from the same list of parts (`parts`): the pattern the router matches
/// (`/administraties/:id/boekingen/:entryId`) and the path a link prints
/// (`/administraties/3/boekingen/17`). GET and POST of a form share its route.
///
/// To register, a route is written with `0` for its ids (only the pattern is used).
enum Route: Hashable, Sendable {
    // Start and health
    case dashboard
    case launch
    case health
    case favicon
    case signOut
    case signedOut
    // Administrations and their chart
    case administrations
    case newAdministration
    case administration(AdministrationID)
    case editAdministration(AdministrationID)
    case accounts(AdministrationID)
    case account(AdministrationID, account: Int64)
    case deactivateAccount(AdministrationID, account: Int64)
    case activateAccount(AdministrationID, account: Int64)
    case chartImport(AdministrationID)
    case starterChart(AdministrationID)
    case unknownAccounts(AdministrationID)
    // Charts for many administrations at once
    case charts
    case applyChart
    case defaultChart
    case copyMappings
    // Runs, drafts and booked entries
    case runs(AdministrationID)
    case importRuns(AdministrationID)
    case importRunAgain(AdministrationID)
    case entries(AdministrationID)
    case entry(AdministrationID, entry: EntryID)
    case deleteDraft(AdministrationID, entry: EntryID)
    case reverseEntry(AdministrationID, entry: EntryID)
    case retryWriteBack(AdministrationID, entry: EntryID)
    case mapLoketCode(AdministrationID)
    case createAccountFromLoket(AdministrationID)
    case settings(AdministrationID)
    // Payroll files from other packages
    case payrollFile(AdministrationID)
    case importPayrollFile(AdministrationID)
    // The ledger
    case journal(AdministrationID)
    case accountCard(AdministrationID, account: Int64)
    case trialBalance(AdministrationID)
    case periods(AdministrationID)
    case closePeriod(AdministrationID, period: Int)
    case reopenPeriod(AdministrationID, period: Int)
    case export(AdministrationID)
    // Loket: connections and OAuth
    case loket
    case connections
    case connect(connection: ConnectionID)
    case pasteLogin(connection: ConnectionID)
    case pastedCode(connection: ConnectionID)
    case disconnect(connection: ConnectionID)
    case oauthCallback
    case forwardPage
    case forwardToLoket
    // Loket: the company list and links
    case companies(connection: ConnectionID)
    case refreshCompanies(connection: ConnectionID)
    case link(connection: ConnectionID)
    case linkAll(connection: ConnectionID)
    case unlink(link: Int64)
    // Alles bijwerken
    case sync
    case syncProgress
    case retrySync
    case cancelSync
    case syncSettings
    // Month-end control
    case monthEnd
    case monthEndCSV
    case refreshMonthEnd
    case startJournals
    case bookMonthEnd
    case confirmWageTaxProposals
    case wageTax(AdministrationID)
    case copyWageTax(AdministrationID)
    case roundingLine(AdministrationID, entry: EntryID)
    // Evidence on entries
    case attachment(AdministrationID, entry: EntryID, attachment: Int64)
    case attachmentTable(AdministrationID, entry: EntryID, attachment: Int64)
    case addAttachment(AdministrationID, entry: EntryID)
    case removeAttachment(AdministrationID, entry: EntryID, attachment: Int64)
    case fetchEvidence(AdministrationID, entry: EntryID)
    case evidenceExport(AdministrationID)
    // Year end: jaaraansluiting lonen
    case yearEnd(AdministrationID)
    case yearEndCSV(AdministrationID)
    case refreshYearEnd(AdministrationID)
    case yearEndSummary
    case yearEndSummaryCSV
    case refreshYearEndAll

    enum Part: Equatable {
        case text(String)
        /// A path parameter: its name in the router and its value in a printed path.
        case parameter(String, String)
    }

    var parts: [Part] {
        func admin(_ id: AdministrationID, _ rest: Part...) -> [Part] { [.text("administraties"), .parameter("id", String(id))] + rest }
        func connection(_ id: ConnectionID, _ rest: String) -> [Part] {
            [.text("loket"), .text("verbindingen"), .parameter("connectionId", String(id))] + (rest.isEmpty ? [] : [.text(rest)])
        }
        switch self {
        case .dashboard: return []
        case .launch: return [.text("launch")]
        case .health: return [.text("health")]
        case .favicon: return [.text("favicon.ico")]
        case .signOut: return [.text("afmelden")]
        case .signedOut: return [.text("afgemeld")]
        case .administrations: return [.text("administraties")]
        case .newAdministration: return [.text("administraties"), .text("nieuw")]
        case .administration(let id): return admin(id)
        case .editAdministration(let id): return admin(id, .text("wijzigen"))
        case .accounts(let id): return admin(id, .text("rekeningen"))
        case .account(let id, let account): return admin(id, .text("rekeningen"), .parameter("accountId", String(account)))
        case .deactivateAccount(let id, let account): return admin(id, .text("rekeningen"), .parameter("accountId", String(account)), .text("deactiveren"))
        case .activateAccount(let id, let account): return admin(id, .text("rekeningen"), .parameter("accountId", String(account)), .text("activeren"))
        case .chartImport(let id): return admin(id, .text("rekeningschema"), .text("import"))
        case .starterChart(let id): return admin(id, .text("rekeningschema"), .text("standaard"))
        case .unknownAccounts(let id): return admin(id, .text("onbekende-rekeningen"))
        case .charts: return [.text("rekeningschemas")]
        case .applyChart: return [.text("rekeningschemas"), .text("toepassen")]
        case .defaultChart: return [.text("rekeningschemas"), .text("standaard")]
        case .copyMappings: return [.text("rekeningschemas"), .text("koppelingen-kopieren")]
        case .runs(let id): return admin(id, .text("runs"))
        case .importRuns(let id): return admin(id, .text("runs"), .text("import"))
        case .importRunAgain(let id): return admin(id, .text("runs"), .text("opnieuw"))
        case .entries(let id): return admin(id, .text("boekingen"))
        case .entry(let id, let entry): return admin(id, .text("boekingen"), .parameter("entryId", String(entry)))
        case .deleteDraft(let id, let entry): return admin(id, .text("boekingen"), .parameter("entryId", String(entry)), .text("verwijderen"))
        case .reverseEntry(let id, let entry): return admin(id, .text("boekingen"), .parameter("entryId", String(entry)), .text("terugboeken"))
        case .retryWriteBack(let id, let entry): return admin(id, .text("boekingen"), .parameter("entryId", String(entry)), .text("loket"))
        case .mapLoketCode(let id): return admin(id, .text("rekeningkoppelingen"))
        case .createAccountFromLoket(let id): return admin(id, .text("rekeningkoppelingen"), .text("aanmaken"))
        case .settings(let id): return admin(id, .text("instellingen"))
        case .payrollFile(let id): return admin(id, .text("salarisbestand"))
        case .importPayrollFile(let id): return admin(id, .text("salarisbestand"), .text("importeren"))
        case .journal(let id): return admin(id, .text("grootboek"))
        case .accountCard(let id, let account): return admin(id, .text("grootboek"), .text("rekening"), .parameter("accountId", String(account)))
        case .trialBalance(let id): return admin(id, .text("proefbalans"))
        case .periods(let id): return admin(id, .text("perioden"))
        case .closePeriod(let id, let period): return admin(id, .text("perioden"), .parameter("period", String(period)), .text("afsluiten"))
        case .reopenPeriod(let id, let period): return admin(id, .text("perioden"), .parameter("period", String(period)), .text("heropenen"))
        case .export(let id): return admin(id, .text("export"))
        case .loket: return [.text("loket")]
        case .connections: return [.text("loket"), .text("verbindingen")]
        case .connect(let id): return connection(id, "verbinden")
        case .pasteLogin(let id): return connection(id, "aanmelden")
        case .pastedCode(let id): return connection(id, "code")
        case .disconnect(let id): return connection(id, "verbreken")
        case .oauthCallback: return [.text("oauth"), .text("callback")]
        case .forwardPage: return [.text("loket"), .text("doorsturen")]
        case .forwardToLoket: return [.text("loket"), .text("naar-loket")]
        case .companies(let id): return connection(id, "")
        case .refreshCompanies(let id): return connection(id, "vernieuwen")
        case .link(let id): return connection(id, "koppelen")
        case .linkAll(let id): return connection(id, "alles-koppelen")
        case .unlink(let id): return [.text("loket"), .text("koppelingen"), .parameter("linkId", String(id)), .text("ontkoppelen")]
        case .sync: return [.text("bijwerken")]
        case .syncProgress: return [.text("bijwerken"), .text("voortgang")]
        case .retrySync: return [.text("bijwerken"), .text("opnieuw")]
        case .cancelSync: return [.text("bijwerken"), .text("annuleren")]
        case .syncSettings: return [.text("bijwerken"), .text("instellingen")]
        case .monthEnd: return [.text("maandafsluiting")]
        case .monthEndCSV: return [.text("maandafsluiting"), .text("csv")]
        case .refreshMonthEnd: return [.text("maandafsluiting"), .text("vernieuwen")]
        case .startJournals: return [.text("maandafsluiting"), .text("journaliseren")]
        case .bookMonthEnd: return [.text("maandafsluiting"), .text("boeken")]
        case .confirmWageTaxProposals: return [.text("maandafsluiting"), .text("loonheffingsrekening")]
        case .wageTax(let id): return admin(id, .text("loonaangifte"))
        case .copyWageTax(let id): return admin(id, .text("loonaangifte"), .text("kopieren"))
        case .roundingLine(let id, let entry): return admin(id, .text("boekingen"), .parameter("entryId", String(entry)), .text("afronding"))
        case .attachment(let id, let entry, let attachment):
            return admin(id, .text("boekingen"), .parameter("entryId", String(entry)), .text("bijlagen"), .parameter("attachmentId", String(attachment)))
        case .attachmentTable(let id, let entry, let attachment):
            return admin(id, .text("boekingen"), .parameter("entryId", String(entry)), .text("bijlagen"), .parameter("attachmentId", String(attachment)), .text("tabel"))
        case .addAttachment(let id, let entry): return admin(id, .text("boekingen"), .parameter("entryId", String(entry)), .text("bijlagen"))
        case .removeAttachment(let id, let entry, let attachment):
            return admin(id, .text("boekingen"), .parameter("entryId", String(entry)), .text("bijlagen"), .parameter("attachmentId", String(attachment)), .text("verwijderen"))
        case .fetchEvidence(let id, let entry): return admin(id, .text("boekingen"), .parameter("entryId", String(entry)), .text("bijlagen-ophalen"))
        case .evidenceExport(let id): return admin(id, .text("export"), .text("bewijsstukken"))
        case .yearEnd(let id): return admin(id, .text("jaaraansluiting"))
        case .yearEndCSV(let id): return admin(id, .text("jaaraansluiting"), .text("csv"))
        case .refreshYearEnd(let id): return admin(id, .text("jaaraansluiting"), .text("vernieuwen"))
        case .yearEndSummary: return [.text("jaaraansluiting")]
        case .yearEndSummaryCSV: return [.text("jaaraansluiting"), .text("csv")]
        case .refreshYearEndAll: return [.text("jaaraansluiting"), .text("vernieuwen")]
        }
    }

    /// The address a link or redirect prints: `/administraties/3/boekingen/17`.
    var path: String {
        "/" + self.parts.map { part in
            switch part {
            case .text(let text): text
            case .parameter(_, let value): value
            }
        }.joined(separator: "/")
    }

    /// The path with a query string (names and values percent-encoded).
    func path(query: [(String, String)]) -> String {
        guard !query.isEmpty else { return self.path }
        return self.path + "?" + query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    /// What the router matches: `/administraties/:id/boekingen/:entryId`.
    var pattern: String {
        "/" + self.parts.map { part in
            switch part {
            case .text(let text): text
            case .parameter(let name, _): ":" + name
            }
        }.joined(separator: "/")
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

extension Router where Context == AppRequestContext {
    /// Registers a GET handler for a route's pattern.
    func get(_ route: Route, use handler: @escaping @Sendable (Request, Context) async throws -> some ResponseGenerator) {
        self.get(RouterPath(route.pattern), use: handler)
    }

    /// Registers a POST handler for a route's pattern.
    func post(_ route: Route, use handler: @escaping @Sendable (Request, Context) async throws -> some ResponseGenerator) {
        self.post(RouterPath(route.pattern), use: handler)
    }
}
