//! `alertctl filter run`: jq filters over the alert stream (Kafka) or a visit file.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::json;

use super::{interrupted, line, stdout, warn, CliError, CliResult, KafkaArgs, SchemaDirs};
use crate::filter::{self, Budget, Engine, FilterDef};
use crate::kafka::admin::{is_pattern, Admin, TopicSpec};
use crate::kafka::consume::{Start, Tail};
use crate::kafka::offsets::OffsetSpec;
use crate::kafka::produce::Producer;
use crate::packet::file::{PacketReader, WireWriter};
use crate::packet::{self, to_json, CutoutPolicy};
use crate::schema::AlertSchema;

/// The `filter` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum FilterCommand {
    /// Run filters over a topic (or a visit file) and write what passes.
    #[command(after_help = "\
Examples:
  alertctl filter run --name Filter001 --expr '.diaSource.snr > 5 and .diaSource.psfFlux > 3.631e-5' --from lsst-2024-05-01 -e
  alertctl filter run --name bright --expr 'select(.diaSource.psfFlux > 1e5)' --rank-by .diaSource.snr --from 'lsst-.*' --group bright
  alertctl filter run --filters filters.toml --from lsst-2024-05-01 --group mini-broker
  alertctl filter run --filters filters.toml --index 7 --from full-stream      # the seed's filterStream.py ... 7
  alertctl filter run --name test --expr '.diaSource.snr > 50' --file night.avro         # no broker: JSON lines out
  alertctl filter run --name a --expr '.diaSource.snr > 5' --file night.avro --out a.wire
  alertctl filter run --filters filters.toml --file night.wire --out-dir passed/
  alertctl filter run --name b --expr '.diaSource.band == \"r\"' --file a.wire             # chained

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
rank_by, drop, visit_key. All filters share one consumer and one decode per alert;
each has its own output topic, cap and counters, and an error in one affects no other.
Input offsets are committed (with --group) only after the outputs are acknowledged.")]
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
}

/// Arguments of `filter check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The jq expression to check.
    #[arg(long, conflicts_with = "filters", required_unless_present = "filters")]
    pub expr: Option<String>,
    /// The name shown for --expr.
    #[arg(long, default_value = "expr")]
    pub name: String,
    /// A filters file of [[filter]] tables (expr, rank_by and visit_key are checked).
    #[arg(long, value_name = "FILTERS.toml")]
    pub filters: Option<PathBuf>,
    /// The schema version MAJOR.MINOR, from --schema-dir (default: the newest there,
    /// else the built-in sample).
    #[arg(long, value_name = "M.m", conflicts_with = "schema")]
    pub schema_version: Option<crate::schema::Version>,
    /// A self-contained .avsc file instead.
    #[arg(long, value_name = "FILE.avsc")]
    pub schema: Option<PathBuf>,
    /// Allow loops and recursion in --expr (as filter run).
    #[arg(long)]
    pub allow_unbounded: bool,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_parser = super::rows_format, value_name = "FORMAT")]
    pub format: Option<super::Format>,
    #[command(flatten)]
    pub dirs: SchemaDirs,
}

/// Run `alertctl filter check`.
fn check(a: CheckArgs) -> CliResult {
    let defs = match (&a.filters, &a.expr) {
        (Some(f), _) => filter::load_file(f)?,
        (None, Some(expr)) => vec![FilterDef {
            unbounded: a.allow_unbounded,
            ..FilterDef::new(&a.name, expr)
        }],
        (None, None) => return Err(CliError::usage("give --expr EXPR or --filters FILE")),
    };
    let schema = crate::schema::select(&a.dirs.dirs, a.schema_version, a.schema.as_deref())?;
    let engine = Engine::new(defs, a.dirs.store(None), Budget::default())?;
    let findings = engine.check_schema(&schema.json);
    let version = schema
        .version
        .map_or_else(|| schema.name.clone(), |v| v.to_string());
    let mut out = stdout();
    let format = super::Format::or_default(a.format);
    for (name, f) in &findings {
        let (kind, path) = match f {
            filter::check::Finding::Missing { path, .. } => ("missing", path),
            filter::check::Finding::TypeMismatch { path, .. } => ("type", path),
        };
        match format {
            super::Format::Table => line(&mut out, &format!("{name}: {f}"))?,
            _ => line(
                &mut out,
                &json!({"filter": name, "schema": version, "kind": kind, "path": path, "message": f.to_string()})
                    .to_string(),
            )?,
        }
    }
    std::io::Write::flush(&mut out)?;
    if findings.is_empty() {
        eprintln!(
            "alertctl: {} filter(s) fit schema {version}",
            engine.defs().count()
        );
        Ok(())
    } else {
        Err(CliError::failure(format!(
            "{} finding(s) against schema {version}",
            findings.len()
        )))
    }
}

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
    #[arg(long, default_value_t = filter::DEFAULT_MAX_PER_VISIT, value_name = "N")]
    pub max_per_visit: usize,
    /// Where the visit id is (a jq path).
    #[arg(long, default_value = filter::DEFAULT_VISIT_KEY, value_name = "PATH")]
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
    #[arg(long, value_name = "NIGHT", value_parser = super::values::night, conflicts_with = "file")]
    pub night: Option<chrono::NaiveDate>,
    /// Where to start without committed offsets: beginning, end, N, -N, @TIME, @T1:T2.
    #[arg(short = 'o', long = "offset", value_name = "OFFSET", value_parser = super::values::offset, allow_hyphen_values = true)]
    pub offset: Option<OffsetSpec>,
    /// Consumer group: instances of one group share the partitions.
    #[arg(long, short = 'G', value_name = "GROUP")]
    pub group: Option<String>,
    /// Exit at the end of the input partitions (as they were when read).
    #[arg(short = 'e', long = "exit")]
    pub exit_at_end: bool,
    /// Copy undecodable records here (with a header saying why).
    #[arg(long, value_name = "TOPIC")]
    pub dead_letter: Option<String>,
    /// With --rank-by: a visit is complete this long after later visits reached every partition.
    #[arg(long, default_value = "2s", value_parser = super::values::duration, value_name = "DURATION")]
    pub visit_grace: Duration,
    /// With --rank-by: a visit is complete at the latest this long after its first alert.
    #[arg(long, default_value = "120s", value_parser = super::values::duration, value_name = "DURATION")]
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
    #[arg(long, value_enum, default_value = "size")]
    pub cutouts: CutoutPolicy,
    /// Per-alert output budget of an expression.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub max_outputs: usize,
    /// Per-alert time budget of an expression.
    #[arg(long, default_value = "100ms", value_parser = super::values::duration, value_name = "DURATION")]
    pub max_time: Duration,
    /// Times over budget before a filter is disabled.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub strikes: u32,
    /// With Kafka: wait out failures that may pass (broker away, registry not answering)
    /// this long, backing off, before stopping; nothing past them is committed.
    #[arg(long, default_value = "10m", value_parser = super::values::duration, value_name = "DURATION")]
    pub retry_for: Duration,
    /// With Kafka: say on stderr when the input lag exceeds this many records (a visit's
    /// worth), and when it has caught up; 0: never.
    #[arg(long, default_value_t = 10_000, value_name = "RECORDS")]
    pub lag_warn: i64,
    /// Allow loops and recursion in --expr (refused by default: they may never end).
    #[arg(long)]
    pub allow_unbounded: bool,
    /// End the process (before any commit) if one evaluation runs longer than this.
    #[arg(long, default_value = "10s", value_parser = super::values::duration, value_name = "DURATION")]
    pub hard_time: Duration,
    /// End the process (before any commit) if one evaluation holds more than this many bytes.
    #[arg(long, default_value_t = 512 << 20, value_name = "BYTES")]
    pub max_memory: usize,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

fn defs(a: &RunArgs) -> Result<Vec<FilterDef>, CliError> {
    let mut defs = match (&a.filters, &a.expr, &a.name) {
        (Some(f), _, _) => filter::load_file(f)?,
        (None, Some(expr), Some(name)) => vec![FilterDef {
            name: name.clone(),
            expr: expr.clone(),
            to: a.to.clone(),
            max_per_visit: a.max_per_visit,
            rank_by: a.rank_by.clone(),
            drop: a.drop.clone(),
            visit_key: a.visit_key.clone(),
            unbounded: a.allow_unbounded,
        }],
        _ => {
            return Err(CliError::usage(
                "give --expr EXPR --name NAME, or --filters filters.toml",
            ))
        }
    };
    if let Some(i) = a.index {
        let n = defs.len();
        defs = vec![defs.into_iter().nth(i.wrapping_sub(1)).ok_or_else(|| {
            CliError::usage(format!("--index {i}: the file has {n} filters (1..{n})"))
        })?];
    }
    if !a.only.is_empty() {
        for name in &a.only {
            if !defs.iter().any(|d| &d.name == name) {
                return Err(CliError::usage(format!(
                    "--only {name}: no such filter in the file"
                )));
            }
        }
        defs.retain(|d| a.only.contains(&d.name));
    }
    if defs.is_empty() {
        return Err(CliError::usage("no filters to run"));
    }
    Ok(defs)
}

fn summary(engine: &Engine) {
    for (name, s, disabled) in engine.stats() {
        eprintln!(
            "alertctl: filter {name}: {} seen, {} passed, {} emitted, {} over the visit cap, {} errors{}{}",
            s.seen,
            s.passed,
            s.emitted,
            s.capped,
            s.errors,
            if s.skipped > 0 {
                format!(", {} not evaluated (their visit had given its cap)", s.skipped)
            } else {
                String::new()
            },
            disabled.map(|d| format!(", DISABLED: {d}")).unwrap_or_default()
        );
    }
    if engine.bad > 0 {
        eprintln!("alertctl: {} undecodable records", engine.bad);
    }
}

/// Print what happened to a filter when it happens.
fn notice(n: filter::Notice) {
    match n {
        filter::Notice::Disabled { filter, reason } => warn(&format!(
            "filter {filter} is disabled: {reason}; the other filters go on"
        )),
        filter::Notice::Mismatch {
            filter,
            schema_id,
            finding,
        } => warn(&format!(
            "filter {filter}, schema id {schema_id}: {finding} (alertctl filter check)"
        )),
    }
}

/// Warnings and notices of a run over a file, printed as they come (a reason that
/// repeats, a few times, then counted).
struct FileReport<'a> {
    input: &'a std::path::Path,
    repeats: super::Repeats,
}

impl filter::run::Report for FileReport<'_> {
    fn bad(&mut self, index: usize, error: &dyn std::fmt::Display) {
        self.repeats.warn(
            &format!("{} record {index}", self.input.display()),
            &error.to_string(),
        );
    }

    fn notice(&mut self, n: filter::Notice) {
        notice(n)
    }
}

/// Report a runaway evaluation and end the process, before anything more is written
/// or committed.
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
        super::error(&format!(
            "filter {} {why} on {at}: stopping before anything more is written or committed",
            r.filter
        ));
        std::process::exit(super::EXIT_FAILURE);
    });
}

/// Run a `filter` subcommand.
pub fn exec(cmd: FilterCommand) -> CliResult {
    let mut a = match cmd {
        FilterCommand::Run(a) => *a,
        FilterCommand::Check(a) => return check(a),
    };
    if let Some(f) = a.input_old.take() {
        super::deprecated("--input", "--file");
        a.file = Some(f);
    }
    if let Some(f) = &a.file {
        // Before 0.2, --file was the filters file.
        if f.extension().is_some_and(|x| x == "toml") {
            return Err(CliError::usage(format!(
                "{} is a filters file: filters files are now --filters (--file is the visit file to read)",
                f.display()
            )));
        }
    }
    match (&a.file, a.from.is_some() || a.night.is_some()) {
        (Some(_), true) => {
            return Err(CliError::usage("read --from a topic or a --file, not both"))
        }
        (None, false) => {
            return Err(CliError::usage(
                "give the input: --from TOPIC (or a regex), --night NIGHT, or --file VISIT_FILE",
            ))
        }
        _ => {}
    }
    if a.file.is_none() && (a.out.is_some() || a.out_dir.is_some()) {
        return Err(CliError::usage(
            "--out and --out-dir write the output of a --file run; with --from, outputs are topics (--to)",
        ));
    }
    let defs = defs(&a)?;
    let budget = Budget {
        max_outputs: a.max_outputs.max(1),
        max_time: a.max_time,
        strikes: a.strikes.max(1),
    };
    let mut engine = Engine::new(defs, a.dirs.store(a.kafka.profile.as_deref()), budget)?;
    install_guard(&a);
    match &a.file {
        Some(input) => run_file(&a, &mut engine, input),
        None => run_kafka(&a, &mut engine),
    }
}

fn run_file(a: &RunArgs, engine: &mut Engine, input: &std::path::Path) -> CliResult {
    let multi = engine.defs().count() > 1;
    if a.out.is_some() && multi {
        return Err(CliError::usage(
            "--out takes the output of one filter; run one filter (--only NAME or --index N)",
        ));
    }
    let reader = PacketReader::open(input)?;
    // A container file's schema joins the stores, under the id its records are given.
    let mut views = a.dirs.store(a.kafka.profile.as_deref());
    if let (Some(s), Some(id)) = (reader.container_schema(), reader.container_id()) {
        engine.insert_schema(id, AlertSchema::clone(s));
        views.insert(id, AlertSchema::clone(s));
    }
    let stop = interrupted();
    let stopped = || stop.load(Ordering::SeqCst);
    let mut report = FileReport {
        input,
        repeats: super::Repeats::default(),
    };
    let counts = match (&a.out, &a.out_dir) {
        (Some(path), _) => {
            let mut w = WireWriter::create(path)?;
            let counts = filter::run::run_file(
                engine,
                reader,
                |o| w.append(&o.packet),
                &mut report,
                &stopped,
            )?;
            w.finish()?;
            counts
        }
        (None, Some(dir)) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| CliError::failure(format!("{}: {e}", dir.display())))?;
            let mut ws = engine
                .defs()
                .map(|d| WireWriter::create(&dir.join(format!("{}.wire", d.name))))
                .collect::<Result<Vec<_>, _>>()?;
            let counts = filter::run::run_file(
                engine,
                reader,
                |o| ws[o.filter].append(&o.packet),
                &mut report,
                &stopped,
            )?;
            for w in ws {
                w.finish()?;
            }
            counts
        }
        (None, None) => {
            let names: Vec<String> = engine.defs().map(|d| d.name.clone()).collect();
            let mut out = stdout();
            // The JSON view is built only for the alerts printed.
            let counts = filter::run::run_file(
                engine,
                reader,
                |o| -> CliResult {
                    let (id, body) = packet::split(&o.packet)?;
                    let schema = views.get(id)?;
                    let view = to_json(&packet::decode_body(id, &schema, None, body)?, a.cutouts);
                    let row = if multi {
                        json!({"filter": names[o.filter], "alert": view})
                    } else {
                        view
                    };
                    line(&mut out, &row.to_string())
                },
                &mut report,
                &stopped,
            )
            .map_err(|e| match e {
                filter::run::RunError::File(f) => CliError::from(f),
                filter::run::RunError::Sink(c) => c,
            })?;
            std::io::Write::flush(&mut out)?;
            counts
        }
    };
    report.repeats.finish();
    summary(engine);
    if counts.bad > 0 {
        return Err(CliError::failure(format!(
            "{}: {} undecodable records (see the warnings above)",
            input.display(),
            counts.bad
        )));
    }
    Ok(())
}

/// Warnings and notices of a run over Kafka, printed as they come.
struct KafkaReport {
    retry_warned: Option<std::time::Instant>,
    lag: crate::kafka::consume::LagWatch,
    lag_threshold: i64,
}

impl filter::stream::Events for KafkaReport {
    fn bad(&mut self, at: &str, error: &dyn std::fmt::Display) {
        warn(&format!("{at}: {error}"));
    }

    fn committed(&mut self, _counts: &filter::stream::Counts, tail: &Tail) {
        if let Some(change) = self.lag.check(tail) {
            super::say_lag("filter run", change, self.lag_threshold);
        }
    }

    fn notice(&mut self, n: filter::Notice) {
        notice(n)
    }

    fn retrying(&mut self, why: &str, wait: Duration) {
        // One line every few seconds at most: a broker away for a minute is one story.
        if self
            .retry_warned
            .is_none_or(|t| t.elapsed() > Duration::from_secs(5))
        {
            warn(&format!(
                "{why}; trying again in {:.1} s",
                wait.as_secs_f64()
            ));
            self.retry_warned = Some(std::time::Instant::now());
        }
    }

    fn revoked(&mut self, partitions: &[(String, i32)]) {
        let list: Vec<String> = partitions.iter().map(|(t, p)| format!("{t}/{p}")).collect();
        eprintln!(
            "alertctl: partitions {} went to another member of the group; what was held from them is theirs now",
            list.join(", ")
        );
    }
}

fn run_kafka(a: &RunArgs, engine: &mut Engine) -> CliResult {
    let conn = a.kafka.connection()?;
    let admin = Admin::connect(&conn)?;
    let reading = super::reading(a.from.as_deref(), a.night, None, &admin)?
        .expect("checked: --from or --night without --file");
    let from = reading.topic.as_str();
    if reading.window.is_some() && a.group.is_some() {
        return Err(CliError::usage(format!(
            "--night on {from} is a time window, read by offsets: it takes no --group (a group resumes where it committed)"
        )));
    }
    let topics = &reading.topics;
    let outputs: Vec<String> = engine.defs().map(|d| d.topic().to_string()).collect();
    // A filter that reads its own output reads it forever.
    let matcher = is_pattern(from)
        .then(|| {
            regex::Regex::new(&format!(
                "^(?:{})$",
                from.trim_start_matches('^').trim_end_matches('$')
            ))
            .ok()
        })
        .flatten();
    for t in outputs.iter().chain(a.dead_letter.iter()) {
        if topics.contains(t) || matcher.as_ref().is_some_and(|m| m.is_match(t)) {
            return Err(CliError::usage(format!(
                "output topic {t} is also an input (--from {from}): the filter would read its own output; choose another name (--to)"
            )));
        }
    }
    // Outputs keep records as long as their inputs do: a past night's alerts, stamped
    // with their observation time, would otherwise expire on arrival.
    let retention = topics
        .iter()
        .map(|t| {
            admin
                .retention_ms(t)
                .unwrap_or(crate::kafka::admin::DEFAULT_RETENTION_MS)
        })
        // The longest; forever (-1) if any keeps forever.
        .try_fold(0i64, |a, r| (r >= 0).then(|| a.max(r)))
        .unwrap_or(-1);
    let mut created = std::collections::HashSet::new();
    for t in outputs.iter().chain(a.dead_letter.iter()) {
        if created.insert(t.clone())
            && admin.create(&TopicSpec {
                name: t.clone(),
                partitions: 1,
                replication: 1,
                retention_ms: retention,
                timestamp_type: None,
            })?
        {
            eprintln!(
                "alertctl: created topic {t} (retention {}, as its input's)",
                if retention < 0 {
                    "forever".to_string()
                } else {
                    format!("{} h", retention / 3_600_000)
                }
            );
        }
    }
    let retry = crate::kafka::outbox::Retry {
        give_up_after: a.retry_for,
        ..Default::default()
    };
    let mut outbox = crate::kafka::outbox::Outbox::new(Producer::new(&conn, &outputs[0])?, retry);
    drop(admin);
    let offset = reading.offset(
        a.offset,
        if a.group.is_some() {
            OffsetSpec::Stored
        } else {
            OffsetSpec::Beginning
        },
    )?;
    let mut tail = Tail::open(
        &conn,
        topics,
        is_pattern(from).then_some(from),
        &Start {
            offset,
            group: a.group.as_deref().map(|g| super::group_id(&conn, g)),
        },
    )?;
    let opts = filter::stream::Options {
        outputs,
        names: engine.defs().map(|d| d.name.clone()).collect(),
        dead_letter: a.dead_letter.clone(),
        // A window ends: the filter stops at its end, per partition.
        exit_at_end: a.exit_at_end || reading.window.is_some(),
        visit_grace: a.visit_grace,
        visit_timeout: a.visit_timeout,
        batch: 500,
        interval: Duration::from_millis(500),
        stall: conn.timeout,
        retry,
    };
    let stop = interrupted();
    let mut report = KafkaReport {
        retry_warned: None,
        lag: crate::kafka::consume::LagWatch::new(a.lag_warn),
        lag_threshold: a.lag_warn,
    };
    let result = filter::stream::run(engine, &mut tail, &mut outbox, &opts, &mut report, &|| {
        stop.load(Ordering::SeqCst)
    });
    summary(engine);
    let counts = result.map_err(|e| match e {
        filter::stream::StreamError::Stalled(s) => CliError::failure(format!(
            "no records from {} for {s:.0}s while partitions remain unread",
            conn.brokers
        )),
        other => CliError::failure(other.to_string()),
    })?;
    tail.close()?;
    if counts.retries > 0 || counts.revoked > 0 {
        eprintln!(
            "alertctl: {} failures waited out, {} records left to other members",
            counts.retries, counts.revoked
        );
    }
    Ok(())
}
