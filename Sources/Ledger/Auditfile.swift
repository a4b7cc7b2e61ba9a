/// Which XML Auditfile Financieel to write.
public enum AuditfileVersion: String, Sendable, CaseIterable {
    /// XAF 3.2 (auditfiles.nl, 2014).
    case xaf32 = "xaf"
    /// XAF 4.0 (Belastingdienst, 2025), with RGS codes where known.
    case xaf40 = "xaf4"

    var namespace: String {
        switch self {
        case .xaf32: "http://www.auditfiles.nl/XAF/3.2"
        case .xaf40: "http://www.odb.belastingdienst.nl/Belastingdienst/BCPP/1.1/structures/XmlauditfileXAF_4.0"
        }
    }
}

/// The company block of an auditfile.
public struct AuditfileCompany: Sendable, Equatable {
    public var name: String
    public var chamberOfCommerceNumber: String?
    /// VAT number or RSIN: the auditfile requires one.
    public var taxRegistrationIdentifier: String?
    public var country: String
    public var street: String?
    public var postalCode: String?
    public var city: String?

    public init(name: String, chamberOfCommerceNumber: String?, taxRegistrationIdentifier: String?, country: String, street: String?, postalCode: String?, city: String?) {
        self.name = name
        self.chamberOfCommerceNumber = chamberOfCommerceNumber
        self.taxRegistrationIdentifier = taxRegistrationIdentifier
        self.country = country
        self.street = street
        self.postalCode = postalCode
        self.city = city
    }

    /// The company data an auditfile needs that is missing, each named for the bookkeeper.
    public var missingFields: [String] {
        var missing: [String] = []
        if self.name.trimmedForInput.isEmpty { missing.append("de naam van de administratie") }
        if (self.taxRegistrationIdentifier ?? "").trimmedForInput.isEmpty {
            missing.append("het btw-identificatienummer of het RSIN (bij Gegevens wijzigen)")
        }
        if self.country.count != 2 { missing.append("de landcode (bijvoorbeeld NL)") }
        return missing
    }
}

public struct AuditfileAccount: Sendable, Equatable {
    public var number: String
    public var name: String
    public var type: AccountType
    public var rgsCode: String?

    public init(number: String, name: String, type: AccountType, rgsCode: String?) {
        self.number = number
        self.name = name
        self.type = type
        self.rgsCode = rgsCode
    }
}

public struct AuditfileLine: Sendable, Equatable {
    public var number: Int
    public var accountNumber: String
    public var description: String
    public var debit: Money
    public var credit: Money
    public var costCenter: String?

    public init(number: Int, accountNumber: String, description: String, debit: Money, credit: Money, costCenter: String?) {
        self.number = number
        self.accountNumber = accountNumber
        self.description = description
        self.debit = debit
        self.credit = credit
        self.costCenter = costCenter
    }
}

public struct AuditfileTransaction: Sendable, Equatable {
    public var number: String
    public var description: String
    public var period: Int
    public var date: CalendarDate
    public var source: String
    public var lines: [AuditfileLine]
    /// Where the evidence is (`docRef` of every line); the entry number when nil.
    public var documentReference: String?

    public init(number: String, description: String, period: Int, date: CalendarDate, source: String, lines: [AuditfileLine], documentReference: String? = nil) {
        self.number = number
        self.description = description
        self.period = period
        self.date = date
        self.source = source
        self.lines = lines
        self.documentReference = documentReference
    }
}

/// Control totals of the transactions block (computed before the lines are streamed).
public struct AuditfileTotals: Sendable, Equatable {
    public var lines: Int
    public var debit: Money
    public var credit: Money

    public init(lines: Int, debit: Money, credit: Money) {
        self.lines = lines
        self.debit = debit
        self.credit = credit
    }
}

/// Writes an XML Auditfile Financieel (3.2 or 4.0) piece by piece to a sink, so a million lines
/// never sit in memory. The payroll entries go into one memorial journal (jrnTp M).
public struct AuditfileWriter {
    public let version: AuditfileVersion
    let sink: (String) throws -> Void

    public init(version: AuditfileVersion, sink: @escaping (String) throws -> Void) {
        self.version = version
        self.sink = sink
    }

    /// Header, company, general ledger, periods, and the opening of the transactions block.
    public func begin(
        fiscalYear: Int, created: CalendarDate, softwareVersion: String, company: AuditfileCompany, accounts: [AuditfileAccount],
        totals: AuditfileTotals, journalId: String, journalDescription: String
    ) throws {
        let v4 = self.version == .xaf40
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<auditfile xmlns=\"\(self.version.namespace)\">\n"
        out += "<header>"
        out += Self.element("fiscalYear", String(fiscalYear))
        out += Self.element("startDate", "\(fiscalYear)-01-01") + Self.element("endDate", "\(fiscalYear)-12-31")
        out += Self.element("curCode", "EUR") + Self.element("dateCreated", created.iso)
        out += Self.element("softwareDesc", "loonjournaal") + Self.element("softwareVersion", String(softwareVersion.prefix(20)))
        out += "</header>\n<company>"
        if let kvk = company.chamberOfCommerceNumber, !kvk.isEmpty { out += Self.element(v4 ? "Commercenr" : "companyIdent", kvk) }
        out += Self.element("companyName", String(company.name.prefix(v4 ? 255 : 999)))
        out += Self.element("taxRegistrationCountry", company.country)
        out += Self.element("taxRegIdent", String((company.taxRegistrationIdentifier ?? "").prefix(30)))
        if company.street != nil || company.city != nil || company.postalCode != nil {
            out += "<streetAddress>"
            if let street = company.street { out += Self.element("streetname", String(street.prefix(100))) }
            if let city = company.city { out += Self.element("city", String(city.prefix(50))) }
            if let postalCode = company.postalCode { out += Self.element("postalCode", String(postalCode.prefix(10))) }
            out += Self.element("country", company.country)
            out += "</streetAddress>"
        }
        out += "\n<generalLedger>\n"
        for account in accounts {
            out += "<ledgerAccount>" + Self.element("accID", account.number) + Self.element("accDesc", String(account.name.prefix(255)))
            out += Self.element("accTp", account.type == .balance ? "B" : "P")
            if v4, let rgs = account.rgsCode { out += Self.element("RGScode", rgs) }
            out += "</ledgerAccount>\n"
        }
        out += "</generalLedger>\n<periods>\n"
        for month in 1...12 {
            let start = CalendarDate(year: fiscalYear, month: month, day: 1)!
            let end = CalendarDate.lastDay(ofMonth: month, year: fiscalYear)
            out += "<period>" + Self.element("periodNumber", String(month))
            if !v4 { out += Self.element("periodDesc", "Periode \(month)") }
            out += Self.element("startDatePeriod", start.iso) + Self.element("endDatePeriod", end.iso) + "</period>\n"
        }
        out += "</periods>\n<transactions>"
        out += Self.element("linesCount", String(totals.lines)) + Self.element("totalDebit", Self.amount(totals.debit))
        out += Self.element("totalCredit", Self.amount(totals.credit))
        out += "\n<journal>" + Self.element("jrnID", journalId) + Self.element("desc", journalDescription) + Self.element("jrnTp", "M") + "\n"
        try self.sink(out)
    }

    /// One booked entry with its lines.
    public func write(_ transaction: AuditfileTransaction) throws {
        let v4 = self.version == .xaf40
        var out = "<transaction>" + Self.element("nr", transaction.number) + Self.element("desc", transaction.description)
        out += Self.element("periodNumber", String(transaction.period)) + Self.element("trDt", transaction.date.iso)
        if v4 { out += Self.element("Source", transaction.source) } else { out += Self.element("sourceID", String(transaction.source.prefix(35))) }
        for line in transaction.lines {
            let debit = !line.debit.isZero
            out += "<trLine>" + Self.element("nr", String(line.number)) + Self.element("accID", line.accountNumber)
            // docRef: String999 in XAF 3.2, TypeString255 in 4.0.
            out += Self.element("docRef", String((transaction.documentReference ?? transaction.number).prefix(255))) + Self.element("effDate", transaction.date.iso)
            if !line.description.isEmpty { out += Self.element("desc", line.description) }
            out += Self.element("amnt", Self.amount(debit ? line.debit : line.credit)) + Self.element("amntTp", debit ? "D" : "C")
            if let cost = line.costCenter, !cost.isEmpty { out += Self.element(v4 ? "cost" : "costID", String(cost.prefix(35))) }
            out += "</trLine>"
        }
        out += "</transaction>\n"
        try self.sink(out)
    }

    public func end() throws {
        try self.sink("</journal>\n</transactions>\n</company>\n</auditfile>\n")
    }

    /// `1234.56` — the xsd:decimal form.
    public static func amount(_ money: Money) -> String {
        let cents = money.cents
        let sign = cents < 0 ? "-" : ""
        let absolute = cents.magnitude
        let rest = absolute % 100
        return "\(sign)\(absolute / 100).\(rest < 10 ? "0" : "")\(rest)"
    }

    static func element(_ name: String, _ value: String) -> String {
        "<\(name)>\(self.escape(value))</\(name)>"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // Forms refuse these; text from elsewhere is cleaned on import. A last guard: the file stays well-formed.
            case _ where TextRules.isNotXML(scalar): out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// CSV of booked lines for Dutch Excel: `;`, decimal comma, UTF-8 with BOM.
public enum LedgerCSV {
    public static let header = "\u{FEFF}boekingsnummer;datum;periode;rekening;rekeningnaam;omschrijving;kostenplaats;kostendrager;debet;credit\r\n"

    public static func row(entry: String, date: CalendarDate, period: Int, account: String, accountName: String, description: String, costCenter: String?, costUnit: String?, debit: Money, credit: Money) -> String {
        [entry, date.dutch, String(period), account, accountName, description, costCenter ?? "", costUnit ?? "", debit.isZero ? "" : debit.dutch.replacingOccurrences(of: ".", with: ""), credit.isZero ? "" : credit.dutch.replacingOccurrences(of: ".", with: "")]
            .map(self.field).joined(separator: ";") + "\r\n"
    }

    static func field(_ text: String) -> String {
        // Excel would run a leading = + - @ as a formula: quote and prefix it. NUL and the other
        // characters XML does not allow are dropped (forms refuse them; a last guard).
        let clean = TextRules.xmlSafe(text)
        var value = clean
        if let first = value.first, "=+-@".contains(first), Money.isAmountLike(value) == false { value = "'" + value }
        if value.contains(";") || value.contains("\"") || value.contains("\n") || value.contains("\r") || value != clean {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }
}

extension Money {
    /// True for text that is a plain number (so a leading minus is not a formula).
    static func isAmountLike(_ text: String) -> Bool {
        text.dropFirst().allSatisfy { $0.isNumber || $0 == "," || $0 == "." } && text.count > 1
    }
}
