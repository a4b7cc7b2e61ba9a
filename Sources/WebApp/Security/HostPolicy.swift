/// Which `Host` values the server answers (defence against DNS rebinding): loopback names with
/// our own port only. `127.0.0.1:PORT` is canonical; `localhost` and `[::1]` are redirected to it
/// before any cookie is set.
public struct HostPolicy: Sendable, Equatable {
    public let port: Int

    public init(port: Int) {
        self.port = port
    }

    public enum Decision: Equatable, Sendable {
        case canonical
        case redirectToCanonical
        case refuse
    }

    public var canonicalHost: String { "127.0.0.1:\(self.port)" }
    public var canonicalOrigin: String { "http://127.0.0.1:\(self.port)" }

    public func decide(_ host: String?) -> Decision {
        guard let host, !host.isEmpty else { return .refuse }
        let lowered = host.lowercased()
        if lowered == self.canonicalHost { return .canonical }
        if lowered == "localhost:\(self.port)" || lowered == "[::1]:\(self.port)" { return .redirectToCanonical }
        return .refuse
    }
}
