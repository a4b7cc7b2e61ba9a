import Foundation
import LoketClient
import LoketSandbox
import Testing

/// The OAuth half of the contract: our client against the simulator over real loopback HTTP.
@Suite struct OAuthContractTests {
    @Test func codeExchangeWithPKCEAndRotatingRefresh() async throws {
        try await Simulator.run { sim in
            let (response, pkce) = try await sim.authorize(state: "abc+/=")
            #expect(response.state == "abc+/=")
            let code = try #require(response.code)
            let client = TokenClient(environment: sim.environment, transport: sim.transport)
            let tokens = try await client.exchange(code: code, redirectURI: "http://127.0.0.1:9/oauth/callback", verifier: pkce!.verifier, clientSecret: "demo-secret")
            #expect(tokens.expiresIn == 3599)
            #expect(tokens.tokenType == "bearer")
            let refresh = try #require(tokens.refreshToken)
            // Codes are single use.
            await #expect(throws: LoketError.oauth(code: "invalid_grant", description: "code already used")) {
                _ = try await client.exchange(code: code, redirectURI: "http://127.0.0.1:9/oauth/callback", verifier: pkce!.verifier, clientSecret: "demo-secret")
            }
            // Refresh tokens rotate: the old one stops working.
            let rotated = try await client.refresh(refreshToken: refresh, clientSecret: "demo-secret")
            #expect(rotated.refreshToken != refresh)
            await #expect(throws: LoketError.self) { _ = try await client.refresh(refreshToken: refresh, clientSecret: "demo-secret") }
            #expect(sim.handle.refreshes == 1)
        }
    }

    @Test func wrongVerifierSecretRedirectAndExpiredCodesAreRefused() async throws {
        try await Simulator.run { sim in
            let client = TokenClient(environment: sim.environment, transport: sim.transport)
            let redirect = "http://127.0.0.1:9/oauth/callback"
            let (first, _) = try await sim.authorize()
            await #expect(throws: LoketError.oauth(code: "invalid_grant", description: "PKCE verification failed")) {
                _ = try await client.exchange(code: first.code!, redirectURI: redirect, verifier: PKCE().verifier, clientSecret: "demo-secret")
            }
            let (second, pkce2) = try await sim.authorize()
            await #expect(throws: LoketError.oauth(code: "invalid_client", description: nil)) {
                _ = try await client.exchange(code: second.code!, redirectURI: redirect, verifier: pkce2!.verifier, clientSecret: "wrong")
            }
            let (third, pkce3) = try await sim.authorize()
            await #expect(throws: LoketError.oauth(code: "invalid_grant", description: "redirect_uri mismatch")) {
                _ = try await client.exchange(code: third.code!, redirectURI: "http://127.0.0.1:10/other", verifier: pkce3!.verifier, clientSecret: "demo-secret")
            }
            let (fourth, pkce4) = try await sim.authorize()
            sim.clock.advance(61)
            await #expect(throws: LoketError.oauth(code: "invalid_grant", description: "code expired")) {
                _ = try await client.exchange(code: fourth.code!, redirectURI: redirect, verifier: pkce4!.verifier, clientSecret: "demo-secret")
            }
        }
    }

    @Test func cancelWrongPasswordAndTOTP() async throws {
        try await Simulator.run { sim in
            let (cancelled, _) = try await sim.authorize(state: "s1", cancel: true)
            #expect(cancelled.error == "access_denied")
            #expect(cancelled.state == "s1")
            let (wrong, _) = try await sim.authorize(password: "fout")
            #expect(wrong.error == "http_401")
            let (twoFactor, _) = try await sim.authorize(user: "demo2fa")
            #expect(twoFactor.code != nil)
            let (badCode, _) = try await sim.authorize(user: "demo2fa", totp: "000000")
            #expect(badCode.code == nil)
        }
    }

    @Test func onlyLoopbackOrTheRegisteredRedirectIsAccepted() async throws {
        var configuration = SandboxConfiguration()
        configuration.externalRedirectURI = "https://example.org/terug"
        try await Simulator.run(configuration) { sim in
            for (uri, ok) in [
                ("http://127.0.0.1:5555/cb", true), ("http://localhost:1/x", true), ("https://example.org/terug", true),
                ("https://evil.example/cb", false), ("http://192.168.1.2/cb", false),
            ] {
                let url = authorizeURL(environment: sim.environment, redirectURI: uri, state: "s", pkce: PKCE())
                let page = try await sim.transport.send(LoketHTTPRequest(method: "GET", url: url), timeout: Simulator.patience)
                #expect((page.status == 200) == ok, "\(uri)")
            }
        }
    }

    @Test func pkceChallengeIsS256OfTheVerifier() {
        // RFC 7636 appendix B.
        #expect(PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(PKCE().verifier.count == 43)
        #expect(OAuthRandom.token().count >= 43)
    }

    @Test func pastedRedirectAddressesAreRead() {
        #expect(AuthorizationResponse.parse(pastedURL: " https://loket.nl/?state=a%2Bb&code=xyz ") == AuthorizationResponse(code: "xyz", state: "a+b"))
        #expect(AuthorizationResponse.parse(pastedURL: "https://x/?error=access_denied&state=s")?.error == "access_denied")
        #expect(AuthorizationResponse.parse(pastedURL: "niet een adres") == nil)
        #expect(AuthorizationResponse.parse(pastedURL: "https://x/?state=s") == nil)
    }
}
