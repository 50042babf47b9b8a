//! Observing nights and layouts: Rubin's dayObs, night topic names, MJD times, the two
//! topic layouts, and what a command reads ([`input`]).
//!
//! Rubin labels a night by its *dayObs*: the calendar date in the UTC-12h time
//! zone, so one whole Chilean night (evening to dawn) has one date. In the design's
//! layout the alerts of a night go to the topic `lsst-YYYY-MM-DD`; in Rubin's
//! production layout a night is a window on a long-lived per-major topic.

pub mod input;

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The prefix of night topic names.
pub const TOPIC_PREFIX: &str = "lsst-";

/// MJD of the Unix epoch, 1970-01-01T00:00:00.
pub const MJD_UNIX_EPOCH: f64 = 40_587.0;

/// Errors parsing a night.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum NightError {
    /// Not a date nor a keyword.
    #[error("`{0}` is not a night: write YYYY-MM-DD, today or yesterday")]
    Bad(String),
    /// A night topic asked for another night.
    #[error("{topic} holds the night {holds}, not {asked}: drop the topic or --night")]
    OtherNight {
        /// The topic.
        topic: String,
        /// The night it holds.
        holds: NaiveDate,
        /// The night asked for.
        asked: NaiveDate,
    },
}

/// The dayObs of an instant: its date in UTC-12h.
pub fn day_obs(t: DateTime<Utc>) -> NaiveDate {
    (t - Duration::hours(12)).date_naive()
}

/// Parse `YYYY-MM-DD`, `YYYYMMDD`, `today` or `yesterday` (relative to `now`'s dayObs).
pub fn parse_night(s: &str, now: DateTime<Utc>) -> Result<NaiveDate, NightError> {
    let today = day_obs(now);
    match s.trim() {
        "today" | "tonight" => Ok(today),
        "yesterday" => Ok(today - Duration::days(1)),
        t => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(t, "%Y%m%d"))
            .map_err(|_| NightError::Bad(s.to_string())),
    }
}

/// The topic that holds a night's alerts: `lsst-2024-05-01`.
pub fn topic_name(night: NaiveDate) -> String {
    format!("{TOPIC_PREFIX}{}", night.format("%Y-%m-%d"))
}

/// The night a topic holds, when its name is a night topic.
pub fn night_of_topic(topic: &str) -> Option<NaiveDate> {
    let date = topic.strip_prefix(TOPIC_PREFIX)?;
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// dayObs as the integer Rubin puts in visit ids: 20240501.
pub fn day_obs_int(night: NaiveDate) -> i64 {
    night.format("%Y%m%d").to_string().parse().expect("digits")
}

/// The MJD of 00:00 UTC on a date.
pub fn mjd_of_date(date: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1858, 11, 17).expect("valid date");
    (date - epoch).num_days() as f64
}

/// Unix milliseconds of an MJD.
pub fn mjd_to_unix_ms(mjd: f64) -> i64 {
    ((mjd - MJD_UNIX_EPOCH) * 86_400_000.0).round() as i64
}

/// The MJD of a Unix time in milliseconds.
pub fn unix_ms_to_mjd(ms: i64) -> f64 {
    ms as f64 / 86_400_000.0 + MJD_UNIX_EPOCH
}

/// The MJD at which observing starts on a night: 23:00 UTC on its dayObs
/// (about 20:00 in Chile, after evening twilight).
pub fn night_start_mjd(night: NaiveDate) -> f64 {
    mjd_of_date(night) + 23.0 / 24.0
}

/// A night as a span of record timestamps: its dayObs, 12:00 UTC to 12:00 UTC the next day.
///
/// On a long-lived topic (Rubin's `lsst-alerts-v11`) a night is not a topic but this
/// window, found per partition with offsets-for-times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First instant inside, Unix ms.
    pub start_ms: i64,
    /// First instant after, Unix ms (exclusive).
    pub end_ms: i64,
}

impl Window {
    /// The dayObs window of a night.
    pub fn of_night(night: NaiveDate) -> Window {
        let noon = night
            .and_hms_opt(12, 0, 0)
            .expect("noon")
            .and_utc()
            .timestamp_millis();
        Window {
            start_ms: noon,
            end_ms: noon + 86_400_000,
        }
    }

    /// Whether an instant (Unix ms) is inside.
    pub fn contains(&self, ms: i64) -> bool {
        (self.start_ms..self.end_ms).contains(&ms)
    }

    /// Whether an MJD (such as `midpointMjdTai`) is inside.
    pub fn contains_mjd(&self, mjd: f64) -> bool {
        let ms = (mjd - MJD_UNIX_EPOCH) * 86_400_000.0;
        ms >= self.start_ms as f64 && ms < self.end_ms as f64
    }

    /// The window widened by `margin_ms` on both sides.
    pub fn widened(&self, margin_ms: i64) -> Window {
        Window {
            start_ms: self.start_ms.saturating_sub(margin_ms),
            end_ms: self.end_ms.saturating_add(margin_ms),
        }
    }
}

/// How a cluster lays out its alert topics.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Layout {
    /// One topic per night, `lsst-YYYY-MM-DD` (the design, DMTN-093).
    #[default]
    Nightly,
    /// One long-lived topic per schema MAJOR version: the pattern with `{major}` replaced,
    /// such as `lsst-alerts-v{major}` (Rubin's production stream).
    PerMajor {
        /// The topic name pattern; holds `{major}`.
        pattern: String,
    },
}

/// Rubin's production topic pattern.
pub const PER_MAJOR_PATTERN: &str = "lsst-alerts-v{major}";

/// A layout that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct LayoutError(String);

impl Layout {
    /// Parse a profile's `layout` and `topic_pattern`.
    pub fn parse(layout: &str, pattern: Option<&str>) -> Result<Layout, LayoutError> {
        match layout {
            "nightly" => Ok(Layout::Nightly),
            "per-major" => {
                let pattern = pattern.unwrap_or(PER_MAJOR_PATTERN);
                if !pattern.contains("{major}") {
                    return Err(LayoutError(format!(
                        "topic pattern `{pattern}` has no {{major}}: write e.g. {PER_MAJOR_PATTERN}"
                    )));
                }
                Ok(Layout::PerMajor {
                    pattern: pattern.to_string(),
                })
            }
            other => Err(LayoutError(format!(
                "`{other}` is not a layout: write nightly or per-major"
            ))),
        }
    }

    /// Where a night's alerts of a schema MAJOR version are: the topic, and, on a
    /// long-lived topic, the night's window.
    pub fn place(&self, night: NaiveDate, major: u32) -> (String, Option<Window>) {
        match self {
            Layout::Nightly => (topic_name(night), None),
            Layout::PerMajor { pattern } => (
                pattern.replace("{major}", &major.to_string()),
                Some(Window::of_night(night)),
            ),
        }
    }
}

/// What `TOPIC --night D` reads: a night topic of that night whole; any other topic,
/// D's window. A night topic of another night is an error.
pub fn window_on(topic: &str, night: NaiveDate) -> Result<Option<Window>, NightError> {
    match night_of_topic(topic) {
        Some(d) if d == night => Ok(None),
        Some(d) => Err(NightError::OtherNight {
            topic: topic.to_string(),
            holds: d,
            asked: night,
        }),
        None => Ok(Some(Window::of_night(night))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn day_obs_is_the_date_in_utc_minus_12() {
        let t = Utc.with_ymd_and_hms(2024, 5, 2, 8, 0, 0).unwrap(); // 04:00 in Chile
        assert_eq!(day_obs(t), NaiveDate::from_ymd_opt(2024, 5, 1).unwrap());
        let t = Utc.with_ymd_and_hms(2024, 5, 2, 12, 0, 0).unwrap();
        assert_eq!(day_obs(t), NaiveDate::from_ymd_opt(2024, 5, 2).unwrap());
    }

    #[test]
    fn parse_and_name_nights() {
        let now = Utc.with_ymd_and_hms(2024, 5, 2, 8, 0, 0).unwrap();
        let d = |s| parse_night(s, now).unwrap();
        assert_eq!(topic_name(d("today")), "lsst-2024-05-01");
        assert_eq!(topic_name(d("yesterday")), "lsst-2024-04-30");
        assert_eq!(topic_name(d("20240315")), "lsst-2024-03-15");
        assert_eq!(night_of_topic("lsst-2024-03-15"), Some(d("2024-03-15")));
        assert_eq!(night_of_topic("Filter001"), None);
        assert!(parse_night("May 1", now).is_err());
        assert_eq!(day_obs_int(d("2024-05-01")), 20240501);
    }

    #[test]
    fn mjd_conversions() {
        assert_eq!(
            mjd_of_date(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()),
            40587.0
        );
        assert_eq!(
            mjd_of_date(NaiveDate::from_ymd_opt(2024, 5, 1).unwrap()),
            60431.0
        );
        assert_eq!(mjd_to_unix_ms(40588.5), 129_600_000);
        assert!((unix_ms_to_mjd(129_600_000) - 40588.5).abs() < 1e-9);
    }

    #[test]
    fn a_window_is_dayobs_noon_to_noon() {
        let d = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
        let w = Window::of_night(d);
        let t = |h: u32, m: u32| {
            Utc.with_ymd_and_hms(2024, 5, h / 24 + 1, h % 24, m, 0)
                .unwrap()
                .timestamp_millis()
        };
        assert!(!w.contains(t(11, 59)));
        assert!(w.contains(t(12, 0)));
        assert!(w.contains(t(23 + 8, 0)), "04:00 in Chile");
        assert!(w.contains(t(24 + 11, 59)));
        assert!(!w.contains(t(24 + 12, 0)), "the next dayObs starts");
        // Every instant of the window has this dayObs, and the edges the neighbours'.
        for ms in [w.start_ms, w.end_ms - 1] {
            assert_eq!(day_obs(DateTime::from_timestamp_millis(ms).unwrap()), d);
        }
        assert_ne!(
            day_obs(DateTime::from_timestamp_millis(w.end_ms).unwrap()),
            d
        );
        assert!(w.contains_mjd(night_start_mjd(d)));
        assert!(!w.contains_mjd(night_start_mjd(d) + 1.0));
    }

    #[test]
    fn layouts_place_a_night() {
        let d = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        assert_eq!(
            Layout::Nightly.place(d, 11),
            ("lsst-2026-05-01".into(), None)
        );
        let l = Layout::parse("per-major", None).unwrap();
        assert_eq!(
            l.place(d, 11),
            ("lsst-alerts-v11".into(), Some(Window::of_night(d)))
        );
        assert!(Layout::parse("per-major", Some("alerts")).is_err());
        assert!(Layout::parse("weekly", None).is_err());
        assert_eq!(window_on("lsst-2026-05-01", d), Ok(None));
        assert_eq!(
            window_on("lsst-alerts-v11", d),
            Ok(Some(Window::of_night(d)))
        );
        assert!(window_on("lsst-2026-05-02", d).is_err());
    }
}
