//! `alertctl filter run`.

use std::path::PathBuf;
use std::time::Duration;

use alertctl::filter::pipeline::file::{self, FileRun, Outputs};
use alertctl::filter::pipeline::kafka::{run_job, KafkaRun};
use alertctl::filter::pipeline::node::{run_node, NodeRun};
use alertctl::filter::pipeline::{sink_lines, summary_lines, Setup};
use alertctl::filter::{self, Budget, FilterDef};
use alertctl::jobs::Report;
use alertctl::transport::kafka::offsets::OffsetSpec;
use alertctl::Error;

use crate::args::{values, CmdResult, Ctx, Cutouts, KafkaArgs, SchemaArgs, SkyArgs};

/// Arguments of `filter run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The jq expression (with --name).
    #[arg(long, requires = "name", conflicts_with = "filters")]
    pub expr: Option<String>,
    /// The filter's name; its output topic unless --to.
    #[arg(long, requires = "expr")]
    pub name: Option<String>,
    /// Output topic (default: the name).
    #[arg(long, value_name = "TOPIC")]
    pub to: Option<String>,
    /// At most this many alerts per visit (0: no cap).
    #[arg(long, default_value_t = alertctl::filter::DEFAULT_MAX_PER_VISIT, value_name = "N")]
    pub max_per_visit: usize,
    /// Where the visit id is (a jq path).
    #[arg(long, default_value = alertctl::filter::DEFAULT_VISIT_KEY, value_name = "PATH")]
    pub visit_key: String,
    /// Keep the best N of each visit by this expression (higher is better) instead of the first N.
    #[arg(long, value_name = "EXPR")]
    pub rank_by: Option<String>,
    /// Null these optional fields in passing alerts (e.g. cutoutScience,cutoutTemplate,prvDiaSources).
    #[arg(long, value_delimiter = ',', value_name = "FIELDS")]
    pub drop: Vec<String>,
    /// A filters file of [[filter]] tables.
    #[arg(long, value_name = "FILTERS.toml")]
    pub filters: Option<PathBuf>,
    /// With --filters: run only these filters (repeatable).
    #[arg(long, value_name = "NAME", requires = "filters")]
    pub only: Vec<String>,
    /// With --filters: run only the Nth filter (1-based).
    #[arg(long, value_name = "N", requires = "filters", conflicts_with = "only")]
    pub index: Option<usize>,
    /// Input topic, or a regex of topics (or --file).
    #[arg(long, value_name = "TOPIC|REGEX")]
    pub from: Option<String>,
    /// A night: its topic, or on a long-lived topic (--from, or the profile's per-major
    /// layout) its dayObs window, 12:00 to 12:00 UTC, read to its end.
    #[arg(long, value_name = "NIGHT", value_parser = values::night, conflicts_with = "file")]
    pub night: Option<chrono::NaiveDate>,
    /// Where to start without committed offsets: beginning, end, N, -N, @TIME, @T1:T2.
    #[arg(short = 'o', long = "offset", value_name = "OFFSET", value_parser = values::offset, allow_hyphen_values = true)]
    pub offset: Option<OffsetSpec>,
    /// Consumer group: instances of one group share the partitions. A member joining
    /// or leaving moves only the partitions that change hands (cooperative-sticky), and
    /// what was sent from them is committed before they are given up. A member stopped
    /// while its group rebalances waits that out (up to 10 s) to commit.
    #[arg(long, short = 'G', value_name = "GROUP")]
    pub group: Option<String>,
    /// Exit at the end of the input partitions (as they were when read).
    #[arg(short = 'e', long = "exit")]
    pub exit_at_end: bool,
    /// Copy undecodable records here (with a header saying why).
    #[arg(long, value_name = "TOPIC")]
    pub dead_letter: Option<String>,
    /// With --rank-by: a visit is complete this long after later visits reached every partition.
    #[arg(long, default_value = "2s", value_parser = values::duration, value_name = "DURATION")]
    pub visit_grace: Duration,
    /// With --rank-by: a visit is complete at the latest this long after its first alert.
    #[arg(long, default_value = "120s", value_parser = values::duration, value_name = "DURATION")]
    pub visit_timeout: Duration,
    /// Read a visit file (OCF or wire) instead of Kafka.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The old spelling of --file (one more release).
    #[arg(
        long = "input",
        value_name = "FILE",
        hide = true,
        conflicts_with = "file"
    )]
    pub input_old: Option<PathBuf>,
    /// With --file: write the passing alerts of the (one) filter to this wire file.
    #[arg(long, value_name = "FILE", conflicts_with = "out_dir")]
    pub out: Option<PathBuf>,
    /// With --file: write each filter's passing alerts to DIR/NAME.wire.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// How cutouts appear in JSON output.
    #[arg(long, value_parser = values::choice::<Cutouts>(), default_value = "size")]
    pub cutouts: Cutouts,
    /// Per-alert output budget of an expression.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub max_outputs: usize,
    /// Per-alert time budget of an expression.
    #[arg(long, default_value = "100ms", value_parser = values::duration, value_name = "DURATION")]
    pub max_time: Duration,
    /// Times over budget before a filter is disabled.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub strikes: u32,
    /// With Kafka: wait out failures that may pass (broker away, registry not answering)
    /// this long, backing off, before stopping; nothing past them is committed.
    #[arg(long, default_value = "10m", value_parser = values::duration, value_name = "DURATION")]
    pub retry_for: Duration,
    /// With Kafka: say on stderr when the input lag exceeds this many records (a visit's
    /// worth), and when it has caught up; 0: never.
    #[arg(long, default_value_t = 10_000, value_name = "RECORDS")]
    pub lag_warn: i64,
    /// Allow loops and recursion in --expr (refused by default: they may never end).
    #[arg(long)]
    pub allow_unbounded: bool,
    /// End the process (before any commit) if one evaluation runs longer than this.
    #[arg(long, default_value = "10s", value_parser = values::duration, value_name = "DURATION")]
    pub hard_time: Duration,
    /// End the process (before any commit) if one evaluation holds more than this many bytes.
    #[arg(long, default_value_t = 512 << 20, value_name = "BYTES")]
    pub max_memory: usize,
    #[command(flatten)]
    pub sky: SkyArgs,
    #[command(flatten)]
    pub dirs: SchemaArgs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// The filters to run, and the watchlists and MOCs they may ask about.
fn defs(a: &RunArgs) -> Result<(Vec<FilterDef>, Vec<alertctl::sky::Decl>), Error> {
    match (&a.filters, &a.expr, &a.name) {
        (Some(f), _, _) => {
            let set = filter::load_set(f)?;
            Ok((
                filter::select(set.filters, &a.only, a.index)?,
                a.sky.decls(set.sky),
            ))
        }
        (None, Some(expr), Some(name)) => Ok((
            vec![FilterDef {
                name: name.clone(),
                expr: expr.clone(),
                to: a.to.clone(),
                max_per_visit: a.max_per_visit,
                rank_by: a.rank_by.clone(),
                drop: a.drop.clone(),
                visit_key: a.visit_key.clone(),
                unbounded: a.allow_unbounded,
                reasons: Default::default(),
                start: None,
                notify: Vec::new(),
            }],
            a.sky.decls(Vec::new()),
        )),
        _ => Err(Error::usage(
            "give --expr EXPR --name NAME, or --filters filters.toml",
        )),
    }
}

/// End the process (before anything more is written or committed) when an evaluation
/// runs away, saying which filter on which alert.
fn install_guard(a: &RunArgs) {
    let input = a.file.clone();
    let limits = filter::guard::Limits {
        time: a.hard_time,
        memory: a.max_memory,
    };
    filter::guard::install(limits, move |r| {
        let why = match r.reason {
            filter::guard::Reason::Time(t) => {
                format!("ran for more than {:.1} s (--hard-time)", t.as_secs_f64())
            }
            filter::guard::Reason::Memory { held, limit } => format!(
                "held or asked for {} MB, over {} MB (--max-memory)",
                held >> 20,
                limit >> 20
            ),
        };
        let at = match &input {
            Some(f) => format!("record {} of {}", r.alert.1, f.display()),
            None => format!("the alert at partition {} offset {}", r.alert.0, r.alert.1),
        };
        eprintln!(
            "{}",
            alertctl::render::diagnostics::error_line(&format!(
                "filter {} {why} on {at}: stopping before anything more is written or committed",
                r.filter
            ))
        );
        std::process::exit(alertctl::error::EXIT_FAILURE);
    });
}

/// Run `alertctl filter run`.
pub fn exec(mut a: RunArgs, ctx: &mut Ctx) -> CmdResult {
    if let Some(f) = a.input_old.take() {
        ctx.deprecated("--input", "--file");
        a.file = Some(f);
    }
    if let Some(f) = &a.file {
        // Before 0.2, --file was the filters file.
        if f.extension().is_some_and(|x| x == "toml") {
            return Err(Error::usage(format!(
                "{} is a filters file: filters files are now --filters (--file is the visit file to read)",
                f.display()
            )));
        }
    }
    match (&a.file, a.from.is_some() || a.night.is_some()) {
        (Some(_), true) => return Err(Error::usage("read --from a topic or a --file, not both")),
        (None, false) => {
            return Err(Error::usage(
                "give the input: --from TOPIC (or a regex), --night NIGHT, or --file VISIT_FILE",
            ))
        }
        _ => {}
    }
    if a.file.is_none() && (a.out.is_some() || a.out_dir.is_some()) {
        return Err(Error::usage(
            "--out and --out-dir write the output of a --file run; with --from, outputs are topics (--to)",
        ));
    }
    let (defs, sky) = defs(&a)?;
    let setup = Setup {
        defs,
        sky,
        budget: Budget {
            max_outputs: a.max_outputs.max(1),
            max_time: a.max_time,
            strikes: a.strikes.max(1),
        },
        schemas: a.dirs.sources(a.kafka.profile.as_deref()),
    };
    let cutouts = a.cutouts.policy(ctx);
    install_guard(&a);
    let stop = ctx.stop();
    match &a.file {
        Some(input) => {
            let run = FileRun {
                setup,
                input: input.clone(),
                outputs: match (&a.out, &a.out_dir) {
                    (Some(p), _) => Outputs::Wire(p.clone()),
                    (None, Some(d)) => Outputs::Dir(d.clone()),
                    (None, None) => Outputs::Views(cutouts),
                },
            };
            let mut out = ctx.stdout();
            let r = file::run(&run, &mut out, &mut ctx.diag, &stop)?;
            drop(out);
            summary(ctx, &r.filters, r.counts.bad);
            r.outcome(input)
        }
        None => {
            let run = KafkaRun {
                setup,
                from: a.from.clone(),
                night: a.night,
                offset: a.offset,
                group: a.group.clone(),
                exit_at_end: a.exit_at_end,
                dead_letter: a.dead_letter.clone(),
                visit_grace: a.visit_grace,
                visit_timeout: a.visit_timeout,
                retry_for: a.retry_for,
                lag_warn: a.lag_warn,
                target: a.kafka.target(),
                start: None,
                control: None,
            };
            // A whole filters file is followed while it runs: filters added, removed
            // or changed in it start and stop without pausing the others.
            let (report, result) = match &a.filters {
                Some(file) if a.only.is_empty() && a.index.is_none() => run_node(
                    &NodeRun {
                        run,
                        filters_file: file.clone(),
                        check_every: Duration::from_secs(1),
                    },
                    &mut ctx.diag,
                    &stop,
                ),
                _ => run_job(&run, &mut ctx.diag, &stop),
            };
            if let Some(r) = &report {
                summary(ctx, &r.filters, r.bad);
                for l in sink_lines(&r.sinks) {
                    ctx.diag.info(&l);
                }
            }
            result
        }
    }
}

/// What each filter did, and the undecodable records.
fn summary(ctx: &mut Ctx, filters: &[(String, filter::Stats, Option<String>)], bad: u64) {
    for l in summary_lines(filters) {
        ctx.diag.info(&l);
    }
    if bad > 0 {
        ctx.diag.info(&format!("{bad} undecodable records"));
    }
}
