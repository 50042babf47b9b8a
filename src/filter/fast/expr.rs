//! The jq subset of the fast path, read from jaq's parse tree: paths with constant keys
//! and indices, literals, the six comparisons, `and`/`or`/`not`, `select`, `if`, `//`,
//! arithmetic, `length`, the one-argument math functions, `floor`/`ceil`/`round`,
//! `pow`, `abs`, `any`/`all` over arrays, `map(select(...)) | length`, `reduce` over
//! an iterated path, `unique`, `startswith`/`endswith` and `test` with constant
//! arguments, and `ascii_downcase`/`ascii_upcase`. [`Expr::from_term`] takes an expression when it stays inside the
//! subset; anything else stays jq's.

use jaq_core::load::parse::{BinaryOp, Term};
use jaq_core::path::{Opt, Part};

use crate::filter::jq::tree::{index_literal, literal_str};

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
    pub(super) f: fn(f64) -> f64,
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
    pub(super) re: regex_bites::bytes::Regex,
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
    /// `reduce gen as $name (init; update)`, the generator a path that iterates.
    Reduce {
        /// The generator path (`.prvDiaSources[]?`).
        gen: Box<Expr>,
        /// The variable each item is bound to.
        name: Box<str>,
        /// The first accumulator, evaluated on the input.
        init: Box<Expr>,
        /// The next accumulator, evaluated on the accumulator with the item bound.
        update: Box<Expr>,
    },
    /// `unique` of an array built by `[...]`.
    Unique,
    /// `startswith(s)` (false) and `endswith(s)` (true) with a constant string.
    Affix(Box<[u8]>, bool),
    /// `ascii_downcase` (false) and `ascii_upcase` (true).
    AsciiCase(bool),
    /// `tostring` of a scalar (a part of string interpolation).
    ToStr,
    /// `value as $name | body`
    Bind(Box<Expr>, Box<str>, Box<Expr>),
    /// `$name`
    Var(Box<str>),
    /// A question about the alert's position (whatever `.` is).
    Sky(SkyQ),
    /// `to_entries | map(select(cond)) | length` of a record: how many of its fields
    /// pass `cond`, which reads its entry only through `.key` and `.value`.
    CountEntries(Box<Expr>),
}

/// What the fast path asks of the sky about the alert being filtered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkyQ {
    /// `watchlist(NAME) | length`: how many of the watchlist's cones the alert is in.
    WatchCount(Box<str>),
    /// `in_moc(NAME)`: whether the alert is in the MOC.
    InMoc(Box<str>),
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
pub(super) type NamedFn = (&'static str, fn(f64) -> f64);

pub(super) const MATH_FNS: &[NamedFn] = &[
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

pub(super) fn b(e: Expr) -> Box<Expr> {
    Box::new(e)
}

/// The optional flag of a path part.
pub(super) fn optional(o: &Opt) -> bool {
    matches!(o, Opt::Optional)
}

/// A number literal as jaq reads it: an integer when it is one (and fits), else a float.
pub(super) fn number(n: &str) -> Option<Lit> {
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
            // `to_entries | map(select(C)) | length`, and what follows it.
            Term::BinOp(l, BinaryOp::Pipe(None), r) if matches!(&**l, Term::Call("to_entries", a) if a.is_empty()) => {
                Expr::count_entries(r)?
            }
            // `watchlist("x") | R`, where R reads its input (the matches) only through
            // `length`: R with the count in place of `length`.
            Term::BinOp(l, BinaryOp::Pipe(None), r) if matches!(&**l, Term::Call("watchlist", a) if a.len() == 1) =>
            {
                let Term::Call(_, args) = &**l else {
                    return None;
                };
                let name = literal_str(&args[0])?;
                Expr::from_term(r)?.length_of(&Expr::Sky(SkyQ::WatchCount(name.into())))?
            }
            Term::Fold("reduce", xs, jaq_core::load::parse::Pattern::Var(x), args) => {
                let [init, update] = args.as_slice() else {
                    return None;
                };
                Expr::Reduce {
                    gen: b(Expr::generator(xs)?),
                    name: (*x).into(),
                    init: b(Expr::from_term(init)?),
                    update: b(Expr::from_term(update)?),
                }
            }
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

    /// This expression with `with` for `length` of its input, when it reads its input
    /// through `length` alone (None otherwise).
    pub(super) fn length_of(&self, with: &Expr) -> Option<Expr> {
        self.rewrite_input(&|e| match e {
            Expr::Length => Some(Some(with.clone())),
            _ => None,
        })
    }

    /// This expression with `leaf` put where it reads its input. `leaf` answers first
    /// for every subexpression that sees the input: `Some(Some(e))` puts `e` there,
    /// `Some(None)` gives up. Where it has no answer, the operands that see the input are
    /// rewritten alike, and an expression that reads the input itself gives up.
    fn rewrite_input(&self, leaf: &dyn Fn(&Expr) -> Option<Option<Expr>>) -> Option<Expr> {
        if let Some(answer) = leaf(self) {
            return answer;
        }
        let sub = |e: &Expr| e.rewrite_input(leaf).map(Box::new);
        Some(match self {
            Expr::Empty | Expr::Lit(_) | Expr::Var(_) | Expr::Sky(_) => self.clone(),
            // Whatever follows a step reads that step's output, not this input.
            Expr::Path(base, segs) => Expr::Path(sub(base)?, segs.clone()),
            Expr::Pipe(l, r) => Expr::Pipe(sub(l)?, r.clone()),
            Expr::Collect(g, item) => Expr::Collect(sub(g)?, item.clone()),
            Expr::Cmp(op, l, r) => Expr::Cmp(*op, sub(l)?, sub(r)?),
            Expr::And(l, r) => Expr::And(sub(l)?, sub(r)?),
            Expr::Or(l, r) => Expr::Or(sub(l)?, sub(r)?),
            Expr::Alt(l, r) => Expr::Alt(sub(l)?, sub(r)?),
            Expr::Math(op, l, r) => Expr::Math(*op, sub(l)?, sub(r)?),
            Expr::Pow(l, r) => Expr::Pow(sub(l)?, sub(r)?),
            Expr::Neg(x) => Expr::Neg(sub(x)?),
            Expr::If(c, t, e) => Expr::If(sub(c)?, sub(t)?, sub(e)?),
            Expr::Bind(v, name, body) => Expr::Bind(sub(v)?, name.clone(), sub(body)?),
            Expr::Any(g, c) => Expr::Any(sub(g)?, c.clone()),
            Expr::All(g, c) => Expr::All(sub(g)?, c.clone()),
            // The update reads the accumulator, not this input.
            Expr::Reduce {
                gen,
                name,
                init,
                update,
            } => Expr::Reduce {
                gen: sub(gen)?,
                name: name.clone(),
                init: sub(init)?,
                update: update.clone(),
            },
            // These read the input itself.
            Expr::Cur
            | Expr::Select(_)
            | Expr::Not
            | Expr::Length
            | Expr::MathFn(_)
            | Expr::Round(_)
            | Expr::Test(_)
            | Expr::Agg(_)
            | Expr::Unique
            | Expr::Affix(..)
            | Expr::AsciiCase(_)
            | Expr::CountEntries(_)
            | Expr::ToStr => return None,
        })
    }

    /// `map(select(C)) | length` (then perhaps `| rest`) after `to_entries`.
    fn count_entries(after: &Term<&str>) -> Option<Expr> {
        let Term::BinOp(m, BinaryOp::Pipe(None), after) = after else {
            return None;
        };
        let Term::Call("map", margs) = &**m else {
            return None;
        };
        let [Term::Call("select", sargs)] = margs.as_slice() else {
            return None;
        };
        let [c] = sargs.as_slice() else {
            return None;
        };
        let count = Expr::CountEntries(b(Expr::from_term(c)?));
        let is_length = |t: &Term<&str>| matches!(t, Term::Call("length", a) if a.is_empty());
        match &**after {
            t if is_length(t) => Some(count),
            Term::BinOp(len, BinaryOp::Pipe(None), rest) if is_length(len) => {
                Some(Expr::Pipe(b(count), b(Expr::from_term(rest)?)))
            }
            _ => None,
        }
    }

    /// A condition on a `to_entries` entry `{key, value}` as one on the record itself,
    /// for its field `field`: `.value` is `.field`, `.key` is the name. `None` when the
    /// condition reads its entry otherwise (the entry itself, another key).
    pub(super) fn on_entry(&self, field: &str) -> Option<Expr> {
        self.rewrite_input(&|e| {
            let Expr::Path(base, segs) = e else {
                return None;
            };
            if !matches!(**base, Expr::Cur) {
                return None;
            }
            Some(match segs.split_first() {
                Some((Seg::Key(k, opt), rest)) if &**k == "value" => {
                    let mut segs = vec![Seg::Key(field.into(), *opt)];
                    segs.extend(rest.iter().cloned());
                    Some(Expr::Path(b(Expr::Cur), segs))
                }
                Some((Seg::Key(k, _), [])) if &**k == "key" => {
                    Some(Expr::Lit(Lit::Str(field.into())))
                }
                _ => None,
            })
        })
    }

    /// `.prvDiaSources[]` or `.prvDiaSources[]?`: a path whose last step iterates.
    pub(super) fn generator(t: &Term<&str>) -> Option<Expr> {
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
    pub(super) fn collect(inner: &Term<&str>) -> Option<Expr> {
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

    pub(super) fn call(name: &str, args: &[Term<&str>]) -> Option<Expr> {
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
            ("unique", []) => Expr::Unique,
            ("ascii_downcase", []) => Expr::AsciiCase(false),
            ("ascii_upcase", []) => Expr::AsciiCase(true),
            ("startswith", [s]) => Expr::Affix(literal_str(s)?.as_bytes().into(), false),
            ("endswith", [s]) => Expr::Affix(literal_str(s)?.as_bytes().into(), true),
            ("in_moc", [n]) => Expr::Sky(SkyQ::InMoc(literal_str(n)?.into())),
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
    pub(super) fn new(pattern: &str, flags: &str) -> Option<Re> {
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
