import Testing

@testable import Ledger

@Suite struct PayrollFileTests {
    func table(_ text: String, encoding: TextEncoding = .utf8) throws(ImportErrors) -> PayrollFile.Table {
        try PayrollFile.table(Array(text.utf8), encoding: encoding)
    }

    @Test func genericFileWithHeaderAndDutchAmounts() throws {
        let table = try self.table("rekening;omschrijving;debet;credit;kostenplaats\n4000;Lonen;1.234,56;;SAL073\n1710;Netto;;1.234,56;\n")
        #expect(table.header == ["rekening", "omschrijving", "debet", "credit", "kostenplaats"])
        let roles = table.header!.map(PayrollColumnRole.guess)
        #expect(roles == [.account, .description, .debit, .credit, .costCenter])
        let lines = try PayrollFile.lines(table, roles: roles)
        #expect(lines.map(\.debit.cents) == [123_456, 0])
        #expect(lines[0].costCenter == "SAL073" && lines[0].fileLine == 2)
    }

    @Test func otherNotationsAndSignedAmounts() throws {
        let english = try self.table("Account,Description,Debit,Credit\n4000,Wages,\"1,234.56\",\n1710,Net,,\"1,234.56\"\n")
        #expect(english.separator == ",")
        let lines = try PayrollFile.lines(english, roles: [.account, .description, .debit, .credit])
        #expect(lines.map(\.credit.cents) == [0, 123_456])
        let signed = try self.table("4000;Lonen;(12,00)\n4010;Vakantiegeld;-12,00\n1710;Netto;24,00\n")
        #expect(signed.header == nil)
        let signedLines = try PayrollFile.lines(signed, roles: [.account, .description, .amount])
        #expect(signedLines.map(\.credit.cents) == [1200, 1200, 0])
        #expect(signedLines.map(\.debit.cents) == [0, 0, 2400])
        // A negative debit is a credit.
        let negative = try PayrollFile.lines(try self.table("4000;-5,00;\n1710;;-5,00\n"), roles: [.account, .debit, .credit])
        #expect(negative.map(\.credit.cents) == [500, 0] && negative.map(\.debit.cents) == [0, 500])
    }

    @Test func badFilesNameTheirLines() throws {
        #expect(throws: ImportErrors.self) { try self.table("") }
        do {
            _ = try self.table("4000;Lonen;10,00;\n1710;Netto\n")
            Issue.record("expected mismatched columns")
        } catch {
            #expect(error.problems.first?.text == "Regel 2: 2 kolommen, terwijl regel 1 er 4 heeft.")
        }
        do {
            _ = try PayrollFile.lines(try self.table("4000;Lonen;10,00;\n1710;Netto;;9,99\n"), roles: [.account, .description, .debit, .credit])
            Issue.record("expected unbalanced")
        } catch {
            #expect(error.problems.first?.text.contains("niet in balans") == true)
            #expect(error.problems.first?.text.contains("er ontbreekt € 0,01 credit") == true)
        }
        do {
            _ = try PayrollFile.lines(try self.table("4000;Lonen;tien;\n1710;Netto;;10,00\n"), roles: [.account, .description, .debit, .credit])
            Issue.record("expected a bad amount")
        } catch {
            #expect(error.problems.first?.line == 1)
        }
        #expect(throws: ImportErrors.self) { try PayrollFile.lines(try self.table("4000;10,00\n1710;-10,00\n"), roles: [.description, .amount]) }
        var cp1252 = Array("4000;Lonen ".utf8)
        cp1252.append(0xE9)
        cp1252 += Array(";10,00;\n1710;Netto;;10,00\n".utf8)
        #expect(throws: ImportErrors.self) { try PayrollFile.table(cp1252, encoding: .utf8) }
        #expect(try PayrollFile.table(cp1252, encoding: .windows1252).rows[0].fields[1] == "Lonen é")
    }
}
