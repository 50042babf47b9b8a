//! Tables: alerts as aligned columns of chosen fields (a dotted path each; `a|b` takes
//! the first present), and reports as bordered tables.

use serde_json::Value as Json;

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
    table.set_header(fields.iter().map(|f| column_name(f)));
    for v in views {
        table.add_row(fields.iter().map(|f| cell(lookup(v, f))));
    }
    table.to_string()
}

/// The column title of a field path: the last part of its first alternative.
pub fn column_name(field: &str) -> String {
    let first = field.split('|').next().unwrap_or(field);
    first.rsplit('.').next().unwrap_or(first).to_string()
}

/// A bordered table of rows under a header (reports: topics, stats, benchmarks).
pub fn bordered<H, R, C>(header: H, rows: impl IntoIterator<Item = R>) -> String
where
    H: IntoIterator,
    H::Item: Into<comfy_table::Cell>,
    R: IntoIterator<Item = C>,
    C: Into<comfy_table::Cell>,
{
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
    t.set_header(header);
    for r in rows {
        t.add_row(r);
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
