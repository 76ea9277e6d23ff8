import Testing

@Suite("Policy placeholder")
struct PolicyPlaceholderTests {
    @Test func moduleLinks() {}
}
