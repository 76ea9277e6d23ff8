#if canImport(Glibc)
    import Glibc
#endif

/// Asks the kernel to back a large buffer, not yet written, with transparent huge pages.
///
/// A 100 MB report read into memory, its JSON tape and a SARIF render are each written once,
/// front to back: with 4 KiB pages every 4 KiB written first is a page fault (a fifth of the
/// time of reading a large Trivy report went to them). Linux's default transparent huge page
/// setting (`madvise`) gives 2 MiB pages only to memory that asks for them. Advice, not a
/// requirement: where the kernel has no huge page to give, or on another system, nothing
/// changes; pages reserved but never written stay unbacked either way.
public enum HugePages {
    /// Buffers smaller than this gain too little to be worth the system call.
    public static let minimumByteCount = 8 << 20
    static let hugePageSize = 2 << 20

    /// Advises the whole huge pages inside `byteCount` bytes from `start`.
    public static func advise(_ start: UnsafeRawPointer, byteCount: Int) {
        #if os(Linux)
            guard let range = alignedInterior(start: Int(bitPattern: start), byteCount: byteCount),
                let aligned = UnsafeMutableRawPointer(bitPattern: range.lowerBound)
            else { return }
            _ = madvise(aligned, range.count, MADV_HUGEPAGE)
        #endif
    }

    /// Advises the capacity `array` has reserved (its storage, written or not).
    public static func advise<Element>(reservedCapacityOf array: [Element]) {
        array.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress {
                advise(base, byteCount: array.capacity * MemoryLayout<Element>.stride)
            }
        }
    }

    /// The addresses of the whole huge pages inside the buffer (madvise takes page-aligned
    /// ranges, and advising beyond the buffer would reach into other allocations); nil for a
    /// buffer below ``minimumByteCount`` or holding no whole huge page.
    static func alignedInterior(start: Int, byteCount: Int) -> Range<Int>? {
        guard byteCount >= minimumByteCount else { return nil }
        let first = (start + hugePageSize - 1) & ~(hugePageSize - 1)
        let end = (start + byteCount) & ~(hugePageSize - 1)
        return end > first ? first..<end : nil
    }
}
