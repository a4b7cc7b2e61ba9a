/// Reads a chart of accounts from a CSV file: `number;name;type` with type B (balance) or
/// W (profit and loss), and an optional fourth column with the RGS code. A header line is
/// recognised and skipped. All or nothing: any problem rejects the whole file.
public enum ChartCSV {
    /// Largest chart file accepted (a full RGS chart is well under this).
    public static let maxBytes = 1024 * 1024
    public static let maxAccounts = 10_000
    /// How many problems are listed before the rest is summarised.
    static let maxProblems = 25

    /// One account of the file with the line it came from.
    public struct Entry: Equatable, Sendable {
        public let line: Int
        public let account: ChartAccount
    }

    public static func parse(_ bytes: [UInt8], encoding: TextEncoding) throws(ImportErrors) -> [Entry] {
        let lines = try TextFileDecoder.lines(of: bytes, encoding: encoding, maxBytes: self.maxBytes)
        var accounts: [Entry] = []
        var problems: [ImportProblem] = []
        var firstLineOfNumber: [String: Int] = [:]
        var sawData = false
        for (offset, line) in lines.enumerated() {
            let lineNumber = offset + 1
            if line.trimmedForInput.isEmpty { continue }
            let fields = TextFileDecoder.fields(of: line, separator: ";").map(\.trimmedForInput)
            if !sawData && self.isHeader(fields) {
                sawData = true
                continue
            }
            sawData = true
            if fields.count == 1 {
                let guess = line.contains("\t") ? "tabs" : line.contains(",") ? "komma's" : nil
                let hint = guess.map { " Het bestand lijkt \($0) als scheidingsteken te gebruiken." } ?? ""
                problems.append(
                    ImportProblem(line: lineNumber, message: "geen puntkomma (;) gevonden; verwacht nummer;naam;soort.\(hint)")
                )
            } else if fields.count < 3 {
                problems.append(
                    ImportProblem(
                        line: lineNumber,
                        message: "\(fields.count) kolommen gevonden, verwacht minstens 3: nummer;naam;soort (B of W)."
                    )
                )
            } else if fields.count > 4 && fields[4...].contains(where: { !$0.isEmpty }) {
                problems.append(
                    ImportProblem(
                        line: lineNumber,
                        message: "\(fields.count) kolommen gevonden, verwacht hoogstens 4: nummer;naam;soort;RGS-code."
                    )
                )
            } else {
                do {
                    let number = try AccountRules.number(fields[0])
                    let name = try AccountRules.name(fields[1])
                    let type = try AccountRules.type(fields[2])
                    let rgs = try AccountRules.rgsCode(fields.count > 3 ? fields[3] : "")
                    if let earlier = firstLineOfNumber[number] {
                        problems.append(
                            ImportProblem(line: lineNumber, message: "rekeningnummer \(number) staat ook al op regel \(earlier).")
                        )
                    } else {
                        firstLineOfNumber[number] = lineNumber
                        accounts.append(Entry(line: lineNumber, account: ChartAccount(number: number, name: name, type: type, rgsCode: rgs)))
                    }
                } catch {
                    problems.append(ImportProblem(line: lineNumber, message: self.lowercasedFirst(error.message)))
                }
            }
            if problems.count >= self.maxProblems {
                problems.append(ImportProblem(line: nil, message: "Meer fouten niet getoond; verbeter eerst deze."))
                break
            }
        }
        if accounts.count > self.maxAccounts {
            problems.append(
                ImportProblem(line: nil, message: "Het bestand bevat \(accounts.count) rekeningen; maximaal \(self.maxAccounts).")
            )
        }
        if problems.isEmpty && accounts.isEmpty {
            problems.append(ImportProblem(line: nil, message: "Het bestand bevat geen rekeningen (alleen lege regels of een kopregel)."))
        }
        guard problems.isEmpty else { throw ImportErrors(problems) }
        return accounts
    }

    /// A first line whose type column is no B/W and whose number column holds no digit is a header.
    static func isHeader(_ fields: [String]) -> Bool {
        guard fields.count >= 3 else { return false }
        return AccountType(code: fields[2]) == nil && !fields[0].contains(where: \.isNumber)
    }

    static func lowercasedFirst(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }
}
