//! A watchlist's rows as its files give them: the cones' numbers checked, the columns
//! found by their header names, the extra columns' values typed, from CSV here and from
//! Parquet in [`super::parquet`]. [`super::watchlist`] indexes what these build.

/// The largest radius a cone may have, arcsec (Lasair's limit): larger regions are MOCs.
pub const MAX_RADIUS_ARCSEC: f64 = 1800.0;
/// The radius of a cone whose line gives none, arcsec.
pub const DEFAULT_RADIUS_ARCSEC: f64 = 2.0;

/// A value of an extra column.
#[derive(Debug, Clone, PartialEq)]
pub enum Extra {
    /// Text (every CSV column; Parquet text columns).
    Str(String),
    /// A number (Parquet numeric columns).
    Num(f64),
    /// A boolean (Parquet boolean columns).
    Bool(bool),
    /// No value.
    Null,
}

/// Cones as columns, as the parsers build them: a million cones with short names and no
/// extra columns take about 40 MB.
#[derive(Debug, Default)]
pub(crate) struct Columns {
    pub(super) ra: Vec<f64>,
    pub(super) dec: Vec<f64>,
    pub(super) radius: Vec<f64>,
    pub(super) names: String,
    /// Where each name ends in `names`.
    pub(super) name_ends: Vec<u32>,
    /// The extra values, row after row.
    pub(super) extra: Vec<Extra>,
}

impl Columns {
    /// Room for `n` cones.
    pub(crate) fn with_capacity(n: usize) -> Columns {
        Columns {
            ra: Vec::with_capacity(n),
            dec: Vec::with_capacity(n),
            radius: Vec::with_capacity(n),
            name_ends: Vec::with_capacity(n),
            ..Columns::default()
        }
    }

    /// Add a cone (its numbers checked by [`check_cone`] first).
    pub(crate) fn push(
        &mut self,
        ra: f64,
        dec: f64,
        radius: f64,
        name: &str,
        extra: impl IntoIterator<Item = Extra>,
    ) -> Result<(), String> {
        // 360 is 0: one right ascension per position.
        self.ra.push(if ra == 360.0 { 0.0 } else { ra });
        self.dec.push(dec);
        self.radius.push(radius);
        self.names.push_str(name);
        let end = u32::try_from(self.names.len())
            .map_err(|_| "the names add up to more than 4 GB".to_string())?;
        self.name_ends.push(end);
        self.extra.extend(extra);
        Ok(())
    }

    pub(super) fn len(&self) -> usize {
        self.ra.len()
    }
}

/// Columns a watchlist file names by these (case-insensitive) header names.
const RA_NAMES: &[&str] = &["ra", "raj2000", "_raj2000", "ra_deg", "radeg"];
const DEC_NAMES: &[&str] = &["dec", "decl", "dej2000", "_dej2000", "dec_deg", "dedeg"];
const NAME_NAMES: &[&str] = &["name", "id", "objectid", "object", "source"];
const RADIUS_NAMES: &[&str] = &["radius", "radius_arcsec", "r_arcsec"];
/// Names a match's JSON view uses itself: an extra column may not take them.
pub const RESERVED: &[&str] = &["name", "sep_arcsec", "ra", "dec", "radius_arcsec"];

/// Check one cone's numbers; the message says what is wrong.
pub(crate) fn check_cone(ra: f64, dec: f64, radius: f64) -> Result<(), String> {
    if !(ra.is_finite() && (0.0..=360.0).contains(&ra)) {
        return Err(format!(
            "ra {ra} is not a right ascension in degrees (0..360)"
        ));
    }
    if !(dec.is_finite() && (-90.0..=90.0).contains(&dec)) {
        return Err(format!(
            "dec {dec} is not a declination in degrees (-90..90)"
        ));
    }
    if !(radius.is_finite() && radius > 0.0 && radius <= MAX_RADIUS_ARCSEC) {
        return Err(format!(
            "radius {radius} is not a radius in arcsec (above 0, at most {MAX_RADIUS_ARCSEC}; \
             a larger region is a MOC)"
        ));
    }
    Ok(())
}

/// Which column holds what, and the extra columns.
pub(crate) struct Layout {
    pub ra: usize,
    pub dec: usize,
    pub name: usize,
    pub radius: Option<usize>,
    /// (column index, name) of the others.
    pub extra: Vec<(usize, String)>,
}

/// Find the columns by their header names.
pub(crate) fn layout_of(header: &[String]) -> Result<Layout, String> {
    // The first of the names (in their order of preference) the header has: a file
    // with both `name` and `id` names its sources by `name`, and `id` is an extra column.
    let find = |names: &[&str], what: &str| -> Result<Option<usize>, String> {
        for n in names {
            let hits: Vec<usize> = header
                .iter()
                .enumerate()
                .filter(|(_, h)| h.trim().eq_ignore_ascii_case(n))
                .map(|(i, _)| i)
                .collect();
            match hits.as_slice() {
                [] => continue,
                [i] => return Ok(Some(*i)),
                _ => return Err(format!("the header names the {what} ({n}) twice")),
            }
        }
        Ok(None)
    };
    let need = |names: &[&str], what: &str| -> Result<usize, String> {
        find(names, what)?.ok_or_else(|| {
            format!(
                "the header has no {what} column (one of: {}); columns are {}",
                names.join(", "),
                header.join(", ")
            )
        })
    };
    let ra = need(RA_NAMES, "ra")?;
    let dec = need(DEC_NAMES, "dec")?;
    let name = need(NAME_NAMES, "name")?;
    let radius = find(RADIUS_NAMES, "radius")?;
    let mut extra = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if [Some(ra), Some(dec), Some(name), radius].contains(&Some(i)) {
            continue;
        }
        let h = h.trim().to_string();
        if RESERVED.contains(&h.as_str()) {
            return Err(format!(
                "column {h} would hide the match's own {h}: rename it"
            ));
        }
        extra.push((i, h));
    }
    Ok(Layout {
        ra,
        dec,
        name,
        radius,
        extra,
    })
}

/// Cones and their extra columns' names.
pub(crate) type Parsed = (Columns, Vec<String>);
/// Where an error is (a line or row, from 1) and what it is.
pub(crate) type Fault = (Option<u64>, String);

/// Whether a CSV field is a number as JSON writes one (so `007` and `+5` stay text:
/// identifiers keep their leading zeros).
fn is_json_number(s: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$").expect("valid")
    })
    .is_match(s)
        && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// Parse a CSV watchlist: the cones and the extra columns' names, or the line at fault
/// and why.
pub(crate) fn parse_csv(text: &str, default_radius: f64) -> Result<Parsed, Fault> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'));
    let Some(first) = first else {
        return Err((None, "it has no lines (ra, dec, name[, radius])".into()));
    };
    let delimiter = if first.contains('|') {
        b'|'
    } else if first.contains(',') {
        b','
    } else if first.contains('\t') {
        b'\t'
    } else {
        return Err((
            None,
            "its lines are not ra, dec, name[, radius] separated by commas, | or tabs".into(),
        ));
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut layout: Option<Layout> = None;
    // One cone a line, about: room for them all at once, not grown by doubling.
    let mut cones = Columns::with_capacity(text.bytes().filter(|&b| b == b'\n').count() + 1);
    let mut columns = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut first_row = true;
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let at = e.position().map(|p| p.line());
            (at, format!("cannot read it as CSV: {e}"))
        })?;
        if !more {
            break;
        }
        let line = record.position().map(|p| p.line());
        // A line of only separators (VizieR's rules under the header) is no row.
        if record
            .iter()
            .all(|f| f.is_empty() || f.chars().all(|c| c == '-'))
        {
            continue;
        }
        if first_row {
            first_row = false;
            let numeric = |i: usize| record.get(i).is_some_and(|f| f.parse::<f64>().is_ok());
            if !(numeric(0) && numeric(1)) {
                let header: Vec<String> = record.iter().map(str::to_string).collect();
                let l = layout_of(&header).map_err(|m| (line, m))?;
                columns = l.extra.iter().map(|(_, n)| n.clone()).collect();
                layout = Some(l);
                continue;
            }
            let n = record.len();
            if n < 3 {
                return Err((
                    line,
                    format!("{n} columns: a line is ra, dec, name[, radius] (or give a header)"),
                ));
            }
            let extra: Vec<(usize, String)> =
                (4..n).map(|i| (i, format!("col{}", i + 1))).collect();
            columns = extra.iter().map(|(_, n)| n.clone()).collect();
            layout = Some(Layout {
                ra: 0,
                dec: 1,
                name: 2,
                // The radius is optional line by line.
                radius: Some(3),
                extra,
            });
        }
        let l = layout.as_ref().expect("set on the first row");
        let field = |i: usize| record.get(i).unwrap_or("");
        let number = |i: usize, what: &str| -> Result<f64, Fault> {
            let f = field(i);
            f.parse::<f64>()
                .map_err(|_| (line, format!("{what} {f:?} is not a number")))
        };
        let ra = number(l.ra, "ra")?;
        let dec = number(l.dec, "dec")?;
        let radius = match l.radius.map(field) {
            None | Some("") => default_radius,
            Some(_) => number(l.radius.unwrap_or_default(), "radius")?,
        };
        check_cone(ra, dec, radius).map_err(|m| (line, m))?;
        if field(l.name).is_empty() {
            return Err((line, "the name is empty".into()));
        }
        let extra = l.extra.iter().map(|(i, _)| match record.get(*i) {
            Some("") | None => Extra::Null,
            Some(v) if is_json_number(v) => v
                .parse::<f64>()
                .map_or_else(|_| Extra::Str(v.to_string()), Extra::Num),
            Some(v) => Extra::Str(v.to_string()),
        });
        cones
            .push(ra, dec, radius, field(l.name), extra)
            .map_err(|m| (line, m))?;
    }
    Ok((cones, columns))
}
