#!/usr/bin/env python3
"""The obvious alternative to ScanGate, for the benchmark: Python with orjson (JSON) and
lxml.etree.iterparse (XML).

usage: alternative.py ingest|sarif|gate REPORT... [-o OUT]

- ingest: read the reports into finding dicts, group them like ScanGate does (ZAP instances by
  rule, URL without query, method and parameter; Trivy/npm one finding per vulnerability and
  package), print a count table by tool and severity.
- sarif:  the same, then write SARIF 2.1.0: one run per tool, a rule per id (short/full
  description, help text, tags, security-severity), results with a physical location, message
  and partialFingerprints (sha256 of the identity). Written with orjson (OPT_INDENT_2).
- gate:   the same findings, counted against a threshold like policies/staging.yaml
  (fail on critical, warn from medium); exit 1 when failing.

It does less than ScanGate (no alias merging across tools, no GitHub limits, no policies
language), so it is a lower bound for what a Python implementation costs.
"""
import hashlib
import sys

import orjson

try:
    from lxml import etree
except ImportError:  # benchmarks/run installs it; a clear message otherwise
    etree = None

SEV_ORDER = ["critical", "high", "medium", "low", "info", "unknown"]
TRIVY_SEV = {"CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low", "UNKNOWN": "unknown"}
NPM_SEV = {"critical": "critical", "high": "high", "moderate": "medium", "low": "low", "info": "info"}
ZAP_SEV = {"3": "high", "2": "medium", "1": "low", "0": "info"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "unknown": "warning", "low": "note", "info": "note"}
SCORE = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}


def fingerprint(*parts):
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def read_trivy(doc, path):
    out = []
    for res in doc.get("Results") or []:
        target = res.get("Target") or ""
        for v in res.get("Vulnerabilities") or []:
            cvss = v.get("CVSS") or {}
            best = cvss.get("nvd") or cvss.get("ghsa") or {}
            out.append({
                "tool": "trivy", "id": v["VulnerabilityID"], "title": v.get("Title") or v["VulnerabilityID"],
                "description": v.get("Description") or "", "severity": TRIVY_SEV.get(v.get("Severity"), "unknown"),
                "score": best.get("V3Score") or best.get("V2Score"), "cwes": sorted(set(v.get("CweIDs") or [])),
                "references": sorted(set((v.get("References") or []) + [v.get("PrimaryURL") or ""]) - {""}),
                "path": target, "message": f"{v['VulnerabilityID']} in {v['PkgName']} {v.get('InstalledVersion', '')}",
                "fp": fingerprint("trivy", v["VulnerabilityID"], v["PkgName"], v.get("InstalledVersion") or ""),
            })
    return out


def read_npm(doc, path):
    out = []
    for name, entry in (doc.get("vulnerabilities") or {}).items():
        for via in entry.get("via") or []:
            if not isinstance(via, dict):
                continue
            cvss = via.get("cvss") or {}
            cwe = via.get("cwe") or []
            out.append({
                "tool": "npm-audit", "id": via.get("url", "").rsplit("/", 1)[-1] or f"npm:{via.get('source')}",
                "title": via.get("title") or "", "description": f"Vulnerable versions: {via.get('range', '')}",
                "severity": NPM_SEV.get(via.get("severity") or entry.get("severity"), "unknown"),
                "score": cvss.get("score") or None, "cwes": sorted(set(cwe if isinstance(cwe, list) else [cwe])),
                "references": [via["url"]] if via.get("url") else [], "path": "package-lock.json",
                "message": f"{via.get('title', '')} in {name}", "fp": fingerprint("npm", str(via.get("source")), name),
            })
    return out


def read_zap(path):
    if etree is None:
        sys.exit("alternative.py: lxml is not installed (pip install lxml)")
    groups = {}
    site = ""
    fields = ("pluginid", "alert", "riskcode", "confidence", "desc", "solution", "reference", "cweid")
    for ev, el in etree.iterparse(path, events=("start", "end"), tag=("site", "alertitem")):
        if el.tag == "site":
            if ev == "start":
                site = el.get("name")
            continue
        if ev != "end":
            continue
        a = {f: (el.findtext(f) or "") for f in fields}
        for inst in el.iterfind("instances/instance"):
            uri = inst.findtext("uri") or ""
            url = uri.split("?", 1)[0].split("#", 1)[0]
            method, param = inst.findtext("method") or "", inst.findtext("param") or ""
            key = (site, a["pluginid"], url, method, param)
            g = groups.get(key)
            if g is None:
                g = groups[key] = {
                    "tool": "zap", "id": a["pluginid"], "title": a["alert"], "description": a["desc"],
                    "severity": ZAP_SEV.get(a["riskcode"], "info"), "score": None,
                    "cwes": [f"CWE-{a['cweid']}"] if a["cweid"] not in ("", "-1", "0") else [],
                    "references": a["reference"].replace("<p>", " ").replace("</p>", " ").split(),
                    "path": ".scangate/web/" + url.split("://", 1)[-1], "message": f"{a['alert']}: {method} {url}",
                    "fp": fingerprint("zap", site, a["pluginid"], url, method, param), "instances": [],
                }
            g["instances"].append((uri, method, param, inst.findtext("evidence") or ""))
        el.clear(keep_tail=True)
        while el.getprevious() is not None:
            del el.getparent()[0]
    return list(groups.values())


def load(paths):
    findings = []
    for p in paths:
        with open(p, "rb") as f:
            head = f.read(64).lstrip()
        if head.startswith(b"<"):
            findings += read_zap(p)
            continue
        with open(p, "rb") as f:
            doc = orjson.loads(f.read())
        findings += read_trivy(doc, p) if "SchemaVersion" in doc or "Results" in doc else read_npm(doc, p)
    findings.sort(key=lambda x: (SEV_ORDER.index(x["severity"]), x["id"], x["fp"]))
    return findings


def table(findings):
    counts = {}
    for x in findings:
        counts.setdefault(x["tool"], dict.fromkeys(SEV_ORDER, 0))[x["severity"]] += 1
    lines = ["tool          " + "  ".join(f"{s:>8}" for s in SEV_ORDER)]
    for tool, c in sorted(counts.items()):
        lines.append(f"{tool:<14}" + "  ".join(f"{c[s]:>8}" for s in SEV_ORDER))
    return "\n".join(lines) + "\n"


def sarif(findings):
    runs = {}
    for x in findings:
        runs.setdefault(x["tool"], []).append(x)
    out_runs = []
    for tool, items in sorted(runs.items()):
        rules, index, results = [], {}, []
        for x in items:
            rid = x["id"]
            if rid not in index:
                index[rid] = len(rules)
                refs = x["references"][:10]
                rules.append({
                    "id": rid, "shortDescription": {"text": x["title"][:1024]},
                    "fullDescription": {"text": (x["description"] or x["title"])[:1024]},
                    "defaultConfiguration": {"level": LEVEL[x["severity"]]},
                    "helpUri": refs[0] if refs else None,
                    "help": {"text": f"{x['title']} ({rid})\n\n{x['description']}\n\nReferences:\n"
                             + "\n".join("- " + r for r in refs)},
                    "properties": {"tags": ["security", x["severity"]] + [c.lower() for c in x["cwes"]],
                                   "security-severity": str(x["score"] or SCORE.get(x["severity"], "0.0"))},
                })
            msg = x["message"]
            for inst in x.get("instances", [])[:5]:
                msg += f"\nInstance: {inst[1]} {inst[0]}; evidence: {inst[3][:200]}"
            results.append({
                "ruleId": rid, "ruleIndex": index[rid], "level": LEVEL[x["severity"]], "message": {"text": msg},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": x["path"]}, "region": {"startLine": 1}}}],
                "partialFingerprints": {"scangateFingerprint/v1": x["fp"]},
                "properties": {"severity": x["severity"], "tools": [tool]},
            })
        out_runs.append({"tool": {"driver": {"name": tool, "rules": rules}},
                         "automationDetails": {"id": f"alternative/{tool}/"}, "results": results})
    return orjson.dumps({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
                         "runs": out_runs}, option=orjson.OPT_INDENT_2) + b"\n"


def main():
    args = sys.argv[1:]
    out = None
    if "-o" in args:
        i = args.index("-o")
        out = args[i + 1]
        del args[i:i + 2]
    job, paths = args[0], args[1:]
    findings = load(paths)
    if job == "ingest":
        data = table(findings).encode()
    elif job == "sarif":
        data = sarif(findings)
    elif job == "gate":
        failing = sum(1 for x in findings if x["severity"] == "critical")
        warning = sum(1 for x in findings if x["severity"] in ("high", "medium"))
        data = f"{'FAIL' if failing else 'PASS'}: {failing} failing, {warning} warnings\n".encode()
    else:
        sys.exit(f"unknown job {job}")
    if out:
        with open(out, "wb") as f:
            f.write(data)
    else:
        sys.stdout.buffer.write(data)
    if job == "gate" and failing:
        sys.exit(1)


if __name__ == "__main__":
    main()
