import Foundation
import Hummingbird
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The way back in: a running loonjournaal listens on a Unix socket in its data directory
/// (`control.sock`; the directory is 0700 and the socket 0600, so only the same OS user can
/// connect) and answers `GET /launch-link` with a fresh single-use launch link. `loonjournaal open`
/// (and a second `serve` or the desktop launcher) asks it instead of starting anew.
public enum ControlChannel {
    public static let fileName = "control.sock"

    /// The application listening on the socket; a service of the main application.
    static func application(socketPath: String, running: RunningServer, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get("launch-link") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: running.launchURL() + "\n"))
            )
        }
        return Application(
            router: router, configuration: .init(address: .unixDomainSocket(path: socketPath), serverName: nil),
            onServerRunning: { _ in
                // For this user only (the data directory is 0700 as well).
                chmod(socketPath, 0o600)
            },
            logger: logger
        )
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Nothing listens: loonjournaal does not run with this data directory.
        case notRunning
        case unreadable(String)

        public var description: String {
            switch self {
            case .notRunning: "loonjournaal draait niet met deze gegevensmap. Start het met: loonjournaal serve"
            case .unreadable(let reason): "loonjournaal draait, maar gaf geen startlink: \(reason)"
            }
        }
    }

    /// Asks the running instance for a fresh launch link (blocking, at most `timeout` seconds).
    public static func askForLaunchLink(socketPath: String, timeout: Int = 5) throws(Failure) -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
        defer { close(fd) }
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .unreadable("het pad van de socket is te lang") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.enumerated() { buffer[index] = byte }
            buffer[path.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw .notRunning }
        let request = Array("GET /launch-link HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == request.count else { throw .unreadable("schrijven mislukte") }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while response.count < 65_536 {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            response += chunk[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 200"), let body = text.range(of: "\r\n\r\n") else { throw .unreadable("onverwacht antwoord") }
        let link = text[body.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
        guard link.hasPrefix("http://127.0.0.1:"), link.contains("/launch?token=") else { throw .unreadable("onverwacht antwoord") }
        return link
    }
}
