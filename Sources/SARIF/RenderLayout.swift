/// Where a rendered SARIF file's runs put their rules and results, and how many bytes each took:
/// what ``SARIFWriter`` estimates the gzip size of a smaller file from, without rendering and
/// compressing it again.
struct RenderLayout {
    struct Run {
        /// Bytes of the rules array's contents.
        var rulesRange: Range<Int> = 0..<0
        /// Each rule, by id.
        var rules: [String: RenderedRule] = [:]
        /// Bytes of the results array's contents.
        var resultsRange: Range<Int> = 0..<0
        /// Each result by its finding's index: its rule id and its rendered bytes.
        var results: [Int: (ruleID: String, bytes: Int)] = [:]
    }

    /// A rule as rendered: a later render of the same file (with fewer results) copies its bytes
    /// instead of writing it again.
    struct RenderedRule {
        /// The rule object, from `{` to `}`.
        var value: Range<Int>
        /// Bytes the rule added to the file, with its separator and indentation.
        var bytes: Int
    }

    var runs: [Run] = []

    /// A size model of the rendered `bytes` this layout describes: compression ratios of each
    /// run's rules and results, from compressing samples at the writer's measuring level.
    func sizeModel(of bytes: [UInt8]) -> SizeModel {
        let sectionBytes = runs.reduce(0) { $0 + $1.rulesRange.count + $1.resultsRange.count }
        return SizeModel(
            layout: self, fixedBytes: max(0, bytes.count - sectionBytes),
            ruleRatios: runs.map { Self.compressionRatio(of: $0.rulesRange, in: bytes) },
            resultRatios: runs.map { Self.compressionRatio(of: $0.resultsRange, in: bytes) })
    }

    /// Estimates the gzip size of the file with only some of its results.
    struct SizeModel {
        var layout: RenderLayout
        /// Everything outside the rules and results (headers, run properties), counted
        /// uncompressed: an upper bound.
        var fixedBytes: Int
        /// Compressed / raw size of each run's rules and of its results.
        var ruleRatios: [Double]
        var resultRatios: [Double]

        /// How many of `ordered` (most important first) can be kept with an estimated gzip size
        /// of at most `target` bytes. A result costs its rendered bytes times its run's results
        /// ratio; the first kept result of a rule also brings the rule, at the rules' ratio.
        func keptCount(_ ordered: [(plan: Int, finding: Int)], fitting target: Int) -> Int {
            var estimate = Double(fixedBytes)
            var keptRules = Set<RuleKey>()
            for (position, entry) in ordered.enumerated() {
                guard entry.plan < layout.runs.count else { continue }
                let run = layout.runs[entry.plan]
                guard let result = run.results[entry.finding] else { continue }
                var cost = Double(result.bytes) * resultRatios[entry.plan]
                if keptRules.insert(RuleKey(plan: entry.plan, ruleID: result.ruleID)).inserted {
                    cost += Double(run.rules[result.ruleID]?.bytes ?? 0) * ruleRatios[entry.plan]
                }
                if estimate + cost > Double(target) { return position }
                estimate += cost
            }
            return ordered.count
        }
    }

    private struct RuleKey: Hashable {
        var plan: Int
        var ruleID: String
    }

    /// Compressed / raw size of `range`, from evenly spaced 1 MiB slices covering at least a tenth
    /// of it (all of it when under 4 MiB). Slices are compressed separately, so the ratio errs
    /// slightly high (each slice starts without history), the safe side for a size limit.
    static func compressionRatio(of range: Range<Int>, in bytes: [UInt8]) -> Double {
        guard !range.isEmpty else { return 0 }
        let sliceLength = 1 << 20
        var slices: [Range<Int>] = []
        if range.count <= 4 * sliceLength {
            slices = [range]
        } else {
            let count = max(4, range.count / (10 * sliceLength))
            let stride = (range.count - sliceLength) / (count - 1)
            slices = (0..<count).map { index in
                let start = range.lowerBound + index * stride
                return start..<min(range.upperBound, start + sliceLength)
            }
        }
        var raw = 0
        var compressed = 0
        for slice in slices {
            guard let size = try? gzipCompressedSize(bytes[slice], level: SARIFWriter.measuringLevel) else {
                return 1  // zlib failed: assume no compression, the safe side
            }
            raw += slice.count
            compressed += size
        }
        return raw == 0 ? 0 : Double(compressed) / Double(raw)
    }
}
