import Foundation
import HTTPTypes
import Hummingbird

/// The month-end endpoints of the control excerpt: payroll tax returns, payroll runs, the
/// provider-wide status lists, and starting a journal run.
extension SandboxAPI {
    func addControlRoutes(to api: RouterGroup<BasicRequestContext>) {
        api.get("payrolladministrations/:administrationId/payrolltaxreturns", use: self.taxReturns)
        api.get("payrolladministrations/payrolltaxreturns/:taxReturnId", use: self.taxReturn)
        api.get("payrolladministrations/:administrationId/payrollruns", use: self.payrollRuns)
        api.get("payrolladministrations/payrollperiods/:payrollPeriodId/payrollruns/status", use: self.payrollStatus)
        api.get("payrolladministrations/payrollperiods/:payrollPeriodId/payrolltaxreturns/status", use: self.taxReturnStatus)
        api.post("payrolladministrations/:administrationId/journalruns/initiate", use: self.initiateJournalRun)
    }

    @Sendable func taxReturns(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let admin = try self.visibleAdministration(context.parameters.get("administrationId") ?? "")
            guard !admin.taxReturnsForbidden else { throw Refusal(response: Self.forbidden()) }
            return try self.collection(admin.taxReturns.sorted { $0.period.id > $1.period.id }.map { self.taxReturnJSON($0, admin) }, request)
        }
    }

    @Sendable func taxReturn(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let id = context.parameters.get("taxReturnId") ?? ""
            for employer in self.state.withWorld({ $0.employers }) {
                for admin in employer.administrations {
                    if let found = admin.taxReturns.first(where: { $0.id == id }) {
                        guard employer.visible, !admin.taxReturnsForbidden else { throw Refusal(response: Self.forbidden()) }
                        return self.detail(self.taxReturnJSON(found, admin))
                    }
                }
            }
            throw Refusal(response: Response(status: .notFound))
        }
    }

    @Sendable func payrollRuns(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let admin = try self.visibleAdministration(context.parameters.get("administrationId") ?? "")
            return try self.collection(admin.payrollRuns.sorted { $0.period.id > $1.period.id }.map { self.payrollRunJSON($0) }, request)
        }
    }

    /// One item per payroll administration the user sees: the payroll of that period.
    @Sendable func payrollStatus(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let periodId = try self.periodId(context)
            let items = self.visibleAdministrations().map { admin -> JSON in
                let period = self.period(of: admin, id: periodId)
                let run = admin.payrollRuns.last { $0.period.id == periodId }
                // payrollStatus.payroll.status: 1 not started, 6 approved (keys of the spec).
                let (key, text): (Int, String) = switch run?.status {
                case nil: (1, "Not started")
                case 9: (6, "Approved")
                case 7: (5, "Incorrect")
                default: (3, "Waiting for approval")
                }
                return .object(self.reusedFields(admin) + [
                    ("shortName", .string(String(admin.name.prefix(10)))),
                    ("payrollPeriod", self.statusPeriod(period, id: periodId)),
                    ("payroll", .object([
                        ("methodOfCreation", .object([("key", .int(2)), ("value", .string("Individueel"))])),
                        ("automaticStartDate", .null),
                        ("automaticApproveDate", .null),
                        ("status", .object([("key", .int(key)), ("value", .string(text))])),
                        ("possibleActions", .object([("key", .int(key == 1 ? 2 : 0)), ("value", .string(key == 1 ? "Start" : "None"))])),
                        ("userRights", .object([
                            ("hasStartRight", .bool(true)), ("hasCalculateWorkingHoursRight", .bool(true)), ("hasCancelRight", .bool(true)),
                            ("hasConfirmRight", .bool(true)),
                        ])),
                    ])),
                    ("numberOfUnreadNotifications", .int(0)),
                    ("numberOfUnreadUnexpiredAnnouncements", .int(0)),
                ])
            }
            return try self.collection(items, request)
        }
    }

    /// One item per payroll administration whose tax returns the user may see.
    @Sendable func taxReturnStatus(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let periodId = try self.periodId(context)
            let items = self.visibleAdministrations().filter { !$0.taxReturnsForbidden }.map { admin -> JSON in
                let period = self.period(of: admin, id: periodId)
                let found = admin.taxReturns.last { $0.period.id == periodId }
                // By analogy with payrollStatus (the spec lists no keys here): 1 not started, 2 queued, 6 approved.
                let (key, text): (Int, String) = switch found?.status {
                case nil: (1, "Not started")
                case 1, 2: (2, "Queued")
                case 4, 7: (11, "Cancelled")
                default: (6, "Approved")
                }
                return .object(self.reusedFields(admin) + [
                    ("payrollPeriod", self.statusPeriod(period, id: periodId)),
                    ("shortName", .string(String(admin.name.prefix(10)))),
                    ("wageTaxNumber", .string(admin.wageTaxNumber)),
                    ("payrollTaxReturnParty", .object([("key", .int(1)), ("value", .string("Loket.nl"))])),
                    ("payrollTaxReturn", .object([
                        ("methodOfCreation", .object([("key", .int(2)), ("value", .string("Individueel"))])),
                        ("automaticStartDate", .null),
                        ("automaticApproveDate", .null),
                        ("processingFinishedTime", found.map { .string("\($0.period.end)T18:00:00+01:00") } ?? .null),
                        ("approvalTime", found?.status == 6 ? .string("\(period.end)T18:00:00+01:00") : .null),
                        ("approvedBy", found?.status == 6 ? self.user : .null),
                        ("status", .object([("key", .int(key)), ("value", .string(text))])),
                        ("possibleActions", .object([("key", .int(0)), ("value", .string("None"))])),
                        ("userRights", .object([("hasStartRight", .bool(true)), ("hasConfirmRight", .bool(true))])),
                    ])),
                ])
            }
            return try self.collection(items, request)
        }
    }

    /// Journalises the oldest approved payroll run without a journal run (runs go in order);
    /// the run appears with status 0 and is ready (4) after the simulator's journal delay.
    @Sendable func initiateJournalRun(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let id = context.parameters.get("administrationId") ?? ""
            _ = try self.visibleAdministration(id)
            let now = self.state.now()
            let delay = self.configuration.journalDelaySeconds
            let outcome: Result<SimJournalRun, Refusal> = self.state.withWorld { world in
                for e in world.employers.indices {
                    for a in world.employers[e].administrations.indices where world.employers[e].administrations[a].id == id {
                        var admin = world.employers[e].administrations[a]
                        guard admin.journalProfile != nil else {
                            return .failure(Refusal(response: Self.messages(.badRequest, paging: false, "Er is geen journaalprofiel ingesteld voor deze periode.", code: 1201)))
                        }
                        let open = admin.payrollRuns.filter { payrollRun in
                            payrollRun.status == 9 && !admin.runs.contains { $0.payrollRunId == payrollRun.id && $0.status != 2 && $0.status != 3 }
                        }.sorted { $0.period.id < $1.period.id }
                        guard let next = open.first else {
                            return .failure(Refusal(response: Self.messages(.badRequest, paging: false, "Er is geen goedgekeurde verloning zonder journaalrun.", code: 1202)))
                        }
                        var run = SeedData.run(
                            admin: 0x800 + a, (admin.runs.map(\.sequenceNumber).max() ?? 0) + 1, payrollRun: 0, approved: next.sequenceNumber,
                            period: next.period, status: 0, lines: []
                        )
                        run.id = SeedData.guid(0x4800 + (admin.clientNumber % 0x800), run.sequenceNumber)
                        run.payrollRunId = next.id
                        run.readyAt = now.addingTimeInterval(delay)
                        run.pendingLines = next.pendingLines
                        run.requestTime = Self.timestamp(now)
                        admin.runs.append(run)
                        world.employers[e].administrations[a] = admin
                        return .success(run)
                    }
                }
                return .failure(Refusal(response: Response(status: .notFound)))
            }
            switch outcome {
            case .success(let run):
                var response = self.detail(self.journalRunJSON(run))
                response.status = .accepted
                return response
            case .failure(let refusal):
                return refusal.response
            }
        }
    }

    // MARK: - Shapes

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private func periodId(_ context: BasicRequestContext) throws -> Int {
        let text = context.parameters.get("payrollPeriodId") ?? ""
        guard text.count == 6, let id = Int(text), (1..<54).contains(id % 100) else {
            throw Refusal(response: Self.messages(.badRequest, paging: true, "payrollPeriodId moet de vorm JJJJPP hebben, bijvoorbeeld 202603.", code: 83))
        }
        return id
    }

    private func visibleAdministrations() -> [SimPayrollAdministration] {
        self.state.withWorld { world in world.employers.filter(\.visible).flatMap(\.administrations) }
    }

    /// The administration's own period with this id, or one made from the id.
    private func period(of admin: SimPayrollAdministration, id: Int) -> SimPeriod {
        if let found = admin.periods.first(where: { $0.id == id }) { return found }
        let year = id / 100
        let number = id % 100
        if admin.periodType.key == SeedData.fourWeekly.key, (1...13).contains(number) { return SeedData.fourWeekPeriod(year, number) }
        return SeedData.monthPeriod(year, min(max(number, 1), 12))
    }

    private func statusPeriod(_ period: SimPeriod, id: Int) -> JSON {
        .object([
            ("year", .int(id / 100)), ("periodNumber", .int(id % 100)), ("payrollPeriodId", .int(id)),
            ("periodStartDate", .string(period.start)), ("periodEndDate", .string(period.end)),
        ])
    }

    /// `payrollAdministrationVeldenTBVHergebruik`: the fields every status item starts with.
    private func reusedFields(_ admin: SimPayrollAdministration) -> [(String, JSON)] {
        [
            ("id", .string(admin.id)),
            ("employerLogo", .null),
            ("employerId", .string(admin.employerId)),
            ("name", .string(admin.name)),
            ("administrationNumber", .string("LA\(admin.clientNumber)")),
            ("description", .string(admin.name)),
            ("clientNumber", .int(admin.clientNumber)),
            ("payrollPeriodType", .object([("key", .int(admin.periodType.key)), ("value", .string(admin.periodType.value))])),
            ("hasAutomaticPayroll", .bool(false)),
            ("cao", .object([("key", .int(115)), ("value", .string("Geen cao"))])),
            ("loonmodel", .object([("key", .int(929)), ("value", .string("Standaard maandverloning"))])),
            ("groupClassification", .null),
            ("groupCode", .null),
            ("HasPayrollRunStatusOpen", .bool(admin.payrollRuns.contains { $0.status != 9 })),
        ]
    }

    private var user: JSON {
        .object([
            ("id", .string(SeedData.guid(0x7000, 1))), ("initials", .string("D.")), ("prefix", .null), ("lastName", .string("Gebruiker")),
            ("formattedName", .string("D. Gebruiker")),
        ])
    }

    private func taxReturnJSON(_ taxReturn: SimTaxReturn, _ admin: SimPayrollAdministration) -> JSON {
        let total: JSON = if let period = taxReturn.periodCents, let correction = taxReturn.correctionCents { .amount(period + correction) } else { .null }
        let made = taxReturn.status >= 3
        return .object([
            ("id", .string(taxReturn.id)),
            ("payrollTaxReturnStatus", .object([("key", .int(taxReturn.status)), ("value", .string(taxReturnStatusText[taxReturn.status] ?? ""))])),
            ("period", .object([
                ("year", .int(taxReturn.period.year)), ("periodNumber", .int(taxReturn.period.number)),
                ("periodStartDate", .string(taxReturn.period.start)), ("periodEndDate", .string(taxReturn.period.end)),
            ])),
            ("periodAmount", taxReturn.periodCents.map(JSON.amount) ?? .null),
            ("correctionAmount", taxReturn.correctionCents.map(JSON.amount) ?? .null),
            ("totalAmount", total),
            ("paymentReference", .string(taxReturn.paymentReference)),
            ("messageReference", .string(taxReturn.messageReference)),
            ("iban", .string("NL86INGB0002445588")),
            ("inTheNameOf", .string("Belastingdienst Apeldoorn")),
            ("isCorrectionMessagePriorYear", .bool(false)),
            ("wageTaxNumber", .string(admin.wageTaxNumber)),
            ("sequenceNumber", .int(taxReturn.sequenceNumber)),
            ("methodOfCreation", .object([("key", .int(2)), ("value", .string("Individueel"))])),
            ("requestTime", .string("\(taxReturn.period.end)T17:00:00+01:00")),
            ("requestedBy", self.user),
            ("processingFinishedTime", made ? .string("\(taxReturn.period.end)T17:05:00+01:00") : .null),
            ("cancelledTime", .null),
            ("cancelledBy", .null),
            ("taxReturnMessageReference", .null),
            ("withholdingParty", .string(admin.name)),
            ("messageCreationTime", made ? .string("\(taxReturn.period.end)T17:05:00+01:00") : .null),
            ("payrollPeriodType", .object([("key", .int(admin.periodType.key)), ("value", .string(admin.periodType.value))])),
            ("payrollTaxReturnType", .object([("key", .int(1)), ("value", .string("Normaal"))])),
            ("payrollTaxReturnParty", .object([("key", .int(1)), ("value", .string("Loket.nl"))])),
            ("externalIdentification", .null),
            ("approvalTime", taxReturn.status >= 5 ? .string("\(taxReturn.period.end)T18:00:00+01:00") : .null),
            ("approvedBy", taxReturn.status >= 5 ? self.user : .null),
            ("sendTime", taxReturn.status == 6 ? .string("\(taxReturn.period.end)T18:10:00+01:00") : .null),
            ("removalTime", .null),
            ("removedBy", .null),
            ("emailAddressPayrollTaxReturnRunStarted", .null),
            ("deadlineForPayment", .string(taxReturn.deadline)),
            ("canBeResend", .bool(false)),
            ("initiateIdealPayment", .object([("key", .int(0)), ("value", .string("Nee"))])),
            ("responseMessages", .array([])),
        ])
    }

    private func payrollRunJSON(_ run: SimPayrollRun) -> JSON {
        .object([
            ("id", .string(run.id)),
            ("payrollPeriod", .object([("year", .int(run.period.year)), ("periodNumber", .int(run.period.number))])),
            ("payrollRunStatus", self.payrollRunStatus(run.status)),
            ("textPaySlip", .null),
            ("textPayment", .null),
            ("requestTime", .string("\(run.period.end)T10:00:00+01:00")),
            ("processingFinishedTime", .string("\(run.period.end)T10:05:00+01:00")),
            ("approvalTime", run.approvalTime.map(JSON.string) ?? .null),
            ("sequenceNumber", .int(run.sequenceNumber)),
            ("textTariffPaySlip", .null),
            ("availableForEmployeeDate", .null),
            ("sendEmailToEmployee", .null),
            ("requestedBy", self.user),
            ("approvedBy", run.status == 9 ? self.user : .null),
            ("sequenceNumberApproved", run.status == 9 ? .int(run.sequenceNumber) : .null),
            ("removeTime", .null),
            ("removedBy", .null),
            ("methodOfCreation", .object([("key", .int(2)), ("value", .string("Individueel"))])),
            ("errorsAndWarnings", .object([("hasErrors", .bool(false)), ("hasWarnings", .bool(false))])),
            ("payrollTaxReturnPeriod", .object([("year", .int(run.period.year)), ("periodNumber", .int(run.period.number))])),
        ])
    }

    func payrollRunStatus(_ key: Int) -> JSON {
        .object([("key", .int(key)), ("value", .string(payrollRunStatusText[key] ?? ""))])
    }
}

extension SandboxState {
    /// Initiated journal runs whose processing time has passed get their journal (status 4).
    func settleInitiatedRuns(now: Date) {
        self.withWorld { world in
            for e in world.employers.indices {
                for a in world.employers[e].administrations.indices {
                    for r in world.employers[e].administrations[a].runs.indices {
                        let run = world.employers[e].administrations[a].runs[r]
                        guard let ready = run.readyAt, run.status == 0, ready <= now else { continue }
                        world.employers[e].administrations[a].runs[r].status = 4
                        world.employers[e].administrations[a].runs[r].lines = run.pendingLines
                        world.employers[e].administrations[a].runs[r].readyAt = nil
                    }
                }
            }
        }
    }
}
