import Testing

@testable import Ledger

@Suite struct AccountRulesTests {
    @Test func acceptsAndTrimsUsualNumbers() throws {
        #expect(try AccountRules.number(" 4000 ") == "4000")
        #expect(try AccountRules.number("1206010") == "1206010")
        #expect(try AccountRules.number("B.1-2a") == "B.1-2a")
    }

    @Test func refusesEmptyLongAndOddNumbers() {
        #expect(throws: FieldError.self) { try AccountRules.number("   ") }
        #expect(throws: FieldError(field: "number", message: "Het rekeningnummer is te lang (21 tekens; maximaal 20).")) {
            try AccountRules.number(String(repeating: "1", count: 21))
        }
        #expect(throws: FieldError.self) { try AccountRules.number("40 00") }
        #expect(throws: FieldError.self) { try AccountRules.number("<script>") }
    }

    @Test func namesAreTrimmedAndLimited() throws {
        #expect(try AccountRules.name("  Lonen en salarissen ") == "Lonen en salarissen")
        #expect(throws: FieldError.self) { try AccountRules.name("") }
        #expect(throws: FieldError.self) { try AccountRules.name(String(repeating: "x", count: 101)) }
        #expect(throws: FieldError.self) { try AccountRules.name("Lonen\u{0007}") }
        #expect(try AccountRules.name(String(repeating: "é", count: 100)).count == 100)
    }

    @Test func typeCodes() throws {
        #expect(try AccountRules.type("B") == .balance)
        #expect(try AccountRules.type("w") == .profitAndLoss)
        #expect(try AccountRules.type("Balans") == .balance)
        #expect(throws: FieldError.self) { try AccountRules.type("X") }
        #expect(throws: FieldError.self) { try AccountRules.type("") }
    }

    @Test func rgsCodes() throws {
        #expect(try AccountRules.rgsCode("") == nil)
        #expect(try AccountRules.rgsCode(" WPerLes ") == "WPerLes")
        #expect(throws: FieldError.self) { try AccountRules.rgsCode("4000") }
        #expect(throws: FieldError.self) { try AccountRules.rgsCode("W Per") }
    }

    @Test func starterChartHasThePayrollAccountsAndIsItselfValid() throws {
        let names = Set(StarterChart.accounts.map(\.name))
        for expected in [
            "Lonen en salarissen", "Vakantiegeld", "Sociale lasten", "Pensioenlasten", "Reiskostenvergoeding",
            "Af te dragen loonheffingen", "Te betalen nettolonen", "Reservering vakantiegeld", "Pensioenpremies te betalen",
        ] {
            #expect(names.contains(expected), "missing \(expected)")
        }
        #expect(Set(StarterChart.accounts.map(\.number)).count == StarterChart.accounts.count)
        for account in StarterChart.accounts {
            #expect(try AccountRules.number(account.number) == account.number)
            #expect(try AccountRules.name(account.name) == account.name)
            #expect(try AccountRules.rgsCode(account.rgsCode ?? "") == account.rgsCode)
            if let rgs = account.rgsCode { #expect(rgs.first == Character(account.type.rawValue)) }
        }
    }
}

@Suite struct AdministrationRulesTests {
    @Test func validatesAndNormalisesCompanyData() throws {
        let details = try AdministrationRules.validate(
            AdministrationInput(
                code: " bakker01 ",
                name: " Bakkerij Jansen B.V. ",
                fiscalYear: "2026",
                chamberOfCommerceNumber: "1234 5678",
                vatNumber: "nl 123456789 b01",
                rsin: "111222333",
                street: "Dorpsstraat 1",
                postalCode: "1234ab",
                city: "Utrecht",
                country: ""
            )
        )
        #expect(details.code == "BAKKER01")
        #expect(details.name == "Bakkerij Jansen B.V.")
        #expect(details.chamberOfCommerceNumber == "12345678")
        #expect(details.vatNumber == "NL123456789B01")
        #expect(details.postalCode == "1234 AB")
        #expect(details.country == "NL")
    }

    @Test func reportsEveryProblemAtOnce() {
        do {
            _ = try AdministrationRules.validate(
                AdministrationInput(code: "", name: "", fiscalYear: "26", chamberOfCommerceNumber: "123", vatNumber: "NL12", rsin: "123456789", postalCode: "123")
            )
            Issue.record("expected validation errors")
        } catch {
            let fields = Set(error.errors.map(\.field))
            #expect(fields == ["code", "name", "fiscalYear", "chamberOfCommerceNumber", "vatNumber", "rsin", "postalCode"])
        }
    }

    @Test func elevenProof() {
        #expect(AdministrationRules.isElevenProof("111222333"))
        #expect(!AdministrationRules.isElevenProof("123456789"))
        #expect(!AdministrationRules.isElevenProof("000000000"))
    }
}
