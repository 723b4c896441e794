#!/usr/bin/python3
"""Signs randomized S3 requests with botocore (an independent SigV4 implementation) and writes
one JSON object per line, for sigv4_check (our signer) to compare.

usage: botocore_sign.py [--seed N] [--count N] > cases.jsonl
The seed is printed on stderr so a failure can be reproduced.
"""
import argparse
import base64
import hashlib
import json
import random
import sys
from urllib.parse import quote

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

# Characters that keys from data contain: spaces, unicode, and everything SigV4 encodes.
ODD = " +=%~!*'()&$@:,;?#[]{}^`|\"<>\\é日本ü€😀-_./"
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"]
METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"]
QUERY_NAMES = ["uploadId", "partNumber", "list-type", "prefix", "continuation-token",
               "max-keys", "delimiter", "uploads", "versionId", "x-id", "start-after",
               "encoding-type", "response-content-type"]


def text(rng, alphabet, lo, hi):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def random_key(rng):
    parts = [text(rng, ALNUM + ODD, 1, 12) for _ in range(rng.randint(1, 4))]
    return "/".join(parts)


def random_headers(rng, body):
    headers = []
    if rng.random() < 0.5:
        headers.append(("Content-Type", rng.choice(["application/json", "text/plain; charset=utf-8",
                                                    "application/x-ndjson", "binary/octet-stream"])))
    if rng.random() < 0.4:
        headers.append(("Content-MD5", base64.b64encode(hashlib.md5(body).digest()).decode()))
    if rng.random() < 0.3:
        start = rng.randint(0, 1000)
        headers.append(("Range", f"bytes={start}-{start + rng.randint(0, 5000)}"))
    for _ in range(rng.randint(0, 3)):
        # Inner runs of spaces and surrounding spaces: signers must trim and collapse them.
        value = text(rng, ALNUM + " ,;=/+-", 0, 20)
        headers.append((f"x-amz-meta-{text(rng, 'abcdefghijklmnopqrstuvwxyz-', 1, 10)}", value))
    if rng.random() < 0.3:
        headers.append(("x-amz-storage-class", rng.choice(["STANDARD", "REDUCED_REDUNDANCY"])))
    if rng.random() < 0.3:
        headers.append(("X-Amz-Acl", "bucket-owner-full-control"))
    # Not signed by either side (botocore blacklists it, we sign an explicit set).
    headers.append(("User-Agent", "kafka-s3-sink-test/" + text(rng, ALNUM, 1, 5)))
    rng.shuffle(headers)
    # Header names are case-insensitive and unique here (botocore's HTTPHeaders merges repeats).
    seen, unique = set(), []
    for name, value in headers:
        if name.lower() not in seen:
            seen.add(name.lower())
            unique.append((name, value))
    return unique


def random_query(rng):
    params = []
    for _ in range(rng.randint(0, 4)):
        name = rng.choice(QUERY_NAMES + [text(rng, ALNUM + ODD, 1, 6)])
        value = "" if rng.random() < 0.2 else text(rng, ALNUM + ODD, 1, 16)
        params.append((name, value))
    return params


def random_credentials(rng):
    key = "AKIA" + text(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 16)
    secret = text(rng, ALNUM + "/+", 40, 40)
    token = text(rng, ALNUM + "/+=", 20, 300) if rng.random() < 0.4 else None
    return Credentials(key, secret, token)


def random_timestamp(rng):
    return (f"20{rng.randint(13, 39):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}T"
            f"{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}Z")


def sign_header_case(rng):
    creds = random_credentials(rng)
    region = rng.choice(REGIONS)
    method = rng.choice(METHODS)
    host = rng.choice(["examplebucket.s3.amazonaws.com", "127.0.0.1:9000", "localhost:4566",
                       f"s3.{region}.amazonaws.com"])
    raw_path = "/" + rng.choice(["", "bucket/", "my.bucket/"]) + random_key(rng)
    url_path = quote(raw_path, safe="/~")  # botocore's REST serializer encodes keys so
    body = text(rng, ALNUM + ODD, 0, 200).encode() if method in ("PUT", "POST") else b""
    signed_payload = rng.random() < 0.7
    headers = random_headers(rng, body)
    query = random_query(rng)
    timestamp = random_timestamp(rng)

    request = AWSRequest(method=method, url=f"https://{host}{url_path}", data=body,
                         headers=dict(headers), params=list(query))
    request.headers["Host"] = host
    request.context["timestamp"] = timestamp
    request.context["client_config"] = Config(s3={"payload_signing_enabled": signed_payload})
    auth = S3SigV4Auth(creds, "s3", region)
    # add_auth() without its clock: the same steps with our fixed timestamp.
    auth._modify_request_before_signing(request)
    canonical_request = auth.canonical_request(request)
    string_to_sign = auth.string_to_sign(request, canonical_request)
    signature = auth.signature(string_to_sign, request)
    auth._inject_signature_to_request(request, signature)
    return {
        "kind": "header",
        "method": method,
        "raw_path": raw_path,
        "url_path": url_path,
        "query": [list(p) for p in query],
        "headers": [list(h) for h in headers] + [["Host", host]],
        "body_b64": base64.b64encode(body).decode(),
        "signed_payload": signed_payload,
        "access_key_id": creds.access_key,
        "secret_access_key": creds.secret_key,
        "session_token": creds.token or "",
        "region": region,
        "timestamp": timestamp,
        "expected_canonical_request": canonical_request,
        "expected_authorization": request.headers["Authorization"],
    }


def presign_case(rng):
    creds = random_credentials(rng)
    region = rng.choice(REGIONS)
    method = rng.choice(["GET", "PUT"])
    host = rng.choice(["examplebucket.s3.amazonaws.com", "127.0.0.1:9000"])
    raw_path = "/bucket/" + random_key(rng)
    url_path = quote(raw_path, safe="/~")
    expires = rng.randint(1, 604800)
    query = [("versionId", text(rng, ALNUM, 5, 10))] if rng.random() < 0.3 else []
    timestamp = random_timestamp(rng)
    request = AWSRequest(method=method, url=f"https://{host}{url_path}", params=dict(query))
    request.context["timestamp"] = timestamp
    auth = S3SigV4QueryAuth(creds, "s3", region, expires=expires)
    auth._modify_request_before_signing(request)
    canonical_request = auth.canonical_request(request)
    string_to_sign = auth.string_to_sign(request, canonical_request)
    signature = auth.signature(string_to_sign, request)
    return {
        "kind": "presign",
        "method": method,
        "raw_path": raw_path,
        "url_path": url_path,
        "query": [list(p) for p in query],
        "host": host,
        "expires": expires,
        "access_key_id": creds.access_key,
        "secret_access_key": creds.secret_key,
        "session_token": creds.token or "",
        "region": region,
        "timestamp": timestamp,
        "expected_canonical_request": canonical_request,
        "expected_signature": signature,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=random.SystemRandom().randrange(1 << 31))
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    print(f"botocore_sign: seed {args.seed} (rerun with --seed {args.seed})", file=sys.stderr)
    rng = random.Random(args.seed)
    for i in range(args.count):
        case = presign_case(rng) if i % 4 == 3 else sign_header_case(rng)
        case["index"] = i
        print(json.dumps(case, ensure_ascii=False))


if __name__ == "__main__":
    main()
