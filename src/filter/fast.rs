//! The fast path: a subset of jq evaluated natively on typed values read straight from
//! the Avro bytes, with no value tree.
//!
//! An [`Expr`] is taken from jaq's parse tree when the expression stays inside the
//! subset: paths with constant keys and indices, literals, the six comparisons,
//! `and`/`or`/`not`, `select`, `if`, `//`, arithmetic, `length`, `log10` and the other
//! one-argument math functions, `floor`/`ceil`/`round`, `pow`, `abs`, `any`/`all` over
//! arrays, and `test` with a constant regex. For each schema, the expressions of a set
//! of filters compile together ([`Builder`]): every path they read becomes a slot, and
//! one scan of an alert's bytes fills the slots with typed cells (skipping everything
//! else). Each expression then evaluates over the cells.
//!
//! The semantics are jaq's, exactly: null and false fail; the total order across types;
//! integers compared exactly, an integer against a float as jaq does (`as f64`); a
//! float32 is the float64 nearest its shortest decimal (what the JSON view shows), and
//! comparing one with a constant uses the float32 neighbours of that constant, worked
//! out once; NaN and infinities read from an alert are null; an error is not false; and
//! the order in which jaq evaluates operands decides which of an error or no output
//! wins. Where a case would need more (an integer overflow, two objects compared, string
//! concatenation), evaluation answers [`Out::Fallback`] and the engine asks jaq.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use jaq_core::load::parse::{BinaryOp, Term};
use jaq_core::path::{Opt, Part};

use super::analysis::literal_str;
use crate::packet::binary::{self as avro, branch_index, take, varint, DecodeError, Graph, Node};

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

/// A constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// `null`
    Null,
    /// `true`, `false`
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// A decimal literal (jaq keeps it as text and reads it as a float64).
    Float(f64),
    /// A string literal.
    Str(Box<str>),
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    /// `.name` (optional with `?`).
    Key(Box<str>, bool),
    /// `.[n]`.
    Index(i64, bool),
    /// `.[]`, only as the generator of `any`/`all`.
    Iter(bool),
}

/// A one-argument float function (libm's, as jaq-std uses).
#[derive(Debug, Clone, Copy)]
pub struct MathFn {
    f: fn(f64) -> f64,
}

/// `floor`, `ceil`, `round`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundFn {
    /// `floor`
    Floor,
    /// `ceil`
    Ceil,
    /// `round`
    Round,
}

/// A regex test with constant pattern and flags.
#[derive(Debug, Clone)]
pub struct Re {
    re: regex_bites::bytes::Regex,
}

/// An expression in the fast subset, independent of any schema.
#[derive(Debug, Clone)]
pub enum Expr {
    /// `.`
    Cur,
    /// `empty`
    Empty,
    /// A constant.
    Lit(Lit),
    /// A path from a value.
    Path(Box<Expr>, Vec<Seg>),
    /// A comparison.
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// `and`
    And(Box<Expr>, Box<Expr>),
    /// `or`
    Or(Box<Expr>, Box<Expr>),
    /// `//`
    Alt(Box<Expr>, Box<Expr>),
    /// Arithmetic.
    Math(MathOp, Box<Expr>, Box<Expr>),
    /// Unary minus.
    Neg(Box<Expr>),
    /// `l | r`
    Pipe(Box<Expr>, Box<Expr>),
    /// `if c then t else e end`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `select(c)`
    Select(Box<Expr>),
    /// `not`
    Not,
    /// `length`
    Length,
    /// `log10` and friends.
    MathFn(MathFn),
    /// `floor`, `ceil`, `round`.
    Round(RoundFn),
    /// `pow(a; b)`
    Pow(Box<Expr>, Box<Expr>),
    /// `test(re)`, `test(re; flags)`
    Test(Box<Re>),
    /// `any(gen; cond)`
    Any(Box<Expr>, Box<Expr>),
    /// `all(gen; cond)`
    All(Box<Expr>, Box<Expr>),
    /// `[gen | each]`: an array collected from a generator path.
    Collect(Box<Expr>, Box<Expr>),
    /// `max`, `min`, `add` of an array.
    Agg(AggFn),
    /// `tostring` of a scalar (a part of string interpolation).
    ToStr,
    /// `value as $name | body`
    Bind(Box<Expr>, Box<str>, Box<Expr>),
    /// `$name`
    Var(Box<str>),
}

/// An aggregate of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFn {
    /// `max`: the last of the greatest.
    Max,
    /// `min`: the first of the least.
    Min,
    /// `add`: `null + x0 + x1 + ...`
    Add,
}

/// A float function and its jq name.
type NamedFn = (&'static str, fn(f64) -> f64);

const MATH_FNS: &[NamedFn] = &[
    ("log10", libm::log10),
    ("log", libm::log),
    ("log2", libm::log2),
    ("log1p", libm::log1p),
    ("exp", libm::exp),
    ("exp10", libm::exp10),
    ("exp2", libm::exp2),
    ("expm1", libm::expm1),
    ("sqrt", libm::sqrt),
    ("cbrt", libm::cbrt),
    ("fabs", libm::fabs),
    ("trunc", libm::trunc),
    ("sin", libm::sin),
    ("cos", libm::cos),
    ("tan", libm::tan),
    ("asin", libm::asin),
    ("acos", libm::acos),
    ("atan", libm::atan),
];

fn b(e: Expr) -> Box<Expr> {
    Box::new(e)
}

/// The optional flag of a path part.
fn optional(o: &Opt) -> bool {
    matches!(o, Opt::Optional)
}

/// An integer index literal (`0`, `-1`).
fn index_literal(t: &Term<&str>) -> Option<i64> {
    match t {
        Term::Num(n) if n.bytes().all(|c| c.is_ascii_digit()) => n.parse().ok(),
        Term::Neg(x) => index_literal(x).map(|i| -i),
        _ => None,
    }
}

/// A number literal as jaq reads it: an integer when it is one (and fits), else a float.
fn number(n: &str) -> Option<Lit> {
    if n.bytes().all(|c| c.is_ascii_digit()) {
        // Digits only: jaq's integer (a big integer when it does not fit: not fast).
        return n.parse::<i64>().ok().map(Lit::Int);
    }
    Some(Lit::Float(n.parse().unwrap_or(f64::NAN)))
}

impl Expr {
    /// The fast form of an expression, when it is in the subset.
    pub fn from_term(t: &Term<&str>) -> Option<Expr> {
        Some(match t {
            Term::Id => Expr::Cur,
            Term::Num(n) => Expr::Lit(number(n)?),
            Term::Str(None, parts) => match literal_str(t) {
                Some(s) => Expr::Lit(Lit::Str(s.into())),
                None => {
                    // jaq: the parts (terms through tostring) joined by a right-nested `+`.
                    use jaq_core::load::lex::StrPart;
                    let mut items = Vec::new();
                    for p in parts {
                        items.push(match p {
                            StrPart::Str(x) => Expr::Lit(Lit::Str((*x).into())),
                            StrPart::Char(c) => Expr::Lit(Lit::Str(c.to_string().into())),
                            StrPart::Term(x) => Expr::Pipe(b(Expr::from_term(x)?), b(Expr::ToStr)),
                        });
                    }
                    let last = items.pop()?;
                    items
                        .into_iter()
                        .rev()
                        .fold(last, |acc, x| Expr::Math(MathOp::Add, b(x), b(acc)))
                }
            },
            Term::Arr(Some(inner)) => Expr::collect(inner)?,
            Term::Var(name) => Expr::Var((*name).into()),
            Term::Neg(x) => Expr::Neg(b(Expr::from_term(x)?)),
            Term::BinOp(l, op, r) => {
                let (l, r) = (Expr::from_term(l)?, Expr::from_term(r)?);
                match op {
                    BinaryOp::Pipe(None) => Expr::Pipe(b(l), b(r)),
                    BinaryOp::Pipe(Some(jaq_core::load::parse::Pattern::Var(x))) => {
                        Expr::Bind(b(l), (*x).into(), b(r))
                    }
                    BinaryOp::Alt => Expr::Alt(b(l), b(r)),
                    BinaryOp::Or => Expr::Or(b(l), b(r)),
                    BinaryOp::And => Expr::And(b(l), b(r)),
                    BinaryOp::Math(m) => {
                        use jaq_core::ops::Math;
                        let op = match m {
                            Math::Add => MathOp::Add,
                            Math::Sub => MathOp::Sub,
                            Math::Mul => MathOp::Mul,
                            Math::Div => MathOp::Div,
                            Math::Rem => MathOp::Rem,
                        };
                        Expr::Math(op, b(l), b(r))
                    }
                    BinaryOp::Cmp(c) => {
                        use jaq_core::ops::Cmp;
                        let op = match c {
                            Cmp::Lt => CmpOp::Lt,
                            Cmp::Le => CmpOp::Le,
                            Cmp::Gt => CmpOp::Gt,
                            Cmp::Ge => CmpOp::Ge,
                            Cmp::Eq => CmpOp::Eq,
                            Cmp::Ne => CmpOp::Ne,
                        };
                        Expr::Cmp(op, b(l), b(r))
                    }
                    _ => return None,
                }
            }
            Term::IfThenElse(branches, otherwise) => {
                let mut acc = match otherwise {
                    Some(e) => Expr::from_term(e)?,
                    None => Expr::Cur,
                };
                for (c, then) in branches.iter().rev() {
                    acc = Expr::If(b(Expr::from_term(c)?), b(Expr::from_term(then)?), b(acc));
                }
                acc
            }
            Term::Path(base, path) => {
                let base = Expr::from_term(base)?;
                let mut segs = Vec::new();
                for (part, opt) in &path.0 {
                    segs.push(match part {
                        Part::Index(i) => match (literal_str(i), index_literal(i)) {
                            (Some(k), _) => Seg::Key(k.into(), optional(opt)),
                            (None, Some(n)) => Seg::Index(n, optional(opt)),
                            _ => return None,
                        },
                        _ => return None,
                    });
                }
                Expr::Path(b(base), segs)
            }
            Term::Call(name, args) => Expr::call(name, args)?,
            _ => return None,
        })
    }

    /// `.prvDiaSources[]` or `.prvDiaSources[]?`: a path whose last step iterates.
    fn generator(t: &Term<&str>) -> Option<Expr> {
        let Term::Path(base, path) = t else {
            return None;
        };
        let (last, init) = path.0.split_last()?;
        let (Part::Range(None, None), opt) = last else {
            return None;
        };
        let mut prefix = Expr::from_term(base)?;
        if !init.is_empty() {
            let p = jaq_core::path::Path(init.to_vec());
            let head = Term::Path(Box::new(Term::Id), p);
            prefix = match Expr::from_term(&head)? {
                Expr::Path(_, segs) => Expr::Path(b(prefix), segs),
                _ => return None,
            };
        }
        Some(Expr::Path(b(prefix), vec![Seg::Iter(optional(opt))]))
    }

    /// `[.prvDiaSources[]? | f]`, `[.prvDiaSources[]?.snr]`: one iterated path, then a
    /// fast expression per item.
    fn collect(inner: &Term<&str>) -> Option<Expr> {
        let (path_term, each) = match inner {
            Term::BinOp(g, BinaryOp::Pipe(None), f) => (&**g, Some(Expr::from_term(f)?)),
            other => (other, None),
        };
        let Term::Path(base, path) = path_term else {
            return None;
        };
        let at = path
            .0
            .iter()
            .position(|(p, _)| matches!(p, Part::Range(None, None)))?;
        let head = Term::Path(base.clone(), jaq_core::path::Path(path.0[..=at].to_vec()));
        let gen = Expr::generator(&head)?;
        let rest = &path.0[at + 1..];
        let mut item = if rest.is_empty() {
            Expr::Cur
        } else {
            let t = Term::Path(Box::new(Term::Id), jaq_core::path::Path(rest.to_vec()));
            match Expr::from_term(&t)? {
                e @ Expr::Path(..) => e,
                _ => return None,
            }
        };
        if let Some(f) = each {
            item = Expr::Pipe(b(item), b(f));
        }
        Some(Expr::Collect(b(gen), b(item)))
    }

    fn call(name: &str, args: &[Term<&str>]) -> Option<Expr> {
        let every = || Expr::Path(b(Expr::Cur), vec![Seg::Iter(false)]);
        Some(match (name, args) {
            ("true", []) => Expr::Lit(Lit::Bool(true)),
            ("false", []) => Expr::Lit(Lit::Bool(false)),
            ("null", []) => Expr::Lit(Lit::Null),
            ("empty", []) => Expr::Empty,
            ("not", []) => Expr::Not,
            ("length", []) => Expr::Length,
            ("select", [c]) => Expr::Select(b(Expr::from_term(c)?)),
            ("floor", []) => Expr::Round(RoundFn::Floor),
            ("ceil", []) => Expr::Round(RoundFn::Ceil),
            ("round", []) => Expr::Round(RoundFn::Round),
            // jaq-std: `def abs: if . < 0 then - . end;`
            ("abs", []) => Expr::If(
                b(Expr::Cmp(
                    CmpOp::Lt,
                    b(Expr::Cur),
                    b(Expr::Lit(Lit::Int(0))),
                )),
                b(Expr::Neg(b(Expr::Cur))),
                b(Expr::Cur),
            ),
            ("pow", [x, y]) => Expr::Pow(b(Expr::from_term(x)?), b(Expr::from_term(y)?)),
            ("max", []) => Expr::Agg(AggFn::Max),
            ("min", []) => Expr::Agg(AggFn::Min),
            ("add", []) => Expr::Agg(AggFn::Add),
            ("any", []) => Expr::Any(b(every()), b(Expr::Cur)),
            ("all", []) => Expr::All(b(every()), b(Expr::Cur)),
            ("any", [c]) => Expr::Any(b(every()), b(Expr::from_term(c)?)),
            ("all", [c]) => Expr::All(b(every()), b(Expr::from_term(c)?)),
            ("any", [g, c]) => Expr::Any(b(Expr::generator(g)?), b(Expr::from_term(c)?)),
            ("all", [g, c]) => Expr::All(b(Expr::generator(g)?), b(Expr::from_term(c)?)),
            ("test", [re]) => Expr::Test(Box::new(Re::new(&literal_str(re)?, "")?)),
            ("test", [re, flags]) => {
                Expr::Test(Box::new(Re::new(&literal_str(re)?, &literal_str(flags)?)?))
            }
            (f, []) => {
                let (_, f) = MATH_FNS.iter().find(|(n, _)| *n == f)?;
                Expr::MathFn(MathFn { f: *f })
            }
            _ => return None,
        })
    }
}

impl Re {
    /// jaq-std's regex with its flags; `None` when either is invalid (jaq then fails at
    /// run time) or when a flag changes what counts as a match (`n`).
    fn new(pattern: &str, flags: &str) -> Option<Re> {
        let mut builder = regex_bites::bytes::RegexBuilder::new(pattern);
        for c in flags.chars() {
            match c {
                'g' => {}
                'i' => drop(builder.case_insensitive(true)),
                'm' => drop(builder.multi_line(true)),
                's' => drop(builder.dot_matches_new_line(true)),
                'l' => drop(builder.swap_greed(true)),
                'x' => drop(builder.ignore_whitespace(true)),
                'p' => drop(builder.multi_line(true).dot_matches_new_line(true)),
                _ => return None,
            }
        }
        builder.build().ok().map(|re| Re { re })
    }
}

// ---------------------------------------------------------------------------------
// Comparing a float32 with a constant.

/// The float64 a float32 is shown as.
fn shown(x: f32) -> f64 {
    avro::shown_f32(x)
}

/// jaq's order of two floats: -0 equals 0, NaN is below everything.
fn float_cmp(l: f64, r: f64) -> Ordering {
    if l == 0.0 && r == 0.0 {
        Ordering::Equal
    } else if l.is_nan() {
        Ordering::Less
    } else if r.is_nan() {
        Ordering::Greater
    } else {
        l.total_cmp(&r)
    }
}

/// A constant as float32 neighbours: comparing a float32 `x` with the constant `c`
/// (as jaq compares `shown(x)` with `c`) is one float32 comparison with `t`, the smallest
/// finite float32 shown at or above `c`. `shown` is strictly increasing on finite float32s,
/// so `shown(x) < c` exactly when `x < t`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cut {
    t: Option<f32>,
    eq: bool,
    nan: bool,
}

impl Cut {
    pub(crate) fn new(c: f64) -> Cut {
        if c.is_nan() {
            return Cut {
                t: None,
                eq: false,
                nan: true,
            };
        }
        let max = f64::from(f32::MAX);
        let mut t = if c >= max {
            f32::MAX
        } else if c <= -max {
            -f32::MAX
        } else {
            c as f32
        };
        loop {
            let p = t.next_down();
            if p.is_finite() && float_cmp(shown(p), c) != Ordering::Less {
                t = p;
            } else {
                break;
            }
        }
        while float_cmp(shown(t), c) == Ordering::Less {
            if t == f32::MAX {
                return Cut {
                    t: None,
                    eq: false,
                    nan: false,
                };
            }
            t = t.next_up();
        }
        Cut {
            t: Some(t),
            eq: float_cmp(shown(t), c) == Ordering::Equal,
            nan: false,
        }
    }

    /// jaq's order of `shown(x)` against the constant.
    pub(crate) fn cmp(&self, x: f32) -> Ordering {
        if self.nan {
            return Ordering::Greater;
        }
        match self.t {
            None => Ordering::Less,
            Some(t) if x < t => Ordering::Less,
            Some(t) if x == t && self.eq => Ordering::Equal,
            Some(_) => Ordering::Greater,
        }
    }
}

// ---------------------------------------------------------------------------------
// Compiling against a schema.

/// A value's place in an alert, as the compiler sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// At a slot of a frame, with its schema node.
    At { frame: u16, slot: u16, node: usize },
    /// Computed (never a record or an array).
    Computed,
    /// Somewhere not known (one of several places): no path may follow.
    Unknown,
}

/// A constant, ready to use.
#[derive(Debug, Clone)]
pub(crate) enum LitV {
    Null,
    Bool(bool),
    Int(i64),
    F64(f64),
    Str(Box<[u8]>),
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    Cur,
    Empty,
    Lit(LitV),
    Field {
        of: Box<Op>,
        slot: u16,
        opt: bool,
    },
    NoField {
        of: Box<Op>,
        opt: bool,
    },
    Index {
        of: Box<Op>,
        idx: i64,
        frame: Option<u16>,
        opt: bool,
    },
    Cmp(CmpOp, Box<Op>, Box<Op>, Option<(bool, Cut)>),
    And(Box<Op>, Box<Op>),
    Or(Box<Op>, Box<Op>),
    Alt(Box<Op>, Box<Op>),
    Math(MathOp, Box<Op>, Box<Op>),
    Neg(Box<Op>),
    Pipe(Box<Op>, Box<Op>),
    If(Box<Op>, Box<Op>, Box<Op>),
    Select(Box<Op>),
    Not,
    Length,
    MathFn(fn(f64) -> f64),
    Round(RoundFn),
    Pow(Box<Op>, Box<Op>),
    Test(Box<Re>),
    Any {
        all: bool,
        of: Box<Op>,
        frame: Option<u16>,
        opt: bool,
        cond: Box<Op>,
    },
    Collect {
        of: Box<Op>,
        frame: Option<u16>,
        opt: bool,
        each: Box<Op>,
    },
    Agg(AggFn),
    ToStr,
    Bind(Box<Op>, Box<Op>),
    Var(usize),
}

/// One slot: a place in a frame whose value the scan stores.
#[derive(Debug, Clone)]
struct SlotInfo {
    node: usize,
    /// The record slot it is a field of, and the field's index (None: the frame's root).
    parent: Option<(u16, usize)>,
}

#[derive(Debug, Clone, Default)]
struct Frame {
    slots: Vec<SlotInfo>,
}

/// Compiles the fast expressions of several filters against one schema, sharing slots.
pub(crate) struct Builder {
    graph: Arc<Graph>,
    /// Variables in scope while compiling: name and place.
    scope: Vec<(Box<str>, Ctx)>,
    frames: Vec<Frame>,
    fields: HashMap<(u16, u16, usize), u16>,
    items: HashMap<u16, u16>,
}

/// Why an expression does not compile for a schema: it stays with jaq.
type Unsupported = ();

impl Builder {
    /// A builder for a schema graph.
    pub(crate) fn new(graph: Arc<Graph>) -> Builder {
        Builder {
            frames: vec![Frame {
                slots: vec![SlotInfo {
                    node: graph.root,
                    parent: None,
                }],
            }],
            graph,
            scope: Vec::new(),
            fields: HashMap::new(),
            items: HashMap::new(),
        }
    }

    /// Compile an expression evaluated on the whole alert.
    pub(crate) fn compile(&mut self, e: &Expr) -> Option<Op> {
        let root = Ctx::At {
            frame: 0,
            slot: 0,
            node: self.graph.root,
        };
        let mark = (self.frames.clone(), self.fields.clone(), self.items.clone());
        self.scope.clear();
        match self.op(e, root) {
            Ok((op, _)) => Some(op),
            Err(()) => {
                // Slots made for an expression that did not compile are not scanned.
                (self.frames, self.fields, self.items) = mark;
                None
            }
        }
    }

    /// The record a node is (through a union with one record branch).
    fn record(&self, n: usize) -> Result<Option<usize>, Unsupported> {
        let is_rec = |n: usize| matches!(self.graph.nodes[n], Node::Record(_));
        match &self.graph.nodes[n] {
            Node::Record(_) => Ok(Some(n)),
            Node::Union(bs) => {
                let recs: Vec<usize> = bs.iter().copied().filter(|b| is_rec(*b)).collect();
                match recs.as_slice() {
                    [] => Ok(None),
                    [r] => Ok(Some(*r)),
                    _ => Err(()),
                }
            }
            Node::Map(_) => Err(()),
            _ => Ok(None),
        }
    }

    /// The array a node is (through a union with one array branch).
    fn array(&self, n: usize) -> Result<Option<usize>, Unsupported> {
        let is_arr = |n: usize| matches!(self.graph.nodes[n], Node::Array(_));
        match &self.graph.nodes[n] {
            Node::Array(_) => Ok(Some(n)),
            Node::Union(bs) => {
                let arrs: Vec<usize> = bs.iter().copied().filter(|b| is_arr(*b)).collect();
                match arrs.as_slice() {
                    [] => Ok(None),
                    [a] => Ok(Some(*a)),
                    _ => Err(()),
                }
            }
            _ => Ok(None),
        }
    }

    fn field_slot(
        &mut self,
        frame: u16,
        parent: u16,
        index: usize,
        node: usize,
    ) -> Result<u16, Unsupported> {
        if let Some(s) = self.fields.get(&(frame, parent, index)) {
            return Ok(*s);
        }
        let slots = &mut self.frames[frame as usize].slots;
        let s = u16::try_from(slots.len()).map_err(|_| ())?;
        slots.push(SlotInfo {
            node,
            parent: Some((parent, index)),
        });
        self.fields.insert((frame, parent, index), s);
        Ok(s)
    }

    /// The frame of an array slot's items (arrays only in the root frame).
    fn item_frame(&mut self, frame: u16, slot: u16, item: usize) -> Result<u16, Unsupported> {
        if frame != 0 {
            return Err(());
        }
        if let Some(f) = self.items.get(&slot) {
            return Ok(*f);
        }
        let f = u16::try_from(self.frames.len()).map_err(|_| ())?;
        self.frames.push(Frame {
            slots: vec![SlotInfo {
                node: item,
                parent: None,
            }],
        });
        self.items.insert(slot, f);
        Ok(f)
    }

    /// One path step from a value at `ctx`.
    fn seg(&mut self, of: Op, ctx: Ctx, seg: &Seg) -> Result<(Op, Ctx), Unsupported> {
        let of = Box::new(of);
        match (seg, ctx) {
            (Seg::Key(k, opt), Ctx::At { frame, slot, node }) => {
                let opt = *opt;
                match self.record(node)? {
                    Some(r) => {
                        let Node::Record(fields) = &self.graph.nodes[r] else {
                            unreachable!("a record")
                        };
                        match fields.iter().position(|f| *f.name == **k) {
                            Some(i) => {
                                let fnode = fields[i].node;
                                let s = self.field_slot(frame, slot, i, fnode)?;
                                Ok((
                                    Op::Field { of, slot: s, opt },
                                    Ctx::At {
                                        frame,
                                        slot: s,
                                        node: fnode,
                                    },
                                ))
                            }
                            None => Ok((Op::NoField { of, opt }, Ctx::Computed)),
                        }
                    }
                    None => Ok((Op::NoField { of, opt }, Ctx::Computed)),
                }
            }
            (Seg::Key(_, opt), Ctx::Computed) => Ok((Op::NoField { of, opt: *opt }, Ctx::Computed)),
            (Seg::Index(i, opt), Ctx::At { frame, slot, node }) => match self.array(node)? {
                Some(a) => {
                    let Node::Array(item) = self.graph.nodes[a] else {
                        unreachable!("an array")
                    };
                    let f = self.item_frame(frame, slot, item)?;
                    Ok((
                        Op::Index {
                            of,
                            idx: *i,
                            frame: Some(f),
                            opt: *opt,
                        },
                        Ctx::At {
                            frame: f,
                            slot: 0,
                            node: item,
                        },
                    ))
                }
                None => Ok((
                    Op::Index {
                        of,
                        idx: *i,
                        frame: None,
                        opt: *opt,
                    },
                    Ctx::Computed,
                )),
            },
            (Seg::Index(i, opt), Ctx::Computed) => Ok((
                Op::Index {
                    of,
                    idx: *i,
                    frame: None,
                    opt: *opt,
                },
                Ctx::Computed,
            )),
            (Seg::Iter(_), _) | (_, Ctx::Unknown) => Err(()),
        }
    }

    fn lit(l: &Lit) -> LitV {
        match l {
            Lit::Null => LitV::Null,
            Lit::Bool(b) => LitV::Bool(*b),
            Lit::Int(i) => LitV::Int(*i),
            Lit::Float(f) => LitV::F64(*f),
            Lit::Str(s) => LitV::Str(s.as_bytes().into()),
        }
    }

    /// The float a numeric literal compares as.
    fn lit_num(l: &Lit) -> Option<f64> {
        match l {
            Lit::Int(i) => Some(*i as f64),
            Lit::Float(f) => Some(*f),
            _ => None,
        }
    }

    fn op(&mut self, e: &Expr, ctx: Ctx) -> Result<(Op, Ctx), Unsupported> {
        let computed = |op| Ok((op, Ctx::Computed));
        match e {
            Expr::Cur => Ok((Op::Cur, ctx)),
            Expr::Empty => computed(Op::Empty),
            Expr::Lit(l) => computed(Op::Lit(Self::lit(l))),
            Expr::Path(base, segs) => {
                let (mut op, mut c) = self.op(base, ctx)?;
                for s in segs {
                    (op, c) = self.seg(op, c, s)?;
                }
                Ok((op, c))
            }
            Expr::Cmp(op, l, r) => {
                // A float32 compared with a constant: worked out once, as neighbours.
                let cut = match (&**l, &**r) {
                    (_, Expr::Lit(lit)) => Self::lit_num(lit).map(|c| (false, Cut::new(c))),
                    (Expr::Lit(lit), _) => Self::lit_num(lit).map(|c| (true, Cut::new(c))),
                    _ => None,
                };
                let (lo, _) = self.op(l, ctx)?;
                let (ro, _) = self.op(r, ctx)?;
                computed(Op::Cmp(*op, Box::new(lo), Box::new(ro), cut))
            }
            Expr::And(l, r) | Expr::Or(l, r) | Expr::Math(_, l, r) | Expr::Pow(l, r) => {
                let (lo, _) = self.op(l, ctx)?;
                let (ro, _) = self.op(r, ctx)?;
                let (lo, ro) = (Box::new(lo), Box::new(ro));
                computed(match e {
                    Expr::And(..) => Op::And(lo, ro),
                    Expr::Or(..) => Op::Or(lo, ro),
                    Expr::Math(m, ..) => Op::Math(*m, lo, ro),
                    _ => Op::Pow(lo, ro),
                })
            }
            Expr::Alt(l, r) => {
                let (lo, lc) = self.op(l, ctx)?;
                let (ro, rc) = self.op(r, ctx)?;
                Ok((Op::Alt(Box::new(lo), Box::new(ro)), self.join(lc, rc)))
            }
            Expr::Neg(x) => {
                let (o, _) = self.op(x, ctx)?;
                computed(Op::Neg(Box::new(o)))
            }
            Expr::Pipe(l, r) => {
                let (lo, lc) = self.op(l, ctx)?;
                let (ro, rc) = self.op(r, lc)?;
                Ok((Op::Pipe(Box::new(lo), Box::new(ro)), rc))
            }
            Expr::If(c, t, f) => {
                let (co, _) = self.op(c, ctx)?;
                let (to, tc) = self.op(t, ctx)?;
                let (fo, fc) = self.op(f, ctx)?;
                let out = self.join(tc, fc);
                Ok((Op::If(Box::new(co), Box::new(to), Box::new(fo)), out))
            }
            Expr::Select(c) => {
                let (co, _) = self.op(c, ctx)?;
                Ok((Op::Select(Box::new(co)), ctx))
            }
            Expr::Not => computed(Op::Not),
            Expr::Length => computed(Op::Length),
            Expr::MathFn(m) => computed(Op::MathFn(m.f)),
            Expr::Round(r) => computed(Op::Round(*r)),
            Expr::Test(re) => computed(Op::Test(re.clone())),
            Expr::Any(g, c) | Expr::All(g, c) | Expr::Collect(g, c) => {
                let (of, frame, opt, elem) = self.generator(g, ctx)?;
                let (co, _) = self.op(c, elem)?;
                let (of, cond) = (Box::new(of), Box::new(co));
                match e {
                    Expr::Collect(..) => Ok((
                        Op::Collect {
                            of,
                            frame,
                            opt,
                            each: cond,
                        },
                        // A list: no path may follow (its items' places are not kept).
                        Ctx::Unknown,
                    )),
                    _ => computed(Op::Any {
                        all: matches!(e, Expr::All(..)),
                        of,
                        frame,
                        opt,
                        cond,
                    }),
                }
            }
            Expr::Agg(a) => Ok((Op::Agg(*a), Ctx::Unknown)),
            Expr::ToStr => computed(Op::ToStr),
            Expr::Bind(v, name, body) => {
                let (vo, vc) = self.op(v, ctx)?;
                self.scope.push((name.clone(), vc));
                let r = self.op(body, ctx);
                self.scope.pop();
                let (bo, bc) = r?;
                Ok((Op::Bind(Box::new(vo), Box::new(bo)), bc))
            }
            Expr::Var(name) => {
                let i = self.scope.iter().rposition(|(n, _)| n == name).ok_or(())?;
                Ok((Op::Var(i), self.scope[i].1))
            }
        }
    }

    /// A generator path (`.prvDiaSources[]?`): the array's op, its items' frame, whether
    /// it is optional, and where an item is.
    fn generator(
        &mut self,
        g: &Expr,
        ctx: Ctx,
    ) -> Result<(Op, Option<u16>, bool, Ctx), Unsupported> {
        let Expr::Path(base, segs) = g else {
            return Err(());
        };
        let (Some(Seg::Iter(opt)), init) = (segs.last(), &segs[..segs.len() - 1]) else {
            return Err(());
        };
        let (mut of, mut oc) = self.op(base, ctx)?;
        for s in init {
            (of, oc) = self.seg(of, oc, s)?;
        }
        let (frame, elem) = match oc {
            Ctx::At { frame, slot, node } => match self.array(node)? {
                Some(a) => {
                    if self.record(node)?.is_some() {
                        // It may also be an object, whose values `.[]` yields.
                        return Err(());
                    }
                    let Node::Array(item) = self.graph.nodes[a] else {
                        unreachable!("an array")
                    };
                    let f = self.item_frame(frame, slot, item)?;
                    (
                        Some(f),
                        Ctx::At {
                            frame: f,
                            slot: 0,
                            node: item,
                        },
                    )
                }
                None if self.record(node)?.is_some() => return Err(()),
                None => (None, Ctx::Computed),
            },
            Ctx::Computed => (None, Ctx::Computed),
            // A list from `[...]`: its items are computed values.
            Ctx::Unknown => (None, Ctx::Unknown),
        };
        Ok((of, frame, *opt, elem))
    }

    /// Whether a place may hold a record or an array.
    fn is_tree(&self, c: Ctx) -> bool {
        match c {
            Ctx::At { node, .. } => {
                !matches!(self.record(node), Ok(None)) || !matches!(self.array(node), Ok(None))
            }
            Ctx::Computed => false,
            Ctx::Unknown => true,
        }
    }

    /// Where a value is that comes from one of two places.
    fn join(&self, a: Ctx, b: Ctx) -> Ctx {
        if a == b {
            a
        } else if self.is_tree(a) || self.is_tree(b) {
            Ctx::Unknown
        } else {
            Ctx::Computed
        }
    }

    /// The scan for the slots compiled so far.
    pub(crate) fn finish(self) -> Scanner {
        let mut s = Scanner {
            graph: self.graph.clone(),
            nodes: Vec::new(),
            root: 0,
            strides: self.frames.iter().map(|f| f.slots.len() as u32).collect(),
        };
        // Children of each slot, by (frame, slot): field index -> child slot.
        let mut kids: HashMap<(u16, u16), Vec<(usize, u16)>> = HashMap::new();
        for (fi, f) in self.frames.iter().enumerate() {
            for (si, slot) in f.slots.iter().enumerate() {
                if let Some((parent, index)) = slot.parent {
                    kids.entry((fi as u16, parent))
                        .or_default()
                        .push((index, si as u16));
                }
            }
        }
        let root = s.build(&kids, &self.items, 0, 0, self.frames[0].slots[0].node);
        s.root = root;
        s
    }
}

// ---------------------------------------------------------------------------------
// Scanning an alert into cells.

/// A typed value read from an alert.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    F32(f32),
    F64(f64),
    /// A string's bytes in the body: offset, length.
    Str(u32, u32),
    /// A byte string in the body: offset, length.
    Bytes(u32, u32),
    /// An enum symbol: the enum's node, the symbol's index.
    Sym(u32, u32),
    /// A record: its frame's base, its number of fields.
    Rec(u32, u32),
    /// An array: its first item's frame base, its number of items.
    Arr(u32, u32),
}

#[derive(Debug, Clone)]
enum SNode {
    /// Not read: skip.
    Skip(usize),
    /// Several fields in a row not read: one skip.
    SkipRun(crate::packet::binary::SkipRun),
    /// A value stored in a slot.
    Value { slot: u16, node: usize },
    /// A union: each branch stores into the slot.
    Union { branches: Vec<usize> },
    /// A record: its marker in the slot, its fields scanned or skipped.
    Record {
        slot: u16,
        fields: Vec<usize>,
        nfields: u32,
    },
    /// An array: its count (and items, when a frame reads them) in the slot.
    Array {
        slot: u16,
        frame: Option<u16>,
        item: usize,
    },
}

/// Fills cells from an alert's bytes: the slots the compiled expressions read.
#[derive(Debug, Clone)]
pub(crate) struct Scanner {
    graph: Arc<Graph>,
    nodes: Vec<SNode>,
    /// The scan of the alert.
    root: usize,
    strides: Vec<u32>,
}

impl Scanner {
    fn push(&mut self, n: SNode) -> usize {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    fn build(
        &mut self,
        kids: &HashMap<(u16, u16), Vec<(usize, u16)>>,
        items: &HashMap<u16, u16>,
        frame: u16,
        slot: u16,
        node: usize,
    ) -> usize {
        let graph = self.graph.clone();
        match &graph.nodes[node] {
            Node::Union(bs) => {
                let branches = bs
                    .iter()
                    .map(|b| self.build(kids, items, frame, slot, *b))
                    .collect();
                self.push(SNode::Union { branches })
            }
            Node::Record(fields) => {
                let mine = kids.get(&(frame, slot));
                // The alert's own fields are scanned one by one: the scan notes where each starts.
                let root = frame == 0 && slot == 0;
                let mut scans = Vec::new();
                let mut skipped: Vec<usize> = Vec::new();
                for (i, f) in fields.iter().enumerate() {
                    if root && !skipped.is_empty() {
                        let run = graph.skip_run(&std::mem::take(&mut skipped));
                        scans.push(self.push(SNode::SkipRun(run)));
                    }
                    match mine.and_then(|k| k.iter().find(|(idx, _)| *idx == i)) {
                        Some((_, child)) => {
                            if !skipped.is_empty() {
                                let run = graph.skip_run(&std::mem::take(&mut skipped));
                                scans.push(self.push(SNode::SkipRun(run)));
                            }
                            scans.push(self.build(kids, items, frame, *child, f.node));
                        }
                        None => skipped.push(f.node),
                    }
                }
                if !skipped.is_empty() {
                    let run = graph.skip_run(&skipped);
                    scans.push(self.push(SNode::SkipRun(run)));
                }
                self.push(SNode::Record {
                    slot,
                    fields: scans,
                    nfields: fields.len() as u32,
                })
            }
            Node::Array(item) => {
                let f = if frame == 0 {
                    items.get(&slot).copied()
                } else {
                    None
                };
                let item_scan = match f {
                    Some(f) => self.build(kids, items, f, 0, *item),
                    None => self.push(SNode::Skip(*item)),
                };
                self.push(SNode::Array {
                    slot,
                    frame: f,
                    item: item_scan,
                })
            }
            _ => self.push(SNode::Value { slot, node }),
        }
    }

    /// Scan a body into `cells` (cleared first; the root frame's cells come first), and
    /// note in `starts` where each of the alert's own fields begins, and where it ends.
    pub(crate) fn scan(
        &self,
        body: &[u8],
        cells: &mut Vec<Cell>,
        starts: &mut Vec<u32>,
    ) -> Result<(), DecodeError> {
        cells.clear();
        cells.resize(self.strides[0] as usize, Cell::Null);
        starts.clear();
        let mut buf = body;
        let at = |buf: &[u8]| (body.len() - buf.len()) as u32;
        match &self.nodes[self.root] {
            SNode::Record {
                slot,
                fields,
                nfields,
            } => {
                cells[usize::from(*slot)] = Cell::Rec(0, *nfields);
                for f in fields {
                    starts.push(at(buf));
                    self.read(*f, body, &mut buf, 0, cells)?;
                }
                starts.push(at(buf));
            }
            _ => self.read(self.root, body, &mut buf, 0, cells)?,
        }
        if !buf.is_empty() {
            return Err(DecodeError::Trailing(buf.len()));
        }
        Ok(())
    }

    fn read(
        &self,
        n: usize,
        body: &[u8],
        buf: &mut &[u8],
        base: u32,
        cells: &mut Vec<Cell>,
    ) -> Result<(), DecodeError> {
        let at = |buf: &[u8]| (body.len() - buf.len()) as u32;
        match &self.nodes[n] {
            SNode::Skip(node) => self.graph.skip(*node, buf)?,
            SNode::SkipRun(run) => self.graph.skip_with(run, buf)?,
            SNode::Value { slot, node } => {
                let cell = match &self.graph.nodes[*node] {
                    Node::Null => Cell::Null,
                    Node::Boolean => match take(buf, 1)?[0] {
                        0 => Cell::Bool(false),
                        1 => Cell::Bool(true),
                        x => return Err(DecodeError::Invalid(format!("boolean byte {x}"))),
                    },
                    Node::Int | Node::Long => Cell::Int(varint(buf)?),
                    Node::Float => {
                        let f = f32::from_le_bytes(take(buf, 4)?.try_into().expect("4 bytes"));
                        if f.is_finite() {
                            Cell::F32(f)
                        } else {
                            Cell::Null
                        }
                    }
                    Node::Double => {
                        let f = f64::from_le_bytes(take(buf, 8)?.try_into().expect("8 bytes"));
                        if f.is_finite() {
                            Cell::F64(f)
                        } else {
                            Cell::Null
                        }
                    }
                    Node::Str | Node::Bytes => {
                        let len = avro::length(buf)?;
                        let off = at(buf);
                        take(buf, len)?;
                        if matches!(self.graph.nodes[*node], Node::Str) {
                            Cell::Str(off, len as u32)
                        } else {
                            Cell::Bytes(off, len as u32)
                        }
                    }
                    Node::Fixed(size) => {
                        let off = at(buf);
                        take(buf, *size)?;
                        Cell::Bytes(off, *size as u32)
                    }
                    Node::Enum(symbols) => {
                        let i = varint(buf)?;
                        match usize::try_from(i).ok().filter(|i| *i < symbols.len()) {
                            Some(i) => Cell::Sym(*node as u32, i as u32),
                            None => return Err(DecodeError::Invalid(format!("enum index {i}"))),
                        }
                    }
                    // Records, arrays and unions have their own scans; maps are not placed.
                    _ => {
                        self.graph.skip(*node, buf)?;
                        Cell::Null
                    }
                };
                cells[(base + u32::from(*slot)) as usize] = cell;
            }
            SNode::Union { branches } => {
                let i = branch_index(branches, buf)?;
                self.read(branches[i], body, buf, base, cells)?;
            }
            SNode::Record {
                slot,
                fields,
                nfields,
            } => {
                cells[(base + u32::from(*slot)) as usize] = Cell::Rec(base, *nfields);
                for f in fields {
                    self.read(*f, body, buf, base, cells)?;
                }
            }
            SNode::Array { slot, frame, item } => {
                let start = cells.len() as u32;
                let mut count = 0u32;
                let stride = frame.map(|f| self.strides[f as usize]);
                loop {
                    let (n, size) = avro::block(buf)?;
                    if n == 0 {
                        break;
                    }
                    match (stride, size) {
                        (None, Some(size)) => {
                            take(buf, size)?;
                            count += n as u32;
                        }
                        _ => {
                            for _ in 0..n {
                                match stride {
                                    Some(st) => {
                                        let eb = cells.len() as u32;
                                        cells.resize(cells.len() + st as usize, Cell::Null);
                                        self.read(*item, body, buf, eb, cells)?;
                                    }
                                    None => self.read(*item, body, buf, base, cells)?,
                                }
                                count += 1;
                            }
                        }
                    }
                }
                cells[(base + u32::from(*slot)) as usize] = Cell::Arr(start, count);
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------
// Evaluating.

/// A value during evaluation.
#[derive(Debug, Clone)]
pub(crate) enum V<'a> {
    Null,
    Bool(bool),
    Int(i64),
    F32(f32),
    F64(f64),
    Str(Cow<'a, [u8]>),
    Bytes(&'a [u8]),
    Rec(u32, u32),
    Arr(u32, u32),
    /// An array built by `[...]`.
    List(std::rc::Rc<Vec<V<'a>>>),
}

/// What an expression yields (it yields at most one value in the subset).
#[derive(Debug, Clone)]
pub(crate) enum Out<'a> {
    /// No output.
    Empty,
    /// One value.
    Val(V<'a>),
    /// An error.
    Err,
    /// A case the fast path does not take: ask jaq.
    Fallback,
}

/// What an evaluation reads.
pub(crate) struct Env<'a> {
    pub(crate) cells: &'a [Cell],
    pub(crate) body: &'a [u8],
    pub(crate) scanner: &'a Scanner,
    /// Variables bound so far (`as $x`), innermost last.
    pub(crate) vars: std::cell::RefCell<Vec<V<'a>>>,
}

impl<'a> Env<'a> {
    /// An evaluation over scanned cells.
    pub(crate) fn new(cells: &'a [Cell], body: &'a [u8], scanner: &'a Scanner) -> Env<'a> {
        Env {
            cells,
            body,
            scanner,
            vars: std::cell::RefCell::new(Vec::new()),
        }
    }
}

impl V<'_> {
    fn truthy(&self) -> bool {
        !matches!(self, V::Null | V::Bool(false))
    }

    fn rank(&self) -> u8 {
        match self {
            V::Null => 0,
            V::Bool(_) => 1,
            V::Int(_) | V::F32(_) | V::F64(_) => 2,
            V::Str(_) | V::Bytes(_) => 3,
            V::Arr(..) | V::List(_) => 4,
            V::Rec(..) => 5,
        }
    }

    fn float(&self) -> Option<f64> {
        match self {
            V::Int(i) => Some(*i as f64),
            V::F32(f) => Some(shown(*f)),
            V::F64(f) => Some(*f),
            _ => None,
        }
    }
}

impl<'a> V<'a> {
    /// The jq value, for anything but a record or an array.
    pub(crate) fn to_val(&self) -> Option<jaq_json::Val> {
        use jaq_json::Val;
        Some(match self {
            V::Null => Val::Null,
            V::Bool(b) => Val::from(*b),
            V::Int(i) => Val::from(*i as isize),
            V::F32(f) => Val::from(shown(*f)),
            V::F64(f) => Val::from(*f),
            V::Str(s) => Val::from(String::from_utf8_lossy(s).into_owned()),
            V::Bytes(b) => Val::byte_str(bytes::Bytes::copy_from_slice(b)),
            V::Rec(..) | V::Arr(..) => return None,
            V::List(items) => items
                .iter()
                .map(V::to_val)
                .collect::<Option<Vec<_>>>()?
                .into_iter()
                .collect(),
        })
    }

    fn from_lit(l: &'a LitV) -> V<'a> {
        match l {
            LitV::Null => V::Null,
            LitV::Bool(b) => V::Bool(*b),
            LitV::Int(i) => V::Int(*i),
            LitV::F64(f) => V::F64(*f),
            LitV::Str(s) => V::Str(Cow::Borrowed(s)),
        }
    }
}

/// jaq's order of two values; None when it would compare the contents of two
/// non-empty arrays or objects (not taken by the fast path).
fn compare(a: &V<'_>, b: &V<'_>) -> Option<Ordering> {
    let (ra, rb) = (a.rank(), b.rank());
    if ra != rb {
        return Some(ra.cmp(&rb));
    }
    Some(match (a, b) {
        (V::Null, V::Null) => Ordering::Equal,
        (V::Bool(x), V::Bool(y)) => x.cmp(y),
        (V::Int(x), V::Int(y)) => x.cmp(y),
        (V::Int(_) | V::F32(_) | V::F64(_), _) => {
            float_cmp(a.float().expect("number"), b.float().expect("number"))
        }
        (V::Str(_) | V::Bytes(_), _) => bytes_of(a).cmp(bytes_of(b)),
        (V::Arr(_, 0), V::Arr(_, 0)) => Ordering::Equal,
        (V::List(x), V::List(y)) => {
            // Arrays compare item by item, then by length.
            for (a, b) in x.iter().zip(y.iter()) {
                match compare(a, b)? {
                    Ordering::Equal => {}
                    o => return Some(o),
                }
            }
            x.len().cmp(&y.len())
        }
        (V::List(x), V::Arr(_, 0)) if x.is_empty() => Ordering::Equal,
        (V::Arr(_, 0), V::List(y)) if y.is_empty() => Ordering::Equal,
        (V::Rec(_, 0), V::Rec(_, 0)) => Ordering::Equal,
        _ => return None,
    })
}

fn bytes_of<'b>(v: &'b V<'_>) -> &'b [u8] {
    match v {
        V::Str(s) => s,
        V::Bytes(b) => b,
        _ => &[],
    }
}

fn cmp_result(op: CmpOp, o: Ordering) -> bool {
    match op {
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
    }
}

fn num(f: f64) -> Out<'static> {
    Out::Val(V::F64(f))
}

fn int_or_fallback(i: Option<i64>) -> Out<'static> {
    match i {
        Some(i) => Out::Val(V::Int(i)),
        // jaq goes on with a big integer.
        None => Out::Fallback,
    }
}

fn is_num(v: &V<'_>) -> bool {
    matches!(v, V::Int(_) | V::F32(_) | V::F64(_))
}

fn is_str(v: &V<'_>) -> bool {
    matches!(v, V::Str(_) | V::Bytes(_))
}

/// jaq's arithmetic on two values.
fn math<'a>(op: MathOp, a: V<'a>, b: V<'a>) -> Out<'a> {
    use MathOp::*;
    if let (V::Int(x), V::Int(y)) = (&a, &b) {
        let (x, y) = (*x, *y);
        return match op {
            Add => int_or_fallback(x.checked_add(y)),
            Sub => int_or_fallback(x.checked_sub(y)),
            Mul => int_or_fallback(x.checked_mul(y)),
            Div => num(x as f64 / y as f64),
            Rem if y == 0 => Out::Err,
            Rem => Out::Val(V::Int(x.checked_rem(y).unwrap_or(0))),
        };
    }
    if is_num(&a) && is_num(&b) {
        let (x, y) = (a.float().expect("number"), b.float().expect("number"));
        return num(match op {
            Add => x + y,
            Sub => x - y,
            Mul => x * y,
            Div => x / y,
            Rem => x % y,
        });
    }
    match (op, &a, &b) {
        (Add, V::Null, _) => Out::Val(b),
        (Add, _, V::Null) => Out::Val(a),
        (Add, V::Str(x), V::Str(y)) => {
            let mut s = Vec::with_capacity(x.len() + y.len());
            s.extend_from_slice(x);
            s.extend_from_slice(y);
            Out::Val(V::Str(Cow::Owned(s)))
        }
        (Add, V::Bytes(_), V::Bytes(_))
        | (Add, V::List(_), V::List(_))
        | (Add | Sub, V::Arr(..), V::Arr(..))
        | (Add | Mul, V::Rec(..), V::Rec(..))
        | (Div, V::Str(_), V::Str(_))
        | (Div, V::Bytes(_), V::Bytes(_)) => Out::Fallback,
        (Mul, s, V::Int(i)) | (Mul, V::Int(i), s) if is_str(s) => {
            if *i > 0 {
                Out::Fallback
            } else {
                Out::Val(V::Null)
            }
        }
        _ => Out::Err,
    }
}

fn length_of<'a>(v: &V<'a>) -> Out<'a> {
    match v {
        V::Null => Out::Val(V::Int(0)),
        V::Bool(_) => Out::Err,
        V::Int(i) => int_or_fallback(i.checked_abs()),
        V::F32(_) | V::F64(_) => num(v.float().expect("number").abs()),
        V::Str(s) => match std::str::from_utf8(s) {
            Ok(s) => Out::Val(V::Int(s.chars().count() as i64)),
            Err(_) => Out::Fallback,
        },
        V::Bytes(b) => Out::Val(V::Int(b.len() as i64)),
        V::Arr(_, n) | V::Rec(_, n) => Out::Val(V::Int(i64::from(*n))),
        V::List(items) => Out::Val(V::Int(items.len() as i64)),
    }
}

/// jq's `tostring` of a value the fast path can print exactly (not a float: jaq prints
/// numbers its own way).
fn to_str<'a>(v: &V<'a>) -> Out<'a> {
    Out::Val(match v {
        V::Str(s) => V::Str(s.clone()),
        V::Bytes(b) => V::Str(Cow::Borrowed(b)),
        V::Null => V::Str(Cow::Borrowed(b"null")),
        V::Bool(true) => V::Str(Cow::Borrowed(b"true")),
        V::Bool(false) => V::Str(Cow::Borrowed(b"false")),
        V::Int(i) => V::Str(Cow::Owned(i.to_string().into_bytes())),
        _ => return Out::Fallback,
    })
}

/// jq's `max`, `min` and `add` of an array built by `[...]`.
fn aggregate<'a>(f: AggFn, v: &V<'a>) -> Out<'a> {
    let V::List(items) = v else {
        return Out::Fallback;
    };
    match f {
        AggFn::Add => {
            let mut acc = V::Null;
            for x in items.iter() {
                acc = match math(MathOp::Add, acc, x.clone()) {
                    Out::Val(v) => v,
                    other => return other,
                };
            }
            Out::Val(acc)
        }
        AggFn::Max | AggFn::Min => {
            let mut best: Option<&V<'a>> = None;
            for x in items.iter() {
                best = match best {
                    None => Some(x),
                    Some(b) => {
                        let Some(o) = compare(x, b) else {
                            return Out::Fallback;
                        };
                        // jaq keeps the last of the greatest, the first of the least.
                        let take = if f == AggFn::Max {
                            o != Ordering::Less
                        } else {
                            o == Ordering::Less
                        };
                        Some(if take { x } else { b })
                    }
                };
            }
            Out::Val(best.cloned().unwrap_or(V::Null))
        }
    }
}

/// Where an array's item `i` is (jaq's index: negative from the end; None out of range).
fn abs_index(i: i64, len: u32) -> Option<u32> {
    let len = i64::from(len);
    let j = if i < 0 { len + i } else { i };
    (0..len).contains(&j).then_some(j as u32)
}

impl<'a> Env<'a> {
    /// The alert itself (after a scan).
    pub(crate) fn root(&self) -> V<'a> {
        self.cell(0)
    }

    fn cell(&self, idx: u32) -> V<'a> {
        match self.cells[idx as usize] {
            Cell::Null => V::Null,
            Cell::Bool(b) => V::Bool(b),
            Cell::Int(i) => V::Int(i),
            Cell::F32(f) => V::F32(f),
            Cell::F64(f) => V::F64(f),
            Cell::Str(off, len) => {
                let b = &self.body[off as usize..(off + len) as usize];
                match std::str::from_utf8(b) {
                    Ok(_) => V::Str(Cow::Borrowed(b)),
                    Err(_) => V::Str(Cow::Owned(
                        String::from_utf8_lossy(b).into_owned().into_bytes(),
                    )),
                }
            }
            Cell::Bytes(off, len) => V::Bytes(&self.body[off as usize..(off + len) as usize]),
            Cell::Sym(node, i) => match &self.scanner.graph.nodes[node as usize] {
                Node::Enum(symbols) => V::Str(Cow::Borrowed(symbols[i as usize].as_bytes())),
                _ => V::Null,
            },
            Cell::Rec(base, n) => V::Rec(base, n),
            Cell::Arr(start, n) => V::Arr(start, n),
        }
    }

    /// An item of an array whose items are in `frame`.
    fn item(&self, start: u32, i: u32, frame: u16) -> V<'a> {
        self.cell(start + i * self.scanner.strides[frame as usize])
    }

    /// The items a generator path yields: None when it yields nothing (an optional
    /// `[]?` over something that is not an array); Err with what to answer otherwise.
    /// The items are read one by one ([`Items::get`]), so `any` that stops early reads
    /// no further.
    fn items(
        &self,
        of: &'a Op,
        frame: Option<u16>,
        opt: bool,
        cur: &V<'a>,
    ) -> Result<Option<Items<'a>>, Out<'a>> {
        let arr = match self.eval(of, cur) {
            Out::Val(v) => v,
            Out::Empty => return Ok(None),
            other => return Err(other),
        };
        match arr {
            V::Arr(start, n) => match frame {
                Some(frame) => Ok(Some(Items::Frames { start, n, frame })),
                None if n == 0 => Ok(Some(Items::EMPTY)),
                None => Err(Out::Fallback),
            },
            V::List(items) => Ok(Some(Items::List(items))),
            V::Rec(..) => Err(Out::Fallback),
            _ if opt => Ok(None),
            _ => Err(Out::Err),
        }
    }

    /// Evaluate `op` on `cur`.
    pub(crate) fn eval(&self, op: &'a Op, cur: &V<'a>) -> Out<'a> {
        use Out::{Empty, Err, Fallback, Val};
        // Evaluate a sub-expression, passing on anything but one value.
        macro_rules! one {
            ($op:expr, $on:expr) => {
                match self.eval($op, $on) {
                    Val(v) => v,
                    other => return other,
                }
            };
        }
        match op {
            Op::Cur => Val(cur.clone()),
            Op::Empty => Empty,
            Op::Lit(l) => Val(V::from_lit(l)),
            Op::Field { of, slot, opt } => match one!(of, cur) {
                V::Rec(base, _) => Val(self.cell(base + u32::from(*slot))),
                V::Null => Val(V::Null),
                _ if *opt => Empty,
                _ => Err,
            },
            Op::NoField { of, opt } => match one!(of, cur) {
                V::Rec(..) | V::Null => Val(V::Null),
                _ if *opt => Empty,
                _ => Err,
            },
            Op::Index {
                of,
                idx,
                frame,
                opt,
            } => match one!(of, cur) {
                V::Null | V::Rec(..) => Val(V::Null),
                V::Arr(start, n) => match (abs_index(*idx, n), frame) {
                    (Some(i), Some(f)) => Val(self.item(start, i, *f)),
                    (None, _) => Val(V::Null),
                    (Some(_), None) => Fallback,
                },
                V::List(items) => match abs_index(*idx, items.len() as u32) {
                    Some(i) => Val(items[i as usize].clone()),
                    None => Val(V::Null),
                },
                V::Bytes(bs) => match abs_index(*idx, bs.len() as u32) {
                    Some(i) => Val(V::Int(i64::from(bs[i as usize]))),
                    None => Val(V::Null),
                },
                _ if *opt => Empty,
                _ => Err,
            },
            Op::Cmp(c, l, r, cut) => {
                let lv = self.eval(l, cur);
                let lv = match lv {
                    Empty | Fallback => return lv,
                    other => other,
                };
                let rv = match self.eval(r, cur) {
                    Val(v) => v,
                    other => return other,
                };
                let lv = match lv {
                    Val(v) => v,
                    _ => return Err,
                };
                let o = match (cut, &lv, &rv) {
                    (Some((false, cut)), V::F32(x), _) => Some(cut.cmp(*x)),
                    (Some((true, cut)), _, V::F32(x)) => Some(cut.cmp(*x).reverse()),
                    _ => compare(&lv, &rv),
                };
                match o {
                    Some(o) => Val(V::Bool(cmp_result(*c, o))),
                    None => Fallback,
                }
            }
            Op::Math(m, l, r) => {
                let lv = self.eval(l, cur);
                let lv = match lv {
                    Empty | Fallback => return lv,
                    other => other,
                };
                let rv = match self.eval(r, cur) {
                    Val(v) => v,
                    other => return other,
                };
                match lv {
                    Val(v) => math(*m, v, rv),
                    _ => Err,
                }
            }
            Op::And(l, r) | Op::Or(l, r) => {
                let stop = matches!(op, Op::Or(..));
                let lv = one!(l, cur);
                if lv.truthy() == stop {
                    return Val(V::Bool(stop));
                }
                Val(V::Bool(one!(r, cur).truthy()))
            }
            Op::Alt(l, r) => match self.eval(l, cur) {
                Val(v) if v.truthy() => Val(v),
                Err => Err,
                Fallback => Fallback,
                _ => self.eval(r, cur),
            },
            Op::Neg(x) => match one!(x, cur) {
                V::Int(i) => int_or_fallback(i.checked_neg()),
                v @ (V::F32(_) | V::F64(_)) => num(-v.float().expect("number")),
                _ => Err,
            },
            Op::Pipe(l, r) => {
                let v = one!(l, cur);
                self.eval(r, &v)
            }
            Op::If(c, t, f) => {
                if one!(c, cur).truthy() {
                    self.eval(t, cur)
                } else {
                    self.eval(f, cur)
                }
            }
            Op::Select(c) => {
                if one!(c, cur).truthy() {
                    Val(cur.clone())
                } else {
                    Empty
                }
            }
            Op::Not => Val(V::Bool(!cur.truthy())),
            Op::Length => length_of(cur),
            Op::MathFn(f) => match cur.float() {
                Some(x) => num(f(x)),
                None => Err,
            },
            Op::Round(kind) => match cur {
                V::Int(i) => Val(V::Int(*i)),
                v => match v.float() {
                    None => Err,
                    Some(x) => {
                        let r = match kind {
                            RoundFn::Floor => x.floor(),
                            RoundFn::Ceil => x.ceil(),
                            RoundFn::Round => x.round(),
                        };
                        if !r.is_finite() {
                            num(r)
                        } else if isize::MIN as f64 <= r && r <= isize::MAX as f64 {
                            Val(V::Int(r as i64))
                        } else {
                            Fallback
                        }
                    }
                },
            },
            Op::Pow(x, y) => {
                let a = one!(x, cur);
                let b = one!(y, cur);
                match (a.float(), b.float()) {
                    (Some(a), Some(b)) => num(libm::pow(a, b)),
                    _ => Err,
                }
            }
            Op::Test(re) => match cur {
                V::Str(s) => Val(V::Bool(re.re.is_match(s))),
                _ => Err,
            },
            Op::Any {
                all,
                of,
                frame,
                opt,
                cond,
            } => {
                let items = match self.items(of, *frame, *opt, cur) {
                    Ok(Some(items)) => items,
                    // No generator output: any is false, all is true.
                    Ok(None) => return Val(V::Bool(*all)),
                    Result::Err(o) => return o,
                };
                for i in 0..items.len() {
                    match self.eval(cond, &items.get(self, i)) {
                        Val(v) if v.truthy() != *all => return Val(V::Bool(!*all)),
                        Err => return Err,
                        Fallback => return Fallback,
                        _ => {}
                    }
                }
                Val(V::Bool(*all))
            }
            Op::Collect {
                of,
                frame,
                opt,
                each,
            } => {
                let items = match self.items(of, *frame, *opt, cur) {
                    Ok(Some(items)) => items,
                    Ok(None) => Items::EMPTY,
                    Result::Err(o) => return o,
                };
                let mut out = Vec::with_capacity(items.len() as usize);
                for i in 0..items.len() {
                    match self.eval(each, &items.get(self, i)) {
                        Val(v) => out.push(v),
                        Empty => {}
                        other => return other,
                    }
                }
                Val(V::List(std::rc::Rc::new(out)))
            }
            Op::Agg(f) => aggregate(*f, cur),
            Op::ToStr => to_str(cur),
            Op::Bind(v, body) => {
                let v = one!(v, cur);
                self.vars.borrow_mut().push(v);
                let out = self.eval(body, cur);
                self.vars.borrow_mut().pop();
                out
            }
            Op::Var(i) => match self.vars.borrow().get(*i) {
                Some(v) => Val(v.clone()),
                None => Fallback,
            },
        }
    }
}

/// The items of an array being iterated.
pub(crate) enum Items<'a> {
    /// An array of the alert: `n` items, each in a frame of the scanner's `frame`.
    Frames { start: u32, n: u32, frame: u16 },
    /// An array built by `[...]`.
    List(std::rc::Rc<Vec<V<'a>>>),
}

impl<'a> Items<'a> {
    /// No items.
    const EMPTY: Items<'a> = Items::Frames {
        start: 0,
        n: 0,
        frame: 0,
    };

    fn len(&self) -> u32 {
        match self {
            Items::Frames { n, .. } => *n,
            Items::List(items) => items.len() as u32,
        }
    }

    fn get(&self, env: &Env<'a>, i: u32) -> V<'a> {
        match self {
            Items::Frames { start, frame, .. } => env.item(*start, i, *frame),
            Items::List(items) => items[i as usize].clone(),
        }
    }
}

/// A fast verdict on a scanned alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    Fail,
    Error,
    Fallback,
}

impl Out<'_> {
    pub(crate) fn verdict(&self) -> Verdict {
        match self {
            Out::Val(v) if v.truthy() => Verdict::Pass,
            Out::Val(_) | Out::Empty => Verdict::Fail,
            Out::Err => Verdict::Error,
            Out::Fallback => Verdict::Fallback,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_agree_with_the_shown_value_around_each_constant() {
        let consts = [
            0.0,
            -0.0,
            5.0,
            3.631e-5,
            0.1,
            1e-45,
            -1e-45,
            1e39,
            -1e39,
            3.4028235e38,
            f64::INFINITY,
            f64::NEG_INFINITY,
            20.5,
            1e-7,
            123456789.0,
            -2.5,
            16777217.0,
        ];
        for c in consts {
            let cut = Cut::new(c);
            let x0 = c as f32;
            let mut xs = vec![x0, 0.0, -0.0, f32::MAX, -f32::MAX, f32::MIN_POSITIVE];
            let mut up = x0;
            let mut down = x0;
            for _ in 0..4 {
                up = up.next_up();
                down = down.next_down();
                xs.extend([up, down]);
            }
            for x in xs.into_iter().filter(|x| x.is_finite()) {
                assert_eq!(cut.cmp(x), float_cmp(shown(x), c), "x={x:e} c={c:e}");
            }
        }
    }

    #[test]
    fn shown_float32_is_the_shortest_decimal() {
        for x in [
            0.1f32,
            3.631e-5,
            1e-40,
            16777216.0,
            0.00028,
            -0.0,
            3.4028235e38,
        ] {
            let expect: f64 = x.to_string().parse().unwrap();
            assert_eq!(shown(x).to_bits(), expect.to_bits(), "{x}");
        }
    }
}
