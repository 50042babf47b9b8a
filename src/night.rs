//! Observing nights: Rubin's dayObs, night topic names, and MJD times.
//!
//! Rubin labels a night by its *dayObs*: the calendar date in the UTC-12h time
//! zone, so one whole Chilean night (evening to dawn) has one date. Alerts of a
//! night go to the topic `lsst-YYYY-MM-DD`.

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
}
