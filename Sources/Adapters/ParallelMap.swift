import Foundation

/// A map whose elements are computed on several threads at once, results in input order.
enum ParallelMap {
    static func map<Element: Sendable, Output: Sendable>(
        _ elements: [Element], _ transform: @escaping @Sendable (Element) -> Output
    ) -> [Output] {
        guard elements.count > 1 else { return elements.map(transform) }
        let slots = Slots<Output>(count: elements.count)
        DispatchQueue.concurrentPerform(iterations: elements.count) { index in
            slots.set(index, transform(elements[index]))
        }
        return slots.values
    }

    /// One result per element, filled from several threads.
    private final class Slots<Output: Sendable>: @unchecked Sendable {
        private var storage: [Output?]
        private let lock = NSLock()

        init(count: Int) { storage = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ value: Output) {
            lock.lock()
            storage[index] = value
            lock.unlock()
        }

        /// Every slot, once `concurrentPerform` has returned (each index is set exactly once).
        var values: [Output] { lock.withLock { storage.compactMap { $0 } } }
    }
}
