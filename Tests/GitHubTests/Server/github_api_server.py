#!/usr/bin/env python3
"""A local stand-in for GitHub's code scanning SARIF API, for ScanGate's tests.

Its request checks come from the OpenAPI description given on the command line
(paths, methods, path parameters, request body schema), not from ScanGate's code,
plus the headers GitHub's REST documentation requires. It plays one scenario per
process, listens on 127.0.0.1 (port 0 = ephemeral, printed on stdout as
"PORT <n>"), and records every request in a JSON file for the test to read.

Standard library only.
"""

import argparse
import base64
import binascii
import gzip
import hashlib
import http.server
import json
import os
import re
import signal
import ssl
import sys
import threading
import time
import urllib.parse

SARIF_ID = "47177e22-5596-11eb-80a1-c1e54ef945c6"
HANG_SECONDS = 120  # bounded even if the test forgets to stop the server

# The headers GitHub's REST documentation asks for (they are not in the OpenAPI description).
REQUIRED_HEADERS = {
    "Accept": re.compile(r"\Aapplication/vnd\.github\+json\Z"),
    "X-GitHub-Api-Version": re.compile(r"\A2022-11-28\Z"),
    "User-Agent": re.compile(r"\Ascangate/\d+\.\d+\.\d+\S*\Z"),
}

SCENARIOS = {
    # name: (upload answers in order, the last one repeats; status answers likewise)
    "complete": (["202"], ["pending", "complete"]),
    "retry-502": (["502", "202"], ["complete"]),
    "retry-429": (["429", "202"], ["complete"]),
    "ratelimit-403": (["403-ratelimit", "202"], ["complete"]),
    # GitHub's secondary rate limit as it may come: a 403 whose message says so, with neither
    # retry-after nor x-ratelimit-remaining: 0 (GitHub: wait at least a minute, then retry).
    "secondary-403": (["403-secondary", "202"], ["complete"]),
    # A reset too far away to wait for, as a misbehaving proxy or server might send it.
    "ratelimit-403-far": (["403-ratelimit-far"], []),
    "ghas-disabled": (["403-ghas"], []),
    "bad-commit-422": (["422"], []),
    "not-found-404": (["404"], []),
    "unavailable-503": (["503"], []),
    "processing-failed": (["202"], ["pending", "failed"]),
    "processing-failed-many": (["202"], ["failed-many"]),
    # An answer that echoes the token as the upload id (a compromised proxy): never printed.
    "token-as-id": (["202-token-id"], []),
    "pending-forever": (["202"], ["pending"]),
    # A 200 with an id, as a proxy or portal might answer: the OpenAPI defines only 202.
    "ok-200-not-202": (["200"], ["complete"]),
    "hang": ([], []),  # never answers (see handle_any)
    "hang-status": (["202"], []),  # accepts the upload, then never answers a status request
}


def load_openapi(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def resolve(document, node):
    """Follows local $refs ("#/components/...")."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        seen += 1
        if seen > 32:
            raise ValueError("$ref loop")
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def ecma_pattern(pattern):
    """JSON Schema patterns are ECMA-262: '$' is the end of input, not 'before a final newline'."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


class Operation:
    def __init__(self, document, template, method, spec):
        self.template = template
        self.method = method.upper()
        self.operation_id = spec.get("operationId")
        names = []

        def replace(match):
            names.append(match.group(1))
            return "(?P<%s>[^/]+)" % match.group(1)

        self.regex = re.compile(r"\A" + re.sub(r"\\\{(\w+)\\\}", replace, re.escape(template)) + r"\Z")
        self.parameters = {}
        for parameter in spec.get("parameters", []):
            parameter = resolve(document, parameter)
            if parameter.get("in") == "path":
                self.parameters[parameter["name"]] = parameter
        missing = [name for name in names if name not in self.parameters]
        if missing:
            raise ValueError("%s %s: undeclared path parameters %s" % (method, template, missing))
        self.body = None
        self.body_required = False
        body = resolve(document, spec.get("requestBody")) if spec.get("requestBody") else None
        if body:
            self.body_required = body.get("required", False)
            self.content_types = list(body.get("content", {}).keys())
            self.body = resolve(document, body["content"]["application/json"]["schema"])


def build_operations(document):
    operations = []
    for template, item in document["paths"].items():
        for method, spec in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                operations.append(Operation(document, template, method, spec))
    return operations


def check_value(document, name, schema, value, problems):
    schema = resolve(document, schema)
    kind = schema.get("type")
    types = {"string": str, "boolean": bool, "integer": int, "object": dict, "array": list}
    if kind in types and (not isinstance(value, types[kind]) or (kind == "integer" and isinstance(value, bool))):
        problems.append("%s: expected %s" % (name, kind))
        return
    if kind == "string":
        if "pattern" in schema and not ecma_pattern(schema["pattern"]).search(value):
            problems.append("%s: %r does not match %s" % (name, value[:80], schema["pattern"]))
        if len(value) < schema.get("minLength", 0):
            problems.append("%s: shorter than %d" % (name, schema["minLength"]))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append("%s: longer than %d" % (name, schema["maxLength"]))
        fmt = schema.get("format")
        if fmt == "uri":
            parsed = urllib.parse.urlsplit(value)
            if not parsed.scheme or re.search(r"[\s\x00-\x1f]", value):
                problems.append("%s: not an absolute URI" % name)
        elif fmt == "date-time":
            if not re.fullmatch(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)", value):
                problems.append("%s: not an RFC 3339 date-time" % name)
        if "enum" in schema and value not in schema["enum"]:
            problems.append("%s: not one of %s" % (name, schema["enum"]))


def check_body(document, schema, body, problems):
    if not isinstance(body, dict):
        problems.append("body: expected a JSON object")
        return
    properties = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in body:
            problems.append("body: required field %r missing" % name)
    if schema.get("additionalProperties") is False:
        for name in body:
            if name not in properties:
                problems.append("body: field %r is not allowed" % name)
    for name, value in body.items():
        if name in properties:
            check_value(document, name, properties[name], value, problems)


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.records = []
        self.uploads = 0
        self.polls = 0
        self.stop = threading.Event()

    def record(self, entry):
        with self.lock:
            self.records.append(entry)
            if self.args.record:
                temporary = self.args.record + ".tmp"
                with open(temporary, "w", encoding="utf-8") as handle:
                    json.dump(self.records, handle, indent=1)
                os.replace(temporary, self.args.record)

    def next_upload(self):
        answers = SCENARIOS[self.args.scenario][0]
        with self.lock:
            index = min(self.uploads, len(answers) - 1)
            self.uploads += 1
        return answers[index]

    def next_status(self):
        answers = SCENARIOS[self.args.scenario][1] or ["complete"]
        with self.lock:
            index = min(self.polls, len(answers) - 1)
            self.polls += 1
        return answers[index]


def make_handler(state, document, operations):
    args = state.args

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "GitHub.com-test"

        def log_message(self, fmt, *values):  # no access log: keep test output clean
            pass

        def do_GET(self):
            self.handle_any()

        def do_POST(self):
            self.handle_any()

        def do_PUT(self):
            self.handle_any()

        def do_PATCH(self):
            self.handle_any()

        def do_DELETE(self):
            self.handle_any()

        def send_json(self, status, payload, headers=None):
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-github-request-id", "TEST:%04d" % len(state.records))
            self.send_header("x-ratelimit-limit", "1000")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def handle_any(self):
            problems = []
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length > 0 else b""
            path = urllib.parse.urlsplit(self.path).path
            if args.prefix:
                if path.startswith(args.prefix + "/"):
                    path = path[len(args.prefix):]
                else:
                    problems.append("path %s is not under %s" % (path, args.prefix))
            operation, parameters = None, {}
            for candidate in operations:
                match = candidate.regex.match(path)
                if match and candidate.method == self.command:
                    operation, parameters = candidate, match.groupdict()
                    break
            entry = {"method": self.command, "path": path, "operation": None, "problems": problems}
            if operation is None:
                problems.append("no operation %s %s in the OpenAPI description" % (self.command, path))
                entry["status"] = 404
                state.record(entry)
                self.send_json(404, {"message": "Not Found"})
                return
            entry["operation"] = operation.operation_id
            if args.scenario == "hang" or (args.scenario == "hang-status" and operation.body is None):
                # Never answer, whatever the request; the connection stays open until the client gives up.
                entry["status"] = None
                state.record(entry)
                state.stop.wait(HANG_SECONDS)
                return
            self.check_headers(problems, operation)
            owner_repo = "%s/%s" % (parameters.get("owner"), parameters.get("repo"))
            if args.repository and owner_repo != args.repository:
                problems.append("repository %s, expected %s" % (owner_repo, args.repository))
            if operation.body is not None:
                body = self.check_upload_body(raw, operation, problems)
                # What the analysis is for: the test checks it is the commit and ref scanned.
                if isinstance(body, dict):
                    for name in ("ref", "commit_sha"):
                        if isinstance(body.get(name), str):
                            entry[name] = body[name]
            elif raw:
                problems.append("unexpected request body")
            if "sarif_id" in parameters and parameters["sarif_id"] != SARIF_ID:
                problems.append("unknown sarif_id %s" % parameters["sarif_id"])
            if problems:
                entry["status"] = 400
                state.record(entry)
                self.send_json(400, {"message": "test server: " + "; ".join(problems)})
                return
            if operation.operation_id == "code-scanning/upload-sarif":
                self.answer_upload(entry)
            else:
                self.answer_status(entry)

        def check_headers(self, problems, operation):
            expected = "Bearer " + args.token
            if self.headers.get("Authorization") != expected:
                problems.append("Authorization is not 'Bearer <the expected token>'")
            for name, pattern in REQUIRED_HEADERS.items():
                value = self.headers.get(name)
                if value is None or not pattern.search(value):
                    problems.append("header %s: %r" % (name, value))
            if operation.body is not None:
                content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                if content_type not in operation.content_types:
                    problems.append("Content-Type %r, expected one of %s" % (content_type, operation.content_types))

        def check_upload_body(self, raw, operation, problems):
            if not raw:
                if operation.body_required:
                    problems.append("the request body is required")
                return None
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as error:
                problems.append("body is not JSON: %s" % error)
                return None
            check_body(document, operation.body, body, problems)
            sarif = body.get("sarif") if isinstance(body, dict) else None
            if not isinstance(sarif, str):
                return body
            if not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", sarif):
                problems.append("sarif: not base64 on one line")
                return body
            try:
                decoded = gzip.decompress(base64.b64decode(sarif, validate=True))
            except (binascii.Error, OSError, EOFError) as error:
                problems.append("sarif: not base64 of gzip: %s" % error)
                return body
            digest = hashlib.sha256(decoded).hexdigest()
            if args.sarif_sha256 and digest != args.sarif_sha256:
                problems.append("sarif: decodes to a file with sha256 %s, expected %s" % (digest, args.sarif_sha256))
            return body

        def answer_upload(self, entry):
            answer = state.next_upload()
            entry["status"] = int(answer[:3]) if answer[:3].isdigit() else None
            state.record(entry)
            host = self.headers.get("Host", "127.0.0.1")
            scheme = "https" if args.tls_cert else "http"
            base = "%s://%s%s/repos/%s/code-scanning/sarifs" % (scheme, host, args.prefix or "", args.repository)
            if answer == "202":
                self.send_json(202, {"id": SARIF_ID, "url": "%s/%s" % (base, SARIF_ID)})
            elif answer == "200":
                self.send_json(200, {"id": SARIF_ID, "url": "%s/%s" % (base, SARIF_ID), "note": "echo " + args.token})
            elif answer == "202-token-id":
                self.send_json(202, {"id": args.token, "url": "%s/%s" % (base, args.token)})
            elif answer == "502":
                self.send_json(502, {"message": "Server Error"})
            elif answer == "503":
                self.send_json(503, {"code": "unavailable", "message": "Service unavailable",
                                     "documentation_url": "https://docs.github.com"})
            elif answer == "429":
                self.send_json(429, {"message": "You have exceeded a secondary rate limit."},
                               {"retry-after": "1", "x-ratelimit-remaining": "10"})
            elif answer == "403-ratelimit":
                reset = int(time.time()) + 1
                self.send_json(403, {"message": "API rate limit exceeded for installation ID 1."},
                               {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset),
                                "x-ratelimit-used": "1000"})
            elif answer == "403-secondary":
                self.send_json(403, {"message": "You have exceeded a secondary rate limit. Please wait a few "
                                                "minutes before you try again. If you reach out to GitHub Support "
                                                "for help, please include the request ID TEST.",
                                     "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"},
                               {"x-ratelimit-remaining": "4321"})
            elif answer == "403-ratelimit-far":
                self.send_json(403, {"message": "API rate limit exceeded for installation ID 1."},
                               {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "99999999999999999999999",
                                "x-ratelimit-used": "1000"})
            elif answer == "403-ghas":
                self.send_json(403, {"message": "Advanced Security must be enabled for this repository to use "
                                                "code scanning.",
                                     "documentation_url": "https://docs.github.com/rest"},
                               {"x-ratelimit-remaining": "999"})
            elif answer == "422":
                self.send_json(422, {"message": "Invalid request.\n\nNo commit found for the given SHA.",
                                     "documentation_url": "https://docs.github.com/rest"})
            elif answer == "404":
                self.send_json(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})

        def answer_status(self, entry):
            status = state.next_status()
            entry["status"] = 200
            state.record(entry)
            host = self.headers.get("Host", "127.0.0.1")
            scheme = "https" if args.tls_cert else "http"
            payload = {"processing_status": status, "analyses_url": None, "errors": None}
            if status == "complete":
                payload["analyses_url"] = "%s://%s%s/repos/%s/code-scanning/analyses?sarif_id=%s" % (
                    scheme, host, args.prefix or "", args.repository, SARIF_ID)
            if status == "failed":
                payload["errors"] = [
                    "locationFromSarifResult: expected at least one location",
                    "A delivery cannot contain multiple runs with the same category.",
                ]
            if status == "failed-many":
                payload["processing_status"] = "failed"
                payload["errors"] = ["error number %d" % index for index in range(1, 101)]
            self.send_json(200, payload)

    return Handler


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    tls_context = None
    state = None

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the request's thread, so a stuck client cannot block accept().
        if self.tls_context is not None:
            try:
                request = self.tls_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as error:
                self.state.record({"event": "tls-handshake-failed", "error": str(error)[:200]})
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass  # a client that disconnects early is part of the tests


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--openapi", required=True, help="code-scanning-sarifs.openapi.json")
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--token", required=True, help="the token the client must send")
    parser.add_argument("--repository", required=True, help="OWNER/NAME the client must use")
    parser.add_argument("--sarif-sha256", help="sha256 of the file the sarif field must decode to")
    parser.add_argument("--record", help="write the requests seen to this JSON file")
    parser.add_argument("--prefix", default="", help="API path prefix, e.g. /api/v3 (GitHub Enterprise Server)")
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate chain")
    parser.add_argument("--tls-key", help="the certificate's PEM private key")
    args = parser.parse_args()

    # A test runner's thread may have blocked SIGTERM, and the mask is inherited: unblock it, so that
    # the test can stop the server.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    document = load_openapi(args.openapi)
    operations = build_operations(document)
    state = State(args)
    server = Server(("127.0.0.1", 0), make_handler(state, document, operations))
    server.state = state
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.tls_context = context
    if args.record:
        state.record({"event": "started"})
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        state.stop.set()


if __name__ == "__main__":
    sys.exit(main())
