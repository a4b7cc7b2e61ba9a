/// Whether an account belongs to the balance sheet or to the profit and loss account.
public enum AccountType: String, Sendable, CaseIterable, Codable {
    /// Balans (B).
    case balance = "B"
    /// Winst-en-verlies (W).
    case profitAndLoss = "W"

    /// Dutch label as shown in the chart of accounts.
    public var label: String {
        switch self {
        case .balance: "Balans"
        case .profitAndLoss: "Winst en verlies"
        }
    }

    /// Parses `B`/`W` (any case) and the Dutch words; nil for anything else.
    public init?(code: String) {
        switch code.trimmedForInput.lowercased() {
        case "b", "balans", "balance": self = .balance
        case "w", "wv", "w&v", "winst en verlies", "winst-en-verlies", "resultaat", "v", "p", "pl": self = .profitAndLoss
        default: return nil
        }
    }
}

/// The rules for what a ledger account may look like, shared by forms and CSV imports.
public enum AccountRules {
    public static let maxNumberLength = 20
    public static let maxNameLength = 100
    public static let maxRGSLength = 30

    /// Checks and normalises an account number: digits, letters, dot and dash; 1–20 characters.
    public static func number(_ raw: String) throws(FieldError) -> String {
        let value = raw.trimmedForInput
        guard !value.isEmpty else {
            throw FieldError(field: "number", message: "Vul een rekeningnummer in.")
        }
        guard value.count <= self.maxNumberLength else {
            throw FieldError(
                field: "number",
                message: "Het rekeningnummer is te lang (\(value.count) tekens; maximaal \(self.maxNumberLength))."
            )
        }
        let allowed = value.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "." || $0 == "-"
        }
        guard allowed else {
            throw FieldError(
                field: "number",
                message: "Een rekeningnummer bestaat alleen uit cijfers, letters, punt of streepje (\u{201C}\(value.prefix(30))\u{201D})."
            )
        }
        return value
    }

    /// Checks and normalises an account name: 1–100 characters, no control characters.
    public static func name(_ raw: String) throws(FieldError) -> String {
        let value = raw.trimmedForInput
        guard !value.isEmpty else {
            throw FieldError(field: "name", message: "Vul een naam voor de rekening in.")
        }
        return try TextRules.line(value, max: self.maxNameLength, what: "De naam", field: "name")
    }

    /// Checks the account type code (B or W).
    public static func type(_ raw: String) throws(FieldError) -> AccountType {
        guard !raw.trimmedForInput.isEmpty else {
            throw FieldError(field: "type", message: "Kies het soort rekening: B (balans) of W (winst en verlies).")
        }
        guard let type = AccountType(code: raw) else {
            throw FieldError(
                field: "type",
                message: "Onbekend soort rekening \u{201C}\(raw.trimmedForInput.prefix(20))\u{201D}: gebruik B (balans) of W (winst en verlies)."
            )
        }
        return type
    }

    /// Checks an optional RGS reference code (Referentie GrootboekSchema), e.g. `WPerLesSal`.
    /// Returns nil for an empty value.
    public static func rgsCode(_ raw: String) throws(FieldError) -> String? {
        let value = raw.trimmedForInput
        if value.isEmpty { return nil }
        let valid =
            value.count <= self.maxRGSLength
            && value.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == ".") }
            && (value.first == "B" || value.first == "W")
        guard valid else {
            throw FieldError(
                field: "rgsCode",
                message: "\u{201C}\(value.prefix(40))\u{201D} is geen RGS-code (die begint met B of W, bijvoorbeeld WPerLesSal)."
            )
        }
        return value
    }
}

/// One account as read from a chart (CSV or the starter chart), checked but not yet stored.
public struct ChartAccount: Equatable, Sendable {
    public let number: String
    public let name: String
    public let type: AccountType
    public let rgsCode: String?

    public init(number: String, name: String, type: AccountType, rgsCode: String? = nil) {
        self.number = number
        self.name = name
        self.type = type
        self.rgsCode = rgsCode
    }
}
