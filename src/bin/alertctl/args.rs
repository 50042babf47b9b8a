//! What commands share, and mean the same by everywhere: the arguments (connection,
//! schemas, input, window, cutouts), the value parsers, and [`Ctx`], what a command
//! has to work with (stdout, diagnostics on stderr, the stop flag).
//!
//! * the input is `--from TOPIC|REGEX` (or `--night`, or `--file`) in every command;
//!   `--to` is always a topic; `-o` is always where to start reading;
//! * an old spelling still works for one release, with one deprecation line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use alertctl::choice::Choice;
use alertctl::render::diagnostics::Diagnostics;
use alertctl::transport::connect::{SchemaSources, Target};
use alertctl::Error;

/// What a command has to work with: stdout, the diagnostics on stderr, whether a person
/// is watching, and the stop flag Ctrl-C and SIGTERM raise.
pub struct Ctx {
    /// Diagnostics on stderr.
    pub diag: Diagnostics<std::io::Stderr>,
    /// Whether stdout is a terminal (tables for people, JSON lines for scripts).
    pub terminal: bool,
    stop: Arc<AtomicBool>,
}

impl Ctx {
    /// What a command of this process works with.
    pub fn new() -> Ctx {
        Ctx {
            diag: Diagnostics::new(std::io::stderr()).interactive(std::io::stderr().is_terminal()),
            terminal: std::io::stdout().is_terminal(),
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Locked, buffered stdout.
    pub fn stdout(&self) -> std::io::BufWriter<std::io::StdoutLock<'static>> {
        std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
    }

    /// Print lines on stdout.
    pub fn lines<S: AsRef<str>>(&self, lines: impl IntoIterator<Item = S>) -> CmdResult {
        let mut out = self.stdout();
        for l in lines {
            writeln!(out, "{}", l.as_ref())?;
        }
        out.flush()?;
        Ok(())
    }

    /// A function that says whether Ctrl-C or SIGTERM came (the first asks to stop
    /// cleanly; a second, while stopping, ends the process at once).
    pub fn stop(&self) -> impl Fn() -> bool + use<> {
        static HANDLER: std::sync::Once = std::sync::Once::new();
        let flag = self.stop.clone();
        HANDLER.call_once(|| {
            let f = flag.clone();
            let _ = ctrlc::set_handler(move || {
                if f.swap(true, Ordering::SeqCst) {
                    std::process::exit(130);
                }
            });
        });
        move || flag.load(Ordering::SeqCst)
    }

    /// Say once that an old spelling still works, for one more release.
    pub fn deprecated(&mut self, old: &str, new: &str) {
        self.diag.deprecated(old, new);
    }
}

/// A command's result.
pub type CmdResult = Result<(), Error>;

/// Connection options shared by every command that talks to Kafka.
#[derive(Debug, Clone, clap::Args)]
pub struct KafkaArgs {
    /// Bootstrap brokers, comma-separated HOST:PORT.
    #[arg(long, short = 'b', env = "ALERTCTL_BROKERS", value_name = "HOST:PORT")]
    pub brokers: Option<String>,
    /// Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG).
    #[arg(long, env = "ALERTCTL_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable).
    #[arg(short = 'X', value_name = "KEY=VALUE", value_parser = alertctl::transport::kafka::config::parse_property)]
    pub properties: Vec<(String, String)>,
    /// Give up on unresponsive brokers after this long (500ms, 10s, 1m).
    #[arg(long, default_value = "10s", value_parser = values::duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
}

impl KafkaArgs {
    /// Where the cluster is, as the command was told.
    pub fn target(&self) -> Target {
        Target {
            brokers: self.brokers.clone(),
            profile: self.profile.clone(),
            properties: self.properties.clone(),
            timeout: self.timeout,
        }
    }
}

/// Where schemas come from, shared by commands that decode or generate.
#[derive(Debug, Clone, clap::Args)]
pub struct SchemaArgs {
    /// A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable.
    #[arg(
        long = "schema-dir",
        value_name = "DIR",
        env = "ALERTCTL_SCHEMA_DIR",
        value_delimiter = ':'
    )]
    pub dirs: Vec<PathBuf>,
    /// A Confluent-API schema registry to look schema ids up in (cached on disk).
    #[arg(long, env = "ALERTCTL_REGISTRY", value_name = "URL")]
    pub registry: Option<String>,
}

impl SchemaArgs {
    /// The schema sources; a connection profile's registry applies when none is named.
    pub fn sources(&self, profile: Option<&str>) -> SchemaSources {
        SchemaSources {
            dirs: self.dirs.clone(),
            registry: self.registry.clone(),
            profile: profile.map(str::to_string),
        }
    }
}

/// The watchlists and MOCs filters may ask about, on the command line (beside a
/// filters file's `[watchlists]` and `[mocs]`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SkyArgs {
    /// A watchlist for `watchlist("NAME")`: a CSV (ra, dec, name[, radius arcsec], comma
    /// or `|`, header optional) or Parquet file, reloaded when it changes; repeatable.
    #[arg(long = "watchlist", value_name = "NAME=FILE", value_parser = values::watchlist)]
    pub watchlists: Vec<alertctl::sky::Decl>,
    /// A MOC for `in_moc("NAME")`: IVOA FITS (mocpy, Aladin), ASCII or JSON; repeatable.
    #[arg(long = "moc", value_name = "NAME=FILE", value_parser = values::moc)]
    pub mocs: Vec<alertctl::sky::Decl>,
}

impl SkyArgs {
    /// These declarations after `from_file`'s (a filters file's).
    pub fn decls(&self, from_file: Vec<alertctl::sky::Decl>) -> Vec<alertctl::sky::Decl> {
        from_file
            .into_iter()
            .chain(self.watchlists.iter().cloned())
            .chain(self.mocs.iter().cloned())
            .collect()
    }
}

/// The input of a command that reads Kafka: `--from TOPIC|REGEX` (the old positional
/// TOPIC still works, hidden, with a deprecation line).
#[derive(Debug, Clone, clap::Args)]
pub struct FromArgs {
    /// The topic to read, or a regex matching several (`lsst-2024-05-.*`).
    #[arg(long, value_name = "TOPIC|REGEX")]
    pub from: Option<String>,
    /// The old spelling of --from: a positional TOPIC (one more release).
    #[arg(value_name = "TOPIC", hide = true, conflicts_with = "from")]
    pub topic_old: Option<String>,
}

impl FromArgs {
    /// The topic or regex, saying once when the old spelling was used.
    pub fn topic(&self, ctx: &mut Ctx) -> Option<String> {
        if let Some(t) = &self.topic_old {
            ctx.deprecated("a positional TOPIC", "--from TOPIC");
            return Some(t.clone());
        }
        self.from.clone()
    }
}

/// The value parsers every command uses for the same kinds of value, so a bad one is
/// a usage error (exit 2) wherever it is given.
pub mod values {
    use std::marker::PhantomData;

    use chrono::{NaiveDate, Utc};
    use clap::builder::{PossibleValue, TypedValueParser};

    use alertctl::choice::Choice;
    use alertctl::transport::kafka::offsets::{parse_offset, parse_time, OffsetSpec};

    /// An offset: beginning, end, stored, N, -N, @TIME or @-DURATION.
    pub fn offset(s: &str) -> Result<OffsetSpec, String> {
        parse_offset(s, Utc::now()).map_err(|e| e.to_string())
    }

    /// A night (dayObs): YYYY-MM-DD, today, tonight or yesterday.
    pub fn night(s: &str) -> Result<NaiveDate, String> {
        alertctl::night::parse_night(s, Utc::now()).map_err(|e| e.to_string())
    }

    /// A point in time, with or without a leading @: RFC 3339, Unix ms, or -DURATION
    /// back from now; Unix milliseconds.
    pub fn time(s: &str) -> Result<i64, String> {
        parse_time(s.trim_start_matches('@'), Utc::now()).map_err(|e| e.to_string())
    }

    /// A duration: 500ms, 10s, 5m, 2h, 7d.
    pub fn duration(s: &str) -> Result<std::time::Duration, String> {
        alertctl::transport::kafka::offsets::parse_duration(s).map_err(|e| e.to_string())
    }

    /// A retention: a duration, or forever (-1); milliseconds.
    pub fn retention(s: &str) -> Result<i64, String> {
        alertctl::jobs::topics::parse_retention(s)
    }

    /// A row format (table, jsonl, json); a record format's name says it is tail's.
    pub fn watchlist(s: &str) -> Result<alertctl::sky::Decl, String> {
        alertctl::sky::Decl::parse(
            s,
            alertctl::sky::Kind::Watchlist {
                radius: alertctl::sky::DEFAULT_RADIUS_ARCSEC,
            },
        )
    }

    pub fn moc(s: &str) -> Result<alertctl::sky::Decl, String> {
        alertctl::sky::Decl::parse(s, alertctl::sky::Kind::Moc)
    }

    pub fn row_format(s: &str) -> Result<alertctl::render::printer::RowFormat, String> {
        alertctl::render::printer::RowFormat::parse(s)
    }

    /// A value chosen by name from one of the library's [`Choice`] lists
    /// (case-insensitive; the names and their help appear in --help and completions).
    #[derive(Clone)]
    pub struct ChoiceParser<T>(PhantomData<T>);

    /// The parser of a [`Choice`].
    pub fn choice<T: Choice>() -> ChoiceParser<T> {
        ChoiceParser(PhantomData)
    }

    impl<T: Choice + Clone + Send + Sync> TypedValueParser for ChoiceParser<T> {
        type Value = T;

        fn parse_ref(
            &self,
            cmd: &clap::Command,
            arg: Option<&clap::Arg>,
            value: &std::ffi::OsStr,
        ) -> Result<T, clap::Error> {
            let text = value.to_string_lossy();
            T::from_name(&text).ok_or_else(|| {
                let arg = arg.map_or_else(|| "the value".to_string(), |a| a.to_string());
                clap::Error::raw(
                    clap::error::ErrorKind::InvalidValue,
                    format!(
                        "invalid value '{text}' for '{arg}': expected {}\n",
                        T::names()
                    ),
                )
                .with_cmd(cmd)
            })
        }

        fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
            Some(Box::new(
                T::CHOICES
                    .iter()
                    .map(|(n, help, _)| PossibleValue::new(*n).help(*help))
                    .chain(
                        T::ALIASES
                            .iter()
                            .map(|(n, _)| PossibleValue::new(*n).hide(true)),
                    ),
            ))
        }
    }
}

/// How the FITS cutouts appear, by the one vocabulary every command uses: left out,
/// their size, or kept (base64 in JSON, bytes in Parquet). `base64` is the old name of
/// `keep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutouts {
    /// The policy.
    pub policy: alertctl::formats::avro::view::CutoutPolicy,
    /// Given by its old name.
    pub old_name: bool,
}

impl Choice for Cutouts {
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        (
            "omit",
            "Leave the cutouts out",
            Cutouts {
                policy: alertctl::formats::avro::view::CutoutPolicy::Omit,
                old_name: false,
            },
        ),
        (
            "size",
            "Show each cutout's size only, {\"bytes\": N}",
            Cutouts {
                policy: alertctl::formats::avro::view::CutoutPolicy::Size,
                old_name: false,
            },
        ),
        (
            "keep",
            "Keep the cutouts' bytes (base64 in JSON, binary columns in Parquet)",
            Cutouts {
                policy: alertctl::formats::avro::view::CutoutPolicy::Keep,
                old_name: false,
            },
        ),
    ];
    const ALIASES: &'static [(&'static str, Self)] = &[(
        "base64",
        Cutouts {
            policy: alertctl::formats::avro::view::CutoutPolicy::Keep,
            old_name: true,
        },
    )];
}

impl Cutouts {
    /// The policy, saying once when the old name was used.
    pub fn policy(self, ctx: &mut Ctx) -> alertctl::formats::avro::view::CutoutPolicy {
        if self.old_name {
            ctx.deprecated("--cutouts base64", "--cutouts keep");
        }
        self.policy
    }
}

/// How a night's window on a long-lived topic selects alerts (commands that decode).
#[derive(Debug, Clone, clap::Args)]
pub struct WindowArgs {
    /// With --night on a long-lived topic: select by record timestamp (`timestamp`, found
    /// per partition with offsets-for-times; ingest time on a LogAppendTime topic) or by
    /// the alert's own observation time (`observation`, diaSource.midpointMjdTai,
    /// reading --window-margin on both sides of the window).
    #[arg(long, value_parser = ["timestamp", "observation"], default_value = "timestamp", requires = "night")]
    pub window_by: String,
    /// With --window-by observation: how far outside the window to read.
    #[arg(long, default_value = "2h", value_parser = values::duration, value_name = "DURATION")]
    pub window_margin: std::time::Duration,
}

impl WindowArgs {
    /// The library's windowing.
    pub fn windowing(&self) -> alertctl::night::input::Windowing {
        use alertctl::night::input::{WindowBy, Windowing};
        Windowing {
            by: if self.window_by == "observation" {
                WindowBy::Observation
            } else {
                WindowBy::Timestamp
            },
            margin: self.window_margin,
        }
    }
}

/// `--workers N`: the same on every command that decodes or encodes alerts in bulk.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct WorkersArgs {
    /// Threads that decode and encode alerts in parallel (0: one per core). Output
    /// keeps the input's order; with a group, only what is written is committed.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub workers: usize,
}
