import Testing

@testable import Ledger

@Suite struct ChartCSVTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func readsAccountsWithHeaderBOMQuotesAndRGS() throws {
        let csv = "\u{FEFF}nummer;naam;soort;rgs\r\n4000;Lonen en salarissen;W;WPerLes\r\n\r\n1700;\"Af te dragen; loonheffingen\";b\r\n"
        let entries = try ChartCSV.parse(bytes(csv), encoding: .utf8)
        #expect(entries.map(\.line) == [2, 4])
        #expect(entries[0].account == ChartAccount(number: "4000", name: "Lonen en salarissen", type: .profitAndLoss, rgsCode: "WPerLes"))
        #expect(entries[1].account.name == "Af te dragen; loonheffingen")
        #expect(entries[1].account.type == .balance)
    }

    @Test func wrongSeparatorIsNamed() {
        #expect(throws: ImportErrors.self) { try ChartCSV.parse(self.bytes("4000,Lonen,W\n"), encoding: .utf8) }
        do {
            _ = try ChartCSV.parse(self.bytes("4000,Lonen,W\n"), encoding: .utf8)
        } catch {
            #expect(error.problems.first?.line == 1)
            #expect(error.problems.first?.text.contains("komma") == true)
        }
    }

    @Test func missingColumnsAndBadFieldsNameTheirLines() {
        do {
            _ = try ChartCSV.parse(self.bytes("4000;Lonen;W\n4010;Vakantiegeld\n;Leeg;W\n4020;X;Q\n4000;Dubbel;W\n"), encoding: .utf8)
            Issue.record("expected errors")
        } catch {
            let lines = error.problems.compactMap(\.line)
            #expect(lines == [2, 3, 4, 5])
            #expect(error.problems[3].text == "Regel 5: rekeningnummer 4000 staat ook al op regel 1.")
        }
    }

    @Test func windows1252IsRefusedAsUTF8AndReadWhenChosen() throws {
        // "4300;Reiskostenvergoeding ñ€;W" in Windows-1252.
        var raw = Array("4000;Lonen;W\n4300;Reiskosten ".utf8)
        raw += [0xF1, 0x80]
        raw += Array(";W\n".utf8)
        do {
            _ = try ChartCSV.parse(raw, encoding: .utf8)
            Issue.record("expected an encoding error")
        } catch {
            #expect(error.problems.first?.line == 2)
            #expect(error.problems.first?.message.contains("Windows-1252") == true)
        }
        let entries = try ChartCSV.parse(raw, encoding: .windows1252)
        #expect(entries[1].account.name == "Reiskosten ñ€")
    }

    @Test func binaryEmptyAndHugeFilesAreRefused() {
        #expect(throws: ImportErrors(line: nil, "Het bestand is leeg.")) { try ChartCSV.parse([], encoding: .utf8) }
        #expect(throws: ImportErrors.self) { try ChartCSV.parse([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01], encoding: .utf8) }
        let big = [UInt8](repeating: 0x41, count: 10 * 1024 * 1024)
        do {
            _ = try ChartCSV.parse(big, encoding: .utf8)
        } catch {
            #expect(error.problems.first?.message == "Het bestand is te groot (10 MB; maximaal 1 MB).")
        }
        #expect(throws: ImportErrors.self) { try ChartCSV.parse(self.bytes("nummer;naam;soort\n"), encoding: .utf8) }
    }
}
