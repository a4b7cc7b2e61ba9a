import Foundation
import Hummingbird
import PayrollImport

/// Every path of the app, in one place: the router registers each handler from a `Route`, and
/// redirects and links print their address from one, so a link, a redirect and a handler cannot
/// disagree. Both come from the same list of parts (`parts`): the pattern the router matches
/// (`/administraties/:id/boekingen/:entryId`) and the path a link prints
/// (`/administraties/3/boekingen/17`). GET and POST of a form share its route.
///
/// To register, a route is written with `Route.any` for its ids (only the pattern is used).
enum Route: Hashable, Sendable {
    // Start and health
    case dashboard
    case launch
    case health
    // Administrations and their chart
    case administrations
    case newAdministration
    case administration(Int64)
    case editAdministration(Int64)
    case accounts(Int64)
    case account(Int64, account: Int64)
    case deactivateAccount(Int64, account: Int64)
    case activateAccount(Int64, account: Int64)
    case chartImport(Int64)
    case starterChart(Int64)
    // Runs, drafts and booked entries
    case runs(Int64)
    case importRuns(Int64)
    case importRunAgain(Int64)
    case entries(Int64)
    case entry(Int64, entry: Int64)
    case deleteDraft(Int64, entry: Int64)
    case reverseEntry(Int64, entry: Int64)
    case retryWriteBack(Int64, entry: Int64)
    case mapLoketCode(Int64)
    case createAccountFromLoket(Int64)
    case settings(Int64)
    // Payroll files from other packages
    case payrollFile(Int64)
    case importPayrollFile(Int64)
    // The ledger
    case journal(Int64)
    case accountCard(Int64, account: Int64)
    case trialBalance(Int64)
    case periods(Int64)
    case closePeriod(Int64, period: Int)
    case reopenPeriod(Int64, period: Int)
    case export(Int64)
    // Loket: connections and OAuth
    case loket
    case connections
    case connect(connection: Int64)
    case pasteLogin(connection: Int64)
    case pastedCode(connection: Int64)
    case disconnect(connection: Int64)
    case oauthCallback
    case forwardPage
    case forwardToLoket
    // Loket: the company list and links
    case companies(connection: Int64)
    case refreshCompanies(connection: Int64)
    case link(connection: Int64)
    case linkAll(connection: Int64)
    case unlink(link: Int64)
    // Alles bijwerken
    case sync
    case syncProgress
    case retrySync
    case cancelSync
    case syncSettings

    /// The placeholder id of a route written for registration.
    static let any: Int64 = 0

    enum Part: Equatable {
        case text(String)
        /// A path parameter: its name in the router and its value in a printed path.
        case parameter(String, String)
    }

    var parts: [Part] {
        func admin(_ id: Int64, _ rest: Part...) -> [Part] { [.text("administraties"), .parameter("id", String(id))] + rest }
        func connection(_ id: Int64, _ rest: String) -> [Part] {
            [.text("loket"), .text("verbindingen"), .parameter("connectionId", String(id))] + (rest.isEmpty ? [] : [.text(rest)])
        }
        switch self {
        case .dashboard: return []
        case .launch: return [.text("launch")]
        case .health: return [.text("health")]
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
