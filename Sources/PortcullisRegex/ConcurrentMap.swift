import Dispatch

extension Array where Element: Sendable {
    /// `transform` of every element, in order, computed on every processor in
    /// chunks of `chunk` elements (fewer elements: on this thread).
    package func concurrentMap<T: Sendable>(chunk: Int = 32, _ transform: @Sendable (Element) -> T) -> [T] {
        if count <= chunk { return map(transform) }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let slots = Slots(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { c in
                for i in c * chunk ..< Swift.min(count, (c + 1) * chunk) {
                    slots.initialize(i, to: transform(self[i]))
                }
            }
            initialized = count
        }
    }
}

/// The uninitialized result buffer; each chunk writes only its own slots.
private struct Slots<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>

    func initialize(_ i: Int, to value: T) { (base + i).initialize(to: value) }
}
