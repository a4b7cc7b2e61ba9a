import Foundation

/// How a payroll package's account (number + name) finds its account in an administration's
/// chart, and what is proposed when it finds none. Pure rules; `Storage` applies them.
public enum AccountMatching {
    /// Words that say nothing about which account is meant ("te betalen", "en", …).
    static let fillerWords: Set<String> = [
        "te", "en", "van", "de", "het", "der", "een", "af", "op", "voor", "aan", "uit", "in", "met",
        "betalen", "dragen", "ontvangen", "overige", "overig", "rekening", "totaal",
    ]

    /// The words of a name that tell accounts apart: lower case, accents and punctuation gone.
    public static func words(_ name: String) -> Set<String> {
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        let parts = folded.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        return Set(parts.filter { !self.fillerWords.contains($0) && $0.count > 1 })
    }

    /// Whether two names plausibly mean the same account: the same words, one name's words
    /// within the other's, or more than half of the longer name's words shared. An empty name
    /// agrees with anything (a file without account names matches by number, as before).
    ///
    /// `Te betalen kinderopvangbijdrage` and `Loonbeslag en overige inhoudingen te betalen`
    /// do not agree; `Lonen en salarissen` and `Lonen & salarissen` do.
    public static func namesAgree(_ a: String?, _ b: String?) -> Bool {
        let left = self.words(a ?? ""), right = self.words(b ?? "")
        if left.isEmpty || right.isEmpty { return true }
        if left.isSubset(of: right) || right.isSubset(of: left) { return true }
        let shared = left.intersection(right).count
        return shared * 2 > max(left.count, right.count)
    }

    /// How alike two names are, 0…1 (shared words over all words), for proposals.
    public static func similarity(_ a: String, _ b: String) -> Double {
        self.similarity(words: self.words(a), self.words(b))
    }

    /// The same from words already split (`words(_:)`), for comparing one name with a whole chart.
    public static func similarity(words left: Set<String>, _ right: Set<String>) -> Double {
        let all = left.union(right).count
        return all == 0 ? 0 : Double(left.intersection(right).count) / Double(all)
    }

    /// The type a new account gets from its number in the Dutch decimal chart: classes 0–3
    /// (fixed assets, financial accounts, interim accounts, stock) are balance sheet, 4–9
    /// (costs, cost of sales, revenue, result) profit and loss. RGS codes, when known, win:
    /// `B…` balance, `W…` profit and loss.
    public static func proposedType(number: String, rgsCode: String? = nil) -> AccountType {
        if let rgs = rgsCode?.first {
            if rgs == "B" { return .balance }
            if rgs == "W" { return .profitAndLoss }
        }
        guard let first = number.first(where: \.isNumber), let digit = first.wholeNumberValue else { return .balance }
        return digit <= 3 ? .balance : .profitAndLoss
    }
}

/// What a bookkeeper typed in an account field: a number, "number name" (from the list), or
/// (part of) a name.
public enum AccountSearch {
    public struct Candidate: Sendable, Equatable {
        public let number: String
        public let name: String
        public let isActive: Bool

        public init(number: String, name: String, isActive: Bool) {
            self.number = number
            self.name = name
            self.isActive = isActive
        }
    }

    public enum Outcome: Equatable, Sendable {
        case found(Int)
        case notFound
        /// More than one account fits; the first few, as "number name".
        case ambiguous([String])
    }

    /// Finds one account: by number first (the first word), then by the whole name, then by a
    /// part of the name among active accounts, when exactly one fits.
    public static func find(_ text: String, in candidates: [Candidate]) -> Outcome {
        let typed = text.trimmedForInput
        guard !typed.isEmpty else { return .notFound }
        let first = typed.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? typed
        if let index = candidates.firstIndex(where: { $0.number.lowercased() == first.lowercased() }) { return .found(index) }
        let folded = self.fold(typed)
        let exact = candidates.indices.filter { self.fold(candidates[$0].name) == folded }
        if exact.count == 1 { return .found(exact[0]) }
        let partial = candidates.indices.filter { candidates[$0].isActive && self.fold(candidates[$0].name).contains(folded) }
        switch partial.count {
        case 0: return exact.isEmpty ? .notFound : .ambiguous(exact.prefix(5).map { "\(candidates[$0].number) \(candidates[$0].name)" })
        case 1: return .found(partial[0])
        default: return .ambiguous(partial.prefix(5).map { "\(candidates[$0].number) \(candidates[$0].name)" })
        }
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
