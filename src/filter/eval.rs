//! One expression over JSON values, as `jq -c` runs it: for trying an expression on an
//! alert's JSON view (`alertctl tail ... | alertctl filter eval --expr ...`), and for
//! checking the astronomy functions against independent references.
//!
//! The expression is compiled exactly as a filter's is (the confined library, the bound
//! check, the astronomy functions); `watchlist` and `in_moc` take each input as the
//! alert, with the watchlists and MOCs declared.

use std::io::{BufRead, Write};

use super::jq::{self, astro, Program};
use crate::error::Error;
use crate::sky::{Catalog, Decl};

/// What to evaluate.
#[derive(Debug, Clone, Default)]
pub struct EvalJob {
    /// The jq expression.
    pub expr: String,
    /// The watchlists and MOCs it may ask about.
    pub sky: Vec<Decl>,
    /// Allow loops and recursion.
    pub unbounded: bool,
}

/// What an evaluation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvalReport {
    /// Input values read.
    pub inputs: u64,
    /// Outputs written.
    pub outputs: u64,
    /// Inputs on which the expression failed.
    pub errors: u64,
}

/// Most outputs one input may give.
const MAX_OUTPUTS: usize = 1_000_000;

/// Evaluate `job.expr` on each JSON value of `input`, each output a line of `out`;
/// `failed` hears of each input the expression fails on (its number from 1, the error).
pub fn run(
    job: &EvalJob,
    input: impl BufRead,
    out: &mut dyn Write,
    failed: &mut dyn FnMut(u64, &str),
) -> Result<EvalReport, Error> {
    let program = Program::compile_with(
        &job.expr,
        jq::Options {
            unbounded: job.unbounded,
            usage: jq::analysis::Use::Whole,
        },
    )
    .map_err(|e| Error::usage(e.0))?;
    let catalog = Catalog::load(job.sky.clone()).map_err(|e| Error::failure(e.to_string()))?;
    astro::check_declared(&program, catalog.sky()).map_err(|e| Error::usage(e.0))?;
    let mut r = EvalReport::default();
    for v in jaq_json::read::read_many(input) {
        let v = v.map_err(|e| Error::failure(format!("input {}: not JSON: {e}", r.inputs + 1)))?;
        r.inputs += 1;
        let ctx = std::rc::Rc::new(astro::AlertSky::new(catalog.sky().clone(), &v));
        let _entered = astro::enter(ctx);
        match program.run(v, MAX_OUTPUTS) {
            Ok(vs) => {
                for v in vs {
                    writeln!(out, "{v}")?;
                    r.outputs += 1;
                }
            }
            Err(e) => {
                r.errors += 1;
                failed(r.inputs, &e.0);
            }
        }
    }
    out.flush()?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(expr: &str, input: &str) -> (String, EvalReport) {
        let mut out = Vec::new();
        let job = EvalJob {
            expr: expr.into(),
            ..EvalJob::default()
        };
        let r = run(&job, input.as_bytes(), &mut out, &mut |_, _| {}).unwrap();
        (String::from_utf8(out).unwrap(), r)
    }

    #[test]
    fn values_in_outputs_out() {
        let (out, r) = eval(".a, .b", "{\"a\": 1, \"b\": [2]}\n{\"a\": null}");
        assert_eq!(out, "1\n[2]\nnull\nnull\n");
        assert_eq!((r.inputs, r.outputs, r.errors), (2, 4, 0));
        let (out, _) = eval("ab_mag", "1\n0\n-1\nnull");
        assert_eq!(out, "31.4\nnull\nnull\nnull\n");
        let (_, r) = eval("ab_mag", "\"x\"");
        assert_eq!(r.errors, 1);
    }

    #[test]
    fn an_undeclared_watchlist_is_refused_before_any_input() {
        let job = EvalJob {
            expr: "watchlist(\"tns\")".into(),
            ..EvalJob::default()
        };
        let e = run(&job, &b"{}"[..], &mut Vec::new(), &mut |_, _| {}).unwrap_err();
        assert!(e.message.contains("no watchlist tns is declared"), "{e}");
        let job = EvalJob {
            expr: "watchlist(.name)".into(),
            ..EvalJob::default()
        };
        let e = run(&job, &b"{}"[..], &mut Vec::new(), &mut |_, _| {}).unwrap_err();
        assert!(e.message.contains("written as a string"), "{e}");
    }
}
