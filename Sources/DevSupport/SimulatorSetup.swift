import Foundation
import LoketClient
import PayrollImport
import Storage

/// Development only (`dev-setup`, `bench-sync`, tests): connects a data directory to a running
/// simulator the way a user would (OAuth code flow with state and PKCE, login demo/demo posted
/// to the simulator's form), fetches the company list and links every payroll administration
/// (also those without journal profile) to a new administration with the starter chart.
public enum SimulatorSetup {
    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func connectAndLinkAll(loket: LoketService, sandboxURL: String, starterChart: Bool, fiscalYear: Int = 2026) async throws -> Int {
        let database = loket.database
        let transport = loket.transport
        let connection = try await loket.createConnection(
            LoketService.ConnectionInput(
                name: "Loket-simulator", environment: .simulator, authURL: "", apiURL: "", clientId: "loonjournaal-demo",
                clientSecret: "demo-secret", externalRedirectURI: ""
            ),
            simulatorURL: sandboxURL
        )
        let browserSession = "dev-setup"
        let authorize = try loket.beginLogin(connectionId: connection.id!, browserSession: browserSession, loopbackOrigin: "http://127.0.0.1:9")
        let items = URLComponents(string: authorize)?.queryItems ?? []
        func value(_ name: String) -> String { items.first { $0.name == name }?.value ?? "" }
        let fields = [
            ("client_id", value("client_id")), ("redirect_uri", value("redirect_uri")), ("state", value("state")),
            ("code_challenge", value("code_challenge")), ("code_challenge_method", value("code_challenge_method")),
            ("scope", value("scope")), ("username", "demo"), ("password", "demo"), ("action", "login"),
        ]
        let body = fields.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        let response = try await transport.send(
            LoketHTTPRequest(
                method: "POST", url: sandboxURL + "/authorize", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8)
            ),
            timeout: .seconds(30)
        )
        guard response.status == 302, let location = response.header("Location"), let answer = LoginReply.parse(pastedURL: location) else {
            throw SetupError(description: "De simulator gaf geen aanmeldcode (status \(response.status)).")
        }
        do {
            _ = try await loket.completeLogin(answer, browserSession: browserSession)
        } catch {
            throw SetupError(description: "Aanmelden bij de simulator mislukte: \(error.explanation)")
        }
        // The company list is asked again when the simulator injects faults.
        for attempt in 1...5 {
            do {
                _ = try await loket.refreshCompanyList(connectionId: connection.id!)
                break
            } catch where attempt < 5 {
                continue
            }
        }
        var linked = try loket.linkAll(connectionId: connection.id!, fiscalYear: fiscalYear).linked
        // "Alles koppelen" leaves those without journal profile alone; linked one by one here, so
        // that a sync also shows why nothing comes for them (every branch of the simulator).
        for row in try database.companyList(connectionId: connection.id!) where row.linkId == nil {
            guard let id = row.payrollAdministrationId else { continue }
            _ = try loket.link(connectionId: connection.id!, payrollAdministrationId: id, to: .newAdministration(fiscalYear: fiscalYear))
            linked += 1
        }
        if starterChart {
            let bookkeeping = Bookkeeping(database: database)
            for target in try database.syncTargets() {
                _ = try bookkeeping.addStarterChart(administrationId: target.administrationId)
            }
        }
        return linked
    }
}
