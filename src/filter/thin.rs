//! Thinning: a passing alert re-encoded with some optional fields nulled (`drop`: the
//! cutouts, the histories), under the same schema id, for outputs that must be small.

use apache_avro::types::Value;

use crate::formats::avro::SchemaStore;
use crate::formats::packet::{self, Decoder, PacketError};

/// Null the named optional fields of an alert, under the same schema id.
pub(super) fn thin(
    store: &mut SchemaStore,
    packet_bytes: &[u8],
    drop: &[String],
) -> Result<Vec<u8>, PacketError> {
    let (id, body) = packet::split(packet_bytes)?;
    let schema = store.get(id)?;
    let mut value =
        Decoder::new(SchemaStore::new(Vec::new()), None).decode_body(id, &schema, body)?;
    if let Value::Record(fields) = &mut value {
        let defs = schema
            .json
            .get("fields")
            .and_then(serde_json::Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (name, v) in fields.iter_mut() {
            if !drop.contains(name) {
                continue;
            }
            let null_branch = defs
                .iter()
                .find(|d| d.get("name").and_then(serde_json::Value::as_str) == Some(name))
                .and_then(|d| d.get("type"))
                .and_then(serde_json::Value::as_array)
                .and_then(|branches| branches.iter().position(|b| b == "null"));
            if let Some(i) = null_branch {
                *v = Value::Union(i as u32, Box::new(Value::Null));
            }
        }
    }
    Ok(packet::encode(id, &packet::encode_body(&schema, &value)?))
}
