import Synchronization

/// The port we actually listen on (known only after binding when port 0 is asked for), from
/// which the Host allow-list, the exact Origin and the cookie name follow.
public final class ServerOrigin: Sendable {
    private let boundPort: Mutex<Int>

    public init(port: Int) {
        self.boundPort = Mutex(port)
    }

    public var port: Int { self.boundPort.withLock { $0 } }

    func setPort(_ port: Int) {
        self.boundPort.withLock { $0 = port }
    }

    /// `http://127.0.0.1:PORT`, the only origin our pages have.
    public var url: String { "http://127.0.0.1:\(self.port)" }

    /// Cookie name unique per app and port (cookies are not isolated by port).
    public var cookieName: String { "loonjournaal-127-0-0-1-\(self.port)" }
}
