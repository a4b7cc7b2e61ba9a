import Foundation
import Ledger
import LoketClient
import Storage

/// The jaaraansluiting lonen: per administration and year, our ledger beside Loket's cumulative
/// journal results and the year's payroll tax returns, with the differences explained
/// (`PayrollReconciliation`). `refresh` asks Loket and stores the answer; `report` and `summary`
/// read only the database, so opening the page asks Loket nothing.
public struct YearEnd: Sendable {
    public let importer: RunImporter

    public init(importer: RunImporter) {
        self.importer = importer
    }

    var database: AppDatabase { self.importer.database }

    public static let years = 2000...2100

    /// One administration's year as the page shows it.
    public struct Report: Sendable {
        public let administration: AdministrationRecord
        public let year: Int
        public let result: PayrollReconciliation.Result
        public let refreshedAt: Date?
        public let problem: String?
        public let taxReturnsRefused: String?
        public let wageTaxConfirmed: Bool
        public let linked: Bool
    }

    /// One administration on the summary of all.
    public struct SummaryRow: Sendable {
        public let administration: AdministrationRecord
        public let state: State
        public let differences: Int
        /// Sum of the absolute differences (Loket and aangifte), for sorting and the total.
        public let absoluteDifference: Int64
        public let refreshedAt: Date?
        public let problem: String?
    }

    public enum State: String, Sendable {
        case reconciles
        case differences
        case notRefreshed

        public var label: String {
            switch self {
            case .reconciles: "Sluit aan"
            case .differences: "Verschillen"
            case .notRefreshed: "Nog niet opgehaald"
            }
        }
    }

    // MARK: - Refresh (asks Loket)

    /// Fetches Loket's cumulative results of the year, the year's runs without a booked entry
    /// (with their results) and the tax returns; stores them in one transaction. Returns the
    /// problem in Dutch when Loket could not be asked (the earlier figures stay).
    @discardableResult
    public func refresh(administrationId: AdministrationID, year: Int) async -> String? {
        let now = self.importer.now()
        guard Self.years.contains(year) else { return "Kies een jaar tussen \(Self.years.lowerBound) en \(Self.years.upperBound)." }
        guard let link = try? self.database.link(administrationId: administrationId),
            let administration = try? self.database.administration(id: administrationId)
        else { return "Deze administratie is niet aan een Loket-loonadministratie gekoppeld." }
        do {
            let client = try self.importer.loket.apiClient(connectionId: link.connectionId)
            let last = PayrollPeriodKind(dutch: link.periodType) == .fourWeeks ? 13 : 12
            let cumulative = try await client.cumulativeResults(payrollAdministrationId: link.payrollAdministrationId, startPeriod: year * 100 + 1, endPeriod: year * 100 + last)
            let runs = try await client.journalRuns(payrollAdministrationId: link.payrollAdministrationId)
            let states = try self.database.entryStatesByJournalRun(administrationId: administrationId)
            var open: [LoketOpenRunTotal] = []
            for run in runs where run.payrollRun?.payrollPeriod?.year == year && RunImporter.isImportable(status: run.journalRunStatus.key) {
                guard states[run.id]?.booked != true else { continue }
                let period = run.payrollRun?.payrollPeriod?.periodNumber ?? 0
                for line in try await client.journalRunResults(id: run.id) {
                    open.append(LoketOpenRunTotal(
                        journalRunId: run.id, sequenceNumber: run.sequenceNumber, payrollPeriod: min(max(period, 0), 53), accountCode: line.generalLedgerAccount.code,
                        debitCents: line.debitCents, creditCents: line.creditCents
                    ))
                }
            }
            let results = cumulative.map {
                LoketYearResult(accountCode: $0.generalLedgerAccount.code, accountDescription: $0.generalLedgerAccount.description, debitCents: $0.debitCents, creditCents: $0.creditCents)
            }
            let target = SyncTarget(
                administrationId: administrationId, code: administration.code, name: administration.name, connectionId: link.connectionId,
                payrollAdministrationId: link.payrollAdministrationId
            )
            _ = await MonthEndControl(importer: self.importer).refreshTaxReturns(target, client: client)
            try await self.database.replaceYearFigures(administrationId: administrationId, year: year, results: results, openRuns: open, at: now)
            return nil
        } catch {
            let problem = (error as? LoketError)?.explanation ?? "Loket kon niet worden gelezen of het antwoord kon niet worden bewaard."
            try? await self.database.recordYearRefreshProblem(administrationId: administrationId, year: year, problem: problem, at: now)
            return problem
        }
    }

    /// Refreshes every linked administration, a few at a time; returns the problems by name.
    public func refreshAll(year: Int, concurrency: Int = 4) async -> (done: Int, problems: [(String, String)]) {
        let targets = (try? self.database.syncTargets()) ?? []
        var done = 0
        var problems: [(String, String)] = []
        await withTaskGroup(of: (String, String?).self) { group in
            var iterator = targets.makeIterator()
            func startNext() {
                guard let target = iterator.next() else { return }
                group.addTask { (target.name, await self.refresh(administrationId: target.administrationId, year: year)) }
            }
            for _ in 0..<max(1, min(concurrency, 16)) { startNext() }
            for await (name, problem) in group {
                done += 1
                if let problem { problems.append((name, problem)) }
                startNext()
            }
        }
        return (done, problems)
    }

    // MARK: - Reads (database only)

    public func report(administrationId: AdministrationID, year: Int) throws -> Report? {
        guard let administration = try self.database.administration(id: administrationId) else { return nil }
        let figures = try self.database.yearFigures(administrationId: administrationId, year: year)
        let entries = try self.database.reconciliationEntries(administrationId: administrationId, year: year)
        let lookup = try self.database.accountLookup(administrationId: administrationId)
        let accounts = try self.database.accounts(administrationId: administrationId)
        let numberOf = Dictionary(accounts.compactMap { account in account.id.map { ($0, account.number) } }, uniquingKeysWith: { first, _ in first })
        let setting = try self.database.wageTaxSetting(administrationId: administrationId)
        let refused = try self.database.taxReturnsRefusal(administrationId: administrationId)
        let link = try self.database.link(administrationId: administrationId)
        let kind = PayrollPeriodKind(dutch: link?.periodType)

        // Loket code → our account: the administration's mapping (or same number and name),
        // else the account its booked lines went to most often.
        var votes: [String: [String: Int]] = [:]
        for row in entries where row.entry.source == .loket {
            for line in row.lines {
                if let code = line.originalAccountCode, let number = line.accountNumber { votes[code, default: [:]][number, default: 0] += 1 }
            }
        }
        var descriptions: [String: String?] = [:]
        for result in figures.results { descriptions[result.accountCode] = result.accountDescription }
        for run in figures.openRuns where descriptions[run.accountCode] == nil { descriptions[run.accountCode] = .some(nil) }
        for code in votes.keys where descriptions[code] == nil { descriptions[code] = .some(nil) }
        var accountForCode: [String: String] = [:]
        for (code, description) in descriptions {
            if let id = lookup.account(code: code, description: description ?? nil), let number = numberOf[id] {
                accountForCode[code] = number
            } else if let best = votes[code]?.max(by: { $0.value == $1.value ? $0.key > $1.key : $0.value < $1.value }) {
                accountForCode[code] = best.key
            }
        }

        let reconEntries = entries.map { row in
            PayrollReconciliation.Entry(
                id: row.entry.id!.rawValue, label: row.entry.number.map { "\(row.entry.fiscalYear)-\($0)" } ?? "concept \(row.entry.id!.rawValue)",
                description: row.entry.description, kind: Self.kind(row.entry.source), fiscalYear: row.entry.fiscalYear, payrollYear: row.entry.payrollYear,
                payrollPeriod: row.entry.payrollPeriod,
                lines: row.lines.map { line in
                    PayrollReconciliation.Line(
                        position: line.position, accountNumber: line.accountNumber, net: line.debitCents - line.creditCents, originalCode: line.originalAccountCode,
                        originalNet: line.originalDebitCents.map { $0 - (line.originalCreditCents ?? 0) }
                    )
                }
            )
        }
        let states = try self.database.entryStatesByJournalRun(administrationId: administrationId)
        let grouped = Dictionary(grouping: figures.openRuns, by: \.journalRunId)
        let openRuns = grouped.compactMap { id, totals -> PayrollReconciliation.OpenRun? in
            // A run booked since the last refresh is no longer open.
            guard let first = totals.first, states[id]?.booked != true else { return nil }
            return PayrollReconciliation.OpenRun(
                sequence: first.sequenceNumber, period: first.payrollPeriod, hasDraft: states[id]?.draft == true,
                totals: totals.map { .init(code: $0.accountCode, description: descriptions[$0.accountCode] ?? nil, net: $0.debitCents - $0.creditCents) }
            )
        }.sorted { $0.sequence < $1.sequence }

        var taxReturns: [PayrollReconciliation.TaxReturn]? = nil
        if refused == nil && figures.refreshedAt != nil {
            let records = try self.database.taxReturns(administrationId: administrationId).filter { $0.year == year && $0.period >= 1 && ![4, 7].contains($0.statusKey) }
            taxReturns = Dictionary(grouping: records, by: \.period).map { period, items in
                let amounts = items.map(\.periodCents)
                return PayrollReconciliation.TaxReturn(
                    period: period,
                    periodCents: amounts.contains(where: { $0 == nil }) ? nil : PayrollReconciliation.sum(amounts.compactMap { $0 }),
                    correctionCents: PayrollReconciliation.sum(items.compactMap(\.correctionCents))
                )
            }.sorted { $0.period < $1.period }
        }
        let wageTaxAccounts = Set(setting.accountIds.compactMap { numberOf[$0] })
        let input = PayrollReconciliation.Input(
            year: year, accountNames: Dictionary(accounts.map { ($0.number, $0.name) }, uniquingKeysWith: { first, _ in first }), accountForCode: accountForCode,
            entries: reconEntries,
            loket: figures.refreshedAt == nil ? nil : figures.results.map { .init(code: $0.accountCode, description: $0.accountDescription, net: $0.debitCents - $0.creditCents) },
            openRuns: openRuns, wageTaxAccounts: wageTaxAccounts, taxReturns: taxReturns,
            periodName: { period in kind == .month && (1...12).contains(period) ? "\(FiscalPeriods.monthNames[period - 1]) \(year)" : "periode \(period) \(year)" }
        )
        return Report(
            administration: administration, year: year, result: PayrollReconciliation.reconcile(input), refreshedAt: figures.refreshedAt, problem: figures.problem,
            taxReturnsRefused: refused, wageTaxConfirmed: setting.confirmed, linked: link != nil
        )
    }

    static func kind(_ source: EntrySource) -> PayrollReconciliation.EntryKind {
        switch source {
        case .loket: .loket
        case .file: .file
        case .manual: .manual
        case .reversal: .reversal
        }
    }

    /// Every linked administration's year: which reconcile, which do not, which were never fetched.
    public func summary(year: Int) throws -> [SummaryRow] {
        let targets = try self.database.syncTargets()
        return try targets.compactMap { target -> SummaryRow? in
            guard let report = try self.report(administrationId: target.administrationId, year: year) else { return nil }
            let differences = report.result.differenceCount
            let absolute = report.result.rows.reduce(Int64(0)) { total, row in
                PayrollReconciliation.add(
                    total, PayrollReconciliation.add(Int64(clamping: (row.loketDifference ?? 0).magnitude), Int64(clamping: (row.taxDifference ?? 0).magnitude))
                )
            }
            let state: State = report.refreshedAt == nil ? .notRefreshed : (report.result.reconciles ? .reconciles : .differences)
            return SummaryRow(
                administration: report.administration, state: state, differences: differences, absoluteDifference: absolute, refreshedAt: report.refreshedAt,
                problem: report.problem
            )
        }
    }

    // MARK: - CSV

    /// The report as CSV (semicolon, Dutch amounts): one line per account, then one per explanation.
    public static func csv(_ report: Report) -> String {
        var lines = ["Administratie;Jaar;Rekening;Naam;Grootboek;Loket cumulatief;Verschil Loket;Aangiften loonheffing;Verschil aangifte;Oorzaak;Toelichting;Bedrag"]
        let field: (String) -> String = { SpreadsheetCSV.field($0, max: 1000) }
        let admin = field(report.administration.code)
        func money(_ cents: Int64?) -> String { cents.map { SpreadsheetCSV.amount(Money(cents: $0)) } ?? "" }
        for row in report.result.rows {
            let base = [
                admin, String(report.year), field(row.accountNumber), field(row.accountName), money(row.ledger), money(row.loket),
                money(row.loketDifference), money(row.taxReturns), money(row.taxDifference),
            ]
            lines.append((base + ["", "", ""]).joined(separator: ";"))
            for explanation in row.loketExplanations + row.taxExplanations {
                lines.append((base + [field(explanation.cause.label), field(explanation.text), money(explanation.cents)]).joined(separator: ";"))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    public static func summaryCSV(_ rows: [SummaryRow], year: Int) -> String {
        let field: (String) -> String = { SpreadsheetCSV.field($0, max: 1000) }
        var lines = ["Code;Administratie;Jaar;Status;Rekeningen met verschil;Totaal verschil (absoluut);Opgehaald"]
        for row in rows {
            lines.append([
                field(row.administration.code), field(row.administration.name), String(year), row.state.label, String(row.differences),
                SpreadsheetCSV.amount(Money(cents: row.absoluteDifference)),
                row.refreshedAt.map { ISO8601DateFormatter.string(from: $0, timeZone: .gmt, formatOptions: [.withFullDate, .withTime, .withColonSeparatorInTime]) } ?? "",
            ].joined(separator: ";"))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
