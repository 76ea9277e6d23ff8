#!/usr/bin/env python3
"""Deterministic large inputs for ScanGate's benchmark.

usage: generate.py OUTDIR [--scale 1.0] [--seed 42] [--only trivy,zap,npm]

At scale 1.0 it writes (sizes measured with seed 42):
  trivy.json  Trivy schema 2, 40,000 vulnerabilities over 40 targets, indent=2 like Trivy (~101 MB)
  zap.xml     ZAP traditional XML, 4 sites x 3,800 alert items, 5-25 instances each (~15,200 alerts,
              ~228,000 instances, ~101 MB)
  npm.json    npm 7+ audit (auditReportVersion 2) of a monorepo, 5,000 vulnerable packages

Field shapes follow the real tools: Trivy descriptions of 200-800 characters, 3-8 references,
CVSS maps from ghsa and nvd, 1-3 CWEs, VendorSeverity, PkgIdentifier, Layer, DataSource; 5 % of
descriptions carry escapes and non-ASCII text.

ZAP instance URLs: real scans hit the same pages again and again. Each site has a pool of 300
distinct paths (`/api/v1/items/123`, `/static/js/app.js`...), each requested with one method
(80 % GET); an alert's 5-25 instances draw their path from a per-alert subset of 1-6 of those
paths, share the alert's parameter, and vary the query string (`?q=...&page=N`, 70 % of them).
ScanGate groups instances by URL without query string, method and parameter, so one alert
becomes a few findings (~49,800 findings from ~228,000 instances at scale 1), as in a real scan,
not one finding per instance (which the perf-anchors generator gives: every URL distinct).

The scale factor multiplies the number of vulnerabilities / alert items / packages, so 0.1, 1
and 2 give ~10 MB, ~100 MB and ~200 MB inputs with the same shapes.
"""
import argparse
import json
import os
import random
from xml.sax.saxutils import escape

WORDS = (
    "the a an of in to and for with buffer overflow heap use-after-free null pointer dereference denial service "
    "remote attacker crafted request allows could cause via function parsing memory corruption integer signed "
    "unsigned validation improper input sanitization cross-site scripting injection sql command path traversal "
    "authentication bypass privilege escalation certificate verification timing side-channel leak sensitive "
    "information exposure library package version before prior affected component module handler http header "
    "cookie session token"
).split()


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def sentence(self, lo, hi):
        r = self.r
        n = r.randint(lo, hi)
        out, ln = [], 0
        while ln < n:
            w = r.choice(WORDS)
            out.append(w)
            ln += len(w) + 1
        s = " ".join(out)[:n]
        return (s[:1].upper() + s[1:] + ".") if s else ""

    def ver(self):
        r = self.r
        return f"{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 99)}"

    def pkgname(self):
        r = self.r
        return "".join(r.choice("abcdefghijklmnopqrstuvwxyz-") for _ in range(r.randint(4, 16))).strip("-") or "pkg"

    # ---------------------------------------------------------------- Trivy
    def trivy_vuln(self):
        r = self.r
        cve = f"CVE-{r.randint(2015, 2025)}-{r.randint(1000, 99999)}"
        pkg = self.pkgname()
        iv = self.ver()
        v = {
            "VulnerabilityID": cve,
            "PkgID": f"{pkg}@{iv}",
            "PkgName": pkg,
            "PkgIdentifier": {"PURL": f"pkg:npm/{pkg}@{iv}", "UID": f"{r.getrandbits(64):016x}"},
            "InstalledVersion": iv,
            "Status": "fixed",
            "Layer": {"DiffID": "sha256:" + "%064x" % r.getrandbits(256)},
            "SeveritySource": r.choice(["nvd", "ghsa", "debian"]),
            "PrimaryURL": f"https://avd.aquasec.com/nvd/{cve.lower()}",
            "DataSource": {
                "ID": "ghsa",
                "Name": "GitHub Security Advisory npm",
                "URL": "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm",
            },
            "Title": self.sentence(30, 90),
            "Description": self.sentence(200, 800),
            "Severity": r.choice(["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]),
            "CweIDs": [f"CWE-{r.randint(20, 1300)}" for _ in range(r.randint(1, 3))],
            "VendorSeverity": {"ghsa": r.randint(1, 4), "nvd": r.randint(1, 4)},
            "CVSS": {
                "ghsa": {
                    "V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                    "V3Score": round(r.uniform(1, 10), 1),
                },
                "nvd": {
                    "V2Vector": "AV:N/AC:L/Au:N/C:P/I:P/A:P",
                    "V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N",
                    "V2Score": round(r.uniform(1, 10), 1),
                    "V3Score": round(r.uniform(1, 10), 1),
                },
            },
            "References": [
                f"https://{r.choice(['github.com/advisories', 'nvd.nist.gov/vuln/detail', 'security.snyk.io/vuln', 'www.openwall.com/lists/oss-security'])}/{cve}-{k}"
                for k in range(r.randint(3, 8))
            ],
            "PublishedDate": f"20{r.randint(15, 25)}-0{r.randint(1, 9)}-1{r.randint(0, 9)}T1{r.randint(0, 9)}:15:00Z",
            "LastModifiedDate": "2024-11-21T08:15:00Z",
        }
        if r.random() < 0.8:
            v["FixedVersion"] = self.ver()
        if r.random() < 0.05:
            v["Description"] += ' Unicode: caf\u00e9 \u2014 \u201cquoted\u201d \\ back"slash \n newline.'
        return v

    def trivy(self, path, nvulns, nres=40):
        r = self.r
        per = [nvulns // nres] * nres
        per[-1] += nvulns - sum(per)
        types = ["npm", "pip", "gomod", "jar", "debian", "alpine", "cargo", "gem", "nuget", "composer"]
        # Trivy lists the OS packages' result of an image whose OS it detected, none found
        # included; without it the report is a scan whose OS packages were not looked at (a
        # scan that checked nothing, which ScanGate keeps out of the SARIF file).
        os_result = {"Target": "example/app:1.0 (debian 12.5)", "Class": "os-pkgs", "Type": "debian"}
        results = [os_result] + [
            {
                "Target": f"app/node_modules/pkg{i}/package-lock.json",
                "Class": "lang-pkgs",
                "Type": r.choice(types),
                "Vulnerabilities": [self.trivy_vuln() for _ in range(per[i])],
            }
            for i in range(nres)
        ] + [{"Target": "app/Dockerfile", "Class": "config", "Type": "dockerfile"}]
        doc = {
            "SchemaVersion": 2,
            "CreatedAt": "2025-01-01T00:00:00Z",
            "ArtifactName": "example/app:1.0",
            "ArtifactType": "container_image",
            "Metadata": {"OS": {"Family": "debian", "Name": "12.5"}},
            "Results": results,
        }
        with open(path, "w") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)

    # ---------------------------------------------------------------- ZAP
    def site_paths(self, n=300):
        r = self.r
        heads = ["api/v1/items", "api/v1/users", "api/v2/orders", "account", "search", "static/js", "static/css",
                 "admin", "checkout", "cart", "blog", "docs", "login", "products", "media/images"]
        paths = set()
        while len(paths) < n:
            h = r.choice(heads)
            tail = str(r.randint(1, 400)) if h.startswith("api") or h in ("products", "blog") else self.pkgname()
            ext = r.choice(["", "", "", ".html", ".js", ".css", ".png"]) if h.startswith(("static", "media")) else ""
            paths.add(f"/{h}/{tail}{ext}")
        # Each page is requested with one method (forms and API writes with POST).
        return [(p, "POST" if r.random() < 0.2 else "GET") for p in sorted(paths)]

    def zap(self, path, nalerts, nsites=4, ninst=(5, 25)):
        r = self.r
        L, C, T = ["Informational", "Low", "Medium", "High"], ["Low", "Medium", "High"], "\t" * 4
        with open(path, "w") as f:
            f.write('<?xml version="1.0"?>\n<OWASPZAPReport programName="ZAP" version="2.15.0" '
                    'generated="Wed, 1 Jan 2025 00:00:00">\n')
            for s in range(nsites):
                origin = f"https://app{s}.example.com"
                pool = self.site_paths()
                f.write(f'\t<site name="{origin}" host="app{s}.example.com" port="443" ssl="true">\n\t\t<alerts>\n')
                for a in range(nalerts):
                    rc, conf, name = r.randint(0, 3), r.randint(1, 3), escape(self.sentence(20, 60))
                    f.write(
                        f"\t\t\t<alertitem>\n{T}<pluginid>{r.randint(10000, 90000)}</pluginid>\n"
                        f"{T}<alertRef>{r.randint(10000, 90000)}-1</alertRef>\n{T}<alert>{name}</alert>\n{T}<name>{name}</name>\n"
                        f"{T}<riskcode>{rc}</riskcode>\n{T}<confidence>{conf}</confidence>\n"
                        f"{T}<riskdesc>{L[rc]} ({C[conf - 1]})</riskdesc>\n{T}<confidencedesc>{C[conf - 1]}</confidencedesc>\n"
                        f"{T}<desc>&lt;p&gt;{escape(self.sentence(200, 800))}&lt;/p&gt;</desc>\n{T}<instances>\n")
                    n = r.randint(*ninst)
                    subset = r.sample(pool, r.randint(1, 6))
                    param = r.choice(["x-frame-options", "id", "q", ""])
                    for k in range(n):
                        p, method = r.choice(subset)
                        uri = f"{origin}{p}?q={r.choice(WORDS)}&amp;page={r.randint(1, 20)}" if r.random() < 0.7 else origin + p
                        f.write(
                            f"{T}\t<instance>\n{T}\t\t<uri>{uri}</uri>\n"
                            f"{T}\t\t<method>{method}</method>\n"
                            f"{T}\t\t<param>{param}</param>\n{T}\t\t<attack></attack>\n"
                            f"{T}\t\t<evidence>{escape('<script>alert(' + str(k) + ')</script>')}</evidence>\n"
                            f"{T}\t\t<otherinfo>{escape(self.sentence(0, 120))}</otherinfo>\n{T}\t</instance>\n")
                    f.write(
                        f"{T}</instances>\n{T}<count>{n}</count>\n"
                        f"{T}<solution>&lt;p&gt;{escape(self.sentence(60, 300))}&lt;/p&gt;</solution>\n"
                        f"{T}<otherinfo>{escape(self.sentence(0, 200))}</otherinfo>\n"
                        f"{T}<reference>&lt;p&gt;https://owasp.org/www-community/{r.randint(1, 999)}&lt;/p&gt;"
                        f"&lt;p&gt;https://cwe.mitre.org/data/definitions/{r.randint(1, 999)}.html&lt;/p&gt;</reference>\n"
                        f"{T}<cweid>{r.randint(1, 1300)}</cweid>\n{T}<wascid>{r.randint(1, 50)}</wascid>\n"
                        f"{T}<sourceid>{r.randint(1, 9)}</sourceid>\n\t\t\t</alertitem>\n")
                f.write("\t\t</alerts>\n\t</site>\n")
            f.write("</OWASPZAPReport>\n")

    # ---------------------------------------------------------------- npm
    def npm(self, path, npackages):
        """npm 7+ audit of a monorepo: every vulnerable package has 1-3 advisories in `via`,
        some also inherit from a dependency (a string in `via`), nodes under several workspaces."""
        r = self.r
        names = []
        seen = set()
        while len(names) < npackages:
            n = self.pkgname()
            if r.random() < 0.2:
                n = f"@{self.pkgname()}/{n}"
            if n not in seen:
                seen.add(n)
                names.append(n)
        sev = ["info", "low", "moderate", "high", "critical"]
        vulns = {}
        counts = dict.fromkeys(sev, 0)
        for i, name in enumerate(names):
            via = []
            for _ in range(r.randint(1, 3)):
                src = r.randint(1000000, 1110000)
                ghsa = "GHSA-" + "-".join("".join(r.choice("23456789cfghjmpqrvwx") for _ in range(4)) for _ in range(3))
                s = r.choice(sev[1:])
                via.append({
                    "source": src, "name": name, "dependency": name,
                    "title": self.sentence(30, 90),
                    "url": f"https://github.com/advisories/{ghsa}",
                    "severity": s,
                    "cwe": [f"CWE-{r.randint(20, 1300)}" for _ in range(r.randint(0, 2))],
                    "cvss": {"score": round(r.uniform(1, 10), 1),
                             "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"} if r.random() < 0.9
                    else {"score": 0, "vectorString": None},
                    "range": f"<{self.ver()}",
                })
            if i > 0 and r.random() < 0.3:
                via.append(names[r.randrange(i)])
            worst = max((v["severity"] for v in via if isinstance(v, dict)), key=sev.index)
            counts[worst] += 1
            ws = [f"packages/svc-{r.randint(1, 60)}" for _ in range(r.randint(1, 4))]
            fix = r.choice([True, False, {"name": self.pkgname(), "version": self.ver(), "isSemVerMajor": True}])
            vulns[name] = {
                "name": name, "severity": worst, "isDirect": r.random() < 0.3, "via": via,
                "effects": [names[r.randrange(len(names))] for _ in range(r.randint(0, 3))],
                "range": f"<={self.ver()}",
                "nodes": [f"{w}/node_modules/{name}" for w in ws] + [f"node_modules/{name}"],
                "fixAvailable": fix,
            }
        counts["total"] = len(names)
        doc = {
            "auditReportVersion": 2,
            "vulnerabilities": vulns,
            "metadata": {
                "vulnerabilities": counts,
                "dependencies": {"prod": 9000, "dev": 6000, "optional": 100, "peer": 10, "peerOptional": 0,
                                 "total": 15110},
            },
        }
        with open(path, "w") as f:
            json.dump(doc, f, indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--only", default="trivy,zap,npm")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    only = set(a.only.split(","))
    # One generator per kind, seeded separately, so each file is the same whatever --only says.
    if "trivy" in only:
        Gen(a.seed).trivy(os.path.join(a.outdir, "trivy.json"), max(40, round(40000 * a.scale)))
    if "zap" in only:
        Gen(a.seed + 1).zap(os.path.join(a.outdir, "zap.xml"), max(1, round(3800 * a.scale)))
    if "npm" in only:
        Gen(a.seed + 2).npm(os.path.join(a.outdir, "npm.json"), max(1, round(5000 * a.scale)))


if __name__ == "__main__":
    main()
