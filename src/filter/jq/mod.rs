//! The jq front end: expressions parsed by jaq's own parser (jaq-core, jaq-std,
//! jaq-json) and compiled against a confined standard library.
//!
//! * [`tree`] is the shape of jaq's parse tree, in one place;
//! * [`analysis`] is the paths an expression reads, for projected decoding;
//! * [`stdlib`] is the confined standard library and its natives;
//! * [`astro`] is its astronomy: magnitudes, coordinates, light curves, watchlists, MOCs;
//! * this module: [`Program`], compilation, the bound check and evaluation.
//!
//! **Confined by construction.** Filters compile against a standard library from which
//! every definition and native function that reaches the host has been removed: the
//! environment (`env`, `$ENV`), other inputs (`input`, `inputs`, `input_filename`), the
//! process (`halt`, `halt_error`, `$__prog_args`), side channels (`debug`, `stderr`), the
//! clock and local time (`now`, `localtime`, `strflocaltime`) and module search paths
//! (`get_search_list`). They are undefined wherever they appear, and the error says why.
//!
//! **Bounded by default.** Constructs that can run forever or grow without bound are
//! refused when a filter is compiled: recursive `def`s, `repeat`, `while`, `until`,
//! `recurse(f)`, `combinations`, and `range` with a bound that is not a small constant.
//! A filter can opt in to them (`unbounded`); the evaluation guard ([`crate::filter::guard`])
//! then ends the process before any commit if one of its evaluations runs away.
//!
//! **Read from the parse tree.** The path analysis ([`analysis`]) and the fast path
//! ([`crate::filter::fast`]) work on the tree jaq parsed, never on tokens.

use jaq_core::load::parse::{BinaryOp, Pattern, Term};
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{data, unwrap_valr, Compiler, Ctx, Vars};
use jaq_json::Val;

pub mod analysis;
pub mod astro;
pub mod stdlib;
pub mod tree;

use crate::filter::fast;
use analysis::{Need, Use};
pub use stdlib::host_reason;
use stdlib::{natives, std_defs};
use tree::{constant, subterms};

/// Largest constant `range` a bounded filter may use.
pub const MAX_RANGE: f64 = 100_000.0;

/// Calls a bounded filter may not make, and why: they can run forever or grow without bound.
const UNBOUNDED: &[(&str, usize, &str)] = &[
    ("repeat", 1, "repeats forever"),
    (
        "while",
        2,
        "loops until its condition fails, which may be never",
    ),
    (
        "until",
        2,
        "loops until its condition holds, which may be never",
    ),
    (
        "recurse",
        1,
        "recurses as long as its argument yields, which may be forever",
    ),
    (
        "recurse",
        2,
        "recurses as long as its arguments yield, which may be forever",
    ),
    ("combinations", 0, "yields exponentially many values"),
    ("combinations", 1, "yields exponentially many values"),
];

/// A filter expression that did not compile, or is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JqError(pub String);

/// How to compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Allow constructs that may not terminate (the evaluation guard still applies).
    pub unbounded: bool,
    /// How the outputs are used (a verdict, or a value such as a rank).
    pub usage: Use,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            unbounded: false,
            usage: Use::Truth,
        }
    }
}

/// A compiled expression.
pub struct Program {
    filter: jaq_core::Filter<data::JustLut<Val>>,
    /// What it reads of an alert (None: possibly everything).
    need: Option<Need>,
    /// The paths it reads itself (without what natives read on their own).
    own: Option<Need>,
    /// The watchlists and MOCs it names.
    sky: Vec<SkyRef>,
    /// Its comparisons of alert paths with literals.
    comparisons: Vec<analysis::Comparison>,
    /// Its fast-path form, when it has one.
    fast: Option<fast::Expr>,
    source: String,
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Program")
            .field("source", &self.source)
            .field("need", &self.need)
            .field("fast", &self.fast.is_some())
            .finish()
    }
}

/// The longest expression text accepted (real filters are well under 4 KiB).
pub const MAX_EXPR_BYTES: usize = 16 * 1024;

/// The deepest expression tree accepted: parsing, analysing and evaluating recurse
/// along the tree, and a deeper one could exhaust the stack and abort the process.
pub const MAX_DEPTH: usize = 256;

/// Refuse an expression too long, or nested too deep for the stack. Parsing itself
/// recurses, so it runs here on a thread with a large stack, which also drops the tree.
fn check_size(expr: &str) -> Result<(), JqError> {
    if expr.len() > MAX_EXPR_BYTES {
        return Err(JqError(format!(
            "the expression is {} bytes; at most {MAX_EXPR_BYTES} are accepted",
            expr.len()
        )));
    }
    let parsed = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("jq-parse".into())
            .stack_size(256 << 20) // reserved, not committed: pages are used as touched
            .spawn_scoped(s, || {
                let Ok(tokens) = jaq_core::load::Lexer::new(expr).lex() else {
                    // Not even lexed: the loader says why (here, where deep input
                    // cannot exhaust the stack).
                    let arena = Arena::default();
                    let e = Loader::new(std_defs())
                        .load(
                            &arena,
                            File {
                                code: expr,
                                path: (),
                            },
                        )
                        .err()
                        .map(|errs| first_few(errs.iter().map(|(_, e)| describe_load_error(e))));
                    return Err(e.unwrap_or_else(|| "cannot be read".into()));
                };
                let nesting = token_depth(&tokens);
                let term = jaq_core::load::Parser::new(&tokens)
                    .parse(|p| p.term())
                    .ok();
                Ok(nesting.max(term.map_or(0, |t: Term<&str>| depth(&t))))
            })
            .map_err(|e| JqError(format!("cannot start the parser: {e}")))?
            .join()
            .map_err(|_| JqError("the parser failed".into()))
    })?;
    match parsed {
        Err(why) => Err(JqError(format!("cannot parse `{}`: {why}", shown(expr)))),
        Ok(d) if d > MAX_DEPTH => Err(JqError(format!(
            "the expression nests {d} deep; at most {MAX_DEPTH} levels are accepted"
        ))),
        Ok(_) => Ok(()), // a parse error is reported by the loader, with its reasons
    }
}

/// An expression as errors quote it: whole when short, else its start.
fn shown(expr: &str) -> String {
    const MAX: usize = 120;
    if expr.chars().count() <= MAX {
        expr.to_string()
    } else {
        let head: String = expr.chars().take(MAX).collect();
        format!("{head}... ({} bytes)", expr.len())
    }
}

/// The first few of many reasons, joined; a count for the rest.
fn first_few(reasons: impl Iterator<Item = String>) -> String {
    let all: Vec<String> = reasons.map(|r| shown(&r)).collect();
    let mut text = all.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
    if all.len() > 3 {
        text.push_str(&format!("; and {} more", all.len() - 3));
    }
    text
}

/// The deepest nesting of blocks (`(`, `[`, `{`) and interpolated strings in a token
/// tree, walked without recursion.
fn token_depth(tokens: &[jaq_core::load::lex::Token<&str>]) -> usize {
    use jaq_core::load::lex::{StrPart, Tok};
    let mut deepest = 0;
    let mut stack: Vec<(&[jaq_core::load::lex::Token<&str>], usize)> = vec![(tokens, 1)];
    while let Some((ts, d)) = stack.pop() {
        deepest = deepest.max(d);
        for t in ts {
            match &t.1 {
                Tok::Block(inner) => stack.push((inner, d + 1)),
                Tok::Str(parts) => {
                    for p in parts {
                        if let StrPart::Term(x) = p {
                            stack.push((std::slice::from_ref(x), d + 1));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    deepest
}

/// The deepest nesting of an expression tree, counting binding patterns; the tree is
/// walked without recursion (patterns are walked recursively, on the caller's stack).
pub(crate) fn depth(t: &Term<&str>) -> usize {
    fn pattern_depth(p: &Pattern<&str>) -> usize {
        match p {
            Pattern::Var(_) => 1,
            Pattern::Arr(ps) => 1 + ps.iter().map(pattern_depth).max().unwrap_or(0),
            Pattern::Obj(es) => {
                1 + es
                    .iter()
                    .map(|(k, p)| depth(k).max(pattern_depth(p)))
                    .max()
                    .unwrap_or(0)
            }
        }
    }
    let mut deepest = 0;
    let mut stack = vec![(t, 1usize)];
    while let Some((t, d)) = stack.pop() {
        let pattern = match t {
            Term::BinOp(_, BinaryOp::Pipe(Some(p)), _) | Term::Fold(_, _, p, _) => pattern_depth(p),
            _ => 0,
        };
        deepest = deepest.max(d + pattern);
        stack.extend(subterms(t).into_iter().map(|s| (s, d + 1)));
    }
    deepest
}

/// A name visible where a call is made, while checking boundedness.
enum Visible<'s> {
    Def(&'s str, usize),
    Param(&'s str),
}

/// Refuse what may not terminate: recursive `def`s, the unbounded standard functions,
/// and ranges whose bound is not a small constant.
fn check_bounded<'s>(
    t: &'s Term<&'s str>,
    visible: &mut Vec<Visible<'s>>,
    defining: &mut Vec<(String, usize)>,
) -> Result<(), JqError> {
    match t {
        Term::Def(defs, body) => {
            let mark = visible.len();
            for d in defs {
                visible.push(Visible::Def(d.name, d.args.len()));
                let inner = visible.len();
                for a in &d.args {
                    visible.push(Visible::Param(a.trim_start_matches('$')));
                }
                defining.push((d.name.to_string(), d.args.len()));
                check_bounded(&d.body, visible, defining)?;
                defining.pop();
                visible.truncate(inner);
            }
            check_bounded(body, visible, defining)?;
            visible.truncate(mark);
            return Ok(());
        }
        Term::Call(name, args) => {
            let arity = args.len();
            let user = visible.iter().rev().find(|v| match v {
                Visible::Def(n, a) => n == name && *a == arity,
                Visible::Param(n) => n == name && arity == 0,
            });
            match user {
                Some(Visible::Def(n, a)) => {
                    if defining.iter().any(|(dn, da)| dn == n && da == a) {
                        return Err(JqError(format!(
                            "`{name}` calls itself: a recursive definition may never end; \
                             filters are bounded unless the filter is marked unbounded \
                             (--allow-unbounded, or unbounded = true in filters.toml)"
                        )));
                    }
                }
                Some(Visible::Param(_)) => {}
                None => {
                    if let Some((_, _, why)) =
                        UNBOUNDED.iter().find(|(n, a, _)| n == name && *a == arity)
                    {
                        return Err(JqError(format!(
                            "`{name}/{arity}` {why}: filters are bounded unless the filter is marked \
                             unbounded (--allow-unbounded, or unbounded = true in filters.toml)"
                        )));
                    }
                    if *name == "range" {
                        check_range(args)?;
                    }
                }
            }
        }
        _ => {}
    }
    for s in subterms(t) {
        check_bounded(s, visible, defining)?;
    }
    Ok(())
}

fn check_range(args: &[Term<&str>]) -> Result<(), JqError> {
    let bounds: Option<Vec<f64>> = args.iter().map(constant).collect();
    let count = match bounds.as_deref() {
        Some([to]) => Some(*to),
        Some([from, to]) => Some(to - from),
        Some([from, to, by]) if *by != 0.0 => Some((to - from) / by),
        _ => None,
    };
    match count {
        Some(n) if n.is_finite() && n <= MAX_RANGE => Ok(()),
        _ => Err(JqError(format!(
            "`range` needs constant bounds of at most {MAX_RANGE} steps (and a step that is not 0) \
             in a bounded filter: a range computed from data may be huge or endless; mark the \
             filter unbounded (--allow-unbounded, or unbounded = true in filters.toml) to allow it"
        ))),
    }
}

/// A watchlist or MOC an expression names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SkyRef {
    /// `watchlist` or `in_moc`.
    pub function: &'static str,
    /// The name it is called with.
    pub name: String,
}

/// The watchlists and MOCs `t` names; the sky functions take a name written out, so
/// that a filter set can say at its start which it needs.
fn sky_refs(t: &Term<&str>) -> Result<Vec<SkyRef>, String> {
    fn walk(t: &Term<&str>, out: &mut Vec<SkyRef>) -> Result<(), String> {
        if let Term::Call(name, args) = t {
            if let (Some(f), [arg]) = (
                astro::SKY_FUNCTIONS.iter().find(|f| *f == name),
                args.as_slice(),
            ) {
                match tree::literal_str(arg) {
                    Some(n) => out.push(SkyRef {
                        function: f,
                        name: n.to_string(),
                    }),
                    None => {
                        return Err(format!(
                            "{f}(...) takes the name of a declared {} written as a string, \
                             e.g. {f}(\"name\")",
                            if *f == "watchlist" {
                                "watchlist"
                            } else {
                                "MOC"
                            }
                        ))
                    }
                }
            }
        }
        subterms(t).into_iter().try_for_each(|s| walk(s, out))
    }
    let mut out = Vec::new();
    walk(t, &mut out)?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// Explain an undefined name: why it is missing when it reaches the host.
fn undefined(name: &str, what: &str) -> String {
    match host_reason(name) {
        Some(why) => {
            format!("`{name}` is not available to filters: {why}; filters see only the alert")
        }
        None => format!("{what} `{name}` is not defined"),
    }
}

impl Program {
    /// Compile `expr` for a filter verdict, bounded.
    pub fn compile(expr: &str) -> Result<Program, JqError> {
        Program::compile_with(expr, Options::default())
    }

    /// Compile `expr` with `options`.
    pub fn compile_with(expr: &str, options: Options) -> Result<Program, JqError> {
        check_size(expr)?;
        let loader = Loader::new(std_defs());
        let arena = Arena::default();
        let modules = loader
            .load(
                &arena,
                File {
                    code: expr,
                    path: (),
                },
            )
            .map_err(|errs| {
                JqError(format!(
                    "cannot parse `{}`: {}",
                    shown(expr),
                    first_few(errs.iter().map(|(_, e)| describe_load_error(e)))
                ))
            })?;
        let filter = Compiler::default()
            .with_funs(natives())
            .compile(modules)
            .map_err(|errs| {
                let what: Vec<String> = errs
                    .iter()
                    .flat_map(|(_, es)| {
                        es.iter().map(|(name, undef)| {
                            let kind = match undef {
                                jaq_core::compile::Undefined::Var => "variable",
                                jaq_core::compile::Undefined::Filter(_) => "function",
                                _ => "name",
                            };
                            undefined(name, kind)
                        })
                    })
                    .collect();
                JqError(format!(
                    "cannot compile `{}`: {}",
                    shown(expr),
                    first_few(what.into_iter())
                ))
            })?;
        // The loader accepted it, and modules cannot be loaded: it is one term.
        let term = jaq_core::load::parse(expr, |p| p.term())
            .ok_or_else(|| JqError(format!("cannot parse `{}`", shown(expr))))?;
        if !options.unbounded {
            check_bounded(&term, &mut Vec::new(), &mut Vec::new())
                .map_err(|e| JqError(format!("`{}`: {}", shown(expr), e.0)))?;
        }
        let sky = sky_refs(&term).map_err(|e| JqError(format!("`{}`: {e}", shown(expr))))?;
        let parts = analysis::analyze_parts(&term, options.usage);
        Ok(Program {
            filter,
            comparisons: analysis::comparisons(&term),
            need: parts.clone().map(|(mut own, reads)| {
                own.merge(&reads);
                own
            }),
            own: parts.map(|(own, _)| own),
            sky,
            fast: fast::Expr::from_term(&term),
            source: expr.to_string(),
        })
    }

    /// The expression's comparisons of alert paths with literals.
    pub fn comparisons(&self) -> &[analysis::Comparison] {
        &self.comparisons
    }

    /// What the expression reads of an alert (None: possibly everything).
    pub fn need(&self) -> Option<&Need> {
        self.need.as_ref()
    }

    /// The paths the expression reads itself, which a schema must have (None: possibly
    /// everything); [`Program::need`] adds what the natives it calls read.
    pub fn own_need(&self) -> Option<&Need> {
        self.own.as_ref()
    }

    /// The watchlists and MOCs it names (`watchlist("x")`, `in_moc("y")`).
    pub fn sky_refs(&self) -> &[SkyRef] {
        &self.sky
    }

    /// The fast-path form of the expression, when it is in the fast subset.
    pub fn fast(&self) -> Option<&fast::Expr> {
        self.fast.as_ref()
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Run on `input`, taking at most `max_outputs` outputs.
    pub fn run(&self, input: Val, max_outputs: usize) -> Result<Vec<Val>, JqError> {
        let ctx = Ctx::<data::JustLut<Val>>::new(&self.filter.lut, Vars::new([]));
        let mut out = Vec::new();
        for r in self.filter.id.run((ctx, input)).map(unwrap_valr) {
            match r {
                Ok(v) => out.push(v),
                Err(e) => return Err(JqError(format!("{e}"))),
            }
            if out.len() >= max_outputs {
                break;
            }
        }
        Ok(out)
    }

    /// Whether the expression passes `input`: it yields at least one value that is
    /// neither false nor null (within `max_outputs`).
    pub fn passes(&self, input: Val, max_outputs: usize) -> Result<bool, JqError> {
        let ctx = Ctx::<data::JustLut<Val>>::new(&self.filter.lut, Vars::new([]));
        for (n, r) in self
            .filter
            .id
            .run((ctx, input))
            .map(unwrap_valr)
            .enumerate()
        {
            match r {
                Ok(Val::Null) | Ok(Val::Bool(false)) => {}
                Ok(_) => return Ok(true),
                Err(e) => return Err(JqError(format!("{e}"))),
            }
            if n + 1 >= max_outputs {
                return Err(JqError(format!(
                    "more than {max_outputs} outputs without a true one"
                )));
            }
        }
        Ok(false)
    }
}

fn describe_load_error(e: &jaq_core::load::Error<&str>) -> String {
    use jaq_core::load::Error;
    match e {
        Error::Io(errs) => errs
            .iter()
            .map(|(path, why)| format!("cannot load module {path}: {why}"))
            .collect::<Vec<_>>()
            .join("; "),
        Error::Lex(errs) => errs
            .iter()
            .map(|(expect, found)| format!("expected {}, found `{}`", expect.as_str(), head(found)))
            .collect::<Vec<_>>()
            .join("; "),
        Error::Parse(errs) => errs
            .iter()
            .map(|(expect, found)| {
                if found.is_empty() {
                    format!("expected {} at the end", expect.as_str())
                } else {
                    format!("expected {}, found `{}`", expect.as_str(), head(found))
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The start of the text where an error was found.
fn head(s: &str) -> String {
    s.chars().take(20).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(json: &str) -> Val {
        jaq_json::read::parse_single(json.as_bytes()).unwrap()
    }

    #[test]
    fn pass_means_some_output_neither_false_nor_null() {
        let a = val(r#"{"diaSource": {"snr": 7, "psfFlux": 5e-5}}"#);
        let p = Program::compile(".diaSource.snr > 5 and .diaSource.psfFlux > 3.631e-5").unwrap();
        assert!(p.passes(a.clone(), 100).unwrap());
        let passes = |e: &str| Program::compile(e).unwrap().passes(a.clone(), 100);
        assert!(passes("select(.diaSource.snr > 5)").unwrap());
        assert!(!passes(".diaSource.snr > 50").unwrap());
        assert!(!passes("empty").unwrap());
        assert!(!passes(".nothing").unwrap());
        assert!(passes("null, false, 1").unwrap());
        assert!(passes("error(\"x\")").is_err());
    }

    #[test]
    fn host_functions_are_not_installed() {
        for bad in [
            "$ENV.HOME",
            "env.HOME",
            "\"\\(env.HOME)\" | test(\"root\")",
            "input",
            "[inputs]",
            "halt",
            "\"\\(halt)\"",
            "halt_error(1)",
            "debug",
            "stderr",
            "now",
            "localtime",
            "def f: env; f",
            "select(now > 0)",
            ". as $x | $x | debug",
            "[1] | map(halt)",
            "$__prog_args",
            "get_search_list",
            "input_filename",
        ] {
            let e = Program::compile(bad).unwrap_err().0;
            assert!(e.contains("is not available to filters"), "{bad}: {e}");
        }
        // Fields of those names are fine; so is a user's own definition of one.
        for ok in [
            ".env",
            ".debug > 1",
            ".\"now\"",
            "{\"env\": 1}.env",
            "def now: 5; now > 1",
        ] {
            assert!(Program::compile(ok).is_ok(), "{ok}");
        }
        assert!(Program::compile(".a |||")
            .unwrap_err()
            .0
            .contains("cannot parse"));
        assert!(Program::compile("nosuchfunction(1)")
            .unwrap_err()
            .0
            .contains("`nosuchfunction` is not defined"));
    }

    #[test]
    fn unbounded_constructs_are_refused_unless_allowed() {
        for bad in [
            "until(false; .)",
            "[limit(1e9; repeat(1))]",
            "def f: f; f",
            "def f(x): x | f(x); f(.)",
            "def a: def b: a; b; a",
            "[.[] | while(true; .)]",
            "[recurse(. + 1)] | length",
            "[range(1e9)] | length",
            "range(.diaSource.snr)",
            "range(0; 10; 0)",
            "[.prvDiaSources[]?] | combinations",
        ] {
            let e = Program::compile(bad).unwrap_err().0;
            assert!(e.contains("unbounded"), "{bad}: {e}");
            let allowed = Program::compile_with(
                bad,
                Options {
                    unbounded: true,
                    ..Options::default()
                },
            );
            assert!(allowed.is_ok(), "{bad} with unbounded: {allowed:?}");
        }
        for ok in [
            "[range(10)] | length",
            "[.[] | recurse] | length",
            "[..] | length",
            "def f(x): x + 1; f(.a)",
            "def f: 1; def g: f + f; g",
            "def repeat(f): f; repeat(1)",
            "limit(3; .[])",
        ] {
            assert!(
                Program::compile(ok).is_ok(),
                "{ok}: {:?}",
                Program::compile(ok)
            );
        }
    }
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    fn nested(kind: &str, n: usize) -> String {
        match kind {
            "paren" => format!("{}1{}", "(".repeat(n), ")".repeat(n)),
            "pipe" => vec!["."; n].join("|"),
            "plus" => vec!["1"; n].join("+"),
            "neg" => format!("{}1", "-".repeat(n)),
            "comma" => format!("[{}] | length", vec!["1"; n].join(",")),
            "array" => format!("{}{}", "[".repeat(n), "]".repeat(n)),
            "object" => format!("{}1{}", "{a:".repeat(n), "}".repeat(n)),
            "pattern" => format!(". as {}$x{} | 1", "[".repeat(n), "]".repeat(n)),
            "string" => format!("{}1{}", "\"\\(".repeat(n), ")\"".repeat(n)),
            "unclosed" => format!("{}\"\\u12", "(".repeat(n)),
            _ => unreachable!(),
        }
    }

    const KINDS: &[&str] = &[
        "paren", "pipe", "plus", "neg", "comma", "array", "object", "pattern", "string",
    ];

    /// Found writing the jq fuzz target (a hand-made deep input): 2,000 chained pipes (or 10,000 parentheses) overflowed the
    /// stack in the parser or the evaluator and aborted the process. Every way of
    /// nesting is now refused past MAX_DEPTH with one line, however deep, and
    /// expressions just inside the limit compile and run on an ordinary stack.
    #[test]
    fn deep_expressions_are_refused_not_crashed() {
        for kind in KINDS.iter().chain(&["unclosed"]) {
            // Just past the depth, as deep as the size allows, and past the size.
            for n in [MAX_DEPTH + 10, MAX_EXPR_BYTES / 2 - 2, 30_000] {
                let e = nested(kind, n);
                let err = Program::compile(&e).expect_err(kind).0;
                assert!(
                    err.contains("levels are accepted")
                        || err.contains("bytes; at most")
                        || err.contains("cannot parse"),
                    "{kind} x{n}: {err}"
                );
                assert!(
                    !err.contains('\n') && err.len() < 1000,
                    "{kind}: one short line"
                );
            }
        }
        // alertctl compiles and runs filters on the main thread, whose stack is 8 MiB
        // (ulimit -s); a test thread's is 2 MiB, so this part runs on a thread of 8.
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(at_the_limit)
            .unwrap()
            .join()
            .unwrap();
    }

    fn at_the_limit() {
        for kind in KINDS {
            // Strings nest twice per level (the string and its interpolation).
            let n = if *kind == "string" {
                MAX_DEPTH / 2 - 2
            } else {
                MAX_DEPTH - 4
            };
            let e = nested(kind, n);
            let p = Program::compile_with(
                &e,
                Options {
                    unbounded: false,
                    usage: Use::Whole,
                },
            )
            .unwrap_or_else(|err| panic!("{kind} x{n}: {}", err.0));
            // An error is an answer (destructuring 1 fails); the point is no abort.
            let _ = p.run(Val::from(1isize), 10);
        }
    }
}
