import Foundation

/// How often and how long to try again after 5xx, 429 and time-outs.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(8)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Exponential backoff with full jitter for attempt `n` (1-based).
    func delay(attempt: Int) -> Duration {
        let factor = 1 << min(attempt - 1, 16)
        let cap = min(self.baseDelay * factor, self.maxDelay)
        let milliseconds = max(1, Int(cap.components.seconds * 1000 + cap.components.attoseconds / 1_000_000_000_000_000))
        return .milliseconds(Int.random(in: (milliseconds / 2)...milliseconds))
    }
}

/// Loket's `/v2` API for one connection: typed calls, all pages, the `Accept` version header,
/// a fresh token per call, bounded retries, and typed errors.
public struct LoketAPIClient: Sendable {
    public static let resourceVersion = "2018-01-01"
    public let apiURL: String
    public let session: LoketSession
    public let transport: any LoketHTTPTransport
    public var retry: RetryPolicy
    public var timeout: Duration
    public var pageSize: Int
    let sleep: @Sendable (Duration) async throws -> Void

    public init(
        apiURL: String,
        session: LoketSession,
        transport: any LoketHTTPTransport,
        retry: RetryPolicy = RetryPolicy(),
        timeout: Duration = .seconds(30),
        pageSize: Int = 250,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.apiURL = LoketEnvironment.trimSlash(apiURL)
        self.session = session
        self.transport = transport
        self.retry = retry
        self.timeout = timeout
        self.pageSize = pageSize
        self.sleep = sleep
    }

    static let base = "/v2/providers/employers"

    // MARK: - Endpoints

    public func employers() async throws -> [LoketEmployer] {
        try await self.allPages(Self.base)
    }

    public func payrollAdministrations(employerId: String) async throws -> [LoketPayrollAdministration] {
        try await self.allPages("\(Self.base)/\(Self.segment(employerId))/payrolladministrations")
    }

    public func journalConfigurations(payrollAdministrationId: String) async throws -> [LoketJournalConfiguration] {
        try await self.allPages("\(Self.base)/payrolladministrations/\(Self.segment(payrollAdministrationId))/journalConfigurations")
    }

    public func journalRuns(payrollAdministrationId: String) async throws -> [LoketJournalRun] {
        try await self.allPages("\(Self.base)/payrolladministrations/\(Self.segment(payrollAdministrationId))/journalruns")
    }

    public func journalRun(id: String) async throws -> LoketJournalRun {
        let envelope: DetailEnvelope<LoketJournalRun> = try await self.request(
            "GET",
            "\(Self.base)/payrolladministrations/journalruns/\(Self.segment(id))"
        )
        return envelope.content
    }

    public func journalRunResults(id: String, consolidate: String? = nil) async throws -> [LoketJournalLine] {
        var query: [(String, String)] = []
        if let consolidate { query.append(("consolidate", consolidate)) }
        return try await self.allPages("\(Self.base)/payrolladministrations/journalruns/\(Self.segment(id))/results", query: query)
    }

    /// Tells Loket the run was processed (or failed), with a short message for the Loket user.
    public func markJournalRun(id: String, action: JournalRunAction, message: String?) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(JournalRunPatch(action: action.rawValue, message: message.map { String($0.prefix(255)) }))
        let _: DetailEnvelope<EmptyContent> = try await self.request(
            "PATCH",
            "\(Self.base)/payrolladministrations/journalruns/\(Self.segment(id))",
            body: Array(data)
        )
    }

    // MARK: - Month-end control

    public func payrollTaxReturns(payrollAdministrationId: String) async throws -> [LoketTaxReturn] {
        try await self.allPages("\(Self.base)/payrolladministrations/\(Self.segment(payrollAdministrationId))/payrolltaxreturns")
    }

    public func payrollTaxReturn(id: String) async throws -> LoketTaxReturn {
        let envelope: DetailEnvelope<LoketTaxReturn> = try await self.request("GET", "\(Self.base)/payrolladministrations/payrolltaxreturns/\(Self.segment(id))")
        return envelope.content
    }

    public func payrollRuns(payrollAdministrationId: String) async throws -> [LoketPayrollRun] {
        try await self.allPages("\(Self.base)/payrolladministrations/\(Self.segment(payrollAdministrationId))/payrollruns")
    }

    /// Provider-wide: the payroll of period `YYYYPP` for every administration the user sees.
    public func payrollStatuses(payrollPeriodId: Int) async throws -> [LoketPayrollStatus] {
        try await self.allPages("\(Self.base)/payrolladministrations/payrollperiods/\(payrollPeriodId)/payrollruns/status")
    }

    /// Provider-wide: the tax return of period `YYYYPP` for every administration the user sees.
    public func taxReturnStatuses(payrollPeriodId: Int) async throws -> [LoketTaxReturnStatus] {
        try await self.allPages("\(Self.base)/payrolladministrations/payrollperiods/\(payrollPeriodId)/payrolltaxreturns/status")
    }

    /// Starts journalising (202, no body sent): Loket makes a journal run in status 0 for the
    /// oldest approved payroll run without one.
    public func initiateJournalRun(payrollAdministrationId: String) async throws -> LoketJournalRun {
        let envelope: DetailEnvelope<LoketJournalRun> = try await self.request(
            "POST", "\(Self.base)/payrolladministrations/\(Self.segment(payrollAdministrationId))/journalruns/initiate"
        )
        return envelope.content
    }

    // MARK: - Evidence and year end

    /// The journal report of a run as PDF (`…/journalruns/{id}/report`).
    public func journalReport(id: String) async throws -> LoketDocument {
        try await self.document(
            "\(Self.base)/payrolladministrations/journalruns/\(Self.segment(id))/report", query: [], accept: "application/pdf, application/json", expected: .pdf
        )
    }

    /// The run overview per employment as CSV; Loket requires the report parameters.
    public func runOverviewPerEmployment(id: String, report: LoketReportParameters) async throws -> LoketDocument {
        try await self.document(
            "\(Self.base)/payrolladministrations/journalruns/\(Self.segment(id))/runoverviewperemployment", query: report.query,
            accept: "text/csv, application/json", expected: .csv
        )
    }

    /// Journal results summed over `startPeriod`…`endPeriod` (both `YYYYPP`).
    public func cumulativeResults(payrollAdministrationId: String, startPeriod: Int, endPeriod: Int) async throws -> [LoketCumulativeResult] {
        try await self.allPages(
            "\(Self.base)/payrolladministrations/\(Self.segment(payrollAdministrationId))/journalruns/cumulativeresults",
            query: [("startPeriod", String(startPeriod)), ("endPeriod", String(endPeriod))]
        )
    }

    /// A download: the body as sent, refused when it is not what was asked for (a JSON error
    /// page with status 200, an empty or cut-off file).
    func document(_ path: String, query: [(String, String)], accept: String, expected: LoketDocument.Kind) async throws -> LoketDocument {
        try await self.exchange("GET", path, query: query, accept: accept) { response in
            let type = (response.header("Content-Type") ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard let document = LoketDocument(kind: expected, contentType: type, body: response.body, disposition: response.header("Content-Disposition")) else {
                throw DocumentProblem.unexpected(type)
            }
            return document
        }
    }

    struct DocumentProblem: Error, CustomStringConvertible {
        let description: String
        static func unexpected(_ type: String) -> DocumentProblem {
            DocumentProblem(description: "geen geldig bestand ontvangen (\(type.isEmpty ? "zonder type" : type))")
        }
    }

    // MARK: - Plumbing

    struct CollectionEnvelope<Item: Decodable>: Decodable {
        let totalPages: Int?
        let currentPage: Int?
        let _embedded: [Item]
    }

    struct DetailEnvelope<Content: Decodable>: Decodable {
        let content: Content
    }

    struct EmptyContent: Decodable {}

    struct MessagesBody: Decodable {
        struct Message: Decodable { let description: String? }
        let messages: [Message]?
        let message: String?
        var text: String? {
            if let message { return message }
            let texts = (self.messages ?? []).compactMap(\.description)
            return texts.isEmpty ? nil : texts.joined(separator: "; ")
        }
    }

    static func segment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-"))) ?? id
    }

    /// Follows `pageNumber` until `currentPage >= totalPages`.
    func allPages<Item: Decodable>(_ path: String, query: [(String, String)] = []) async throws -> [Item] {
        var items: [Item] = []
        var page = 1
        while true {
            let envelope: CollectionEnvelope<Item> = try await self.request(
                "GET",
                path,
                query: query + [("pageNumber", String(page)), ("pageSize", String(self.pageSize))]
            )
            items += envelope._embedded
            let total = envelope.totalPages ?? 1
            if page >= total || envelope._embedded.isEmpty || page >= 10_000 { return items }
            page += 1
        }
    }

    /// One call with token, version header, retries and error mapping.
    func request<T: Decodable>(_ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil) async throws -> T {
        try await self.exchange(method, path, query: query, body: body, accept: "application/json;version=\(Self.resourceVersion)") { response in
            try JSONDecoder().decode(T.self, from: Data(response.body))
        }
    }

    /// One call whose 2xx answer `read` turns into a value; when `read` throws, a GET is asked
    /// again (a body cut off on the way) and then fails as malformed.
    func exchange<T>(
        _ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil, accept: String,
        read: (LoketHTTPResponse) throws -> T
    ) async throws -> T {
        let endpoint = "\(method) \(path)"
        var url = self.apiURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        }
        var rejectedToken: String? = nil
        var refreshedAfter401 = false
        var attempt = 0
        while true {
            attempt += 1
            let token = try await self.session.accessToken(rejected: rejectedToken)
            var headers = [
                ("Authorization", "Bearer \(token)"),
                ("Accept", accept),
            ]
            if body != nil { headers.append(("Content-Type", "application/json;version=\(Self.resourceVersion)")) }
            let response: LoketHTTPResponse
            do {
                response = try await self.transport.send(LoketHTTPRequest(method: method, url: url, headers: headers, body: body), timeout: self.timeout)
            } catch TransportError.timeout {
                // A POST starts something in Loket: after a time-out it may have happened, so it is not sent again.
                if attempt < self.retry.maxAttempts && method != "POST" {
                    try await self.sleep(self.retry.delay(attempt: attempt))
                    continue
                }
                throw LoketError.timeout(endpoint: endpoint)
            } catch TransportError.tooLarge {
                throw LoketError.malformed(endpoint: endpoint, detail: "antwoord te groot")
            } catch {
                throw LoketError.unreachable(endpoint: endpoint)
            }
            switch response.status {
            case 200...299:
                do {
                    return try read(response)
                } catch {
                    // A body cut off on the way (proxy, dropped connection): a read is asked again.
                    if method == "GET" && attempt < self.retry.maxAttempts {
                        try await self.sleep(self.retry.delay(attempt: attempt))
                        continue
                    }
                    throw LoketError.malformed(endpoint: endpoint, detail: JSONProblem.describe(error))
                }
            case 401:
                if refreshedAfter401 { throw LoketError.unauthorized(endpoint: endpoint) }
                refreshedAfter401 = true
                rejectedToken = token
                attempt -= 1
                continue
            case 403:
                throw LoketError.forbidden(endpoint: endpoint, message: Self.messages(response))
            case 404:
                throw LoketError.notFound(endpoint: endpoint)
            case 409:
                throw LoketError.conflict(endpoint: endpoint, message: Self.messages(response))
            case 400:
                throw LoketError.badRequest(endpoint: endpoint, message: Self.messages(response))
            case 429, 500...599:
                guard attempt < self.retry.maxAttempts, method != "POST" || response.status == 429 else {
                    throw response.status == 429
                        ? LoketError.rateLimited(endpoint: endpoint) : LoketError.server(endpoint: endpoint, status: response.status)
                }
                var wait = self.retry.delay(attempt: attempt)
                if response.status == 429, let header = response.header("Retry-After"), let seconds = Int(header.trimmingCharacters(in: .whitespaces)) {
                    wait = .seconds(min(max(seconds, 0), 60))
                }
                try await self.sleep(wait)
            default:
                throw LoketError.server(endpoint: endpoint, status: response.status)
            }
        }
    }

    static func messages(_ response: LoketHTTPResponse) -> String? {
        (try? JSONDecoder().decode(MessagesBody.self, from: Data(response.body)))?.text
    }
}

/// The body of `PATCH …/journalruns/{id}`: `{"action": "MarkAsProcessed", "message": "…" | null}`.
struct JournalRunPatch: Encodable {
    let action: String
    let message: String?

    enum CodingKeys: String, CodingKey { case action, message }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.action, forKey: .action)
        // Loket's excerpt shows the field as nullable: sent as null rather than left out.
        if let message = self.message { try container.encode(message, forKey: .message) } else { try container.encodeNil(forKey: .message) }
    }
}
