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
