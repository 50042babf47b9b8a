//! What a command reads from Kafka: a topic, a regex of topics, or a night, resolved on
//! the cluster's layout to existing topics and, for a night on a long-lived topic, the
//! night's window.

use crate::error::Error;
use crate::transport::kafka::offsets::OffsetSpec;

/// What a command reads from Kafka: a topic (or regex) and, for a night on a topic
/// that is not that night's topic (Rubin's long-lived `lsst-alerts-v11`), the night's
/// window, read as a time range of offsets.
#[derive(Debug, Clone)]
pub struct Reading {
    /// Topic name or regex.
    pub topic: String,
    /// The existing topics it names.
    pub topics: Vec<String>,
    /// The time range of record timestamps to read, per partition.
    pub window: Option<crate::night::Window>,
    /// Reading by observation time: keep only alerts whose `midpointMjdTai` is in this
    /// window (the read window is widened by a margin around it).
    pub observed: Option<crate::night::Window>,
    /// What the caller should be told (a window that is ingest time, not observation).
    pub notes: Vec<String>,
}

/// How a night window on a long-lived topic selects alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WindowBy {
    /// By record timestamp, found per partition with offsets-for-times (ingest time on
    /// a LogAppendTime topic).
    #[default]
    Timestamp,
    /// By the alert's own observation time (`diaSource.midpointMjdTai`), reading
    /// --window-margin on both sides of the window.
    Observation,
}

/// How a night's window on a long-lived topic is read (commands that decode alerts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windowing {
    /// By record timestamp or by the alert's observation time.
    pub by: WindowBy,
    /// With [`WindowBy::Observation`]: how far outside the window to read.
    pub margin: std::time::Duration,
}

impl Default for Windowing {
    fn default() -> Self {
        Windowing {
            by: WindowBy::Timestamp,
            margin: std::time::Duration::from_secs(2 * 3600),
        }
    }
}

/// Resolve a command's TOPIC and --night on `admin`'s connection, to existing topics:
/// * a topic alone is read whole;
/// * a night alone is the night's topic (`lsst-YYYY-MM-DD`), or, when the profile's
///   layout is per-major, the newest MAJOR's long-lived topic with the night's window;
/// * both: a night topic of that night is read whole, any other topic in the window.
///
/// A window on a LogAppendTime topic is said once on stderr to be ingest time.
pub fn reading(
    topic: Option<&str>,
    night: Option<chrono::NaiveDate>,
    by: Option<&Windowing>,
    admin: &crate::transport::kafka::admin::Admin,
) -> Result<Option<Reading>, Error> {
    use crate::night::{window_on, Layout, Window};
    let conn = admin.connection();
    let (topic, window) = match (topic, night) {
        (None, None) => return Ok(None),
        (Some(t), None) => (t.to_string(), None),
        (Some(t), Some(d)) => (
            t.to_string(),
            window_on(t, d).map_err(|e| Error::usage(e.to_string()))?,
        ),
        (None, Some(d)) => match &conn.layout {
            Layout::Nightly => (crate::night::topic_name(d), None),
            Layout::PerMajor { pattern } => {
                let t = admin.newest_major_topic(pattern)?.ok_or_else(|| {
                    Error::failure(format!(
                        "no topic on {} fits the profile's per-major pattern {pattern}: name the topic, or produce a night first",
                        conn.brokers
                    ))
                })?;
                (t, Some(Window::of_night(d)))
            }
        },
    };
    let topics = admin.resolve(&topic)?;
    let mut notes = Vec::new();
    let Some(w) = window else {
        return Ok(Some(Reading {
            topic,
            topics,
            window: None,
            observed: None,
            notes,
        }));
    };
    let observation = by.is_some_and(|b| b.by == WindowBy::Observation);
    if !observation {
        let appended = topics
            .iter()
            .find(|t| admin.timestamp_type(t).as_deref() == Some("LogAppendTime"));
        if let Some(t) = appended {
            notes.push(format!(
                "{t} stamps records with LogAppendTime: the night's window is ingest time, not observation time (--window-by observation selects by midpointMjdTai)"
            ));
        }
    }
    let (window, observed) = match by.filter(|_| observation) {
        Some(b) => (w.widened(b.margin.as_millis() as i64), Some(w)),
        None => (w, None),
    };
    Ok(Some(Reading {
        topic,
        topics,
        window: Some(window),
        observed,
        notes,
    }))
}

impl Reading {
    /// Where to start: the window as a time range when there is one (`given` must then
    /// be absent: the night says where to read), else `given`, else `default`.
    pub fn offset(
        &self,
        given: Option<OffsetSpec>,
        default: OffsetSpec,
    ) -> Result<OffsetSpec, Error> {
        match (self.window, given) {
            (Some(_), Some(_)) => Err(Error::usage(format!(
                "--night on {} is a time window: give --night or -o, not both",
                self.topic
            ))),
            (Some(w), None) => Ok(OffsetSpec::TimeRange {
                start: w.start_ms,
                end: w.end_ms,
            }),
            (None, g) => Ok(g.unwrap_or(default)),
        }
    }

    /// Whether a decoded alert is kept: always, unless reading by observation time,
    /// when its `diaSource.midpointMjdTai` must be in the window.
    pub fn keeps(&self, alert: &apache_avro::types::Value) -> bool {
        self.keeps_mjd(crate::formats::packet::alert_meta(alert).mjd)
    }

    /// [`Reading::keeps`] for an alert whose `midpointMjdTai` is `mjd`.
    pub fn keeps_mjd(&self, mjd: Option<f64>) -> bool {
        let Some(w) = self.observed else {
            return true;
        };
        mjd.is_some_and(|mjd| w.contains_mjd(mjd))
    }
}

/// The topic a command works on: an explicit name, or a night's topic.
pub fn topic_or_night(
    topic: Option<&str>,
    night: Option<chrono::NaiveDate>,
) -> Result<Option<String>, Error> {
    match (topic, night) {
        (Some(t), None) => Ok(Some(t.to_string())),
        (None, Some(d)) => Ok(Some(crate::night::topic_name(d))),
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(Error::usage("give a topic or --night, not both")),
    }
}
