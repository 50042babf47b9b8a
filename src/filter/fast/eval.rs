//! The evaluator: a compiled expression over the cells of one alert, with jaq's
//! semantics exactly, or [`Out::Fallback`] where a case needs more than the subset.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::compile::*;
use super::expr::*;
use super::float::*;
use super::scan::*;

use crate::formats::avro::graph::Node;

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
    /// The watchlists and MOCs (none: a sky question is jq's).
    pub(crate) sky: Option<&'a crate::sky::Sky>,
    /// The alert's position, once a sky question has read it (None inside: no position).
    pub(crate) position: std::cell::Cell<Option<Option<(f64, f64)>>>,
}

impl<'a> Env<'a> {
    /// An evaluation over scanned cells.
    pub(crate) fn new(cells: &'a [Cell], body: &'a [u8], scanner: &'a Scanner) -> Env<'a> {
        Env {
            cells,
            body,
            scanner,
            vars: std::cell::RefCell::new(Vec::new()),
            sky: None,
            position: std::cell::Cell::new(None),
        }
    }

    /// With watchlists and MOCs to answer sky questions from.
    pub(crate) fn with_sky(mut self, sky: &'a crate::sky::Sky) -> Env<'a> {
        self.sky = Some(sky);
        self
    }
}

impl V<'_> {
    pub(super) fn truthy(&self) -> bool {
        !matches!(self, V::Null | V::Bool(false))
    }

    pub(super) fn rank(&self) -> u8 {
        match self {
            V::Null => 0,
            V::Bool(_) => 1,
            V::Int(_) | V::F32(_) | V::F64(_) => 2,
            V::Str(_) | V::Bytes(_) => 3,
            V::Arr(..) | V::List(_) => 4,
            V::Rec(..) => 5,
        }
    }

    pub(super) fn float(&self) -> Option<f64> {
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

    pub(super) fn from_lit(l: &'a LitV) -> V<'a> {
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
pub(super) fn compare(a: &V<'_>, b: &V<'_>) -> Option<Ordering> {
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

pub(super) fn bytes_of<'b>(v: &'b V<'_>) -> &'b [u8] {
    match v {
        V::Str(s) => s,
        V::Bytes(b) => b,
        _ => &[],
    }
}

pub(super) fn cmp_result(op: CmpOp, o: Ordering) -> bool {
    match op {
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
    }
}

pub(super) fn num(f: f64) -> Out<'static> {
    Out::Val(V::F64(f))
}

pub(super) fn int_or_fallback(i: Option<i64>) -> Out<'static> {
    match i {
        Some(i) => Out::Val(V::Int(i)),
        // jaq goes on with a big integer.
        None => Out::Fallback,
    }
}

pub(super) fn is_num(v: &V<'_>) -> bool {
    matches!(v, V::Int(_) | V::F32(_) | V::F64(_))
}

pub(super) fn is_str(v: &V<'_>) -> bool {
    matches!(v, V::Str(_) | V::Bytes(_))
}

/// jaq's arithmetic on two values.
pub(super) fn math<'a>(op: MathOp, a: V<'a>, b: V<'a>) -> Out<'a> {
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

pub(super) fn length_of<'a>(v: &V<'a>) -> Out<'a> {
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
pub(super) fn to_str<'a>(v: &V<'a>) -> Out<'a> {
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
pub(super) fn aggregate<'a>(f: AggFn, v: &V<'a>) -> Out<'a> {
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

/// jaq's `unique` (`[group_by(.)[] | .[0]]`) of an array built by `[...]`: sorted, the
/// first of each run of equal items kept. Anything else, and NaN (not equal to itself),
/// is jaq's.
pub(super) fn unique<'a>(v: &V<'a>) -> Out<'a> {
    let V::List(items) = v else {
        return Out::Fallback;
    };
    if items.iter().any(|x| {
        matches!(x, V::F64(f) if f.is_nan()) || matches!(x, V::List(_) | V::Arr(..) | V::Rec(..))
    }) {
        return Out::Fallback;
    }
    let mut sorted: Vec<V<'a>> = items.to_vec();
    // Scalars only: the order is total.
    sorted.sort_by(|a, b| compare(a, b).unwrap_or(Ordering::Equal));
    sorted.dedup_by(|later, kept| compare(later, kept) == Some(Ordering::Equal));
    Out::Val(V::List(std::rc::Rc::new(sorted)))
}

/// Where an array's item `i` is (jaq's index: negative from the end; None out of range).
pub(super) fn abs_index(i: i64, len: u32) -> Option<u32> {
    let len = i64::from(len);
    let j = if i < 0 { len + i } else { i };
    (0..len).contains(&j).then_some(j as u32)
}

impl<'a> Env<'a> {
    /// The alert itself (after a scan).
    pub(crate) fn root(&self) -> V<'a> {
        self.cell(0)
    }

    /// Where a run of field steps from `cur` ([`Op::CurFields`]: `first`, then `rest`)
    /// ends: `Ok(Some(i))` on cell `i`, `Ok(None)` on `null` (a step from `null` gives
    /// `null`), or what to answer when a step meets a value that is not a record. No
    /// value is built for the records on the way.
    #[inline]
    pub(super) fn path_cell(
        &self,
        cur: &V<'a>,
        (first, opt): (u16, bool),
        rest: &[(u16, bool)],
    ) -> Result<Option<u32>, Out<'a>> {
        let not_record = |opt: bool| if opt { Out::Empty } else { Out::Err };
        let mut idx = match cur {
            V::Rec(base, _) => base + u32::from(first),
            V::Null => return Ok(None),
            _ => return Err(not_record(opt)),
        };
        for &(slot, opt) in rest {
            idx = match self.cells[idx as usize] {
                Cell::Rec(base, _) => base + u32::from(slot),
                Cell::Null => return Ok(None),
                _ => return Err(not_record(opt)),
            };
        }
        Ok(Some(idx))
    }

    /// `cell <c> lit` (cell `None`: `null`) as [`Op::CmpLit`] answers it, for the cells
    /// that need no value built: numbers, and UTF-8 strings against a string (an enum's
    /// symbol and any other cell take the general path: `None`).
    #[inline]
    fn cmp_cell(&self, at: Option<u32>, c: CmpOp, lit: &LitV, cut: Option<&Cut>) -> Option<bool> {
        let o = match at.map(|i| self.cells[i as usize]) {
            Some(Cell::F32(x)) => match cut {
                Some(cut) => cut.cmp(x),
                None => compare(&V::F32(x), &V::from_lit(lit))?,
            },
            Some(Cell::F64(x)) => compare(&V::F64(x), &V::from_lit(lit))?,
            Some(Cell::Int(i)) => compare(&V::Int(i), &V::from_lit(lit))?,
            None | Some(Cell::Null) => compare(&V::Null, &V::from_lit(lit))?,
            Some(Cell::Str(off, len)) => {
                let LitV::Str(lit) = lit else { return None };
                let b = &self.body[off as usize..(off + len) as usize];
                // Text that is not UTF-8 is compared as shown (the general path).
                std::str::from_utf8(b).ok()?;
                b.cmp(lit)
            }
            Some(_) => return None,
        };
        Some(cmp_result(c, o))
    }

    pub(super) fn cell(&self, idx: u32) -> V<'a> {
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
    pub(super) fn item(&self, start: u32, i: u32, frame: u16) -> V<'a> {
        self.cell(start + i * self.scanner.strides[frame as usize])
    }

    /// The items a generator path yields: None when it yields nothing (an optional
    /// `[]?` over something that is not an array); Err with what to answer otherwise.
    /// The items are read one by one ([`Items::get`]), so `any` that stops early reads
    /// no further.
    pub(super) fn items(
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
            Op::Root => Val(self.root()),
            Op::Sky { q, ra, dec } => {
                let Some(sky) = self.sky else { return Fallback };
                let root = self.root();
                let num = |o: &'a Op| match self.eval(o, &root) {
                    Val(v) => Ok(v.float()),
                    Empty => Ok(None),
                    Err => Result::Err(()),
                    Fallback => Result::Err(()),
                };
                let (Ok(ra), Ok(dec)) = (num(ra), num(dec)) else {
                    return Fallback;
                };
                let pos = ra.zip(dec);
                self.position.set(Some(pos));
                match q {
                    SkyQ::WatchCount(name) => {
                        let Some(w) = sky.watchlists.get(&**name) else {
                            return Fallback;
                        };
                        let mut hits = Vec::new();
                        if let Some((ra, dec)) = pos {
                            w.lookup(ra, dec, &mut hits);
                        }
                        Val(V::Int(hits.len() as i64))
                    }
                    SkyQ::InMoc(name) => {
                        let Some(r) = sky.regions.get(&**name) else {
                            return Fallback;
                        };
                        Val(V::Bool(pos.is_some_and(|(ra, dec)| r.contains(ra, dec))))
                    }
                }
            }
            Op::Empty => Empty,
            Op::Lit(l) => Val(V::from_lit(l)),
            Op::Field { of, slot, opt } => match one!(of, cur) {
                V::Rec(base, _) => Val(self.cell(base + u32::from(*slot))),
                V::Null => Val(V::Null),
                _ if *opt => Empty,
                _ => Err,
            },
            Op::CurFields(steps) => match steps.split_first() {
                None => Val(cur.clone()),
                Some((&first, rest)) => match self.path_cell(cur, first, rest) {
                    Ok(Some(at)) => Val(self.cell(at)),
                    Ok(None) => Val(V::Null),
                    Result::Err(out) => out,
                },
            },
            Op::CmpLit(c, l, lit, cut) => {
                // A field compared with a constant, the commonest atom of a filter:
                // read from its cell, with no value built on the way.
                if let Op::CurFields(steps) = &**l {
                    if let Some((&first, rest)) = steps.split_first() {
                        match self.path_cell(cur, first, rest) {
                            Result::Err(out) => return out,
                            Ok(at) => {
                                if let Some(b) = self.cmp_cell(at, *c, lit, cut.as_ref()) {
                                    return Val(V::Bool(b));
                                }
                            }
                        }
                    }
                }
                let lv = match self.eval(l, cur) {
                    Val(v) => v,
                    other => return other,
                };
                let o = match (cut, &lv) {
                    (Some(cut), V::F32(x)) => Some(cut.cmp(*x)),
                    _ => compare(&lv, &V::from_lit(lit)),
                };
                match o {
                    Some(o) => Val(V::Bool(cmp_result(*c, o))),
                    None => Fallback,
                }
            }
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
                let o = match (cut, &rv) {
                    (Some(cut), V::F32(x)) => Some(cut.cmp(*x).reverse()),
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
            Op::Reduce {
                of,
                frame,
                opt,
                init,
                update,
            } => {
                // jaq: the init first (no output: no output), then the generator; an
                // update with no output ends the reduction with none.
                let mut acc = one!(init, cur);
                let items = match self.items(of, *frame, *opt, cur) {
                    Ok(Some(items)) => items,
                    Ok(None) => return Val(acc),
                    Result::Err(o) => return o,
                };
                self.vars.borrow_mut().push(V::Null);
                let mut stop = None;
                for i in 0..items.len() {
                    let item = items.get(self, i);
                    if let Some(last) = self.vars.borrow_mut().last_mut() {
                        *last = item;
                    }
                    match self.eval(update, &acc) {
                        Val(v) => acc = v,
                        other => {
                            stop = Some(other);
                            break;
                        }
                    }
                }
                self.vars.borrow_mut().pop();
                stop.unwrap_or(Val(acc))
            }
            Op::Unique => unique(cur),
            // jaq's entries of a record in its order: the first error stops them; of
            // anything but a record, its error is jaq's to say.
            Op::CountEntries(each) => {
                if !matches!(cur, V::Rec(..)) {
                    return Fallback;
                }
                let mut n = 0i64;
                for c in each.iter() {
                    match self.eval(c, cur) {
                        Val(v) => n += i64::from(v.truthy()),
                        Empty => {}
                        other => return other,
                    }
                }
                Val(V::Int(n))
            }
            Op::Affix(s, end) => match cur {
                V::Str(_) | V::Bytes(_) => {
                    let b = bytes_of(cur);
                    Val(V::Bool(if *end {
                        b.ends_with(s)
                    } else {
                        b.starts_with(s)
                    }))
                }
                _ => Err,
            },
            Op::AsciiCase(up) => match cur {
                V::Str(s) => Val(V::Str(Cow::Owned(if *up {
                    s.to_ascii_uppercase()
                } else {
                    s.to_ascii_lowercase()
                }))),
                _ => Err,
            },
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
    pub(super) const EMPTY: Items<'a> = Items::Frames {
        start: 0,
        n: 0,
        frame: 0,
    };

    pub(super) fn len(&self) -> u32 {
        match self {
            Items::Frames { n, .. } => *n,
            Items::List(items) => items.len() as u32,
        }
    }

    pub(super) fn get(&self, env: &Env<'a>, i: u32) -> V<'a> {
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
