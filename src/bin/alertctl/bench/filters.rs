//! The filter benchmark: production-like filters, and the same selection in Python.
//!
//! The 100 filters are drawn from a grammar of what science users write: thresholds on
//! diaSource and diaObject fields, magnitudes and colours from fluxes in nJy, scans of
//! the history (`any`/`all` over `prvDiaSources`), `or`, `not` and `//`, arithmetic, and
//! about one in ten with string functions, `unique`, `reduce` or `to_entries` (of which
//! only `to_entries` is outside the fast subset). Every filter keeps 20 alerts per visit; about
//! one in five ranks them. Each filter is written twice, as jq and as Python with jq's
//! semantics (null, NaN ordering, errors), so that the Python reference makes the same
//! selection, and the benchmark checks that it does.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use alertctl::filter::FilterDef;
use alertctl::Error;

use super::Row;

/// A benchmark filter: its definition, and the same filter in Python.
#[derive(Debug, Clone)]
pub struct BenchFilter {
    /// The filter.
    pub def: FilterDef,
    /// A Python expression of `a` (the alert as fastavro reads it) with jq's semantics.
    pub python: String,
    /// The rank in Python, when the filter ranks.
    pub python_rank: Option<String>,
    /// The same filter in plain Python, as its users write it (`a['diaSource']['snr'] > 5`;
    /// an exception is a failed filter): the peer of the timing, not the proof of the
    /// selection.
    pub plain: String,
}

/// The one filter of the seed (Filter001, with the flux in nJy).
pub const FILTER001: &str = ".diaSource.snr > 5 and .diaSource.psfFlux > 3.631e-5";
const FILTER001_PY: &str =
    "cmp_(g(a,'diaSource','snr'),'>',5) and cmp_(g(a,'diaSource','psfFlux'),'>',3.631e-5)";

/// The seed's Filter001 as a benchmark filter, every passing alert kept.
pub fn filter001() -> BenchFilter {
    BenchFilter {
        def: FilterDef {
            max_per_visit: 0,
            ..FilterDef::new("Filter001", FILTER001)
        },
        python: FILTER001_PY.into(),
        python_rank: None,
        plain: "a['diaSource']['snr'] > 5 and a['diaSource']['psfFlux'] > 3.631e-5".into(),
    }
}

struct Gen {
    rng: ChaCha8Rng,
}

const SOURCE_FIELDS: &[(&str, f64, f64)] = &[
    ("snr", 3.0, 60.0),
    ("psfFlux", -5e3, 5e4),
    ("psfFluxErr", 50.0, 800.0),
    ("apFlux", -5e3, 5e4),
    ("scienceFlux", 0.0, 1e5),
    ("ra", 0.0, 360.0),
    ("dec", -80.0, 10.0),
    ("x", 0.0, 4000.0),
    ("y", 0.0, 4000.0),
];
const OBJECT_FIELDS: &[(&str, f64, f64)] = &[
    ("g_psfFluxMean", 0.0, 3e4),
    ("r_psfFluxMean", 0.0, 3e4),
    ("i_psfFluxMean", 0.0, 3e4),
    ("ra", 0.0, 360.0),
    ("dec", -80.0, 10.0),
];
const BANDS: &[&str] = &["u", "g", "r", "i", "z", "y"];
const OPS: &[&str] = &["<", "<=", ">", ">="];

impl Gen {
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.rng.random_range(0..xs.len())]
    }

    fn constant(&mut self, lo: f64, hi: f64) -> String {
        let v = self.rng.random_range(lo..hi);
        // Round to a few significant digits, as people write constants.
        let mag = 10f64.powi(v.abs().max(1e-9).log10().floor() as i32 - 2);
        let r = (v / mag).round() * mag;
        let s = format!("{r:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }

    /// One clause in the fast subset: (jq, Python with jq's semantics, plain Python).
    fn clause(&mut self) -> (String, String, String) {
        match self.rng.random_range(0..10) {
            0..=2 => {
                let (f, lo, hi) = self.pick(SOURCE_FIELDS);
                let (op, c) = (self.pick(OPS), self.constant(lo, hi));
                (
                    format!(".diaSource.{f} {op} {c}"),
                    format!("cmp_(g(a,'diaSource','{f}'),'{op}',{c})"),
                    format!("a['diaSource']['{f}'] {op} {c}"),
                )
            }
            3 => {
                let b = self.pick(BANDS);
                let op = self.pick(&["==", "!="]);
                (
                    format!(".diaSource.band {op} \"{b}\""),
                    format!("cmp_(g(a,'diaSource','band'),'{op}','{b}')"),
                    format!("a['diaSource']['band'] {op} '{b}'"),
                )
            }
            4 => {
                let (f, lo, hi) = self.pick(OBJECT_FIELDS);
                let (op, c) = (self.pick(OPS), self.constant(lo, hi));
                (
                    format!(".diaObject.{f} {op} {c}"),
                    format!("cmp_(g(a,'diaObject','{f}'),'{op}',{c})"),
                    format!("a['diaObject']['{f}'] {op} {c}"),
                )
            }
            5 => {
                // A magnitude from a flux in nJy.
                let (op, m) = (self.pick(OPS), self.constant(17.0, 24.0));
                (
                    format!("-2.5 * (.diaSource.psfFlux | log10) + 31.4 {op} {m}"),
                    format!(
                        "cmp_(add(mul(-2.5, log10(g(a,'diaSource','psfFlux'))), 31.4),'{op}',{m})"
                    ),
                    format!("-2.5 * math.log10(a['diaSource']['psfFlux']) + 31.4 {op} {m}"),
                )
            }
            6 => {
                // A colour from the object's mean fluxes, nulls read as 1 nJy.
                let (x, y) = self.pick(&[("g", "r"), ("r", "i"), ("g", "i")]);
                let (op, c) = (self.pick(OPS), self.constant(-1.0, 1.5));
                (
                    format!(
                        "-2.5 * ((.diaObject.{x}_psfFluxMean // 1 | log10) - (.diaObject.{y}_psfFluxMean // 1 | log10)) {op} {c}"
                    ),
                    format!(
                        "cmp_(mul(-2.5, sub(log10(alt(g(a,'diaObject','{x}_psfFluxMean'), lambda: 1)), log10(alt(g(a,'diaObject','{y}_psfFluxMean'), lambda: 1)))),'{op}',{c})"
                    ),
                    format!(
                        "-2.5 * (math.log10(a['diaObject']['{x}_psfFluxMean'] or 1) - math.log10(a['diaObject']['{y}_psfFluxMean'] or 1)) {op} {c}"
                    ),
                )
            }
            7 => {
                // A scan of the history.
                let b = self.pick(BANDS);
                let (op, c) = (self.pick(OPS), self.constant(3.0, 40.0));
                if self.rng.random_bool(0.5) {
                    (
                        format!("any(.prvDiaSources[]?; .snr {op} {c} and .band == \"{b}\")"),
                        format!(
                            "jany(g(a,'prvDiaSources'), lambda p: cmp_(g(p,'snr'),'{op}',{c}) and cmp_(g(p,'band'),'==','{b}'))"
                        ),
                        format!(
                            "any(p['snr'] {op} {c} and p['band'] == '{b}' for p in a['prvDiaSources'] or [])"
                        ),
                    )
                } else {
                    let c = self.constant(-2e3, 5e3);
                    (
                        format!("all(.prvDiaSources[]?; .psfFlux {op} {c})"),
                        format!(
                            "jall(g(a,'prvDiaSources'), lambda p: cmp_(g(p,'psfFlux'),'{op}',{c}))"
                        ),
                        format!("all(p['psfFlux'] {op} {c} for p in a['prvDiaSources'] or [])"),
                    )
                }
            }
            8 => {
                let n = self.rng.random_range(0..12);
                let op = self.pick(&[">=", "<"]);
                (
                    format!("(.prvDiaSources | length) {op} {n}"),
                    format!("cmp_(jlen(g(a,'prvDiaSources')),'{op}',{n})"),
                    format!("len(a['prvDiaSources'] or []) {op} {n}"),
                )
            }
            _ => {
                // Signal to noise worked out, and the reliability with a default.
                let (op, c) = (self.pick(OPS), self.constant(3.0, 50.0));
                if self.rng.random_bool(0.5) {
                    (
                        format!(".diaSource.psfFlux / .diaSource.psfFluxErr {op} {c}"),
                        format!("cmp_(div(g(a,'diaSource','psfFlux'), g(a,'diaSource','psfFluxErr')),'{op}',{c})"),
                        format!("a['diaSource']['psfFlux'] / a['diaSource']['psfFluxErr'] {op} {c}"),
                    )
                } else {
                    let c = self.constant(0.1, 0.95);
                    (
                        format!("(.diaSource.reliability // 0) {op} {c}"),
                        format!("cmp_(alt(g(a,'diaSource','reliability'), lambda: 0),'{op}',{c})"),
                        format!("(a['diaSource']['reliability'] or 0) {op} {c}"),
                    )
                }
            }
        }
    }

    /// A clause beyond comparisons: string functions, `unique` and `reduce` (fast forms)
    /// or `to_entries` (jq's): (jq, Python with jq's semantics, plain Python).
    fn slow_clause(&mut self) -> (String, String, String) {
        let b = self.pick(BANDS);
        match self.rng.random_range(0..5) {
            0 => (
                format!("(.diaSource.band | ascii_downcase) == \"{b}\""),
                format!("jlower(g(a,'diaSource','band')) == '{b}'"),
                format!("a['diaSource']['band'].lower() == '{b}'"),
            ),
            1 => (
                "(.observation_reason // \"\") | startswith(\"w\")".to_string(),
                "jstartswith(alt(g(a,'observation_reason'), lambda: ''), 'w')".to_string(),
                "(a.get('observation_reason') or '').startswith('w')".to_string(),
            ),
            2 => {
                let n = self.rng.random_range(2..5);
                (
                    format!("[.prvDiaSources[]?.band] | unique | length >= {n}"),
                    format!("len(set(g(p,'band') for p in (g(a,'prvDiaSources') or []))) >= {n}"),
                    format!("len({{p['band'] for p in a['prvDiaSources'] or []}}) >= {n}"),
                )
            }
            3 => {
                let c = self.constant(0.0, 1e5);
                (
                    format!("reduce .prvDiaSources[]? as $p (0; . + ($p.psfFlux // 0)) > {c}"),
                    format!("cmp_(jsum([alt(g(p,'psfFlux'), lambda: 0) for p in (g(a,'prvDiaSources') or [])]),'>',{c})"),
                    format!("sum(p['psfFlux'] or 0 for p in a['prvDiaSources'] or []) > {c}"),
                )
            }
            _ => {
                // Data quality: how many of the source's fields are null.
                let n = self.rng.random_range(10..60);
                (
                    format!(
                        "(.diaSource | to_entries | map(select(.value == null)) | length) < {n}"
                    ),
                    format!("len([v for v in g(a,'diaSource').values() if v is None]) < {n}"),
                    format!("sum(v is None for v in a['diaSource'].values()) < {n}"),
                )
            }
        }
    }

    fn filter(&mut self, i: usize) -> BenchFilter {
        let slow = i % 10 == 9;
        let n = self.rng.random_range(1..=3);
        let (mut jq, mut py, mut plain) = if slow {
            self.slow_clause()
        } else {
            self.clause()
        };
        for _ in 1..n {
            let (j, p, q) = self.clause();
            let and = self.rng.random_bool(0.7);
            let (jop, pop) = if and { ("and", "and") } else { ("or", "or") };
            jq = format!("({jq}) {jop} ({j})");
            py = format!("(truthy({py}) {pop} truthy({p}))");
            plain = format!("({plain}) {pop} ({q})");
        }
        if self.rng.random_bool(0.1) {
            jq = format!("({jq}) | not");
            py = format!("(not truthy({py}))");
            plain = format!("not ({plain})");
        }
        let (rank_by, python_rank) = if i % 5 == 2 {
            let f = self.pick(&["snr", "psfFlux"]);
            (
                Some(format!(".diaSource.{f}")),
                Some(format!("g(a,'diaSource','{f}')")),
            )
        } else {
            (None, None)
        };
        BenchFilter {
            def: FilterDef {
                rank_by,
                ..FilterDef::new(&format!("Filter{:03}", i + 1), &jq)
            },
            python: py,
            python_rank,
            plain,
        }
    }
}

/// `n` production-like filters, the same for the same seed.
pub fn production(n: usize, seed: u64) -> Vec<BenchFilter> {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
    };
    (0..n).map(|i| g.filter(i)).collect()
}

/// The filters as a filters.toml.
pub fn filters_toml(filters: &[BenchFilter]) -> String {
    let mut s = String::new();
    for f in filters {
        let d = &f.def;
        let _ = writeln!(
            s,
            "[[filter]]\nname = {:?}\nexpr = {}\nmax_per_visit = {}",
            d.name,
            toml_str(&d.expr),
            d.max_per_visit
        );
        if let Some(r) = &d.rank_by {
            let _ = writeln!(s, "rank_by = {}", toml_str(r));
        }
        if let Some(t) = &d.to {
            let _ = writeln!(s, "to = {t:?}");
        }
        s.push('\n');
    }
    s
}

/// A TOML literal string (jq uses backslashes; TOML's literal strings keep them).
fn toml_str(s: &str) -> String {
    if s.contains('\'') {
        format!("{:?}", s)
    } else {
        format!("'{s}'")
    }
}

/// The Python reference: fastavro decodes each packet of a wire file, then each filter
/// runs with jq's semantics, keeps 20 per visit (or ranks), and writes what passes.
const PYTHON: &str = r#"
import io, json, math, os, struct, sys, time
import fastavro
@WIRE@
class JqError(Exception):
    pass

def truthy(x):
    return x is not None and x is not False

def g(a, *keys):
    for k in keys:
        if a is None:
            return None
        if not isinstance(a, dict):
            raise JqError("cannot index")
        a = a.get(k)
    return a

def rank(x):
    if x is None: return 0
    if isinstance(x, bool): return 1
    if isinstance(x, (int, float)): return 2
    if isinstance(x, (str, bytes)): return 3
    if isinstance(x, list): return 4
    return 5

def order(l, r):
    a, b = rank(l), rank(r)
    if a != b:
        return -1 if a < b else 1
    if a == 2:
        if l == 0 and r == 0: return 0
        if isinstance(l, float) and math.isnan(l): return -1
        if isinstance(r, float) and math.isnan(r): return 1
        return (l > r) - (l < r)
    if a == 3:
        l = l.encode() if isinstance(l, str) else l
        r = r.encode() if isinstance(r, str) else r
        return (l > r) - (l < r)
    if a <= 1:
        return (l > r) - (l < r)
    raise JqError("not compared in this benchmark")

def cmp_(l, op, r):
    o = order(l, r)
    return {'<': o < 0, '<=': o <= 0, '>': o > 0, '>=': o >= 0, '==': o == 0, '!=': o != 0}[op]

def num(x):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise JqError("not a number")
    return x

def log10(x):
    x = float(num(x))
    return math.log10(x) if x > 0 else (-math.inf if x == 0 else math.nan)

def add(a, b):
    if a is None: return b
    if b is None: return a
    return num(a) + num(b)

def sub(a, b):
    return num(a) - num(b)

def mul(a, b):
    return num(a) * num(b)

def div(a, b):
    a, b = float(num(a)), float(num(b))
    if b == 0:
        if a == 0 or math.isnan(a): return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b

def alt(a, b):
    return a if truthy(a) else b()

def jany(items, cond):
    for p in (items or []):
        if truthy(cond(p)): return True
    return False

def jall(items, cond):
    for p in (items or []):
        if not truthy(cond(p)): return False
    return True

def jlen(x):
    if x is None: return 0
    return len(x)

def jlower(x):
    if not isinstance(x, str): raise JqError("not a string")
    return ''.join(c.lower() if 'A' <= c <= 'Z' else c for c in x)

def jstartswith(x, p):
    if not isinstance(x, str): raise JqError("not a string")
    return x.startswith(p)

def jqstr(x):
    if isinstance(x, str): return x
    return json.dumps(x)

def jmax(xs):
    if not xs: return None
    best = xs[0]
    for x in xs[1:]:
        if order(x, best) >= 0: best = x
    return best

def jsum(xs):
    t = 0
    for x in xs: t = add(t, x)
    return t

FILTERS = [
@FILTERS@
]

def main():
    schema = fastavro.parse_schema(json.load(open(sys.argv[1])))
    out = Outputs(sys.argv[3], [name for (name, _, _, _) in FILTERS])
    seen = {name: {} for (name, _, _, _) in FILTERS}
    held = {name: {} for (name, _, _, _) in FILTERS}
    n = 0
    for packet in frames(sys.argv[2]):
        a = fastavro.schemaless_reader(io.BytesIO(packet[5:]), schema)
        visit = g(a, 'diaSource', 'visit')
        for (name, f, cap, r) in FILTERS:
            try:
                passed = truthy(f(a))
            except (JqError, TypeError, ValueError, OverflowError):
                passed = False
            if not passed:
                continue
            if r is not None:
                try:
                    s = r(a)
                    score = float(s) if rank(s) == 2 else -math.inf
                except JqError:
                    score = -math.inf
                h = held[name].setdefault(visit, [])
                h.append((score, n, packet))
                if cap and len(h) > cap:
                    worst = min(range(len(h)), key=lambda i: (h[i][0], -h[i][1]))
                    h.pop(worst)
            elif cap == 0:
                out.write(name, packet)
            else:
                k = seen[name].get(visit, 0)
                if k < cap:
                    seen[name][visit] = k + 1
                    out.write(name, packet)
        n += 1
    for (name, _, _, _) in FILTERS:
        for visit, h in held[name].items():
            for (_, _, packet) in h:
                out.write(name, packet)
    out.close(n)

main()
"#;

/// The filters as a Python user writes them: fastavro, plain comparisons of fields
/// (`a['diaSource']['snr'] > 5`; an exception fails the filter), the first N of a visit
/// kept or the best N by a plain sort, the passing packets written out. This is the
/// peer of the ratios; [`python_script`]'s reference with jq's semantics proves the
/// same selection.
const PLAIN_PYTHON: &str = r#"
import io, json, math, os, struct, sys
import fastavro
@WIRE@
FILTERS = [
@FILTERS@
]

schema = fastavro.parse_schema(json.load(open(sys.argv[1])))
out = Outputs(sys.argv[3], [name for (name, _, _, _) in FILTERS])
seen = {name: {} for (name, _, _, _) in FILTERS}
held = {name: {} for (name, _, _, _) in FILTERS}
n = 0
for packet in frames(sys.argv[2]):
    a = fastavro.schemaless_reader(io.BytesIO(packet[5:]), schema)
    visit = a['diaSource']['visit']
    for (name, f, cap, rank) in FILTERS:
        try:
            if not f(a):
                continue
        except Exception:
            continue
        if rank is not None:
            held[name].setdefault(visit, []).append((rank(a), packet))
        elif cap == 0 or seen[name].get(visit, 0) < cap:
            seen[name][visit] = seen[name].get(visit, 0) + 1
            out.write(name, packet)
    n += 1
for (name, _, cap, _) in FILTERS:
    for visit, h in held[name].items():
        h.sort(key=lambda x: -math.inf if x[0] is None else x[0], reverse=True)
        for (_, packet) in h[:cap] if cap else h:
            out.write(name, packet)
out.close(n)
"#;

/// What both Python scripts share: the packets of a wire file, and each filter's passing
/// packets written as wire files (one file for one filter, else DIR/NAME.wire), counted,
/// the counts printed as JSON at the end.
const PY_WIRE: &str = r#"
def frames(path):
    data = open(path, 'rb').read()
    pos = 0
    while pos < len(data):
        (size,) = struct.unpack('>I', data[pos:pos + 4])
        yield data[pos + 4:pos + 4 + size]
        pos += 4 + size

class Outputs:
    def __init__(self, out, names):
        self.out, self.single, self.files = out, len(names) == 1, {}
        self.counts = {name: 0 for name in names}

    def write(self, name, packet):
        f = self.files.get(name)
        if f is None:
            path = self.out if self.single else os.path.join(self.out, name + '.wire')
            f = self.files[name] = open(path, 'wb')
        f.write(struct.pack('>I', len(packet)))
        f.write(packet)
        self.counts[name] += 1

    def close(self, n):
        for f in self.files.values():
            f.close()
        print(json.dumps({"alerts": n, "emitted": list(self.counts.values())}))
"#;

/// A Python script: `template` with the wire plumbing, and one entry per filter
/// `(name, lambda a: EXPR, cap, RANK)`.
fn script(
    template: &str,
    filters: &[BenchFilter],
    expr: impl Fn(&BenchFilter) -> &str,
    rank: impl Fn(&BenchFilter) -> Option<String>,
) -> String {
    let mut entries = String::new();
    for f in filters {
        let rank = rank(f).map_or("None".into(), |r| format!("lambda a: {r}"));
        let _ = writeln!(
            entries,
            "    ({:?}, lambda a: {}, {}, {rank}),",
            f.def.name,
            expr(f),
            f.def.max_per_visit
        );
    }
    template
        .replace("@WIRE@", PY_WIRE)
        .replace("@FILTERS@", &entries)
}

/// The plain Python peer for `filters`, as a script.
pub fn plain_script(filters: &[BenchFilter]) -> String {
    script(
        PLAIN_PYTHON,
        filters,
        |f| &f.plain,
        |f| {
            f.def
                .rank_by
                .as_ref()
                .map(|r| format!("a['diaSource']['{}']", r.trim_start_matches(".diaSource.")))
        },
    )
}

/// The Python reference for `filters`, as a script.
pub fn python_script(filters: &[BenchFilter]) -> String {
    script(PYTHON, filters, |f| &f.python, |f| f.python_rank.clone())
}

/// What a timed command printed and how long it took (the fastest of `passes` runs).
pub struct Timed {
    /// Wall-clock seconds of the fastest run.
    pub seconds: f64,
    /// CPU seconds (user + system) of the run that took the least.
    pub cpu: f64,
    /// Standard output of the last run.
    pub stdout: String,
}

/// Run a command `passes` times (after one warm-up run), keeping the fastest.
pub fn time_command(make: impl Fn() -> Command, passes: usize) -> Result<Timed, String> {
    let mut best = f64::INFINITY;
    let mut least_cpu = f64::INFINITY;
    let mut stdout = String::new();
    for pass in 0..=passes {
        let mut cmd = make();
        let (started, cpu0) = (Instant::now(), super::children_cpu_seconds());
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
        let secs = started.elapsed().as_secs_f64();
        let cpu = super::children_cpu_seconds() - cpu0;
        if std::env::var_os("ALERTCTL_BENCH_TRACE").is_some() {
            eprintln!(
                "alertctl: bench: {:?} pass {pass}: {secs:.3} s",
                cmd.get_program()
            );
        }
        if !out.status.success() {
            return Err(format!(
                "{:?} failed: {}",
                cmd.get_program(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        if pass > 0 {
            best = best.min(secs);
            least_cpu = least_cpu.min(cpu);
        }
        stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    }
    Ok(Timed {
        seconds: best,
        cpu: least_cpu,
        stdout,
    })
}

/// Count the packets of a wire file.
pub fn wire_count(path: &Path) -> Result<u64, alertctl::formats::packet::file::FileError> {
    // A filter that passed nothing leaves an empty file: no packets.
    if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
        return Ok(0);
    }
    alertctl::formats::packet::file::PacketReader::open(path)?.try_fold(0, |n, r| r.map(|_| n + 1))
}

/// How to run `bench filter`.
#[derive(Debug, Clone)]
pub struct FilterBench {
    /// The alerts.
    pub generate: super::Generate,
    /// How many.
    pub alerts: usize,
    /// Production-like filters in the many-filters rows.
    pub filters: usize,
    /// The Python for the reference rows (empty: none).
    pub python: String,
    /// Brokers for the `filter run --from` row.
    pub brokers: Option<String>,
    /// Keep the files here.
    pub keep: Option<std::path::PathBuf>,
}

/// `bench filter`: the rows, and notes on what they show. Every row must select what
/// its reference selects, or the benchmark fails.
pub fn run(
    a: &FilterBench,
    report: &mut dyn alertctl::jobs::Report,
) -> Result<(Vec<Row>, Vec<String>), Error> {
    let dir = match &a.keep {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => tempfile_dir("bench-filter")?,
    };
    // The watchlist's load first, while this process is small: a child's peak memory
    // counts what its parent held when it was started.
    let load = crate::bench::watchlist::measure_load(&std::env::current_exe()?, &dir)?;
    let (s, packets) = a.generate.packets(a.alerts)?;
    let mut notes = Vec::new();
    let result = filter_rows(a, &s, packets, &dir, &load, &mut notes, report);
    if a.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok((result?, notes))
}

/// `bench engine`: the engine alone over a wire file's packets and a filters file, and
/// which filters jq answered (from the last timed pass's statistics).
pub fn engine(
    file: &Path,
    filters: &Path,
    dirs: &[std::path::PathBuf],
) -> Result<(Vec<Row>, Vec<String>), Error> {
    let defs = alertctl::filter::def::load_file(filters)?;
    let packets: Vec<Vec<u8>> = alertctl::formats::packet::file::PacketReader::open(file)?
        .map(|r| r.map(|r| r.packet.to_vec()))
        .collect::<Result<_, _>>()?;
    if packets.is_empty() {
        return Err(Error::usage(format!("{}: no packets", file.display())));
    }
    let n = defs.len();
    let (row, engine) = super::time_engine(
        &format!("{n} filters: the engine alone"),
        dirs,
        &defs,
        &Default::default(),
        &packets,
    )?;
    let (fast, all) = engine.fast_forms();
    let stats = engine.stats();
    let emitted: u64 = stats.iter().map(|(_, s, _)| s.emitted).sum();
    let mut by_jq: Vec<(u64, String)> = stats
        .into_iter()
        .map(|(name, s, _)| (s.seen - s.fast.min(s.seen), name))
        .filter(|(n, _)| *n > 0)
        .collect();
    by_jq.sort_by(|a, b| b.cmp(a));
    let mut notes = vec![format!(
        "{fast} of {all} expressions (filters, ranks, visit keys) have a fast form; {emitted} alerts emitted in all"
    )];
    if !by_jq.is_empty() {
        let total: u64 = by_jq.iter().map(|(n, _)| n).sum();
        let top: Vec<String> = by_jq
            .iter()
            .take(8)
            .map(|(n, name)| format!("{name} {n}"))
            .collect();
        notes.push(format!(
            "jq gave {total} verdicts (the fast path the rest): {}",
            top.join(", ")
        ));
    }
    Ok((vec![row], notes))
}

/// Fail unless a row selected what its reference did (per filter, emitted alerts).
fn same(what: &str, ours: &[u64], theirs: &[u64]) -> Result<(), Error> {
    if ours != theirs {
        let first = ours
            .iter()
            .zip(theirs)
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        return Err(Error::failure(format!(
            "{what} selects differently from its reference: filter {} emitted {:?} here, {:?} there",
            first + 1,
            ours.get(first),
            theirs.get(first)
        )));
    }
    Ok(())
}

fn filter_rows(
    a: &FilterBench,
    s: &alertctl::formats::avro::AlertSchema,
    packets: Vec<Vec<u8>>,
    dir: &std::path::Path,
    load: &crate::bench::watchlist::Load,
    notes: &mut Vec<String>,
    report: &mut dyn alertctl::jobs::Report,
) -> Result<Vec<Row>, Error> {
    use crate::bench::filters as bf;
    let wire = dir.join("alerts.wire");
    alertctl::formats::packet::file::write_wire_file(&wire, packets.iter().map(Vec::as_slice))?;
    // On disk before anything is timed: the system writing it back would slow whichever
    // rows run first.
    std::fs::File::open(&wire)?.sync_all()?;
    std::fs::write(dir.join("schema.avsc"), s.json.to_string())?;
    report.info(&format!(
        "bench filter: {} alerts of {} ({} bytes each, histories up to 30)",
        packets.len(),
        s.name,
        super::average(&packets)
    ));
    let (n_alerts, n_bytes) = (
        packets.len(),
        packets.iter().map(|p| p.len() as u64).sum::<u64>(),
    );
    // The commands read the file; nothing big is held while they are timed.
    drop(packets);
    let dirs = &a.generate.dirs;
    let exe = std::env::current_exe()?;
    let schema_args: Vec<String> = dirs
        .iter()
        .flat_map(|d| ["--schema-dir".to_string(), d.display().to_string()])
        .collect();
    let row = |stage: &str, seconds: f64| Row {
        stage: stage.to_string(),
        alerts: n_alerts,
        bytes: n_bytes,
        seconds,
        cpu: None,
    };
    let python =
        |name: &str, text: &str, out: &std::path::Path| -> Result<Option<(f64, Vec<u64>)>, Error> {
            if a.python.is_empty() {
                return Ok(None);
            }
            let script = dir.join(format!("{name}.py"));
            std::fs::write(&script, text)?;
            let t = bf::time_command(
                || {
                    // Every run writes a new file (the same for alertctl's runs).
                    if out.is_file() {
                        let _ = std::fs::remove_file(out);
                    }
                    let mut c = std::process::Command::new(&a.python);
                    c.arg(&script)
                        .arg(dir.join("schema.avsc"))
                        .arg(&wire)
                        .arg(out);
                    c
                },
                3,
            )
            .map_err(|e| {
                Error::failure(format!(
                    "the Python reference failed (is fastavro installed?): {e}"
                ))
            })?;
            let r: serde_json::Value = serde_json::from_str(t.stdout.trim())?;
            let emitted = r["emitted"]
                .as_array()
                .map(|v| v.iter().filter_map(serde_json::Value::as_u64).collect())
                .unwrap_or_default();
            Ok(Some((t.seconds, emitted)))
        };

    // (a) One filter, every passing alert kept: end to end, and Python.
    let one = [bf::filter001()];
    let out_a = dir.join("a.wire");
    let e2e = bf::time_command(
        || {
            let _ = std::fs::remove_file(&out_a);
            let mut c = std::process::Command::new(&exe);
            c.args([
                "filter",
                "run",
                "--name",
                "Filter001",
                "--expr",
                bf::FILTER001,
            ])
            .args(["--max-per-visit", "0", "--file"])
            .arg(&wire)
            .arg("--out")
            .arg(&out_a)
            .args(&schema_args);
            c
        },
        3,
    )
    .map_err(Error::failure)?;
    let a_count = bf::wire_count(&out_a)?;
    // The peer is plain Python as its users write it; the reference with jq's
    // semantics proves the same selection.
    let a_python = python("a", &bf::python_script(&one), &dir.join("a-python.wire"))?;
    let a_plain = python(
        "a-plain",
        &bf::plain_script(&one),
        &dir.join("a-plain.wire"),
    )?;
    if let (Some((_, emitted)), Some((secs, plain))) = (&a_python, &a_plain) {
        same("(a) filter run", &[a_count], emitted)?;
        same("(a) plain Python", &[a_count], plain)?;
        notes.push(format!(
            "(a) filter run is {:.1}x plain Python end to end (all three kept {a_count} of {n_alerts} alerts)",
            secs / e2e.seconds
        ));
    }

    // (b) Production-like filters: end to end, and Python.
    let many = bf::production(a.filters, 2026);
    let toml = dir.join("filters.toml");
    std::fs::write(&toml, bf::filters_toml(&many))?;
    let defs: Vec<_> = many.iter().map(|f| f.def.clone()).collect();
    let n = defs.len();
    let out_b = dir.join("b");
    let e2e_b = bf::time_command(
        || {
            let _ = std::fs::remove_dir_all(&out_b);
            let mut c = std::process::Command::new(&exe);
            c.args(["filter", "run", "--filters"])
                .arg(&toml)
                .arg("--file")
                .arg(&wire)
                .arg("--out-dir")
                .arg(&out_b)
                .args(&schema_args);
            c
        },
        3,
    )
    .map_err(Error::failure)?;
    let file_counts = defs
        .iter()
        .map(|d| bf::wire_count(&out_b.join(format!("{}.wire", d.name))))
        .collect::<Result<Vec<_>, _>>()?;
    let pydir = dir.join("b-python");
    std::fs::create_dir_all(&pydir)?;
    let b_python = python("b", &bf::python_script(&many), &pydir)?;
    let plaindir = dir.join("b-plain");
    std::fs::create_dir_all(&plaindir)?;
    let b_plain = python("b-plain", &bf::plain_script(&many), &plaindir)?;
    if let (Some((_, emitted)), Some((secs, plain))) = (&b_python, &b_plain) {
        same(
            &format!("(b) {n} filters: filter run"),
            &file_counts,
            emitted,
        )?;
        // Plain Python reads nulls and errors its own way: its selection is said, not required.
        let differ = file_counts
            .iter()
            .zip(plain)
            .filter(|(a, b)| a != b)
            .count();
        notes.push(format!(
            "(b) filter run is {:.1}x plain Python end to end; plain Python's selection differs from jq's in {differ} of {n} filters (nulls and errors read its own way)",
            secs / e2e_b.seconds
        ));
    }

    // The engine alone, in this process, over the same packets.
    let packets: Vec<Vec<u8>> = alertctl::formats::packet::file::PacketReader::open(&wire)?
        .map(|r| r.map(|r| r.packet.to_vec()))
        .collect::<Result<_, _>>()?;
    let (engine_a, engine_emitted) = super::filters(
        "(a) one filter: the engine alone",
        dirs,
        std::slice::from_ref(&one[0].def),
        &packets,
    )?;
    same("(a) the engine", &engine_emitted, &[a_count])?;
    let (engine_b, timed) = super::time_engine(
        &format!("(b) {n} filters: the engine alone"),
        dirs,
        &defs,
        &Default::default(),
        &packets,
    )?;
    let engine_emitted: Vec<u64> = timed.stats().iter().map(|(_, s, _)| s.emitted).collect();
    same(
        &format!("(b) {n} filters: the engine"),
        &engine_emitted,
        &file_counts,
    )?;
    let (fast, all) = timed.fast_forms();
    let engine_b_rate = engine_b.alerts_per_s();
    notes.push(format!(
        "(b) {fast} of {all} expressions (filters, ranks, visit keys) have a fast form; the engine runs {n} filters at {:.0} alerts/s on one core",
        engine_b.alerts_per_s()
    ));

    let mut rows = vec![
        row(
            "(a) one filter: filter run --file, to a wire file",
            e2e.seconds,
        ),
        engine_a,
    ];
    if let Some((secs, _)) = a_plain {
        rows.push(row(
            "(a) Python, plain: fastavro + Filter001, to a wire file (the peer)",
            secs,
        ));
    }
    if let Some((secs, _)) = a_python {
        rows.push(row(
            "(a) Python with jq's semantics (the proof of the selection)",
            secs,
        ));
    }
    rows.push(engine_b);
    rows.push(row(
        &format!("(b) {n} filters: filter run --file, to wire files"),
        e2e_b.seconds,
    ));
    match &a.brokers {
        Some(brokers) => {
            let t = from_topic(brokers, &exe, &toml, &schema_args, &packets, &a.python)?;
            let with_cpu = |stage: &str, (seconds, cpu): (f64, f64)| Row {
                cpu: Some(cpu),
                ..row(stage, seconds)
            };
            rows.push(with_cpu(
                &format!("(b) {n} filters: filter run --from a topic"),
                t.filter,
            ));
            rows.push(with_cpu(
                "(b) bare read of that topic: alertctl tail --format raw",
                t.bare,
            ));
            if let Some(p) = t.python {
                rows.push(with_cpu(
                    "(b) bare read of that topic: confluent-kafka's Python consumer",
                    p,
                ));
            }
            let per_k = |cpu: f64| cpu / (n_alerts as f64 / 1000.0);
            notes.push(format!(
                "(b) filter run --from: {:.3} CPU s per 1,000 alerts against {:.3} for the bare read ({:+.0}%); the engine alone takes {:.3} of them",
                per_k(t.filter.1),
                per_k(t.bare.1),
                (t.filter.1 / t.bare.1.max(1e-9) - 1.0) * 100.0,
                1000.0 / engine_b_rate,
            ));
        }
        None => notes
            .push("(b) the filter run --from row needs brokers (-b or ALERTCTL_BROKERS)".into()),
    }
    if let Some((secs, _)) = b_plain {
        rows.push(row(
            &format!("(b) Python, plain: fastavro + {n} filters (the peer)"),
            secs,
        ));
    }
    if let Some((secs, _)) = b_python {
        rows.push(row(
            &format!("(b) Python with jq's semantics, {n} filters (the proof)"),
            secs,
        ));
    }
    rows.extend(watchlist_rows(
        load,
        dirs,
        &defs,
        &packets,
        &file_counts,
        &engine_b_rate,
        (&exe, &schema_args, &wire, dir, &bf::filters_toml(&many)),
        notes,
    )?);
    Ok(rows)
}

/// (c) Watchlists: the load, the lookup alone, the filters with a watchlist filter added
/// (engine; `filter run --file` end to end), and Fink's published rates beside them.
#[allow(clippy::too_many_arguments)]
fn watchlist_rows(
    load: &crate::bench::watchlist::Load,
    dirs: &[std::path::PathBuf],
    defs: &[alertctl::filter::FilterDef],
    packets: &[Vec<u8>],
    file_counts: &[u64],
    engine_b_rate: &f64,
    (exe, schema_args, wire, dir, toml): (
        &std::path::Path,
        &[String],
        &std::path::Path,
        &std::path::Path,
        &str,
    ),
    notes: &mut Vec<String>,
) -> Result<Vec<Row>, Error> {
    use crate::bench::watchlist as bw;
    let n = defs.len();
    let (n_alerts, n_bytes) = (
        packets.len(),
        packets.iter().map(|p| p.len() as u64).sum::<u64>(),
    );
    // The alerts' positions: the first thousand get a cone each.
    let mut decoder = alertctl::formats::packet::Decoder::new(
        alertctl::formats::avro::SchemaStore::new(dirs.to_vec()),
        None,
    );
    let mut positions = Vec::with_capacity(packets.len());
    for p in packets {
        let (_, v) = decoder.decode(p)?;
        let num = |name: &str| {
            alertctl::formats::packet::field(&v, "diaSource")
                .and_then(|s| alertctl::formats::packet::field(s, name))
                .and_then(|x| match x {
                    apache_avro::types::Value::Double(d) => Some(*d),
                    _ => None,
                })
        };
        positions.push((num("ra"), num("dec")));
    }
    let near: Vec<(f64, f64)> = positions
        .iter()
        .take(1000)
        .filter_map(|(a, d)| Some(((*a)?, (*d)?)))
        .collect();
    let csv = bw::csv_path(dir);
    bw::write_csv(&csv, &near)?;
    notes.push(format!(
        "(c) a {}-cone watchlist ({:.0} MB of CSV) loads in {:.2} s by `filter eval --watchlist`, the process peaking at {:.0} MB",
        bw::CONES,
        load.csv_bytes as f64 / 1e6,
        load.seconds,
        load.peak_mb
    ));
    let (all, sky) = bw::with_watchlist(defs, &csv)?;
    let w = sky.watchlists["bench"].clone();
    let lookup = bw::lookup_row(&w);
    // The reference: each alert against the cones within 10" of its declination.
    let mut by_dec: Vec<(f64, f64, f64)> = (0..w.len() as u32)
        .map(|i| {
            let c = w.cone(i);
            (c.dec, c.ra, c.radius)
        })
        .collect();
    by_dec.sort_by(|a, b| a.0.total_cmp(&b.0));
    let reference = positions
        .iter()
        .filter(|(a, d)| {
            let (Some(ra), Some(dec)) = (a, d) else {
                return false;
            };
            let from = by_dec.partition_point(|c| c.0 < dec - 10.0 / 3600.0);
            by_dec[from..]
                .iter()
                .take_while(|c| c.0 <= dec + 10.0 / 3600.0)
                .any(|c| alertctl::sky::geom::separation_arcsec(c.1, c.0, *ra, *dec) <= c.2)
        })
        .count() as u64;
    let stage = format!("(c) {n} filters + a watchlist filter: the engine alone");
    // With and without the watchlist filter in turn, so that the machine's drift does
    // not fall on one side of the ratio; the best of each.
    let (mut engine_c, emitted) = super::filters_with_sky(&stage, dirs, &all, &sky, packets)?;
    same(&stage, &emitted[..n], file_counts)?;
    same("(c) the watchlist filter", &emitted[n..], &[reference])?;
    let mut rate_b = *engine_b_rate;
    for _ in 0..2 {
        let (b, _) = super::filters(&stage, dirs, defs, packets)?;
        rate_b = rate_b.max(b.alerts_per_s());
        let (c, _) = super::filters_with_sky(&stage, dirs, &all, &sky, packets)?;
        if c.seconds < engine_c.seconds {
            engine_c = c;
        }
    }
    notes.push(format!(
        "(c) with the watchlist filter added the engine keeps {:.0}% of its alerts/s ({:.0} of {:.0}, measured in turn); it matched {reference} of {n_alerts} alerts, as a search of the cones by declination does",
        100.0 * engine_c.alerts_per_s() / rate_b,
        engine_c.alerts_per_s(),
        rate_b
    ));
    // End to end: the filters file with the watchlist declared (its load included).
    let toml_c = dir.join("filters-watchlist.toml");
    std::fs::write(&toml_c, bw::toml_with_watchlist(toml, &csv))?;
    let out_c = dir.join("c");
    let e2e = time_command(
        || {
            let _ = std::fs::remove_dir_all(&out_c);
            let mut c = std::process::Command::new(exe);
            c.args(["filter", "run", "--filters"])
                .arg(&toml_c)
                .arg("--file")
                .arg(wire)
                .arg("--out-dir")
                .arg(&out_c)
                .args(schema_args);
            c
        },
        3,
    )
    .map_err(Error::failure)?;
    let got = wire_count(&out_c.join("Watchlist.wire"))?;
    same("(c) filter run with the watchlist", &[got], &[reference])?;
    let mut rows = vec![
        Row {
            stage: format!("(c) load a {}-cone watchlist (cones; CSV bytes)", bw::CONES),
            alerts: bw::CONES,
            bytes: load.csv_bytes,
            seconds: load.seconds,
            cpu: None,
        },
        lookup,
        engine_c,
        Row {
            stage: format!("(c) {n} filters + watchlist: filter run --file (load included)"),
            alerts: n_alerts,
            bytes: n_bytes,
            seconds: e2e.seconds,
            cpu: None,
        },
    ];
    rows.extend(bw::fink_rows());
    Ok(rows)
}

/// A fresh directory for a benchmark's files.
fn tempfile_dir(what: &str) -> Result<std::path::PathBuf, Error> {
    let dir = std::env::temp_dir().join(format!("alertctl-{what}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A bare read of a topic in Python, as confluent-kafka's users write it: every
/// partition from its start to the end it has, the values only counted. Arguments:
/// brokers, topic.
const PY_BARE_READ: &str = r#"
import sys
from confluent_kafka import Consumer, TopicPartition, KafkaError

brokers, topic = sys.argv[1], sys.argv[2]
c = Consumer({"bootstrap.servers": brokers, "group.id": "bench-bare-read",
              "enable.auto.commit": False, "enable.partition.eof": True,
              "fetch.wait.max.ms": 10})
parts = list(c.list_topics(topic, timeout=10).topics[topic].partitions)
c.assign([TopicPartition(topic, p, 0) for p in parts])
left, n, size = set(parts), 0, 0
while left:
    m = c.poll(1.0)
    if m is None:
        continue
    if m.error():
        if m.error().code() == KafkaError._PARTITION_EOF:
            left.discard(m.partition())
            continue
        raise SystemExit(str(m.error()))
    n += 1
    size += len(m.value())
c.close()
print(n, size)
"#;

/// What reading the bench topic cost: `filter run --from` and the bare reads.
struct FromTopic {
    /// `filter run --from`, N filters: fastest wall seconds, least CPU seconds.
    filter: (f64, f64),
    /// alertctl's own read loop with nothing after it: `tail --format raw`.
    bare: (f64, f64),
    /// confluent-kafka's Python consumer, when the Python has it.
    python: Option<(f64, f64)>,
}

/// Produce the packets to a new topic, then time `filter run --from` over it (the
/// fastest of three runs, each writing to output topics of its own), and the bare
/// reads of the same topic: alertctl's `tail --format raw` and confluent-kafka's
/// Python consumer. CPU seconds are the process's own (user and system), the least
/// of the runs.
fn from_topic(
    brokers: &str,
    exe: &std::path::Path,
    toml: &std::path::Path,
    schema_args: &[String],
    packets: &[Vec<u8>],
    python: &str,
) -> Result<FromTopic, Error> {
    use alertctl::transport::kafka::admin::Admin;
    let conn = alertctl::transport::connect::Target::default().other_cluster(brokers)?;
    let admin = Admin::connect(&conn)?;
    let topic = format!("bench-filter-{}", std::process::id());
    alertctl::jobs::topics::ensure(
        &admin,
        &topic,
        alertctl::jobs::topics::Kind::Copy {
            partitions: 4,
            retention_ms: -1,
        },
        None,
        None,
        &mut alertctl::jobs::Quiet,
    )?;
    super::kafka_produce(&conn, &topic, packets)?;
    let measured = read_topic(brokers, exe, toml, schema_args, python, &topic, &admin);
    let _ = admin.delete(&topic);
    measured
}

/// The runs of [`from_topic`] over `topic`.
fn read_topic(
    brokers: &str,
    exe: &std::path::Path,
    toml: &std::path::Path,
    schema_args: &[String],
    python: &str,
    topic: &str,
    admin: &alertctl::transport::kafka::admin::Admin,
) -> Result<FromTopic, Error> {
    let mut defs = alertctl::filter::load_file(toml)?;
    let (mut best, mut least_cpu) = (f64::INFINITY, f64::INFINITY);
    for pass in 0..3 {
        for d in &mut defs {
            d.to = Some(format!("{topic}-{pass}-{}", d.name));
        }
        let file = toml.with_file_name(format!("from-{pass}.toml"));
        let filters: Vec<self::BenchFilter> = defs
            .iter()
            .map(|d| self::BenchFilter {
                def: d.clone(),
                python: String::new(),
                python_rank: None,
                plain: String::new(),
            })
            .collect();
        std::fs::write(&file, self::filters_toml(&filters))?;
        let (started, cpu0) = (Instant::now(), super::children_cpu_seconds());
        let out = Command::new(exe)
            .args(["filter", "run", "--filters"])
            .arg(&file)
            .args([
                "--from",
                topic,
                "-e",
                "-b",
                brokers,
                "-X",
                "fetch.wait.max.ms=10",
            ])
            .args(schema_args)
            .output()?;
        let secs = started.elapsed().as_secs_f64();
        let cpu = super::children_cpu_seconds() - cpu0;
        for d in &defs {
            let _ = admin.delete(d.topic());
        }
        if !out.status.success() {
            return Err(Error::failure(format!(
                "filter run --from failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        best = best.min(secs);
        least_cpu = least_cpu.min(cpu);
    }
    let bare = time_command(
        || {
            let mut c = Command::new(exe);
            c.args(["tail", "--from", topic, "-o", "beginning", "-e"])
                .args(["--format", "raw", "-b", brokers])
                .args(["-X", "fetch.wait.max.ms=10"])
                .stdout(std::process::Stdio::null());
            c
        },
        3,
    )
    .map_err(Error::failure)?;
    let has_confluent_kafka = !python.is_empty()
        && Command::new(python)
            .args(["-c", "import confluent_kafka"])
            .output()
            .is_ok_and(|o| o.status.success());
    let python = if has_confluent_kafka {
        let script = toml.with_file_name("bare-read.py");
        std::fs::write(&script, PY_BARE_READ)?;
        let t = time_command(
            || {
                let mut c = Command::new(python);
                c.arg(&script).args([brokers, topic]);
                c
            },
            3,
        )
        .map_err(Error::failure)?;
        Some((t.seconds, t.cpu))
    } else {
        None
    };
    Ok(FromTopic {
        filter: (best, least_cpu),
        bare: (bare.seconds, bare.cpu),
        python,
    })
}
