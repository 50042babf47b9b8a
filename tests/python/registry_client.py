"""Confluent's own Python client against `alertctl registry serve`.

  registry_client.py URL OUT_DIR

Registers, re-registers, looks up, gets by id, sets and reads compatibility, tests
compatibility, and serializes one record with Confluent's AvroSerializer (auto
registration), writing the wire-format packet to OUT_DIR/packet.bin for alertctl to
decode. Exits non-zero with a message at the first surprise.
"""
import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

url, out = sys.argv[1], sys.argv[2]


def check(cond, msg):
    if not cond:
        sys.exit("registry_client: " + msg)


def record(fields):
    return json.dumps({"type": "record", "name": "probe", "namespace": "ck", "fields": fields})


V1 = record([{"name": "a", "type": "int"}])
V2 = record([{"name": "a", "type": "int"}, {"name": "b", "type": ["null", "long"], "default": None}])
BAD = record([{"name": "a", "type": "string"}])

sr = SchemaRegistryClient({"url": url})
id1 = sr.register_schema("ck-test", Schema(V1, "AVRO"))
check(id1 > 0, f"id {id1}")
check(sr.register_schema("ck-test", Schema(V1, "AVRO")) == id1, "registering again gives the same id")
check(json.loads(sr.get_schema(id1).schema_str) == json.loads(V1), "get_schema returns the schema")
sr.set_compatibility("ck-test", "FULL")
check(sr.get_compatibility("ck-test") == "FULL", "subject compatibility level")
check(sr.test_compatibility("ck-test", Schema(V2, "AVRO")) is True, "V2 is FULL-compatible with V1")
check(sr.test_compatibility("ck-test", Schema(BAD, "AVRO")) is False, "BAD is not compatible")
id2 = sr.register_schema("ck-test", Schema(V2, "AVRO"))
check(id2 != id1, "a new schema gets a new id")
found = sr.lookup_schema("ck-test", Schema(V1, "AVRO"))
check(found.schema_id == id1 and found.version == 1, f"lookup: {found}")
latest = sr.get_latest_version("ck-test")
check(latest.version == 2 and latest.schema_id == id2, f"latest: {latest}")
try:
    sr.register_schema("ck-test", Schema(BAD, "AVRO"))
    check(False, "an incompatible schema was accepted")
except SchemaRegistryError as e:
    check(e.http_status_code == 409, f"incompatible: HTTP {e.http_status_code}")
try:
    sr.get_latest_version("no-such-subject")
    check(False, "a missing subject was found")
except SchemaRegistryError as e:
    check(e.http_status_code == 404 and e.error_code == 40401, f"missing subject: {e.http_status_code} {e.error_code}")
check("ck-test" in sr.get_subjects(), "subjects")

serializer = AvroSerializer(sr, V2)
packet = serializer({"a": 7, "b": 42}, SerializationContext("ck-topic", MessageField.VALUE))
check(packet[0] == 0 and int.from_bytes(packet[1:5], "big") == id2, "the serializer reuses the id of an identical schema")
with open(f"{out}/packet.bin", "wb") as f:
    f.write(packet)
check(sr.delete_subject("ck-test") == [1, 2], "soft delete returns the versions")
check(sr.delete_subject("ck-test", permanent=True) == [1, 2], "permanent delete")
print(f"registry_client: all calls answered as Confluent's would (ids {id1}, {id2})")
