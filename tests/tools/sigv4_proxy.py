#!/usr/bin/python3
"""A SigV4-verifying reverse proxy for tests, in front of a lax S3 server (s3rver).

Every request's signature is recomputed with botocore (an implementation independent of the
sink's) from what arrived on the wire: method, path, query, the headers named in SignedHeaders,
and the known secret of the access key. A mismatch is answered 403 SignatureDoesNotMatch (the
request is not forwarded); x-amz-content-sha256 (unless UNSIGNED-PAYLOAD) and Content-MD5 are
checked against the body; presigned URLs (query-string auth) are checked the same way and for
expiry. Valid requests are forwarded to --upstream and the response relayed (bodies streamed).

GET /__sigv4_proxy/stats answers {"verified": N, "rejected": N, "last_rejection": "...",
"faults": N}.

--fault-rate R injects faults into that share of the verified requests (seeded by --fault-seed):
half are answered 503 SlowDown without being forwarded, half are forwarded and applied upstream
and then answered 500 InternalError (an answer lost after the work was done, so a retry repeats
it). S3 clients retry both.

usage: sigv4_proxy.py --upstream http://127.0.0.1:PORT [--port 0] [--port-file F]
                      [--credentials ACCESS_KEY:SECRET ...] [--max-skew-seconds 900]
                      [--fault-rate 0.1] [--fault-seed 1]
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import http.client
import json
import os
import random
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "transfer-encoding", "upgrade", "host"}
CHUNK = 1 << 20


class Rejection(Exception):
    def __init__(self, status, code, message, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def error_xml(code, message, extra):
    fields = "".join(f"<{k}>{_escape(str(v))}</{k}>" for k, v in extra.items())
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{_escape(message)}</Message>{fields}"
            f"<RequestId>sigv4-proxy</RequestId></Error>").encode()


def _escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def decoded_query(raw_query):
    """[(name, value)] decoded as S3 does: %XX only ('+' stays '+')."""
    params = []
    if raw_query:
        for pair in raw_query.split("&"):
            name, _, value = pair.partition("=")
            params.append((unquote(name), unquote(value)))
    return params


def parse_authorization(value):
    algorithm, _, rest = value.partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
        raise Rejection(400, "InvalidArgument", f"unsupported authorization type {algorithm!r}")
    parts = {}
    for item in rest.split(","):
        k, _, v = item.strip().partition("=")
        parts[k] = v
    try:
        credential, signed, signature = (parts["Credential"], parts["SignedHeaders"],
                                         parts["Signature"])
    except KeyError as missing:
        raise Rejection(400, "AuthorizationHeaderMalformed", f"missing {missing} in Authorization")
    return credential, signed.split(";"), signature


class Verifier:
    def __init__(self, secrets, max_skew):
        self.secrets, self.max_skew = secrets, max_skew

    def credentials(self, credential):
        scope = credential.split("/")
        if len(scope) != 5 or scope[4] != "aws4_request":
            raise Rejection(400, "AuthorizationHeaderMalformed", f"bad credential scope {credential!r}")
        key_id, date, region, service = scope[:4]
        if key_id not in self.secrets:
            raise Rejection(403, "InvalidAccessKeyId",
                            "The AWS Access Key Id you provided does not exist in our records.")
        return key_id, date, region, service

    def check_time(self, amz_date, scope_date, expires=None):
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
        except ValueError:
            raise Rejection(403, "AccessDenied", f"bad X-Amz-Date {amz_date!r}")
        if amz_date[:8] != scope_date:
            raise Rejection(403, "SignatureDoesNotMatch", "credential scope date != X-Amz-Date")
        now = datetime.datetime.utcnow()
        if expires is not None:
            if now > when + datetime.timedelta(seconds=expires):
                raise Rejection(403, "AccessDenied", "Request has expired")
        elif abs((now - when).total_seconds()) > self.max_skew:
            raise Rejection(403, "RequestTimeTooSkewed",
                            "The difference between the request time and the current time is "
                            "too large.", RequestTime=amz_date)

    def canonical_path(self, raw_path):
        # S3 canonicalizes the path as the URI-encoded (once) key: decode, encode again.
        return quote(unquote(raw_path), safe="/~")

    def verify_headers(self, method, raw_path, raw_query, headers, body):
        credential, signed_names, signature = parse_authorization(headers["authorization"])
        key_id, date, region, service = self.credentials(credential)
        if "host" not in signed_names:
            raise Rejection(403, "AccessDenied", "host must be a signed header")
        content_sha = headers.get("x-amz-content-sha256")
        if content_sha is None:
            raise Rejection(400, "InvalidRequest", "Missing required header x-amz-content-sha256")
        if content_sha != "UNSIGNED-PAYLOAD" and content_sha != hashlib.sha256(body).hexdigest():
            raise Rejection(400, "XAmzContentSHA256Mismatch",
                            "The provided 'x-amz-content-sha256' header does not match what "
                            "was computed.")
        self.check_time(headers.get("x-amz-date", ""), date)
        request = AWSRequest(method=method, url="http://proxy" + self.canonical_path(raw_path),
                             params=decoded_query(raw_query))
        for name in signed_names:
            values = headers.get_all(name)
            if values is None:
                raise Rejection(403, "AccessDenied", f"signed header {name!r} is missing")
            for v in values:
                request.headers.add_header(name, v)
        request.context["timestamp"] = headers["x-amz-date"]
        auth = S3SigV4Auth(Credentials(key_id, self.secrets[key_id]), service, region)
        self.compare(auth, request, signature)

    def verify_presigned(self, method, raw_path, raw_query, host):
        params = decoded_query(raw_query)
        q = dict(params)
        if q.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
            raise Rejection(400, "AuthorizationQueryParametersError", "bad X-Amz-Algorithm")
        key_id, date, region, service = self.credentials(q.get("X-Amz-Credential", ""))
        expires = int(q.get("X-Amz-Expires", "0"))
        if not 1 <= expires <= 604800:
            raise Rejection(400, "AuthorizationQueryParametersError", "X-Amz-Expires out of range")
        self.check_time(q.get("X-Amz-Date", ""), date, expires=expires)
        signature = q.get("X-Amz-Signature", "")
        request = AWSRequest(method=method, url="http://proxy" + self.canonical_path(raw_path),
                             params=[(k, v) for k, v in params if k != "X-Amz-Signature"])
        request.headers["host"] = host
        request.context["timestamp"] = q["X-Amz-Date"]
        auth = S3SigV4QueryAuth(Credentials(key_id, self.secrets[key_id]), service, region,
                                expires=expires)
        self.compare(auth, request, signature)

    @staticmethod
    def compare(auth, request, signature):
        canonical_request = auth.canonical_request(request)
        string_to_sign = auth.string_to_sign(request, canonical_request)
        expected = auth.signature(string_to_sign, request)
        if not hmac.compare_digest(expected, signature):
            raise Rejection(403, "SignatureDoesNotMatch",
                            "The request signature we calculated does not match the signature "
                            "you provided. Check your key and signing method.",
                            CanonicalRequest=canonical_request, StringToSign=string_to_sign)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sigv4-proxy"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("sigv4-proxy: " + (fmt % args) + "\n")

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", ""):
            raise Rejection(411, "MissingContentLength", "chunked request bodies are not supported")
        length = int(self.headers.get("Content-Length", "0"))
        chunks, left = [], length
        while left > 0:
            chunk = self.rfile.read(min(left, CHUNK))
            if not chunk:
                raise Rejection(400, "IncompleteBody", "the body ended early")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def handle_any(self):
        split = urlsplit(self.path)
        if split.path == "/__sigv4_proxy/stats":
            return self.send_bytes(200, json.dumps(self.server.stats).encode(),
                                   "application/json")
        try:
            body = self.read_body()
            verifier = self.server.verifier
            if "X-Amz-Signature" in split.query:
                verifier.verify_presigned(self.command, split.path, split.query,
                                          self.headers.get("Host", ""))
            elif "authorization" in self.headers:
                verifier.verify_headers(self.command, split.path, split.query, self.headers, body)
            else:
                raise Rejection(403, "AccessDenied", "anonymous requests are not allowed here")
            md5 = self.headers.get("Content-MD5")
            if md5 is not None and md5 != base64.b64encode(hashlib.md5(body).digest()).decode():
                raise Rejection(400, "BadDigest",
                                "The Content-MD5 you specified did not match what we received.")
        except Rejection as r:
            with self.server.lock:
                self.server.stats["rejected"] += 1
                self.server.stats["last_rejection"] = f"{self.command} {split.path}: {r.code}"
            sys.stderr.write(f"sigv4-proxy: rejected {self.command} {self.path}: {r.code} "
                             f"{r.message}\n")
            self.close_connection = True
            payload = b"" if self.command == "HEAD" else error_xml(r.code, r.message, r.extra)
            return self.send_bytes(r.status, payload, "application/xml")
        with self.server.lock:
            self.server.stats["verified"] += 1
            fault = None
            if self.server.fault_rate > 0 and self.server.random.random() < self.server.fault_rate:
                fault = self.server.random.choice(["before", "after"])
                self.server.stats["faults"] += 1
        if fault == "before":
            return self.send_bytes(503, error_xml("SlowDown", "injected fault", {}),
                                   "application/xml")
        if fault == "after":
            return self.forward(body, lose_answer=True)
        self.forward(body)

    def forward(self, body, lose_answer=False):
        upstream = http.client.HTTPConnection(self.server.upstream.hostname,
                                              self.server.upstream.port, timeout=120)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["Host"] = self.server.upstream.netloc
            upstream.request(self.command, self.path, body=body if body else None,
                             headers=headers)
            response = upstream.getresponse()
        except OSError as e:
            upstream.close()
            self.close_connection = True
            return self.send_bytes(502, error_xml("BadGateway", f"upstream: {e}", {}),
                                   "application/xml")
        try:
            if lose_answer:
                response.read()
                return self.send_bytes(500, error_xml("InternalError", "injected fault after "
                                                      "the request was applied", {}),
                                       "application/xml")
            self.relay(response)
        finally:
            upstream.close()

    def relay(self, response):
        length = response.getheader("Content-Length")
        if length is None and self.command != "HEAD":
            data = response.read()  # chunked upstream: buffer (small XML bodies)
            length = str(len(data))
        else:
            data = None
        self.send_response(response.status, response.reason)
        for k, v in response.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        if length is not None:
            self.send_header("Content-Length", length)
        self.end_headers()
        if self.command == "HEAD":
            return
        if data is not None:
            self.wfile.write(data)
            return
        while True:
            chunk = response.read(CHUNK)
            if not chunk:
                break
            self.wfile.write(chunk)

    def send_bytes(self, status, payload, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--credentials", action="append", default=[],
                        help="ACCESS_KEY:SECRET (repeatable; default S3RVER:S3RVER)")
    parser.add_argument("--max-skew-seconds", type=int, default=900)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--fault-seed", type=int, default=1)
    args = parser.parse_args()
    secrets = dict(c.split(":", 1) for c in (args.credentials or ["S3RVER:S3RVER"]))
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.upstream = urlsplit(args.upstream)
    server.verifier = Verifier(secrets, args.max_skew_seconds)
    server.verbose = args.verbose
    server.lock = threading.Lock()
    server.stats = {"verified": 0, "rejected": 0, "last_rejection": "", "faults": 0}
    server.fault_rate = args.fault_rate
    server.random = random.Random(args.fault_seed)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"sigv4-proxy listening on 127.0.0.1:{port} -> {args.upstream}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
