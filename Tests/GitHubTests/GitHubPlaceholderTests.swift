import Testing

@Suite("GitHub placeholder")
struct GitHubPlaceholderTests {
    @Test func moduleLinks() {}
}
