import Testing

@Suite("Signatures placeholder")
struct SignaturesPlaceholderTests {
    @Test func moduleLinks() {}
}
