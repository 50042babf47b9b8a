//! Offset, time and duration specs, as kcat and rpk write them.
//!
//! * offsets: `beginning` (`start`, `oldest`), `end` (`newest`), `stored`, `N`
//!   (absolute), `-N` (N before the end of each partition), `@TIME`;
//! * times: RFC 3339 (`2024-05-02T03:00:00Z`), a date (`2024-05-01`, 00:00 UTC),
//!   Unix epoch milliseconds (`1714532400000`), or a duration back from now (`-1h`);
//! * durations: a number and a unit: `500ms`, `37s`, `15m`, `1h`, `7d`, `2w`.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

/// Where to start reading each partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetSpec {
    /// The oldest record still kept.
    Beginning,
    /// After the newest record: only new records.
    End,
    /// The consumer group's committed offset.
    Stored,
    /// An absolute offset.
    Absolute(i64),
    /// This many records before the end of each partition.
    FromEnd(i64),
    /// The first record whose timestamp is at or after this time (Unix ms).
    Time(i64),
    /// From the first record at or after `start` up to, not including, the first at
    /// or after `end` (Unix ms), per partition; reading stops there (rpk's `@T1:T2`).
    TimeRange {
        /// First instant inside.
        start: i64,
        /// First instant after.
        end: i64,
    },
}

/// A spec that cannot be parsed.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct SpecError(String);

/// Parse a duration: `500ms`, `37s`, `15m`, `1h`, `7d`, `2w` (a bare number is seconds).
pub fn parse_duration(s: &str) -> Result<Duration, SpecError> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let bad = || {
        SpecError(format!(
            "`{s}` is not a duration: write e.g. 500ms, 37s, 15m, 1h, 7d"
        ))
    };
    let n: f64 = num.parse().map_err(|_| bad())?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86_400.0,
        "w" => n * 7.0 * 86_400.0,
        _ => return Err(bad()),
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(bad());
    }
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| *d <= MAX_DURATION)
        .ok_or_else(|| {
            SpecError(format!(
                "`{s}` is longer than any wait alertctl takes (100 years)"
            ))
        })
}

/// The longest duration alertctl takes: anything longer is surely a typo.
pub const MAX_DURATION: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Parse a time to Unix milliseconds, relative to `now` for `-1h`.
pub fn parse_time(s: &str, now: DateTime<Utc>) -> Result<i64, SpecError> {
    let t = s.trim();
    if let Some(back) = t.strip_prefix('-') {
        let d = parse_duration(back)?;
        return Ok(now.timestamp_millis() - d.as_millis() as i64);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp_millis());
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc()
            .timestamp_millis());
    }
    if t.len() >= 10 && t.chars().all(|c| c.is_ascii_digit()) {
        if let Ok(ms) = t.parse::<i64>() {
            return Ok(ms);
        }
    }
    Err(SpecError(format!(
        "`{s}` is not a time: write RFC 3339 (2024-05-02T03:00:00Z), a date (2024-05-01), epoch milliseconds, or a duration back from now (-1h)"
    )))
}

/// `T1:T2` where both are times. RFC 3339 times hold colons themselves, so every colon
/// is tried as the separator; the first split where both sides are times wins.
fn parse_time_range(s: &str, now: DateTime<Utc>) -> Option<OffsetSpec> {
    s.match_indices(':').find_map(|(i, _)| {
        let start = parse_time(&s[..i], now).ok()?;
        let end = parse_time(&s[i + 1..], now).ok()?;
        Some(OffsetSpec::TimeRange { start, end })
    })
}

/// Parse an offset spec.
pub fn parse_offset(s: &str, now: DateTime<Utc>) -> Result<OffsetSpec, SpecError> {
    let t = s.trim();
    match t {
        "beginning" | "start" | "oldest" | "earliest" => return Ok(OffsetSpec::Beginning),
        "end" | "newest" | "latest" => return Ok(OffsetSpec::End),
        "stored" | "committed" => return Ok(OffsetSpec::Stored),
        _ => {}
    }
    if let Some(time) = t.strip_prefix('@') {
        return match parse_time(time, now) {
            Ok(ms) => Ok(OffsetSpec::Time(ms)),
            Err(e) => parse_time_range(time, now).ok_or(e),
        };
    }
    if let Some(n) = t.strip_prefix('-') {
        if let Ok(n) = n.parse::<i64>() {
            return Ok(OffsetSpec::FromEnd(n));
        }
    }
    t.parse::<i64>().map(OffsetSpec::Absolute).map_err(|_| {
        SpecError(format!(
            "`{s}` is not an offset: write beginning, end, stored, N, -N (from the end), @TIME or @TIME:TIME"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_past_any_wait_are_errors_not_panics() {
        assert!(parse_duration("99999999999999999999999w").is_err());
        assert!(parse_duration("3650000d").is_err(), "ten thousand years");
        assert_eq!(
            parse_duration("36500d").unwrap(),
            Duration::from_secs(36500 * 86_400)
        );
        assert!(parse_duration("-1s").is_err() && parse_duration("nan").is_err());
    }
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 2, 8, 0, 0).unwrap()
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("37s").unwrap(), Duration::from_secs(37));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(
            parse_duration("7d").unwrap(),
            Duration::from_secs(7 * 86400)
        );
        assert_eq!(parse_duration("1.5h").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("10").unwrap(), Duration::from_secs(10));
        assert!(parse_duration("ten seconds").is_err());
        assert!(parse_duration("5y").is_err());
    }

    #[test]
    fn times() {
        let n = now();
        assert_eq!(
            parse_time("-1h", n).unwrap(),
            n.timestamp_millis() - 3_600_000
        );
        assert_eq!(
            parse_time("2024-05-02T03:00:00Z", n).unwrap(),
            1_714_618_800_000
        );
        assert_eq!(
            parse_time("2024-05-02T00:00:00-03:00", n).unwrap(),
            1_714_618_800_000
        );
        assert_eq!(parse_time("2024-05-01", n).unwrap(), 1_714_521_600_000);
        assert_eq!(parse_time("1714521600000", n).unwrap(), 1_714_521_600_000);
        assert!(parse_time("yesterday-ish", n).is_err());
    }

    #[test]
    fn offsets() {
        let n = now();
        assert_eq!(parse_offset("beginning", n).unwrap(), OffsetSpec::Beginning);
        assert_eq!(parse_offset("end", n).unwrap(), OffsetSpec::End);
        assert_eq!(parse_offset("stored", n).unwrap(), OffsetSpec::Stored);
        assert_eq!(parse_offset("42", n).unwrap(), OffsetSpec::Absolute(42));
        assert_eq!(parse_offset("-5", n).unwrap(), OffsetSpec::FromEnd(5));
        assert_eq!(
            parse_offset("@2024-05-01", n).unwrap(),
            OffsetSpec::Time(1_714_521_600_000)
        );
        assert_eq!(
            parse_offset("@-2h", n).unwrap(),
            OffsetSpec::Time(n.timestamp_millis() - 7_200_000)
        );
        assert_eq!(
            parse_offset("@2024-05-01T12:00:00Z:2024-05-02T12:00:00Z", n).unwrap(),
            OffsetSpec::TimeRange {
                start: 1_714_564_800_000,
                end: 1_714_651_200_000
            }
        );
        assert_eq!(
            parse_offset("@1714564800000:-1h", n).unwrap(),
            OffsetSpec::TimeRange {
                start: 1_714_564_800_000,
                end: n.timestamp_millis() - 3_600_000
            }
        );
        assert!(parse_offset("@2024-05-01:soon", n).is_err());
        assert!(parse_offset("middle", n)
            .unwrap_err()
            .to_string()
            .contains("not an offset"));
    }
}
