//! `alertctl filter run`: jq filters over the alert stream (Kafka) or a visit file;
//! `alertctl filter check`: filters held against a schema version;
//! `alertctl filter eval`: one expression over JSON values.

mod check;
mod eval;
mod run;

pub use check::CheckArgs;
pub use eval::EvalArgs;
pub use run::RunArgs;

/// The astronomy functions, one line each with an example, for `--help`.
fn astronomy() -> String {
    let mut s = String::from("Astronomy functions (see also `alertctl filter eval`):\n");
    for d in alertctl::filter::jq::astro::DOCS {
        s.push_str(&format!(
            "  {:<30} {}\n  {:<30}   e.g. {}\n",
            d.call, d.gives, "", d.example
        ));
    }
    s
}

fn run_help() -> String {
    format!("{RUN_HELP}\n\n{}", astronomy())
}

fn eval_help() -> String {
    format!("{EVAL_HELP}\n\n{}", astronomy())
}

const EVAL_HELP: &str = "\
Examples:
  alertctl tail --file night.avro -n 5 | alertctl filter eval --expr 'mag_rate(\"g\")'
  alertctl tail --file night.avro | alertctl filter eval --watchlist tns=tns.csv --expr 'watchlist(\"tns\")[0].name // empty'
  echo '[10.68, 41.27]' | alertctl filter eval --expr 'galactic(.[0]; .[1])'

Each JSON value read (stdin, or --file) is the input; each output is printed on a line
of its own, as `jq -c` prints it. The expression is compiled as a filter's is (the
same confined library and astronomy functions); watchlist() and in_moc() take each
input as the alert. An input the expression fails on is said on stderr, and the exit
status is then 1.";

const RUN_HELP: &str = "\
Examples:
  alertctl filter run --name Filter001 --expr '.diaSource.snr > 5 and .diaSource.psfFlux > 3.631e-5' --from lsst-2024-05-01 -e
  alertctl filter run --name bright --expr 'select(.diaSource.psfFlux > 1e5)' --rank-by .diaSource.snr --from 'lsst-.*' --group bright
  alertctl filter run --filters filters.toml --from lsst-2024-05-01 --group mini-broker
  alertctl filter run --filters filters.toml --index 7 --from full-stream      # the seed's filterStream.py ... 7
  alertctl filter run --name test --expr '.diaSource.snr > 50' --file night.avro         # no broker: JSON lines out
  alertctl filter run --name a --expr '.diaSource.snr > 5' --file night.avro --out a.wire
  alertctl filter run --filters filters.toml --file night.wire --out-dir passed/
  alertctl filter run --name b --expr '.diaSource.band == \"r\"' --file a.wire             # chained
  alertctl filter run --watchlist tns=tns.csv --name tns --expr 'watchlist(\"tns\") | length > 0' --from lsst-alerts-v11 --night 2024-05-01 -e
  alertctl filter run --moc gw=S250101a-90.fits --name gw --expr 'in_moc(\"gw\") and n_detections <= 2' --from lsst-alerts-v11

An alert passes when the expression yields a value that is neither false nor null.
The expression sees the JSON view: unions flattened, cutouts as byte strings whose
`length` is their size. Each filter keeps at most --max-per-visit alerts per visit
(the first ones; with --rank-by the highest-ranked, emitted when the visit is
complete). Functions that reach the host (env, $ENV, input(s), halt, debug, stderr,
now, localtime, ...) are not available. Loops and recursion that may never end
(until, while, repeat, recurse(f), recursive defs, big or computed ranges) are
refused unless --allow-unbounded; an evaluation past --hard-time or --max-memory
ends the process before anything more is written or committed.

filters.toml holds [[filter]] tables: name, expr, and optional to, max_per_visit,
rank_by, drop, visit_key, and reasons = { NAME = \"EXPR\", ... }; and optional
[watchlists] (NAME = \"file.csv\" or NAME = { file = \"file.csv\", radius = 5.0 }) and
[mocs] (NAME = \"region.fits\") tables, paths relative to the file. All filters share one
consumer and one decode per alert; each has its own output topic, cap and counters,
and an error in one affects no other. Input offsets are committed (with --group) only
after the outputs are acknowledged.

Over Kafka, a --filters file is followed while it runs (looked at every second): a
filter added starts on a consumer of its own where its start = \"night\" (default),
\"now\" or a time says, its visits capped as if it had run all along; a removed one
stops; a changed one restarts; a file that does not parse changes nothing (one line
says why). A change is read once the file has been left alone for 0.2 s, so a file
met halfway through its writing is never acted on. The other filters never pause.

A filter's [[filter.notify]] sinks get each passing alert besides its topic: webhook =
URL (shape = json, slack or mattermost), exec = [PROGRAM, ARGS...] (mode = each or
lines; the alert's JSON on stdin, no shell) or email = [ADDRESSES] (smtp = host:port);
picture = true sends its picture along; per_minute = N, then a digest. Input
offsets are committed only after every sink accepted; a failing sink is retried
(Retry-After honoured) without holding up the others.

Watchlists (--watchlist NAME=FILE) are Lasair's CSV (ra, dec, name, optional radius in
arcsec up to 1800, default 2; comma or |; header optional) or Parquet; matching is exact
on the sphere. A watchlist or MOC file that changes is reloaded between alerts (checked
once a second); one that no longer loads leaves the previous one in force, said once.
A passing alert carries headers saying why: alertctl-filter, alertctl-watchlist:NAME
(the nearest entry) and alertctl-watchlist-sep:NAME (arcsec), alertctl-moc:NAME, and
alertctl-reason:NAME (each reason's value, JSON); `tail --format envelope` shows them.
A past night on a long-lived topic is re-run (backfilled) with --night.";

use crate::args::{CmdResult, Ctx};

/// The `filter` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum FilterCommand {
    /// Run filters over a topic (or a visit file) and write what passes.
    #[command(after_help = run_help())]
    Run(Box<RunArgs>),
    /// Check filters against a schema version: paths it lacks, literals of another type.
    #[command(after_help = "\
Examples:
  alertctl filter check --expr '.diaSource.snr > 5' --schema-dir alert_packet/schema --schema-version 11.0
  alertctl filter check --filters filters.toml --schema-dir alert_packet/schema --schema-version 10.0
  alertctl filter check --expr '.diaSource.band == 5'        # the built-in sample schema

Every path an expression reads (found from its parse tree: through variables, defs,
interpolation and object construction) must exist in the schema, and a path compared
with a literal must have that literal's type somewhere in its union: jq compares a
string with a number by type, never by value, so such a filter silently passes all
or nothing. filter run says the same once for each schema id it meets. Exit status:
0 when everything fits, 1 when something does not.")]
    Check(CheckArgs),
    /// Evaluate an expression over JSON values (as jq -c), with the filters' functions.
    #[command(after_help = eval_help())]
    Eval(EvalArgs),
}

/// Run a `filter` subcommand.
pub fn exec(cmd: FilterCommand, ctx: &mut Ctx) -> CmdResult {
    match cmd {
        FilterCommand::Run(a) => run::exec(*a, ctx),
        FilterCommand::Check(a) => check::exec(a, ctx),
        FilterCommand::Eval(a) => eval::exec(a, ctx),
    }
}
