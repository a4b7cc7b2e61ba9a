import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP exchange with Loket, independent of the HTTP library.
public struct LoketHTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct LoketHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        self.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Sends requests to Loket. The live version uses AsyncHTTPClient; tests may count or fail calls.
public protocol LoketHTTPTransport: Sendable {
    func send(_ request: LoketHTTPRequest, timeout: Duration) async throws -> LoketHTTPResponse
}

/// Transport failures below HTTP.
public enum TransportError: Error, Equatable {
    case timeout
    case unreachable(String)
    case tooLarge
}

/// AsyncHTTPClient without redirect following (a token or code must never be sent elsewhere),
/// with connect/read time-outs and a bound on response size.
public final class LiveHTTPTransport: LoketHTTPTransport {
    private let client: HTTPClient
    public static let maxResponseBytes = 32 * 1024 * 1024

    public init() {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        configuration.decompression = .disabled
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func send(_ request: LoketHTTPRequest, timeout: Duration) async throws -> LoketHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await self.client.execute(outgoing, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
            let buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
            return LoketHTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: Array(buffer.readableBytesView)
            )
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                throw TransportError.timeout
            default:
                throw TransportError.unreachable(String(describing: error))
            }
        } catch is NIOTooManyBytesError {
            throw TransportError.tooLarge
        } catch let error as TransportError {
            throw error
        } catch {
            throw TransportError.unreachable(String(describing: error))
        }
    }

    /// Must be called once when the app stops.
    public func shutdown() async throws {
        try await self.client.shutdown()
    }
}
