//! Schema compatibility, by Apache Avro's own rules (Java's `SchemaCompatibility`,
//! which Python's `avro.compatibility` follows), and Confluent's compatibility levels.
//!
//! A reader schema can read what a writer schema wrote when, recursively:
//! * the types are the same, or the writer's is promotable to the reader's
//!   (int -> long -> float -> double, string <-> bytes);
//! * named types (record, enum, fixed) have the same unqualified name, or the
//!   reader lists the writer's full name among its aliases;
//! * every reader field is in the writer (by name or by one of the reader field's
//!   aliases) with a readable type, or has a default;
//! * a writer union: every branch readable; a reader union: some branch reads the writer;
//! * enums: the reader has every writer symbol, or a default symbol;
//! * fixed: the same size; arrays and maps: readable items and values.
//!
//! Recursive types are handled as Avro does: a pair already being checked counts as
//! compatible.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::graph::{Field, Graph, Node};
use super::AlertSchema;

/// One reason a reader cannot read a writer, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    /// Dotted path from the root record (`alert.diaSource.visit`, `[]` for array items).
    pub path: String,
    /// What is wrong, from the reader's side.
    pub message: String,
}

impl fmt::Display for Incompatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// A schema prepared for compatibility checks: its compiled graph.
#[derive(Debug, Clone)]
pub struct Parsed(Arc<Graph>);

impl Parsed {
    /// The schema's graph, for compatibility checks.
    pub fn of(schema: &AlertSchema) -> Result<Parsed, String> {
        schema
            .graph()
            .map(|g| Parsed(g.clone()))
            .map_err(|e| e.to_string())
    }

    /// A schema from its JSON (named types defined before their use, as Avro requires).
    pub fn from_json(json: &serde_json::Value) -> Result<Parsed, String> {
        let schema = AlertSchema::from_json_str(&json.to_string(), std::path::Path::new("schema"))
            .map_err(|e| e.to_string())?;
        Parsed::of(&schema)
    }

    fn node(&self, n: usize) -> &Node {
        &self.0.nodes[n]
    }

    fn describe(&self, n: usize) -> String {
        match self.node(n) {
            Node::Array(i) => format!("array of {}", self.describe(*i)),
            Node::Map(v) => format!("map of {}", self.describe(*v)),
            Node::Union(b) => format!(
                "[{}]",
                b.iter()
                    .map(|x| self.describe(*x))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            node => match self.0.named(n) {
                Some(named) => format!("{} {}", node.kind(), named.short()),
                None => node.kind().to_string(),
            },
        }
    }

    fn root_name(&self) -> String {
        match self.0.named(self.0.root) {
            Some(n) => n.short().to_string(),
            None => self.describe(self.0.root),
        }
    }
}

struct Checker<'a> {
    r: &'a Parsed,
    w: &'a Parsed,
    /// Named pairs checked or being checked, quietly: (reader, writer) -> compatible.
    memo: HashMap<(usize, usize), bool>,
    /// Named pairs whose reasons have been reported (or are being): each once, so the
    /// report costs no more than the check.
    reported: HashMap<(usize, usize), bool>,
    found: Vec<Incompatibility>,
    quiet: usize,
    /// Give up after this instant.
    deadline: Option<std::time::Instant>,
    steps: u64,
    timed_out: bool,
}

impl Checker<'_> {
    fn report(&mut self, path: &[String], message: String) {
        if self.quiet == 0 {
            self.found.push(Incompatibility {
                path: join(path),
                message,
            });
        }
    }

    fn mismatch(&mut self, r: usize, w: usize, path: &[String]) -> bool {
        let msg = format!(
            "reader {} cannot read writer {}",
            self.r.describe(r),
            self.w.describe(w)
        );
        self.report(path, msg);
        false
    }

    /// Whether `r` reads `w` without reporting anything.
    fn try_read(&mut self, r: usize, w: usize, path: &[String]) -> bool {
        self.quiet += 1;
        let ok = self.read(r, w, path);
        self.quiet -= 1;
        ok
    }

    fn read(&mut self, r: usize, w: usize, path: &[String]) -> bool {
        self.steps += 1;
        if self.steps.is_multiple_of(1024)
            && self.deadline.is_some_and(|d| std::time::Instant::now() > d)
        {
            self.timed_out = true;
        }
        if self.timed_out {
            return false;
        }
        if self.r.0.named(r).is_some() && self.w.0.named(w).is_some() {
            let key = (r, w);
            // A pair quietly found compatible has nothing to report.
            let table = if self.quiet > 0 || self.memo.get(&key) == Some(&true) {
                &mut self.memo
            } else {
                &mut self.reported
            };
            if let Some(ok) = table.get(&key) {
                return *ok;
            }
            table.insert(key, true); // in progress: assume compatible
            let ok = self.read_uncached(r, w, path);
            if self.quiet > 0 || self.memo.get(&key) == Some(&true) && ok {
                self.memo.insert(key, ok);
            } else {
                self.reported.insert(key, ok);
                self.memo.entry(key).or_insert(ok);
            }
            return ok;
        }
        self.read_uncached(r, w, path)
    }

    /// Whether the reader's name matches the writer's: the same unqualified name, or
    /// the writer's full name among the reader's aliases.
    fn names_match(&mut self, r: usize, w: usize, path: &[String]) -> bool {
        let (Some(rn), Some(wn)) = (self.r.0.named(r), self.w.0.named(w)) else {
            return true;
        };
        if rn.short() == wn.short() || rn.aliases.contains(&wn.full) {
            return true;
        }
        let msg = format!(
            "reader name {} does not match writer name {}",
            rn.short(),
            wn.short()
        );
        self.report(path, msg);
        false
    }

    fn read_uncached(&mut self, r: usize, w: usize, path: &[String]) -> bool {
        let (rnode, wnode) = (self.r.node(r).clone(), self.w.node(w).clone());
        if rnode.kind() == wnode.kind() {
            return match (&rnode, &wnode) {
                (Node::Array(ri), Node::Array(wi)) => self.read(*ri, *wi, &push(path, "[]")),
                (Node::Map(rv), Node::Map(wv)) => self.read(*rv, *wv, &push(path, "{}")),
                (Node::Union(rb), Node::Union(wb)) => {
                    let mut ok = true;
                    for b in wb {
                        if !self.try_read(r, *b, path) {
                            self.explain_union_miss(r, rb, *b, path);
                            ok = false;
                        }
                    }
                    ok
                }
                (Node::Fixed(rs), Node::Fixed(ws)) => {
                    let names = self.names_match(r, w, path);
                    let size = rs == ws;
                    if !size {
                        self.report(
                            path,
                            format!("reader fixed size {rs} differs from writer size {ws}"),
                        );
                    }
                    names && size
                }
                (Node::Enum(rs), Node::Enum(ws)) => {
                    let names = self.names_match(r, w, path);
                    let default = self.r.0.named(r).and_then(|n| n.default.clone());
                    let missing: Vec<&String> = ws.iter().filter(|s| !rs.contains(s)).collect();
                    let covered = default.as_ref().is_some_and(|d| rs.contains(d));
                    let body = if missing.is_empty() || covered {
                        true
                    } else {
                        let list = missing
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ");
                        let name = self.r.0.named(r).map_or("", |n| n.short()).to_string();
                        self.report(
                            path,
                            format!(
                                "reader enum {name} lacks writer symbols {list} and has no default"
                            ),
                        );
                        false
                    };
                    names && body
                }
                (Node::Record(rf), Node::Record(wf)) => {
                    let names = self.names_match(r, w, path);
                    let body = self.fields(rf, wf, path);
                    names && body
                }
                // Primitives of the same kind.
                _ => true,
            };
        }
        if let Node::Union(wb) = &wnode {
            let mut ok = true;
            for b in wb {
                ok &= self.read(r, *b, path);
            }
            return ok;
        }
        let promotable = matches!(
            (&rnode, &wnode),
            (Node::Long, Node::Int)
                | (Node::Float, Node::Int | Node::Long)
                | (Node::Double, Node::Int | Node::Long | Node::Float)
                | (Node::Bytes, Node::Str)
                | (Node::Str, Node::Bytes)
        );
        if promotable {
            return true;
        }
        if let Node::Union(rb) = &rnode {
            for b in rb {
                if self.try_read(*b, w, path) {
                    return true;
                }
            }
            self.explain_union_miss(r, rb, w, path);
            return false;
        }
        self.mismatch(r, w, path)
    }

    /// Report why no branch of reader union `r` reads `w`: the reasons of the branch
    /// of `w`'s kind when there is one, else the missing branch.
    fn explain_union_miss(&mut self, r: usize, branches: &[usize], w: usize, path: &[String]) {
        if self.quiet > 0 {
            return;
        }
        let wk = self.w.node(w).kind();
        if let Some(b) = branches.iter().find(|b| self.r.node(**b).kind() == wk) {
            // The branch of the writer's kind says why (each named pair once).
            if !self.read(*b, w, path) {
                return;
            }
        }
        let msg = format!(
            "reader union {} has no branch for writer {}",
            self.r.describe(r),
            self.w.describe(w)
        );
        self.report(path, msg);
    }

    fn fields(&mut self, rf: &[Field], wf: &[Field], path: &[String]) -> bool {
        let mut ok = true;
        for f in rf {
            let here = push(path, &f.name);
            let wfield = wf.iter().find(|x| x.name == f.name).or_else(|| {
                f.aliases
                    .iter()
                    .find_map(|a| wf.iter().find(|x| &x.name == a))
            });
            match wfield {
                Some(x) => ok &= self.read(f.node, x.node, &here),
                None if f.has_default => {}
                None => {
                    self.report(
                        &here,
                        "reader field has no default, and the writer has no such field".into(),
                    );
                    ok = false;
                }
            }
        }
        ok
    }
}

fn push(path: &[String], seg: &str) -> Vec<String> {
    let mut p = path.to_vec();
    p.push(seg.to_string());
    p
}

fn join(path: &[String]) -> String {
    let mut s = String::new();
    for seg in path {
        if !s.is_empty() && !seg.starts_with('[') && !seg.starts_with('{') {
            s.push('.');
        }
        s.push_str(seg);
    }
    s
}

/// What stops `reader` from reading data written with `writer` (empty: compatible).
pub fn incompatibilities(reader: &Parsed, writer: &Parsed) -> Vec<Incompatibility> {
    incompatibilities_until(reader, writer, None).expect("no deadline")
}

/// The check ran past its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the compatibility check took longer than it may")]
pub struct TimedOut;

/// [`incompatibilities`], giving up at `deadline`. The check visits each pair of named
/// types once (and reports each once), so its cost grows with the schemas' size.
pub fn incompatibilities_until(
    reader: &Parsed,
    writer: &Parsed,
    deadline: Option<std::time::Instant>,
) -> Result<Vec<Incompatibility>, TimedOut> {
    let mut c = Checker {
        r: reader,
        w: writer,
        memo: HashMap::new(),
        reported: HashMap::new(),
        found: Vec::new(),
        quiet: 0,
        deadline,
        steps: 0,
        timed_out: false,
    };
    let ok = c.read(reader.0.root, writer.0.root, &[reader.root_name()]);
    if c.timed_out {
        return Err(TimedOut);
    }
    if !ok && c.found.is_empty() {
        // Incompatible through a pair already judged quietly: say so at the root.
        c.found.push(Incompatibility {
            path: reader.root_name(),
            message: "reader cannot read writer".into(),
        });
    }
    Ok(c.found)
}

/// Confluent Schema Registry compatibility levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The new schema reads data written with the latest.
    Backward,
    /// The new schema reads data written with every earlier one.
    BackwardTransitive,
    /// The latest schema reads data written with the new one.
    Forward,
    /// Every earlier schema reads data written with the new one (Rubin, within a MAJOR).
    ForwardTransitive,
    /// Backward and forward with the latest.
    Full,
    /// Backward and forward with every earlier one.
    FullTransitive,
    /// No check.
    None,
}

impl Level {
    /// The name Confluent uses (`FORWARD_TRANSITIVE`).
    pub fn name(self) -> &'static str {
        match self {
            Level::Backward => "BACKWARD",
            Level::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Level::Forward => "FORWARD",
            Level::ForwardTransitive => "FORWARD_TRANSITIVE",
            Level::Full => "FULL",
            Level::FullTransitive => "FULL_TRANSITIVE",
            Level::None => "NONE",
        }
    }

    /// Every level, in Confluent's order.
    pub const ALL: [Level; 7] = [
        Level::Backward,
        Level::BackwardTransitive,
        Level::Forward,
        Level::ForwardTransitive,
        Level::Full,
        Level::FullTransitive,
        Level::None,
    ];

    /// Parse a Confluent level name (any case).
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(s.trim()))
    }
}

impl crate::choice::Choice for Level {
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        (
            "BACKWARD",
            "The new schema reads data written with the latest",
            Level::Backward,
        ),
        (
            "BACKWARD_TRANSITIVE",
            "The new schema reads data written with every earlier one",
            Level::BackwardTransitive,
        ),
        (
            "FORWARD",
            "The latest schema reads data written with the new one",
            Level::Forward,
        ),
        (
            "FORWARD_TRANSITIVE",
            "Every earlier schema reads data written with the new one (Rubin, within a MAJOR)",
            Level::ForwardTransitive,
        ),
        ("FULL", "Backward and forward with the latest", Level::Full),
        (
            "FULL_TRANSITIVE",
            "Backward and forward with every earlier one",
            Level::FullTransitive,
        ),
        ("NONE", "No check", Level::None),
    ];
}

/// One direction of one comparison in a level check.
#[derive(Debug, Clone)]
pub struct Check {
    /// The existing schema compared with (its label).
    pub against: String,
    /// `backward` (new reads old) or `forward` (old reads new).
    pub direction: &'static str,
    /// What is wrong; empty when compatible.
    pub incompatibilities: Vec<Incompatibility>,
}

/// Check `new` against `existing` (oldest first) at `level`.
pub fn check_level(level: Level, new: &Parsed, existing: &[(String, Parsed)]) -> Vec<Check> {
    check_level_until(level, new, existing, None).expect("no deadline")
}

/// [`check_level`], giving up at `deadline`.
pub fn check_level_until(
    level: Level,
    new: &Parsed,
    existing: &[(String, Parsed)],
    deadline: Option<std::time::Instant>,
) -> Result<Vec<Check>, TimedOut> {
    let (backward, forward, transitive) = match level {
        Level::Backward => (true, false, false),
        Level::BackwardTransitive => (true, false, true),
        Level::Forward => (false, true, false),
        Level::ForwardTransitive => (false, true, true),
        Level::Full => (true, true, false),
        Level::FullTransitive => (true, true, true),
        Level::None => (false, false, false),
    };
    let against: &[(String, Parsed)] = if transitive {
        existing
    } else {
        &existing[existing.len().saturating_sub(1)..]
    };
    let mut out = Vec::new();
    for (label, old) in against {
        if backward {
            out.push(Check {
                against: label.clone(),
                direction: "backward",
                incompatibilities: incompatibilities_until(new, old, deadline)?,
            });
        }
        if forward {
            out.push(Check {
                against: label.clone(),
                direction: "forward",
                incompatibilities: incompatibilities_until(old, new, deadline)?,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn p(v: Value) -> Parsed {
        Parsed::from_json(&v).unwrap()
    }

    fn rec(fields: Value) -> Parsed {
        p(json!({"type": "record", "name": "alert", "namespace": "t", "fields": fields}))
    }

    fn reads(r: &Parsed, w: &Parsed) -> bool {
        incompatibilities(r, w).is_empty()
    }

    #[test]
    fn promotions_go_one_way() {
        let int = rec(json!([{"name": "x", "type": "int"}]));
        let long = rec(json!([{"name": "x", "type": "long"}]));
        let double = rec(json!([{"name": "x", "type": "double"}]));
        assert!(reads(&long, &int) && !reads(&int, &long));
        assert!(reads(&double, &int) && reads(&double, &long) && !reads(&long, &double));
        let e = incompatibilities(&int, &long);
        assert_eq!(
            e[0].to_string(),
            "alert.x: reader int cannot read writer long"
        );
        let s = rec(json!([{"name": "x", "type": "string"}]));
        let b = rec(json!([{"name": "x", "type": "bytes"}]));
        assert!(reads(&s, &b) && reads(&b, &s));
    }

    #[test]
    fn fields_need_a_writer_field_or_a_default() {
        let one = rec(json!([{"name": "a", "type": "int"}]));
        let two = rec(
            json!([{"name": "a", "type": "int"}, {"name": "b", "type": ["null", "int"], "default": null}]),
        );
        let two_no_default =
            rec(json!([{"name": "a", "type": "int"}, {"name": "b", "type": "int"}]));
        assert!(reads(&one, &two), "a reader ignores extra writer fields");
        assert!(reads(&two, &one), "a missing field takes its default");
        let e = incompatibilities(&two_no_default, &one);
        assert_eq!(e[0].path, "alert.b");
        let aliased = rec(json!([{"name": "z", "aliases": ["a"], "type": "long"}]));
        assert!(
            reads(&aliased, &one),
            "field aliases find the writer's field"
        );
    }

    #[test]
    fn unions_enums_fixed_and_names() {
        let opt = rec(json!([{"name": "x", "type": ["null", "int"], "default": null}]));
        let int = rec(json!([{"name": "x", "type": "int"}]));
        assert!(reads(&opt, &int) && !reads(&int, &opt));
        let e1 = p(json!({"type": "enum", "name": "E", "symbols": ["A", "B"]}));
        let e2 = p(json!({"type": "enum", "name": "E", "symbols": ["A", "B", "C"]}));
        let e1d = p(json!({"type": "enum", "name": "E", "symbols": ["A", "B"], "default": "A"}));
        assert!(reads(&e2, &e1) && !reads(&e1, &e2) && reads(&e1d, &e2));
        let f4 = p(json!({"type": "fixed", "name": "F", "size": 4}));
        let f8 = p(json!({"type": "fixed", "name": "F", "size": 8}));
        assert!(!reads(&f4, &f8));
        let a = p(json!({"type": "record", "name": "A", "namespace": "n", "fields": []}));
        let b = p(json!({"type": "record", "name": "B", "namespace": "n", "fields": []}));
        let b_alias_a = p(
            json!({"type": "record", "name": "B", "namespace": "n", "aliases": ["A"], "fields": []}),
        );
        assert!(!reads(&b, &a) && reads(&b_alias_a, &a));
        let other_ns = p(json!({"type": "record", "name": "A", "namespace": "m", "fields": []}));
        assert!(reads(&other_ns, &a), "names compare unqualified");
    }

    #[test]
    fn recursive_types_terminate() {
        let list = |t: &str| {
            p(json!({"type": "record", "name": "Node", "fields": [
            {"name": "v", "type": t}, {"name": "next", "type": ["null", "Node"], "default": null}]}))
        };
        assert!(reads(&list("long"), &list("int")));
        assert!(!reads(&list("int"), &list("long")));
    }

    #[test]
    fn levels_pick_directions_and_history() {
        let v1 = rec(json!([{"name": "a", "type": "int"}]));
        let v2 = rec(json!([{"name": "a", "type": "long"}]));
        let v3 = rec(json!([{"name": "a", "type": "long"}, {"name": "b", "type": "int"}]));
        let hist = vec![("1".to_string(), v1), ("2".to_string(), v2)];
        let bad = |checks: Vec<Check>| {
            checks
                .iter()
                .filter(|c| !c.incompatibilities.is_empty())
                .count()
        };
        // v3 adds a field without default: forward (old reads new) fine, backward not.
        assert_eq!(bad(check_level(Level::Forward, &v3, &hist)), 0);
        assert_eq!(bad(check_level(Level::Backward, &v3, &hist)), 1);
        // FORWARD_TRANSITIVE: v1 (int) cannot read v3's long.
        assert_eq!(bad(check_level(Level::ForwardTransitive, &v3, &hist)), 1);
        assert_eq!(check_level(Level::FullTransitive, &v3, &hist).len(), 4);
        assert!(check_level(Level::None, &v3, &hist).is_empty());
        assert_eq!(
            Level::parse("forward_transitive"),
            Some(Level::ForwardTransitive)
        );
    }
}
