//! Avro's named types, resolved in one place.
//!
//! A record, enum or fixed has a name. A name with a dot is full; otherwise its
//! namespace is the definition's own `namespace`, else the namespace of the enclosing
//! named type. A reference (`"diaSource"`, `"lsst.v11_0.diaSource"`) is looked up as
//! the full name it makes in the enclosing namespace, then as written (Avro's fallback
//! to the null namespace). Every reader of schema JSON goes through these rules: the
//! multi-file loader ([`super::load`]), the canonical form ([`super::canonical`]) and
//! the compiled schema ([`super::graph`]), from which compatibility, `filter check`,
//! export, the projected decoder and the fast scanner read.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// The primitive type names.
pub const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// The full name of `name` in `namespace` (a name with a dot is already full).
pub fn full_name(name: &str, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) if !name.contains('.') && !ns.is_empty() => format!("{ns}.{name}"),
        _ => name.to_string(),
    }
}

/// The namespace of a full name (`lsst.v11_0` of `lsst.v11_0.alert`), which the named
/// type's members inherit.
pub fn namespace_of(full: &str) -> Option<&str> {
    full.rsplit_once('.').map(|(ns, _)| ns)
}

/// The name without its namespace (`alert` of `lsst.v11_0.alert`).
pub fn short_name(full: &str) -> &str {
    full.rsplit('.').next().unwrap_or(full)
}

/// Whether a schema object defines a named type (record, error, enum, fixed).
pub fn is_named_kind(obj: &Map<String, Value>) -> bool {
    matches!(
        obj.get("type").and_then(Value::as_str),
        Some("record" | "error" | "enum" | "fixed")
    )
}

/// The full name of a named-type definition in the `enclosing` namespace, and the
/// namespace its members inherit; None when it has no name.
pub fn definition(
    obj: &Map<String, Value>,
    enclosing: Option<&str>,
) -> Option<(String, Option<String>)> {
    let name = obj.get("name")?.as_str()?;
    let ns = obj.get("namespace").and_then(Value::as_str).or(enclosing);
    let full = full_name(name, ns);
    let own = namespace_of(&full).map(str::to_string);
    Some((full, own))
}

/// The names a reference may mean, in the order Avro tries them: the full name in the
/// enclosing namespace, then the name as written.
pub fn candidates(reference: &str, namespace: Option<&str>) -> Vec<String> {
    let full = full_name(reference, namespace);
    if full == reference {
        vec![full]
    } else {
        vec![full, reference.to_string()]
    }
}

/// Look a reference up among named things keyed by full name.
pub fn lookup<'m, T>(
    known: &'m HashMap<String, T>,
    reference: &str,
    namespace: Option<&str>,
) -> Option<(String, &'m T)> {
    candidates(reference, namespace)
        .into_iter()
        .find_map(|c| known.get(&c).map(|t| (c, t)))
}

/// Every named type defined in `json` (at the top and nested in fields, unions, arrays
/// and maps), with its full name, in the order they appear.
pub fn definitions<'v>(json: &'v Value, namespace: Option<&str>) -> Vec<(String, &'v Value)> {
    let mut out = Vec::new();
    collect(json, namespace, &mut out);
    out
}

fn collect<'v>(json: &'v Value, ns: Option<&str>, out: &mut Vec<(String, &'v Value)>) {
    match json {
        Value::Array(branches) => branches.iter().for_each(|b| collect(b, ns, out)),
        Value::Object(obj) => {
            let mut inner = ns.map(str::to_string);
            if is_named_kind(obj) {
                if let Some((full, own)) = definition(obj, ns) {
                    out.push((full, json));
                    inner = own;
                }
            }
            for key in ["type", "items", "values"] {
                if let Some(t) = obj.get(key).filter(|t| !t.is_string()) {
                    collect(t, inner.as_deref(), out);
                }
            }
            for f in obj
                .get("fields")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(t) = f.get("type") {
                    collect(t, inner.as_deref(), out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_avros_rules() {
        assert_eq!(full_name("alert", Some("lsst.v11_0")), "lsst.v11_0.alert");
        assert_eq!(full_name("a.b", Some("x")), "a.b");
        assert_eq!(full_name("alert", Some("")), "alert");
        assert_eq!(full_name("alert", None), "alert");
        assert_eq!(short_name("lsst.v11_0.alert"), "alert");
        assert_eq!(namespace_of("lsst.v11_0.alert"), Some("lsst.v11_0"));
        assert_eq!(candidates("src", Some("n")), ["n.src", "src"]);
        assert_eq!(candidates("n.src", Some("n")), ["n.src"]);
    }

    #[test]
    fn nested_definitions_take_the_enclosing_namespace() {
        let json: Value = serde_json::from_str(
            r#"{"type":"record","name":"a","namespace":"n","fields":[
                {"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}},
                {"name":"o","type":["null",{"type":"record","name":"other.R","fields":[
                    {"name":"f","type":{"type":"fixed","name":"F","size":1}}]}]}]}"#,
        )
        .unwrap();
        let names: Vec<String> = definitions(&json, None)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["n.a", "n.E", "other.R", "other.F"]);
        let mut known = HashMap::new();
        known.insert("n.E".to_string(), 1);
        assert_eq!(
            lookup(&known, "E", Some("n")),
            Some(("n.E".to_string(), &1))
        );
        assert_eq!(
            lookup(&known, "n.E", Some("other")),
            Some(("n.E".to_string(), &1))
        );
        assert_eq!(lookup(&known, "E", Some("other")), None);
    }
}
