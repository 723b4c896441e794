#!/usr/bin/python3
"""Downloads every object of a bucket (straight from s3rver, no signing needed) and checks the
exactly-once property of what kafka-s3-sink wrote: each (topic, partition, offset) in the
expected ranges appears exactly once across all objects, nothing else appears, and every object
key names the offset of its first record. The sink's reserved folder `<prefix>_ks3/` (cut
manifests) is left out.

Usage: verify_landed.py --endpoint http://127.0.0.1:PORT --bucket B [--prefix P]
                        --expect "topic partition start end" [--expect ...] | --expect-file F
Expected ranges are [start, end) per partition (a file: one "topic partition start end" a line).
Exit status 0 when the property holds; otherwise prints what is missing or duplicated.
"""
import argparse
import gzip
import json
import sys
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET



def children(element, name):
    """Child elements by local name (s3rver and AWS use different XML namespaces)."""
    return [c for c in element if c.tag.rsplit("}", 1)[-1] == name]


def child_text(element, name):
    found = children(element, name)
    return found[0].text if found else None


def list_keys(endpoint, bucket, prefix):
    keys, token = [], None
    while True:
        query = {"list-type": "2", "prefix": prefix, "max-keys": "1000"}
        if token:
            query["continuation-token"] = token
        url = f"{endpoint}/{bucket}?{urllib.parse.urlencode(query)}"
        root = ET.fromstring(urllib.request.urlopen(url, timeout=60).read())
        keys += [child_text(c, "Key") for c in children(root, "Contents")]
        if child_text(root, "IsTruncated") != "true":
            return keys
        token = child_text(root, "NextContinuationToken")


def get_object(endpoint, bucket, key):
    url = f"{endpoint}/{bucket}/{urllib.parse.quote(key, safe='/~')}"
    return urllib.request.urlopen(url, timeout=60).read()


def decode(key, data):
    if key.endswith(".gz"):
        data = gzip.decompress(data)
    elif key.endswith(".zst"):
        raise SystemExit(f"{key}: zstd objects are not supported by this checker")
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--prefix", default="")
    parser.add_argument("--expect", action="append", default=[])
    parser.add_argument("--expect-file")
    args = parser.parse_args()
    expected_lines = list(args.expect)
    if args.expect_file:
        expected_lines += [l for l in open(args.expect_file).read().splitlines() if l.strip()]
    expected = {}
    for line in expected_lines:
        topic, partition, start, end = line.split()
        expected[(topic, int(partition))] = (int(start), int(end))

    seen = {}  # (topic, partition, offset) -> [keys]
    # The sink's reserved folder (cut manifests, docs/DESIGN.md) holds no records.
    keys = [k for k in list_keys(args.endpoint, args.bucket, args.prefix)
            if not k[len(args.prefix):].startswith("_ks3/")]
    problems = []
    for key in keys:
        records = decode(key, get_object(args.endpoint, args.bucket, key))
        if not records:
            problems.append(f"{key}: empty object")
            continue
        first = min(r["offset"] for r in records)
        if f"{first:020d}" not in key:
            problems.append(f"{key}: its first record has offset {first}")
        for r in records:
            seen.setdefault((r["topic"], r["partition"], r["offset"]), []).append(key)

    missing, duplicated, unexpected = [], [], []
    for (topic, partition), (start, end) in expected.items():
        for offset in range(start, end):
            where = seen.get((topic, partition, offset))
            if where is None:
                missing.append((topic, partition, offset))
            elif len(where) > 1:
                duplicated.append(((topic, partition, offset), where))
    for (topic, partition, offset) in seen:
        range_ = expected.get((topic, partition))
        if range_ is None or not range_[0] <= offset < range_[1]:
            unexpected.append((topic, partition, offset))

    total = sum(end - start for start, end in expected.values())
    print(f"verify_landed: {len(keys)} objects, {sum(len(v) for v in seen.values())} records, "
          f"{total} expected; missing {len(missing)}, duplicated {len(duplicated)}, "
          f"unexpected {len(unexpected)}, other problems {len(problems)}")
    for item in missing[:10]:
        print("  missing", item)
    for item, where in duplicated[:10]:
        print("  duplicated", item, "in", where)
    for item in unexpected[:10]:
        print("  unexpected", item)
    for p in problems[:10]:
        print("  problem", p)
    return 0 if not (missing or duplicated or unexpected or problems) else 1


if __name__ == "__main__":
    sys.exit(main())
