#!/usr/bin/python3
"""A SigV4-verifying reverse proxy for tests, in front of a lax S3 server (s3rver).

Every request's signature is recomputed with botocore (an implementation independent of the
sink's) from what arrived on the wire: method, path, query, the headers named in SignedHeaders,
and the known secret of the access key. A mismatch is answered 403 SignatureDoesNotMatch (the
request is not forwarded); x-amz-content-sha256 (unless UNSIGNED-PAYLOAD), Content-MD5 and
x-amz-checksum-crc32c are checked against the body (400 BadDigest); presigned URLs (query-string auth) are checked the same way and for
expiry. Valid requests are forwarded to --upstream and the response relayed (bodies streamed).

GET /__sigv4_proxy/stats answers {"verified": N, "rejected": N, "last_rejection": "...",
"faults": N, "faults_by_kind": {...}, "open_uploads": N, ...} (see "Multipart uploads" below),
"late_requests": N (read 10 s or more after their X-Amz-Date: held somewhere before the proxy
read them), "last_late_request" (which, and when its connection was accepted), "max_lag_seconds",
"cross_generation_reorders" and "last_reorder" (see "Generations" below) and "bodies_checked":
{"md5": N, "crc32c": N} (bodies whose Content-MD5 or x-amz-checksum-crc32c matched).

--fault-rate R injects faults into that share of the verified requests (seeded by --fault-seed);
each fault is one of --fault-kinds (comma-separated), chosen at random among the enabled kinds
that apply to the request:
  before          answered 503 SlowDown, not forwarded
  after           forwarded and applied upstream, then answered 500 InternalError (an answer lost
                  after the work was done, so a retry repeats it)
  reset           forwarded and applied, then the connection is reset mid-response (the status
                  line and part of the headers or body are sent, then an RST)
  stall           forwarded and applied, then no answer for --stall-seconds (longer than the
                  client's read timeout), then the connection is closed
  complete_error  CompleteMultipartUpload only: forwarded and applied, then answered 200 OK with
                  an <Error><Code>InternalError</Code> body (AWS documents that Complete can)
The default kinds are before,after (the original behaviour). --complete-fault-rate R2 faults
CompleteMultipartUpload requests at another rate (default: --fault-rate): a run has few of them.
CompleteMultipartUpload requests draw from a sequence of their own (also seeded by --fault-seed),
so the n-th Complete of a run gets the same fault in every run. S3 clients retry all of these.

Multipart uploads: the proxy follows CreateMultipartUpload, CompleteMultipartUpload and
AbortMultipartUpload as applied, and answers as S3 does where s3rver does not: it answers
ListMultipartUploads from what it followed (s3rver has none), aborts an upload itself (s3rver
answers Abort 405), and answers
NoSuchUpload to an UploadPart, Complete or Abort of an upload already completed or aborted
(s3rver answers a repeated Complete 500 InternalError, which a client retries until it gives
up; S3 answers NoSuchUpload, and a client that lost the first answer checks the object). "open_uploads"
counts uploads whose UploadId reached the client and that were neither completed nor aborted
since ("open_upload_keys" names up to 20 of them); "orphaned_uploads" counts open uploads created
upstream whose answer a fault lost (their UploadId reaches a client only through
ListMultipartUploads). Also "uploads_created", "uploads_completed", "uploads_aborted".

Generations: POST /__sigv4_proxy/generation (a test calls it once it killed a client, before
it starts the successor in a later second) answers {"boundary": T}, T the current Unix second.
From then on a request signed at or before T (its X-Amz-Date) is of the old generation, a later
one of the new. "cross_generation_reorders" counts the old generation's PUT, POST or DELETE
requests that s3rver answered after a new generation's request of the same path had been
forwarded to it: the killed client's write may then land after its successor's, which no client
can prevent. A test that checks convergence after a crash must see none (a late request that
reorders nothing does no harm).

--record-headers FILE appends one JSON line per verified request (before any fault):
{"method": ..., "path": <decoded>, "query": {name: value}, "headers": {<lowercase name>: value},
"signed_headers": [...]} (headers as they arrived, Authorization left out). Off by default.

--log-requests FILE appends one JSON line per verified request once it is answered (or its
client went away), for reconstructing the order in which requests reached s3rver:
{"method", "path", "amz_date" (when the client signed it), "accepted" (when the proxy accepted
the connection), "nth" (the request's place on its connection, from 1), "received" (body read),
"applied" (s3rver answered; absent when not forwarded), "upstream_status", "fault", "status"
(what the client was told; absent when it went away), "client_port"}; times are Unix seconds.

usage: sigv4_proxy.py --upstream http://127.0.0.1:PORT [--port 0] [--port-file F]
                      [--credentials ACCESS_KEY:SECRET ...] [--max-skew-seconds 900]
                      [--fault-rate 0.1] [--fault-seed 1] [--fault-kinds before,after,...]
                      [--complete-fault-rate R] [--stall-seconds 5] [--record-headers FILE]
                      [--log-requests FILE]
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
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, quote_plus, unquote, urlsplit

import crcmod.predefined  # Debian python3-crcmod (C extension): an independent CRC-32C
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "transfer-encoding", "upgrade", "host"}
CHUNK = 1 << 20
FAULT_KINDS = ("before", "after", "reset", "stall", "complete_error")
UPLOAD_ID = re.compile(rb"<UploadId>([^<]+)</UploadId>")
# A request read this long after its X-Amz-Date counts as late (stats "late_requests"). The
# date has whole seconds. The sink signs a request once it holds a connection (s3/client_core.cpp).
LATE_SECONDS = 10
# The methods that change an object (what "Generations" compares).
CHANGING_METHODS = ("PUT", "POST", "DELETE")


CRC32C = crcmod.predefined.mkCrcFun("crc-32c")


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

    def setup(self):
        super().setup()
        self.accepted_at = time.time()
        self.nth = 0

    def send_response(self, code, message=None):
        if getattr(self, "entry", None) is not None:
            self.entry["status"] = code
        super().send_response(code, message)

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
        if split.path == "/__sigv4_proxy/generation" and self.command == "POST":
            boundary = self.server.new_generation()
            return self.send_bytes(200, json.dumps({"boundary": boundary}).encode(),
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
            crc = self.headers.get("x-amz-checksum-crc32c")
            if crc is not None and crc != base64.b64encode(
                    CRC32C(body).to_bytes(4, "big")).decode():
                raise Rejection(400, "BadDigest",
                                "The CRC32C you specified did not match the calculated checksum.")
            checked = [name for name, header in (("md5", md5), ("crc32c", crc)) if header]
        except Rejection as r:
            with self.server.lock:
                self.server.stats["rejected"] += 1
                self.server.stats["last_rejection"] = f"{self.command} {split.path}: {r.code}"
            sys.stderr.write(f"sigv4-proxy: rejected {self.command} {self.path}: {r.code} "
                             f"{r.message}\n")
            self.close_connection = True
            payload = b"" if self.command == "HEAD" else error_xml(r.code, r.message, r.extra)
            return self.send_bytes(r.status, payload, "application/xml")
        params = dict(decoded_query(split.query))
        self.params = params
        operation = multipart_operation(self.command, params)
        with self.server.lock:
            self.server.stats["verified"] += 1
            for name in checked:
                self.server.stats["bodies_checked"][name] += 1
            if self.server.record_file:
                self.server.record_request(self.command, split, params, self.headers)
            fault = self.server.choose_fault(operation)
        self.amz_date = self.headers.get("x-amz-date") or params.get("X-Amz-Date")
        self.server.note_lag(self.amz_date,
                             f"{self.command} {unquote(split.path)}", self.accepted_at,
                             self.nth + 1)
        self.nth += 1
        self.entry = None
        if self.server.request_log:
            self.entry = {"method": self.command, "path": unquote(split.path),
                          "amz_date": self.headers.get("x-amz-date", ""),
                          "accepted": self.accepted_at, "nth": self.nth,
                          "received": time.time(), "fault": fault,
                          "client_port": self.client_address[1]}
        try:
            self.answer(body, operation, params, split, fault)
        finally:
            if self.entry is not None:
                self.server.log_request(self.entry)
                self.entry = None

    def answer(self, body, operation, params, split, fault):
        if fault is not None:
            sys.stderr.write(f"sigv4-proxy: fault {fault}: {self.command} {self.path}\n")
        if fault == "before":
            return self.send_bytes(503, error_xml("SlowDown", "injected fault", {}),
                                   "application/xml")
        try:
            self.forward(body, operation, params.get("uploadId"), split.path, fault)
        except (BrokenPipeError, ConnectionResetError) as e:
            # The client gave up first (its read timeout, a cancelled upload): nothing to answer.
            self.close_connection = True
            if self.entry is not None:
                self.entry.pop("status", None)
            sys.stderr.write(f"sigv4-proxy: client went away: {self.command} {self.path}: {e}\n")

    def forward(self, body, operation, upload_id, path, fault):
        upstream = None
        response = self.server.emulate(operation, upload_id, path, self.params)
        if response is None:
            upstream = http.client.HTTPConnection(self.server.upstream.hostname,
                                                  self.server.upstream.port, timeout=120)
            try:
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in HOP_BY_HOP}
                headers["Host"] = self.server.upstream.netloc
                generation = self.server.forwarding(self.command, path, self.amz_date)
                upstream.request(self.command, self.path, body=body if body else None,
                                 headers=headers)
                response = upstream.getresponse()
                self.server.forwarded(generation, self.command, path, self.amz_date)
                if self.entry is not None:
                    self.entry["applied"] = time.time()
                    self.entry["upstream_status"] = response.status
            except OSError as e:
                upstream.close()
                self.close_connection = True
                return self.send_bytes(502, error_xml("BadGateway", f"upstream: {e}", {}),
                                       "application/xml")
        try:
            if operation is None and fault is None:
                return self.relay(response)
            # Multipart operations and faulted requests: small answers, read whole.
            data = response.read()
            if upstream is not None:
                self.server.track_upload(operation, response.status, data, upload_id, path,
                                         delivered=fault is None)
            if fault is None:
                return self.relay(response, data)
            if fault == "after":
                return self.send_bytes(500, error_xml("InternalError", "injected fault after "
                                                      "the request was applied", {}),
                                       "application/xml")
            if fault == "complete_error":
                return self.send_bytes(200, error_xml("InternalError", "We encountered an "
                                                      "internal error. Please try again.", {}),
                                       "application/xml")
            if fault == "reset":
                return self.reset_mid_response(response, data)
            if fault == "stall":
                return self.stall()
            raise AssertionError(fault)
        finally:
            if upstream is not None:
                upstream.close()

    def reset_mid_response(self, response, data):
        head = [f"HTTP/1.1 {response.status} {response.reason}\r\n"]
        for k, v in response.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                head.append(f"{k}: {v}\r\n")
        head.append(f"Content-Length: {len(data)}\r\n\r\n")
        raw = "".join(head).encode("latin-1") + (b"" if self.command == "HEAD" else data)
        with self.server.lock:
            cut = self.server.random.randrange(1, len(raw))
        self.close_connection = True
        try:
            self.connection.sendall(raw[:cut])
            time.sleep(0.05)  # let the bytes reach the client before the RST
            # SO_LINGER 0: close() sends an RST instead of a FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def stall(self):
        self.close_connection = True
        time.sleep(self.server.stall_seconds)
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def relay(self, response, data=None):
        length = response.getheader("Content-Length")
        if data is not None:
            length = None if self.command == "HEAD" else str(len(data))
        elif length is None and self.command != "HEAD":
            data = response.read()  # chunked upstream: buffer (small XML bodies)
            length = str(len(data))
        self.send_response(response.status, response.reason)
        for k, v in response.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        if length is not None:
            self.send_header("Content-Length", length)
        elif self.command == "HEAD" and response.getheader("Content-Length") is not None:
            self.send_header("Content-Length", response.getheader("Content-Length"))
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


class Canned:
    """An answer the proxy gives in place of the upstream server (see ProxyServer.emulate)."""

    def __init__(self, status, reason, body):
        self.status, self.reason, self._body = status, reason, body

    def getheaders(self):
        return [("Content-Type", "application/xml")] if self._body else []

    def getheader(self, name, default=None):
        return str(len(self._body)) if name.lower() == "content-length" else default

    def read(self, amount=None):
        body, self._body = self._body, b""
        return body


def amz_timestamp(amz_date):
    """X-Amz-Date ("20130524T000000Z") -> Unix seconds, or None."""
    try:
        return datetime.datetime.strptime(amz_date or "", "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
    except ValueError:
        return None


def multipart_operation(method, params):
    """'create', 'part', 'complete', 'abort', 'list' for those multipart requests, else None."""
    if method == "GET" and "uploads" in params:
        return "list"
    if method == "POST" and "uploads" in params:
        return "create"
    if method == "PUT" and "uploadId" in params and "partNumber" in params:
        return "part"
    if method == "POST" and "uploadId" in params:
        return "complete"
    if method == "DELETE" and "uploadId" in params:
        return "abort"
    return None


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    # The listen() backlog. socketserver's default, 5, overflows when a client opens dozens of
    # connections at once (a sink with s3.max_connections 64 starting): Linux then drops the
    # handshake's last ACK and keeps the connection half-open, resending its SYN-ACK after 1, 3,
    # 7, 15 and 31 s, while the client, connected as far as it knows, has sent its whole request.
    # That request was read and applied when the connection was finally accepted, up to 30 s
    # later: after its sender had been killed and its successor had written the same key
    # (stale and deleted documents in test_mirror_crash_faults.sh). Nothing in the sink can
    # order a dead instance's request after its successor's; S3 does not hold a request that
    # reached it for that long. The kernel caps this at net.core.somaxconn.
    request_queue_size = 1024

    def choose_fault(self, operation):
        """Called with the lock held: the fault for this request, or None."""
        # Complete requests draw from their own seeded sequence: the n-th Complete gets the
        # same fault in every run, however the other requests interleave with it.
        if operation == "complete":
            rate, rng = self.complete_fault_rate, self.complete_random
        else:
            rate, rng = self.fault_rate, self.random
        if rate <= 0 or rng.random() >= rate:
            return None
        kinds = [k for k in self.fault_kinds if k != "complete_error" or operation == "complete"]
        if not kinds:
            return None
        fault = rng.choice(kinds)
        self.stats["faults"] += 1
        self.stats["faults_by_kind"][fault] += 1
        return fault

    def record_request(self, method, split, params, headers):
        """Called with the lock held (--record-headers): one JSON line per verified request."""
        signed = []
        if "authorization" in headers:
            signed = parse_authorization(headers["authorization"])[1]
        elif "X-Amz-SignedHeaders" in params:
            signed = params["X-Amz-SignedHeaders"].split(";")
        line = {"method": method, "path": unquote(split.path), "query": params,
                "headers": {k.lower(): v for k, v in headers.items()
                            if k.lower() != "authorization"},
                "signed_headers": signed}
        with open(self.record_file, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")

    def note_lag(self, amz_date, request, accepted_at, nth):
        """Counts the requests that reached the proxy long after they were signed (stats
        "late_requests", "max_lag_seconds", "last_late_request"): a request held that long may
        be applied after a newer one of the same key, from its sender's successor. The accept
        time tells a connection the proxy was slow to accept from a request held before it
        was sent."""
        signed = amz_timestamp(amz_date)
        if signed is None:
            return
        lag = time.time() - signed
        with self.lock:
            if lag >= LATE_SECONDS:
                self.stats["late_requests"] += 1
                self.stats["last_late_request"] = (
                    f"{request}: read {lag:.1f} s after its X-Amz-Date {amz_date}; request {nth} "
                    f"on a connection accepted {accepted_at - signed:.1f} s after that date")
                sys.stderr.write(f"sigv4-proxy: late request: {self.stats['last_late_request']}\n")
            self.stats["max_lag_seconds"] = max(self.stats["max_lag_seconds"], round(lag, 1))

    def new_generation(self):
        """POST /__sigv4_proxy/generation: requests signed up to this second are the old
        generation (see "Generations" in the module's text)."""
        with self.lock:
            self.generation_boundary = int(time.time())
            self.new_generation_paths = {}
            return self.generation_boundary

    def generation_of(self, amz_date):
        """Called with the lock held: "old", "new", or None (no boundary yet, or no date)."""
        signed = amz_timestamp(amz_date)
        if self.generation_boundary is None or signed is None:
            return None
        return "old" if signed <= self.generation_boundary else "new"

    def forwarding(self, method, path, amz_date):
        """Before a request goes upstream: notes a new generation's change of `path`. Returns
        the request's generation for forwarded()."""
        with self.lock:
            generation = self.generation_of(amz_date)
            if generation == "new" and method in CHANGING_METHODS:
                self.new_generation_paths.setdefault(path, time.time())
            return generation

    def forwarded(self, generation, method, path, amz_date):
        """After upstream answered: an old generation's change answered after a new
        generation's change of the same path went upstream may have landed after it."""
        if generation != "old" or method not in CHANGING_METHODS:
            return
        with self.lock:
            newer = self.new_generation_paths.get(path)
            if newer is None:
                return
            self.stats["cross_generation_reorders"] += 1
            self.stats["last_reorder"] = (
                f"{method} {unquote(path)} (X-Amz-Date {amz_date}, the old generation) was "
                f"answered {time.time() - newer:.1f} s after the new generation's first change "
                "of it went upstream")
            sys.stderr.write(f"sigv4-proxy: reorder: {self.stats['last_reorder']}\n")

    def log_request(self, entry):
        """--log-requests: one JSON line per verified request, once answered."""
        with self.lock:
            with open(self.request_log, "a", encoding="utf-8") as out:
                out.write(json.dumps(entry) + "\n")

    def track_upload(self, operation, status, data, upload_id, path, delivered):
        """Follows the multipart uploads as applied upstream (whatever the client was told)."""
        with self.lock:
            if operation == "create" and status == 200:
                found = UPLOAD_ID.search(data)
                if found:
                    self.uploads[found.group(1).decode()] = {"path": path, "state": "open",
                                                             "delivered": delivered}
                    self.stats["uploads_created"] += 1
            elif operation == "complete" and status == 200 and b"<Error>" not in data:
                upload = self.uploads.get(upload_id)
                if upload is not None and upload["state"] == "open":
                    upload["state"] = "completed"
                    self.stats["uploads_completed"] += 1
            self.update_upload_stats()

    def emulate(self, operation, upload_id, path, params):
        """S3's answer where s3rver's differs, for uploads the proxy saw created: s3rver answers
        AbortMultipartUpload 405 MethodNotAllowed (it has none) and a repeated Complete 500
        InternalError (its parts are gone), and has no ListMultipartUploads (501); S3 aborts,
        answers NoSuchUpload to an UploadPart, Complete or Abort of an upload that was completed
        or aborted, and lists the open uploads. None: forward upstream."""
        if operation == "list":
            return self.list_uploads(unquote(path).strip("/"), params)
        if operation not in ("part", "complete", "abort"):
            return None
        with self.lock:
            upload = self.uploads.get(upload_id)
            if upload is None:
                return None
            if upload["state"] != "open":
                return Canned(404, "Not Found", error_xml(
                    "NoSuchUpload", "The specified upload does not exist. The upload ID may be "
                    "invalid, or the upload may have been aborted or completed.",
                    {"UploadId": upload_id}))
            if operation == "abort":
                upload["state"] = "aborted"
                self.stats["uploads_aborted"] += 1
                self.update_upload_stats()
                return Canned(204, "No Content", b"")
        return None

    def list_uploads(self, bucket, params):
        """ListMultipartUploads of the uploads the proxy saw created and still open (one page)."""
        prefix = params.get("prefix", "")
        url = params.get("encoding-type") == "url"
        found = []
        with self.lock:
            for upload_id, upload in self.uploads.items():
                upload_bucket, _, key = unquote(upload["path"]).lstrip("/").partition("/")
                if upload["state"] == "open" and upload_bucket == bucket and key.startswith(prefix):
                    found.append((key, upload_id))
        entries = "".join(
            f"<Upload><Key>{_escape(quote_plus(key, safe='/') if url else key)}</Key>"
            f"<UploadId>{_escape(upload_id)}</UploadId></Upload>" for key, upload_id in sorted(found))
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult '
                'xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                f"<Bucket>{_escape(bucket)}</Bucket>"
                f"{'<EncodingType>url</EncodingType>' if url else ''}"
                f"<IsTruncated>false</IsTruncated>{entries}</ListMultipartUploadsResult>")
        return Canned(200, "OK", body.encode())

    def update_upload_stats(self):
        """Called with the lock held."""
        still_open = [u for u in self.uploads.values() if u["state"] == "open"]
        self.stats["open_uploads"] = sum(u["delivered"] for u in still_open)
        self.stats["open_upload_keys"] = sorted(unquote(u["path"]) for u in still_open
                                                if u["delivered"])[:20]
        self.stats["orphaned_uploads"] = sum(not u["delivered"] for u in still_open)


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
    parser.add_argument("--fault-kinds", default="before,after",
                        help="comma-separated: " + ",".join(FAULT_KINDS))
    parser.add_argument("--complete-fault-rate", type=float,
                        help="CompleteMultipartUpload requests (default: --fault-rate)")
    parser.add_argument("--stall-seconds", type=float, default=5.0)
    parser.add_argument("--record-headers", metavar="FILE",
                        help="append each verified request's headers to FILE (JSON lines)")
    parser.add_argument("--log-requests", metavar="FILE",
                        help="append each verified request's timing and outcome to FILE")
    args = parser.parse_args()
    kinds = [k for k in args.fault_kinds.split(",") if k]
    unknown = [k for k in kinds if k not in FAULT_KINDS]
    if unknown or not kinds:
        parser.error(f"--fault-kinds: unknown kind(s) {unknown}; known: {', '.join(FAULT_KINDS)}")
    secrets = dict(c.split(":", 1) for c in (args.credentials or ["S3RVER:S3RVER"]))
    server = ProxyServer(("127.0.0.1", args.port), Handler)
    server.upstream = urlsplit(args.upstream)
    server.verifier = Verifier(secrets, args.max_skew_seconds)
    server.verbose = args.verbose
    server.lock = threading.Lock()
    server.stats = {"verified": 0, "rejected": 0, "last_rejection": "", "faults": 0,
                    "faults_by_kind": {k: 0 for k in kinds}, "open_uploads": 0,
                    "open_upload_keys": [], "orphaned_uploads": 0, "uploads_created": 0,
                    "uploads_completed": 0, "uploads_aborted": 0, "late_requests": 0,
                    "last_late_request": "", "max_lag_seconds": 0,
                    "cross_generation_reorders": 0, "last_reorder": "",
                    "bodies_checked": {"md5": 0, "crc32c": 0}}
    server.generation_boundary = None  # see new_generation()
    server.new_generation_paths = {}  # path -> when a new generation's change went upstream
    server.uploads = {}  # UploadId -> {"path", "state": open|completed|aborted, "delivered"}
    server.fault_rate = args.fault_rate
    server.complete_fault_rate = (args.fault_rate if args.complete_fault_rate is None
                                  else args.complete_fault_rate)
    server.fault_kinds = kinds
    server.stall_seconds = args.stall_seconds
    server.record_file = args.record_headers
    server.request_log = args.log_requests
    server.random = random.Random(args.fault_seed)
    server.complete_random = random.Random(f"complete-{args.fault_seed}")
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"sigv4-proxy listening on 127.0.0.1:{port} -> {args.upstream}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
