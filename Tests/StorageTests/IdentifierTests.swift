import Foundation
import GRDB
import Ledger
import Testing

@testable import Storage

/// Tagged ids: read from a path or form only when they are positive whole numbers, stored and
/// read back as the same INTEGER.
@Suite struct IdentifierTests {
    @Test func onlyPositiveWholeNumbersAreIds() {
        #expect(AdministrationID("17") == AdministrationID(17))
        #expect(EntryID("17")?.rawValue == 17)
        for text in ["0", "-1", "", " 1", "1.0", "abc", "9223372036854775808", String(repeating: "9", count: 40)] {
            #expect(EntryID(text) == nil, "\(text)")
        }
        #expect(ConnectionID(9_223_372_036_854_775_807).description == "9223372036854775807")
        #expect(AdministrationID(2) < AdministrationID(10))
    }

    @Test func idsAreStoredAndReadAsIntegers() throws {
        let temp = try TempDirectory()
        let database = try openDatabase(temp)
        let admin = try database.createAdministration(AdministrationDetails(code: "ID", name: "Id B.V.", fiscalYear: 2026), at: jan)
        let id = try #require(admin.id)
        #expect(try database.administration(id: id)?.name == "Id B.V.")
        #expect(try database.administration(id: AdministrationID(id.rawValue + 1)) == nil)
        // Codable carries the bare number.
        let json = try JSONEncoder().encode(["id": id] as [String: AdministrationID])
        #expect(String(decoding: json, as: UTF8.self) == "{\"id\":\(id.rawValue)}")
        #expect(try JSONDecoder().decode([String: AdministrationID].self, from: json)["id"] == id)
    }
}
