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
