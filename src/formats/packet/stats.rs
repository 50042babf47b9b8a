//! Summaries of a set of alerts: per visit, per band, bytes, time range.

use std::collections::BTreeMap;

use apache_avro::types::Value;

use super::{alert_meta, field_str, AlertMeta};

/// Counts over alerts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Alerts decoded.
    pub alerts: u64,
    /// Records that could not be decoded.
    pub undecodable: u64,
    /// Packet bytes, decoded or not.
    pub bytes: u64,
    /// Alerts per visit.
    pub per_visit: BTreeMap<i64, u64>,
    /// Alerts per band.
    pub per_band: BTreeMap<String, u64>,
    /// The earliest and latest observation times (MJD).
    pub mjd_range: Option<(f64, f64)>,
}

impl Summary {
    /// Count one decoded alert of `bytes` bytes.
    pub fn add(&mut self, alert: &Value, bytes: usize) {
        let band = field_str(alert, &["diaSource"], &["band", "filterName"]);
        self.add_meta(&alert_meta(alert), band, bytes);
    }

    /// Count one alert of `bytes` bytes by what was read of it (its [`AlertMeta`] and
    /// band, as [`super::meta_from_bytes`] reads them).
    pub fn add_meta(&mut self, m: &AlertMeta, band: Option<String>, bytes: usize) {
        self.alerts += 1;
        self.bytes += bytes as u64;
        if let Some(v) = m.visit {
            *self.per_visit.entry(v).or_default() += 1;
        }
        let band = band.unwrap_or_else(|| "?".into());
        *self.per_band.entry(band).or_default() += 1;
        if let Some(t) = m.mjd {
            self.mjd_range = Some(
                self.mjd_range
                    .map_or((t, t), |(lo, hi)| (lo.min(t), hi.max(t))),
            );
        }
    }

    /// Count a record that did not decode.
    pub fn add_undecodable(&mut self, bytes: usize) {
        self.undecodable += 1;
        self.bytes += bytes as u64;
    }
}
