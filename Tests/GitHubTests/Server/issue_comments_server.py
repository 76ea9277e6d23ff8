#!/usr/bin/env python3
"""A local stand-in for GitHub's issue comments API (the pull request comment), for ScanGate's tests.

It follows GitHub's REST documentation for
  GET   /repos/{owner}/{repo}/issues/{issue_number}/comments   (per_page <= 100, page; Link rel="next")
  POST  /repos/{owner}/{repo}/issues/{issue_number}/comments   {"body": string}  -> 201
  PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}     {"body": string}  -> 200
with the headers GitHub asks for, and a 65536-character limit on bodies (422 beyond).
It listens on 127.0.0.1 (port 0 = ephemeral, printed on stdout as "PORT <n>"), keeps the
comments in memory, and writes every request and the comments to a JSON file after each
request for the test to read.

Options add comments before the run: --preexisting N people's comments, --forged-marker an
outsider's comment starting with the marker, --quoted-marker a person quoting it,
--collaborator-marker a collaborator's marked comment and then the workflow bot's.

Scenarios:
  normal              every request is answered
  create-502-created  the first POST creates the comment but answers 502 (the answer is lost)
  list-503-once       the first GET answers 503 (a retry helps)
  slow-list           every GET of the comments answers after 0.4 s (an API that is slow, not down)
  stalled-list        every GET of the comments answers after 4 s (one request longer than the post may take)

Standard library only.
"""

import argparse
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.parse

REQUIRED_HEADERS = {
    "Accept": re.compile(r"\Aapplication/vnd\.github\+json\Z"),
    "X-GitHub-Api-Version": re.compile(r"\A2022-11-28\Z"),
    "User-Agent": re.compile(r"\Ascangate/\d+\.\d+\.\d+\S*\Z"),
}
LIST = re.compile(r"\A/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues/(?P<number>\d+)/comments\Z")
UPDATE = re.compile(r"\A/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues/comments/(?P<id>\d+)\Z")
MAX_BODY = 65536


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.records = []
        self.comments = []
        self.next_id = 1000
        self.posts = 0
        self.gets = 0
        for index in range(args.preexisting):
            self.add("A review comment %d from a person." % index, "octocat")
        if args.forged_marker:
            # Someone outside the project posts a comment that starts with the marker.
            self.add("<!-- scangate-report -->\nPASS (forged)", "mallory", "FIRST_TIME_CONTRIBUTOR")
        if args.collaborator_marker:
            # A collaborator's comment that starts with the marker (a report pasted, then
            # annotated), older than the workflow's own comment.
            self.add("<!-- scangate-report -->\nalice's notes on the report", "alice", "COLLABORATOR")
            self.add("<!-- scangate-report -->\nold report", "github-actions[bot]")
        if args.quoted_marker:
            # A person quoting the marker inside a comment: not ScanGate's comment.
            self.add("Why does the bot write `<!-- scangate-report -->` first?", "octocat")

    def add(self, body, user, association="CONTRIBUTOR"):
        self.next_id += 1
        # As GitHub writes them: GITHUB_TOKEN comments are by the Bot "github-actions[bot]",
        # whose author_association is NONE; people have the association they have with the repository.
        is_bot = user.endswith("[bot]")
        comment = {
            "id": self.next_id,
            "body": body,
            "user": {"login": user, "type": "Bot" if is_bot else "User"},
            "author_association": "NONE" if is_bot else association,
            "html_url": "https://github.test/%s/pull/%d#issuecomment-%d" % (self.args.repository, self.args.pr, self.next_id),
        }
        if self.args.scenario == "hostile-url":
            # Terminal escapes, a forged line and the token itself, as a compromised proxy might answer.
            comment["html_url"] = "https://github.test/c\x1b]0;pwned\x07\r\nresult: ok ?t=%s\u0301" % self.args.token
        self.comments.append(comment)
        return comment

    def save(self, entry):
        self.records.append(entry)
        if self.args.record:
            temporary = self.args.record + ".tmp"
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump({"requests": self.records, "comments": self.comments}, handle, indent=1)
            os.replace(temporary, self.args.record)


def make_handler(state):
    args = state.args

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "GitHub.com-test"

        def log_message(self, fmt, *values):
            pass

        def do_GET(self):
            self.handle_any()

        def do_POST(self):
            self.handle_any()

        def do_PATCH(self):
            self.handle_any()

        def do_PUT(self):
            self.handle_any()

        def do_DELETE(self):
            self.handle_any()

        def send_json(self, status, payload, headers=None):
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-github-request-id", "TEST:%04d" % len(state.records))
            for name, value in (headers or {}).items():
                # A list: the field sent once per value (several `Link` fields).
                for one in (value if isinstance(value, list) else [value]):
                    self.send_header(name, one)
            self.end_headers()
            self.wfile.write(data)

        def handle_any(self):
            with state.lock:
                self.handle_locked()

        def handle_locked(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length > 0 else b""
            split = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(split.query)
            problems = []
            entry = {"method": self.command, "path": split.path, "query": split.query, "problems": problems}
            if self.headers.get("Authorization") != "Bearer " + args.token:
                problems.append("Authorization is not 'Bearer <the expected token>'")
            for name, pattern in REQUIRED_HEADERS.items():
                value = self.headers.get(name)
                if value is None or not pattern.search(value):
                    problems.append("header %s: %r" % (name, value))
            list_match = LIST.match(split.path)
            update_match = UPDATE.match(split.path)
            match = list_match or update_match
            if match is None or self.command not in ("GET", "POST", "PATCH"):
                entry["status"] = 404
                problems.append("no operation %s %s" % (self.command, split.path))
                state.save(entry)
                self.send_json(404, {"message": "Not Found"})
                return
            if "%s/%s" % (match.group("owner"), match.group("repo")) != args.repository:
                entry["status"] = 404
                state.save(entry)
                self.send_json(404, {"message": "Not Found"})
                return
            body = None
            if self.command in ("POST", "PATCH"):
                if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
                    problems.append("Content-Type is not application/json")
                try:
                    body = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    problems.append("body is not JSON")
                if not isinstance(body, dict) or set(body) != {"body"} or not isinstance(body.get("body"), str):
                    problems.append("body must be exactly {\"body\": string}")
                    body = None
            elif raw:
                problems.append("unexpected request body")
            if problems:
                entry["status"] = 400
                state.save(entry)
                self.send_json(400, {"message": "test server: " + "; ".join(problems)})
                return
            if body is not None and len(body["body"]) > MAX_BODY:
                entry["status"] = 422
                state.save(entry)
                self.send_json(422, {"message": "Validation Failed",
                                     "errors": [{"message": "Body is too long (maximum is 65536 characters)"}]})
                return

            if list_match and int(list_match.group("number")) != args.pr:
                entry["status"] = 404
                state.save(entry)
                self.send_json(404, {"message": "Not Found"})
                return
            if list_match and self.command == "GET":
                state.gets += 1
                if args.scenario == "slow-list":
                    time.sleep(0.4)
                if args.scenario == "stalled-list":
                    time.sleep(4)
                if args.scenario == "list-503-once" and state.gets == 1:
                    entry["status"] = 503
                    state.save(entry)
                    self.send_json(503, {"message": "Service Unavailable"})
                    return
                per_page = min(int(query.get("per_page", ["30"])[0]), 100, args.page_size)
                page = int(query.get("page", ["1"])[0])
                items = state.comments[(page - 1) * per_page: page * per_page]
                headers = {}
                pages = max(1, (len(state.comments) + per_page - 1) // per_page)
                if page < pages:
                    base = "http://%s%s" % (self.headers.get("Host", "127.0.0.1"), split.path)
                    next_link = '<%s?per_page=%d&page=%d>' % (base, per_page, page + 1)
                    last_link = '<%s?per_page=%d&page=%d>' % (base, per_page, pages)
                    if args.link_style == "unquoted":
                        # RFC 8288 allows rel unquoted; GitHub quotes it.
                        headers["Link"] = '%s; rel=next, %s; rel=last' % (next_link, last_link)
                    elif args.link_style == "split":
                        headers["Link"] = ['%s; rel="next"' % next_link, '%s; rel="last"' % last_link]
                    else:
                        headers["Link"] = '%s; rel="next", %s; rel="last"' % (next_link, last_link)
                entry["status"] = 200
                state.save(entry)
                self.send_json(200, items, headers)
                return
            if list_match and self.command == "POST":
                state.posts += 1
                comment = state.add(body["body"], "github-actions[bot]")
                if args.scenario == "create-502-created" and state.posts == 1:
                    entry["status"] = 502
                    state.save(entry)
                    self.send_json(502, {"message": "Bad Gateway"})
                    return
                entry["status"] = 201
                state.save(entry)
                self.send_json(201, comment)
                return
            if update_match and self.command == "PATCH":
                wanted = int(update_match.group("id"))
                if args.scenario == "deleted-before-update":
                    # Someone deleted the comment after ScanGate listed it.
                    state.comments = [c for c in state.comments if c["id"] != wanted]
                    args.scenario = "normal"
                for comment in state.comments:
                    if comment["id"] == wanted:
                        comment["body"] = body["body"]
                        entry["status"] = 200
                        state.save(entry)
                        self.send_json(200, comment)
                        return
                entry["status"] = 404
                state.save(entry)
                self.send_json(404, {"message": "Not Found"})
                return
            entry["status"] = 405
            state.save(entry)
            self.send_json(405, {"message": "Method Not Allowed"})

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--token", required=True)
    parser.add_argument("--repository", required=True)
    parser.add_argument("--pr", type=int, required=True)
    parser.add_argument("--record")
    parser.add_argument("--link-style", default="github", choices=["github", "unquoted", "split"])
    parser.add_argument("--scenario", default="normal", choices=["normal", "create-502-created", "list-503-once", "hostile-url", "slow-list", "stalled-list", "deleted-before-update"])
    parser.add_argument("--preexisting", type=int, default=0)
    parser.add_argument("--quoted-marker", action="store_true")
    parser.add_argument("--forged-marker", action="store_true")
    parser.add_argument("--collaborator-marker", action="store_true")
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    state = State(args)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    # Bounded even if the test forgets to stop it.
    timer = threading.Timer(300, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
