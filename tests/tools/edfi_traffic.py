#!/usr/bin/python3
"""Ed-Fi DMS traffic for the document-lake tests (README "Landing Ed-Fi DMS documents"), and the
checks of what the two layouts left in the bucket.

The stream is `edfi.dms.document` as Debezium writes it with ExtractNewRecordState
(delete.handling.mode=rewrite): key {"documentpartitionkey":P,"id":N}; value the row (id,
documentpartitionkey, documentuuid, resourcename, resourceversion, isdescriptor, projectname,
edfidoc as nested JSON, createdat, lastmodifiedat, lastmodifiedtraceid, __deleted); a delete is
the row with "__deleted":"true", followed by a tombstone (null value) when --tombstones is given;
with --deletes tombstone a delete is the tombstone alone (delete.handling.mode=drop with
tombstones.on.delete=true), which names no object under a template that reads the value.
Documents of Student, School, StudentSchoolAssociation and two descriptors are created, updated
and deleted, interleaved at random (seeded).

  edfi_traffic.py generate --documents 3000 --seed 1 [--tombstones] [--deletes row|tombstone]
                          --records F --expected F
      F (records): "key<TAB>value" lines for kcat -P -K'\\t' -Z (an empty value is a tombstone)
      F (expected): {"documents": {"Ed-Fi/<resource>/<uuid>.json": <edfidoc text>},
                     "log_counts": {resource: rows}, "live_counts": {resource: documents}}
  edfi_traffic.py check-mirror --endpoint URL --bucket B --prefix P --expected F [--download D]
      the objects under P (but the sink's own P_ks3/ folder) are exactly the live documents,
      each holding its last edfidoc (gzip bodies are unwrapped); --download writes them under D
      for DuckDB
  edfi_traffic.py check-log --endpoint URL --bucket B --prefix P --topic-dump F [--download D]
      every object under P holds one resource type (the folder it is in), and every record of
      the topic with a value (F: kcat "partition<TAB>offset<TAB>key<TAB>value" lines) is in
      exactly one object

  edfi_traffic.py download --endpoint URL --bucket B --prefix P --to D
      every object under P into D (gzip Content-Encoding unwrapped, .gz files kept as stored)

The endpoint is s3rver's own (no signing needed). Exit status 0 when the check holds.
"""
import argparse
import gzip
import json
import os
import random
import sys
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verify_landed import list_keys  # noqa: E402  (the same listing as the exactly-once check)

RESOURCES = [
    ("Student", False, 0.35),
    ("School", False, 0.10),
    ("StudentSchoolAssociation", False, 0.35),
    ("GradeLevelDescriptor", True, 0.10),
    ("SexDescriptor", True, 0.10),
]
BASE_MS = 1764547200000  # 2025-12-01


def edfidoc(rng, resource, doc_id, uuid, version):
    doc = {"id": uuid, "_etag": str(rng.randrange(10**9)), "_lastModifiedDate": version}
    if resource == "Student":
        doc.update(studentUniqueId=str(100000 + doc_id), firstName=rng.choice(["Ana", "Bo", "Cy"]),
                   lastSurname=rng.choice(["Diaz", "Eng", "Fox"]), birthDate="2010-05-17")
    elif resource == "School":
        doc.update(schoolId=255900 + doc_id, nameOfInstitution=f"School {doc_id}",
                   educationOrganizationCategories=[{"educationOrganizationCategoryDescriptor":
                                                     "uri://ed-fi.org/X#School"}])
    elif resource == "StudentSchoolAssociation":
        doc.update(studentReference={"studentUniqueId": str(100000 + rng.randrange(1000))},
                   schoolReference={"schoolId": 255900 + rng.randrange(50)},
                   entryDate="2025-08-2" + str(rng.randrange(10)), entryGradeLevelDescriptor=
                   "uri://ed-fi.org/GradeLevelDescriptor#Ninth grade")
    else:
        doc.update(codeValue=f"code-{doc_id}", namespace=f"uri://ed-fi.org/{resource}",
                   shortDescription=f"{resource} {doc_id} v{version}")
    return doc


def compact(value):
    return json.dumps(value, separators=(",", ":"), sort_keys=False)


def generate(args):
    rng = random.Random(args.seed)
    names = [r[0] for r in RESOURCES]
    weights = [r[2] for r in RESOURCES]
    descriptor = {r[0]: r[1] for r in RESOURCES}
    live = {}  # id -> (resource, uuid, partition key, edfidoc text)
    created = 0
    lines = []
    log_counts = {}
    clock = 0

    def row(doc_id, resource, uuid, pkey, doc_text, deleted):
        nonlocal clock
        clock += 1
        value = ('{"id":%d,"documentpartitionkey":%d,"documentuuid":%s,"resourcename":%s,'
                 '"resourceversion":"5.2.0","isdescriptor":%s,"projectname":"Ed-Fi",'
                 '"edfidoc":%s,"createdat":%d,"lastmodifiedat":%d,"lastmodifiedtraceid":%s,'
                 '"__deleted":"%s"}') % (
            doc_id, pkey, json.dumps(uuid), json.dumps(resource),
            "true" if descriptor[resource] else "false", doc_text, BASE_MS,
            BASE_MS + clock, json.dumps(f"trace-{clock}"), "true" if deleted else "false")
        key = compact({"documentpartitionkey": pkey, "id": doc_id})
        lines.append(f"{key}\t{value}")
        log_counts[resource] = log_counts.get(resource, 0) + 1
        return key

    while created < args.documents or (live and rng.random() < 0.3):
        choice = rng.random()
        if created < args.documents and (choice < 0.5 or not live):
            created += 1
            doc_id = created
            resource = rng.choices(names, weights)[0]
            uuid = "%08x-0000-4000-8000-%012x" % (args.seed, doc_id)
            pkey = doc_id % 16
            text = compact(edfidoc(rng, resource, doc_id, uuid, 1))
            live[doc_id] = (resource, uuid, pkey, text, 1)
            row(doc_id, resource, uuid, pkey, text, False)
        elif choice < 0.85:
            doc_id = rng.choice(list(live))
            resource, uuid, pkey, _, version = live[doc_id]
            text = compact(edfidoc(rng, resource, doc_id, uuid, version + 1))
            live[doc_id] = (resource, uuid, pkey, text, version + 1)
            row(doc_id, resource, uuid, pkey, text, False)
        else:
            doc_id = rng.choice(list(live))
            resource, uuid, pkey, text, _ = live.pop(doc_id)
            if args.deletes == "tombstone":
                key = compact({"documentpartitionkey": pkey, "id": doc_id})
                lines.append(f"{key}\t")
                continue
            key = row(doc_id, resource, uuid, pkey, text, True)
            if args.tombstones:
                lines.append(f"{key}\t")
    documents = {f"Ed-Fi/{r}/{u}.json": t for (r, u, _, t, _) in live.values()}
    live_counts = {}
    for (r, _, _, _, _) in live.values():
        live_counts[r] = live_counts.get(r, 0) + 1
    with open(args.records, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(args.expected, "w") as f:
        json.dump({"documents": documents, "log_counts": log_counts, "live_counts": live_counts}, f)
    deletes = sum(1 for line in lines if '"__deleted":"true"' in line)
    print(f"records={len(lines)} documents={created} live={len(documents)} deletes={deletes} "
          f"tombstones={sum(1 for line in lines if line.endswith(chr(9)))}")


def get_object(endpoint, bucket, key):
    """(bytes as stored, bytes decoded): gzip by Content-Encoding or a .gz key is unwrapped."""
    url = f"{endpoint}/{bucket}/{urllib.parse.quote(key, safe='/~')}"
    with urllib.request.urlopen(url, timeout=60) as response:
        raw = response.read()
        encoding = response.headers.get("Content-Encoding", "")
    if encoding == "gzip" or key.endswith(".gz"):
        return raw, gzip.decompress(raw)
    return raw, raw


def save(download, key, data):
    if not download:
        return
    path = os.path.join(download, key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def report(problems, summary):
    for p in problems[:20]:
        print(p)
    print(f"{summary}, {len(problems)} problems")
    return 1 if problems else 0


def check_mirror(args):
    expected = json.load(open(args.expected))["documents"]
    prefix = args.prefix
    keys = [k for k in list_keys(args.endpoint, args.bucket, prefix)
            if not is_sink_bookkeeping(k[len(prefix):])]
    problems = []
    seen = set()
    for key in keys:
        name = key[len(prefix):]
        _, data = get_object(args.endpoint, args.bucket, key)
        save(args.download, name, data)  # plain JSON files for DuckDB
        seen.add(name)
        if name not in expected:
            problems.append(f"{key}: not a live document (deleted, or never written)")
        elif data.decode() != expected[name]:
            problems.append(f"{key}: holds {data[:80]!r}..., not its last edfidoc")
    for name in sorted(set(expected) - seen):
        problems.append(f"{prefix}{name}: missing")
    return report(problems, f"mirror: {len(keys)} objects, {len(expected)} live documents "
                            f"expected")


def is_sink_bookkeeping(name):
    """The sink's reserved folder under its prefix (cut manifests, the mirror's key log), not
    landed records or documents."""
    return name.startswith("_ks3/")


def check_log(args):
    expected = set()
    for line in open(args.topic_dump):
        parts = line.rstrip("\n").split("\t", 3)
        if len(parts) == 4 and parts[3]:
            expected.add((int(parts[0]), int(parts[1])))
    seen = {}
    problems = []
    keys = list_keys(args.endpoint, args.bucket, args.prefix)
    for key in keys:
        if is_sink_bookkeeping(key[len(args.prefix):]):
            continue
        raw, data = get_object(args.endpoint, args.bucket, key)
        save(args.download, key[len(args.prefix):], raw)  # as stored (.jsonl.gz)
        folder = key[len(args.prefix):].split("/")[1]  # <project>/<resource>/<file>
        resources = set()
        for line in data.decode().splitlines():
            if not line:
                continue
            record = json.loads(line)
            resources.add(record["value"]["resourcename"])
            where = (record["partition"], record["offset"])
            if where in seen:
                problems.append(f"{where} in {seen[where]} and {key}")
            seen[where] = key
        if resources != {folder}:
            problems.append(f"{key}: resource types {sorted(resources)}, expected {folder} only")
    for where in sorted(expected - set(seen)):
        problems.append(f"partition {where[0]} offset {where[1]} missing")
    for where in sorted(set(seen) - expected):
        problems.append(f"partition {where[0]} offset {where[1]} is not a record with a value")
    return report(problems, f"log: {len(keys)} objects, {len(seen)} records, {len(expected)} "
                            f"expected")


def download(args):
    keys = [k for k in list_keys(args.endpoint, args.bucket, args.prefix)
            if not is_sink_bookkeeping(k[len(args.prefix):])]
    for key in keys:
        raw, data = get_object(args.endpoint, args.bucket, key)
        save(args.to, key[len(args.prefix):], raw if key.endswith(".gz") else data)
    print(f"downloaded {len(keys)} objects to {args.to}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--documents", type=int, default=3000)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--tombstones", action="store_true")
    g.add_argument("--deletes", choices=["row", "tombstone"], default="row")
    g.add_argument("--records", required=True)
    g.add_argument("--expected", required=True)
    for name in ("check-mirror", "check-log"):
        c = sub.add_parser(name)
        c.add_argument("--endpoint", required=True)
        c.add_argument("--bucket", required=True)
        c.add_argument("--prefix", default="")
        c.add_argument("--download")
        if name == "check-mirror":
            c.add_argument("--expected", required=True)
        else:
            c.add_argument("--topic-dump", required=True)
    d = sub.add_parser("download")
    d.add_argument("--endpoint", required=True)
    d.add_argument("--bucket", required=True)
    d.add_argument("--prefix", default="")
    d.add_argument("--to", required=True)
    args = parser.parse_args()
    if args.command == "download":
        return download(args)
    if args.command == "generate":
        generate(args)
        return 0
    return check_mirror(args) if args.command == "check-mirror" else check_log(args)


if __name__ == "__main__":
    sys.exit(main())
