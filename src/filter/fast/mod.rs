//! The fast path: a subset of jq evaluated natively on typed values read straight from
//! the Avro bytes, with no value tree.
//!
//! An [`Expr`] is taken from jaq's parse tree when the expression stays inside the
//! subset: paths with constant keys and indices, literals, the six comparisons,
//! `and`/`or`/`not`, `select`, `if`, `//`, arithmetic, `length`, `log10` and the other
//! one-argument math functions, `floor`/`ceil`/`round`, `pow`, `abs`, `any`/`all` over
//! arrays, `[...]` of an iterated path, `max`/`min`/`add`, `unique`, `reduce` over an
//! iterated path, `test`, `startswith` and `endswith` with constant arguments,
//! `ascii_downcase`/`ascii_upcase`, and `to_entries | map(select(c)) | length` of a
//! record of scalars where `c` reads each entry only through `.key` and `.value` (it is
//! compiled once per field). For each schema, the expressions of a set
//! of filters compile together (`Builder`): every path they read becomes a slot, and
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
//! concatenation), evaluation answers `Out::Fallback` and the engine asks jaq.

mod compile;
mod eval;
mod expr;
mod float;
mod scan;
#[cfg(test)]
mod tests;

pub(crate) use compile::{Builder, Op};
pub(crate) use eval::{Env, Out, Verdict};
pub use expr::{AggFn, CmpOp, Expr, Lit, MathFn, MathOp, Re, RoundFn, Seg, SkyQ};
pub(crate) use scan::{Cell, Scanner};
