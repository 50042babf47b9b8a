"""The second, independent oracle for schema compatibility: Apache Avro's own Python
checker. Reads JSON lines {"reader": schema, "writer": schema}; prints one JSON line
per pair: true when the reader can read what the writer wrote, null when Avro
rejects one of the schemas.

  avro_compat.py PAIRS_JSONL
"""
import json
import sys

import avro.errors
import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

with open(sys.argv[1]) as f:
    for line in f:
        pair = json.loads(line)
        try:
            reader = avro.schema.parse(json.dumps(pair["reader"]))
            writer = avro.schema.parse(json.dumps(pair["writer"]))
        except avro.errors.AvroException:
            print("null")  # not a schema Avro accepts: no verdict
            continue
        result = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
        print(json.dumps(result.compatibility is SchemaCompatibilityType.compatible))
