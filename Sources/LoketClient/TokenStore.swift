import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The secrets of one Loket connection. Kept out of the database, in a 0600 file.
public struct LoketCredentials: Sendable, Equatable, Codable {
    public var clientSecret: String?
    public var accessToken: String?
    public var accessTokenExpiresAt: Date?
    public var refreshToken: String?
    /// When the access token was issued (older files lack it): short-lived tokens are refreshed
    /// a quarter of their lifetime ahead instead of the fixed margin.
    public var accessTokenIssuedAt: Date?

    public init(
        clientSecret: String? = nil, accessToken: String? = nil, accessTokenExpiresAt: Date? = nil, refreshToken: String? = nil,
        accessTokenIssuedAt: Date? = nil
    ) {
        self.clientSecret = clientSecret
        self.accessToken = accessToken
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.refreshToken = refreshToken
        self.accessTokenIssuedAt = accessTokenIssuedAt
    }

    /// The same credentials without tokens (after "verbinding verbreken").
    public var withoutTokens: LoketCredentials {
        LoketCredentials(clientSecret: self.clientSecret)
    }
}

/// Where connection secrets live; live (file) and in-memory versions.
public protocol TokenStore: Sendable {
    func credentials(for connectionId: Int64) async throws -> LoketCredentials?
    /// Replaces the credentials of one connection durably before returning.
    func save(_ credentials: LoketCredentials, for connectionId: Int64) async throws
    func remove(connectionId: Int64) async throws
}

public enum TokenStoreError: Error, Equatable, CustomStringConvertible {
    case loosePermissions(path: String, mode: Int)
    case unreadable(path: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .loosePermissions(let path, let mode):
            "Het sleutelbestand \(path) is leesbaar voor anderen (rechten \(String(mode, radix: 8))). "
                + "Zet het op 600 (chmod 600) of verwijder het en verbind opnieuw met Loket."
        case .unreadable(let path):
            "Het sleutelbestand \(path) is beschadigd. Verwijder het en verbind opnieuw met Loket; koppelingen en concepten blijven bewaard."
        case .writeFailed(let path, let reason):
            "Het sleutelbestand \(path) kan niet worden geschreven: \(reason)"
        }
    }
}

/// `credentials.json` (0600) in the 0700 data directory, replaced atomically:
/// temp file (O_EXCL, 0600) → write → fsync → rename → fsync(dir). A file readable by others is refused.
public actor FileTokenStore: TokenStore {
    public let url: URL

    /// The last contents read or written, with the file identity it came from: every API call
    /// asks for a token, and a `stat` is much cheaper than reading and decoding the file.
    private var cache: (identity: FileIdentity, contents: FileContents)?

    public init(url: URL) {
        self.url = url
    }

    private struct FileContents: Codable {
        var connections: [String: LoketCredentials] = [:]
    }

    /// Each write renames a new file into place, so a new inode means new contents.
    private struct FileIdentity: Equatable {
        let inode: UInt64
        let size: Int64
        let modified: Int
        let modifiedNanoseconds: Int

        init(_ info: stat) {
            self.inode = UInt64(info.st_ino)
            self.size = Int64(info.st_size)
            self.modified = Int(info.st_mtim.tv_sec)
            self.modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
        }
    }

    public func credentials(for connectionId: Int64) throws -> LoketCredentials? {
        try self.read().connections[String(connectionId)]
    }

    public func save(_ credentials: LoketCredentials, for connectionId: Int64) throws {
        var contents = try self.read()
        contents.connections[String(connectionId)] = credentials
        try self.write(contents)
    }

    public func remove(connectionId: Int64) throws {
        var contents = try self.read()
        contents.connections[String(connectionId)] = nil
        try self.write(contents)
    }

    private func read() throws -> FileContents {
        let path = self.url.path
        var info = stat()
        guard stat(path, &info) == 0 else { return FileContents() }
        let mode = Int(info.st_mode) & 0o777
        if mode & 0o077 != 0 { throw TokenStoreError.loosePermissions(path: path, mode: mode) }
        let identity = FileIdentity(info)
        if let cache, cache.identity == identity { return cache.contents }
        guard let data = FileManager.default.contents(atPath: path) else { throw TokenStoreError.unreadable(path: path) }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            let contents = try decoder.decode(FileContents.self, from: data)
            self.cache = (identity, contents)
            return contents
        } catch {
            throw TokenStoreError.unreadable(path: path)
        }
    }

    private func write(_ contents: FileContents) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(contents)
        let directory = self.url.deletingLastPathComponent().path
        let temp = directory + "/.credentials-\(OAuthRandom.token(byteCount: 8)).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TokenStoreError.writeFailed(path: temp, reason: String(cString: strerror(errno))) }
        var ok = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return false }
                offset += written
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temp, self.url.path) == 0 else {
            unlink(temp)
            throw TokenStoreError.writeFailed(path: self.url.path, reason: String(cString: strerror(errno)))
        }
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
        var info = stat()
        self.cache = stat(self.url.path, &info) == 0 ? (FileIdentity(info), contents) : nil
    }
}

/// Keeps credentials in memory (tests).
public actor InMemoryTokenStore: TokenStore {
    private var stored: [Int64: LoketCredentials] = [:]

    public init() {}

    public func credentials(for connectionId: Int64) -> LoketCredentials? { self.stored[connectionId] }
    public func save(_ credentials: LoketCredentials, for connectionId: Int64) { self.stored[connectionId] = credentials }
    public func remove(connectionId: Int64) { self.stored[connectionId] = nil }
}
