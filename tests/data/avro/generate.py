#!/usr/bin/python3
"""Writes the Avro test fixtures with an independent implementation (Debian's python3-avro).

Run with Debian's python (it has python3-avro): /usr/bin/python3 tests/data/avro/generate.py OUT_DIR
For each case it writes into OUT_DIR:
  <case>.avsc                 the writer schema
  <case>.reader.avsc          the reader schema (resolution cases only)
  <case>.datums.hex           one binary datum per line, hex, written by python3-avro
  <case>.expected.jsonl       per datum, the JSON our mapping must give (server/format/avro/
                              json_mapping.hpp), computed here from the values python3-avro reads
                              back (with the reader schema when there is one)
  <case>.canonical            the Parsing Canonical Form python3-avro computes for the writer schema
The checked-in tests/data/avro/ was made by this script; tests/integration/test_avro_python.sh
runs it again into a temp dir and checks our decoder against it.
"""
import base64
import datetime
import decimal
import io
import json
import math
import os
import re
import struct
import sys
import uuid
import warnings

import avro.errors
import avro.io
import avro.schema

UTC = datetime.timezone.utc
decimal.getcontext().prec = 100
# python3-avro 1.11 warns that it ignores local-timestamp-*: it reads them as long, fine here.
warnings.filterwarnings("ignore", category=avro.errors.IgnoredLogicalType)
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)

PRIMITIVES = {
    "type": "record", "name": "Primitives", "namespace": "ks3.test",
    "fields": [
        {"name": "n", "type": "null"},
        {"name": "b", "type": "boolean"},
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "by", "type": "bytes"},
        {"name": "s", "type": "string"},
    ],
}
PRIMITIVE_DATUMS = [
    {"n": None, "b": True, "i": 0, "l": 0, "f": 0.0, "d": 0.0, "by": b"", "s": ""},
    {"n": None, "b": False, "i": -2147483648, "l": -9223372036854775808, "f": 1.5,
     "d": -0.1, "by": b"\x00\xff\x10", "s": "h\u00e9llo \u2603 \U0001F600"},
    {"n": None, "b": True, "i": 2147483647, "l": 9223372036854775807, "f": 0.1,
     "d": 1e300, "by": bytes(range(256)), "s": "quote\" back\\slash \n tab\t"},
    {"n": None, "b": False, "i": -1, "l": 1234567890123, "f": float("nan"),
     "d": float("-inf"), "by": b"abc", "s": "x" * 300},
]

COMPLEX = {
    "type": "record", "name": "Order", "namespace": "com.acme",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "status", "type": {"type": "enum", "name": "Status",
                                    "symbols": ["NEW", "PAID", "SHIPPED"]}},
        {"name": "lines", "type": {"type": "array", "items": {
            "type": "record", "name": "Line", "fields": [
                {"name": "sku", "type": "string"},
                {"name": "qty", "type": "int"},
                {"name": "note", "type": ["null", "string"], "default": None}]}}},
        {"name": "attrs", "type": {"type": "map", "values": "long"}},
        {"name": "maybe_line", "type": ["null", "Line"]},
        {"name": "digest", "type": {"type": "fixed", "name": "MD5", "size": 16}},
        {"name": "grid", "type": {"type": "array", "items": {"type": "array", "items": "int"}}},
        {"name": "either", "type": ["int", "string", "Status", {"type": "map", "values": "string"}]},
        {"name": "next", "type": ["null", {"type": "record", "name": "Node", "fields": [
            {"name": "value", "type": "int"},
            {"name": "next", "type": ["null", "Node"]}]}]},
    ],
}
COMPLEX_DATUMS = [
    {"id": 1, "status": "NEW", "lines": [], "attrs": {}, "maybe_line": None,
     "digest": bytes(16), "grid": [], "either": 5, "next": None},
    {"id": 2, "status": "SHIPPED",
     "lines": [{"sku": "A-1", "qty": 3, "note": None}, {"sku": "B", "qty": -7, "note": "gift"}],
     "attrs": {"weight": 1200, "": -1, "k\u00e9y": 2},
     "maybe_line": {"sku": "C", "qty": 1, "note": "x"},
     "digest": bytes(range(16)), "grid": [[1, 2], [], [3]], "either": "text",
     "next": {"value": 1, "next": {"value": 2, "next": {"value": 3, "next": None}}}},
    {"id": 3, "status": "PAID", "lines": [{"sku": "Z", "qty": 0, "note": None}] * 50,
     "attrs": {str(i): i for i in range(40)}, "maybe_line": None,
     "digest": b"\xff" * 16, "grid": [[i] * i for i in range(6)], "either": "PAID",
     "next": None},
    {"id": 4, "status": "NEW", "lines": [], "attrs": {}, "maybe_line": None,
     "digest": bytes(16), "grid": [], "either": {"a": "b"}, "next": None},
]

LOGICAL = {
    "type": "record", "name": "Logical",
    "fields": [
        {"name": "price", "type": {"type": "bytes", "logicalType": "decimal",
                                   "precision": 12, "scale": 2}},
        {"name": "big", "type": {"type": "fixed", "name": "Dec16", "size": 16,
                                 "logicalType": "decimal", "precision": 38, "scale": 9}},
        {"name": "whole", "type": {"type": "bytes", "logicalType": "decimal", "precision": 5}},
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "tm", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "tu", "type": {"type": "long", "logicalType": "time-micros"}},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "tsu", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "lts", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
        {"name": "ltsu", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
        {"name": "opt_ts", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]},
        {"name": "not_logical", "type": {"type": "long", "logicalType": "date"}},
    ],
}
D = decimal.Decimal
LOGICAL_DATUMS = [
    {"price": D("0.00"), "big": D("0.000000000"), "whole": D("0"),
     "id": "00000000-0000-0000-0000-000000000000",
     "day": datetime.date(1970, 1, 1), "tm": datetime.time(0, 0), "tu": datetime.time(0, 0),
     "ts": EPOCH, "tsu": EPOCH, "lts": 0, "ltsu": 0, "opt_ts": None, "not_logical": 5},
    {"price": D("-12.30"), "big": D("-12345678901234567890.123456789"), "whole": D("99999"),
     "id": str(uuid.UUID("12345678-1234-5678-9abc-def012345678")),
     "day": datetime.date(2024, 2, 29), "tm": datetime.time(13, 45, 1, 123000),
     "tu": datetime.time(23, 59, 59, 999999),
     "ts": datetime.datetime(2024, 2, 29, 13, 45, 1, 123000, tzinfo=UTC),
     "tsu": datetime.datetime(2024, 2, 29, 13, 45, 1, 123456, tzinfo=UTC),
     "lts": 1709214301123, "ltsu": 1709214301123456,
     "opt_ts": datetime.datetime(2000, 1, 1, tzinfo=UTC), "not_logical": -1},
    {"price": D("1234567890.12"), "big": D("99999999999999999999999999999.999999999"),
     "whole": D("-1"), "id": str(uuid.UUID(int=2**128 - 1)),
     "day": datetime.date(1969, 12, 31), "tm": datetime.time(0, 0, 0, 1000),
     "tu": datetime.time(0, 0, 0, 1),
     "ts": datetime.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
     "tsu": datetime.datetime(1900, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
     "lts": -1, "ltsu": -86400000001, "opt_ts": None, "not_logical": 0},
]

EVOLVE_WRITER = {
    "type": "record", "name": "User", "namespace": "v1",
    "fields": [
        {"name": "id", "type": "int"},
        {"name": "name", "type": "string"},
        {"name": "removed", "type": {"type": "array", "items": "string"}},
        {"name": "removed_map", "type": {"type": "map", "values": {"type": "record",
            "name": "Gone", "fields": [{"name": "x", "type": "double"}]}}},
        {"name": "color", "type": {"type": "enum", "name": "Color",
                                   "symbols": ["RED", "GREEN", "BLUE"]}},
        {"name": "score", "type": "int"},
        {"name": "ratio", "type": "float"},
        {"name": "blob", "type": "bytes"},
        {"name": "maybe", "type": ["null", "int"]},
        {"name": "plain", "type": "long"},
    ],
}
EVOLVE_READER = {
    "type": "record", "name": "User", "namespace": "v1",
    "fields": [
        {"name": "id", "type": "long"},
        # Field aliases and string <-> bytes are not applied by python3-avro 1.11: unit-tested.
        {"name": "name", "type": "string"},
        {"name": "added", "type": "string", "default": "none"},
        {"name": "added_rec", "type": {"type": "record", "name": "Extra", "fields": [
            {"name": "a", "type": "int"}, {"name": "b", "type": ["null", "string"]}]},
         "default": {"a": 7, "b": None}},
        {"name": "color", "type": {"type": "enum", "name": "Color",
                                   "symbols": ["GREEN", "RED", "OTHER"], "default": "OTHER"}},
        {"name": "score", "type": "double"},
        {"name": "ratio", "type": "double"},
        {"name": "blob", "type": "bytes"},
        {"name": "maybe", "type": ["null", "long"]},
        {"name": "plain", "type": ["null", "string", "double"]},
    ],
}
# python3-avro 1.11 applies neither field aliases, string <-> bytes, nor enum defaults: those
# are unit-tested (tests/unit/avro/decoder_test.cpp).
EVOLVE_DATUMS = [
    {"id": 1, "name": "ann", "removed": ["a", "b"], "removed_map": {"k": {"x": 1.0}},
     "color": "RED", "score": 10, "ratio": 0.5, "blob": b"hi", "maybe": None, "plain": 3},
    {"id": -5, "name": "bob", "removed": [], "removed_map": {},
     "color": "GREEN", "score": -2147483648, "ratio": 0.1, "blob": b"", "maybe": 42,
     "plain": 1 << 40},
]

CASES = [
    ("primitives", PRIMITIVES, None, PRIMITIVE_DATUMS),
    ("complex", COMPLEX, None, COMPLEX_DATUMS),
    ("logical", LOGICAL, None, LOGICAL_DATUMS),
    ("evolve", EVOLVE_WRITER, EVOLVE_READER, EVOLVE_DATUMS),
]


def shortest_float32(x):
    """The shortest decimal text that reads back to the same 32-bit float."""
    target = struct.unpack("<f", struct.pack("<f", x))[0]
    for p in range(1, 10):
        text = "%.*g" % (p, target)
        if struct.unpack("<f", struct.pack("<f", float(text)))[0] == target:
            return float(text)
    return target


def real(x, single):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return shortest_float32(x) if single else x


def iso_time(count, per_second, utc):
    secs, frac = divmod(count, per_second)
    dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=secs)
    digits = 3 if per_second == 1000 else 6
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%0*d" % (digits, frac) + ("Z" if utc else "")


def branch_for(union, value):
    for b in union.schemas:
        if avro.io.validate(b, value):
            return b
    raise ValueError("no branch for %r" % (value,))


def mapping(schema, v):
    """Our documented JSON mapping, from the value python3-avro read."""
    if isinstance(schema, avro.schema.UnionSchema):
        return mapping(branch_for(schema, v), v)
    t = schema.type
    lt = schema.props.get("logicalType")
    if isinstance(v, decimal.Decimal):
        scale = schema.props.get("scale", 0)
        return format(v.quantize(decimal.Decimal(1).scaleb(-scale)), "f")
    if isinstance(v, datetime.datetime):
        per = 1000 if lt == "timestamp-millis" else 1000000
        delta = v - EPOCH
        count = (delta.days * 86400 + delta.seconds) * per + delta.microseconds * per // 1000000
        return iso_time(count, per, True)
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, datetime.time):
        frac = v.microsecond // 1000 if lt == "time-millis" else v.microsecond
        return v.strftime("%H:%M:%S") + ".%0*d" % (3 if lt == "time-millis" else 6, frac)
    if t == "long" and lt in ("local-timestamp-millis", "local-timestamp-micros"):
        return iso_time(v, 1000 if lt.endswith("millis") else 1000000, False)
    if t in ("float", "double"):
        return real(v, t == "float")
    if t in ("bytes", "fixed"):
        return base64.b64encode(v).decode()
    if t == "string" and isinstance(v, bytes):
        return v.decode()
    if t == "record":
        return {f.name: mapping(f.type, v[f.name]) for f in schema.fields}
    if t == "array":
        return [mapping(schema.items, x) for x in v]
    if t == "map":
        return {k: mapping(schema.values, x) for k, x in v.items()}
    return v


def encode(schema, datum):
    buf = io.BytesIO()
    avro.io.DatumWriter(schema).write(datum, avro.io.BinaryEncoder(buf))
    return buf.getvalue()


def decode(writer, reader, data):
    return avro.io.DatumReader(writer, reader).read(avro.io.BinaryDecoder(io.BytesIO(data)))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    for name, writer_json, reader_json, datums in CASES:
        writer = avro.schema.parse(json.dumps(writer_json))
        reader = avro.schema.parse(json.dumps(reader_json)) if reader_json else writer
        with open(os.path.join(out, name + ".avsc"), "w") as f:
            json.dump(writer_json, f, indent=1)
            f.write("\n")
        if reader_json:
            with open(os.path.join(out, name + ".reader.avsc"), "w") as f:
                json.dump(reader_json, f, indent=1)
                f.write("\n")
        with open(os.path.join(out, name + ".canonical"), "w") as f:
            # python3-avro 1.11 writes a primitive that had a logicalType as {"type":"long"};
            # the specification's [PRIMITIVES] rule (and Java) make it "long".
            canonical = re.sub(r'\{"type":"(null|boolean|int|long|float|double|bytes|string)"\}',
                               r'"\1"', writer.canonical_form)
            f.write(canonical + "\n")
        hex_lines, json_lines = [], []
        for datum in datums:
            data = encode(writer, datum)
            hex_lines.append(data.hex())
            value = decode(writer, reader, data)
            json_lines.append(json.dumps(mapping(reader, value), ensure_ascii=False))
        with open(os.path.join(out, name + ".datums.hex"), "w") as f:
            f.write("\n".join(hex_lines) + "\n")
        with open(os.path.join(out, name + ".expected.jsonl"), "w") as f:
            f.write("\n".join(json_lines) + "\n")
    print("wrote %d cases to %s" % (len(CASES), out))


if __name__ == "__main__":
    main()
