import Foundation

/// Loket's metadata pair `{key, value}`.
public struct LoketKeyValue: Sendable, Equatable, Decodable {
    public let key: Int
    public let value: String?
}

/// An employer (werkgever) visible to the Loket user.
public struct LoketEmployer: Sendable, Equatable, Decodable {
    public let id: String
    public let companyName: String
    public let employerNumber: Int?
    public let chamberOfCommerceNumber: String?
}

/// A payroll administration (loonadministratie) of an employer.
public struct LoketPayrollAdministration: Sendable, Equatable, Decodable {
    public let id: String
    public let name: String
    public let clientNumber: Int?
    public let description: String?
    public let payrollPeriodType: LoketKeyValue?
}

/// A journal configuration: which journal profile (product 940) applies from which period.
public struct LoketJournalConfiguration: Sendable, Equatable, Decodable {
    public struct Profile: Sendable, Equatable, Decodable {
        public let id: String?
        public let key: Int?
        public let description: String?
    }
    public let id: String
    public let journalProfile: Profile?
    public let automaticallyInitiateJournalRun: Bool?
}

/// A payroll period as embedded in a journal run (decoded defensively: all optional).
public struct LoketPayrollPeriod: Sendable, Equatable, Decodable {
    public let year: Int?
    public let periodNumber: Int?
    public let periodStartDate: String?
    public let periodEndDate: String?
}

/// One journal run (journaalrun) of a payroll administration.
public struct LoketJournalRun: Sendable, Equatable, Decodable {
    public struct PayrollRun: Sendable, Equatable, Decodable {
        public let payrollRunId: String?
        public let payrollPeriod: LoketPayrollPeriod?
        public let sequenceNumberApproved: Int?
    }
    public let id: String
    public let sequenceNumber: Int
    public let payrollRun: PayrollRun?
    public let journalRunStatus: LoketKeyValue
    public let requestTime: String?
    public let processingFinishedTime: String?
    public let methodOfCreation: LoketKeyValue?
}

/// One line of a journal run's results, with amounts in exact cents.
public struct LoketJournalLine: Sendable, Equatable, Decodable {
    public struct Code: Sendable, Equatable, Decodable {
        public let key: Int?
        public let code: String
        public let description: String?
    }
    public struct Component: Sendable, Equatable, Decodable {
        public let key: Int
        public let description: String?
    }
    public let generalLedgerAccount: Code
    public let costCenter: Code?
    public let costUnit: Code?
    public let payrollComponent: Component?
    public let debitCents: Int64
    public let creditCents: Int64

    enum CodingKeys: String, CodingKey {
        case generalLedgerAccount, costCenter, costUnit, payrollComponent, debetAmount, creditAmount
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.generalLedgerAccount = try container.decode(Code.self, forKey: .generalLedgerAccount)
        self.costCenter = try container.decodeIfPresent(Code.self, forKey: .costCenter)
        self.costUnit = try container.decodeIfPresent(Code.self, forKey: .costUnit)
        self.payrollComponent = try container.decodeIfPresent(Component.self, forKey: .payrollComponent)
        self.debitCents = try Self.cents(container, .debetAmount)
        self.creditCents = try Self.cents(container, .creditAmount)
    }

    /// A JSON number with at most two decimals, as exact cents (never through Double).
    static func cents(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int64 {
        guard let value = try container.decodeIfPresent(Decimal.self, forKey: key) else { return 0 }
        guard let cents = ExactCents.from(value) else {
            throw DecodingError.dataCorruptedError(
                forKey: key,
                in: container,
                debugDescription: "bedrag \(value) heeft meer dan twee decimalen of is te groot"
            )
        }
        guard cents >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "negatief bedrag \(value)")
        }
        return cents
    }
}

/// Decimal → cents without rounding; nil when not a whole number of cents or out of range.
public enum ExactCents {
    /// Largest amount accepted: one trillion euros.
    public static let limit: Int64 = 100_000_000_000_000

    public static func from(_ value: Decimal) -> Int64? {
        var scaled = value * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled, rounded.magnitude <= Decimal(self.limit) else { return nil }
        return NSDecimalNumber(decimal: rounded).int64Value
    }
}

/// What the journal-run write-back says.
public enum JournalRunAction: String, Sendable {
    case markAsProcessed = "MarkAsProcessed"
    case markAsProcessingFailed = "MarkAsProcessingFailed"
}

/// A signed amount in euros from Loket as exact cents; nil when absent or null (a return still
/// being made). Refuses more than two decimals and amounts beyond `ExactCents.limit`.
struct SignedCents {
    static func decode<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Int64? {
        guard let value = try container.decodeIfPresent(Decimal.self, forKey: key) else { return nil }
        guard let cents = ExactCents.from(value) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "bedrag \(value) heeft meer dan twee decimalen of is te groot")
        }
        return cents
    }
}

/// A payroll tax return (loonaangifte) of one period, amounts in exact cents.
public struct LoketTaxReturn: Sendable, Equatable, Decodable {
    public let id: String
    public let status: LoketKeyValue?
    public let period: LoketPayrollPeriod?
    /// Wage tax of the period itself; nil while Loket is still making the return.
    public let periodCents: Int64?
    /// Correction over earlier periods in this return.
    public let correctionCents: Int64?
    public let totalCents: Int64?
    public let paymentReference: String?
    public let messageReference: String?
    public let iban: String?
    public let inTheNameOf: String?
    public let wageTaxNumber: String?
    /// `yyyy-mm-dd`: the last day to pay.
    public let deadlineForPayment: String?
    public let isCorrectionMessagePriorYear: Bool?

    enum CodingKeys: String, CodingKey {
        case id, payrollTaxReturnStatus, period, periodAmount, correctionAmount, totalAmount, paymentReference, messageReference, iban
        case inTheNameOf, wageTaxNumber, deadlineForPayment, isCorrectionMessagePriorYear
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try c.decode(String.self, forKey: .id)
        self.status = try c.decodeIfPresent(LoketKeyValue.self, forKey: .payrollTaxReturnStatus)
        self.period = try c.decodeIfPresent(LoketPayrollPeriod.self, forKey: .period)
        self.periodCents = try SignedCents.decode(c, .periodAmount)
        self.correctionCents = try SignedCents.decode(c, .correctionAmount)
        self.totalCents = try SignedCents.decode(c, .totalAmount)
        self.paymentReference = try c.decodeIfPresent(String.self, forKey: .paymentReference)
        self.messageReference = try c.decodeIfPresent(String.self, forKey: .messageReference)
        self.iban = try c.decodeIfPresent(String.self, forKey: .iban)
        self.inTheNameOf = try c.decodeIfPresent(String.self, forKey: .inTheNameOf)
        self.wageTaxNumber = try c.decodeIfPresent(String.self, forKey: .wageTaxNumber)
        self.deadlineForPayment = try c.decodeIfPresent(String.self, forKey: .deadlineForPayment)
        self.isCorrectionMessagePriorYear = try c.decodeIfPresent(Bool.self, forKey: .isCorrectionMessagePriorYear)
    }
}

/// A payroll run (verloning) of an administration.
public struct LoketPayrollRun: Sendable, Equatable, Decodable {
    public let id: String
    public let payrollPeriod: LoketPayrollPeriod?
    public let payrollRunStatus: LoketKeyValue?
    public let approvalTime: String?
    public let sequenceNumber: Int?
}

/// The period of a provider-wide status item.
public struct LoketStatusPeriod: Sendable, Equatable, Decodable {
    public let year: Int?
    public let periodNumber: Int?
    public let payrollPeriodId: Int?
    public let periodStartDate: String?
    public let periodEndDate: String?
}

/// One administration in `payrollperiods/{YYYYPP}/payrollruns/status` (provider-wide).
public struct LoketPayrollStatus: Sendable, Equatable, Decodable {
    public struct Payroll: Sendable, Equatable, Decodable {
        public let status: LoketKeyValue?
    }
    public let id: String
    public let name: String?
    public let clientNumber: Int?
    public let payrollPeriod: LoketStatusPeriod?
    public let payroll: Payroll?
}

/// One administration in `payrollperiods/{YYYYPP}/payrolltaxreturns/status` (provider-wide).
public struct LoketTaxReturnStatus: Sendable, Equatable, Decodable {
    public struct TaxReturn: Sendable, Equatable, Decodable {
        public let status: LoketKeyValue?
    }
    public let id: String
    public let payrollPeriod: LoketStatusPeriod?
    public let wageTaxNumber: String?
    public let payrollTaxReturn: TaxReturn?
}

/// A file Loket sent (journal report, run overview): its bytes as received, checked to be
/// what was asked for.
public struct LoketDocument: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case pdf
        case csv
    }

    public let kind: Kind
    public let bytes: [UInt8]
    /// The file name from `Content-Disposition`, when Loket gave one.
    public let suggestedName: String?

    /// nil when the body is not a file of `kind`: another content type, empty, a PDF without
    /// its header and end marker (cut off), or a CSV that is not text.
    public init?(kind: Kind, contentType: String, body: [UInt8], disposition: String?) {
        guard !body.isEmpty else { return nil }
        switch kind {
        case .pdf:
            guard contentType == "application/pdf" || contentType == "application/octet-stream" else { return nil }
            guard body.starts(with: Array("%PDF-".utf8)), Self.endsWithEOF(body) else { return nil }
        case .csv:
            guard contentType == "text/csv" || contentType == "text/plain" || contentType == "application/octet-stream" else { return nil }
            guard String(validating: body, as: UTF8.self) != nil || !body.contains(0) else { return nil }
        }
        self.kind = kind
        self.bytes = body
        self.suggestedName = disposition.flatMap(Self.fileName)
    }

    /// `%%EOF` within the last 1 KB (a PDF may end with a newline or a few padding bytes).
    static func endsWithEOF(_ body: [UInt8]) -> Bool {
        let tail = body.suffix(1024)
        let marker = Array("%%EOF".utf8)
        guard tail.count >= marker.count else { return false }
        let bytes = Array(tail)
        for start in stride(from: bytes.count - marker.count, through: 0, by: -1) where Array(bytes[start..<start + marker.count]) == marker {
            return true
        }
        return false
    }

    /// `filename="x.pdf"` from a Content-Disposition header: only the last path part, only
    /// ordinary characters, at most 120 of them.
    static func fileName(_ header: String) -> String? {
        guard let range = header.range(of: "filename=") else { return nil }
        var value = header[range.upperBound...].split(separator: ";").first.map(String.init) ?? ""
        value = value.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        value = String(value.split(separator: "/").last ?? "")
        let cleaned = String(value.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._- ()".unicodeScalars.contains($0) }.map(Character.init))
        let trimmed = String(cleaned.prefix(120)).trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty || trimmed.hasPrefix(".") ? nil : trimmed
    }
}

/// The report parameters Loket requires for a run overview.
public struct LoketReportParameters: Sendable, Equatable {
    public let journalNumber: Int
    public let voucherNumber: Int
    public let description: String?
    public let year: Int
    public let periodNumber: Int
    /// `yyyy-mm-dd`.
    public let date: String

    public init(journalNumber: Int, voucherNumber: Int, description: String?, year: Int, periodNumber: Int, date: String) {
        self.journalNumber = journalNumber
        self.voucherNumber = voucherNumber
        self.description = description
        self.year = year
        self.periodNumber = periodNumber
        self.date = date
    }

    var query: [(String, String)] {
        var items = [
            ("reportJournalNumber", String(self.journalNumber)), ("reportVoucherNumber", String(self.voucherNumber)),
            ("reportYear", String(self.year)), ("reportPeriodNumber", String(self.periodNumber)), ("reportDate", self.date),
        ]
        if let description = self.description { items.append(("reportDescription", String(description.prefix(100)))) }
        return items
    }
}

/// One line of `journalruns/cumulativeresults`: a ledger account's journal results over a range
/// of periods, netted (debit or credit), in exact cents.
public struct LoketCumulativeResult: Sendable, Equatable, Decodable {
    public let payrollPeriodStart: Int?
    public let payrollPeriodEnd: Int?
    public let generalLedgerAccount: LoketJournalLine.Code
    public let costCenter: LoketJournalLine.Code?
    public let costUnit: LoketJournalLine.Code?
    public let payrollComponent: LoketJournalLine.Component?
    public let debitCents: Int64
    public let creditCents: Int64

    enum CodingKeys: String, CodingKey {
        case payrollPeriodStart, payrollPeriodEnd, generalLedgerAccount, costCenter, costUnit, payrollComponent, debetAmount, creditAmount
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.payrollPeriodStart = try c.decodeIfPresent(Decimal.self, forKey: .payrollPeriodStart).flatMap { Int(exactly: NSDecimalNumber(decimal: $0).doubleValue) }
        self.payrollPeriodEnd = try c.decodeIfPresent(Decimal.self, forKey: .payrollPeriodEnd).flatMap { Int(exactly: NSDecimalNumber(decimal: $0).doubleValue) }
        self.generalLedgerAccount = try c.decode(LoketJournalLine.Code.self, forKey: .generalLedgerAccount)
        self.costCenter = try c.decodeIfPresent(LoketJournalLine.Code.self, forKey: .costCenter)
        self.costUnit = try c.decodeIfPresent(LoketJournalLine.Code.self, forKey: .costUnit)
        self.payrollComponent = try c.decodeIfPresent(LoketJournalLine.Component.self, forKey: .payrollComponent)
        func cents(_ key: CodingKeys) throws -> Int64 {
            guard let value = try SignedCents.decode(c, key) else { return 0 }
            guard value >= 0 else { throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "negatief bedrag") }
            return value
        }
        self.debitCents = try cents(.debetAmount)
        self.creditCents = try cents(.creditAmount)
    }
}
