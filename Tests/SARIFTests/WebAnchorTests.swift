import Testing

@testable import SARIF

/// Web findings' synthetic paths: ASCII URLs are anchored from their bytes, which must give the
/// path the general (Character) reading gives, or a finding's location moves between releases.
@Suite struct WebAnchorTests {
    @Test func asciiURLsGetTheGeneralPath() {
        let schemes = ["http://", "https://", "", "ftp:/", "HTTP://"]
        let authorities = ["", "Host.Example", "user:pw@HOST:8080", "a@b@c", ".", "..", "@", "x:"]
        let paths = ["", "/", "/a/../b c", "//x///y/", "/./.../:", "/A:B/..", "/p?q=1/2", "/p#f/g", "?q", "#", "/%41"]
        var checked = 0
        for scheme in schemes {
            for authority in authorities {
                for path in paths {
                    let url = scheme + authority + path
                    #expect(
                        AnchorResolver.webAnchor(url) == AnchorResolver.webAnchorFromCharacters(url), "\(url)")
                    checked += 1
                }
            }
        }
        #expect(checked == schemes.count * authorities.count * paths.count)
    }

    @Test func examplePaths() {
        #expect(
            AnchorResolver.webAnchor("http://User@Staging.Example:8443/a/./b/..?x=1#top")?.path
                == ".scangate/web/staging.example_8443/a/_./b/_..")
        #expect(AnchorResolver.webAnchor("https://example.test")?.path == ".scangate/web/example.test")
        #expect(AnchorResolver.webAnchor("https://user@/path") == nil)
        #expect(AnchorResolver.webAnchor("/relative/only") == nil)
        // Outside ASCII the general path decides; the host is lower-cased as a String.
        #expect(AnchorResolver.webAnchor("https://BÜCHER.example/ä")?.path == ".scangate/web/bücher.example/ä")
    }
}
