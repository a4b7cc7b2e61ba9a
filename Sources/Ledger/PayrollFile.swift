/// What a column of an uploaded payroll journal file means.
public enum PayrollColumnRole: String, Sendable, CaseIterable, Equatable {
    case ignore = "negeren"
    case account = "rekening"
    case description = "omschrijving"
    case debit = "debet"
    case credit = "credit"
    /// One signed amount: positive is debit, negative is credit.
    case amount = "bedrag"
    case costCenter = "kostenplaats"
    case costUnit = "kostendrager"

    public var label: String {
        switch self {
        case .ignore: "negeren"
        case .account: "rekening"
        case .description: "omschrijving"
        case .debit: "debet"
        case .credit: "credit"
        case .amount: "bedrag (+ debet, − credit)"
        case .costCenter: "kostenplaats"
        case .costUnit: "kostendrager"
        }
    }

    /// A guess from a header name (Loket run overview, Nmbrs export, generic files).
    public static func guess(_ header: String) -> PayrollColumnRole {
        let name = header.trimmedForInput.lowercased()
        if name.contains("kostenplaats") || name.contains("cost cent") || name == "kpl" { return .costCenter }
        if name.contains("kostendrager") || name.contains("cost unit") || name == "kdr" { return .costUnit }
        if name.contains("omschrijving") && !name.contains("rekening") || name.contains("description") || name == "tekst" { return .description }
        if name.contains("rekening") || name.contains("account") || name.contains("grootboek") || name == "gb" { return .account }
        if name.hasPrefix("debet") || name.hasPrefix("debit") { return .debit }
        if name.hasPrefix("credit") { return .credit }
        if name.contains("bedrag") || name.contains("amount") { return .amount }
        return .ignore
    }
}

/// A payroll journal file, read into lines with exact cents.
public enum PayrollFile {
    public static let maxBytes = 2 * 1024 * 1024

    /// The table in the file: header (if any) and rows, split on the detected separator.
    public struct Table: Equatable, Sendable {
        public var header: [String]?
        public var rows: [(line: Int, fields: [String])]
        public var separator: Character

        public static func == (lhs: Table, rhs: Table) -> Bool {
            lhs.header == rhs.header && lhs.separator == rhs.separator && lhs.rows.map(\.line) == rhs.rows.map(\.line)
                && lhs.rows.map(\.fields) == rhs.rows.map(\.fields)
        }
    }

    public struct Line: Equatable, Sendable {
        public var fileLine: Int
        public var account: String
        public var description: String
        public var costCenter: String?
        public var costUnit: String?
        public var debit: Money
        public var credit: Money
    }

    /// Decodes and splits the file; every row must have as many columns as the first.
    public static func table(_ bytes: [UInt8], encoding: TextEncoding) throws(ImportErrors) -> Table {
        let lines = try TextFileDecoder.lines(of: bytes, encoding: encoding, maxBytes: self.maxBytes)
        let content = lines.enumerated().filter { !$0.element.trimmedForInput.isEmpty }
        guard let first = content.first else { throw ImportErrors(line: nil, "Het bestand is leeg.") }
        let separator: Character = [";", "\t", ","].max { a, b in first.element.filter { $0 == a }.count < first.element.filter { $0 == b }.count } ?? ";"
        let split = content.map { (line: $0.offset + 1, fields: TextFileDecoder.fields(of: $0.element, separator: separator).map(\.trimmedForInput)) }
        guard split[0].fields.count >= 2 else {
            throw ImportErrors(line: split[0].line, "geen scheidingsteken gevonden (verwacht ; of tab of komma tussen de kolommen).")
        }
        let width = split[0].fields.count
        var problems: [ImportProblem] = []
        for row in split where row.fields.count != width {
            problems.append(ImportProblem(line: row.line, message: "\(row.fields.count) kolommen, terwijl regel \(split[0].line) er \(width) heeft."))
            if problems.count >= 20 { break }
        }
        guard problems.isEmpty else { throw ImportErrors(problems) }
        // A header row has words and no amounts or account numbers.
        let looksLikeHeader = split[0].fields.allSatisfy { $0.isEmpty || (try? Money.parse($0, allowNegative: true)) == nil }
            && split[0].fields.contains { $0.contains(where: \.isLetter) }
        let header = looksLikeHeader ? split[0].fields : nil
        let rows = Array(split.dropFirst(looksLikeHeader ? 1 : 0))
        guard !rows.isEmpty else { throw ImportErrors(line: nil, "Het bestand bevat alleen een kopregel en geen boekingsregels.") }
        return Table(header: header, rows: rows, separator: separator)
    }

    /// Which decimal separator the amounts use: `.` when some amount has a dot with two decimals
    /// after an optional comma-grouped part (`1,234.56`, `12.00`), else `,`.
    public static func decimalSeparator(_ values: [String]) -> Character {
        for value in values {
            let text = value.replacingOccurrences(of: " ", with: "")
            if text.range(of: #"^[-(]?\d{1,3}(,\d{3})+\.\d{1,2}\)?$"#, options: .regularExpression) != nil { return "." }
            if text.range(of: #"^[-(]?\d+\.\d{1,2}\)?$"#, options: .regularExpression) != nil { return "." }
        }
        return ","
    }

    /// Applies the column roles; every problem names its line.
    public static func lines(_ table: Table, roles: [PayrollColumnRole]) throws(ImportErrors) -> [Line] {
        func column(_ role: PayrollColumnRole) -> Int? { roles.firstIndex(of: role) }
        var setup: [ImportProblem] = []
        if column(.account) == nil { setup.append(ImportProblem(line: nil, message: "Kies welke kolom de rekening bevat.")) }
        let hasAmount = column(.amount) != nil
        if !hasAmount && column(.debit) == nil && column(.credit) == nil {
            setup.append(ImportProblem(line: nil, message: "Kies de kolommen debet en credit, of één kolom bedrag."))
        }
        for role in PayrollColumnRole.allCases where role != .ignore && roles.filter({ $0 == role }).count > 1 {
            setup.append(ImportProblem(line: nil, message: "De rol \u{201C}\(role.label)\u{201D} is aan meer dan één kolom gegeven."))
        }
        guard setup.isEmpty else { throw ImportErrors(setup) }
        let amountColumns = [column(.debit), column(.credit), column(.amount)].compactMap { $0 }
        let separator = self.decimalSeparator(table.rows.flatMap { row in amountColumns.map { row.fields[$0] } })
        var problems: [ImportProblem] = []
        var result: [Line] = []
        for row in table.rows {
            // At most 25 problems are listed (a bad file has them on every line).
            if problems.count >= 25 { break }
            func text(_ role: PayrollColumnRole) -> String { column(role).map { row.fields[$0] } ?? "" }
            func amount(_ role: PayrollColumnRole) -> Money? {
                let raw = text(role)
                if raw.isEmpty { return .zero }
                do {
                    return try Money.parse(self.normalise(raw, decimalSeparator: separator), allowNegative: true)
                } catch {
                    problems.append(ImportProblem(line: row.line, message: "\(role.label) \u{201C}\(raw.prefix(30))\u{201D}: \(error.message)"))
                    return nil
                }
            }
            let account = text(.account)
            if account.isEmpty {
                problems.append(ImportProblem(line: row.line, message: "de rekening is leeg."))
                continue
            }
            // Texts are kept whole or refused, never cut.
            let texts: [(PayrollColumnRole, Int, String)] = [
                (.account, AccountRules.maxNumberLength, "De rekening"), (.description, 200, "De omschrijving"),
                (.costCenter, 40, "De kostenplaats"), (.costUnit, 40, "De kostendrager"),
            ]
            let textProblems = texts.compactMap { role, max, what in TextRules.lineProblem(text(role), max: max, what: what) }
            if let first = textProblems.first {
                problems.append(ImportProblem(line: row.line, message: first))
                continue
            }
            var debit = Money.zero
            var credit = Money.zero
            if hasAmount {
                guard let value = amount(.amount) else { continue }
                if value.cents >= 0 { debit = value } else { credit = value.magnitude }
            } else {
                guard let d = amount(.debit), let c = amount(.credit) else { continue }
                // A negative debit is a credit and the other way round.
                let net = d.cents - c.cents
                debit = Money(cents: max(net, 0))
                credit = Money(cents: max(-net, 0))
            }
            if debit.isZero && credit.isZero { continue }
            result.append(
                Line(
                    fileLine: row.line, account: account, description: text(.description),
                    costCenter: text(.costCenter).isEmpty ? nil : text(.costCenter),
                    costUnit: text(.costUnit).isEmpty ? nil : text(.costUnit), debit: debit, credit: credit
                )
            )
        }
        guard problems.isEmpty else { throw ImportErrors(problems) }
        guard !result.isEmpty else { throw ImportErrors(line: nil, "Het bestand bevat geen regels met een bedrag.") }
        if let limit = JournalLimits.problem(amounts: result.map { ($0.debit.cents, $0.credit.cents) }) {
            throw ImportErrors(line: nil, limit)
        }
        // Within the limits, no sum can overflow; checked all the same.
        guard let balance = try? Balance(debit: Money.sum(result.lazy.map(\.debit)), credit: Money.sum(result.lazy.map(\.credit))) else {
            throw ImportErrors(line: nil, MoneyOverflow().message)
        }
        guard balance.isBalanced else {
            throw ImportErrors(line: nil, "Het bestand is niet in balans (debet \(balance.debit.euro), credit \(balance.credit.euro)): \(balance.shortfallText ?? ""). Er is niets geïmporteerd.")
        }
        return result
    }

    /// `1,234.56` → `1234,56` when the file uses a decimal point.
    static func normalise(_ text: String, decimalSeparator: Character) -> String {
        guard decimalSeparator == "." else { return text }
        return text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: ".", with: ",")
    }
}
