import Foundation
import HTTPTypes
import Hummingbird

/// Loket's `/v2` JSON as the simulator plays it: bearer tokens, the version header, paging
/// envelopes, 401/403/404/409 shapes, and injected faults.
struct SandboxAPI {
    let configuration: SandboxConfiguration
    let state: SandboxState
    static let resourceVersion = "2018-01-01"
    static let base = "/v2/providers/employers"

    func addRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group(RouterPath(Self.base))
        api.get(use: self.employers)
        api.get(":employerId", use: self.employer)
        api.get(":employerId/payrolladministrations", use: self.payrollAdministrations)
        api.get("payrolladministrations/:administrationId", use: self.payrollAdministration)
        api.get("payrolladministrations/:administrationId/journalConfigurations", use: self.journalConfigurations)
        api.get("payrolladministrations/:administrationId/payrollperiods", use: self.payrollPeriods)
        api.get("payrolladministrations/:administrationId/journalruns", use: self.journalRuns)
        api.get("payrolladministrations/journalruns/:journalRunId", use: self.journalRun)
        api.get("payrolladministrations/journalruns/:journalRunId/results", use: self.results)
        api.patch("payrolladministrations/journalruns/:journalRunId", use: self.patchJournalRun)
        self.addControlRoutes(to: api)
        self.addEvidenceRoutes(to: api)
    }

    // MARK: - Endpoints

    @Sendable func employers(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let items = self.state.withWorld { $0.employers }.map(self.employerJSON)
            return try self.collection(items, request)
        }
    }

    @Sendable func employer(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let employer = try self.visibleEmployer(context.parameters.get("employerId") ?? "")
            return self.detail(self.employerJSON(employer))
        }
    }

    @Sendable func payrollAdministrations(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let employer = try self.visibleEmployer(context.parameters.get("employerId") ?? "")
            return try self.collection(employer.administrations.map(self.administrationJSON), request)
        }
    }

    @Sendable func payrollAdministration(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let admin = try self.visibleAdministration(context.parameters.get("administrationId") ?? "")
            return self.detail(self.administrationJSON(admin))
        }
    }

    @Sendable func journalConfigurations(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let admin = try self.visibleAdministration(context.parameters.get("administrationId") ?? "")
            var items: [JSON] = []
            if let profile = admin.journalProfile {
                let first = admin.periods.first
                items.append(
                    .object([
                        ("id", .string(SeedData.guid(0x9100, profile.key))),
                        ("journalProfile", .object([("id", .string(profile.id)), ("key", .int(profile.key)), ("description", .string(profile.description))])),
                        ("startPeriod", first.map(self.periodReference) ?? .null),
                        ("endPeriod", .null),
                        ("automaticallyInitiateJournalRun", .bool(admin.automaticJournalRuns)),
                    ])
                )
            }
            return try self.collection(items, request)
        }
    }

    @Sendable func payrollPeriods(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let admin = try self.visibleAdministration(context.parameters.get("administrationId") ?? "")
            let items: [JSON] = admin.periods.map { period in
                let payrollRuns = admin.payrollRuns.filter { $0.period.id == period.id }.map { payrollRun in
                    let journalRuns = admin.runs.filter { $0.payrollRunId == payrollRun.id }
                    return JSON.object([
                        ("id", .string(payrollRun.id)),
                        ("payrollRunStatus", self.payrollRunStatus(payrollRun.status)),
                        ("sequenceNumber", .int(payrollRun.sequenceNumber)),
                        ("sequenceNumberApproved", payrollRun.status == 9 ? .int(payrollRun.sequenceNumber) : .null),
                        ("journalRuns", .array(journalRuns.map { run in
                            .object([("id", .string(run.id)), ("sequenceNumber", .int(run.sequenceNumber)), ("journalRunStatus", self.status(run.status))])
                        })),
                    ])
                }
                return .object([
                    ("id", .int(period.id)),
                    ("year", .int(period.year)),
                    ("periodNumber", .int(period.number)),
                    ("startDate", .string(period.start)),
                    ("endDate", .string(period.end)),
                    ("automaticProcessing", .null),
                    ("payrollPeriodType", .object([("key", .int(admin.periodType.key)), ("value", .string(admin.periodType.value))])),
                    ("testYear", .bool(period.testYear)),
                    ("payrollRuns", .array(payrollRuns)),
                ])
            }
            return try self.collection(items, request)
        }
    }

    @Sendable func journalRuns(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let admin = try self.visibleAdministration(context.parameters.get("administrationId") ?? "")
            return try self.collection(admin.runs.sorted { $0.sequenceNumber > $1.sequenceNumber }.map(self.journalRunJSON), request)
        }
    }

    @Sendable func journalRun(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let (run, _) = try self.visibleRun(context.parameters.get("journalRunId") ?? "")
            var response = self.detail(self.journalRunJSON(run))
            response.headers[.eTag] = "\"\(run.id)-\(run.status)\""
            return response
        }
    }

    @Sendable func results(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let (run, _) = try self.visibleRun(context.parameters.get("journalRunId") ?? "")
            guard run.status >= 4 else {
                return Self.messages(.badRequest, paging: true, "Journaalrun heeft status \(run.status) (\(journalRunStatusText[run.status] ?? "")): er zijn geen resultaten.", code: 1101)
            }
            var lines = run.lines
            if request.uri.queryParameters.get("consolidate")?.lowercased() == "always" {
                lines = Self.consolidated(lines)
            }
            return try self.collection(lines.map(self.lineJSON), request)
        }
    }

    @Sendable func patchJournalRun(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            let id = context.parameters.get("journalRunId") ?? ""
            _ = try self.visibleRun(id)
            guard let patch = try? JSONDecoder().decode(SimJournalRunPatch.self, from: Data(buffer: body)),
                let action = patch.action, ["MarkAsProcessed", "MarkAsProcessingFailed"].contains(action)
            else {
                return Self.messages(.badRequest, paging: false, "action moet MarkAsProcessed of MarkAsProcessingFailed zijn.", code: 83)
            }
            let message = patch.message
            if let message, message.count > 255 {
                return Self.messages(.badRequest, paging: false, "[message] has an invalid length", code: 83)
            }
            let conflict: Int? = self.state.withWorld { world in
                for e in world.employers.indices {
                    for a in world.employers[e].administrations.indices {
                        for r in world.employers[e].administrations[a].runs.indices where world.employers[e].administrations[a].runs[r].id == id {
                            let status = world.employers[e].administrations[a].runs[r].status
                            guard (4...7).contains(status) else { return status }
                            world.employers[e].administrations[a].runs[r].status = action == "MarkAsProcessed" ? 7 : 6
                            world.counters.patches.append((id, action, message))
                            return nil
                        }
                    }
                }
                return nil
            }
            if let conflict {
                return Self.messages(.conflict, paging: false, "Status van de journaalrun (\(conflict)) staat deze actie niet toe; alleen bij status 4, 5, 6 of 7.", code: 409)
            }
            return self.detail(.object([]))
        }
    }

    // MARK: - Guards: token, version, faults

    struct Refusal: Error { let response: Response }

    func guarded(_ request: Request, _ body: () async throws -> Response) async throws -> Response {
        self.state.withWorld { $0.counters.apiRequests += 1 }
        if let fault = await self.injectFault() { return fault }
        guard let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("bearer ") else {
            return Self.unauthorized()
        }
        let token = String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        let now = self.state.now()
        let valid = self.state.withWorld { world -> Bool in
            guard let stored = world.accessTokens[token] else { return false }
            return stored.expiresAt > now
        }
        guard valid else { return Self.unauthorized() }
        self.state.settleInitiatedRuns(now: now)
        if let accept = request.headers[.accept], let range = accept.range(of: "version=") {
            let requested = String(accept[range.upperBound...].prefix(10))
            // Loket picks the newest version on or before the date asked for.
            if requested < Self.resourceVersion {
                return Self.messages(.notAcceptable, paging: false, "Er is geen versie van deze resource op of voor \(requested).", code: 406)
            }
        }
        do {
            var response = try await body()
            if response.status == .ok && self.malformedNow() {
                // A body cut off half-way, as a broken proxy or connection would deliver it.
                response.body = .init(byteBuffer: ByteBuffer(string: "{\"version\":{\"resourceVersion\":\"2018-01-01\"},\"_embedded\":[{\"id\":"))
            }
            return response
        } catch let refusal as Refusal {
            return refusal.response
        }
    }

    func injectFault() async -> Response? {
        let faults = self.configuration.faults
        guard faults.serverError > 0 || faults.tooManyRequests > 0 || faults.stall > 0 else { return nil }
        let (roll1, roll2, roll3) = self.state.withWorld { world in
            (Double.random(in: 0..<1, using: &world.random), Double.random(in: 0..<1, using: &world.random), Double.random(in: 0..<1, using: &world.random))
        }
        if roll1 < faults.serverError {
            self.state.withWorld { $0.counters.faultsInjected += 1 }
            return Response(status: roll1 < faults.serverError / 2 ? .internalServerError : .serviceUnavailable)
        }
        if roll2 < faults.tooManyRequests {
            self.state.withWorld { $0.counters.faultsInjected += 1 }
            return Response(status: .tooManyRequests, headers: [.retryAfter: "1"])
        }
        if roll3 < faults.stall {
            self.state.withWorld { $0.counters.faultsInjected += 1 }
            try? await Task.sleep(for: .milliseconds(Int(faults.stallSeconds * 1000)))
        }
        return nil
    }

    func malformedNow() -> Bool {
        guard self.configuration.faults.malformed > 0 else { return false }
        let hit = self.state.withWorld { Double.random(in: 0..<1, using: &$0.random) < self.configuration.faults.malformed }
        if hit { self.state.withWorld { $0.counters.faultsInjected += 1 } }
        return hit
    }

    func visibleEmployer(_ id: String) throws -> SimEmployer {
        guard let employer = self.state.withWorld({ $0.employers.first { $0.id == id } }) else { throw Refusal(response: Response(status: .notFound)) }
        guard employer.visible else { throw Refusal(response: Self.forbidden()) }
        return employer
    }

    func visibleAdministration(_ id: String) throws -> SimPayrollAdministration {
        for employer in self.state.withWorld({ $0.employers }) {
            if let admin = employer.administrations.first(where: { $0.id == id }) {
                guard employer.visible else { throw Refusal(response: Self.forbidden()) }
                return admin
            }
        }
        throw Refusal(response: Response(status: .notFound))
    }

    func visibleRun(_ id: String) throws -> (SimJournalRun, SimPayrollAdministration) {
        for employer in self.state.withWorld({ $0.employers }) {
            for admin in employer.administrations {
                if let run = admin.runs.first(where: { $0.id == id }) {
                    guard employer.visible else { throw Refusal(response: Self.forbidden()) }
                    return (run, admin)
                }
            }
        }
        throw Refusal(response: Response(status: .notFound))
    }

    // MARK: - Shapes

    var versionJSON: JSON { .object([("obsoleteDate", .null), ("resourceVersion", .string(Self.resourceVersion))]) }

    func collection(_ items: [JSON], _ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        let pageSize = min(max(Int(query.get("pageSize") ?? "") ?? 250, 1), 1000)
        let pageNumber = max(Int(query.get("pageNumber") ?? "") ?? 1, 1)
        let totalPages = max(1, (items.count + pageSize - 1) / pageSize)
        let slice = items.dropFirst((pageNumber - 1) * pageSize).prefix(pageSize)
        let body = JSON.object([
            ("totalSize", .int(items.count)),
            ("pageSize", .int(pageSize)),
            ("totalPages", .int(totalPages)),
            ("currentPage", .int(pageNumber)),
            ("version", self.versionJSON),
            ("messages", .array([])),
            ("_embedded", .array(Array(slice))),
        ])
        return Self.json(.ok, body)
    }

    func detail(_ content: JSON) -> Response {
        Self.json(.ok, .object([("version", self.versionJSON), ("messages", .array([])), ("content", content)]))
    }

    static func json(_ status: HTTPResponse.Status, _ body: JSON) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json;version=\(self.resourceVersion)", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: body.render()))
        )
    }

    static func unauthorized() -> Response {
        self.json(.unauthorized, .object([("message", .string("Authorization has been denied for this request."))]))
    }

    static func forbidden() -> Response {
        self.json(.forbidden, .object([("message", .string("Insufficient rights for this request, reason \"User doesn't have rechten to perform activity for the given Id.\""))]))
    }

    static func messages(_ status: HTTPResponse.Status, paging: Bool, _ description: String, code: Int) -> Response {
        var members: [(String, JSON)] = []
        if paging { members += [("totalSize", .int(0)), ("pageSize", .int(0)), ("totalPages", .int(0)), ("currentPage", .int(0))] }
        members += [
            ("version", .object([("obsoleteDate", .null), ("resourceVersion", .string(self.resourceVersion))])),
            ("messages", .array([.object([("code", .int(code)), ("id", .null), ("type", .string("BrokenBusinessRule")), ("description", .string(description)), ("properties", .array([]))])])),
        ]
        members.append(paging ? ("_embedded", .array([])) : ("content", .object([])))
        return self.json(status, .object(members))
    }

    func status(_ key: Int) -> JSON {
        .object([("key", .int(key)), ("value", .string(journalRunStatusText[key] ?? ""))])
    }

    func periodReference(_ period: SimPeriod) -> JSON {
        .object([("year", .int(period.year)), ("periodNumber", .int(period.number)), ("periodStartDate", .string(period.start)), ("periodEndDate", .string(period.end))])
    }

    func employerJSON(_ employer: SimEmployer) -> JSON {
        .object([
            ("id", .string(employer.id)),
            ("employerNumber", .int(employer.number)),
            ("companyName", .string(employer.name)),
            ("chamberOfCommerceNumber", .string(employer.chamberOfCommerceNumber)),
            ("legalForm", .object([("key", .int(1)), ("value", .string("Besloten vennootschap"))])),
        ])
    }

    func administrationJSON(_ admin: SimPayrollAdministration) -> JSON {
        .object([
            ("id", .string(admin.id)),
            ("name", .string(admin.name)),
            ("shortName", .string(String(admin.name.prefix(10)))),
            ("administrationNumber", .string("LA\(admin.clientNumber)")),
            ("clientNumber", .int(admin.clientNumber)),
            ("description", .string(admin.name)),
            ("startDate", .string("2020-01-01")),
            ("endDate", .null),
            ("payrollPeriodType", .object([("key", .int(admin.periodType.key)), ("value", .string(admin.periodType.value))])),
            ("employerId", .string(admin.employerId)),
        ])
    }

    func journalRunJSON(_ run: SimJournalRun) -> JSON {
        .object([
            ("id", .string(run.id)),
            ("sequenceNumber", .int(run.sequenceNumber)),
            ("payrollRun", .object([
                ("payrollRunId", .string(run.payrollRunId)),
                ("payrollPeriod", self.periodReference(run.period)),
                ("sequenceNumberApproved", .int(run.sequenceNumberApproved)),
            ])),
            ("journalRunStatus", self.status(run.status)),
            ("requestTime", .string(run.requestTime)),
            ("processingFinishedTime", run.status >= 1 ? .string(run.requestTime) : .null),
            ("requestedBy", .object([("id", .string(SeedData.guid(0x7000, 1))), ("name", .string("Demo Gebruiker"))])),
            ("removeTime", run.status == 3 ? .string(run.requestTime) : .null),
            ("removedBy", run.status == 3 ? .object([("id", .string(SeedData.guid(0x7000, 1))), ("name", .string("Demo Gebruiker"))]) : .null),
            ("methodOfCreation", .object([("key", .int(run.methodOfCreation.key)), ("value", .string(run.methodOfCreation.value))])),
        ])
    }

    func lineJSON(_ line: SimLine) -> JSON {
        func code(_ value: (key: Int, code: String, description: String)?) -> JSON {
            value.map { .object([("key", .int($0.key)), ("code", .string($0.code)), ("description", .string($0.description))]) } ?? .null
        }
        return .object([
            ("generalLedgerAccount", .object([("key", .int(line.accountKey)), ("code", .string(line.accountCode)), ("description", .string(line.accountDescription))])),
            ("costCenter", code(line.costCenter)),
            ("costUnit", code(line.costUnit)),
            ("payrollComponent", line.component.map { .object([("key", .int($0.key)), ("description", .string($0.description))]) } ?? .null),
            ("debetAmount", .amount(line.debitCents)),
            ("creditAmount", .amount(line.creditCents)),
        ])
    }

    /// `consolidate=Always`: one line per account, cost centre and cost unit, netted to one side.
    static func consolidated(_ lines: [SimLine]) -> [SimLine] {
        var order: [String] = []
        var sums: [String: SimLine] = [:]
        for line in lines {
            let key = "\(line.accountCode)|\(line.costCenter?.code ?? "")|\(line.costUnit?.code ?? "")"
            if var existing = sums[key] {
                existing.debitCents += line.debitCents
                existing.creditCents += line.creditCents
                sums[key] = existing
            } else {
                order.append(key)
                var copy = line
                copy.component = nil
                sums[key] = copy
            }
        }
        return order.map { key in
            var line = sums[key]!
            let net = line.debitCents - line.creditCents
            line.debitCents = max(net, 0)
            line.creditCents = max(-net, 0)
            return line
        }
    }
}

/// What the simulator reads of a journal-run PATCH (its own type: it never imports the client).
struct SimJournalRunPatch: Decodable {
    let action: String?
    let message: String?
}
