import Testing

@testable import Ledger

@Suite struct AccountMatchingTests {
    @Test func namesAgreeWhenTheyMeanTheSameAccount() {
        #expect(AccountMatching.namesAgree("Lonen en salarissen", "Lonen & salarissen"))
        #expect(AccountMatching.namesAgree("Af te dragen loonheffingen", "af te dragen Loonheffingen"))
        #expect(AccountMatching.namesAgree("Pensioenpremies", "Pensioenpremies te betalen"))
        #expect(AccountMatching.namesAgree("Reservering vakantiegeld", "Reservering vakantiegeld 8%"))
        // An empty name (a payroll file without account names) agrees with anything.
        #expect(AccountMatching.namesAgree(nil, "Kas") && AccountMatching.namesAgree("", "Kas"))
        // The case of issue 12: same number, another account.
        #expect(!AccountMatching.namesAgree("Te betalen kinderopvangbijdrage", "Loonbeslag en overige inhoudingen te betalen"))
        #expect(!AccountMatching.namesAgree("Brutolonen", "Lonen en salarissen"))
        #expect(!AccountMatching.namesAgree("Reservering vakantiegeld", "Reservering eindejaarsuitkering"))
    }

    @Test func aNewAccountIsTypedByItsNumberOrRGSCode() {
        for number in ["0100", "1700", "1710", "1720", "1730", "2000", "3000"] { #expect(AccountMatching.proposedType(number: number) == .balance, "\(number)") }
        for number in ["4000", "4050", "7000", "8000", "9900"] { #expect(AccountMatching.proposedType(number: number) == .profitAndLoss, "\(number)") }
        #expect(AccountMatching.proposedType(number: "4000", rgsCode: "BSchKol") == .balance)
        #expect(AccountMatching.proposedType(number: "1700", rgsCode: "WPerLes") == .profitAndLoss)
        #expect(AccountMatching.proposedType(number: "LOON") == .balance)
    }

    @Test func anAccountIsFoundByNumberOrByName() {
        let chart = [
            AccountSearch.Candidate(number: "4000", name: "Lonen en salarissen", isActive: true),
            AccountSearch.Candidate(number: "4010", name: "Vakantiegeld", isActive: true),
            AccountSearch.Candidate(number: "1720", name: "Reservering vakantiegeld", isActive: true),
            AccountSearch.Candidate(number: "4900", name: "Overige personeelskosten", isActive: false),
        ]
        #expect(AccountSearch.find("4000", in: chart) == .found(0))
        #expect(AccountSearch.find("4000 Lonen en salarissen", in: chart) == .found(0))
        #expect(AccountSearch.find("lonen", in: chart) == .found(0))
        #expect(AccountSearch.find("Vakantiegeld", in: chart) == .found(1))  // the whole name wins over a part
        #expect(AccountSearch.find("vakantie", in: chart) == .ambiguous(["4010 Vakantiegeld", "1720 Reservering vakantiegeld"]))
        #expect(AccountSearch.find("personeelskosten", in: chart) == .notFound)  // inactive: only by number or whole name
        #expect(AccountSearch.find("Overige personeelskosten", in: chart) == .found(3))
        #expect(AccountSearch.find("9999", in: chart) == .notFound)
        #expect(AccountSearch.find("  ", in: chart) == .notFound)
    }
}
