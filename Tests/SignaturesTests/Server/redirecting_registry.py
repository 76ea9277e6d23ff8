#!/usr/bin/env python3
"""A registry front that redirects manifests to "blob storage", for ScanGate's redirect tests.

  GET /v2/                          -> 200 {}
  GET /v2/acme/app/manifests/v1     -> 307 to http://localhost:<port>/cdn/start (another origin)
  GET /cdn/start                    -> 307 to the relative "/cdn/final" (of localhost, not 127.0.0.1)
  GET /cdn/final                    -> 404
Every request's path, Host and whether it carried Authorization is appended to --record as one
JSON line. Listens on 127.0.0.1 and prints "PORT <n>". Standard library only.
"""

import argparse
import http.server
import json
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", required=True)
    args = parser.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *values):
            pass

        def answer(self, status, headers=None, body=b""):
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            with open(args.record, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"path": self.path, "host": self.headers.get("Host"),
                                         "authorization": self.headers.get("Authorization") is not None}) + "\n")
            port = self.server.server_address[1]
            if self.path == "/v2/":
                self.answer(200, {"Content-Type": "application/json"}, b"{}")
            elif self.path == "/v2/acme/app/manifests/v1":
                self.answer(307, {"Location": "http://localhost:%d/cdn/start" % port})
            elif self.path == "/cdn/start":
                self.answer(307, {"Location": "/cdn/final"})
            else:
                self.answer(404, {"Content-Type": "text/plain"}, b"not here")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
