import Testing

@Suite("SARIF placeholder")
struct SARIFPlaceholderTests {
    @Test func moduleLinks() {}
}
