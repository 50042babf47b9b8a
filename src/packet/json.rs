//! The JSON view of an alert, for people and for jq.
//!
//! Unions are flattened to their plain values, as Python's fastavro shows them
//! (`{"psfFlux": 1241.0}`, not `{"psfFlux": {"float": 1241.0}}`). A `float` is
//! shown by its shortest decimal form (`0.00028`, not `0.000280000007`). NaN and
//! infinities, which JSON cannot hold, become `null`. Byte fields (the FITS cutouts)
//! follow a [`CutoutPolicy`].

use apache_avro::types::Value;
use base64::Engine;
use serde_json::{Map, Number, Value as Json};

/// How byte fields (the three FITS cutouts) appear in the JSON view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CutoutPolicy {
    /// Leave byte fields out.
    Omit,
    /// Show `{"bytes": N}`, the size only.
    #[default]
    Size,
    /// Show the bytes as a base64 string.
    Base64,
}

/// Convert a decoded Avro value to its JSON view.
pub fn to_json(value: &Value, policy: CutoutPolicy) -> Json {
    convert(value, policy).unwrap_or(Json::Null)
}

/// `None` means "leave this out" (a byte field under [`CutoutPolicy::Omit`]).
fn convert(value: &Value, policy: CutoutPolicy) -> Option<Json> {
    Some(match value {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::Int(i) | Value::Date(i) | Value::TimeMillis(i) => Json::from(*i),
        Value::Long(i)
        | Value::TimeMicros(i)
        | Value::TimestampMillis(i)
        | Value::TimestampMicros(i)
        | Value::TimestampNanos(i)
        | Value::LocalTimestampMillis(i)
        | Value::LocalTimestampMicros(i)
        | Value::LocalTimestampNanos(i) => Json::from(*i),
        Value::Float(f) => float32(*f),
        Value::Double(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) | Value::Enum(_, s) => Json::String(s.clone()),
        Value::Bytes(b) | Value::Fixed(_, b) => bytes(b, policy)?,
        Value::Union(_, inner) => return convert(inner, policy),
        Value::Array(items) => Json::Array(
            items
                .iter()
                .map(|v| convert(v, policy).unwrap_or(Json::Null))
                .collect(),
        ),
        Value::Map(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Json::Object(
                keys.into_iter()
                    .filter_map(|k| Some((k.clone(), convert(&m[k], policy)?)))
                    .collect(),
            )
        }
        Value::Record(fields) => {
            let mut out = Map::with_capacity(fields.len());
            for (name, v) in fields {
                if let Some(j) = convert(v, policy) {
                    out.insert(name.clone(), j);
                }
            }
            Json::Object(out)
        }
        Value::Uuid(u) => Json::String(u.to_string()),
        other => Json::String(format!("{other:?}")),
    })
}

/// A float32 as the f64 nearest its shortest decimal representation.
fn float32(f: f32) -> Json {
    if !f.is_finite() {
        return Json::Null;
    }
    let shortest: f64 = f.to_string().parse().unwrap_or(f64::from(f));
    Number::from_f64(shortest).map_or(Json::Null, Json::Number)
}

fn bytes(b: &[u8], policy: CutoutPolicy) -> Option<Json> {
    match policy {
        CutoutPolicy::Omit => None,
        CutoutPolicy::Size => {
            let mut m = Map::new();
            m.insert("bytes".into(), Json::from(b.len()));
            Some(Json::Object(m))
        }
        CutoutPolicy::Base64 => Some(Json::String(
            base64::engine::general_purpose::STANDARD.encode(b),
        )),
    }
}

/// The fields a table shows by default. `a|b` takes the first that is present, since
/// names changed over schema versions (`band` was `filterName`, `psfFlux` was `psFlux`).
pub const DEFAULT_TABLE_FIELDS: &[&str] = &[
    "diaSourceId|alertId",
    "diaSource.visit|diaSource.ccdVisitId",
    "diaSource.detector",
    "diaSource.band|diaSource.filterName",
    "diaSource.midpointMjdTai|diaSource.midPointTai",
    "diaSource.ra",
    "diaSource.dec|diaSource.decl",
    "diaSource.psfFlux|diaSource.psFlux",
    "diaSource.snr",
    "prvDiaSources",
];

/// Look up a dotted path (`diaSource.band`) in a JSON view; `a|b` tries each in turn.
/// A number in the path indexes an array (`prvDiaSources.0.visit`).
pub fn lookup<'a>(view: &'a Json, path: &str) -> Option<&'a Json> {
    path.split('|').find_map(|alt| {
        alt.trim()
            .split('.')
            .try_fold(view, |v, key| match v {
                Json::Object(m) => m.get(key),
                Json::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            })
            .filter(|v| !v.is_null())
    })
}

/// A table cell: arrays show their length, `{"bytes": N}` its size, floats 6 significant digits.
pub fn cell(value: Option<&Json>) -> String {
    match value {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(s)) => s.clone(),
        Some(Json::Array(a)) => a.len().to_string(),
        Some(Json::Number(n)) if n.is_f64() => {
            let f = n.as_f64().unwrap_or_default();
            if f != 0.0 && (f.abs() >= 1e9 || f.abs() < 1e-3) {
                format!("{f:.5e}")
            } else if f.abs() >= 1000.0 {
                // MJDs and bright fluxes: 5 decimals is about a second of MJD.
                let s = format!("{f:.5}");
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                let digits = 6usize.saturating_sub(f.abs().log10().max(0.0) as usize + 1);
                format!("{f:.digits$}")
            }
        }
        Some(Json::Object(o)) if o.len() == 1 && o.contains_key("bytes") => o["bytes"].to_string(),
        Some(other) => other.to_string(),
    }
}

/// Render JSON views as a text table with one column per field path.
pub fn render_table(views: &[Json], fields: &[String]) -> String {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
    table.set_header(fields.iter().map(|f| {
        let first = f.split('|').next().unwrap_or(f);
        first.rsplit('.').next().unwrap_or(first).to_string()
    }));
    for v in views {
        table.add_row(fields.iter().map(|f| cell(lookup(v, f))));
    }
    table.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unions_flatten_and_floats_read_as_written() {
        let v = Value::Record(vec![
            ("a".into(), Value::Union(1, Box::new(Value::Float(0.00028)))),
            ("b".into(), Value::Union(0, Box::new(Value::Null))),
            ("n".into(), Value::Double(f64::NAN)),
            (
                "cut".into(),
                Value::Union(1, Box::new(Value::Bytes(vec![1, 2, 3]))),
            ),
        ]);
        let j = to_json(&v, CutoutPolicy::Size);
        assert_eq!(
            j,
            serde_json::json!({"a": 0.00028, "b": null, "n": null, "cut": {"bytes": 3}})
        );
        let j = to_json(&v, CutoutPolicy::Omit);
        assert!(j.get("cut").is_none());
        let j = to_json(&v, CutoutPolicy::Base64);
        assert_eq!(j["cut"], "AQID");
    }

    #[test]
    fn lookup_tries_alternatives_and_indexes_arrays() {
        let v =
            serde_json::json!({"diaSource": {"filterName": "r", "band": null}, "prv": [{"v": 7}]});
        assert_eq!(
            lookup(&v, "diaSource.band|diaSource.filterName"),
            Some(&Json::from("r"))
        );
        assert_eq!(lookup(&v, "prv.0.v"), Some(&Json::from(7)));
        assert_eq!(lookup(&v, "nope.x"), None);
        assert_eq!(cell(lookup(&v, "prv")), "1");
        assert_eq!(cell(Some(&Json::from(351.570546978))), "351.571");
        assert_eq!(cell(Some(&Json::from(60431.958761574075))), "60431.95876");
        assert_eq!(cell(Some(&Json::from(10653.195))), "10653.195");
        assert_eq!(cell(Some(&Json::from(60432.0))), "60432");
        assert_eq!(cell(Some(&serde_json::json!({"bytes": 5760}))), "5760");
    }
}
