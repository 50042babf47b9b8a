//! An alert's own light curve: its detection and the previous detections it carries,
//! and the numbers brokers cut on (AMPEL's detection count and time span, Fink's
//! rising and fading, same-night colours).
//!
//! The history is `diaSource` plus `prvDiaSources`; forced photometry is not a
//! detection. Magnitudes are AB from the PSF flux in nJy ([`super::geom::ab_mag`]);
//! a detection with a flux that is not positive has none and is left out of rates and
//! colours, but still counts as a detection.

use super::geom::{ab_mag, ab_mag_err};

/// One detection.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Mid-exposure time, MJD (TAI).
    pub mjd: f64,
    /// The filter band (`u`, `g`, `r`, `i`, `z`, `y`).
    pub band: String,
    /// PSF flux, nJy.
    pub flux: f64,
    /// Its error, nJy.
    pub flux_err: f64,
}

/// A rate of brightening or fading in one band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Magnitudes per day: negative when the source brightens (rises).
    pub rate: f64,
    /// Its standard error.
    pub err: f64,
    /// The detections it was fitted to.
    pub n: usize,
}

/// A colour from one night.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colour {
    /// Magnitude in the first band minus magnitude in the second.
    pub colour: f64,
    /// Its standard error.
    pub err: f64,
    /// The night it was measured: Rubin's dayObs (the UTC date 12 hours earlier), as
    /// the integer YYYYMMDD.
    pub day_obs: i64,
}

/// Days from the first detection to `now` (the alert's own detection).
pub fn days_since_first(points: &[Point], now: f64) -> Option<f64> {
    let first = points.iter().map(|p| p.mjd).fold(f64::INFINITY, f64::min);
    (first.is_finite() && now.is_finite()).then_some(now - first)
}

/// Days between the first and the last detection.
pub fn span(points: &[Point]) -> Option<f64> {
    let first = points.iter().map(|p| p.mjd).fold(f64::INFINITY, f64::min);
    let last = points
        .iter()
        .map(|p| p.mjd)
        .fold(f64::NEG_INFINITY, f64::max);
    (first.is_finite() && last.is_finite()).then_some(last - first)
}

/// Magnitudes and their errors of the detections in `band` with a positive flux and a
/// positive, finite flux error: (mjd, mag, mag error).
fn mags<'a>(points: &'a [Point], band: &'a str) -> impl Iterator<Item = (f64, f64, f64)> + 'a {
    points
        .iter()
        .filter(move |p| p.band == band)
        .filter_map(|p| {
            let m = ab_mag(p.flux)?;
            let e = ab_mag_err(p.flux, p.flux_err).filter(|e| *e > 0.0)?;
            p.mjd.is_finite().then_some((p.mjd, m, e))
        })
}

/// The rate of change of the AB magnitude in `band`, mag/day: the weighted least-squares
/// slope of magnitude against time (weights 1/σ²), with its standard error. None with
/// fewer than two usable detections or with all of them at one time.
pub fn rate(points: &[Point], band: &str) -> Option<Rate> {
    let pts: Vec<(f64, f64, f64)> = mags(points, band).collect();
    if pts.len() < 2 {
        return None;
    }
    let w = |e: f64| 1.0 / (e * e);
    let sw: f64 = pts.iter().map(|p| w(p.2)).sum();
    let t0 = pts.iter().map(|p| w(p.2) * p.0).sum::<f64>() / sw;
    let m0 = pts.iter().map(|p| w(p.2) * p.1).sum::<f64>() / sw;
    let stt: f64 = pts.iter().map(|p| w(p.2) * (p.0 - t0).powi(2)).sum();
    if stt.is_nan() || stt <= 0.0 || !stt.is_finite() {
        return None;
    }
    let stm: f64 = pts.iter().map(|p| w(p.2) * (p.0 - t0) * (p.1 - m0)).sum();
    Some(Rate {
        rate: stm / stt,
        err: (1.0 / stt).sqrt(),
        n: pts.len(),
    })
}

/// Rubin's night of a time: the UTC date 12 hours earlier (dayObs), as days since MJD 0.
fn night(mjd: f64) -> i64 {
    (mjd - 0.5).floor() as i64
}

/// The integer YYYYMMDD of a night number from [`night`].
fn day_obs(night: i64) -> i64 {
    // MJD 40587 is 1970-01-01.
    let date = chrono::DateTime::from_timestamp((night - 40_587) * 86_400, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default();
    use chrono::Datelike;
    i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
}

/// The colour `band1 - band2` on the latest night with usable detections in both: the
/// difference of the night's weighted mean magnitudes, with its standard error.
pub fn colour(points: &[Point], band1: &str, band2: &str) -> Option<Colour> {
    let nights = |band| {
        let mut by: std::collections::BTreeMap<i64, (f64, f64)> = Default::default();
        for (t, m, e) in mags(points, band) {
            let w = 1.0 / (e * e);
            let s = by.entry(night(t)).or_default();
            s.0 += w * m;
            s.1 += w;
        }
        by
    };
    let (a, b) = (nights(band1), nights(band2));
    let (n, (am, aw)) = a.iter().rev().find(|(n, _)| b.contains_key(n))?;
    let (bm, bw) = b[n];
    Some(Colour {
        colour: am / aw - bm / bw,
        err: (1.0 / aw + 1.0 / bw).sqrt(),
        day_obs: day_obs(*n),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(mjd: f64, band: &str, flux: f64, err: f64) -> Point {
        Point {
            mjd,
            band: band.into(),
            flux,
            flux_err: err,
        }
    }

    #[test]
    fn a_source_brightening_by_one_magnitude_a_day() {
        // Flux ×10^(0.4) a day is -1 mag/day.
        let pts: Vec<Point> = (0..4)
            .map(|d| {
                p(
                    60000.1 + d as f64,
                    "g",
                    1000.0 * 10f64.powf(0.4 * d as f64),
                    10.0,
                )
            })
            .collect();
        let r = rate(&pts, "g").unwrap();
        assert!((r.rate + 1.0).abs() < 1e-9, "{r:?}");
        assert_eq!(r.n, 4);
        assert_eq!(rate(&pts, "r"), None);
        assert_eq!(rate(&pts[..1], "g"), None);
        assert_eq!(span(&pts), Some(3.0));
        assert_eq!(days_since_first(&pts, 60002.1), Some(2.0));
        assert_eq!(span(&[]), None);
    }

    #[test]
    fn colours_come_from_one_night() {
        let pts = vec![
            p(60000.2, "g", 3631.0, 1.0),
            p(60000.3, "r", 3631.0 * 2.5, 1.0),
            p(60001.9, "g", 3631.0, 1.0), // the next night, no r
            p(60003.2, "g", -5.0, 1.0),   // no magnitude
            p(60003.3, "r", 100.0, 1.0),
        ];
        let c = colour(&pts, "g", "r").unwrap();
        assert!((c.colour - 2.5 * 2.5f64.log10()).abs() < 1e-9, "{c:?}");
        assert_eq!(c.day_obs, 20230224);
        assert_eq!(colour(&pts, "g", "i"), None);
    }
}
