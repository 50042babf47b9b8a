//! The confined standard library: jaq's definitions and native functions without the
//! ones that reach the host, and what a definition calls. [`super`] compiles against
//! it; [`super::analysis`] resolves names in it.

use std::collections::HashSet;
use std::sync::OnceLock;

use jaq_core::data;
use jaq_core::load::parse::{Def, Term};
use jaq_json::Val;

use super::tree::subterms;

/// What a filter may not use, and why: these are not in the confined library.
pub(crate) const HOST: &[(&str, &str)] = &[
    ("$ENV", "it reads the host's environment"),
    ("env", "it reads the host's environment"),
    ("input", "it reads input other than the alert"),
    ("inputs", "it reads input other than the alert"),
    ("input_filename", "it reads the host's file names"),
    ("input_line_number", "it reads the host's input"),
    ("halt", "it ends the process"),
    ("halt_error", "it ends the process"),
    ("$__prog_args", "it reads the process's arguments"),
    ("debug", "it writes to the host's stderr"),
    ("debug_empty", "it writes to the host's stderr"),
    ("stderr", "it writes to the host's stderr"),
    ("stderr_empty", "it writes to the host's stderr"),
    ("now", "it reads the host's clock"),
    ("localtime", "it reads the host's time zone"),
    ("strflocaltime", "it reads the host's time zone"),
    ("get_search_list", "it reads the host's module paths"),
    ("get_prog_origin", "it reads the host's file system"),
    ("get_jq_origin", "it reads the host's file system"),
];

/// Why a name is not available to filters, if it is one of the host-reaching ones.
pub fn host_reason(name: &str) -> Option<&'static str> {
    HOST.iter().find(|(n, _)| *n == name).map(|(_, why)| *why)
}

/// The standard library's definitions, without the host-reaching ones (nor any
/// definition that uses one).
pub(crate) fn std_defs() -> impl Iterator<Item = Def<&'static str>> {
    static DEFS: OnceLock<Vec<Def<&'static str>>> = OnceLock::new();
    DEFS.get_or_init(|| {
        let all: Vec<Def<&'static str>> = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs())
            .collect();
        let mut removed: HashSet<&str> = HOST.iter().map(|(n, _)| *n).collect();
        loop {
            let before = removed.len();
            for d in &all {
                if !removed.contains(d.name) {
                    let mut calls = Vec::new();
                    collect_calls(&d.body, &mut calls);
                    if calls.iter().any(|c| removed.contains(c)) {
                        removed.insert(d.name);
                    }
                }
            }
            if removed.len() == before {
                break;
            }
        }
        // Definitions replaced by natives of the same outputs ([`own_natives`]).
        removed.extend(OWN_NATIVES);
        all.into_iter()
            .filter(|d| !removed.contains(d.name))
            .collect()
    })
    .iter()
    .cloned()
}

pub(crate) type Fun = jaq_core::native::Fun<data::JustLut<Val>>;

/// The native functions, without the host-reaching ones.
pub(crate) fn natives() -> impl Iterator<Item = Fun> {
    jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs())
        .filter(|(name, _, _)| host_reason(name).is_none())
        .chain(own_natives())
        .chain(super::astro::natives())
}

/// The definitions the confined library makes native: jq's own definition, run as one Rust
/// function, with the same outputs, paths and errors (`own_natives_match_jaqs_definitions`).
const OWN_NATIVES: [&str; 6] = ["null", "true", "false", "not", "empty", "to_entries"];

/// Natives for common definitions whose jq form allocates at every step. In jaq,
/// `null` is `[][0]`, `true` is `0 == 0`, `not` is `if . then false else true end`,
/// `empty` is `{}[] as $x | .` (so every `select` that fails builds an object), and
/// `to_entries` destructures a pair per entry: together they made
/// `map(select(.value == null))` over a 100-field diaSource cost about 300 µs.
fn own_natives() -> impl Iterator<Item = Fun> {
    use jaq_core::box_iter::box_once;
    use jaq_core::native::{bome, v};
    use jaq_core::{Native, ValT as _};
    type D = data::JustLut<Val>;
    let constant =
        |name: &'static str, run: jaq_core::RunPtr<D>| (name, v(0), Native::<D>::new(run));
    [
        constant(OWN_NATIVES[0], |_| box_once(Ok(Val::Null))),
        constant(OWN_NATIVES[1], |_| box_once(Ok(Val::from(true)))),
        constant(OWN_NATIVES[2], |_| box_once(Ok(Val::from(false)))),
        constant(OWN_NATIVES[3], |cv| {
            box_once(Ok(Val::from(!cv.1.as_bool())))
        }),
        (
            OWN_NATIVES[4],
            v(0),
            // No value and no path; updating through no path leaves the value as it is.
            Native::<D>::new(|_| Box::new(std::iter::empty()))
                .with_paths(|_| Box::new(std::iter::empty()))
                .with_update(|cv, _| box_once(Ok(cv.1))),
        ),
        constant(OWN_NATIVES[5], |cv| {
            let entry = |(k, v)| {
                let mut m = jaq_json::Map::default();
                m.insert(Val::from("key".to_string()), k);
                m.insert(Val::from("value".to_string()), v);
                Val::obj(m)
            };
            bome(cv.1.key_values().map(|kv| kv.map(entry)).collect())
        }),
    ]
    .into_iter()
}

/// Whether a native function of this name and arity is installed.
pub(crate) fn is_native(name: &str, arity: usize) -> bool {
    static SIGS: OnceLock<HashSet<(&'static str, usize)>> = OnceLock::new();
    SIGS.get_or_init(|| natives().map(|(n, args, _)| (n, args.len())).collect())
        .contains(&(name, arity))
}

/// Every name called or variable read anywhere in `t`.
pub(crate) fn collect_calls<'s>(t: &Term<&'s str>, out: &mut Vec<&'s str>) {
    match t {
        Term::Call(name, _) | Term::Var(name) => out.push(name),
        _ => {}
    }
    for s in subterms(t) {
        collect_calls(s, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jaq_core::load::{Arena, File, Loader};
    use jaq_core::{unwrap_valr, Compiler, Ctx, Vars};

    type Filter = jaq_core::Filter<data::JustLut<Val>>;

    /// `expr` compiled against these definitions and natives.
    fn compile(
        expr: &str,
        defs: impl Iterator<Item = Def<&'static str>>,
        funs: impl Iterator<Item = Fun>,
    ) -> Filter {
        let arena = Arena::default();
        let modules = Loader::new(defs)
            .load(
                &arena,
                File {
                    code: expr,
                    path: (),
                },
            )
            .unwrap_or_else(|e| panic!("{expr}: {e:?}"));
        Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .unwrap_or_else(|e| panic!("{expr}: {e:?}"))
    }

    /// Every output, an error as its message.
    fn outputs(f: &Filter, input: &Val) -> Vec<Result<String, String>> {
        let ctx = Ctx::<data::JustLut<Val>>::new(&f.lut, Vars::new([]));
        f.id.run((ctx, input.clone()))
            .map(unwrap_valr)
            .take(50)
            .map(|r| r.map(|v| v.to_string()).map_err(|e| e.to_string()))
            .collect()
    }

    /// The natives that stand for jq definitions give what jaq's own definitions give:
    /// values, paths, updates and errors, over inputs of every type.
    #[test]
    fn own_natives_match_jaqs_definitions() {
        let ours = |e: &str| compile(e, std_defs(), natives());
        let jaqs = |e: &str| {
            compile(
                e,
                jaq_core::defs()
                    .chain(jaq_std::defs())
                    .chain(jaq_json::defs()),
                jaq_core::funs()
                    .chain(jaq_std::funs())
                    .chain(jaq_json::funs()),
            )
        };
        let inputs: Vec<Val> = [
            "null",
            "false",
            "true",
            "0",
            "-0.0",
            "1.5",
            "\"\"",
            "\"band\"",
            "[]",
            "[null, false, 1, \"x\", [2], {\"a\": null}]",
            "{}",
            "{\"snr\": 5.5, \"band\": \"r\", \"x\": null, \"y\": false, \"z\": [1, null]}",
        ]
        .iter()
        .map(|s| jaq_json::read::parse_single(s.as_bytes()).unwrap())
        .collect();
        let exprs = [
            "null",
            "true",
            "false",
            "not",
            "empty",
            "to_entries",
            "[.[]? | not]",
            "[.[]? | select(. == null)]",
            "map(select(. != null))",
            "to_entries | map(select(.value == null)) | length",
            "with_entries(select(.value != null))",
            "from_entries? // \"none\"",
            "[paths]",
            "[path(empty)]",
            "[path(null)]",
            "[path(true)]",
            "[path(to_entries)]",
            "[path(.[]? | select(. == null))]",
            "del(.[]? | select(. == null))",
            "(.[]? | select(. != null)) |= [.]",
            "empty |= 1",
            "(null) |= 1",
            "if . then true else false end",
            "[., null, true, false] | map(not)",
            "[.. | select(type == \"number\")]",
            "any(.[]?; . == null), all(.[]?; . != null)",
            "first(.[]?, null)",
            "[limit(2; .[]?)]",
            "(. // null) | not | not",
            "[recurse | scalars]",
            "try error(\"x\") catch (. | not)",
            "[.[]? | tostring | select(startswith(\"n\"))]",
            "null as $x | [$x, true, false]",
            "[splits(\"a\")?]",
            "[.[]? | try not catch \"e\"]",
            "nulls, values, booleans, arrays, objects",
        ];
        let mut compared = 0;
        for e in exprs {
            let (o, j) = (ours(e), jaqs(e));
            for v in &inputs {
                assert_eq!(outputs(&o, v), outputs(&j, v), "`{e}` on {v}");
                compared += 1;
            }
        }
        assert_eq!(compared, exprs.len() * inputs.len());
    }
}
