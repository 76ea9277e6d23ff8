import Testing

@Suite("Reports placeholder")
struct ReportsPlaceholderTests {
    @Test func moduleLinks() {}
}
