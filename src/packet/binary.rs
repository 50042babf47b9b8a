//! The Avro binary encoding, walked with a compiled schema.
//!
//! A [`Graph`] is a writer schema compiled into nodes once (named types are shared, so
//! a recursive schema is a cycle). Readers that build only part of a value (the
//! filters' projected decoder and fast-path scanner) and readers that only find where
//! values end (splitting an Avro container file's blocks into records) walk it with
//! the helpers here. Every length is checked against the bytes left before it is used.

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::schema::full_name;

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes ended early.
    #[error("truncated: the Avro body ends before the alert does")]
    Truncated,
    /// The bytes do not fit the schema.
    #[error("invalid Avro: {0}")]
    Invalid(String),
    /// Bytes left over.
    #[error("{0} bytes left over after the alert: written with another schema")]
    Trailing(usize),
}

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

/// A record field.
#[derive(Debug, Clone)]
pub struct Field {
    /// The field's name.
    pub name: String,
    /// Its type.
    pub node: usize,
}

/// A writer schema compiled into nodes (named types are shared, so recursion is a cycle).
#[derive(Debug, Clone)]
pub struct Graph {
    /// The nodes.
    pub nodes: Vec<Node>,
    /// The schema's own node.
    pub root: usize,
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
    named: HashMap<String, usize>,
}

impl Builder {
    fn push(&mut self, n: Node) -> usize {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    fn build(&mut self, t: &Json, ns: Option<&str>) -> Result<usize, String> {
        Ok(match t {
            Json::String(s) => match s.as_str() {
                "null" => self.push(Node::Null),
                "boolean" => self.push(Node::Boolean),
                "int" => self.push(Node::Int),
                "long" => self.push(Node::Long),
                "float" => self.push(Node::Float),
                "double" => self.push(Node::Double),
                "bytes" => self.push(Node::Bytes),
                "string" => self.push(Node::Str),
                name => {
                    let full = full_name(name, ns);
                    *self
                        .named
                        .get(&full)
                        .or_else(|| self.named.get(name))
                        .ok_or_else(|| format!("unknown type {full}"))?
                }
            },
            Json::Array(branches) => {
                let b = branches
                    .iter()
                    .map(|x| self.build(x, ns))
                    .collect::<Result<Vec<_>, _>>()?;
                self.push(Node::Union(b))
            }
            Json::Object(o) => {
                let kind = o.get("type").ok_or("schema object without type")?;
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
                        let name = o
                            .get("name")
                            .and_then(Json::as_str)
                            .ok_or("named type without name")?;
                        let own = o.get("namespace").and_then(Json::as_str).or(ns);
                        let full = full_name(name, own);
                        let inner_ns = full.rsplit_once('.').map(|(n, _)| n.to_string());
                        let id = self.push(Node::Null); // placeholder: recursion may refer to it
                        self.named.insert(full, id);
                        let node = match kind {
                            "enum" => Node::Enum(
                                o.get("symbols")
                                    .and_then(Json::as_array)
                                    .map(|s| {
                                        s.iter()
                                            .filter_map(Json::as_str)
                                            .map(str::to_string)
                                            .collect()
                                    })
                                    .unwrap_or_default(),
                            ),
                            "fixed" => Node::Fixed(
                                o.get("size").and_then(Json::as_u64).unwrap_or(0) as usize,
                            ),
                            _ => {
                                let mut fields = Vec::new();
                                for f in o
                                    .get("fields")
                                    .and_then(Json::as_array)
                                    .ok_or("record without fields")?
                                {
                                    let fname = f
                                        .get("name")
                                        .and_then(Json::as_str)
                                        .ok_or("field without name")?;
                                    let node = self.build(
                                        f.get("type").ok_or("field without type")?,
                                        inner_ns.as_deref(),
                                    )?;
                                    fields.push(Field {
                                        name: fname.to_string(),
                                        node,
                                    });
                                }
                                Node::Record(fields)
                            }
                        };
                        self.nodes[id] = node;
                        id
                    }
                    prim => self.build(&Json::String(prim.to_string()), ns)?,
                }
            }
            other => return Err(format!("not a schema: {other}")),
        })
    }
}

impl Graph {
    /// Compile a self-contained schema.
    pub fn new(schema: &Json) -> Result<Graph, String> {
        let mut b = Builder {
            nodes: Vec::new(),
            named: HashMap::new(),
        };
        let root = b.build(schema, None)?;
        let skips = Skips::new(&b.nodes);
        let guarded = cyclic(&b.nodes, root) || empty_items(&b.nodes);
        Ok(Graph {
            nodes: b.nodes,
            root,
            skips,
            guarded,
        })
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
        let mut ops = Vec::new();
        for n in nodes {
            if self.skips.progs[*n].len() <= INLINE {
                for op in &self.skips.progs[*n] {
                    Skips::push(&mut ops, *op);
                }
            } else {
                ops.push(SkipOp::Call(*n as u32));
            }
        }
        SkipRun(ops)
    }

    /// Skip the values of a run.
    pub fn skip_with(&self, run: &SkipRun, buf: &mut &[u8]) -> Result<(), DecodeError> {
        self.skips.run_ops(&run.0, buf)
    }
}

/// Values one after another, compiled into one skip ([`Graph::skip_run`]).
#[derive(Debug, Clone)]
pub struct SkipRun(Vec<SkipOp>);

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
}

/// Every node of a graph compiled to a flat list of skip steps: records inlined (their
/// fixed-size fields merged into one jump), unions of null and a scalar in one step.
#[derive(Debug, Clone, Default)]
struct Skips {
    progs: Vec<Vec<SkipOp>>,
    unions: Vec<Vec<u32>>,
}

/// Largest program inlined into a record's own.
const INLINE: usize = 1024;

impl Skips {
    fn new(nodes: &[Node]) -> Skips {
        let mut s = Skips {
            progs: vec![Vec::new(); nodes.len()],
            unions: Vec::new(),
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
                for f in fields {
                    if self.compile(nodes, f.node, state) && self.progs[f.node].len() <= INLINE {
                        for op in self.progs[f.node].clone() {
                            Self::push(&mut ops, op);
                        }
                    } else {
                        ops.push(SkipOp::Call(f.node as u32));
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
        self.run_ops(&self.progs[n], buf)
    }

    fn run_ops(&self, ops: &[SkipOp], buf: &mut &[u8]) -> Result<(), DecodeError> {
        for op in ops {
            match *op {
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

/// Skip a varint without decoding it.
#[inline]
fn skip_varint(buf: &mut &[u8]) -> Result<(), DecodeError> {
    for (i, b) in buf.iter().take(10).enumerate() {
        if b & 0x80 == 0 {
            *buf = &buf[i + 1..];
            return Ok(());
        }
    }
    if buf.len() < 10 {
        Err(DecodeError::Truncated)
    } else {
        Err(DecodeError::Invalid("varint longer than 10 bytes".into()))
    }
}

/// Read a union's branch index and return that branch's node.
pub fn branch(branches: &[usize], buf: &mut &[u8]) -> Result<usize, DecodeError> {
    branch_index(branches, buf).map(|i| branches[i])
}

/// Read a union's branch index, checked against the branches.
pub fn branch_index(branches: &[usize], buf: &mut &[u8]) -> Result<usize, DecodeError> {
    let i = varint(buf)?;
    usize::try_from(i)
        .ok()
        .filter(|i| *i < branches.len())
        .ok_or_else(|| DecodeError::Invalid(format!("union index {i}")))
}

#[inline]
pub fn take<'b>(buf: &mut &'b [u8], n: usize) -> Result<&'b [u8], DecodeError> {
    if buf.len() < n {
        return Err(DecodeError::Truncated);
    }
    let (head, rest) = buf.split_at(n);
    *buf = rest;
    Ok(head)
}

/// A zigzag varint (Avro int and long).
pub fn varint(buf: &mut &[u8]) -> Result<i64, DecodeError> {
    let mut x: u64 = 0;
    for shift in (0..70).step_by(7) {
        let b = *buf.first().ok_or(DecodeError::Truncated)?;
        *buf = &buf[1..];
        if shift == 63 && b > 1 {
            return Err(DecodeError::Invalid("varint longer than 64 bits".into()));
        }
        x |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok((x >> 1) as i64 ^ -((x & 1) as i64));
        }
    }
    Err(DecodeError::Invalid("varint longer than 10 bytes".into()))
}

pub fn length(buf: &mut &[u8]) -> Result<usize, DecodeError> {
    let n = varint(buf)?;
    let n = usize::try_from(n).map_err(|_| DecodeError::Invalid(format!("negative length {n}")))?;
    if n > buf.len() {
        return Err(DecodeError::Truncated);
    }
    Ok(n)
}

/// An array or map block header: item count and, when given, the block's byte size.
pub fn block(buf: &mut &[u8]) -> Result<(u64, Option<usize>), DecodeError> {
    let count = varint(buf)?;
    if count < 0 {
        let size = length(buf)?;
        Ok((count.unsigned_abs(), Some(size)))
    } else {
        if count as u64 > buf.len() as u64 * 8 + 1 {
            // Each item takes at least one byte (or is null); far more items than bytes is corrupt.
            return Err(DecodeError::Invalid(format!(
                "block of {count} items in {} bytes",
                buf.len()
            )));
        }
        Ok((count as u64, None))
    }
}

/// A float32 as the JSON view shows it: the f64 nearest its shortest decimal form, with
/// the digits Rust prints. ryu finds the shortest digits about three times as fast, but
/// breaks a tie between two equally near shortest forms the other way: -30255.5625 is
/// -30255.563 in Rust and -30255.562 in ryu. So ryu's digits are used unless the value
/// lies exactly halfway between two candidates, which exact integer arithmetic decides
/// (then, or when that arithmetic would overflow, Rust's own formatting decides).
pub fn shown_f32(f: f32) -> f64 {
    // The same few fields are read by many filters: a small cache of recent answers
    // (its empty entries, bits 0, hold 0.0's own answer).
    thread_local! {
        static RECENT: std::cell::RefCell<[(u32, f64); 256]> =
            const { std::cell::RefCell::new([(0, 0.0); 256]) };
    }
    let bits = f.to_bits();
    let slot = (bits.wrapping_mul(0x9e37_79b1) >> 24) as usize;
    RECENT
        .try_with(|r| {
            let mut r = r.borrow_mut();
            if r[slot].0 != bits {
                r[slot] = (bits, shown_f32_uncached(f));
            }
            r[slot].1
        })
        .unwrap_or_else(|_| shown_f32_uncached(f))
}

fn shown_f32_uncached(f: f32) -> f64 {
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(f);
    match digits(s) {
        Some((d, e)) if !halfway(f, d, e) => s.parse().unwrap_or(f64::from(f)),
        _ => shown_f32_by_rust(f),
    }
}

/// Rust's shortest form of a float32, read back as f64 (the reference [`shown_f32`] keeps).
fn shown_f32_by_rust(f: f32) -> f64 {
    use std::io::Write;
    let mut bytes = [0u8; 48];
    let mut cur = std::io::Cursor::new(&mut bytes[..]);
    // `{:e}` prints the same shortest digits as `{}`, always short enough for the buffer.
    if write!(cur, "{f:e}").is_err() {
        return f64::from(f);
    }
    let n = cur.position() as usize;
    std::str::from_utf8(&bytes[..n])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::from(f))
}

/// The decimal digits and exponent of a printed number (`-1.25e-7` is 125 and -9), with
/// no trailing zeros in the digits.
fn digits(s: &str) -> Option<(u64, i32)> {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, x)) => (m, x.parse::<i32>().ok()?),
        None => (s, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut d: u64 = 0;
    for c in int.bytes().chain(frac.bytes()) {
        d = d
            .checked_mul(10)?
            .checked_add(u64::from(c.checked_sub(b'0').filter(|c| *c < 10)?))?;
    }
    let mut e = exp - frac.len() as i32;
    while d != 0 && d.is_multiple_of(10) {
        d /= 10;
        e += 1;
    }
    Some((d, e))
}

/// Whether |f| is exactly halfway between d*10^e and a neighbour (d±1)*10^e, that is
/// 2|f| = (2d±1)*10^e; true also when that cannot be decided in 128 bits.
fn halfway(f: f32, d: u64, e: i32) -> bool {
    let bits = f.to_bits() & 0x7fff_ffff;
    if bits == 0 {
        return false;
    }
    let (biased, frac) = (bits >> 23, u128::from(bits & 0x7f_ffff));
    // |f| = m * 2^k exactly.
    let (mut m, mut k) = if biased == 0 {
        (frac, -149)
    } else {
        (frac | 1 << 23, biased as i32 - 150)
    };
    while m & 1 == 0 {
        m >>= 1;
        k += 1;
    }
    let pow10 = |n: u32| 10u128.checked_pow(n);
    let odd = |x: u128| x & 1 == 1 && (x == 2 * u128::from(d) + 1 || x + 1 == 2 * u128::from(d));
    // 2|f| = m * 2^(k+1); the candidates' midpoints are odd multiples of 10^e.
    match (e >= 0, k + 1 >= 0) {
        (true, true) => {
            // m * 2^(k+1) / 10^e must be odd: then 2^(k+1) / 2^e leaves no factor 2.
            let Some(p) = pow10(e as u32) else {
                return true;
            };
            let Some(lhs) = (k + 1 < 128)
                .then(|| m.checked_shl((k + 1) as u32))
                .flatten()
            else {
                return true;
            };
            if lhs >> (k + 1) != m {
                return true; // overflowed
            }
            lhs % p == 0 && odd(lhs / p)
        }
        (true, false) => false, // not an integer, so not an odd multiple of 10^e >= 1
        (false, true) => {
            // m * 2^(k+1) * 10^-e is even: never odd.
            false
        }
        (false, false) => {
            // m * 10^-e / 2^-(k+1) must be an odd integer.
            let Some(p) = pow10((-e) as u32) else {
                return true;
            };
            let Some(num) = m.checked_mul(p) else {
                return true;
            };
            let shift = (-(k + 1)) as u32;
            // A nonzero u128 has fewer than 128 trailing zeros: shift >= 128 is no integer.
            shift < 128 && num.trailing_zeros() >= shift && odd(num >> shift)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shown_f32;

    #[test]
    fn shown_f32_is_what_rust_displays() {
        let mut x: u32 = 0x9e37_79b9;
        for i in 0..200_000u32 {
            // Every exponent, many mantissas, and the edges.
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let f = f32::from_bits(if i < 512 { (i << 23) | (x & 0x7f) } else { x });
            if f.is_finite() {
                let rust: f64 = f.to_string().parse().unwrap();
                assert_eq!(shown_f32(f).to_bits(), rust.to_bits(), "{f:e}");
            }
        }
        // Two shortest forms are equally near -30255.5625 (exact in f32): Rust prints ...563.
        assert_eq!(shown_f32(f32::from_bits(0xc6ec_5f20)), -30255.563);
    }

    /// ryu's digits with the halfway check agree with Rust's formatting, above all where
    /// two shortest forms are equally near: values with few binary fraction digits.
    #[test]
    fn shown_f32_agrees_with_rusts_digits_at_ties() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut ties = 0;
        for i in 0..400_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = match i % 4 {
                // m * 2^k for small k: where ties live.
                0 => (x as u32 & 0xff_ffff) as f32 * 2f32.powi((x >> 40) as i32 % 12 - 6),
                1 => f32::from_bits(x as u32),
                2 => (x % 2_000_000) as f32 / 16.0,
                _ => f32::from_bits((x as u32 & 0x807f_ffff) | (((x >> 32) as u32 % 256) << 23)),
            };
            if !f.is_finite() {
                continue;
            }
            let want = super::shown_f32_by_rust(f);
            assert_eq!(
                shown_f32(f).to_bits(),
                want.to_bits(),
                "{f:e} ({:#x})",
                f.to_bits()
            );
            let mut buf = ryu::Buffer::new();
            if buf.format_finite(f).parse::<f64>().ok() != Some(want) {
                ties += 1;
            }
        }
        // The generator reaches the cases where ryu alone would be wrong.
        assert!(ties > 100, "only {ties} ties");
    }

    /// Every float32 (a minute on two cores in release):
    /// `cargo test --release --lib every_f32 -- --ignored`.
    #[test]
    #[ignore]
    fn every_f32_is_shown_as_rust_shows_it() {
        let check = |lo: u32, hi: u32| {
            for b in lo..hi {
                let f = f32::from_bits(b);
                if f.is_finite() {
                    assert_eq!(
                        shown_f32(f).to_bits(),
                        super::shown_f32_by_rust(f).to_bits(),
                        "{f:e} ({b:#x})"
                    );
                }
            }
        };
        let t = std::thread::spawn(move || check(0x8000_0000, u32::MAX));
        check(0, 0x8000_0000);
        t.join().unwrap();
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
