import Testing

@Suite("Audit placeholder")
struct AuditPlaceholderTests {
    @Test func moduleLinks() {}
}
