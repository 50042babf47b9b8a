//! jq expressions (jaq-core, jaq-std, jaq-json), made safe for filters.
//!
//! jq has no I/O, but its standard library can read the host and has side channels:
//! `$ENV`/`env`, `input`/`inputs`, `halt`/`halt_error` (which panics the process in
//! jaq), `debug`, `stderr`, `now`, local time. Expressions naming these are refused at
//! compile time; jq calls functions only by name, so that refusal is complete.

use std::collections::HashSet;

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{data, unwrap_valr, Compiler, Ctx, Vars};
use jaq_json::Val;

/// Names a filter may not use, and why.
const FORBIDDEN: &[(&str, &str)] = &[
    ("$ENV", "reads the host's environment"),
    ("env", "reads the host's environment"),
    ("input", "reads other inputs"),
    ("inputs", "reads other inputs"),
    ("input_filename", "reads the host"),
    ("input_line_number", "reads the host"),
    ("halt", "stops the process"),
    ("halt_error", "stops the process"),
    ("debug", "is a side channel"),
    ("debug_empty", "is a side channel"),
    ("stderr", "is a side channel"),
    ("stderr_empty", "is a side channel"),
    ("now", "reads the host's clock"),
    ("localtime", "reads the host's time zone"),
    ("strflocaltime", "reads the host's time zone"),
    ("get_search_list", "reads the host"),
    ("$__prog_args", "reads the host"),
];

/// Builtins that look at a whole object (its keys, its size, its text), so filters
/// using them see every field: no path projection for them.
const WHOLE_OBJECT: &[&str] = &[
    "..",
    "keys",
    "keys_unsorted",
    "to_entries",
    "with_entries",
    "from_entries",
    "paths",
    "leaf_paths",
    "getpath",
    "setpath",
    "delpaths",
    "del",
    "tostream",
    "fromstream",
    "has",
    "in",
    "inside",
    "contains",
    "tojson",
    "tostring",
    "@json",
    "@text",
    "add",
    "walk",
    "map_values",
    "values",
    "pick",
    "$__loc__",
    "splits",
    "@base64",
    "@csv",
    "@tsv",
    "@html",
    "@uri",
    "@sh",
    "tojson",
    "ltrimstr",
    "rtrimstr",
    "input",
    "objects",
    "iterables",
    "scalars",
];

/// A filter expression that did not compile, or is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JqError(pub String);

/// A compiled expression.
pub struct Program {
    filter: jaq_core::Filter<data::JustLut<Val>>,
    /// The field names it reads, when that can be known (None: it needs every field).
    names: Option<HashSet<String>>,
    source: String,
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Program")
            .field("source", &self.source)
            .field("names", &self.names)
            .finish()
    }
}

/// The identifier-like tokens of an expression, outside string literals, each with
/// the character before it (to tell `.env` the field from `env` the builtin).
fn tokens(expr: &str) -> Vec<(char, String)> {
    let mut out = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    let mut prev = ' ';
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            // Skip a string literal (a quoted field name is kept as a `.`-prefixed token).
            let start = i + 1;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            if prev == '.' || prev == '[' {
                out.push(('.', chars[start..i.min(chars.len())].iter().collect()));
            }
            i += 1;
            prev = '"';
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '.' && chars.get(i + 1) == Some(&'.') {
            out.push((prev, "..".into()));
            i += 2;
            prev = '.';
            continue;
        }
        if c.is_alphabetic() || c == '_' || c == '$' || c == '@' {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((prev, chars[start..i].iter().collect()));
            prev = 'a';
            continue;
        }
        if !c.is_whitespace() {
            prev = c;
        }
        i += 1;
    }
    out
}

impl Program {
    /// Compile `expr`, refusing what filters may not do.
    pub fn compile(expr: &str) -> Result<Program, JqError> {
        let toks = tokens(expr);
        for (prev, t) in &toks {
            if *prev == '.' {
                continue; // a field name, not a builtin
            }
            if let Some((name, why)) = FORBIDDEN.iter().find(|(n, _)| n == t) {
                return Err(JqError(format!(
                    "`{name}` is not allowed in a filter: it {why}; filters see only the alert"
                )));
            }
        }
        let names = if toks
            .iter()
            .any(|(prev, t)| *prev != '.' && WHOLE_OBJECT.contains(&t.as_str()))
        {
            None
        } else {
            Some(
                toks.iter()
                    .filter(|(prev, _)| *prev == '.')
                    .map(|(_, t)| t.clone())
                    .collect(),
            )
        };
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let loader = Loader::new(defs);
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
                    "cannot parse `{expr}`: {}",
                    errs.iter()
                        .map(|(_, e)| format!("{e:?}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                ))
            })?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errs| {
                let what: Vec<String> = errs
                    .iter()
                    .flat_map(|(_, es)| es.iter().map(|(name, undef)| format!("{undef:?} {name}")))
                    .collect();
                JqError(format!("cannot compile `{expr}`: {}", what.join("; ")))
            })?;
        Ok(Program {
            filter,
            names,
            source: expr.to_string(),
        })
    }

    /// The field names the expression reads (None: all of them).
    pub fn names(&self) -> Option<&HashSet<String>> {
        self.names.as_ref()
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
        assert!(Program::compile("select(.diaSource.snr > 5)")
            .unwrap()
            .passes(a.clone(), 100)
            .unwrap());
        assert!(!Program::compile(".diaSource.snr > 50")
            .unwrap()
            .passes(a.clone(), 100)
            .unwrap());
        assert!(!Program::compile("empty")
            .unwrap()
            .passes(a.clone(), 100)
            .unwrap());
        assert!(!Program::compile(".nothing")
            .unwrap()
            .passes(a.clone(), 100)
            .unwrap());
        assert!(Program::compile("null, false, 1")
            .unwrap()
            .passes(a.clone(), 100)
            .unwrap());
        assert!(Program::compile("error(\"x\")")
            .unwrap()
            .passes(a, 100)
            .is_err());
    }

    #[test]
    fn host_access_is_refused_but_fields_of_those_names_are_not() {
        for bad in [
            "$ENV.HOME",
            "env.HOME",
            "input",
            "[inputs]",
            "halt",
            "halt_error(1)",
            "debug",
            "now",
            ". as $x | $x | debug",
        ] {
            let e = Program::compile(bad).unwrap_err().0;
            assert!(e.contains("is not allowed in a filter"), "{bad}: {e}");
        }
        for ok in [".env", ".debug > 1", ".\"now\"", "{\"env\": 1}.env"] {
            assert!(Program::compile(ok).is_ok(), "{ok}");
        }
        assert!(Program::compile(".a |||")
            .unwrap_err()
            .0
            .contains("cannot parse"));
        assert!(Program::compile("nosuchfunction(1)")
            .unwrap_err()
            .0
            .contains("cannot compile"));
    }

    #[test]
    fn names_for_projection() {
        let p = Program::compile(
            ".diaSource.snr > 5 and (.prvDiaSources | length) > 2 and .[\"diaObject\"] != null",
        )
        .unwrap();
        let names: HashSet<&str> = p.names().unwrap().iter().map(String::as_str).collect();
        assert_eq!(
            names,
            ["diaSource", "snr", "prvDiaSources", "diaObject"]
                .into_iter()
                .collect()
        );
        assert!(Program::compile(".diaSource | keys | length > 3")
            .unwrap()
            .names()
            .is_none());
        assert!(Program::compile("[..] | length").unwrap().names().is_none());
    }
}
