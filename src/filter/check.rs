//! A filter checked against a schema: every path it reads that the schema does not
//! have, and every comparison of a path with a literal of another type.
//!
//! Both come from the path analysis of the expression's parse tree
//! ([`super::jq::analysis`]): the paths are those the projection would decode, the
//! comparisons those the analysis met (through variables and definitions too). Where
//! the analysis cannot bound what an expression reads, only its comparisons are
//! checked.

use super::jq::analysis::{path_text, Comparison, LiteralKind, Need};
use crate::formats::avro::graph::{Graph, Node};

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

fn record_name(g: &Graph, n: usize) -> String {
    g.named(n)
        .map_or_else(|| "the record".to_string(), |r| r.short().to_string())
}

/// One step down: a record's field, a map's value, an array's items (`None`).
/// Returns the types there, and whether some record at this level lacked the field.
fn step(g: &Graph, types: &[usize], key: Option<&str>) -> (Vec<usize>, Option<String>) {
    let mut next = Vec::new();
    let mut lacking = None;
    for &t in types {
        match (&g.nodes[t], key) {
            (Node::Record(_), Some(k)) => match g.field(t, k) {
                Some(f) => next.extend(g.branches(f.node)),
                None => lacking = Some(record_name(g, t)),
            },
            (Node::Map(v), _) => next.extend(g.branches(*v)),
            (Node::Array(i), None) => next.extend(g.branches(*i)),
            _ => {}
        }
    }
    // Missing only when no alternative has it.
    let lacking = if next.is_empty() { lacking } else { None };
    (next, lacking)
}

fn walk_need(
    g: &Graph,
    types: &[usize],
    need: &Need,
    path: &mut Vec<Option<String>>,
    out: &mut Vec<Finding>,
) {
    for (name, child) in &need.fields {
        path.push(Some(name.clone()));
        let (next, lacking) = step(g, types, Some(name));
        if let Some(record) = lacking {
            out.push(Finding::Missing {
                path: path_text(path),
                record,
            });
        } else if !next.is_empty() {
            walk_need(g, &next, child, path, out);
        }
        path.pop();
    }
    if let Some(any) = &need.any {
        path.push(None);
        let (next, _) = step(g, types, None);
        if !next.is_empty() {
            walk_need(g, &next, any, path, out);
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
/// comparisons against a compiled schema.
pub fn check(need: Option<&Need>, comparisons: &[Comparison], g: &Graph) -> Vec<Finding> {
    let root = g.branches(g.root);
    let mut out = Vec::new();
    if let Some(n) = need {
        walk_need(g, &root, n, &mut Vec::new(), &mut out);
    }
    for c in comparisons {
        let mut types = root.clone();
        let mut missing = false;
        for s in &c.path {
            let (next, lacking) = step(g, &types, s.as_deref());
            if lacking.is_some() || next.is_empty() {
                missing = true;
                break;
            }
            types = next;
        }
        if missing || types.is_empty() {
            continue; // reported as missing above, or not a path into the schema
        }
        if !types
            .iter()
            .any(|t| literal_fits(g.nodes[*t].kind(), c.kind))
        {
            let mut kinds: Vec<String> = types
                .iter()
                .map(|t| g.nodes[*t].kind().to_string())
                .collect();
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

/// What `filter check` found: each filter's findings against one schema version.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// (filter, finding).
    pub findings: Vec<(String, Finding)>,
    /// The version checked against (or the schema's name).
    pub version: String,
    /// How many filters were checked.
    pub filters: usize,
}

/// Check filters against a schema: a version under `dirs` (default: the newest there,
/// else the built-in sample), or a self-contained `.avsc` file. The watchlists and MOCs
/// in `sky` are loaded (a file that does not load is the error), and a filter that names
/// another is refused.
pub fn check_filters(
    defs: Vec<crate::filter::FilterDef>,
    sky: Vec<crate::sky::Decl>,
    dirs: &[std::path::PathBuf],
    version: Option<crate::formats::avro::Version>,
    file: Option<&std::path::Path>,
) -> Result<CheckReport, crate::Error> {
    let schema = crate::formats::avro::select(dirs, version, file)?;
    let n = defs.len();
    let catalog =
        crate::sky::Catalog::load(sky).map_err(|e| crate::Error::failure(e.to_string()))?;
    let engine = crate::filter::Engine::with_catalog(
        defs,
        crate::formats::avro::SchemaStore::new(dirs.to_vec()),
        crate::filter::Budget::default(),
        catalog,
    )?;
    let findings = engine.check_schema(schema.graph()?);
    Ok(CheckReport {
        findings,
        version: schema
            .version
            .map_or_else(|| schema.name.clone(), |v| v.to_string()),
        filters: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::jq::Program;

    fn findings(expr: &str) -> Vec<String> {
        let schema = crate::formats::avro::builtin_sample();
        let p = Program::compile(expr).unwrap();
        check(p.own_need(), p.comparisons(), schema.graph().unwrap())
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
