//! The Parsing Canonical Form of a schema (Avro specification) and its CRC-64-AVRO
//! (Rabin) fingerprint.

use std::collections::HashSet;

use serde_json::Value;

use super::names::{definition, full_name, is_named_kind, PRIMITIVES};

/// The Parsing Canonical Form of a self-contained schema, by the Avro specification:
/// full names \[FULLNAMES\], only the attributes that matter for parsing in the order
/// name, type, fields, symbols, items, values, size \[STRIP, ORDER\], primitives in
/// their simple form \[PRIMITIVES\], no white space \[WHITESPACE\].
pub fn canonical_form(schema: &Value) -> String {
    let mut out = String::with_capacity(4096);
    pcf(schema, None, &mut HashSet::new(), &mut out);
    out
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

fn pcf(schema: &Value, ns: Option<&str>, seen: &mut HashSet<String>, out: &mut String) {
    match schema {
        Value::String(s) if PRIMITIVES.contains(&s.as_str()) => out.push_str(&json_str(s)),
        Value::String(s) => out.push_str(&json_str(&full_name(s, ns))),
        Value::Array(branches) => {
            out.push('[');
            for (i, b) in branches.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pcf(b, ns, seen, out);
            }
            out.push(']');
        }
        Value::Object(obj) => match obj.get("type") {
            Some(Value::String(kind)) if is_named_kind(obj) => {
                let Some((full, own_ns)) = definition(obj, ns) else {
                    return out.push_str("null");
                };
                if !seen.insert(full.clone()) {
                    return out.push_str(&json_str(&full));
                }
                out.push_str(&format!(
                    "{{\"name\":{},\"type\":{}",
                    json_str(&full),
                    json_str(kind)
                ));
                if let Some(Value::Array(fields)) = obj.get("fields") {
                    out.push_str(",\"fields\":[");
                    for (i, f) in fields.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
                        out.push_str(&format!("{{\"name\":{},\"type\":", json_str(name)));
                        pcf(
                            f.get("type").unwrap_or(&Value::Null),
                            own_ns.as_deref(),
                            seen,
                            out,
                        );
                        out.push('}');
                    }
                    out.push(']');
                }
                if let Some(symbols) = obj.get("symbols") {
                    out.push_str(&format!(",\"symbols\":{symbols}"));
                }
                if let Some(size) = obj.get("size") {
                    out.push_str(&format!(",\"size\":{size}"));
                }
                out.push('}');
            }
            Some(Value::String(kind)) if kind == "array" || kind == "map" => {
                let (key, inner) = if kind == "array" {
                    ("items", "items")
                } else {
                    ("values", "values")
                };
                out.push_str(&format!("{{\"type\":{},\"{key}\":", json_str(kind)));
                pcf(obj.get(inner).unwrap_or(&Value::Null), ns, seen, out);
                out.push('}');
            }
            Some(Value::String(prim)) => out.push_str(&json_str(prim)),
            Some(nested) => pcf(nested, ns, seen, out),
            None => out.push_str("null"),
        },
        other => out.push_str(&other.to_string()),
    }
}

/// The 64-bit Rabin fingerprint (CRC-64-AVRO) of `data`, as the Avro specification defines it.
pub fn rabin_fingerprint(data: &[u8]) -> u64 {
    const EMPTY: u64 = 0xc15d_213a_a4d7_a795;
    let mut table = [0u64; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut fp = i as u64;
        for _ in 0..8 {
            fp = (fp >> 1) ^ (EMPTY & (fp & 1).wrapping_neg());
        }
        *slot = fp;
    }
    data.iter().fold(EMPTY, |fp, &b| {
        (fp >> 8) ^ table[((fp ^ u64::from(b)) & 0xff) as usize]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rabin_matches_the_avro_spec_examples() {
        // Fingerprints of primitive canonical forms, as the Java implementation computes them.
        assert_eq!(rabin_fingerprint(br#""int""#), 0x7275_d51a_3f39_5c8f);
        assert_eq!(rabin_fingerprint(br#""string""#), 0x8f01_4872_6345_03c7);
        // Printed as little-endian bytes, the way fastavro and Avro's Java API show it.
        assert_eq!(
            format!("{:016x}", 0x7275_d51a_3f39_5c8f_u64.swap_bytes()),
            "8f5c393f1ad57572"
        );
    }

    #[test]
    fn canonical_form_follows_the_spec() {
        let schema: Value = serde_json::from_str(
            r#"{"type":"record","name":"a","namespace":"n","doc":"x","fields":[
                {"name":"t","type":["null",{"type":"long","logicalType":"timestamp-micros"}],"default":null},
                {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
                {"name":"e2","type":"E"},
                {"name":"m","type":{"type":"map","values":{"type":"fixed","name":"F","size":16}}}]}"#,
        )
        .unwrap();
        assert_eq!(
            canonical_form(&schema),
            r#"{"name":"n.a","type":"record","fields":[{"name":"t","type":["null","long"]},{"name":"e","type":{"name":"n.E","type":"enum","symbols":["A","B"]}},{"name":"e2","type":"n.E"},{"name":"m","type":{"type":"map","values":{"name":"n.F","type":"fixed","size":16}}}]}"#
        );
    }
}
