"""Independent checks of alertctl's output with fastavro and astropy.

Called by the Rust end-to-end tests (tests/cli/interop.rs); nothing here imports
alertctl code. Each subcommand exits non-zero with a message on the first mismatch.

  interop.py wire    SCHEMA_AVSC WIRE_FILE VIEWS_JSONL SCHEMA_ID CUTOUT_SIZE
  interop.py ocf     OCF_FILE VIEWS_JSONL CUTOUT_SIZE
  interop.py schemas SCHEMA_SHOW_JSONL SCHEMA_ROOT   (lines of `alertctl schema show --format json`)
"""
import datetime
import io
import json
import math
import os
import struct
import sys

import fastavro
from fastavro.schema import fingerprint, load_schema, to_parsing_canonical_form


def fail(msg):
    sys.exit("interop: " + msg)


def as_plain(value):
    """fastavro's values in the JSON view's terms."""
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1_000_000) if value.tzinfo else value
    return value


def compare(expected, got, path, cutout_size):
    """expected: fastavro's decoding; got: alertctl's JSON view (cutouts as sizes)."""
    expected = as_plain(expected)
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(expected) != set(got):
            fail(f"{path}: keys differ: {sorted(set(expected) ^ set(got or {}))}")
        for k in expected:
            compare(expected[k], got[k], f"{path}.{k}", cutout_size)
    elif isinstance(expected, list):
        if not isinstance(got, list) or len(expected) != len(got):
            fail(f"{path}: list lengths differ")
        for i, (e, g) in enumerate(zip(expected, got)):
            compare(e, g, f"{path}[{i}]", cutout_size)
    elif isinstance(expected, bytes):
        if got != {"bytes": len(expected)}:
            fail(f"{path}: {len(expected)} bytes, view says {got}")
        if path.split(".")[-1].startswith("cutout") and cutout_size > 0:
            check_fits(expected, cutout_size, path)
    elif isinstance(expected, float):
        if math.isnan(expected):
            if got is not None:
                fail(f"{path}: NaN should show as null, got {got}")
        elif not isinstance(got, (int, float)) or not math.isclose(expected, got, rel_tol=1e-6, abs_tol=1e-30):
            fail(f"{path}: fastavro {expected!r}, alertctl {got!r}")
    elif expected != got:
        fail(f"{path}: fastavro {expected!r}, alertctl {got!r}")


def check_fits(data, size, path):
    from astropy.io import fits
    import numpy as np

    with fits.open(io.BytesIO(data)) as hdul:
        img = hdul[0].data
        if img is None or img.shape != (size, size):
            fail(f"{path}: astropy sees shape {None if img is None else img.shape}, expected ({size}, {size})")
        if hdul[0].header["BITPIX"] != -32:
            fail(f"{path}: BITPIX {hdul[0].header['BITPIX']}")
        if not np.all(np.isfinite(img)) or float(np.std(img)) == 0.0:
            fail(f"{path}: pixels are not finite, or constant")


def read_views(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def cmd_wire(schema_avsc, wire_file, views_file, schema_id, cutout_size):
    schema = load_schema(schema_avsc)
    views = read_views(views_file)
    records = []
    with open(wire_file, "rb") as f:
        data = f.read()
    pos = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        packet = data[pos + 4:pos + 4 + length]
        pos += 4 + length
        if packet[0] != 0:
            fail(f"frame at {pos}: magic byte {packet[0]}")
        (sid,) = struct.unpack(">I", packet[1:5])
        if sid != int(schema_id):
            fail(f"schema id {sid}, expected {schema_id}")
        body = io.BytesIO(packet[5:])  # skip the 5-byte wire header
        records.append(fastavro.schemaless_reader(body, schema))
        if body.tell() != len(packet) - 5:
            fail(f"record {len(records) - 1}: {len(packet) - 5 - body.tell()} bytes left after decoding")
    if len(records) != len(views):
        fail(f"fastavro read {len(records)} records, alertctl {len(views)}")
    for i, (rec, view) in enumerate(zip(records, views)):
        compare(rec, view, f"record {i}", int(cutout_size))
    print(f"interop wire: {len(records)} records agree ({os.path.basename(schema_avsc)})")


def cmd_ocf(ocf_file, views_file, cutout_size):
    views = read_views(views_file)
    with open(ocf_file, "rb") as f:
        records = list(fastavro.reader(f))
    if len(records) != len(views):
        fail(f"fastavro read {len(records)} records, alertctl {len(views)}")
    for i, (rec, view) in enumerate(zip(records, views)):
        compare(rec, view, f"record {i}", int(cutout_size))
    print(f"interop ocf: {len(records)} records agree")


def cmd_schemas(list_file, root):
    n = 0
    for entry in read_views(list_file):
        if entry["source"] == "built-in":
            continue
        major, minor = entry["version"].split(".")
        avsc = os.path.join(root, major, minor, f"lsst.v{major}_{minor}.alert.avsc")
        pcf = to_parsing_canonical_form(load_schema(avsc))
        if entry["canonical"] != pcf:
            fail(f"{entry['version']}: canonical forms differ:\n  fastavro {pcf[:300]}\n  alertctl {entry['canonical'][:300]}")
        if fingerprint(pcf, "CRC-64-AVRO") != entry["fingerprint"]:
            fail(f"{entry['version']}: fastavro fingerprint {fingerprint(pcf, 'CRC-64-AVRO')}, alertctl {entry['fingerprint']}")
        n += 1
    if n == 0:
        fail("no schema versions checked")
    print(f"interop schemas: {n} fingerprints agree")


if __name__ == "__main__":
    commands = {"wire": cmd_wire, "ocf": cmd_ocf, "schemas": cmd_schemas}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](*sys.argv[2:])
