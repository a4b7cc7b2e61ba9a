import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where loonjournaal keeps its database, backups and credentials, and the lock that keeps a
/// second instance out.
public struct DataDirectory: Sendable {
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    /// `--data-dir` wins over `LOONJOURNAAL_DATA_DIR`, which wins over `$XDG_DATA_HOME/loonjournaal`,
    /// then `~/.local/share/loonjournaal`.
    public static func resolve(explicit: String?, environment: [String: String]) -> DataDirectory {
        if let explicit, !explicit.isEmpty { return DataDirectory(url: self.absolute(explicit)) }
        if let env = environment["LOONJOURNAAL_DATA_DIR"], !env.isEmpty { return DataDirectory(url: self.absolute(env)) }
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            return DataDirectory(url: URL(fileURLWithPath: xdg).appending(path: "loonjournaal"))
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return DataDirectory(url: URL(fileURLWithPath: home).appending(path: ".local/share/loonjournaal"))
    }

    static func absolute(_ path: String) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        return URL(fileURLWithPath: expanded).standardizedFileURL
    }

    public var databaseURL: URL { self.url.appending(path: "loonjournaal.sqlite") }
    public var backupsURL: URL { self.url.appending(path: "backups") }

    /// Creates the directory (and parents) and makes it private to this user (0700).
    public func prepare() throws(DataDirectoryError) {
        do {
            try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: self.url.path)
        } catch {
            throw .cannotCreate(path: self.url.path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Takes the exclusive lock on the data directory; a second instance gets `.inUse`.
    public func acquireLock() throws(DataDirectoryError) -> DataDirectoryLock {
        let path = self.url.appending(path: "loonjournaal.lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotCreate(path: path, reason: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw .inUse(path: self.url.path)
        }
        return DataDirectoryLock(fd: fd)
    }
}

/// Holds the data-directory lock for as long as it lives.
public final class DataDirectoryLock: Sendable {
    let fd: Int32

    init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        flock(self.fd, LOCK_UN)
        close(self.fd)
    }
}

public enum DataDirectoryError: Error, CustomStringConvertible, Equatable {
    case cannotCreate(path: String, reason: String)
    case inUse(path: String)

    /// Dutch text for the terminal.
    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason):
            "De gegevensmap \(path) kan niet worden aangemaakt: \(reason)"
        case .inUse(let path):
            "loonjournaal draait al met de gegevensmap \(path). Kom erin met: loonjournaal open "
                + "(of stop het andere proces eerst, of kies een andere map met --data-dir)."
        }
    }
}
