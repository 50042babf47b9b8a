//! A filter checked against a schema: every path it reads that the schema does not
//! have, and every comparison of a path with a literal of another type.
//!
//! Both come from the path analysis of the expression's parse tree
//! ([`super::analysis`]): the paths are those the projection would decode, the
//! comparisons those the analysis met (through variables and definitions too). Where
//! the analysis cannot bound what an expression reads, only its comparisons are
//! checked.

use std::collections::HashMap;

use serde_json::Value as Json;

use super::analysis::{path_text, Comparison, LiteralKind, Need};

/// What is wrong with a filter for a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A path the expression reads is not in the schema.
    Missing {
        /// The path, as jq writes it.
        path: String,
        /// The record that lacks the field.
        record: String,
    },
    /// A path is compared with a literal of a type the path never has.
    TypeMismatch {
        /// The path.
        path: String,
        /// The types the schema gives the path.
        types: Vec<String>,
        /// The literal as written.
        literal: String,
    },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::Missing { path, record } => {
                write!(f, "{path} does not exist: {record} has no such field")
            }
            Finding::TypeMismatch {
                path,
                types,
                literal,
            } => write!(
                f,
                "{path} ({}) is compared with {literal}, which is never equal to it and orders by type, not value",
                types.join(" or ")
            ),
        }
    }
}

/// Named types of a schema, by full and by short name.
pub(crate) struct Names<'a>(HashMap<String, &'a Json>);

impl<'a> Names<'a> {
    pub(crate) fn collect(schema: &'a Json) -> Names<'a> {
        fn walk<'a>(t: &'a Json, ns: &str, out: &mut HashMap<String, &'a Json>) {
            match t {
                Json::Array(branches) => branches.iter().for_each(|b| walk(b, ns, out)),
                Json::Object(o) => {
                    let mut inner = o
                        .get("namespace")
                        .and_then(Json::as_str)
                        .unwrap_or(ns)
                        .to_string();
                    if let Some(name) = o.get("name").and_then(Json::as_str) {
                        if matches!(
                            o.get("type").and_then(Json::as_str),
                            Some("record" | "enum" | "fixed" | "error")
                        ) {
                            let full = if name.contains('.') || inner.is_empty() {
                                name.to_string()
                            } else {
                                format!("{inner}.{name}")
                            };
                            if let Some((space, short)) = full.rsplit_once('.') {
                                out.entry(short.to_string()).or_insert(t);
                                inner = space.to_string();
                            }
                            out.insert(full, t);
                        }
                    }
                    for f in o
                        .get("fields")
                        .and_then(Json::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(ft) = f.get("type") {
                            walk(ft, &inner, out);
                        }
                    }
                    for k in ["items", "values"] {
                        if let Some(x) = o.get(k) {
                            walk(x, &inner, out);
                        }
                    }
                    if let Some(x) = o.get("type").filter(|x| !x.is_string()) {
                        walk(x, &inner, out);
                    }
                }
                _ => {}
            }
        }
        let mut out = HashMap::new();
        walk(schema, "", &mut out);
        Names(out)
    }

    /// The non-null alternatives of a type: unions flattened, names resolved.
    pub(crate) fn branches(&self, t: &'a Json) -> Vec<&'a Json> {
        let mut out = Vec::new();
        self.push(t, &mut out, 0);
        out
    }

    fn push(&self, t: &'a Json, out: &mut Vec<&'a Json>, depth: usize) {
        if depth > 64 {
            return;
        }
        match t {
            Json::Array(bs) => bs.iter().for_each(|b| self.push(b, out, depth + 1)),
            Json::String(s) if s == "null" => {}
            Json::String(s) => match self.0.get(s.as_str()) {
                Some(named) => self.push(named, out, depth + 1),
                None => out.push(t),
            },
            Json::Object(o) => match o.get("type") {
                // {"type": "long", "logicalType": ...} and {"type": {...}}
                Some(inner @ (Json::String(_) | Json::Array(_)))
                    if !matches!(
                        inner.as_str(),
                        Some("record" | "enum" | "fixed" | "error" | "array" | "map")
                    ) =>
                {
                    self.push(inner, out, depth + 1)
                }
                Some(inner @ Json::Object(_)) => self.push(inner, out, depth + 1),
                _ => out.push(t),
            },
            _ => {}
        }
    }
}

pub(crate) fn kind(t: &Json) -> &str {
    match t {
        Json::String(s) => s,
        Json::Object(o) => o.get("type").and_then(Json::as_str).unwrap_or("?"),
        _ => "?",
    }
}

fn record_name(t: &Json) -> String {
    t.get("name")
        .and_then(Json::as_str)
        .unwrap_or("the record")
        .to_string()
}

fn field<'a>(t: &'a Json, name: &str) -> Option<&'a Json> {
    t.get("fields")?
        .as_array()?
        .iter()
        .find(|f| f.get("name").and_then(Json::as_str) == Some(name))?
        .get("type")
}

/// One step down: a record's field, a map's value, an array's items (`None`).
/// Returns the types there, and whether some record at this level lacked the field.
fn step<'a>(
    names: &Names<'a>,
    types: &[&'a Json],
    key: Option<&str>,
) -> (Vec<&'a Json>, Option<String>) {
    let mut next = Vec::new();
    let mut lacking = None;
    for t in types {
        match (kind(t), key) {
            ("record" | "error", Some(k)) => match field(t, k) {
                Some(ft) => next.extend(names.branches(ft)),
                None => lacking = Some(record_name(t)),
            },
            ("map", Some(_)) | ("map", None) => {
                if let Some(v) = t.get("values") {
                    next.extend(names.branches(v));
                }
            }
            ("array", None) => {
                if let Some(v) = t.get("items") {
                    next.extend(names.branches(v));
                }
            }
            _ => {}
        }
    }
    // Missing only when no alternative has it.
    (next.clone(), if next.is_empty() { lacking } else { None })
}

fn walk_need(
    names: &Names<'_>,
    types: &[&Json],
    need: &Need,
    path: &mut Vec<Option<String>>,
    out: &mut Vec<Finding>,
) {
    for (name, child) in &need.fields {
        path.push(Some(name.clone()));
        let (next, lacking) = step(names, types, Some(name));
        if let Some(record) = lacking {
            out.push(Finding::Missing {
                path: path_text(path),
                record,
            });
        } else if !next.is_empty() {
            walk_need(names, &next, child, path, out);
        }
        path.pop();
    }
    if let Some(any) = &need.any {
        path.push(None);
        let (next, _) = step(names, types, None);
        if !next.is_empty() {
            walk_need(names, &next, any, path, out);
        }
        path.pop();
    }
}

fn literal_fits(kind_of_type: &str, literal: LiteralKind) -> bool {
    match literal {
        LiteralKind::Null => true,
        LiteralKind::Number => matches!(kind_of_type, "int" | "long" | "float" | "double"),
        LiteralKind::String => matches!(kind_of_type, "string" | "enum" | "bytes" | "fixed"),
        LiteralKind::Boolean => kind_of_type == "boolean",
    }
}

/// Check what an expression reads (`need`, when the analysis bounded it) and its
/// comparisons against an Avro schema (the alert record, named types inlined or named).
pub fn check(need: Option<&Need>, comparisons: &[Comparison], schema: &Json) -> Vec<Finding> {
    let names = Names::collect(schema);
    let root = names.branches(schema);
    let mut out = Vec::new();
    if let Some(n) = need {
        walk_need(&names, &root, n, &mut Vec::new(), &mut out);
    }
    for c in comparisons {
        let mut types = root.clone();
        let mut missing = false;
        for s in &c.path {
            let (next, lacking) = step(&names, &types, s.as_deref());
            if lacking.is_some() || next.is_empty() {
                missing = true;
                break;
            }
            types = next;
        }
        if missing || types.is_empty() {
            continue; // reported as missing above, or not a path into the schema
        }
        if !types.iter().any(|t| literal_fits(kind(t), c.kind)) {
            let mut kinds: Vec<String> = types.iter().map(|t| kind(t).to_string()).collect();
            kinds.sort();
            kinds.dedup();
            out.push(Finding::TypeMismatch {
                path: path_text(&c.path),
                types: kinds,
                literal: c.literal.clone(),
            });
        }
    }
    out.sort_by_key(|f| f.to_string());
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::jq::Program;

    fn findings(expr: &str) -> Vec<String> {
        let schema = crate::schema::builtin_sample();
        let p = Program::compile(expr).unwrap();
        check(p.need(), p.comparisons(), &schema.json)
            .iter()
            .map(|f| f.to_string())
            .collect()
    }

    #[test]
    fn paths_the_schema_has_pass() {
        assert!(findings(".diaSource.snr > 5 and .diaSource.band == \"r\"").is_empty());
        assert!(findings("[.prvDiaSources[]?.psfFlux] | length > 2").is_empty());
        assert!(findings(".diaSource as $s | $s.snr > 5").is_empty());
    }

    #[test]
    fn a_missing_path_is_named_with_its_record() {
        let f = findings(".diaSource.snrr > 5");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].starts_with(".diaSource.snrr does not exist"), "{f:?}");
        let f = findings(".prvDiaSources[]?.psfFlx > 1");
        assert!(f[0].starts_with(".prvDiaSources[].psfFlx"), "{f:?}");
        // Through a variable and a def, from the parse tree.
        let f = findings("def s: .diaSource; s as $x | $x.nope");
        assert!(f[0].starts_with(".diaSource.nope"), "{f:?}");
    }

    #[test]
    fn a_literal_of_another_type_is_named() {
        let f = findings(".diaSource.band == 5");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].contains(".diaSource.band (string)") && f[0].contains(" 5"),
            "{f:?}"
        );
        let f = findings("\"10\" < .diaSource.snr");
        assert!(f[0].contains("(double") || f[0].contains("(float"), "{f:?}");
        // null compares with anything; numbers with numbers.
        assert!(findings(".diaSource.snr != null and .diaSource.snr > -3").is_empty());
    }
}
