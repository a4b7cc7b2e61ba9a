import Foundation
import Synchronization

/// Values parked for one hop of the browser (single use, one minute): OAuth answers that
/// arrived without our cookie, and authorize URLs on the way to Loket. Only a random key is
/// ever put in a page or URL.
final class SingleUseParking<Value: Sendable>: Sendable {
    private let parked = Mutex<[String: (value: Value, expires: Date)]>([:])
    private let lifetime: TimeInterval
    private let now: @Sendable () -> Date

    init(lifetime: TimeInterval = 60, now: @escaping @Sendable () -> Date) {
        self.lifetime = lifetime
        self.now = now
    }

    func park(_ value: Value) -> String {
        let key = SecureRandom.token()
        self.parked.withLock { parked in
            let now = self.now()
            parked = parked.filter { $0.value.expires > now }
            parked[key] = (value, now.addingTimeInterval(self.lifetime))
        }
        return key
    }

    /// The value without using it up (a form shown again after an error).
    func get(_ key: String) -> Value? {
        self.parked.withLock { $0[key].flatMap { $0.expires > self.now() ? $0.value : nil } }
    }

    func remove(_ key: String) {
        self.parked.withLock { _ = $0.removeValue(forKey: key) }
    }

    func exists(_ key: String) -> Bool {
        self.parked.withLock { $0[key].map { $0.expires > self.now() } ?? false }
    }

    func take(_ key: String) -> Value? {
        self.parked.withLock { parked in
            guard let entry = parked.removeValue(forKey: key), entry.expires > self.now() else { return nil }
            return entry.value
        }
    }
}
