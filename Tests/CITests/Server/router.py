#!/usr/bin/env python3
"""Routes one API root to the GitHub test servers, for `scangate ci`'s tests.

`scangate ci` uses one REST API root for the SARIF upload and the pull request comment; the
GitHub tests have one local server for each (Tests/GitHubTests/Server). This forwards each
request, unchanged, to the first backend whose path prefix matches, and relays the answer:
  router.py --route /repos/o/r/code-scanning=http://127.0.0.1:P1 --route /repos/o/r/issues=http://127.0.0.1:P2
Listens on 127.0.0.1 (port printed on stdout as "PORT <n>"). Standard library only.
"""

import argparse
import http.client
import http.server
import sys
import urllib.parse

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--route", action="append", default=[], help="PREFIX=http://HOST:PORT")
    args = parser.parse_args()
    routes = []
    for route in args.route:
        prefix, _, target = route.partition("=")
        routes.append((prefix, urllib.parse.urlsplit(target)))

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *values):
            pass

        def forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else None
            path = urllib.parse.urlsplit(self.path).path
            target = next((t for p, t in routes if path.startswith(p)), None)
            if target is None:
                data = b'{"message": "Not Found (router)"}'
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            connection.request(self.command, self.path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            connection.close()

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = forward

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
