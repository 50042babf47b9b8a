//! What an expression can read of an alert, found from jaq's own parse tree.
//!
//! The analysis is an abstract interpretation of the expression: a value is a set of
//! paths into the alert it may be (a subtree, exactly) plus a flag for values computed
//! from something else. Walking the tree records, for every path, how it is used:
//!
//! * formed (`.a.b`, `.[]`): the nodes along it must exist with their real kinds, so
//!   that indexing, iteration and truthiness behave as on the whole alert;
//! * whole (compared, printed, turned into text, put in an array or object, passed
//!   to most builtins): the subtree must be decoded entirely;
//! * every child (`length`, `.[]`): all children must be there, each decoded as far
//!   as its own uses need.
//!
//! Variables bound to subtrees (`.diaSource as $s | $s.snr`), user `def`s, filter
//! arguments, `reduce`/`foreach`, and the standard library's own definitions (read
//! from their parse trees too) are followed. Where the analysis cannot bound what is
//! read (recursion it cannot unfold, a `catch` that reads an error message, a fold
//! that does not settle), it answers `None`: decode everything. A projection may cost
//! speed; it must never change an answer.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::astro;
use super::tree::literal_str;
use std::rc::Rc;
use std::sync::OnceLock;

use jaq_core::load::lex::StrPart;
use jaq_core::load::parse::{BinaryOp, Def, Pattern, Term};
use jaq_core::path::Part;

/// What must be decoded of one node of an alert.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Need {
    /// The whole subtree.
    pub whole: bool,
    /// Named record fields (each at least present, and decoded as its need says).
    pub fields: BTreeMap<String, Need>,
    /// Every child (array items, every record field), each decoded at least this far.
    pub any: Option<Box<Need>>,
}

impl Need {
    /// Everything.
    pub fn everything() -> Need {
        Need {
            whole: true,
            ..Need::default()
        }
    }

    /// The need of a named field: its own, merged with what every child needs.
    pub fn field(&self, name: &str) -> Option<Need> {
        match (self.fields.get(name), &self.any) {
            (None, None) => None,
            (Some(f), None) => Some(f.clone()),
            (None, Some(a)) => Some((**a).clone()),
            (Some(f), Some(a)) => {
                let mut n = f.clone();
                n.merge(a);
                Some(n)
            }
        }
    }

    /// What every item of an array needs (present, at least).
    pub fn items(&self) -> Need {
        self.any.as_deref().cloned().unwrap_or_default()
    }

    /// Add what `other` needs.
    pub fn merge(&mut self, other: &Need) {
        self.whole |= other.whole;
        for (k, v) in &other.fields {
            self.fields.entry(k.clone()).or_default().merge(v);
        }
        if let Some(a) = &other.any {
            self.any.get_or_insert_with(Box::default).merge(a);
        }
    }

    fn at(&mut self, path: &[Step]) -> &mut Need {
        let mut n = self;
        for s in path {
            n = match s {
                Step::Key(k) => n.fields.entry(k.clone()).or_default(),
                Step::Any => n.any.get_or_insert_with(Box::default),
            };
        }
        n
    }

    /// Whether some path needs the whole of its node.
    pub fn any_whole(&self) -> bool {
        self.whole
            || self.fields.values().any(Need::any_whole)
            || self.any.as_deref().is_some_and(Need::any_whole)
    }
}

/// One step down a path: a record field, or any child.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Any,
}

/// An abstract value: the alert subtrees it may be, and whether it may be something else.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Av {
    paths: BTreeSet<Vec<Step>>,
    /// May be a value computed from something other than a subtree.
    opaque: bool,
    /// May be an error's payload (inside a `catch`).
    error: bool,
    /// May be an array built by `[...]`, whose items are these.
    elems: Option<Box<Av>>,
}

impl Av {
    fn root() -> Av {
        Av {
            paths: [Vec::new()].into_iter().collect(),
            ..Av::default()
        }
    }

    fn opaque() -> Av {
        Av {
            opaque: true,
            ..Av::default()
        }
    }

    fn union(mut self, other: Av) -> Av {
        self.paths.extend(other.paths);
        self.opaque |= other.opaque;
        self.error |= other.error;
        self.elems = match (self.elems.take(), other.elems) {
            (Some(a), Some(b)) => Some(Box::new(a.union(*b))),
            (a, b) => a.or(b),
        };
        self
    }
}

/// How the expression's outputs are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Only whether they are null or false (a filter's verdict).
    Truth,
    /// Entirely (a rank or a visit key).
    Whole,
}

/// Where a name resolves.
enum Scope<'s> {
    Root,
    Var {
        name: &'s str,
        av: Av,
        up: Rc<Scope<'s>>,
    },
    Def {
        def: &'s Def<&'s str>,
        up: Rc<Scope<'s>>,
    },
    Param {
        name: &'s str,
        arg: &'s Term<&'s str>,
        env: Rc<Scope<'s>>,
        up: Rc<Scope<'s>>,
    },
}

enum Resolved<'s> {
    Def(&'s Def<&'s str>, Rc<Scope<'s>>),
    Param(&'s Term<&'s str>, Rc<Scope<'s>>),
    Native,
}

/// The standard library's definitions (jaq-core, jaq-std, jaq-json), by name and arity;
/// a later definition shadows an earlier one, as in jaq's prelude.
pub(crate) fn prelude() -> &'static HashMap<(&'static str, usize), Def<&'static str>> {
    static DEFS: OnceLock<HashMap<(&'static str, usize), Def<&'static str>>> = OnceLock::new();
    DEFS.get_or_init(|| {
        super::stdlib::std_defs()
            .map(|d| ((d.name, d.args.len()), d))
            .collect()
    })
}

/// Most calls deep before the analysis gives up (recursion it cannot unfold).
const MAX_DEPTH: usize = 48;
/// Most evaluation steps before it gives up (a blow-up it cannot bound).
const MAX_STEPS: usize = 200_000;
/// Longest path it follows.
const MAX_PATH: usize = 24;

struct Analyzer {
    need: Need,
    /// What natives read by themselves (the astronomy functions' fields): decoded, but
    /// not the expression's own paths, so not checked against a schema.
    reads: Need,
    gave_up: bool,
    depth: usize,
    steps: usize,
    comparisons: Vec<Comparison>,
}

/// The kind of a literal an alert path is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LiteralKind {
    /// A number.
    Number,
    /// A string.
    String,
    /// `true` or `false`.
    Boolean,
    /// `null`.
    Null,
}

/// A comparison (`==`, `<`, ...) of a path into the alert with a literal, as the
/// analysis found it (also through variables and definitions).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Comparison {
    /// The path: record field names, and `None` for "any item" (`.[]`, `.[0]`).
    pub path: Vec<Option<String>>,
    /// The literal's kind.
    pub kind: LiteralKind,
    /// The literal as written.
    pub literal: String,
}

/// Write a path as jq does: `.diaSource.band`, `.prvDiaSources[].psfFlux`.
pub fn path_text(path: &[Option<String>]) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let mut s = String::new();
    for step in path {
        match step {
            Some(k) => {
                s.push('.');
                s.push_str(k);
            }
            None => s.push_str("[]"),
        }
    }
    s
}

fn literal_of(t: &Term<&str>) -> Option<(LiteralKind, String)> {
    match t {
        Term::Num(n) => Some((LiteralKind::Number, n.to_string())),
        Term::Neg(n) => match &**n {
            Term::Num(x) => Some((LiteralKind::Number, format!("-{x}"))),
            _ => None,
        },
        Term::Call("true" | "false", args) if args.is_empty() => {
            let Term::Call(name, _) = t else { return None };
            Some((LiteralKind::Boolean, name.to_string()))
        }
        Term::Call("null", args) if args.is_empty() => Some((LiteralKind::Null, "null".into())),
        _ => literal_str(t).map(|s| (LiteralKind::String, format!("{s:?}"))),
    }
}

/// Every comparison of an alert path with a literal in `term`, sorted, without repeats.
pub fn comparisons(term: &Term<&str>) -> Vec<Comparison> {
    let mut a = Analyzer {
        need: Need::default(),
        reads: Need::default(),
        gave_up: false,
        depth: 0,
        steps: 0,
        comparisons: Vec::new(),
    };
    a.eval(term, &Av::root(), &Rc::new(Scope::Root));
    let mut c = a.comparisons;
    c.sort();
    c.dedup();
    c
}

/// What `term` can read of an alert, when its outputs are used as `usage` says; `None`
/// when that cannot be bounded (decode everything).
pub fn analyze(term: &Term<&str>, usage: Use) -> Option<Need> {
    analyze_parts(term, usage).map(|(mut own, reads)| {
        own.merge(&reads);
        own
    })
}

/// [`analyze`] in two parts: the expression's own paths (what `filter check` checks
/// against a schema), and what the natives it calls read by themselves (the astronomy
/// functions' fields, under every name the schema versions gave them).
pub fn analyze_parts(term: &Term<&str>, usage: Use) -> Option<(Need, Need)> {
    let mut a = Analyzer {
        need: Need::default(),
        reads: Need::default(),
        gave_up: false,
        depth: 0,
        steps: 0,
        comparisons: Vec::new(),
    };
    let out = a.eval(term, &Av::root(), &Rc::new(Scope::Root));
    match usage {
        Use::Truth => a.touch(&out),
        Use::Whole => a.whole(&out),
    }
    (!a.gave_up).then_some((a.need, a.reads))
}

fn resolve<'s>(scope: &Rc<Scope<'s>>, name: &'s str, arity: usize) -> Option<Resolved<'s>> {
    let mut s = scope;
    loop {
        match &**s {
            Scope::Root => break,
            Scope::Var { up, .. } => s = up,
            Scope::Def { def, up } => {
                if def.name == name && def.args.len() == arity {
                    return Some(Resolved::Def(def, s.clone()));
                }
                s = up;
            }
            Scope::Param {
                name: n,
                arg,
                env,
                up,
            } => {
                if *n == name && arity == 0 {
                    return Some(Resolved::Param(arg, env.clone()));
                }
                s = up;
            }
        }
    }
    if let Some(d) = prelude().get(&(name, arity)) {
        return Some(Resolved::Def(d, Rc::new(Scope::Root)));
    }
    super::stdlib::is_native(name, arity).then_some(Resolved::Native)
}

fn lookup_var(scope: &Rc<Scope<'_>>, name: &str) -> Option<Av> {
    let mut s = scope;
    loop {
        match &**s {
            Scope::Root => return None,
            Scope::Var { name: n, av, up } => {
                if *n == name {
                    return Some(av.clone());
                }
                s = up;
            }
            Scope::Def { up, .. } | Scope::Param { up, .. } => s = up,
        }
    }
}

impl Analyzer {
    fn give_up(&mut self) -> Av {
        self.gave_up = true;
        Av::opaque()
    }

    /// Paths formed: their nodes must exist with their real kinds.
    fn touch(&mut self, av: &Av) {
        if av.error {
            self.gave_up = true;
        }
        for p in &av.paths {
            self.need.at(p);
        }
    }

    /// Values used entirely (an array built by `[...]`: its items too).
    fn whole(&mut self, av: &Av) {
        if av.error {
            self.gave_up = true;
        }
        for p in &av.paths {
            self.need.at(p).whole = true;
        }
        if let Some(e) = &av.elems {
            self.whole(e);
        }
    }

    /// Values whose every child must be present (`length`).
    fn every_child(&mut self, av: &Av) {
        if av.error {
            self.gave_up = true;
        }
        for p in &av.paths {
            self.need.at(p).any.get_or_insert_with(Box::default);
        }
    }

    /// One step down from each path (and, for every child, into built arrays' items).
    fn step(&mut self, av: &Av, step: Step) -> Av {
        if av.error {
            self.gave_up = true;
        }
        let mut out = Av {
            opaque: av.opaque,
            ..Av::default()
        };
        if let (Step::Any, Some(e)) = (&step, &av.elems) {
            out = out.union((**e).clone());
        }
        for p in &av.paths {
            if p.len() >= MAX_PATH {
                self.gave_up = true;
                continue;
            }
            let mut q = p.clone();
            q.push(step.clone());
            self.need.at(&q);
            out.paths.insert(q);
        }
        out
    }

    fn eval<'s>(&mut self, t: &'s Term<&'s str>, input: &Av, scope: &Rc<Scope<'s>>) -> Av {
        self.steps += 1;
        if self.gave_up || self.steps > MAX_STEPS {
            return self.give_up();
        }
        match t {
            Term::Id => input.clone(),
            Term::Recurse => {
                self.whole(input);
                Av::opaque()
            }
            Term::Num(_) => Av::opaque(),
            Term::Str(_, parts) => {
                for p in parts {
                    if let StrPart::Term(x) = p {
                        let v = self.eval(x, input, scope);
                        self.whole(&v);
                    }
                }
                Av::opaque()
            }
            // An array's items are whatever `x` yields: what is used of them is
            // recorded where they are used (`length` uses none of them).
            Term::Arr(inner) => Av {
                opaque: true,
                elems: inner.as_ref().map(|x| Box::new(self.eval(x, input, scope))),
                ..Av::default()
            },
            Term::Obj(entries) => {
                for (k, v) in entries {
                    match (v, literal_str(k)) {
                        (Some(v), _) => {
                            if literal_str(k).is_none() {
                                let kv = self.eval(k, input, scope);
                                self.whole(&kv);
                            }
                            let vv = self.eval(v, input, scope);
                            self.whole(&vv);
                        }
                        // `{band}` is `{band: .band}`.
                        (None, Some(name)) => {
                            let f = self.step(input, Step::Key(name));
                            self.whole(&f);
                        }
                        // `{$x}` is `{x: $x}`; `{"\(...)"}` indexes by a computed key.
                        (None, None) => {
                            let kv = self.eval(k, input, scope);
                            self.whole(&kv);
                            if !matches!(k, Term::Var(_)) {
                                self.whole(input);
                            }
                        }
                    }
                }
                Av::opaque()
            }
            Term::Neg(x) => {
                let v = self.eval(x, input, scope);
                self.whole(&v);
                Av::opaque()
            }
            Term::BinOp(l, op, r) => self.binop(l, op, r, input, scope),
            Term::Label(_, x) => self.eval(x, input, scope),
            Term::Break(_) => Av::default(),
            Term::Fold(kind, xs, pat, args) => self.fold(kind, xs, pat, args, input, scope),
            Term::TryCatch(body, handler) => {
                let out = self.eval(body, input, scope);
                match handler {
                    None => out,
                    Some(h) => {
                        // The handler reads an error: a message may show projected values.
                        let payload = Av {
                            error: true,
                            ..Av::default()
                        };
                        let hv = self.eval(h, &payload, scope);
                        out.union(hv)
                    }
                }
            }
            Term::IfThenElse(branches, otherwise) => {
                let mut out = Av::default();
                for (cond, then) in branches {
                    let c = self.eval(cond, input, scope);
                    self.touch(&c);
                    out = out.union(self.eval(then, input, scope));
                }
                match otherwise {
                    Some(e) => out.union(self.eval(e, input, scope)),
                    None => out.union(input.clone()),
                }
            }
            Term::Def(defs, body) => {
                let mut s = scope.clone();
                for d in defs {
                    s = Rc::new(Scope::Def { def: d, up: s });
                }
                self.eval(body, input, &s)
            }
            Term::Call(name, args) => self.call(name, args, input, scope),
            Term::Var(name) => match lookup_var(scope, name) {
                Some(av) => av,
                None => Av::opaque(),
            },
            Term::Path(base, path) => {
                let mut v = self.eval(base, input, scope);
                for (part, _opt) in &path.0 {
                    v = match part {
                        Part::Index(i) => match (literal_str(i), i) {
                            (Some(key), _) => self.step(&v, Step::Key(key)),
                            (None, Term::Num(_)) => self.step(&v, Step::Any),
                            (None, Term::Neg(n)) if matches!(**n, Term::Num(_)) => {
                                self.step(&v, Step::Any)
                            }
                            _ => {
                                // An index computed from the path's own input.
                                let iv = self.eval(i, input, scope);
                                self.whole(&iv);
                                self.whole(&v);
                                Av::opaque()
                            }
                        },
                        Part::Range(None, None) => self.step(&v, Step::Any),
                        Part::Range(from, upto) => {
                            for b in from.iter().chain(upto) {
                                let bv = self.eval(b, input, scope);
                                self.whole(&bv);
                            }
                            self.whole(&v);
                            Av::opaque()
                        }
                    };
                }
                v
            }
        }
    }

    fn binop<'s>(
        &mut self,
        l: &'s Term<&'s str>,
        op: &'s BinaryOp<&'s str>,
        r: &'s Term<&'s str>,
        input: &Av,
        scope: &Rc<Scope<'s>>,
    ) -> Av {
        match op {
            BinaryOp::Pipe(None) => {
                let lv = self.eval(l, input, scope);
                self.eval(r, &lv, scope)
            }
            BinaryOp::Pipe(Some(pat)) => {
                let lv = self.eval(l, input, scope);
                let s = self.bind(pat, &lv, input, scope);
                self.eval(r, input, &s)
            }
            BinaryOp::Comma | BinaryOp::Alt => {
                let lv = self.eval(l, input, scope);
                self.touch(&lv);
                let rv = self.eval(r, input, scope);
                lv.union(rv)
            }
            BinaryOp::Or | BinaryOp::And => {
                let lv = self.eval(l, input, scope);
                self.touch(&lv);
                let rv = self.eval(r, input, scope);
                self.touch(&rv);
                Av::opaque()
            }
            BinaryOp::Math(_) | BinaryOp::Cmp(_) => {
                let lv = self.eval(l, input, scope);
                let rv = self.eval(r, input, scope);
                if matches!(op, BinaryOp::Cmp(_)) {
                    for (av, other) in [(&lv, r), (&rv, l)] {
                        if let Some((kind, literal)) = literal_of(other) {
                            for p in &av.paths {
                                self.comparisons.push(Comparison {
                                    path: p
                                        .iter()
                                        .map(|s| match s {
                                            Step::Key(k) => Some(k.clone()),
                                            Step::Any => None,
                                        })
                                        .collect(),
                                    kind,
                                    literal: literal.clone(),
                                });
                            }
                        }
                    }
                }
                self.whole(&lv);
                self.whole(&rv);
                Av::opaque()
            }
            BinaryOp::Assign | BinaryOp::Update | BinaryOp::UpdateMath(_) | BinaryOp::UpdateAlt => {
                // The result is the input, changed: all of it can be seen.
                self.whole(input);
                let lv = self.eval(l, input, scope);
                self.whole(&lv);
                let on = if matches!(op, BinaryOp::Update) {
                    lv
                } else {
                    input.clone()
                };
                let rv = self.eval(r, &on, scope);
                self.whole(&rv);
                Av::opaque()
            }
        }
    }

    /// Bind a pattern (`as $x`, `as [$a, $b]`, `as {a: $x}`) to the values `v`.
    fn bind<'s>(
        &mut self,
        pat: &'s Pattern<&'s str>,
        v: &Av,
        input: &Av,
        scope: &Rc<Scope<'s>>,
    ) -> Rc<Scope<'s>> {
        match pat {
            Pattern::Var(name) => Rc::new(Scope::Var {
                name,
                av: v.clone(),
                up: scope.clone(),
            }),
            Pattern::Arr(items) => {
                let item = self.step(v, Step::Any);
                let mut s = scope.clone();
                for p in items {
                    s = self.bind(p, &item, input, &s);
                }
                s
            }
            Pattern::Obj(entries) => {
                let mut s = scope.clone();
                for (key, p) in entries {
                    let field = match literal_str(key) {
                        Some(k) => self.step(v, Step::Key(k)),
                        None => {
                            let kv = self.eval(key, input, &s);
                            self.whole(&kv);
                            self.whole(v);
                            Av::opaque()
                        }
                    };
                    s = self.bind(p, &field, input, &s);
                }
                s
            }
        }
    }

    fn fold<'s>(
        &mut self,
        kind: &str,
        xs: &'s Term<&'s str>,
        pat: &'s Pattern<&'s str>,
        args: &'s [Term<&'s str>],
        input: &Av,
        scope: &Rc<Scope<'s>>,
    ) -> Av {
        let xv = self.eval(xs, input, scope);
        let s = self.bind(pat, &xv, input, scope);
        let (Some(init), Some(update)) = (args.first(), args.get(1)) else {
            return self.give_up();
        };
        let mut acc = self.eval(init, input, scope);
        let mut emitted = Av::default();
        for round in 0.. {
            if round == 10 {
                return self.give_up();
            }
            let upd = self.eval(update, &acc, &s);
            if kind == "foreach" {
                emitted = emitted.union(match args.get(2) {
                    Some(extract) => self.eval(extract, &upd, &s),
                    None => upd.clone(),
                });
            }
            let next = acc.clone().union(upd);
            if next == acc {
                break;
            }
            acc = next;
        }
        if kind == "foreach" {
            emitted
        } else {
            acc
        }
    }

    fn call<'s>(
        &mut self,
        name: &'s str,
        args: &'s [Term<&'s str>],
        input: &Av,
        scope: &Rc<Scope<'s>>,
    ) -> Av {
        match resolve(scope, name, args.len()) {
            None => self.give_up(),
            Some(Resolved::Param(arg, env)) => {
                self.depth += 1;
                let out = if self.depth > MAX_DEPTH {
                    self.give_up()
                } else {
                    self.eval(arg, input, &env)
                };
                self.depth -= 1;
                out
            }
            Some(Resolved::Def(def, env)) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    self.depth -= 1;
                    return self.give_up();
                }
                let mut s = env;
                for (param, arg) in def.args.iter().zip(args) {
                    if let Some(plain) = param.strip_prefix('$') {
                        // `def f($x)`: the argument's outputs bound to $x, and `x` as a filter.
                        let av = self.eval(arg, input, scope);
                        s = Rc::new(Scope::Var {
                            name: param,
                            av,
                            up: s,
                        });
                        s = Rc::new(Scope::Param {
                            name: plain,
                            arg,
                            env: scope.clone(),
                            up: s,
                        });
                    } else {
                        s = Rc::new(Scope::Param {
                            name: param,
                            arg,
                            env: scope.clone(),
                            up: s,
                        });
                    }
                }
                let out = self.eval(&def.body, input, &s);
                self.depth -= 1;
                out
            }
            Some(Resolved::Native) => self.native(name, args, input, scope),
        }
    }

    /// Arguments used as values, entirely.
    fn value_args<'s>(&mut self, args: &'s [Term<&'s str>], input: &Av, scope: &Rc<Scope<'s>>) {
        for a in args {
            let v = self.eval(a, input, scope);
            self.whole(&v);
        }
    }

    /// The natives' use of their input and arguments.
    fn native<'s>(
        &mut self,
        name: &str,
        args: &'s [Term<&'s str>],
        input: &Av,
        scope: &Rc<Scope<'s>>,
    ) -> Av {
        match (name, args) {
            ("length", []) => {
                self.every_child(input);
                Av::opaque()
            }
            // Constants ([`super::stdlib`] makes jq's definitions of these native).
            ("null" | "true" | "false", []) => Av::opaque(),
            ("empty", []) => Av::default(),
            // Only the input's truth is read, as `if . then false else true end` reads it.
            ("not", []) => {
                self.touch(input);
                Av::opaque()
            }
            // Their outputs are their filter argument's outputs.
            ("first" | "last", [f]) => self.eval(f, input, scope),
            // The light-curve functions read the detections' times, bands and fluxes.
            (name, _) if astro::HISTORY_FUNCTIONS.contains(&name) => {
                self.value_args(args, input, scope);
                self.touch(input);
                for p in &input.paths {
                    for f in astro::HISTORY_FIELDS {
                        let own = [Step::Key("diaSource".into()), Step::Key(f.into())];
                        let prv = [
                            Step::Key("prvDiaSources".into()),
                            Step::Any,
                            Step::Key(f.into()),
                        ];
                        for tail in [&own[..], &prv[..]] {
                            let mut q = p.clone();
                            q.extend(tail.iter().cloned());
                            self.reads.at(&q).whole = true;
                        }
                    }
                }
                Av::opaque()
            }
            // The sky functions read the alert's position, wherever they are called.
            (name, [_]) if astro::SKY_FUNCTIONS.contains(&name) => {
                self.value_args(args, input, scope);
                for f in astro::POSITION_FIELDS {
                    let q = [Step::Key("diaSource".into()), Step::Key(f.into())];
                    self.reads.at(&q).whole = true;
                }
                Av::opaque()
            }
            ("limit" | "skip", [n, f]) => {
                let nv = self.eval(n, input, scope);
                self.whole(&nv);
                self.eval(f, input, scope)
            }
            _ => {
                // Everything else may look at all of its input and its arguments'
                // values; filter arguments may run on the input or on its children.
                self.whole(input);
                let child = self.step(input, Step::Any);
                for a in args {
                    let on_input = self.eval(a, input, scope);
                    self.whole(&on_input);
                    let on_child = self.eval(a, &child, scope);
                    self.whole(&on_child);
                }
                if name == "error_empty" {
                    Av::default()
                } else {
                    Av::opaque()
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(expr: &str) -> Option<Need> {
        let t = jaq_core::load::parse(expr, |p| p.term()).expect("parses");
        analyze(&t, Use::Truth)
    }

    /// The paths (dotted, `[]` for every child) decoded whole, and those only formed.
    fn shape(n: &Need) -> (BTreeSet<String>, BTreeSet<String>) {
        fn walk(n: &Need, at: String, whole: &mut BTreeSet<String>, formed: &mut BTreeSet<String>) {
            if n.whole {
                whole.insert(at.clone());
            } else if n.fields.is_empty() && n.any.is_none() {
                formed.insert(at.clone());
            }
            for (k, c) in &n.fields {
                walk(c, format!("{at}.{k}"), whole, formed);
            }
            if let Some(a) = &n.any {
                walk(a, format!("{at}[]"), whole, formed);
            }
        }
        let (mut w, mut f) = (BTreeSet::new(), BTreeSet::new());
        walk(n, String::new(), &mut w, &mut f);
        (w, f)
    }

    fn whole(expr: &str) -> BTreeSet<String> {
        shape(&need(expr).unwrap_or_else(|| panic!("{expr}: not bounded"))).0
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn paths_in_every_syntactic_position() {
        assert_eq!(whole(".diaSource.snr > 5"), set(&[".diaSource.snr"]));
        // Interpolation, object construction (shorthand and computed), arrays.
        assert_eq!(
            whole(r#""\(.diaSource.band)" == "r""#),
            set(&[".diaSource.band"])
        );
        assert_eq!(
            whole("{band: .diaSource.band} | .band"),
            set(&[".diaSource.band"])
        );
        assert_eq!(whole(".diaSource | {band}"), set(&[".diaSource.band"]));
        assert_eq!(
            whole("{(.diaSource.band): .diaSource.snr}"),
            set(&[".diaSource.band", ".diaSource.snr"])
        );
        assert_eq!(
            whole("[.prvDiaSources[]?.snr] | add > 5"),
            set(&[".prvDiaSources[].snr"])
        );
        // Only the count of a built array is used: nothing in it is decoded whole.
        assert_eq!(
            whole("[.prvDiaSources[]? | select(.band == \"g\")] | length > 2"),
            set(&[".prvDiaSources[].band"])
        );
        // Variables bound to subtrees, destructuring.
        assert_eq!(
            whole(".diaSource as $s | $s.snr > 5"),
            set(&[".diaSource.snr"])
        );
        assert_eq!(
            whole(".diaSource as {band: $b, $snr} | $b == \"r\" and $snr > 1"),
            set(&[".diaSource.band", ".diaSource.snr"])
        );
        // User defs with filter and value arguments.
        assert_eq!(
            whole("def bright(f): f > 100; bright(.diaSource.psfFlux)"),
            set(&[".diaSource.psfFlux"])
        );
        assert_eq!(
            whole("def m($f): -2.5 * ($f | log10) + 31.4; m(.diaSource.psfFlux) < 20"),
            set(&[".diaSource.psfFlux"])
        );
        // The standard library's definitions are followed: select, any, map, test.
        assert_eq!(
            whole("any(.prvDiaSources[]?; .band == \"g\")"),
            set(&[".prvDiaSources[].band"])
        );
        assert_eq!(
            whole("select(.diaObject.nDiaSources > 3)"),
            set(&[".diaObject.nDiaSources"])
        );
        assert_eq!(
            whole("[.prvDiaSources[]? | .snr] | max > 5"),
            set(&[".prvDiaSources[].snr"])
        );
        assert_eq!(
            whole(".diaSource.band | test(\"^[gr]$\")"),
            set(&[".diaSource.band"])
        );
        // reduce and foreach.
        assert_eq!(
            whole("reduce .prvDiaSources[]? as $p (0; . + $p.psfFlux) > 10"),
            set(&[".prvDiaSources[].psfFlux"])
        );
    }

    #[test]
    fn whole_objects_when_builtins_look_at_them() {
        for e in [
            ".diaSource | keys | length > 3",
            ".diaSource | to_entries | length > 3",
            ".diaSource | tostring | length > 3",
            ".diaSource | has(\"snr\")",
            ".diaSource | tojson | length > 3",
            "\"\\(.diaSource)\" | length > 3",
        ] {
            assert!(whole(e).contains(".diaSource"), "{e}: {:?}", whole(e));
        }
        // `length` of an object needs every field present, not decoded.
        let n = need("(.diaSource | length) > 5").unwrap();
        let ds = &n.fields["diaSource"];
        assert!(!ds.whole && ds.any.is_some(), "{ds:?}");
        // `..` and `.[]` over the whole alert.
        assert!(need("[..] | length > 3").unwrap().whole);
        assert!(need("[.[]] | length > 3").unwrap().any.is_some());
    }

    #[test]
    fn what_cannot_be_bounded_decodes_everything() {
        assert!(need("def f: .a | f; f").is_none(), "recursion");
        assert!(
            need("try (.diaSource | .[0]) catch length").is_none(),
            "reads an error"
        );
        assert!(
            need("reduce range(3) as $i (.; .a)").is_none(),
            "a fold that grows"
        );
        // A catch that ignores the error is fine.
        assert!(need("try .diaSource.snr catch false").is_some());
    }

    #[test]
    fn paths_formed_keep_their_nodes() {
        let (w, f) = shape(&need(".diaSource.snr.x == null").unwrap());
        assert!(w.contains(".diaSource.snr.x"));
        // Indexing snr must still fail when snr is a number: snr is decoded.
        assert!(f.is_empty() || !f.contains(".diaSource"));
        let (_, formed) = shape(&need(".prvDiaSources[] | 1").unwrap());
        assert!(formed.contains(".prvDiaSources[]"), "{formed:?}");
    }
}
