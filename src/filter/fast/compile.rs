//! The compiler: the fast forms of a set of filters, against one schema. Every path the
//! expressions read becomes a slot; the slots of a record or array become a frame that
//! the scanner fills in one walk ([`Builder`]).

use std::collections::HashMap;
use std::sync::Arc;

use super::expr::*;
use super::float::*;
use super::scan::*;
use crate::formats::avro::graph::{Graph, Node};

// ---------------------------------------------------------------------------------
// Compiling against a schema.

/// A value's place in an alert, as the compiler sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ctx {
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
    /// The whole alert, whatever `.` is.
    Root,
    /// A question about the alert's position (`ra`, and `dec // decl`).
    Sky {
        q: SkyQ,
        ra: Box<Op>,
        dec: Box<Op>,
    },
    Empty,
    Lit(LitV),
    Field {
        of: Box<Op>,
        slot: u16,
        opt: bool,
    },
    /// A run of field steps from `.` (`.snr`, `.diaSource.psfFlux`): one op, no
    /// evaluation per step. Each step: the slot, and whether it is optional.
    CurFields(Box<[(u16, bool)]>),
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
    /// A comparison; with the float32 cut of the left side when that is a constant.
    Cmp(CmpOp, Box<Op>, Box<Op>, Option<Cut>),
    /// A comparison with a constant on the right, its float32 cut worked out.
    CmpLit(CmpOp, Box<Op>, LitV, Option<Cut>),
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
    Reduce {
        of: Box<Op>,
        frame: Option<u16>,
        opt: bool,
        init: Box<Op>,
        update: Box<Op>,
    },
    Unique,
    Affix(Box<[u8]>, bool),
    AsciiCase(bool),
    ToStr,
    Bind(Box<Op>, Box<Op>),
    Var(usize),
    /// `to_entries | map(select(c)) | length` of a record: `c` compiled for each of its
    /// fields, in the record's order.
    CountEntries(Box<[Op]>),
}

/// One slot: a place in a frame whose value the scan stores.
#[derive(Debug, Clone)]
pub(super) struct SlotInfo {
    node: usize,
    /// The record slot it is a field of, and the field's index (None: the frame's root).
    parent: Option<(u16, usize)>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Frame {
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
pub(super) type Unsupported = ();

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
    pub(super) fn record(&self, n: usize) -> Result<Option<usize>, Unsupported> {
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
    pub(super) fn array(&self, n: usize) -> Result<Option<usize>, Unsupported> {
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

    pub(super) fn field_slot(
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
    pub(super) fn item_frame(
        &mut self,
        frame: u16,
        slot: u16,
        item: usize,
    ) -> Result<u16, Unsupported> {
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
    pub(super) fn seg(&mut self, of: Op, ctx: Ctx, seg: &Seg) -> Result<(Op, Ctx), Unsupported> {
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
                                let op = match *of {
                                    Op::Cur => Op::CurFields(Box::new([(s, opt)])),
                                    Op::CurFields(steps) => {
                                        let mut steps = steps.into_vec();
                                        steps.push((s, opt));
                                        Op::CurFields(steps.into_boxed_slice())
                                    }
                                    of => Op::Field {
                                        of: Box::new(of),
                                        slot: s,
                                        opt,
                                    },
                                };
                                Ok((
                                    op,
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

    pub(super) fn lit(l: &Lit) -> LitV {
        match l {
            Lit::Null => LitV::Null,
            Lit::Bool(b) => LitV::Bool(*b),
            Lit::Int(i) => LitV::Int(*i),
            Lit::Float(f) => LitV::F64(*f),
            Lit::Str(s) => LitV::Str(s.as_bytes().into()),
        }
    }

    /// The float a numeric literal compares as.
    pub(super) fn lit_num(l: &Lit) -> Option<f64> {
        match l {
            Lit::Int(i) => Some(*i as f64),
            Lit::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// An expression that is a constant: a literal, or a negated number (`-12.1` is
    /// jq's negation of `12.1`, whose value negation gives exactly). An integer whose
    /// negation overflows is left to the evaluator.
    pub(super) fn constant(e: &Expr) -> Option<Lit> {
        match e {
            Expr::Lit(l) => Some(l.clone()),
            Expr::Neg(x) => match Self::constant(x)? {
                Lit::Int(i) => i.checked_neg().map(Lit::Int),
                Lit::Float(f) => Some(Lit::Float(-f)),
                _ => None,
            },
            _ => None,
        }
    }

    pub(super) fn op(&mut self, e: &Expr, ctx: Ctx) -> Result<(Op, Ctx), Unsupported> {
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
                let cut = |lit: &Lit| Self::lit_num(lit).map(Cut::new);
                let (lo, _) = self.op(l, ctx)?;
                if let Some(lit) = Self::constant(r) {
                    // The constant cannot fail: only the left side's outcome matters.
                    return computed(Op::CmpLit(*op, Box::new(lo), Self::lit(&lit), cut(&lit)));
                }
                let (ro, _) = self.op(r, ctx)?;
                let left_cut = Self::constant(l).and_then(|lit| cut(&lit));
                computed(Op::Cmp(*op, Box::new(lo), Box::new(ro), left_cut))
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
            Expr::Reduce {
                gen,
                name,
                init,
                update,
            } => {
                // jaq runs the init first, then the generator, both on the input.
                let (init, ic) = self.op(init, ctx)?;
                let (of, frame, opt, elem) = self.generator(gen, ctx)?;
                // The accumulator is a computed value: a record or array stays with jq.
                if self.is_tree(ic) {
                    return Err(());
                }
                self.scope.push((name.clone(), elem));
                let r = self.op(update, Ctx::Computed);
                self.scope.pop();
                let (update, uc) = r?;
                if self.is_tree(uc) {
                    return Err(());
                }
                computed(Op::Reduce {
                    of: Box::new(of),
                    frame,
                    opt,
                    init: Box::new(init),
                    update: Box::new(update),
                })
            }
            Expr::Unique => Ok((Op::Unique, Ctx::Unknown)),
            Expr::CountEntries(c) => {
                // A record of scalars only (what jq's entries hold is then a cell).
                let Ctx::At { node, .. } = ctx else {
                    return Err(());
                };
                let rec = self.record(node)?.ok_or(())?;
                let Node::Record(fields) = &self.graph.nodes[rec] else {
                    unreachable!("a record")
                };
                let scalar = |n: usize| {
                    matches!(
                        self.graph.nodes[n],
                        Node::Null
                            | Node::Boolean
                            | Node::Int
                            | Node::Long
                            | Node::Float
                            | Node::Double
                            | Node::Str
                            | Node::Enum(_)
                    )
                };
                let names: Vec<Box<str>> = fields
                    .iter()
                    .map(|f| match &self.graph.nodes[f.node] {
                        Node::Union(bs) if bs.iter().all(|b| scalar(*b)) => {
                            Ok(f.name.as_str().into())
                        }
                        _ if scalar(f.node) => Ok(f.name.as_str().into()),
                        _ => Err(()),
                    })
                    .collect::<Result<_, _>>()?;
                let mut each = Vec::with_capacity(names.len());
                for name in names.iter() {
                    let e = c.on_entry(name).ok_or(())?;
                    each.push(self.op(&e, ctx)?.0);
                }
                computed(Op::CountEntries(each.into_boxed_slice()))
            }
            Expr::Affix(s, end) => computed(Op::Affix(s.clone(), *end)),
            Expr::AsciiCase(up) => computed(Op::AsciiCase(*up)),
            Expr::ToStr => computed(Op::ToStr),
            Expr::Sky(q) => {
                // `.diaSource.ra` and `.diaSource.dec // .diaSource.decl` of the alert.
                let root = Ctx::At {
                    frame: 0,
                    slot: 0,
                    node: self.graph.root,
                };
                let mut path = |key: &str| -> Result<Op, Unsupported> {
                    let (mut op, mut c) = (Op::Root, root);
                    for seg in [
                        Seg::Key("diaSource".into(), false),
                        Seg::Key(key.into(), false),
                    ] {
                        (op, c) = self.seg(op, c, &seg)?;
                    }
                    Ok(op)
                };
                let ra = path("ra")?;
                let dec = Op::Alt(Box::new(path("dec")?), Box::new(path("decl")?));
                computed(Op::Sky {
                    q: q.clone(),
                    ra: Box::new(ra),
                    dec: Box::new(dec),
                })
            }
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
    pub(super) fn generator(
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
    pub(super) fn is_tree(&self, c: Ctx) -> bool {
        match c {
            Ctx::At { node, .. } => {
                !matches!(self.record(node), Ok(None)) || !matches!(self.array(node), Ok(None))
            }
            Ctx::Computed => false,
            Ctx::Unknown => true,
        }
    }

    /// Where a value is that comes from one of two places.
    pub(super) fn join(&self, a: Ctx, b: Ctx) -> Ctx {
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
