import Foundation
import HTTPTypes
import Hummingbird

/// The journal downloads of the control excerpt (notes §5 and §8): the journal report (PDF),
/// the two run overviews (CSV) and the cumulative results of a payroll administration (JSON).
/// Downloads are raw bodies with their own media type and a `Content-Disposition` file name.
extension SandboxAPI {
    func addEvidenceRoutes(to api: RouterGroup<BasicRequestContext>) {
        api.get("payrolladministrations/journalruns/:journalRunId/report", use: self.journalReport)
        api.get("payrolladministrations/journalruns/:journalRunId/runoverview", use: self.runOverview)
        api.get("payrolladministrations/journalruns/:journalRunId/runoverviewperemployment", use: self.runOverviewPerEmployment)
        api.get("payrolladministrations/:administrationId/journalruns/cumulativeresults", use: self.cumulativeResults)
    }

    /// `consolidate`, the same enum on the report and the cumulative results.
    enum Consolidation: String, CaseIterable {
        case basedOnLedgerAccountConfiguration = "BasedOnLedgerAccountConfiguration"
        case always = "Always"
        case never = "Never"
    }

    /// The required query of both run overviews (Dagboeknummer, Boekstuknummer, year, period, date).
    struct ReportParameters {
        var journalNumber: Int32
        var voucherNumber: Int32
        var year: Int32
        var periodNumber: Int32
        var date: String
        var description: String?
    }

    // MARK: - Endpoints

    @Sendable func journalReport(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(Self.acceptingAnything(request)) {
            let (run, admin) = try self.visibleRun(context.parameters.get("journalRunId") ?? "")
            try self.documentsAvailable()
            let consolidation = try self.consolidation(request)
            try self.requireResults(run)
            let lines = consolidation == .always ? Self.consolidated(run.lines) : run.lines
            let pdf = Self.journalReportPDF(run: run, admin: admin, lines: lines)
            let name = "Journaalrapport_\(admin.clientNumber)_\(run.period.year)_\(Self.twoDigits(run.period.number))_run\(run.sequenceNumber).pdf"
            return Self.download(pdf, contentType: "application/pdf", disposition: "inline; filename=\"\(name)\"")
        }
    }

    @Sendable func runOverview(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(Self.acceptingAnything(request)) {
            let (run, admin) = try self.visibleRun(context.parameters.get("journalRunId") ?? "")
            try self.documentsAvailable()
            _ = try self.reportParameters(request)
            try self.requireResults(run)
            let name = "Verloningsoverzicht_\(admin.clientNumber)_\(run.period.year)_\(Self.twoDigits(run.period.number)).csv"
            return Self.download(Array(Self.runOverviewCSV(run).utf8), contentType: "text/csv; charset=utf-8", disposition: "attachment; filename=\"\(name)\"")
        }
    }

    @Sendable func runOverviewPerEmployment(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(Self.acceptingAnything(request)) {
            let (run, admin) = try self.visibleRun(context.parameters.get("journalRunId") ?? "")
            try self.documentsAvailable()
            _ = try self.reportParameters(request)
            try self.requireResults(run)
            let name = "Verloningsoverzicht_per_dienstverband_\(admin.clientNumber)_\(run.period.year)_\(Self.twoDigits(run.period.number)).csv"
            return Self.download(
                Array(Self.perEmploymentCSV(run).utf8), contentType: "text/csv; charset=utf-8", disposition: "attachment; filename=\"\(name)\""
            )
        }
    }

    @Sendable func cumulativeResults(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await self.guarded(request) {
            let admin = try self.visibleAdministration(context.parameters.get("administrationId") ?? "")
            let start = try self.yearPeriod(request, "startPeriod")
            let end = try self.yearPeriod(request, "endPeriod")
            guard start <= end else {
                throw Refusal(response: Self.messages(.badRequest, paging: true, "startPeriod (\(start)) ligt na endPeriod (\(end)).", code: 83))
            }
            let consolidation = try self.consolidation(request)
            let sums = Self.cumulative(admin.runs, from: start, to: end, perComponent: consolidation == .never)
            return try self.collection(sums.map(self.cumulativeJSON), request)
        }
    }

    // MARK: - Checks

    /// Downloads answer whatever `Accept` asks (notes §11: a client may send `application/pdf`,
    /// `*/*` or the JSON media type with an old version), so it is left out of the guard.
    /// A test may make the documents unavailable for a while (503), as a busy Loket does.
    func documentsAvailable() throws {
        if self.state.withWorld({ $0.documentsDown }) { throw Refusal(response: Response(status: .serviceUnavailable)) }
    }

    static func acceptingAnything(_ request: Request) -> Request {
        guard request.headers[.accept] != nil else { return request }
        var head = request.head
        head.headerFields[.accept] = nil
        return Request(head: head, body: request.body)
    }

    func consolidation(_ request: Request) throws -> Consolidation {
        guard let text = request.uri.queryParameters.get("consolidate") else { return .basedOnLedgerAccountConfiguration }
        guard let found = Consolidation.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw Refusal(
                response: Self.messages(
                    .badRequest, paging: true, "consolidate moet BasedOnLedgerAccountConfiguration, Always of Never zijn.", code: 83
                )
            )
        }
        return found
    }

    /// Runs with status 0–3 have no results (spec: "this endpoint will return an error").
    func requireResults(_ run: SimJournalRun) throws {
        guard run.status >= 4 else {
            throw Refusal(
                response: Self.messages(
                    .badRequest, paging: true,
                    "Journaalrun heeft status \(run.status) (\(journalRunStatusText[run.status] ?? "")): er zijn geen resultaten.", code: 1101
                )
            )
        }
    }

    func reportParameters(_ request: Request) throws -> ReportParameters {
        let query = request.uri.queryParameters
        func refuse(_ message: String) -> Refusal {
            Refusal(response: Self.messages(.badRequest, paging: true, message, code: 83))
        }
        func integer(_ name: String) throws -> Int32 {
            guard let text = query.get(name), !text.isEmpty else { throw refuse("\(name) is verplicht.") }
            guard let value = Int32(text) else { throw refuse("\(name) moet een geheel getal zijn (int32), niet '\(text)'.") }
            return value
        }
        let journalNumber = try integer("reportJournalNumber")
        let voucherNumber = try integer("reportVoucherNumber")
        let year = try integer("reportYear")
        let periodNumber = try integer("reportPeriodNumber")
        guard let date = query.get("reportDate"), !date.isEmpty else { throw refuse("reportDate is verplicht.") }
        guard Self.isDate(date) else { throw refuse("reportDate moet een datum zijn in de vorm jjjj-mm-dd, niet '\(date)'.") }
        return ReportParameters(
            journalNumber: journalNumber, voucherNumber: voucherNumber, year: year, periodNumber: periodNumber, date: date,
            description: query.get("reportDescription")
        )
    }

    /// `yyyy-mm-dd` and a day that exists.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// A query period `YYYYPP`: six digits, period 1 to 13.
    func yearPeriod(_ request: Request, _ name: String) throws -> Int {
        let text = request.uri.queryParameters.get(name) ?? ""
        guard text.count == 6, text.allSatisfy({ $0.isASCII && $0.isNumber }), let id = Int(text), (1...13).contains(id % 100) else {
            throw Refusal(response: Self.messages(.badRequest, paging: true, "\(name) moet de vorm JJJJPP hebben, bijvoorbeeld 202601.", code: 83))
        }
        return id
    }

    // MARK: - Shapes

    static func download(_ bytes: [UInt8], contentType: String, disposition: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: contentType, .contentDisposition: disposition, .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    static func twoDigits(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }

    /// Cents as Dutch money for the report: `1.234,56`, `-500,00`.
    static func dutchAmount(_ cents: Int64) -> String {
        let magnitude = cents.magnitude
        var euros = String(magnitude / 100)
        var grouped = ""
        while euros.count > 3 {
            grouped = "." + String(euros.suffix(3)) + grouped
            euros.removeLast(3)
        }
        let rest = magnitude % 100
        return (cents < 0 ? "-" : "") + euros + grouped + "," + (rest < 10 ? "0" : "") + String(rest)
    }

    /// Cents as a CSV amount: comma decimals, no thousands separator (`1845,00`, `-500,00`).
    static func csvAmount(_ cents: Int64) -> String {
        let magnitude = cents.magnitude
        let rest = magnitude % 100
        return (cents < 0 ? "-" : "") + String(magnitude / 100) + "," + (rest < 10 ? "0" : "") + String(rest)
    }

    /// One CSV field: quoted only when it holds a separator, a quote or a line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func csv(_ rows: [[String]]) -> String {
        rows.map { $0.map(self.csvField).joined(separator: ";") + "\r\n" }.joined()
    }

    // MARK: - Journal report (PDF)

    static let reportLinesPerPage = 48

    static func journalReportPDF(run: SimJournalRun, admin: SimPayrollAdministration, lines: [SimLine]) -> [UInt8] {
        let period = "\(run.period.year)/\(self.twoDigits(run.period.number))"
        var pdf = SimplePDF(title: "Journaalrapport \(admin.clientNumber) \(period) run \(run.sequenceNumber)")
        let size = 8.0
        let step = 14.0
        let top = 720.0
        // Columns: code, description, cost centre, component; amounts right-aligned.
        let code = 40.0, description = 82.0, costCenter = 240.0, component = 305.0, debitRight = 475.0, creditRight = 555.0
        enum Row {
            case line(SimLine)
            case total(debit: Int64, credit: Int64)
        }
        let debit = lines.reduce(Int64(0)) { $0 + $1.debitCents }
        let credit = lines.reduce(Int64(0)) { $0 + $1.creditCents }
        let rows = lines.map(Row.line) + [.total(debit: debit, credit: credit)]
        let chunks = stride(from: 0, to: rows.count, by: self.reportLinesPerPage).map { Array(rows[$0..<min($0 + self.reportLinesPerPage, rows.count)]) }
        for (pageIndex, chunk) in chunks.enumerated() {
            var page = SimplePDF.Page()
            page.texts += [
                .init(x: 40, y: 800, size: 16, text: "Journaalrapport"),
                .init(x: 555, y: 800, size: size, text: "Pagina \(pageIndex + 1) van \(chunks.count)", rightAligned: true),
                .init(x: 40, y: 782, size: 10, text: "\(admin.name) - klantnummer \(admin.clientNumber)"),
                .init(x: 40, y: 768, size: 10, text: "Periode \(period) (\(run.period.start) t/m \(run.period.end)) - journaalrun \(run.sequenceNumber) (\(run.methodOfCreation.value))"),
                .init(x: code, y: 742, size: size, text: "Rekening"),
                .init(x: description, y: 742, size: size, text: "Omschrijving"),
                .init(x: costCenter, y: 742, size: size, text: "Kostenplaats"),
                .init(x: component, y: 742, size: size, text: "Looncomponent"),
                .init(x: debitRight, y: 742, size: size, text: "Debet", rightAligned: true),
                .init(x: creditRight, y: 742, size: size, text: "Credit", rightAligned: true),
                .init(x: 40, y: 30, size: 7, text: "Loket-simulator van loonjournaal - testgegevens, geen echt Loket-document."),
            ]
            page.rules.append(.init(x1: 40, x2: 555, y: 736))
            for (index, row) in chunk.enumerated() {
                let y = top - Double(index) * step
                switch row {
                case .line(let line):
                    page.texts += [
                        .init(x: code, y: y, size: size, text: line.accountCode),
                        .init(x: description, y: y, size: size, text: SimplePDF.fitted(line.accountDescription, width: costCenter - description - 6, size: size)),
                        .init(x: costCenter, y: y, size: size, text: SimplePDF.fitted(line.costCenter?.code ?? "", width: component - costCenter - 6, size: size)),
                        .init(x: component, y: y, size: size, text: SimplePDF.fitted(line.component?.description ?? "", width: 100, size: size)),
                        .init(x: debitRight, y: y, size: size, text: self.dutchAmount(line.debitCents), rightAligned: true),
                        .init(x: creditRight, y: y, size: size, text: self.dutchAmount(line.creditCents), rightAligned: true),
                    ]
                case .total(let debit, let credit):
                    page.rules.append(.init(x1: 400, x2: 555, y: y + step - 4))
                    page.texts += [
                        .init(x: code, y: y, size: size, text: "Totaal (\(lines.count) regels)"),
                        .init(x: debitRight, y: y, size: size, text: self.dutchAmount(debit), rightAligned: true),
                        .init(x: creditRight, y: y, size: size, text: self.dutchAmount(credit), rightAligned: true),
                    ]
                }
            }
            pdf.pages.append(page)
        }
        return pdf.render()
    }

    // MARK: - Run overviews (CSV)

    static let perEmploymentHeader = [
        "Personeelsnummer", "Naam", "Dienstverband", "Periode", "Brutoloon", "Vakantiegeld", "Reiskosten", "Pensioen werknemer", "Loonheffing",
        "Nettoloon",
    ]
    static let runOverviewHeader = ["Looncomponent", "Omschrijving", "Bedrag"]
    static let employeeNames = [
        "J. de Vries", "A. Jansen", "M. Bakker", "S. Visser", "P. Smit", "L. Meijer", "K. de Boer", "R. Mulder", "E. de Groot", "T. Bos",
        "N. Vos", "F. Peters", "H. Hendriks", "C. van Leeuwen", "D. Dekker", "B. Brouwer", "I. de Wit", "G. Dijkstra", "W. Smits", "Y. de Graaf",
    ]

    /// Net (debit − credit) of the lines on one ledger account.
    static func net(_ lines: [SimLine], account: String) -> Int64 {
        lines.filter { $0.accountCode == account }.reduce(0) { $0 + $1.debitCents - $1.creditCents }
    }

    /// `total` split over weights (the last share takes the remainder, so the shares add up to
    /// `total` exactly). Divides before multiplying, so no amount Loket can hold overflows.
    static func split(_ total: Int64, weights: [Int64]) -> [Int64] {
        let sum = weights.reduce(0, +)
        var shares: [Int64] = []
        var given: Int64 = 0
        for (index, weight) in weights.enumerated() {
            let share = index == weights.count - 1 ? total - given : (total / sum) * weight + (total % sum) * weight / sum
            shares.append(share)
            given += share
        }
        return shares
    }

    /// Per employment: wages, holiday pay and travel of the run (accounts 4000, 4010, 4300) spread
    /// over a fixed set of employees; pension, wage tax and net pay worked out per employee.
    static func perEmploymentCSV(_ run: SimJournalRun) -> String {
        let count = run.lines.count > 250 ? 100 : 3
        let weights = (0..<count).map { Int64(90 + ($0 * 37) % 41) }
        let gross = self.split(self.net(run.lines, account: "4000"), weights: weights)
        let holiday = self.split(self.net(run.lines, account: "4010"), weights: weights)
        let travel = self.split(self.net(run.lines, account: "4300"), weights: weights)
        let period = "\(run.period.year)-\(self.twoDigits(run.period.number))"
        var rows = [self.perEmploymentHeader]
        var totals = [Int64](repeating: 0, count: 6)
        for index in 0..<count {
            let pension = gross[index] * 5 / 100
            let wageTax = (gross[index] - pension) * 30 / 100
            let net = gross[index] - wageTax - pension + travel[index]
            let money = [gross[index], holiday[index], travel[index], pension, wageTax, net]
            for column in money.indices { totals[column] += money[column] }
            let name = index < self.employeeNames.count ? self.employeeNames[index] : "Medewerker \(index + 1)"
            rows.append([String(1001 + index), name, "1", period] + money.map(self.csvAmount))
        }
        rows.append(["Totaal", "", "", ""] + totals.map(self.csvAmount))
        return self.csv(rows)
    }

    /// Per payroll component (lines without one under their account's description): debit − credit.
    static func runOverviewCSV(_ run: SimJournalRun) -> String {
        var order: [String] = []
        var groups: [String: (component: String, description: String, cents: Int64)] = [:]
        for line in run.lines {
            let key = line.component.map { "c\($0.key)" } ?? "a\(line.accountDescription)"
            let amount = line.debitCents - line.creditCents
            if let existing = groups[key] {
                groups[key] = (existing.component, existing.description, existing.cents + amount)
            } else {
                order.append(key)
                groups[key] = (line.component.map { String($0.key) } ?? "", line.component?.description ?? line.accountDescription, amount)
            }
        }
        var rows = [self.runOverviewHeader]
        var total: Int64 = 0
        for key in order {
            let group = groups[key]!
            total += group.cents
            rows.append([group.component, group.description, self.csvAmount(group.cents)])
        }
        rows.append(["Totaal", "", self.csvAmount(total)])
        return self.csv(rows)
    }

    // MARK: - Cumulative results (JSON)

    /// One line of `journalRunCumulativeResults`, netted: `cents` > 0 is debit, < 0 credit.
    struct CumulativeLine {
        var account: (key: Int, code: String, description: String)
        var costCenter: (key: Int, code: String, description: String)?
        var costUnit: (key: Int, code: String, description: String)?
        var component: (key: Int, description: String)?
        var firstPeriod: Int
        var lastPeriod: Int
        var cents: Int64
    }

    /// The lines of every run with results (status 4 or higher; removed runs, status 3, and runs
    /// without results left out) in the periods `from` to `to`, summed per account, cost centre
    /// and cost unit (and per component when `perComponent`); lines that net to zero are left out.
    static func cumulative(_ runs: [SimJournalRun], from start: Int, to end: Int, perComponent: Bool) -> [CumulativeLine] {
        var sums: [String: CumulativeLine] = [:]
        for run in runs where run.status >= 4 && (start...end).contains(run.period.id) {
            for line in run.lines {
                var key = "\(line.accountCode)|\(line.costCenter?.code ?? "")|\(line.costUnit?.code ?? "")"
                if perComponent { key += "|\(line.component.map { String($0.key) } ?? "")" }
                let amount = line.debitCents - line.creditCents
                if var existing = sums[key] {
                    existing.cents += amount
                    existing.firstPeriod = min(existing.firstPeriod, run.period.id)
                    existing.lastPeriod = max(existing.lastPeriod, run.period.id)
                    sums[key] = existing
                } else {
                    sums[key] = CumulativeLine(
                        account: (line.accountKey, line.accountCode, line.accountDescription), costCenter: line.costCenter, costUnit: line.costUnit,
                        component: perComponent ? line.component : nil, firstPeriod: run.period.id, lastPeriod: run.period.id, cents: amount
                    )
                }
            }
        }
        return sums.values.filter { $0.cents != 0 }.sorted { a, b in
            let left = (a.account.code, a.costCenter?.code ?? "", a.costUnit?.code ?? "", a.component?.key ?? -1)
            let right = (b.account.code, b.costCenter?.code ?? "", b.costUnit?.code ?? "", b.component?.key ?? -1)
            return left < right
        }
    }

    func cumulativeJSON(_ line: CumulativeLine) -> JSON {
        func code(_ value: (key: Int, code: String, description: String)?) -> JSON {
            value.map { .object([("key", .int($0.key)), ("code", .string($0.code)), ("description", .string($0.description))]) } ?? .null
        }
        return .object([
            ("payrollPeriodStart", .int(line.firstPeriod)),
            ("payrollPeriodEnd", .int(line.lastPeriod)),
            ("generalLedgerAccount", code(line.account)),
            ("costCenter", code(line.costCenter)),
            ("costUnit", code(line.costUnit)),
            ("payrollComponent", line.component.map { .object([("key", .int($0.key)), ("description", .string($0.description))]) } ?? .null),
            ("debetAmount", .amount(max(line.cents, 0))),
            ("creditAmount", .amount(max(-line.cents, 0))),
        ])
    }
}
