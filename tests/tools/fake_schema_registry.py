#!/usr/bin/python3
"""A tiny Confluent-compatible Schema Registry for tests (no registry server is packaged for
Debian or npm). Serves only what the sink's client uses:
  GET /schemas/ids/{id}      -> {"schema": "<text>"}            (404 {"error_code": 40403, ...})
  GET /schemas/guids/{guid}  -> {"schema": "<text>"}
from a JSON file {"ids": {"1": "<schema text>"}, "guids": {"<guid>": "<schema text>"}}.
Options: --user/--password require HTTP basic auth (401 otherwise); --cert/--key serve HTTPS.
Listens on 127.0.0.1 only; prints "listening <port>" when ready; logs each request path.
"""
import argparse
import base64
import http.server
import json
import ssl
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--schemas", required=True)
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    args = ap.parse_args()
    with open(args.schemas) as f:
        table = json.load(f)
    expected_auth = None
    if args.user is not None:
        token = base64.b64encode(f"{args.user}:{args.password or ''}".encode()).decode()
        expected_auth = "Basic " + token

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            print("GET", self.path, flush=True)
            if expected_auth and self.headers.get("Authorization") != expected_auth:
                return self.reply(401, {"error_code": 401, "message": "Unauthorized"})
            parts = self.path.strip("/").split("/")
            if len(parts) == 3 and parts[0] == "schemas" and parts[1] in ("ids", "guids"):
                text = table.get(parts[1], {}).get(parts[2])
                if text is not None:
                    return self.reply(200, {"schema": text})
            return self.reply(404, {"error_code": 40403, "message": "Schema not found"})

        def log_message(self, fmt, *a):
            pass

    # Threads: several sinks keep their keep-alive connections open at once.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print("listening", args.port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
