//! The shape of jaq's parse tree, known in one place: a term's direct subterms (every
//! variant), and the literals other passes read off it. The passes that give terms a
//! meaning (the bound check in [`super`], [`super::analysis`]'s paths, the confined
//! library's call graph, the fast path's subset) recurse through these.

use jaq_core::load::lex::StrPart;
use jaq_core::load::parse::{BinaryOp, Pattern, Term};
use jaq_core::path::Part;

/// Every direct sub-term of `t`.
pub(crate) fn subterms<'a, 's>(t: &'a Term<&'s str>) -> Vec<&'a Term<&'s str>> {
    let mut out: Vec<&Term<&str>> = Vec::new();
    match t {
        Term::Id | Term::Recurse | Term::Num(_) | Term::Var(_) | Term::Break(_) => {}
        Term::Str(_, parts) => out.extend(parts.iter().filter_map(|p| match p {
            StrPart::Term(x) => Some(x),
            _ => None,
        })),
        Term::Arr(x) => out.extend(x.as_deref()),
        Term::Obj(entries) => {
            for (k, v) in entries {
                out.push(k);
                out.extend(v.as_ref());
            }
        }
        Term::Neg(x) | Term::Label(_, x) => out.push(x),
        Term::BinOp(l, op, r) => {
            out.push(l);
            if let BinaryOp::Pipe(Some(p)) = op {
                pattern_terms(p, &mut out);
            }
            out.push(r);
        }
        Term::Fold(_, xs, p, args) => {
            out.push(xs);
            pattern_terms(p, &mut out);
            out.extend(args);
        }
        Term::TryCatch(x, c) => {
            out.push(x);
            out.extend(c.as_deref());
        }
        Term::IfThenElse(branches, e) => {
            for (c, x) in branches {
                out.push(c);
                out.push(x);
            }
            out.extend(e.as_deref());
        }
        Term::Def(defs, body) => {
            out.extend(defs.iter().map(|d| &d.body));
            out.push(body);
        }
        Term::Call(_, args) => out.extend(args),
        Term::Path(base, path) => {
            out.push(base);
            for (part, _) in &path.0 {
                match part {
                    Part::Index(i) => out.push(i),
                    Part::Range(a, b) => out.extend(a.iter().chain(b)),
                }
            }
        }
    }
    out
}

fn pattern_terms<'a, 's>(p: &'a Pattern<&'s str>, out: &mut Vec<&'a Term<&'s str>>) {
    match p {
        Pattern::Var(_) => {}
        Pattern::Arr(ps) => ps.iter().for_each(|p| pattern_terms(p, out)),
        Pattern::Obj(entries) => {
            for (k, p) in entries {
                out.push(k);
                pattern_terms(p, out);
            }
        }
    }
}

/// A string literal's text, when the term is one (no interpolation, no format).
pub(crate) fn literal_str(t: &Term<&str>) -> Option<String> {
    match t {
        Term::Str(None, parts) => {
            let mut s = String::new();
            for p in parts {
                match p {
                    StrPart::Str(x) => s.push_str(x),
                    StrPart::Char(c) => s.push(*c),
                    StrPart::Term(_) => return None,
                }
            }
            Some(s)
        }
        _ => None,
    }
}

/// A constant number (`5`, `-2.5`).
pub(crate) fn constant(t: &Term<&str>) -> Option<f64> {
    match t {
        Term::Num(n) => n.parse().ok(),
        Term::Neg(x) => constant(x).map(|v| -v),
        _ => None,
    }
}

/// An integer index literal (`0`, `-1`).
pub(crate) fn index_literal(t: &Term<&str>) -> Option<i64> {
    match t {
        Term::Num(n) if n.bytes().all(|c| c.is_ascii_digit()) => n.parse().ok(),
        Term::Neg(x) => index_literal(x).map(|i| -i),
        _ => None,
    }
}
