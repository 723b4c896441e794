#!/usr/bin/python3
"""Downloads every object of a bucket (straight from s3rver, no signing needed) and checks the
exactly-once property of what kafka-s3-sink wrote: each (topic, partition, offset) in the
expected ranges appears exactly once across all objects, nothing else appears, and every object
key names the offset of its first record. The sink's reserved folder `<prefix>_ks3/` (cut
manifests) is left out.

Usage: verify_landed.py (--endpoint http://127.0.0.1:PORT | --storage-dir DIR) --bucket B
                        [--prefix P] --expect "topic partition start end" [--expect ...]
                        | --expect-file F
--storage-dir reads s3rver's data directory instead of listing: s3rver's listings leave out some
keys that hold a literal percent escape in a folder name (docs/DESIGN.md "Local infrastructure"),
which is exactly what field-partitioned keys of odd values look like.
Expected ranges are [start, end) per partition (a file: one "topic partition start end" a line).
Exit status 0 when the property holds; otherwise prints what is missing or duplicated.
"""
import argparse
import gzip
import json
import os
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


S3RVER_OBJECT_SUFFIX = "._S3rver_object"


def stored_objects(storage_dir, bucket, prefix):
    """{key: path} of every object under PREFIX in s3rver's data directory (on Linux s3rver stores
    key "a/b/c" as the file "<dir>/<bucket>/a/b/c._S3rver_object")."""
    root = os.path.join(storage_dir, bucket)
    found = {}
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(S3RVER_OBJECT_SUFFIX):
                path = os.path.join(folder, name)
                key = os.path.relpath(path, root)[: -len(S3RVER_OBJECT_SUFFIX)]
                if key.startswith(prefix):
                    found[key] = path
    return found


def decode(key, data):
    if key.endswith(".gz"):
        data = gzip.decompress(data)
    elif key.endswith(".zst"):
        raise SystemExit(f"{key}: zstd objects are not supported by this checker")
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line]


def main():
    parser = argparse.ArgumentParser()
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--endpoint")
    source.add_argument("--storage-dir")
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
    if args.storage_dir:
        stored = stored_objects(args.storage_dir, args.bucket, args.prefix)
        all_keys = sorted(stored)
        read = lambda key: open(stored[key], "rb").read()
    else:
        all_keys = list_keys(args.endpoint, args.bucket, args.prefix)
        read = lambda key: get_object(args.endpoint, args.bucket, key)
    keys = [k for k in all_keys if not k[len(args.prefix):].startswith("_ks3/")]
    problems = []
    for key in keys:
        records = decode(key, read(key))
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
