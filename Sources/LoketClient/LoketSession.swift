import Foundation

/// What happened to a connection's tokens, for the connection page (never the tokens themselves).
public enum TokenEvent: Sendable, Equatable {
    case refreshed(expiresAt: Date)
    case reconnectNeeded(reason: String)
}

/// Hands out a valid access token for one connection: refreshes ahead of expiry and once after a
/// 401, one refresh at a time (concurrent callers share it), and writes the newest refresh token
/// durably before anyone uses the new access token.
public actor LoketSession {
    public let connectionId: Int64
    let tokenClient: TokenClient
    let store: any TokenStore
    let now: @Sendable () -> Date
    let onEvent: @Sendable (TokenEvent) async -> Void
    /// Refresh when fewer than this many seconds remain.
    let refreshMargin: TimeInterval
    private var refreshing: Task<String, any Error>?
    /// The token of the last refresh by this session (see `accessToken(rejected:)`).
    private var latestRefreshed: (token: String, expiresAt: Date)?
    private(set) var refreshCount = 0

    public init(
        connectionId: Int64,
        tokenClient: TokenClient,
        store: any TokenStore,
        refreshMargin: TimeInterval = 120,
        now: @escaping @Sendable () -> Date = { Date() },
        onEvent: @escaping @Sendable (TokenEvent) async -> Void = { _ in }
    ) {
        self.connectionId = connectionId
        self.tokenClient = tokenClient
        self.store = store
        self.refreshMargin = refreshMargin
        self.now = now
        self.onEvent = onEvent
    }

    /// A token that is valid for at least `refreshMargin` seconds, refreshed if needed.
    /// `rejected` is a token Loket just answered 401 to: it is refreshed even if it looks valid.
    public func accessToken(rejected: String? = nil) async throws -> String {
        if let refreshing { return try await refreshing.value }
        guard let credentials = try await self.store.credentials(for: self.connectionId),
            credentials.refreshToken != nil || credentials.accessToken != nil
        else { throw LoketError.notConnected }
        // Reading the store suspends this actor: another caller may have started (or even
        // finished) the one refresh meanwhile. Join it, or take its token, instead of
        // refreshing again with a refresh token that it has just rotated away.
        if let refreshing { return try await refreshing.value }
        if let rejected, let fresh = self.latestRefreshed, fresh.token != rejected, fresh.expiresAt.timeIntervalSince(self.now()) > 0 {
            return fresh.token
        }
        if let token = credentials.accessToken, token != rejected, let expiry = credentials.accessTokenExpiresAt,
            expiry.timeIntervalSince(self.now()) > self.margin(credentials)
        {
            return token
        }
        let task = Task { try await self.refresh(credentials) }
        self.refreshing = task
        defer { self.refreshing = nil }
        return try await task.value
    }

    /// The fixed margin, or a quarter of the lifetime for tokens shorter than four margins.
    func margin(_ credentials: LoketCredentials) -> TimeInterval {
        guard let issued = credentials.accessTokenIssuedAt, let expiry = credentials.accessTokenExpiresAt else { return self.refreshMargin }
        return min(self.refreshMargin, max(expiry.timeIntervalSince(issued), 0) / 4)
    }

    private func refresh(_ credentials: LoketCredentials) async throws -> String {
        guard let refreshToken = credentials.refreshToken else {
            throw LoketError.reconnectNeeded("geen vernieuwingssleutel")
        }
        let response: TokenResponse
        do {
            response = try await self.tokenClient.refresh(refreshToken: refreshToken, clientSecret: credentials.clientSecret)
        } catch LoketError.oauth(let code, _) where code == "invalid_grant" || code == "invalid_client" {
            // The refresh token is dead: forget the tokens (never the secret), ask to reconnect.
            try await self.store.save(credentials.withoutTokens, for: self.connectionId)
            let reason = code == "invalid_grant" ? "vernieuwingssleutel geweigerd" : "client geweigerd"
            await self.onEvent(.reconnectNeeded(reason: reason))
            throw LoketError.reconnectNeeded(reason)
        }
        let issuedAt = self.now()
        let expiresAt = issuedAt.addingTimeInterval(TimeInterval(response.expiresIn))
        var updated = credentials
        updated.accessToken = response.accessToken
        updated.accessTokenExpiresAt = expiresAt
        updated.accessTokenIssuedAt = issuedAt
        updated.refreshToken = response.refreshToken ?? refreshToken
        try await self.store.save(updated, for: self.connectionId)
        self.latestRefreshed = (response.accessToken, expiresAt)
        self.refreshCount += 1
        await self.onEvent(.refreshed(expiresAt: expiresAt))
        return response.accessToken
    }

    /// Stores the tokens of a fresh code exchange.
    public func begin(with response: TokenResponse, clientSecret: String?) async throws {
        let credentials = LoketCredentials(
            clientSecret: clientSecret,
            accessToken: response.accessToken,
            accessTokenExpiresAt: self.now().addingTimeInterval(TimeInterval(response.expiresIn)),
            refreshToken: response.refreshToken,
            accessTokenIssuedAt: self.now()
        )
        try await self.store.save(credentials, for: self.connectionId)
    }

    public var refreshes: Int { self.refreshCount }
}
