import Findings
import Foundation

/// The HTML report's one stylesheet and one script, and the Content-Security-Policy that
/// allows exactly these two (by SHA-256 hash) and nothing else: no external or other inline
/// script, style, font, image, frame, form target or base URL.
enum HTMLReportAssets {
    static let contentSecurityPolicy: String =
        "default-src 'none'; style-src '\(hash(stylesheet))'; script-src '\(hash(script))'; img-src 'none'; "
        + "font-src 'none'; connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; "
        + "form-action 'none'"

    /// `sha256-<base64>` of the exact text between the tags.
    static func hash(_ text: String) -> String {
        let hex = Array(Fingerprint.sha256Hex(Array(text.utf8)).utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        func nibble(_ byte: UInt8) -> UInt8 { byte >= UInt8(ascii: "a") ? byte - UInt8(ascii: "a") + 10 : byte - 48 }
        var index = 0
        while index + 1 < hex.count {
            bytes.append(nibble(hex[index]) << 4 | nibble(hex[index + 1]))
            index += 2
        }
        return "sha256-" + Data(bytes).base64EncodedString()
    }

    static let stylesheet = """

        :root { --critical: #8e1b1b; --high: #d2362f; --medium: #e07b00; --low: #b89500; --info: #2f6db3;
          --unknown: #6b6b6b; --line: #d6d6d6; --muted: #5c5c5c; color-scheme: light; }
        * { box-sizing: border-box; }
        [hidden] { display: none !important; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
          margin: 0 auto; max-width: 1400px; padding: 1rem 1.5rem 3rem; color: #1d1d1d; background: #fff; }
        h1 { font-size: 1.6rem; margin: .2rem 0; }
        h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
        h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
        .meta, .muted { color: var(--muted); }
        nav a { margin-right: 1rem; }
        table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
        th, td { border: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
        th { background: #f3f3f3; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        table.counts { width: auto; }
        code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .92em;
          overflow-wrap: anywhere; }
        .text { white-space: pre-wrap; overflow-wrap: anywhere; margin: .2rem 0 .6rem; }
        .sev { display: inline-block; min-width: 5.2em; padding: 0 .35em; border-radius: 3px; color: #fff;
          font-weight: 600; text-align: center; }
        .sev-critical { background: var(--critical); } .sev-high { background: var(--high); }
        .sev-medium { background: var(--medium); } .sev-low { background: var(--low); }
        .sev-info { background: var(--info); } .sev-unknown { background: var(--unknown); }
        rect.sev-critical { fill: var(--critical); } rect.sev-high { fill: var(--high); }
        rect.sev-medium { fill: var(--medium); } rect.sev-low { fill: var(--low); }
        rect.sev-info { fill: var(--info); } rect.sev-unknown { fill: var(--unknown); }
        svg text { font: 12px system-ui, sans-serif; fill: #1d1d1d; }
        .charts { display: flex; flex-wrap: wrap; gap: 2rem; }
        figure { margin: 0; }
        figcaption { color: var(--muted); font-size: .9em; }
        .decision { border: 2px solid; border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0; }
        .decision.pass { border-color: #2e7d32; background: #eef7ee; }
        .decision.fail { border-color: #b71c1c; background: #fdeeee; }
        .decision h2 { border: 0; margin: 0 0 .3rem; }
        .badge { display: inline-block; padding: 0 .4em; border-radius: 3px; border: 1px solid var(--line);
          font-size: .85em; }
        .badge.new { background: #fff3cd; border-color: #e0c060; }
        .badge.fail { background: #fdeeee; border-color: #b71c1c; }
        .badge.warn { background: #fff3e0; border-color: #e07b00; }
        .soon { background: #fff3cd; }
        #filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin: .4rem 0; }
        th button { all: unset; cursor: pointer; font-weight: 700; }
        th button::after { content: " \\2195"; color: var(--muted); font-weight: 400; }
        details > summary { cursor: pointer; }
        .detail { margin: .4rem 0 .2rem; }
        .detail dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; margin: .3rem 0; }
        .detail dt { font-weight: 600; color: var(--muted); }
        .detail dd { margin: 0; overflow-wrap: anywhere; }
        .detail table { font-size: .95em; }
        ul.plain { margin: .2rem 0; padding-left: 1.2rem; }
        @media print {
          body { max-width: none; padding: 0; font-size: 10.5pt; }
          nav, #filters, th button::after { display: none !important; }
          h2 { break-after: avoid; }
          table { font-size: 9pt; }
          thead { display: table-header-group; }
          tr, figure, .decision { break-inside: avoid; }
          details::details-content { content-visibility: visible; }
          a { color: inherit; text-decoration: underline; }
          .sev, .decision, .badge, .soon, rect { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
        }

        """

    static let script = """

        (function () {
          'use strict';
          var table = document.getElementById('findings-table');
          var filters = document.getElementById('filters');
          if (!table || !filters) { return; }
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          var selects = Array.prototype.slice.call(filters.querySelectorAll('select'));
          var shown = document.getElementById('shown-count');
          filters.hidden = false;
          function has(list, value) { return list.split('\\n').indexOf(value) >= 0; }
          function apply() {
            var want = {};
            selects.forEach(function (select) { want[select.name] = select.value; });
            var count = 0;
            rows.forEach(function (row) {
              var d = row.dataset;
              var ok = (!want.severity || d.severity === want.severity) && (!want.kind || d.kind === want.kind)
                && (!want.tool || has(d.tools, want.tool)) && (!want.status || has(d.status, want.status));
              row.hidden = !ok;
              if (ok) { count += 1; }
            });
            shown.textContent = String(count);
          }
          selects.forEach(function (select) { select.addEventListener('change', apply); });
          var state = { column: -1, direction: 1 };
          Array.prototype.forEach.call(table.tHead.querySelectorAll('button'), function (button) {
            button.addEventListener('click', function () {
              var column = button.parentNode.cellIndex;
              state.direction = state.column === column ? -state.direction : 1;
              state.column = column;
              var numeric = button.dataset.numeric === '1';
              function key(row) {
                var cell = row.cells[column];
                var value = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent;
                return numeric ? Number(value) : value.toLowerCase();
              }
              var keyed = rows.map(function (row, index) { return { row: row, key: key(row), index: index }; });
              keyed.sort(function (a, b) {
                if (a.key < b.key) { return -state.direction; }
                if (a.key > b.key) { return state.direction; }
                return a.index - b.index;
              });
              rows = keyed.map(function (entry) { return entry.row; });
              rows.forEach(function (row) { body.appendChild(row); });
            });
          });
          window.addEventListener('beforeprint', function () {
            Array.prototype.forEach.call(document.querySelectorAll('details'), function (d) { d.open = true; });
          });
        })();

        """
}
