import Foundation

/// A trial balance (proefbalans) as an accountant reads it: per account the movements of the
/// period and of the year to date, and the balance to date split into debit and credit; the
/// balance-sheet accounts and the profit-and-loss accounts each with subtotals; and the result.
/// Pure: built from the booked sums per account, every sum checked.
public struct TrialBalanceReport: Sendable, Equatable {
    public struct Account: Sendable, Equatable {
        public let accountId: Int64
        public let number: String
        public let name: String
        public let type: AccountType
        public let debit: Money
        public let credit: Money
        public let debitToDate: Money
        public let creditToDate: Money

        public init(accountId: Int64, number: String, name: String, type: AccountType, debit: Money, credit: Money, debitToDate: Money, creditToDate: Money) {
            self.accountId = accountId
            self.number = number
            self.name = name
            self.type = type
            self.debit = debit
            self.credit = credit
            self.debitToDate = debitToDate
            self.creditToDate = creditToDate
        }

        /// The balance to date on the side it is on; the other side is zero.
        public var balanceDebit: Money { self.debitToDate.cents > self.creditToDate.cents ? Money(cents: self.debitToDate.cents - self.creditToDate.cents) : .zero }
        public var balanceCredit: Money { self.creditToDate.cents > self.debitToDate.cents ? Money(cents: self.creditToDate.cents - self.debitToDate.cents) : .zero }
    }

    public struct Totals: Sendable, Equatable {
        public let debit: Money
        public let credit: Money
        public let debitToDate: Money
        public let creditToDate: Money
        public let balanceDebit: Money
        public let balanceCredit: Money

        init(_ accounts: [Account]) throws(MoneyOverflow) {
            self.debit = try Money.sum(accounts.map(\.debit))
            self.credit = try Money.sum(accounts.map(\.credit))
            self.debitToDate = try Money.sum(accounts.map(\.debitToDate))
            self.creditToDate = try Money.sum(accounts.map(\.creditToDate))
            self.balanceDebit = try Money.sum(accounts.map(\.balanceDebit))
            self.balanceCredit = try Money.sum(accounts.map(\.balanceCredit))
        }
    }

    public struct Section: Sendable, Equatable {
        public let type: AccountType
        public let accounts: [Account]
        public let totals: Totals
    }

    /// Balance sheet first, then profit and loss (a section without accounts is left out).
    public let sections: [Section]
    public let totals: Totals
    /// Profit (positive) or loss (negative) of the period: P&L credit minus debit.
    public let periodResult: Money
    /// Profit or loss of the year to date.
    public let resultToDate: Money

    public init(_ accounts: [Account]) throws(MoneyOverflow) {
        var sections: [Section] = []
        for type in [AccountType.balance, .profitAndLoss] {
            let part = accounts.filter { $0.type == type }
            if !part.isEmpty { sections.append(Section(type: type, accounts: part, totals: try Totals(part))) }
        }
        self.sections = sections
        self.totals = try Totals(accounts)
        let profitAndLoss = try Totals(accounts.filter { $0.type == .profitAndLoss })
        self.periodResult = try profitAndLoss.credit - profitAndLoss.debit
        self.resultToDate = try profitAndLoss.creditToDate - profitAndLoss.debitToDate
    }

    /// Debit equals credit, for the period and to date.
    public var reconciles: Bool { self.totals.debit == self.totals.credit && self.totals.debitToDate == self.totals.creditToDate }
}

extension TrialBalanceReport {
    /// The report as CSV for a spreadsheet (semicolons, decimal comma, no thousands dots):
    /// every account, the subtotal of each section, the total and the result.
    public func csv(title: String) -> String {
        let amount = SpreadsheetCSV.amount
        let field: (String) -> String = { SpreadsheetCSV.field($0) }
        func row(_ cells: [String]) -> String { cells.joined(separator: ";") }
        func totals(_ label: String, _ t: Totals) -> String {
            row(["", field(label), "", amount(t.debit), amount(t.credit), amount(t.debitToDate), amount(t.creditToDate), amount(t.balanceDebit), amount(t.balanceCredit)])
        }
        var lines = [field(title), row(["Rekening", "Naam", "Soort", "Debet", "Credit", "Debet t/m", "Credit t/m", "Saldo debet", "Saldo credit"])]
        for section in self.sections {
            for account in section.accounts {
                lines.append(
                    row([
                        field(account.number), field(account.name), account.type.rawValue, amount(account.debit), amount(account.credit),
                        amount(account.debitToDate), amount(account.creditToDate), amount(account.balanceDebit), amount(account.balanceCredit),
                    ])
                )
            }
            lines.append(totals(section.type == .balance ? "Totaal balans" : "Totaal winst en verlies", section.totals))
        }
        lines.append(totals("Totaal", self.totals))
        lines.append(row(["", "Resultaat periode", "", "", "", "", "", "", amount(self.periodResult)]))
        lines.append(row(["", "Resultaat t/m", "", "", "", "", "", "", amount(self.resultToDate)]))
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// Cells of a CSV for a spreadsheet: semicolons, decimal comma without thousands dots, and no
/// cell a spreadsheet would run as a formula.
public enum SpreadsheetCSV {
    public static func amount(_ money: Money) -> String {
        let cents = money.cents.magnitude
        return (money.cents < 0 ? "-" : "") + "\(cents / 100)," + (cents % 100 < 10 ? "0" : "") + "\(cents % 100)"
    }

    public static func field(_ text: String) -> String { self.field(text, max: 200) }

    public static func field(_ text: String, max: Int) -> String {
        var clean = TextRules.cleaned(text, max: max)
        if let first = clean.first, "=+-@".contains(first) { clean = "'" + clean }
        return clean.contains(where: { $0 == ";" || $0 == "\"" }) ? "\"" + clean.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : clean
    }
}
