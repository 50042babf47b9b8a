//! The compiled schema: a writer schema read once into nodes, the one parsed form every
//! reader of Avro bytes and every schema walk uses.
//!
//! A [`Graph`] holds each type as a node (named types are shared, so a recursive schema
//! is a cycle), with the names, aliases, defaults and enum defaults that compatibility
//! needs, and each node compiled for skipping. It is built by [`super::names`]'s rules
//! and only through [`super::AlertSchema::graph`], once per schema. Compatibility
//! ([`super::compat`]), `filter check`, export's columns, the projected decoder, the
//! fast scanner, visit files' record splitting and the shape guard all read it. Every
//! length is checked against the bytes left before it is used.

use std::collections::HashMap;

use serde_json::Value as Json;

use super::binary::{block, branch, length, skip_varint, take, varint, DecodeError};
use super::names;

/// One node of a compiled schema.
#[derive(Debug, Clone)]
pub enum Node {
    /// `null`
    Null,
    /// `boolean`
    Boolean,
    /// `int`
    Int,
    /// `long`
    Long,
    /// `float`
    Float,
    /// `double`
    Double,
    /// `bytes`
    Bytes,
    /// `string`
    Str,
    /// An enum's symbols.
    Enum(Vec<String>),
    /// A fixed's size.
    Fixed(usize),
    /// An array's items.
    Array(usize),
    /// A map's values.
    Map(usize),
    /// A union's branches.
    Union(Vec<usize>),
    /// A record's fields.
    Record(Vec<Field>),
}

impl Node {
    /// The type's kind as Avro names it (`int`, `record`, `enum`, `array`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Boolean => "boolean",
            Node::Int => "int",
            Node::Long => "long",
            Node::Float => "float",
            Node::Double => "double",
            Node::Bytes => "bytes",
            Node::Str => "string",
            Node::Enum(_) => "enum",
            Node::Fixed(_) => "fixed",
            Node::Array(_) => "array",
            Node::Map(_) => "map",
            Node::Union(_) => "union",
            Node::Record(_) => "record",
        }
    }
}

/// The primitives the fast readers ([`super::json`], [`super::value`]) take in place in
/// a record, alone or as the other branch of a union with `null` ([`InPlace`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prim {
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Str,
}

impl Prim {
    /// A node's primitive, if it is one of these.
    pub(crate) fn of(node: &Node) -> Option<Prim> {
        Some(match node {
            Node::Boolean => Prim::Boolean,
            Node::Int => Prim::Int,
            Node::Long => Prim::Long,
            Node::Float => Prim::Float,
            Node::Double => Prim::Double,
            Node::Str => Prim::Str,
            _ => return None,
        })
    }
}

/// How the fast readers take a record field of a node ([`Graph::in_place`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InPlace {
    /// A primitive, read in place.
    Prim(Prim),
    /// A union of `null` and a primitive, its branch index read in place
    /// ([`super::binary::one_byte_branch`]): `null_index` is null's branch (0 or 1).
    Nullable { null_index: u8, prim: Prim },
    /// Anything else: through the reader's general step.
    Node,
}

/// A record field.
#[derive(Debug, Clone)]
pub struct Field {
    /// The field's name.
    pub name: String,
    /// Its type.
    pub node: usize,
    /// Its aliases (other names a reader may know it by).
    pub aliases: Vec<String>,
    /// Whether it has a default (a reader may then do without it).
    pub has_default: bool,
}

/// What a named type (record, enum, fixed) is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// Its full name (`lsst.v11_0.diaSource`).
    pub full: String,
    /// Its aliases, as full names.
    pub aliases: Vec<String>,
    /// An enum's default symbol.
    pub default: Option<String>,
}

impl Named {
    /// The name without its namespace.
    pub fn short(&self) -> &str {
        names::short_name(&self.full)
    }
}

/// A writer schema compiled into nodes (named types are shared, so recursion is a cycle).
#[derive(Debug, Clone)]
pub struct Graph {
    /// The nodes.
    pub nodes: Vec<Node>,
    /// The schema's own node.
    pub root: usize,
    /// The names of the named nodes, by node.
    named: HashMap<usize, Named>,
    /// Each node compiled for skipping.
    skips: Skips,
    /// Whether values can nest without bound (a recursive type) or hold items of no
    /// bytes (so counts are unbounded by the input): such bodies are walked once by
    /// [`Graph::check_shape`] before any recursive reader sees them.
    guarded: bool,
}

/// The deepest nesting of values accepted in a body of a recursive schema (Rubin's
/// alerts nest 3 deep). Every reader of Avro values recurses along the nesting.
pub const MAX_NESTING: usize = 100;

/// Whether a type can contain itself (a cycle reachable from `root`), found without
/// recursion.
fn cyclic(nodes: &[Node], root: usize) -> bool {
    let children = |n: usize| -> Vec<usize> {
        match &nodes[n] {
            Node::Array(i) | Node::Map(i) => vec![*i],
            Node::Union(b) => b.clone(),
            Node::Record(f) => f.iter().map(|f| f.node).collect(),
            _ => Vec::new(),
        }
    };
    // 0: unseen, 1: on the current path, 2: done.
    let mut state = vec![0u8; nodes.len()];
    let mut stack = vec![(root, children(root), 0usize)];
    state[root] = 1;
    while let Some((n, kids, i)) = stack.last_mut() {
        if *i < kids.len() {
            let k = kids[*i];
            *i += 1;
            match state[k] {
                1 => return true,
                0 => {
                    state[k] = 1;
                    let c = children(k);
                    stack.push((k, c, 0));
                }
                _ => {}
            }
        } else {
            state[*n] = 2;
            stack.pop();
        }
    }
    false
}

/// Whether an array or map can hold items encoded in no bytes (null, fixed(0), records
/// of those), whose counts the input's length then does not bound.
fn empty_items(nodes: &[Node]) -> bool {
    let mut empty: Vec<bool> = nodes
        .iter()
        .map(|n| matches!(n, Node::Null | Node::Fixed(0)))
        .collect();
    loop {
        let mut changed = false;
        for (i, n) in nodes.iter().enumerate() {
            if let Node::Record(fields) = n {
                if !empty[i] && fields.iter().all(|f| empty[f.node]) {
                    empty[i] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    nodes
        .iter()
        .any(|n| matches!(n, Node::Array(i) | Node::Map(i) if empty[*i]))
}

struct Builder {
    nodes: Vec<Node>,
    /// Named types by full name.
    by_name: HashMap<String, usize>,
    named: HashMap<usize, Named>,
}

fn strings(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

impl Builder {
    fn push(&mut self, n: Node) -> usize {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    fn primitive(name: &str) -> Option<Node> {
        Some(match name {
            "null" => Node::Null,
            "boolean" => Node::Boolean,
            "int" => Node::Int,
            "long" => Node::Long,
            "float" => Node::Float,
            "double" => Node::Double,
            "bytes" => Node::Bytes,
            "string" => Node::Str,
            _ => return None,
        })
    }

    fn build(&mut self, t: &Json, ns: Option<&str>) -> Result<usize, String> {
        Ok(match t {
            Json::String(s) => match Self::primitive(s) {
                Some(p) => self.push(p),
                None => match names::lookup(&self.by_name, s, ns) {
                    Some((_, id)) => *id,
                    None => return Err(format!("unknown type `{}`", names::full_name(s, ns))),
                },
            },
            Json::Array(branches) => {
                let b = branches
                    .iter()
                    .map(|x| self.build(x, ns))
                    .collect::<Result<Vec<_>, _>>()?;
                self.push(Node::Union(b))
            }
            Json::Object(o) => {
                let kind = o.get("type").ok_or("a schema object without \"type\"")?;
                let Some(kind) = kind.as_str() else {
                    return self.build(kind, ns);
                };
                match kind {
                    "array" => {
                        let i = self.build(o.get("items").ok_or("array without items")?, ns)?;
                        self.push(Node::Array(i))
                    }
                    "map" => {
                        let v = self.build(o.get("values").ok_or("map without values")?, ns)?;
                        self.push(Node::Map(v))
                    }
                    "record" | "error" | "enum" | "fixed" => {
                        let (full, inner) =
                            names::definition(o, ns).ok_or("a named type without a name")?;
                        let aliases = strings(o.get("aliases"))
                            .iter()
                            .map(|a| names::full_name(a, inner.as_deref()))
                            .collect();
                        // Registered before its members, so a record can refer to itself.
                        let id = self.push(Node::Null);
                        self.by_name.insert(full.clone(), id);
                        self.named.insert(
                            id,
                            Named {
                                full,
                                aliases,
                                default: o
                                    .get("default")
                                    .and_then(Json::as_str)
                                    .map(str::to_string)
                                    .filter(|_| kind == "enum"),
                            },
                        );
                        let node = match kind {
                            "enum" => Node::Enum(strings(o.get("symbols"))),
                            "fixed" => Node::Fixed(
                                o.get("size")
                                    .and_then(Json::as_u64)
                                    .ok_or("fixed without size")?
                                    as usize,
                            ),
                            _ => {
                                let mut fields = Vec::new();
                                for f in o
                                    .get("fields")
                                    .and_then(Json::as_array)
                                    .ok_or("record without fields")?
                                {
                                    let name = f
                                        .get("name")
                                        .and_then(Json::as_str)
                                        .ok_or("field without name")?;
                                    let node = self.build(
                                        f.get("type").ok_or("field without type")?,
                                        inner.as_deref(),
                                    )?;
                                    fields.push(Field {
                                        name: name.to_string(),
                                        node,
                                        aliases: strings(f.get("aliases")),
                                        has_default: f.get("default").is_some(),
                                    });
                                }
                                Node::Record(fields)
                            }
                        };
                        self.nodes[id] = node;
                        id
                    }
                    // A primitive, perhaps with a logicalType.
                    prim => match Self::primitive(prim) {
                        Some(p) => self.push(p),
                        None => return Err(format!("unknown type `{prim}`")),
                    },
                }
            }
            other => return Err(format!("not a schema: {other}")),
        })
    }
}

impl Graph {
    /// Compile a self-contained schema (named types defined before their use, as Avro
    /// requires). [`super::AlertSchema::graph`] is how the rest of alertctl gets one.
    pub fn new(schema: &Json) -> Result<Graph, String> {
        let mut b = Builder {
            nodes: Vec::new(),
            by_name: HashMap::new(),
            named: HashMap::new(),
        };
        let root = b.build(schema, None)?;
        let skips = Skips::new(&b.nodes);
        let guarded = cyclic(&b.nodes, root) || empty_items(&b.nodes);
        Ok(Graph {
            nodes: b.nodes,
            root,
            named: b.named,
            skips,
            guarded,
        })
    }

    /// The name of a named node (record, enum, fixed).
    pub fn named(&self, n: usize) -> Option<&Named> {
        self.named.get(&n)
    }

    /// The node of a named type, by full name.
    pub fn by_name(&self, full: &str) -> Option<usize> {
        self.named
            .iter()
            .find(|(_, v)| v.full == full)
            .map(|(k, _)| *k)
    }

    /// The alternatives of a type other than null: unions flattened.
    pub fn branches(&self, n: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![n];
        while let Some(n) = stack.pop() {
            match &self.nodes[n] {
                Node::Union(bs) => stack.extend(bs.iter().rev()),
                Node::Null => {}
                _ => out.push(n),
            }
        }
        out
    }

    /// A record's field by name.
    pub fn field(&self, record: usize, name: &str) -> Option<&Field> {
        match &self.nodes[record] {
            Node::Record(fields) => fields.iter().find(|f| f.name == name),
            _ => None,
        }
    }

    /// How the fast readers take a record field of node `n`.
    pub(crate) fn in_place(&self, n: usize) -> InPlace {
        let nullable = match &self.nodes[n] {
            Node::Union(b) if b.len() == 2 => match (&self.nodes[b[0]], &self.nodes[b[1]]) {
                (Node::Null, _) => Some((0, b[1])),
                (_, Node::Null) => Some((1, b[0])),
                _ => return InPlace::Node,
            },
            _ => None,
        };
        match nullable {
            Some((null_index, other)) => Prim::of(&self.nodes[other])
                .map_or(InPlace::Node, |prim| InPlace::Nullable { null_index, prim }),
            None => Prim::of(&self.nodes[n]).map_or(InPlace::Node, InPlace::Prim),
        }
    }

    /// The `long` (or `int`) at `path` (field names, through records and unions) of a
    /// body, read without decoding the rest: the fields before it are skipped. `None`
    /// when the path is absent from the schema, leads through a union's `null`, or ends
    /// on another type.
    pub fn long_at(&self, body: &[u8], path: &[&str]) -> Result<Option<i64>, DecodeError> {
        Ok(match self.leaf_at(body, path)? {
            Leaf::Long(i) => Some(i),
            _ => None,
        })
    }

    /// The value at `path` (field names, through records and unions) of a body, read
    /// without decoding the rest: the fields before it are skipped, and nothing of it
    /// is checked but what is read.
    pub fn leaf_at<'a>(&'a self, body: &'a [u8], path: &[&str]) -> Result<Leaf<'a>, DecodeError> {
        let mut buf = body;
        let mut n = self.root;
        let mut rest = path;
        loop {
            match &self.nodes[n] {
                Node::Union(branches) => n = branch(branches, &mut buf)?,
                Node::Record(fields) => {
                    let Some((name, tail)) = rest.split_first() else {
                        return Ok(Leaf::Other);
                    };
                    let Some(at) = fields.iter().position(|f| f.name == *name) else {
                        return Ok(Leaf::Absent);
                    };
                    for f in &fields[..at] {
                        self.skip(f.node, &mut buf)?;
                    }
                    n = fields[at].node;
                    rest = tail;
                }
                _ if !rest.is_empty() => return Ok(Leaf::Absent),
                Node::Null => return Ok(Leaf::Null),
                Node::Long | Node::Int => return Ok(Leaf::Long(varint(&mut buf)?)),
                Node::Float => {
                    let b = take(&mut buf, 4)?;
                    return Ok(Leaf::Float(f32::from_le_bytes([b[0], b[1], b[2], b[3]])));
                }
                Node::Double => {
                    let b = take(&mut buf, 8)?;
                    return Ok(Leaf::Double(f64::from_le_bytes(
                        b.try_into().expect("8 bytes"),
                    )));
                }
                Node::Str => {
                    let len = length(&mut buf)?;
                    return Ok(Leaf::Text(take(&mut buf, len)?));
                }
                Node::Enum(symbols) => {
                    let i = varint(&mut buf)?;
                    return usize::try_from(i)
                        .ok()
                        .and_then(|i| symbols.get(i))
                        .map(|s| Leaf::Text(s.as_bytes()))
                        .ok_or_else(|| DecodeError::Invalid(format!("enum index {i}")));
                }
                Node::Bytes | Node::Fixed(_) => return Ok(Leaf::Bytes),
                _ => return Ok(Leaf::Other),
            }
        }
    }

    /// Whether bodies must pass [`Graph::check_shape`] before they are decoded.
    pub fn guarded(&self) -> bool {
        self.guarded
    }

    /// Walk one value of the root, without recursion, and refuse it if it nests deeper
    /// than [`MAX_NESTING`] or holds far more values than bytes (items of no bytes).
    /// Returns the bytes the value takes.
    pub fn check_shape(&self, body: &[u8]) -> Result<usize, DecodeError> {
        enum Step {
            Value(usize, usize),
            Items {
                item: usize,
                left: u64,
                map: bool,
                depth: usize,
            },
        }
        let mut buf = body;
        let mut budget = body.len() as u64 * 8 + 1024;
        let mut stack = vec![Step::Value(self.root, 1)];
        while let Some(step) = stack.pop() {
            budget = budget.checked_sub(1).ok_or_else(|| {
                DecodeError::Invalid(format!(
                    "far more values than its {} bytes hold",
                    body.len()
                ))
            })?;
            match step {
                Step::Items {
                    item,
                    left,
                    map,
                    depth,
                } => {
                    let left = if left == 0 {
                        match block(&mut buf)? {
                            (0, _) => continue,
                            (n, _) => n,
                        }
                    } else {
                        left
                    };
                    stack.push(Step::Items {
                        item,
                        left: left - 1,
                        map,
                        depth,
                    });
                    if map {
                        let n = length(&mut buf)?;
                        take(&mut buf, n)?;
                    }
                    stack.push(Step::Value(item, depth + 1));
                }
                Step::Value(n, depth) => {
                    if depth > MAX_NESTING {
                        return Err(DecodeError::Invalid(format!(
                            "values nested more than {MAX_NESTING} deep"
                        )));
                    }
                    match &self.nodes[n] {
                        Node::Record(fields) => stack
                            .extend(fields.iter().rev().map(|f| Step::Value(f.node, depth + 1))),
                        Node::Union(branches) => {
                            let b = branch(branches, &mut buf)?;
                            stack.push(Step::Value(b, depth + 1));
                        }
                        Node::Array(item) => stack.push(Step::Items {
                            item: *item,
                            left: 0,
                            map: false,
                            depth,
                        }),
                        Node::Map(item) => stack.push(Step::Items {
                            item: *item,
                            left: 0,
                            map: true,
                            depth,
                        }),
                        _ => self.skip(n, &mut buf)?, // a leaf: no recursion
                    }
                }
            }
        }
        Ok(body.len() - buf.len())
    }

    /// Skip one value of node `n`.
    pub fn skip(&self, n: usize, buf: &mut &[u8]) -> Result<(), DecodeError> {
        self.skips.run(n, buf)
    }

    /// Values of these nodes, one after the other (a record's fields), as one skip.
    pub fn skip_run(&self, nodes: &[usize]) -> SkipRun {
        let mut run = SkipRun {
            ops: Vec::new(),
            opts: Vec::new(),
        };
        for n in nodes {
            if self.skips.progs[*n].len() <= INLINE {
                for op in &self.skips.progs[*n] {
                    Skips::emit(&mut run.ops, &mut run.opts, *op, &self.skips.opts);
                }
            } else {
                run.ops.push(SkipOp::Call(*n as u32));
            }
        }
        run
    }

    /// Skip the values of a run.
    pub fn skip_with(&self, run: &SkipRun, buf: &mut &[u8]) -> Result<(), DecodeError> {
        self.skips.run_ops(&run.ops, &run.opts, buf)
    }
}

/// A value at a path of a body ([`Graph::leaf_at`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Leaf<'a> {
    /// The path is not in the schema, or leads through a null or a value that is not a
    /// record.
    Absent,
    /// A null.
    Null,
    /// An `int` or a `long`.
    Long(i64),
    /// A `float`.
    Float(f32),
    /// A `double`.
    Double(f64),
    /// A string's bytes (not checked to be UTF-8), or an enum's symbol.
    Text(&'a [u8]),
    /// Bytes or a fixed.
    Bytes,
    /// A boolean, a record, an array or a map.
    Other,
}

/// Values one after another, compiled into one skip ([`Graph::skip_run`]).
#[derive(Debug, Clone)]
pub struct SkipRun {
    ops: Vec<SkipOp>,
    /// The entries of its [`SkipOp::OptRun`]s.
    opts: Vec<OptEntry>,
}

/// One scalar of a [`SkipOp::OptRun`]: the null branch's index ([`OPT_PLAIN`]: not a
/// union, no branch index to read), and the value's size in bytes ([`OPT_VARINT`]: a
/// varint).
#[derive(Debug, Clone, Copy)]
struct OptEntry {
    null: u8,
    size: u8,
}

impl OptEntry {
    /// The value's step.
    fn value(self) -> Simple {
        if self.size == OPT_VARINT {
            Simple::Varint
        } else {
            Simple::Fixed(u32::from(self.size))
        }
    }
}

/// An [`OptEntry`] that is no union: the value alone.
const OPT_PLAIN: u8 = u8::MAX;

/// An [`OptEntry`] size that means a varint (at most 10 bytes).
const OPT_VARINT: u8 = u8::MAX;

/// A value whose size is known from at most one length: the step of a skip.
#[derive(Debug, Clone, Copy)]
enum Simple {
    /// This many bytes.
    Fixed(u32),
    /// A varint.
    Varint,
    /// A varint length, then that many bytes.
    Len,
}

/// One step of a compiled skip.
#[derive(Debug, Clone, Copy)]
enum SkipOp {
    Simple(Simple),
    /// A union of null and one simple type: the branch index, then the value or nothing.
    Opt {
        null: u8,
        value: Simple,
    },
    /// Any other union: an entry of `unions`, one node per branch.
    Union(u32),
    /// An array of this node.
    Array(u32),
    /// A map of this node.
    Map(u32),
    /// Another node's program (a record inside itself, or a large one).
    Call(u32),
    /// Fixed-size numbers and varints, most of them nullable, one after another (most of
    /// an alert's record fields): `n` entries of an opts table from `at`, at most `max` bytes, so
    /// that a body with that many bytes left is walked without a check per field.
    OptRun {
        at: u32,
        n: u32,
        max: u32,
    },
}

/// Every node of a graph compiled to a flat list of skip steps: records inlined (their
/// fixed-size fields merged into one jump), unions of null and a scalar in one step.
#[derive(Debug, Clone, Default)]
struct Skips {
    progs: Vec<Vec<SkipOp>>,
    unions: Vec<Vec<u32>>,
    /// The entries of the programs' [`SkipOp::OptRun`]s.
    opts: Vec<OptEntry>,
}

/// Largest program inlined into a record's own.
const INLINE: usize = 1024;

impl Skips {
    fn new(nodes: &[Node]) -> Skips {
        let mut s = Skips {
            progs: vec![Vec::new(); nodes.len()],
            unions: Vec::new(),
            opts: Vec::new(),
        };
        let mut state = vec![0u8; nodes.len()]; // 0 new, 1 compiling, 2 done
        for n in 0..nodes.len() {
            s.compile(nodes, n, &mut state);
        }
        s
    }

    fn push(ops: &mut Vec<SkipOp>, op: SkipOp) {
        if let (Some(SkipOp::Simple(Simple::Fixed(a))), SkipOp::Simple(Simple::Fixed(b))) =
            (ops.last_mut(), op)
        {
            *a += b;
            return;
        }
        ops.push(op);
    }

    /// Append `op` to a program whose runs' entries are in `opts`: a nullable fixed-size
    /// number or varint joins the run before it (or starts one), a plain one joins a run
    /// already open (a record of plain numbers alone stays one fixed jump); a run copied
    /// from another program (its entries in `from`) is appended entry by entry.
    fn emit(ops: &mut Vec<SkipOp>, opts: &mut Vec<OptEntry>, op: SkipOp, from: &[OptEntry]) {
        let size = |value: Simple| match value {
            Simple::Fixed(k) if k < u32::from(OPT_VARINT) => Some(k as u8),
            Simple::Varint => Some(OPT_VARINT),
            _ => None,
        };
        let open = matches!(ops.last(), Some(SkipOp::OptRun { .. }));
        let entry = match op {
            SkipOp::Opt { null, value } => size(value).map(|size| OptEntry { null, size }),
            SkipOp::Simple(value) if open => size(value).map(|size| OptEntry {
                null: OPT_PLAIN,
                size,
            }),
            SkipOp::OptRun { at, n, .. } => {
                // A run starts with a nullable entry, so its plain ones join it again.
                for e in &from[at as usize..(at + n) as usize] {
                    Self::join(ops, opts, *e);
                }
                return;
            }
            _ => None,
        };
        match entry {
            Some(e) => Self::join(ops, opts, e),
            None => Self::push(ops, op),
        }
    }

    /// Add an entry to the run that ends `ops` (its entries the last of `opts`), or start one.
    fn join(ops: &mut Vec<SkipOp>, opts: &mut Vec<OptEntry>, entry: OptEntry) {
        let cost = u32::from(entry.null != OPT_PLAIN)
            + if entry.size == OPT_VARINT {
                10
            } else {
                u32::from(entry.size)
            };
        if let Some(SkipOp::OptRun { at, n, max }) = ops.last_mut() {
            if (*at + *n) as usize == opts.len() {
                opts.push(entry);
                *n += 1;
                *max += cost;
                return;
            }
        }
        ops.push(SkipOp::OptRun {
            at: opts.len() as u32,
            n: 1,
            max: cost,
        });
        opts.push(entry);
    }

    fn simple(ops: &[SkipOp]) -> Option<Simple> {
        match ops {
            [] => Some(Simple::Fixed(0)),
            [SkipOp::Simple(s)] => Some(*s),
            _ => None,
        }
    }

    /// Compile node `n`; returns false while it is being compiled (a cycle).
    fn compile(&mut self, nodes: &[Node], n: usize, state: &mut [u8]) -> bool {
        match state[n] {
            2 => return true,
            1 => return false,
            _ => {}
        }
        state[n] = 1;
        let mut ops = Vec::new();
        match &nodes[n] {
            Node::Null => {}
            Node::Boolean => ops.push(SkipOp::Simple(Simple::Fixed(1))),
            Node::Float => ops.push(SkipOp::Simple(Simple::Fixed(4))),
            Node::Double => ops.push(SkipOp::Simple(Simple::Fixed(8))),
            Node::Fixed(k) => ops.push(SkipOp::Simple(Simple::Fixed(*k as u32))),
            Node::Int | Node::Long | Node::Enum(_) => ops.push(SkipOp::Simple(Simple::Varint)),
            Node::Bytes | Node::Str => ops.push(SkipOp::Simple(Simple::Len)),
            Node::Array(item) => ops.push(SkipOp::Array(*item as u32)),
            Node::Map(item) => ops.push(SkipOp::Map(*item as u32)),
            Node::Union(bs) => {
                let null = bs.iter().position(|b| matches!(nodes[*b], Node::Null));
                let opt = match (bs.len(), null) {
                    (2, Some(ni)) => {
                        let other = bs[1 - ni];
                        if self.compile(nodes, other, state) {
                            Self::simple(&self.progs[other]).map(|value| SkipOp::Opt {
                                null: ni as u8,
                                value,
                            })
                        } else {
                            None
                        }
                    }
                    _ => None,
                };
                match opt {
                    Some(op) => ops.push(op),
                    None => {
                        self.unions.push(bs.iter().map(|b| *b as u32).collect());
                        ops.push(SkipOp::Union(self.unions.len() as u32 - 1));
                    }
                }
            }
            Node::Record(fields) => {
                let mut opts = Vec::new();
                for f in fields {
                    if self.compile(nodes, f.node, state) && self.progs[f.node].len() <= INLINE {
                        for op in self.progs[f.node].clone() {
                            Self::emit(&mut ops, &mut opts, op, &self.opts);
                        }
                    } else {
                        ops.push(SkipOp::Call(f.node as u32));
                    }
                }
                // The record's runs move into the shared table.
                let base = self.opts.len() as u32;
                self.opts.extend(opts);
                for op in &mut ops {
                    if let SkipOp::OptRun { at, .. } = op {
                        *at += base;
                    }
                }
            }
        }
        self.progs[n] = ops;
        state[n] = 2;
        true
    }

    #[inline(always)]
    fn simple_skip(s: Simple, buf: &mut &[u8]) -> Result<(), DecodeError> {
        match s {
            Simple::Fixed(k) => drop(take(buf, k as usize)?),
            Simple::Varint => skip_varint(buf)?,
            Simple::Len => {
                let len = length(buf)?;
                take(buf, len)?;
            }
        }
        Ok(())
    }

    fn run(&self, n: usize, buf: &mut &[u8]) -> Result<(), DecodeError> {
        self.run_ops(&self.progs[n], &self.opts, buf)
    }

    /// Skip a run of nullable scalars.
    #[inline(always)]
    fn opt_run(entries: &[OptEntry], max: usize, buf: &mut &[u8]) -> Result<(), DecodeError> {
        let bad = |b: u8| DecodeError::Invalid(format!("union index byte {b}"));
        if buf.len() < max {
            // Near the end: field by field, as the single steps do.
            for e in entries {
                let present = e.null == OPT_PLAIN || {
                    let (&b, rest) = buf.split_first().ok_or(DecodeError::Truncated)?;
                    if b != 0 && b != 2 {
                        return Err(bad(b));
                    }
                    *buf = rest;
                    b >> 1 != e.null
                };
                if present {
                    Self::simple_skip(e.value(), buf)?;
                }
            }
            return Ok(());
        }
        // At least `max` bytes left: every entry, at its largest, fits.
        let b = *buf;
        let mut p = 0usize;
        for e in entries {
            let present = e.null == OPT_PLAIN || {
                let tag = b[p];
                if tag != 0 && tag != 2 {
                    return Err(bad(tag));
                }
                p += 1;
                tag >> 1 != e.null
            };
            if present {
                if e.size == OPT_VARINT {
                    let mut i = 0;
                    loop {
                        if i == 10 {
                            return Err(DecodeError::Invalid("varint longer than 10 bytes".into()));
                        }
                        let c = b[p + i];
                        i += 1;
                        if c & 0x80 == 0 {
                            break;
                        }
                    }
                    p += i;
                } else {
                    p += usize::from(e.size);
                }
            }
        }
        *buf = &b[p..];
        Ok(())
    }

    fn run_ops(
        &self,
        ops: &[SkipOp],
        opts: &[OptEntry],
        buf: &mut &[u8],
    ) -> Result<(), DecodeError> {
        for op in ops {
            match *op {
                SkipOp::OptRun { at, n, max } => {
                    Self::opt_run(&opts[at as usize..(at + n) as usize], max as usize, buf)?
                }
                SkipOp::Simple(s) => Self::simple_skip(s, buf)?,
                SkipOp::Opt { null, value } => {
                    // A one-byte branch index: 0 is branch 0, 2 is branch 1 (zigzag).
                    let (&b, rest) = buf.split_first().ok_or(DecodeError::Truncated)?;
                    if b != 0 && b != 2 {
                        return Err(DecodeError::Invalid(format!("union index byte {b}")));
                    }
                    *buf = rest;
                    if b >> 1 != null {
                        match value {
                            // The common case (a nullable number), without a call.
                            Simple::Fixed(k) => drop(take(buf, k as usize)?),
                            other => Self::simple_skip(other, buf)?,
                        }
                    }
                }
                SkipOp::Union(t) => {
                    let bs = &self.unions[t as usize];
                    let i = varint(buf)?;
                    let b = usize::try_from(i)
                        .ok()
                        .and_then(|i| bs.get(i))
                        .ok_or_else(|| DecodeError::Invalid(format!("union index {i}")))?;
                    self.run(*b as usize, buf)?;
                }
                SkipOp::Array(item) | SkipOp::Map(item) => {
                    let is_map = matches!(op, SkipOp::Map(_));
                    loop {
                        let (count, size) = block(buf)?;
                        if count == 0 {
                            break;
                        }
                        if let Some(size) = size {
                            take(buf, size)?; // a block with its byte size: jump over it
                            continue;
                        }
                        for _ in 0..count {
                            if is_map {
                                let len = length(buf)?;
                                take(buf, len)?;
                            }
                            self.run(item as usize, buf)?;
                        }
                    }
                }
                SkipOp::Call(m) => self.run(m as usize, buf)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod shape_tests {
    use super::*;

    fn list() -> Graph {
        Graph::new(&serde_json::json!({
            "type": "record", "name": "L",
            "fields": [{"name": "n", "type": ["null", "L"]}, {"name": "x", "type": "int"}]
        }))
        .unwrap()
    }

    /// A list `depth` long: each level a union branch 1 and an int, then null.
    fn nested(depth: usize) -> Vec<u8> {
        let mut v = vec![2u8; depth];
        v.push(0); // the innermost n: null
        v.extend(std::iter::repeat_n(0u8, depth + 1)); // every level's x = 0
        v
    }

    /// Found writing the file fuzz target (a hand-made input): a recursive type in an OCF header with data nested 200,000
    /// deep overflowed the stack in the (recursive) decoders and aborted the process.
    /// Such bodies are now walked without recursion first and refused past MAX_NESTING
    /// levels; shallower ones pass, and the walk ends where the value does.
    #[test]
    fn deep_recursive_values_are_refused_shallow_ones_measured() {
        let g = list();
        assert!(g.guarded());
        // Each list level is two nesting steps (record, union).
        let ok = nested(MAX_NESTING / 2 - 2);
        assert_eq!(g.check_shape(&ok), Ok(ok.len()));
        let mut with_more = ok.clone();
        with_more.extend([1, 2, 3]);
        assert_eq!(g.check_shape(&with_more), Ok(ok.len()));
        for depth in [MAX_NESTING, 200_000] {
            let e = g.check_shape(&nested(depth)).unwrap_err();
            assert!(e.to_string().contains("nested more than"), "{e}");
        }
        assert_eq!(
            g.check_shape(&ok[..ok.len() - 1]),
            Err(DecodeError::Truncated)
        );
    }

    /// Items of no bytes: a block count, positive or negative, cannot make the walk
    /// run for ever; ordinary schemas are not guarded at all.
    #[test]
    fn endless_empty_items_are_refused() {
        let g = Graph::new(&serde_json::json!({
            "type": "record", "name": "A",
            "fields": [{"name": "a", "type": {"type": "array", "items": "null"}}]
        }))
        .unwrap();
        assert!(g.guarded());
        let mut neg = Vec::new();
        let n = -(1i64 << 62);
        let mut z = ((n << 1) ^ (n >> 63)) as u64;
        while z >= 0x80 {
            neg.push((z as u8) | 0x80);
            z >>= 7;
        }
        neg.push(z as u8);
        neg.extend([0, 0]); // block size 0, then the end
        let e = g.check_shape(&neg).unwrap_err();
        assert!(e.to_string().contains("far more values"), "{e}");
        assert_eq!(g.check_shape(&[6, 0]), Ok(2)); // three nulls
        let plain = Graph::new(&serde_json::json!({
            "type": "record", "name": "P",
            "fields": [{"name": "a", "type": {"type": "array", "items": "int"}},
                       {"name": "m", "type": {"type": "map", "values": ["null", "string"]}}]
        }))
        .unwrap();
        assert!(!plain.guarded());
    }
}

#[cfg(test)]
mod skip_tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// A record of nullable scalars (null first or second), the shape of most of an
    /// alert's fields, with a string and a nested record in between.
    fn schema() -> serde_json::Value {
        let mut fields = Vec::new();
        for (i, t) in ["float", "double", "long", "int", "boolean", "float", "long"]
            .iter()
            .cycle()
            .take(40)
            .enumerate()
        {
            let ty = if i % 5 == 3 {
                serde_json::json!([t, "null"])
            } else {
                serde_json::json!(["null", t])
            };
            fields.push(serde_json::json!({"name": format!("f{i}"), "type": ty}));
            if i == 17 {
                fields.push(serde_json::json!({"name": "s", "type": "string"}));
            }
            if i == 29 {
                fields.push(serde_json::json!({"name": "inner", "type": {
                    "type": "record", "name": "In",
                    "fields": [{"name": "a", "type": ["null", "float"]}, {"name": "b", "type": "double"}]
                }}));
            }
        }
        serde_json::json!({"type": "record", "name": "R", "fields": [
            {"name": "items", "type": {"type": "array", "items": {"type": "record", "name": "I", "fields": fields}}}
        ]})
    }

    /// A value of a nullable scalar: null, or a value at the edges of its varint sizes.
    fn scalar(rng: &mut rand_chacha::ChaCha8Rng, ty: &serde_json::Value) -> Vec<u8> {
        let (kind, null_at) = match ty.as_array().map(|a| a.as_slice()) {
            Some([a, b]) if a == "null" => (b.as_str().unwrap_or(""), 0u8),
            Some([a, _]) => (a.as_str().unwrap_or(""), 1u8),
            _ => (ty.as_str().unwrap_or(""), 9),
        };
        let null = null_at != 9 && rng.random_bool(0.3);
        let mut out = Vec::new();
        if null_at != 9 {
            out.push(if null { null_at * 2 } else { (1 - null_at) * 2 });
            if null {
                return out;
            }
        }
        let zigzag = |v: i64, out: &mut Vec<u8>| {
            let mut z = ((v << 1) ^ (v >> 63)) as u64;
            loop {
                let b = (z & 0x7f) as u8;
                z >>= 7;
                if z == 0 {
                    out.push(b);
                    break;
                }
                out.push(b | 0x80);
            }
        };
        match kind {
            "float" => out.extend(rng.random::<f32>().to_le_bytes()),
            "double" => out.extend(rng.random::<f64>().to_le_bytes()),
            "boolean" => out.push(rng.random_range(0..2)),
            "long" | "int" => {
                let v = [0, -1, 63, -64, 64, i64::from(i32::MAX), i64::MIN, i64::MAX]
                    [rng.random_range(0..8)];
                zigzag(if kind == "int" { v as i32 as i64 } else { v }, &mut out)
            }
            _ => unreachable!("{kind}"),
        }
        out
    }

    fn body(rng: &mut rand_chacha::ChaCha8Rng, s: &serde_json::Value, items: usize) -> Vec<u8> {
        let fields = s["fields"][0]["type"]["items"]["fields"]
            .as_array()
            .unwrap();
        if items == 0 {
            return vec![0];
        }
        let mut out = vec![(items as u8) * 2];
        for _ in 0..items {
            for f in fields {
                match f["name"].as_str().unwrap() {
                    "s" => out.extend([6, b'a', b'b', b'c']),
                    "inner" => {
                        out.extend(scalar(rng, &serde_json::json!(["null", "float"])));
                        out.extend(1.5f64.to_le_bytes());
                    }
                    _ => out.extend(scalar(rng, &f["type"])),
                }
            }
        }
        out.push(0);
        out
    }

    /// The skip of runs of nullable scalars ends where the value does, whether the body
    /// has room for the run's largest size (one check) or not (field by field); a bad
    /// branch byte and a cut body are refused in both.
    #[test]
    fn runs_of_nullable_scalars_skip_exactly() {
        let s = schema();
        let g = Graph::new(&s).unwrap();
        let runs = g
            .skips
            .progs
            .iter()
            .flatten()
            .filter(|op| matches!(op, SkipOp::OptRun { n, .. } if *n > 5))
            .count();
        assert!(runs >= 2, "the item's fields compiled into runs: {runs}");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for items in [0usize, 1, 2, 7, 30] {
            for _ in 0..20 {
                let b = body(&mut rng, &s, items);
                // Exactly the body, and the body with bytes after it.
                let mut buf = b.as_slice();
                g.skip(g.root, &mut buf).unwrap();
                assert!(buf.is_empty(), "{} bytes left", buf.len());
                let mut longer = b.clone();
                longer.extend([0xAA; 64]);
                let mut buf = longer.as_slice();
                g.skip(g.root, &mut buf).unwrap();
                assert_eq!(buf.len(), 64);
                // Every cut is refused.
                for cut in 0..b.len() {
                    let mut buf = &b[..cut];
                    assert!(
                        g.skip(g.root, &mut buf).is_err(),
                        "cut at {cut} of {}",
                        b.len()
                    );
                }
                // A branch byte other than 0 and 2 is refused.
                if items > 0 {
                    let mut bad = longer.clone();
                    bad[1] = 4;
                    let mut buf = bad.as_slice();
                    assert!(g.skip(g.root, &mut buf).is_err());
                }
            }
        }
    }
}
