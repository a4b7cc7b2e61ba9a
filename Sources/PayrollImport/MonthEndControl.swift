import Foundation
import Ledger
import LoketClient
import Storage

/// A payroll period across administrations: year and number (a month for monthly payrolls, a
/// 4-week period for 4-weekly ones), as Loket's `payrollPeriodId` `YYYYPP`.
public struct ControlPeriod: Sendable, Equatable, Hashable {
    public let year: Int
    public let number: Int

    public init?(year: Int, number: Int) {
        guard (1900...9999).contains(year), (1...13).contains(number) else { return nil }
        self.year = year
        self.number = number
    }

    /// `2026-04` or `2026-13`.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, (1...2).contains(parts[1].count), let year = Int(parts[0]), let number = Int(parts[1]) else { return nil }
        self.init(year: year, number: number)
    }

    /// The month before the one `date` falls in (Europe/Amsterdam): the last closed month.
    public static func lastClosedMonth(before date: Date) -> ControlPeriod {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Amsterdam") ?? .current
        let c = calendar.dateComponents([.year, .month], from: date)
        let (year, month) = (c.month ?? 1) == 1 ? ((c.year ?? 2000) - 1, 12) : (c.year ?? 2000, (c.month ?? 2) - 1)
        return ControlPeriod(year: year, number: month)!
    }

    public var loketId: Int { self.year * 100 + self.number }
    public var text: String { String(format: "%04d-%02d", self.year, self.number) }
    /// `april 2026`, or `periode 13 van 2026`.
    public var name: String {
        self.number <= 12 ? "\(FiscalPeriods.monthNames[self.number - 1]) \(self.year)" : "periode \(self.number) van \(self.year)"
    }
    public var previous: ControlPeriod? { self.number > 1 ? ControlPeriod(year: self.year, number: self.number - 1) : ControlPeriod(year: self.year - 1, number: 12) }
    public var next: ControlPeriod? { self.number < 13 ? ControlPeriod(year: self.year, number: self.number + 1) : ControlPeriod(year: self.year + 1, number: 1) }
}

/// Where the journal run of a period stands in Loket.
public enum JournalRunPresence: Sendable, Equatable {
    /// Not asked: the period's entry is here already, or the payroll is not approved.
    case notAsked
    case missing
    /// Loket is making it (status 0–3; 2 and 3 mean it failed or was removed).
    case inProgress(status: Int)
    case ready
    case unknown(String)

    init(_ record: PeriodStatusRecord) {
        switch record.journal {
        case .notAsked: self = .notAsked
        case .missing: self = .missing
        case .inProgress: self = .inProgress(status: record.journalStatusKey ?? 0)
        case .ready: self = .ready
        case .unknown: self = .unknown(record.problem ?? "Loket kon niet worden gevraagd.")
        }
    }

    var state: JournalRunState {
        switch self {
        case .notAsked: .notAsked
        case .missing: .missing
        case .inProgress: .inProgress
        case .ready: .ready
        case .unknown: .unknown
        }
    }

    var statusKey: Int? {
        if case .inProgress(let status) = self { return status }
        return nil
    }
}

/// The loonaangifte check of one administration and period.
public struct TaxReturnCheck: Sendable, Equatable {
    public let period: ControlPeriod
    public let taxReturn: TaxReturnRecord?
    /// Why there is no tax return to compare with (403, Loket unreachable), in Dutch.
    public let refusal: String?
    public let wageTax: PeriodWageTax?
    public let setting: WageTaxSetting
    public let outcome: WageTaxOutcome

    public var explanation: String {
        if let refusal { return refusal }
        if self.setting.accountIds.isEmpty {
            return "Er is geen rekening voor af te dragen loonheffingen gevonden. Kies bij Instellingen welke rekening(en) de loonheffing dragen."
        }
        return self.outcome.explanation(periodName: self.period.name)
    }
}

/// One administration in the month-end overview.
public struct MonthEndRow: Sendable, Equatable {
    public enum Gap: Sendable, Equatable {
        case connection(String)
        case payrollNotApproved(String)
        case journalMissing
        case journalInProgress(Int)
        case notImported
        case notBooked(Int)
        case check(WageTaxOutcome)
        case noTaxReturnAccess(String)
        /// The wage-tax account is the proposal from the chart (or none was found), not confirmed.
        case wageTaxAccountsUnconfirmed(proposed: Bool)

        var isAboutTheJournalRun: Bool {
            switch self {
            case .journalMissing, .journalInProgress, .payrollNotApproved: true
            default: false
            }
        }
    }

    public let target: SyncTarget
    /// Loket's status of the payroll of this period (a fact), e.g. "Approved"; nil: not known.
    public let payrollStatusKey: Int?
    public let payrollStatusText: String?
    public let periodStart: String?
    public let periodEnd: String?
    public let journal: JournalRunPresence
    public let wageTax: PeriodWageTax
    public let check: TaxReturnCheck
    public let gaps: [Gap]

    public var needsAction: Bool { !self.gaps.isEmpty }
    /// An approved payroll without a journal run: "Journaliseren starten" can help.
    public var canStartJournal: Bool { self.gaps.contains(.journalMissing) }
    public var imported: Bool { self.wageTax.loketEntries > 0 }
    public var booked: Bool { self.wageTax.bookedEntries > 0 && self.wageTax.draftEntries == 0 }
}

public struct MonthEndOverview: Sendable {
    public let period: ControlPeriod
    public let rows: [MonthEndRow]
    /// When this period was last asked of Loket (nil: never: the rows show only what is stored).
    public let refreshed: MonthEndRefresh?
    /// Sum of the tax returns' totals (what is due to the Belastingdienst), and the earliest deadline.
    public var totalDueCents: Int64 {
        self.rows.compactMap { $0.check.taxReturn?.totalCents }.reduce(Int64(0)) { $0 &+ $1 }
    }
    public var earliestDeadline: String? { self.rows.compactMap { $0.check.taxReturn?.deadline }.min() }
    public var needingAction: Int { self.rows.filter(\.needsAction).count }
}

/// What starting a journal run did for one administration.
public struct JournalStartResult: Sendable, Equatable {
    public let target: SyncTarget
    /// Periods (YYYYPP) Loket started a journal run for.
    public let started: [Int]
    public let error: String?
}

/// The month-end control use cases: the tax returns from Loket, the check against the
/// journal, the overview of all clients, starting journal runs, the rounding line.
public struct MonthEndControl: Sendable {
    public let importer: RunImporter
    /// Administrations asked about at the same time for the per-administration follow-ups.
    public var concurrency: Int

    public init(importer: RunImporter, concurrency: Int = 8) {
        self.importer = importer
        self.concurrency = min(max(concurrency, 1), 16)
    }

    var database: AppDatabase { self.importer.database }

    // MARK: - Tax returns

    public enum TaxReturnRefresh: Sendable, Equatable {
        case stored(Int)
        case refused(String)
        case failed(String)
    }

    static func noRightsText(_ name: String) -> String {
        "Loket geeft geen inzage in de loonaangiften van \(name): de Loket-gebruiker mist voor deze werkgever het recht om loonaangiften te raadplegen. "
            + "Vraag dit na bij de beheerder van de salarisadministratie; de rest van de maandafsluiting werkt gewoon."
    }

    /// Fetches and stores every tax return of one administration (one request, all pages).
    public func refreshTaxReturns(_ target: SyncTarget, client: LoketAPIClient) async -> TaxReturnRefresh {
        let now = self.importer.now()
        do {
            let returns = try await client.payrollTaxReturns(payrollAdministrationId: target.payrollAdministrationId)
            let records = returns.compactMap { item -> TaxReturnRecord? in
                guard let year = item.period?.year, let number = item.period?.periodNumber, (1900...9999).contains(year), (0...53).contains(number) else { return nil }
                func text(_ value: String?, _ limit: Int = 100) -> String? { value.map { String($0.prefix(limit)) } }
                return TaxReturnRecord(
                    administrationId: target.administrationId, loketId: String(item.id.prefix(100)), year: year, period: number,
                    periodStart: text(item.period?.periodStartDate, 10), periodEnd: text(item.period?.periodEndDate, 10),
                    statusKey: item.status?.key ?? 0, statusText: text(item.status?.value), periodCents: item.periodCents,
                    correctionCents: item.correctionCents, totalCents: item.totalCents, paymentReference: text(item.paymentReference, 40),
                    messageReference: text(item.messageReference), iban: text(item.iban, 40), inTheNameOf: text(item.inTheNameOf),
                    wageTaxNumber: text(item.wageTaxNumber, 20), deadline: text(item.deadlineForPayment, 10),
                    correctionPriorYear: item.isCorrectionMessagePriorYear ?? false, fetchedAt: now
                )
            }
            try await self.database.replaceTaxReturns(administrationId: target.administrationId, records, at: now)
            return .stored(records.count)
        } catch LoketError.forbidden {
            let reason = Self.noRightsText(target.name)
            try? await self.database.recordTaxReturnsRefused(administrationId: target.administrationId, reason: reason, at: now)
            return .refused(reason)
        } catch {
            return .failed(BulkSync.describe(error))
        }
    }

    // MARK: - The check

    /// The check of one administration for one period, from what is stored.
    public func check(administrationId: AdministrationID, period: ControlPeriod) throws -> TaxReturnCheck {
        let returns = try self.database.taxReturns(administrationId: administrationId, year: period.year, period: period.number)
        let refused = try self.database.taxReturnsRefusal(administrationId: administrationId)
        let wageTax = try self.database.periodWageTax(year: period.year, period: period.number, administrationId: administrationId)[administrationId]
        let setting = try self.database.wageTaxSetting(administrationId: administrationId)
        return Self.check(period: period, returns: returns, refused: refused, wageTax: wageTax, setting: setting)
    }

    static func check(period: ControlPeriod, returns: [TaxReturnRecord], refused: String?, wageTax: PeriodWageTax?, setting: WageTaxSetting) -> TaxReturnCheck {
        // The live return of the period: not cancelled (4) or removed (7); the latest one.
        let current = returns.filter { $0.statusKey != 4 && $0.statusKey != 7 && !$0.correctionPriorYear }.max { $0.loketId < $1.loketId }
        let journal = (wageTax?.bookedEntries ?? 0) + (wageTax?.draftEntries ?? 0) > 0 ? wageTax?.totalCents : nil
        let outcome: WageTaxOutcome = if let current, current.statusKey >= 3 {
            WageTaxOutcome.compare(journalCents: journal, periodCents: current.periodCents, correctionCents: current.correctionCents)
        } else {
            .returnNotReady
        }
        return TaxReturnCheck(period: period, taxReturn: current, refusal: current == nil ? refused : nil, wageTax: wageTax, setting: setting, outcome: outcome)
    }

    /// Adds the rounding line pair to an entry: on a draft, to the draft itself; on a booked
    /// entry, as a new draft in the same period. Returns the draft that got the lines.
    public func addRoundingLine(entryId: EntryID, administrationId: AdministrationID, roundingAccountId: Int64?) throws -> EntryID {
        guard let entry = try self.database.entry(id: entryId, administrationId: administrationId),
            let year = entry.payrollYear, let number = entry.payrollPeriod, let period = ControlPeriod(year: year, number: number)
        else { throw EntryError.notFound }
        let check = try self.check(administrationId: administrationId, period: period)
        guard case .rounding(let difference) = check.outcome, let taxAccount = check.setting.accountIds.first else {
            throw ControlError.notARoundingDifference
        }
        guard let rounding = roundingAccountId ?? check.setting.roundingAccountId else { throw ControlError.roundingAccountMissing }
        return try self.database.addRoundingLines(
            entryId: entryId, administrationId: administrationId, wageTaxAccountId: taxAccount, roundingAccountId: rounding, cents: difference,
            description: "Afrondingsverschil loonaangifte \(period.name)", at: self.importer.now()
        )
    }

    public enum ControlError: Error, Equatable {
        case notARoundingDifference
        case roundingAccountMissing

        public var explanation: String {
            switch self {
            case .notARoundingDifference:
                "Er is (nu) geen afrondingsverschil met de aangifte; er is niets toegevoegd."
            case .roundingAccountMissing:
                "Kies op welke rekening het afrondingsverschil komt (bijvoorbeeld een rekening voor betalingsverschillen)."
            }
        }
    }

    // MARK: - Refreshing from Loket

    /// What one refresh of a period did.
    public struct RefreshResult: Sendable, Equatable {
        /// Requests made to Loket (the status lists, the follow-ups and the imports).
        public let requests: Int
        /// Journal runs imported as drafts because they were ready and not here yet.
        public let imported: Int
        /// One reason per connection that could not be asked, in Dutch.
        public let problems: [String]
    }

    /// Asks Loket about one period for every linked administration and stores the answer: the
    /// provider-wide status lists (a few requests for all administrations of a connection), and
    /// per administration only what the stored data cannot answer: the tax returns when the stored
    /// one is missing or not final, the journal runs when an approved payroll has no entry here.
    /// With `importReady`, a journal run that Loket finished and that is not here yet is imported
    /// as a draft (the normal import, one transaction per run).
    public func refresh(period: ControlPeriod, importReady: Bool) async -> RefreshResult {
        let targets = (try? self.database.syncTargets()) ?? []
        var requests = 0
        var payrollStatus: [String: LoketPayrollStatus] = [:]
        var taxStatus: [String: LoketTaxReturnStatus] = [:]
        var connectionProblems: [ConnectionID: String] = [:]
        var clients: [ConnectionID: LoketAPIClient] = [:]
        for connectionId in Set(targets.map(\.connectionId)).sorted(by: { $0.rawValue < $1.rawValue }) {
            do {
                let client = try self.importer.loket.apiClient(connectionId: connectionId)
                let pageSize = client.pageSize
                func pages(_ items: Int) -> Int { max(1, (items + pageSize - 1) / pageSize) }
                let payroll = try await client.payrollStatuses(payrollPeriodId: period.loketId)
                for item in payroll { payrollStatus[item.id] = item }
                requests += pages(payroll.count)
                clients[connectionId] = client
                // Without rights on tax returns the second list may be refused; the first still counts.
                do {
                    let tax = try await client.taxReturnStatuses(payrollPeriodId: period.loketId)
                    for item in tax { taxStatus[item.id] = item }
                    requests += pages(tax.count)
                } catch {
                    requests += 1
                }
            } catch {
                requests += 1
                connectionProblems[connectionId] = BulkSync.describe(error)
            }
        }
        let stored = (try? self.database.taxReturns(year: period.year, period: period.number)) ?? [:]
        let wageTax = (try? self.database.periodWageTax(year: period.year, period: period.number)) ?? [:]
        let refused = (try? self.database.refusedTaxReturns()) ?? [:]
        var journals: [AdministrationID: JournalRunPresence] = [:]

        // Follow-ups, a bounded number at a time.
        let followUps = targets.filter { target in clients[target.connectionId] != nil }
        let counted = await withTaskGroup(of: (AdministrationID, JournalRunPresence?, Int).self) { group -> Int in
            var extra = 0
            var next = 0
            func start() {
                guard next < followUps.count else { return }
                let target = followUps[next]
                next += 1
                guard let client = clients[target.connectionId] else { return start() }
                let storedReturn = stored[target.administrationId]?.max { $0.loketId < $1.loketId }
                let listed = taxStatus[target.payrollAdministrationId]
                let needsReturn = (storedReturn.map { !(5...6).contains($0.statusKey) || $0.periodCents == nil } ?? true)
                    && refused[target.administrationId] == nil
                    && (listed?.payrollTaxReturn?.status?.key ?? 1) != 1
                let approved = payrollStatus[target.payrollAdministrationId]?.payroll?.status?.key == 6
                let needsJournal = approved && (wageTax[target.administrationId]?.loketEntries ?? 0) == 0
                // An administration missing from the tax-return status list may be one without rights: ask once.
                let unlisted = listed == nil && refused[target.administrationId] == nil && storedReturn == nil
                    && payrollStatus[target.payrollAdministrationId] != nil
                guard needsReturn || needsJournal || unlisted else { return start() }
                group.addTask {
                    var requests = 0
                    if needsReturn || unlisted {
                        requests += 1
                        _ = await self.refreshTaxReturns(target, client: client)
                    }
                    var presence: JournalRunPresence? = nil
                    if needsJournal {
                        requests += 1
                        presence = await Self.journalPresence(target, period: period, client: client)
                    }
                    return (target.administrationId, presence, requests)
                }
            }
            for _ in 0..<self.concurrency { start() }
            while let (id, presence, made) = await group.next() {
                extra += made
                if let presence { journals[id] = presence }
                start()
            }
            return extra
        }
        requests += counted

        // The normal import of what Loket finished.
        var imported = 0
        if importReady {
            let ready = followUps.filter { journals[$0.administrationId] == .ready }
            if !ready.isEmpty {
                let results = await BulkSync(importer: self.importer).run(
                    ready, options: SyncOptions(concurrency: self.concurrency, origin: .web), tracker: SyncTracker(total: ready.count, startedAt: self.importer.now())
                )
                imported = results.reduce(0) { $0 + $1.imported }
                requests += ready.count + results.reduce(0) { $0 + $1.imported }
            }
        }

        let now = self.importer.now()
        let records = targets.map { target -> PeriodStatusRecord in
            let status = payrollStatus[target.payrollAdministrationId]
            let presence = journals[target.administrationId] ?? .notAsked
            var problem = connectionProblems[target.connectionId]
            if problem == nil, status == nil { problem = "Loket noemt deze loonadministratie niet in de status van \(period.name)." }
            if problem == nil, case .unknown(let reason) = presence { problem = reason }
            return PeriodStatusRecord(
                administrationId: target.administrationId, year: period.year, period: period.number,
                payrollStatusKey: status?.payroll?.status?.key, periodStart: status?.payrollPeriod?.periodStartDate,
                periodEnd: status?.payrollPeriod?.periodEndDate, journal: presence.state, journalStatusKey: presence.statusKey, problem: problem,
                fetchedAt: now
            )
        }
        try? await self.database.savePeriodStatuses(year: period.year, period: period.number, records, requests: requests, at: now)
        let problems = Set(connectionProblems.values).sorted()
        return RefreshResult(requests: requests, imported: imported, problems: problems)
    }

    // MARK: - The overview

    /// Every linked administration for one period, from what is stored (no request to Loket):
    /// the last refresh's status, the tax returns, and the entries here.
    public func overview(period: ControlPeriod) throws -> MonthEndOverview {
        let targets = try self.database.syncTargets()
        let statuses = try self.database.periodStatuses(year: period.year, period: period.number)
        let stored = try self.database.taxReturns(year: period.year, period: period.number)
        let wageTax = try self.database.periodWageTax(year: period.year, period: period.number)
        let refused = try self.database.refusedTaxReturns()
        let refreshed = try self.database.monthEndRefresh(year: period.year, period: period.number)
        let settings = try self.database.wageTaxSettings()
        let rows = targets.map { target -> MonthEndRow in
            let status = statuses[target.administrationId]
            let setting = settings[target.administrationId] ?? WageTaxSetting(accountIds: [], confirmed: false, roundingAccountId: nil)
            let tax = wageTax[target.administrationId] ?? PeriodWageTax()
            let check = Self.check(period: period, returns: stored[target.administrationId] ?? [], refused: refused[target.administrationId], wageTax: tax, setting: setting)
            var journal = status.map(JournalRunPresence.init) ?? .notAsked
            if tax.loketEntries > 0 { journal = .ready }
            var gaps: [MonthEndRow.Gap] = []
            if let problem = status?.problem {
                gaps.append(.connection(problem))
            } else if status == nil, refreshed != nil {
                gaps.append(.connection("Deze administratie was nog niet gekoppeld bij het laatste ophalen. Kies \u{2018}Vernieuwen uit Loket\u{2019}."))
            }
            let statusKey = status?.payrollStatusKey
            if let statusKey, statusKey != 6, tax.loketEntries == 0 {
                gaps.append(.payrollNotApproved(Self.payrollStatusText(statusKey)))
            }
            switch journal {
            case .missing: gaps.append(.journalMissing)
            case .inProgress(let key): gaps.append(.journalInProgress(key))
            case .ready where tax.loketEntries == 0: gaps.append(.notImported)
            default: break
            }
            if tax.draftEntries > 0 { gaps.append(.notBooked(tax.draftEntries)) }
            if let refusal = check.refusal {
                gaps.append(.noTaxReturnAccess(refusal))
            } else if tax.loketEntries > 0 || check.taxReturn != nil, !check.outcome.isInOrder {
                if !(check.outcome == .noJournal && gaps.contains(where: \.isAboutTheJournalRun)) {
                    gaps.append(.check(check.outcome))
                }
            }
            if !setting.confirmed && tax.loketEntries > 0 { gaps.append(.wageTaxAccountsUnconfirmed(proposed: !setting.accountIds.isEmpty)) }
            return MonthEndRow(
                target: target, payrollStatusKey: statusKey, payrollStatusText: statusKey.map(Self.payrollStatusText),
                periodStart: status?.periodStart, periodEnd: status?.periodEnd, journal: journal, wageTax: tax, check: check, gaps: gaps
            )
        }
        return MonthEndOverview(period: period, rows: rows, refreshed: refreshed)
    }

    /// The period the overview opens on: the last closed month, or — when that month has nothing
    /// yet (no tax return, no entry from Loket) — the latest period before it that has.
    public func defaultPeriod() -> ControlPeriod {
        let last = ControlPeriod.lastClosedMonth(before: self.importer.now())
        if (try? self.database.monthEndRefresh(year: last.year, period: last.number)) != nil { return last }
        guard let found = try? self.database.latestControlPeriod(notAfter: (last.year, last.number)) else { return last }
        return ControlPeriod(year: found.year, number: found.period) ?? last
    }

    /// `payrollStatus.payroll.status` in Dutch (keys of the spec).
    public static func payrollStatusText(_ key: Int) -> String {
        switch key {
        case 0: "ongeldig"
        case 1: "niet gestart"
        case 2: "in de wachtrij"
        case 3: "wacht op goedkeuring"
        case 4: "onjuist (eerdere verloning goedgekeurd)"
        case 5: "onjuist"
        case 6: "goedgekeurd"
        case 7: "geen resultaten"
        case 8: "geen resultaten (eerdere verloning goedgekeurd)"
        default: "status \(key)"
        }
    }

    static func journalPresence(_ target: SyncTarget, period: ControlPeriod, client: LoketAPIClient) async -> JournalRunPresence {
        do {
            let runs = try await client.journalRuns(payrollAdministrationId: target.payrollAdministrationId).filter {
                $0.payrollRun?.payrollPeriod?.year == period.year && $0.payrollRun?.payrollPeriod?.periodNumber == period.number
            }
            let live = runs.filter { $0.journalRunStatus.key != 2 && $0.journalRunStatus.key != 3 }
            if live.contains(where: { RunImporter.isImportable(status: $0.journalRunStatus.key) }) { return .ready }
            if let waiting = live.first { return .inProgress(status: waiting.journalRunStatus.key) }
            return .missing
        } catch {
            return .unknown(BulkSync.describe(error))
        }
    }

    // MARK: - Starting journal runs

    /// "Journaliseren starten": asks Loket to journalise, once per approved payroll run up to and
    /// including `period` that has no journal run (Loket takes them in order). One failing
    /// administration never stops the others.
    public func startJournalRuns(administrationIds: [AdministrationID], period: ControlPeriod) async -> [JournalStartResult] {
        let wanted = Set(administrationIds)
        let targets = ((try? self.database.syncTargets()) ?? []).filter { wanted.contains($0.administrationId) }
        return await withTaskGroup(of: (Int, JournalStartResult).self) { group in
            var results: [Int: JournalStartResult] = [:]
            var next = 0
            func start() {
                guard next < targets.count else { return }
                let index = next
                let target = targets[index]
                next += 1
                group.addTask { (index, await self.startJournal(target, period: period)) }
            }
            for _ in 0..<self.concurrency { start() }
            while let (index, result) = await group.next() {
                results[index] = result
                start()
            }
            return targets.indices.compactMap { results[$0] }
        }
    }

    func startJournal(_ target: SyncTarget, period: ControlPeriod) async -> JournalStartResult {
        var started: [Int] = []
        do {
            let client = try self.importer.loket.apiClient(connectionId: target.connectionId)
            // At most one call per period of the year: Loket journalises the oldest open payroll run first.
            for _ in 0..<13 {
                let run = try await client.initiateJournalRun(payrollAdministrationId: target.payrollAdministrationId)
                let year = run.payrollRun?.payrollPeriod?.year ?? period.year
                let number = run.payrollRun?.payrollPeriod?.periodNumber ?? period.number
                started.append(year * 100 + number)
                // The overview says "wordt gemaakt" until the next refresh finds it ready.
                try? self.database.recordJournalRunStarted(
                    administrationId: target.administrationId, year: year, period: number, statusKey: run.journalRunStatus.key, at: self.importer.now()
                )
                if year * 100 + number >= period.loketId { break }
            }
            return JournalStartResult(target: target, started: started, error: nil)
        } catch LoketError.badRequest(_, _) where !started.isEmpty {
            // Nothing more to journalise before the period: what was started stands.
            return JournalStartResult(target: target, started: started, error: nil)
        } catch {
            return JournalStartResult(target: target, started: started, error: BulkSync.describe(error))
        }
    }

    // MARK: - Booking and settings from the overview

    /// What booking the drafts of a period did for one administration.
    public struct PeriodBookingResult: Sendable, Equatable {
        public let target: SyncTarget
        /// `2026-14` per booked entry.
        public let booked: [String]
        public let notBooked: [UnbookedDraft]
    }

    /// Books every draft of `period` of the chosen administrations that passes every booking
    /// check (and tells Loket, as a booking from the entry page does); lists the rest with reasons.
    public func bookDrafts(administrationIds: [AdministrationID], period: ControlPeriod) async -> [PeriodBookingResult] {
        let wanted = Set(administrationIds)
        let targets = ((try? self.database.syncTargets()) ?? []).filter { wanted.contains($0.administrationId) }
        let sync = BulkSync(importer: self.importer)
        var results: [PeriodBookingResult] = []
        for target in targets {
            let drafts = (try? self.database.draftIds(administrationId: target.administrationId, payrollYear: period.year, payrollPeriod: period.number)) ?? []
            var result = AdministrationSyncResult(target: target)
            await sync.book(drafts, into: &result)
            results.append(PeriodBookingResult(target: target, booked: result.booked, notBooked: result.notBooked))
        }
        return results
    }

    /// Confirms which accounts carry the loonheffing of one administration (at least one) and
    /// where rounding differences go.
    public func confirmWageTaxAccounts(administrationId: AdministrationID, accountIds: [Int64], roundingAccountId: Int64?) throws {
        try self.database.confirmWageTaxAccounts(administrationId: administrationId, accountIds: accountIds, roundingAccountId: roundingAccountId, at: self.importer.now())
    }

    /// Confirms the proposal from the chart for each chosen administration that has one and no
    /// confirmed setting yet. Returns those confirmed and those without a proposal.
    public func confirmProposals(administrationIds: [AdministrationID]) throws -> (confirmed: [AdministrationID], withoutProposal: [AdministrationID]) {
        var confirmed: [AdministrationID] = []
        var without: [AdministrationID] = []
        for id in administrationIds {
            let setting = try self.database.wageTaxSetting(administrationId: id)
            if setting.confirmed { continue }
            guard !setting.accountIds.isEmpty else {
                without.append(id)
                continue
            }
            try self.database.confirmWageTaxAccounts(
                administrationId: id, accountIds: setting.accountIds, roundingAccountId: setting.roundingAccountId, at: self.importer.now()
            )
            confirmed.append(id)
        }
        return (confirmed, without)
    }

    /// Copies one administration's confirmed setting to others, by account number.
    public func copyWageTaxAccounts(from source: AdministrationID, to targets: [AdministrationID]) throws -> (copied: [AdministrationID], skipped: [AdministrationID]) {
        try self.database.copyWageTaxAccounts(from: source, to: targets, at: self.importer.now())
    }
}

// MARK: - Words for pages, CSV and the command line

extension MonthEndRow.Gap {
    /// What is wrong and what to do, in Dutch.
    public func text(period: ControlPeriod) -> String {
        switch self {
        case .connection(let reason): reason
        case .payrollNotApproved(let status):
            "De verloning van \(period.name) is in Loket \(status): er komt pas een journaal na goedkeuring."
        case .journalMissing:
            "De verloning is goedgekeurd, maar er is geen journaalrun. Kies \u{2018}Journaliseren starten\u{2019}."
        case .journalInProgress(let status):
            switch status {
            case 2: "Het journaal kon in Loket niet worden gemaakt (fout bij aanmaken). Start het journaliseren opnieuw."
            case 3: "De journaalrun is in Loket verwijderd. Start het journaliseren opnieuw."
            default: "Loket maakt het journaal nog (status \(status)). Kies straks \u{2018}Bijwerken\u{2019} om het te importeren."
            }
        case .notImported:
            "Het journaal staat klaar in Loket maar is nog niet geïmporteerd. Kies \u{2018}Bijwerken\u{2019}."
        case .notBooked(let count):
            "\(count) concept(en) nog niet geboekt."
        case .check(let outcome):
            outcome.explanation(periodName: period.name)
        case .noTaxReturnAccess(let reason): reason
        case .wageTaxAccountsUnconfirmed(let proposed):
            proposed
                ? "De loonheffingsrekening is voorgesteld uit het rekeningschema maar nog niet bevestigd (Instellingen van de administratie, of \u{2018}Voorstel bevestigen\u{2019} hier)."
                : "Er is geen rekening voor af te dragen loonheffingen gevonden: kies er een bij de Instellingen van de administratie."
        }
    }
}

extension MonthEndRow {
    public var journalText: String {
        switch self.journal {
        case .notAsked: self.imported ? "aanwezig" : "\u{2013}"
        case .missing: "ontbreekt"
        case .inProgress(let status): "wordt gemaakt (status \(status))"
        case .ready: "aanwezig"
        case .unknown: "onbekend"
        }
    }

    public var checkText: String {
        if self.check.refusal != nil { return "geen inzage" }
        switch self.check.outcome {
        case .matches, .matchesWithCorrection: return "gelijk (verschil \(Money(cents: 0).euro))"
        case .rounding(let d): return "afronding \(Money(cents: d).euro)"
        case .correction(let amount): return "correctie \(Money(cents: amount).euro)"
        case .unexplained(let d): return "verschil \(Money(cents: d).euro)"
        case .returnNotReady: return "aangifte nog niet beschikbaar"
        case .noJournal: return "geen journaal"
        }
    }

    public var taxReturnStatusText: String {
        guard let taxReturn = self.check.taxReturn else { return self.check.refusal == nil ? "nog geen" : "geen inzage" }
        return (taxReturn.statusText ?? "status \(taxReturn.statusKey)").lowercased()
    }
}

extension MonthEndOverview {
    /// The overview as CSV for a spreadsheet (what is a Loket fact and what is our check is in the column names).
    public func csv() -> String {
        let field: (String) -> String = { SpreadsheetCSV.field($0, max: 1000) }
        func amount(_ cents: Int64?) -> String { cents.map { SpreadsheetCSV.amount(Money(cents: $0)) } ?? "" }
        var lines = [
            field("Maandafsluiting \(self.period.name)"),
            [
                "Administratie", "Naam", "Verloning (Loket)", "Journaalrun (Loket)", "Geïmporteerd", "Geboekt", "Aangifte status (Loket)",
                "Aangifte periode (Loket)", "Correctie (Loket)", "Te betalen (Loket)", "Vervaldatum (Loket)", "Betalingskenmerk (Loket)",
                "Loonheffing journaal", "Verschil", "Controle (loonjournaal)", "Te doen",
            ].joined(separator: ";"),
        ]
        for row in self.rows {
            let taxReturn = row.check.taxReturn
            lines.append(
                [
                    field(row.target.code), field(row.target.name), field(row.payrollStatusText ?? ""), field(row.journalText),
                    row.imported ? "ja" : "nee", row.booked ? "ja" : "nee", field(row.taxReturnStatusText), amount(taxReturn?.periodCents),
                    amount(taxReturn?.correctionCents), amount(taxReturn?.totalCents),
                    field((taxReturn?.deadline).flatMap { try? CalendarDate.parse($0) }?.dutch ?? ""),
                    field(taxReturn?.paymentReference.map(PaymentReference.formatted) ?? ""),
                    amount(row.wageTax.bookedEntries + row.wageTax.draftEntries > 0 ? row.wageTax.totalCents : nil),
                    amount(row.check.outcome.difference), field(row.checkText),
                    field(row.gaps.map { $0.text(period: self.period) }.joined(separator: " ")),
                ].joined(separator: ";")
            )
        }
        lines.append(["Totaal", "", "", "", "", "", "", "", "", amount(self.totalDueCents), "", "", "", "", "", ""].joined(separator: ";"))
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
