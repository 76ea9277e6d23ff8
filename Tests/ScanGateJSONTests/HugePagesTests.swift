import Testing

@testable import ScanGateJSON

@Suite("Huge page advice")
struct HugePagesTests {
    let hugePage = 2 << 20

    @Test("only whole huge pages inside the buffer are advised")
    func interiorStaysInside() throws {
        let start = 7 * hugePage + 123
        let byteCount = 20 << 20
        let range = try #require(HugePages.alignedInterior(start: start, byteCount: byteCount))
        #expect(range.lowerBound == 8 * hugePage)
        #expect(range.upperBound == (start + byteCount) / hugePage * hugePage)
        #expect(range.lowerBound >= start && range.upperBound <= start + byteCount)
        #expect(range.count % hugePage == 0)
    }

    @Test("an aligned buffer is advised whole")
    func alignedBufferWhole() {
        #expect(HugePages.alignedInterior(start: 4 * hugePage, byteCount: 5 * hugePage) == 4 * hugePage..<9 * hugePage)
    }

    @Test("small buffers are left alone")
    func smallBuffersSkipped() {
        #expect(HugePages.alignedInterior(start: 4 * hugePage, byteCount: HugePages.minimumByteCount - 1) == nil)
    }

    @Test("advising a real buffer leaves its contents as written")
    func adviceKeepsContents() {
        let count = 12 << 20
        let buffer = [UInt8](unsafeUninitializedCapacity: count) { memory, initialized in
            guard let base = memory.baseAddress else { return }
            HugePages.advise(base, byteCount: count)
            for index in 0..<count { memory[index] = UInt8(truncatingIfNeeded: index &* 31) }
            initialized = count
        }
        #expect(buffer.count == count)
        #expect(buffer[count - 1] == UInt8(truncatingIfNeeded: (count - 1) &* 31))
        #expect(buffer.indices.allSatisfy { buffer[$0] == UInt8(truncatingIfNeeded: $0 &* 31) })
    }
}
