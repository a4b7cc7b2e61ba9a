import Foundation
import Hummingbird
import Ledger
import PayrollImport
import Storage

/// One line of the draft editor: as stored, or as posted (possibly with errors).
struct EditableLine: Sendable {
    var lineId: Int64?
    var accountId: Int64?
    var description: String
    var costCenter: String
    var costUnit: String
    var debitText: String
    var creditText: String
    var debit: Money
    var credit: Money
    var original: EntryLineRow?
    /// What was typed in the account field when it matched no account (shown again with the error).
    var accountText: String?
    /// The stored line's fingerprint when this tab loaded it (`base_N`), for merging two tabs.
    var base: String?
    /// Removed in this tab, not saved yet (a merge page shows it ticked).
    var removed = false
    var errors: [String: String] = [:]

    init(_ row: EntryLineRow) {
        self.lineId = row.id
        self.accountId = row.accountId
        self.description = row.description
        self.costCenter = row.costCenter ?? ""
        self.costUnit = row.costUnit ?? ""
        self.debit = Money(cents: row.debitCents)
        self.credit = Money(cents: row.creditCents)
        self.debitText = row.debitCents == 0 ? "" : self.debit.dutch
        self.creditText = row.creditCents == 0 ? "" : self.credit.dutch
        self.original = row
    }

    init(lineId: Int64?, accountId: Int64?, description: String, costCenter: String, costUnit: String, debitText: String, creditText: String, original: EntryLineRow?) {
        self.lineId = lineId
        self.accountId = accountId
        self.description = description
        self.costCenter = costCenter
        self.costUnit = costUnit
        self.debitText = debitText
        self.creditText = creditText
        self.debit = .zero
        self.credit = .zero
        self.original = original
    }
}

/// The posted draft form, checked.
struct ParsedEntryForm: Sendable {
    var header: AppDatabase.DraftHeader?
    var descriptionText: String
    var dateText: String
    var periodText: String
    var lines: [EditableLine]
    var inputs: [DraftLineInput]
    /// Stored lines this tab removed, with their fingerprint when loaded.
    var removed: [(id: Int64, base: String)] = []
    var errors: [String]
    /// Messages shown beside the header fields (`description`, `entryDate`, `period`).
    var fieldErrors: [String: String]
}

extension EntryController {
    static let emptyRows = 2

    /// Reads `description`, `entryDate`, `period` and lines `line_id_N`, `account_N`, `desc_N`,
    /// `cc_N`, `cu_N`, `debit_N`, `credit_N`, `remove_N` (N < `line_count`). Every problem is named.
    /// `requireAllStored: false` is for merging with another tab's save (it may have added lines).
    static func parse(_ form: FormData, accounts: [LedgerAccountRecord], stored: [EntryLineRow], requireAllStored: Bool = true) throws(AppError) -> ParsedEntryForm {
        var errors: [String] = []
        var fieldErrors: [String: String] = [:]
        let storedById = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let accountsByNumber = Dictionary(accounts.map { ($0.number.lowercased(), $0.id!) }, uniquingKeysWith: { first, _ in first })
        let candidates = accounts.map { AccountSearch.Candidate(number: $0.number, name: $0.name, isActive: $0.isActive) }
        // The form carries every line of the entry plus the empty rows; anything else is not our page.
        let countText = form["line_count"].trimmedForInput
        let maxCount = JournalLimits.maxLinesPerEntry + Self.emptyRows
        guard let count = Int(countText), (0...maxCount).contains(count) else {
            throw AppError.badRequest(
                "Het formulier is onvolledig of beschadigd (aantal regels \u{201C}\(countText.prefix(20))\u{201D}; verwacht 0 tot en met \(JournalLimits.dutchCount(maxCount))). "
                    + "Er is niets opgeslagen; open de boeking opnieuw."
            )
        }
        let description = form["description"].trimmedForInput
        if description.isEmpty {
            fieldErrors["description"] = "Vul een omschrijving in."
        } else if let problem = TextRules.lineProblem(description, max: 200, what: "De omschrijving") {
            fieldErrors["description"] = problem
        }
        var date: CalendarDate?
        do {
            let parsed = try CalendarDate.parse(form["entryDate"])
            if (1990...2100).contains(parsed.year) { date = parsed } else { fieldErrors["entryDate"] = "\(parsed.dutch) valt buiten elk boekjaar (1990–2100)." }
        } catch {
            fieldErrors["entryDate"] = error.message
        }
        let periodText = form["period"].trimmedForInput
        let period = Int(periodText)
        if period == nil || !(1...13).contains(period!) { fieldErrors["period"] = "Kies een periode van 1 tot en met 13." }
        for (field, label) in [("entryDate", "Boekdatum"), ("period", "Periode"), ("description", "Omschrijving")] {
            if let message = fieldErrors[field] { errors.append("\(label): \(message)") }
        }
        var lines: [EditableLine] = []
        var inputs: [DraftLineInput] = []
        // Every stored line must come back, kept or explicitly removed: a post that lacks some
        // (a cut-off form, an old page) is refused whole, never applied as a deletion.
        var returnedIds = Set<Int64>()
        var removed: [(id: Int64, base: String)] = []
        for index in 0..<count {
            let lineIdText = form["line_id_\(index)"].trimmedForInput
            let lineId = Int64(lineIdText)
            if !lineIdText.isEmpty && (lineId == nil || lineId! <= 0) {
                throw AppError.badRequest("Regel \(index + 1) van het formulier is beschadigd (regelnummer \u{201C}\(lineIdText.prefix(20))\u{201D}). Er is niets opgeslagen; open de boeking opnieuw.")
            }
            if let lineId {
                guard returnedIds.insert(lineId).inserted else {
                    throw AppError.badRequest("Het formulier bevat regel \(index + 1) twee keer. Er is niets opgeslagen; open de boeking opnieuw.")
                }
            }
            let accountText = form["account_\(index)"]
            let debitText = form["debit_\(index)"].trimmedForInput
            let creditText = form["credit_\(index)"].trimmedForInput
            let lineDescription = form["desc_\(index)"].trimmedForInput
            let costCenter = form["cc_\(index)"].trimmedForInput
            let costUnit = form["cu_\(index)"].trimmedForInput
            if form["remove_\(index)"] == "1" {
                if let lineId { removed.append((lineId, form["base_\(index)"])) }
                continue
            }
            if lineId == nil && accountText.isEmpty && debitText.isEmpty && creditText.isEmpty && lineDescription.isEmpty { continue }
            // The account is typed (or picked from the list) as "number", "number name", or
            // (part of) a name.
            let accountNumber = accountText.trimmedForInput.split(whereSeparator: \.isWhitespace).first.map(String.init)
            var accountId = accountNumber.flatMap { accountsByNumber[$0.lowercased()] }
            var accountProblem: String?
            if accountId == nil, accountNumber != nil {
                switch AccountSearch.find(accountText, in: candidates) {
                case .found(let index): accountId = accounts[index].id
                case .notFound:
                    accountProblem = "Rekening \u{201C}\(accountText.trimmedForInput.prefix(60))\u{201D} bestaat niet in deze administratie. Typ een rekeningnummer of (een deel van) de naam."
                case .ambiguous(let fits):
                    accountProblem = "\u{201C}\(accountText.trimmedForInput.prefix(60))\u{201D} past bij meer rekeningen (\(fits.joined(separator: "; "))). Typ het rekeningnummer."
                }
            }
            var line = EditableLine(
                lineId: lineId, accountId: accountId, description: lineDescription, costCenter: costCenter,
                costUnit: costUnit, debitText: debitText, creditText: creditText, original: lineId.flatMap { storedById[$0] }
            )
            line.base = form["base_\(index)"]
            let number = lines.count + 1
            if lineId != nil && line.original == nil {
                line.errors["account"] = "Deze regel hoort niet bij deze boeking; laad de pagina opnieuw."
            }
            if let accountProblem {
                line.errors["account"] = accountProblem
                line.accountText = String(accountText.trimmedForInput.prefix(120))
            }
            if line.accountId == nil && line.original?.originalAccountCode == nil && line.errors["account"] == nil {
                line.errors["account"] = "Kies een rekening."
            }
            for (side, text) in [("debit", debitText), ("credit", creditText)] where !text.isEmpty {
                do {
                    let amount = try Money.parse(text)
                    if side == "debit" { line.debit = amount } else { line.credit = amount }
                } catch {
                    line.errors[side] = error.message
                }
            }
            if line.errors["debit"] == nil && line.errors["credit"] == nil && !line.debit.isZero && !line.credit.isZero {
                line.errors["credit"] = "Vul debet óf credit in, niet allebei."
            }
            if let problem = TextRules.lineProblem(lineDescription, max: 200, what: "De omschrijving") { line.errors["description"] = problem }
            if let problem = TextRules.lineProblem(costCenter, max: 40, what: "De kostenplaats") { line.errors["costCenter"] = problem }
            if let problem = TextRules.lineProblem(costUnit, max: 40, what: "De kostendrager") { line.errors["costUnit"] = problem }
            for (field, message) in line.errors.sorted(by: { $0.key < $1.key }) {
                let label = ["account": "rekening", "debit": "debet", "credit": "credit", "description": "omschrijving", "costCenter": "kostenplaats", "costUnit": "kostendrager"][field] ?? field
                errors.append("Regel \(number) \(label): \(message)")
            }
            lines.append(line)
            inputs.append(
                DraftLineInput(
                    lineId: lineId, accountId: line.accountId, description: lineDescription,
                    costCenter: costCenter.isEmpty ? nil : costCenter, costUnit: costUnit.isEmpty ? nil : costUnit, debit: line.debit, credit: line.credit
                )
            )
        }
        let missing = stored.filter { !returnedIds.contains($0.id) }
        if requireAllStored && !missing.isEmpty {
            throw AppError.conflict(
                "Het formulier bevatte \(JournalLimits.dutchCount(stored.count - missing.count)) van de \(JournalLimits.dutchCount(stored.count)) regels van deze boeking "
                    + "(ontbrekend: regel \(missing.prefix(5).map { String($0.position) }.joined(separator: ", "))\(missing.count > 5 ? " en meer" : "")). "
                    + "Er is niets opgeslagen en er is geen regel verwijderd. Open de boeking opnieuw; een regel verwijdert u met het prullenbakje."
            )
        }
        if lines.count > JournalLimits.maxLinesPerEntry {
            errors.append("Een boeking heeft hoogstens \(JournalLimits.maxLinesText) regels; deze heeft er \(JournalLimits.dutchCount(lines.count)).")
        }
        let header = errors.isEmpty && date != nil && period != nil ? AppDatabase.DraftHeader(description: description, entryDate: date!, period: period!) : nil
        return ParsedEntryForm(
            header: header, descriptionText: form["description"], dateText: form["entryDate"], periodText: periodText, lines: lines, inputs: inputs,
            removed: removed, errors: errors, fieldErrors: fieldErrors
        )
    }

    /// Renders the draft editor or the booked view.
    func entryPage(
        _ administration: AdministrationRecord,
        _ entry: JournalEntryRecord,
        lines: [EditableLine],
        context: AppRequestContext,
        status: HTTPResponse.Status,
        headerErrors: [String] = [],
        problems: [String] = [],
        posted: ParsedEntryForm? = nil,
        conflict: Bool = false,
        offerBookAnyway: Bool = false,
        conflicts: [DraftMerge.Conflict] = [],
        rescued: EntryPage.Rescued? = nil
    ) throws -> Response {
        let id = administration.id!
        let accounts = try self.pages.database.accounts(administrationId: id)
        // Every amount passed `Money.parse` (at most the line limit) and there are at most
        // maxLinesPerEntry + emptyRows lines: the sums cannot overflow; checked all the same.
        let balance = try Balance(debit: Money.sum(lines.lazy.map(\.debit)), credit: Money.sum(lines.lazy.map(\.credit)))
        let accountsById = Dictionary(accounts.map { ($0.id!, $0) }, uniquingKeysWith: { first, _ in first })
        var rows: [EntryPage.Line] = []
        for (index, line) in lines.enumerated() {
            let account = line.accountId.flatMap { accountsById[$0] }
            let original = line.original
            let loket = original.flatMap { row -> String? in
                guard let code = row.originalAccountCode else { return nil }
                let amount = (row.originalDebitCents ?? 0) > 0 ? "debet \(Money(cents: row.originalDebitCents ?? 0).dutch)" : "credit \(Money(cents: row.originalCreditCents ?? 0).dutch)"
                return ["\(code) \(row.originalAccountDescription ?? "")", row.originalComponent.map { "component \($0)" }, row.originalCostCenter.map { "kpl \($0)" }, row.originalCostUnit.map { "kdr \($0)" }, amount]
                    .compactMap { $0 }.joined(separator: " · ")
            }
            let changed = original.map { row in
                row.originalAccountCode != nil
                    && ((row.originalDebitCents ?? 0) != line.debit.cents || (row.originalCreditCents ?? 0) != line.credit.cents
                        || (account?.number ?? "") != (row.originalAccountCode ?? "") || (row.costCenter ?? "") != line.costCenter
                        || (row.costUnit ?? "") != line.costUnit)
            } ?? false
            rows.append(
                EntryPage.Line(
                    index: index,
                    lineId: line.lineId.map(String.init) ?? "",
                    accountValue: line.accountText ?? account.map { "\($0.number) \($0.name)" } ?? "",
                    accountLabel: account.map { "\($0.number) \($0.name)" } ?? "Loket \(original?.originalAccountCode ?? "?") (niet gekoppeld)",
                    unmapped: account == nil,
                    inactive: account?.isActive == false,
                    description: line.description,
                    costCenter: line.costCenter,
                    costUnit: line.costUnit,
                    debit: line.debitText,
                    credit: line.creditText,
                    debitError: line.errors["debit"],
                    creditError: line.errors["credit"],
                    accountError: line.errors["account"] ?? line.errors["description"] ?? line.errors["costCenter"] ?? line.errors["costUnit"],
                    loket: loket,
                    changed: changed,
                    isEmptyRow: false,
                    base: original.map(DraftMerge.fingerprint) ?? "",
                    removed: line.removed
                )
            )
        }
        if !entry.isBooked {
            for extra in 0..<Self.emptyRows {
                rows.append(
                    EntryPage.Line(
                        index: lines.count + extra, lineId: "", accountValue: "", accountLabel: "", unmapped: false,
                        inactive: false, description: "", costCenter: "", costUnit: "", debit: "", credit: "", debitError: nil, creditError: nil,
                        accountError: nil, loket: nil, changed: false, isEmptyRow: true, base: "", removed: false
                    )
                )
            }
        }
        var unmappedCodes: [(String, String)] = []
        for line in lines where line.accountId == nil {
            if let code = line.original?.originalAccountCode, !unmappedCodes.contains(where: { $0.0 == code }) {
                unmappedCodes.append((code, line.original?.originalAccountDescription ?? ""))
            }
        }
        let reversal = try self.pages.database.reversal(of: entry.id!)
        let reverses = try entry.reversesEntryId.flatMap { try self.pages.database.entry(id: $0, administrationId: id) }
        let writeback = try self.pages.database.writebacks(entryId: entry.id!).first
        let loketDebit = entry.loketDebitCents.map { Money(cents: $0) }
        let loketCredit = entry.loketCreditCents.map { Money(cents: $0) }
        let canReverse = entry.isBooked && reversal == nil && entry.reversesEntryId == nil
        let proposal = canReverse ? try self.pages.bookkeeping.reversalProposal(for: entry, periods: try self.pages.periodCount(id)) : nil
        let page = EntryPage(
            layout: try self.pages.layout(
                entry.isBooked ? "Boeking \(entry.fiscalYear)-\(entry.number ?? 0)" : "Concept loonjournaalpost",
                section: "administrations", context: context, administration: self.pages.header(administration, section: "entries")
            ),
            administrationId: id,
            entryId: entry.id!,
            paths: EntryPaths(administration: id, entry: entry.id!),
            isDraft: !entry.isBooked,
            isBooked: entry.isBooked,
            number: entry.number.map { "\(entry.fiscalYear)-\($0)" },
            version: entry.version,
            description: posted?.descriptionText ?? entry.description,
            entryDate: posted?.dateText ?? (entry.date?.dutch ?? entry.entryDate),
            period: posted?.periodText ?? String(entry.period),
            headerErrors: headerErrors,
            dateError: posted?.fieldErrors["entryDate"],
            periodError: posted?.fieldErrors["period"],
            descriptionError: posted?.fieldErrors["description"],
            problems: problems,
            offerBookAnyway: offerBookAnyway,
            conflicts: conflicts.map { EntryPage.Conflict(key: $0.key, label: $0.label, mine: $0.mine, theirs: $0.theirs, choosable: $0.choosable) },
            baseDescription: entry.description,
            baseEntryDate: entry.date?.dutch ?? entry.entryDate,
            basePeriod: String(entry.period),
            linesHTML: EntryLinesHTML.render(
                rows, isDraft: !entry.isBooked, isBooked: entry.isBooked, originalPrefix: entry.source == .file ? "Bestand" : "Loket"
            ),
            accountChoices: accounts.filter(\.isActive).map { "\($0.number) \($0.name)" },
            lineCount: rows.count,
            baseLineCount: lines.filter { $0.original != nil && $0.lineId != nil }.count,
            debitTotal: balance.debit.dutch,
            creditTotal: balance.credit.dutch,
            difference: balance.difference.magnitude.dutch,
            isBalanced: balance.isBalanced,
            shortfall: balance.shortfallText,
            loketDebit: loketDebit?.dutch,
            loketCredit: loketCredit?.dutch,
            loketDiffers: loketDebit != nil && (loketDebit != balance.debit || loketCredit != balance.credit),
            sourceText: Self.sourceText(entry),
            originalPrefix: entry.source == .file ? "Bestand" : "Loket",
            originalTotalsLabel: entry.source == .file ? "Het bestand bevatte" : "Loket stuurde",
            isDifferenceEntry: entry.isDifference,
            unmapped: unmappedCodes.map { code, description in
                let same = accounts.first { $0.number == code }
                return EntryPage.Unmapped(
                    code: code, description: description, accounts: Self.options(accounts.filter(\.isActive), selected: same?.id),
                    balance: AccountMatching.proposedType(number: code) == .balance,
                    numberExists: same != nil,
                    localName: same?.name
                )
            },
            history: try self.pages.database.history(entryId: entry.id!).map {
                EntryPage.HistoryRow(when: DutchFormat.dateTime($0.occurredAt), field: $0.field, old: $0.oldValue, new: $0.newValue)
            },
            reversedBy: reversal.map { EntryPage.EntryLink(id: $0.id!, link: .entry(id, entry: $0.id!), label: "\($0.fiscalYear)-\($0.number ?? 0)") },
            reverses: reverses.map { EntryPage.EntryLink(id: $0.id!, link: .entry(id, entry: $0.id!), label: "\($0.fiscalYear)-\($0.number ?? 0)") },
            canReverse: canReverse,
            reversalProposal: proposal.map { proposal in
                let count = (try? self.pages.periodCount(id)) ?? 12
                let closedName = FiscalPeriods.name(entry.period, count: count)
                let openName = FiscalPeriods.name(proposal.period, count: count)
                let text =
                    "Periode \(closedName) \(entry.fiscalYear) is afgesloten. De terugboeking komt in de eerste open periode: \(openName) \(entry.fiscalYear), op \(proposal.date.dutch)."
                return EntryPage.ReversalProposal(period: String(proposal.period), date: proposal.date.dutch, text: text)
            },
            writeback: writeback?.message,
            writebackFailed: writeback.map { !$0.succeeded } ?? false,
            canImportAgain: reversal != nil && entry.source == .loket,
            sourceReference: entry.sourceReference ?? "",
            conflict: conflict,
            wageTaxCheck: try self.wageTaxCheck(entry, lines: lines, accounts: accounts),
            evidence: try EvidenceController.section(entry, database: self.pages.database),
            rescued: rescued
        )
        return self.pages.renderer.render("entry", page, status: status)
    }

    /// The loonaangifte check of the entry's payroll period, from what is stored (no request to Loket).
    func wageTaxCheck(_ entry: JournalEntryRecord, lines: [EditableLine], accounts: [LedgerAccountRecord]) throws -> EntryWageTaxCheck? {
        guard let year = entry.payrollYear, let number = entry.payrollPeriod, let period = ControlPeriod(year: year, number: number),
            entry.source == .loket || entry.source == .manual || entry.source == .reversal
        else { return nil }
        let id = entry.administrationId
        let check = try MonthEndControl(importer: self.importer).check(administrationId: id, period: period)
        let wageTaxAccounts = Set(check.setting.accountIds)
        let inEntry = lines.reduce(Int64(0)) { total, line in
            guard let account = line.accountId, wageTaxAccounts.contains(account) else { return total }
            return total &+ line.credit.cents &- line.debit.cents
        }
        let names = accounts.filter { wageTaxAccounts.contains($0.id ?? 0) }.map { "\($0.number) \($0.name)" }
        let accountsText = names.isEmpty
            ? "geen rekening gekozen"
            : names.joined(separator: ", ") + (check.setting.confirmed ? "" : " (voorstel, nog niet bevestigd)")
        let taxReturn = check.taxReturn
        func date(_ text: String?) -> String? { text.flatMap { try? CalendarDate.parse($0) }?.dutch }
        let isRounding = if case .rounding = check.outcome { true } else { false }
        let rounding = check.setting.roundingAccountId
        return EntryWageTaxCheck(
            periodName: period.name, entryAmount: Money(cents: inEntry).euro, journalAmount: Money(cents: check.wageTax?.totalCents ?? 0).euro,
            entries: (check.wageTax?.bookedEntries ?? 0) + (check.wageTax?.draftEntries ?? 0), accountsText: accountsText, settingsLink: .settings(id),
            hasReturn: taxReturn != nil, returnStatus: taxReturn.map { ($0.statusText ?? "status \($0.statusKey)").lowercased() } ?? "",
            returnAmount: taxReturn?.periodCents.map { Money(cents: $0).euro } ?? "nog niet bekend",
            correction: taxReturn?.correctionCents.flatMap { $0 == 0 ? nil : Money(cents: $0).euro },
            totalDue: taxReturn?.totalCents.map { Money(cents: $0).euro } ?? "nog niet bekend",
            deadline: date(taxReturn?.deadline), paymentReference: taxReturn?.paymentReference.map(PaymentReference.formatted),
            iban: taxReturn?.iban.map(PaymentReference.iban), inTheNameOf: taxReturn?.inTheNameOf, wageTaxNumber: taxReturn?.wageTaxNumber,
            difference: Money(cents: check.outcome.difference).euro, inOrder: check.outcome.isInOrder, explanation: check.explanation,
            isRounding: isRounding, roundingLink: .roundingLine(id, entry: entry.id!),
            roundingAccounts: [EntryPage.Option(value: "", label: "\u{2013} kies een rekening \u{2013}", selected: rounding == nil)]
                + accounts.filter { $0.isActive && !wageTaxAccounts.contains($0.id ?? 0) }.map {
                    EntryPage.Option(value: String($0.id!), label: "\($0.number) \($0.name)", selected: $0.id == rounding)
                }
        )
    }

    static func options(_ accounts: [LedgerAccountRecord], selected: Int64?) -> [EntryPage.Option] {
        accounts.filter { $0.isActive || $0.id == selected }.map {
            EntryPage.Option(value: String($0.id!), label: "\($0.number) \($0.name)\($0.isActive ? "" : " (gedeactiveerd)")", selected: $0.id == selected)
        }
    }

    static func sourceText(_ entry: JournalEntryRecord) -> String {
        switch entry.source {
        case .loket:
            let period = entry.payrollPeriod.map { $0 < 10 ? "0\($0)" : String($0) } ?? "?"
            return "Loket-journaalrun \(entry.loketRunSequence.map(String.init) ?? "?"), loonperiode \(entry.payrollYear.map(String.init) ?? "?")-\(period)"
        case .reversal: return "Terugboeking"
        case .file: return "Salarisbestand"
        case .manual: return "Handmatig"
        }
    }
}
