import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import PayrollImport
import Storage

/// Set-up for many administrations: one chart applied to a selection or all in one submit, the
/// office's default chart for new administrations, mappings copied; and per administration the
/// screen that settles every unknown Loket account of its drafts at once.
struct ChartSetupController {
    let pages: PageSupport

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.charts, use: self.show)
        router.post(.applyChart, use: self.apply)
        router.post(.defaultChart, use: self.saveDefault)
        router.post(.copyMappings, use: self.copy)
        router.get(.unknownAccounts(0), use: self.unknown)
        router.post(.unknownAccounts(0), use: self.resolve)
    }

    // MARK: - Charts for many administrations

    /// GET /rekeningschemas
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try self.chartsPage(context: context, status: .ok)
    }

    /// POST /rekeningschemas/toepassen — the chosen chart to the ticked administrations (or all).
    @Sendable func apply(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.postedForm
        let targets = try self.targets(form)
        let source: Bookkeeping.ChartSource
        switch form["source"] {
        case "file":
            let encoding = TextEncoding(rawValue: form["encoding"]) ?? .utf8
            guard let file = form.files["file"], !file.bytes.isEmpty else {
                return try self.chartsPage(context: context, status: .unprocessableContent, problems: ["Kies een CSV-bestand (nummer;naam;soort) of een ander schema."], form: form)
            }
            // A Result, not do/catch: the typed-throws catch of this toolchain crashes the compiler here.
            switch Result(catching: { () throws(ImportErrors) in try ChartCSV.parse(file.bytes, encoding: encoding) }) {
            case .success(let entries):
                source = .file(name: file.filename, accounts: entries.map(\.account))
            case .failure(let errors):
                return try self.chartsPage(
                    context: context, status: .unprocessableContent,
                    problems: ["Er is niets toegepast. Verbeter het bestand:"] + errors.problems.prefix(25).map(\.text), form: form
                )
            }
        default:
            guard let template = try self.template(form["source"]), template != .none else {
                return try self.chartsPage(context: context, status: .unprocessableContent, problems: ["Kies welk rekeningschema u wilt toepassen."], form: form)
            }
            source = .template(template)
        }
        guard !targets.isEmpty else {
            return try self.chartsPage(context: context, status: .unprocessableContent, problems: ["Vink de administraties aan (of kies \u{201C}alle administraties\u{201D})."], form: form)
        }
        let applied = try self.pages.bookkeeping.applyChart(source, to: targets)
        let counts = try self.pages.database.unknownAccountCounts()
        let unknown = targets.reduce(0) { $0 + (counts[$1] ?? 0) }
        var text = "Schema toegepast op \(DutchFormat.count(applied.administrations)) administratie(s): \(DutchFormat.count(applied.accountsAdded)) rekeningen toegevoegd"
        text += applied.unchanged > 0 ? " (\(DutchFormat.count(applied.unchanged)) hadden alle rekeningen al)." : "."
        text += unknown == 0 ? " Alle concepten vinden hun rekeningen." : " Nog \(DutchFormat.count(unknown)) onbekende Loket-rekening(en) in concepten: zie de kolom \u{201C}Onbekend\u{201D}."
        return self.pages.redirect(to: Route.charts.path, flash: FlashMessage(.success, text), context: context)
    }

    /// POST /rekeningschemas/standaard — the chart new administrations from Loket start with.
    @Sendable func saveDefault(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.postedForm
        guard let template = try self.template(form["defaultChart"]) else {
            return try self.chartsPage(context: context, status: .unprocessableContent, problems: ["Kies een standaardschema uit de lijst."], form: form)
        }
        try self.pages.bookkeeping.setDefaultChart(template)
        return self.pages.redirect(
            to: Route.charts.path, flash: FlashMessage(.success, "Nieuwe administraties uit Loket krijgen voortaan \(try self.pages.database.chartTemplateName(template))."),
            context: context
        )
    }

    /// POST /rekeningschemas/koppelingen-kopieren — one administration's Loket mappings to others.
    @Sendable func copy(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.postedForm
        guard let source = AdministrationID(form["mappingSource"]), try self.pages.database.administration(id: source) != nil else {
            return try self.chartsPage(context: context, status: .unprocessableContent, problems: ["Kies de administratie waarvan u de koppelingen wilt kopiëren."], form: form)
        }
        let targets = try self.targets(form).filter { $0 != source }
        guard !targets.isEmpty else {
            return try self.chartsPage(context: context, status: .unprocessableContent, problems: ["Vink de administraties aan die de koppelingen krijgen."], form: form)
        }
        let (copied, skipped) = try self.pages.bookkeeping.copyMappings(from: source, to: targets)
        var text = "\(DutchFormat.count(copied)) koppeling(en) gekopieerd naar \(DutchFormat.count(targets.count)) administratie(s)."
        if skipped > 0 { text += " \(DutchFormat.count(skipped)) overgeslagen: die administraties hebben geen rekening met dat nummer." }
        return self.pages.redirect(to: Route.charts.path, flash: FlashMessage(.success, text), context: context)
    }

    /// The ticked administrations, or every one when "all" is chosen; unknown ids are a 400.
    private func targets(_ form: FormData) throws -> [AdministrationID] {
        if form["all"] == "1" { return try self.pages.database.administrationSummaries().map(\.id) }
        let known = Set(try self.pages.database.administrationSummaries().map(\.id))
        return try form.values("target").map { text in
            guard let id = AdministrationID(text), known.contains(id) else { throw AppError.badRequest("Onbekende administratie \u{201C}\(text.prefix(20))\u{201D}.") }
            return id
        }
    }

    /// `none`, `starter` or `admin-<id>`; nil for anything else.
    private func template(_ value: String) throws -> ChartTemplate? {
        switch value {
        case "none": return ChartTemplate.none
        case "starter": return .starter
        default:
            guard value.hasPrefix("admin-"), let id = AdministrationID(String(value.dropFirst(6))), try self.pages.database.administration(id: id) != nil else { return nil }
            return .administration(id)
        }
    }

    private func chartsPage(context: AppRequestContext, status: HTTPResponse.Status, problems: [String] = [], form: FormData = FormData()) throws -> Response {
        let summaries = try self.pages.database.administrationSummaries()
        let unknown = try self.pages.database.unknownAccountCounts()
        let ticked = Set(form.values("target"))
        let current = try self.pages.database.defaultChart()
        let withAccounts = summaries.filter { $0.accountCount > 0 }
        let chosenSource = form["source"].isEmpty ? "starter" : form["source"]
        let page = ChartsPage(
            layout: try self.pages.layout("Rekeningschema's", section: "administrations", context: context),
            targets: summaries.map {
                ChartsPage.Target(
                    id: $0.id, code: $0.code, name: $0.name, accounts: DutchFormat.count($0.accountCount), hasNoAccounts: $0.accountCount == 0,
                    unknown: unknown[$0.id] ?? 0, hasUnknown: (unknown[$0.id] ?? 0) > 0, ticked: ticked.contains(String($0.id.rawValue))
                )
            },
            hasTargets: !summaries.isEmpty,
            sources: [ChartsPage.Option(value: "starter", label: "Het standaardschema (lonen)", selected: chosenSource == "starter")]
                + withAccounts.map { ChartsPage.Option(value: "admin-\($0.id)", label: "Het schema van \($0.code) \($0.name) (\(DutchFormat.count($0.accountCount)) rekeningen)", selected: chosenSource == "admin-\($0.id)") }
                + [ChartsPage.Option(value: "file", label: "Een CSV-bestand (hieronder kiezen)", selected: chosenSource == "file")],
            defaultChoices: [
                ChartsPage.Option(value: "none", label: "Geen (leeg rekeningschema)", selected: current == .none),
                ChartsPage.Option(value: "starter", label: "Het standaardschema (lonen)", selected: current == .starter),
            ] + withAccounts.map { ChartsPage.Option(value: "admin-\($0.id)", label: "Het schema van \($0.code) \($0.name)", selected: current == .administration($0.id)) },
            mappingSources: summaries.map { ChartsPage.Option(value: String($0.id.rawValue), label: "\($0.code) \($0.name)", selected: form["mappingSource"] == String($0.id.rawValue)) },
            encodings: TextEncoding.allCases.map { ChartsPage.Option(value: $0.rawValue, label: $0.label, selected: $0.rawValue == (form["encoding"].isEmpty ? "utf-8" : form["encoding"])) },
            problems: problems
        )
        return self.pages.renderer.render("charts", page, status: status)
    }

    // MARK: - Unknown Loket accounts of one administration

    /// GET /administraties/:id/onbekende-rekeningen
    @Sendable func unknown(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try self.pages.administration(context)
        return try self.unknownPage(record, context: context, status: .ok)
    }

    /// POST /administraties/:id/onbekende-rekeningen — every row's decision in one transaction.
    @Sendable func resolve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try self.pages.administration(context)
        let id = record.id!
        let form = context.postedForm
        let count = try RequestNumber.parse(form["row_count"], in: 0...10_000, invalid: "Ongeldig aantal regels") ?? 0
        let proposals = try self.pages.bookkeeping.unknownAccountProposals(administrationId: id)
        let byCode = Dictionary(proposals.map { ($0.account.code, $0) }, uniquingKeysWith: { first, _ in first })
        let accounts = try self.pages.database.accounts(administrationId: id)
        let candidates = accounts.map { AccountSearch.Candidate(number: $0.number, name: $0.name, isActive: $0.isActive) }
        var decisions: [UnknownAccountDecision] = []
        var errors: [String: String] = [:]
        for index in 0..<count {
            let code = form["code_\(index)"]
            // Settled meanwhile (another tab, a chart applied): nothing to decide any more.
            guard let proposal = byCode[code] else { continue }
            switch form["action_\(index)"] {
            case "create":
                guard proposal.numberIsFree else {
                    errors[code] = "Rekening \(code) bestaat al (of is geen geldig nummer): kies een bestaande rekening."
                    continue
                }
                let name = TextRules.cleaned(proposal.account.description.isEmpty ? "Loket-rekening \(code)" : proposal.account.description, max: AccountRules.maxNameLength)
                let type: AccountType = form["type_\(index)"] == "W" ? .profitAndLoss : .balance
                decisions.append(.create(code: code, ChartAccount(number: code, name: name, type: type)))
            case "map":
                switch AccountSearch.find(form["account_\(index)"], in: candidates) {
                case .found(let at): decisions.append(.map(code: code, accountId: accounts[at].id!))
                case .notFound: errors[code] = "Rekening \u{201C}\(form["account_\(index)"].trimmedForInput.prefix(60))\u{201D} bestaat niet. Typ een nummer of (een deel van) de naam."
                case .ambiguous(let fits): errors[code] = "Dat past bij meer rekeningen (\(fits.joined(separator: "; "))). Typ het nummer."
                }
            default:
                continue
            }
        }
        guard errors.isEmpty else {
            return try self.unknownPage(record, context: context, status: .unprocessableContent, form: form, postedRows: count, errors: errors)
        }
        guard !decisions.isEmpty else {
            return self.pages.redirect(to: Route.unknownAccounts(id).path, flash: FlashMessage(.info, "Er is niets gekozen; alles staat nog open."), context: context)
        }
        let drafts: Int
        do {
            drafts = try self.pages.bookkeeping.resolveUnknownAccounts(administrationId: id, decisions)
        } catch StorageError.duplicateAccountNumber(let number) {
            // Created meanwhile (another tab, a chart applied): nothing is saved; the page is read again.
            return self.pages.redirect(
                to: Route.unknownAccounts(id).path,
                flash: FlashMessage(.error, "Rekening \(number) bestaat intussen al; er is niets vastgelegd. Bekijk de voorstellen opnieuw."), context: context
            )
        } catch StorageError.accountNotFound {
            return self.pages.redirect(
                to: Route.unknownAccounts(id).path,
                flash: FlashMessage(.error, "Een gekozen rekening bestaat niet meer; er is niets vastgelegd. Bekijk de voorstellen opnieuw."), context: context
            )
        }
        let left = try self.pages.database.unknownAccounts(administrationId: id).count
        var text = "\(DutchFormat.count(decisions.count)) Loket-rekening(en) vastgelegd; \(DutchFormat.count(drafts)) concept(en) bijgewerkt."
        text += left == 0 ? " Alle concepten vinden nu hun rekeningen." : " Nog \(DutchFormat.count(left)) open."
        return self.pages.redirect(to: Route.unknownAccounts(id).path, flash: FlashMessage(.success, text), context: context)
    }

    private func unknownPage(
        _ record: AdministrationRecord, context: AppRequestContext, status: HTTPResponse.Status, form: FormData = FormData(), postedRows: Int = 0,
        errors: [String: String] = [:]
    ) throws -> Response {
        let id = record.id!
        let proposals = try self.pages.bookkeeping.unknownAccountProposals(administrationId: id)
        let accounts = try self.pages.database.accounts(administrationId: id).filter(\.isActive)
        let posted = Dictionary(
            (0..<postedRows).map { (form["code_\($0)"], $0) }, uniquingKeysWith: { first, _ in first }
        )
        let rows = proposals.enumerated().map { index, proposal -> UnknownAccountsPage.Row in
            let item = proposal.account
            var proposeCreate = false
            var accountValue = ""
            var type = AccountMatching.proposedType(number: item.code)
            switch proposal.proposal {
            case .existing(_, let label): accountValue = label
            case .create(let account):
                proposeCreate = true
                type = account.type
            }
            if let at = posted[item.code] {
                proposeCreate = form["action_\(at)"] == "create"
                accountValue = form["account_\(at)"]
                type = form["type_\(at)"] == "W" ? .profitAndLoss : .balance
            }
            return UnknownAccountsPage.Row(
                index: index, code: item.code, description: item.description.isEmpty ? "(geen naam)" : item.description,
                usage: "\(DutchFormat.count(item.lines)) regel(s) in \(DutchFormat.count(item.drafts)) concept(en)",
                createLabel: "Nieuwe rekening \(item.code) aanmaken",
                canCreate: proposal.numberIsFree, proposeCreate: proposeCreate && proposal.numberIsFree, proposeMap: !(proposeCreate && proposal.numberIsFree),
                accountValue: accountValue, typeBalance: type == .balance, warning: proposal.nameDiffers, error: errors[item.code]
            )
        }
        let page = UnknownAccountsPage(
            layout: try self.pages.layout(
                "Onbekende Loket-rekeningen \(record.code)", section: "administrations", context: context,
                administration: self.pages.header(record, section: "entries")
            ),
            administrationId: id, rows: rows, hasRows: !rows.isEmpty, rowCount: rows.count,
            accountChoices: accounts.map { "\($0.number) \($0.name)" },
            problems: errors.isEmpty ? [] : ["Er is niets vastgelegd. Verbeter de gemarkeerde regels:"]
        )
        return self.pages.renderer.render("unknown_accounts", page, status: status)
    }
}
