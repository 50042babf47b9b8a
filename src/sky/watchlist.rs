//! Watchlists: named cones on the sky, and which of them an alert's position falls in.
//!
//! A watchlist file is Lasair's shape: one source per line, `ra, dec, name` and an
//! optional radius in arcseconds, separated by commas or `|` (or tabs), with or without
//! a header row; `#` starts a comment line (VizieR's exports). Further columns are kept
//! and given back with each match. A Parquet file with the same columns works too.
//!
//! Matching is exact on the sphere: an alert is in a cone when its great-circle distance
//! from the centre ([`super::geom::separation_rad`]) is at most the radius. The cones are
//! indexed by HEALPix (CDS's `cdshealpix`): each cone goes into the cells of a depth
//! where it covers at most nine cells, so a lookup hashes the position once per depth
//! in use and measures the distance to the few cones in that cell. HEALPix has no seam
//! at RA 0/360 nor at the poles, so neither needs a special case.

use std::path::Path;

use cdshealpix::nested;

use super::geom::{is_position, separation_rad};

/// The largest radius a cone may have, arcsec (Lasair's limit): larger regions are MOCs.
pub const MAX_RADIUS_ARCSEC: f64 = 1800.0;
/// The radius of a cone whose line gives none, arcsec.
pub const DEFAULT_RADIUS_ARCSEC: f64 = 2.0;
/// The deepest HEALPix depth the index uses (cells of ~0.2"): smaller cones share cells.
const MAX_DEPTH: u8 = 20;

const ARCSEC: f64 = std::f64::consts::PI / (180.0 * 3600.0);

/// What is wrong with a watchlist file, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("watchlist {path}{}: {message}", at.map(|l| format!(" line {l}")).unwrap_or_default())]
pub struct WatchlistError {
    /// The file.
    pub path: String,
    /// The line (a CSV line, or a Parquet row counted from 1), when one is at fault.
    pub at: Option<u64>,
    /// What is wrong.
    pub message: String,
}

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

/// One cone of a watchlist.
#[derive(Debug, Clone, PartialEq)]
pub struct Cone {
    /// Centre, degrees.
    pub ra: f64,
    /// Centre, degrees.
    pub dec: f64,
    /// Radius, arcsec.
    pub radius: f64,
    /// The source's name.
    pub name: String,
    /// The extra columns' values, in the order of [`Watchlist::columns`].
    pub extra: Vec<Extra>,
}

/// A match: the cone's index and the separation, arcsec.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Index of the cone in the watchlist.
    pub index: u32,
    /// Great-circle distance from the cone's centre, arcsec.
    pub sep_arcsec: f64,
}

/// The cells of one HEALPix depth and the cones in each, sorted by cell.
struct Level {
    depth: u8,
    cells: Vec<u64>,
    cones: Vec<u32>,
}

/// A loaded, indexed watchlist.
pub struct Watchlist {
    cones: Vec<Cone>,
    columns: Vec<String>,
    levels: Vec<Level>,
}

/// Columns a watchlist file names by these (case-insensitive) header names.
const RA_NAMES: &[&str] = &["ra", "raj2000", "_raj2000", "ra_deg", "radeg"];
const DEC_NAMES: &[&str] = &["dec", "decl", "dej2000", "_dej2000", "dec_deg", "dedeg"];
const NAME_NAMES: &[&str] = &["name", "id", "objectid", "object", "source"];
const RADIUS_NAMES: &[&str] = &["radius", "radius_arcsec", "r_arcsec"];
/// Names a match's JSON view uses itself: an extra column may not take them.
pub const RESERVED: &[&str] = &["name", "sep_arcsec", "ra", "dec", "radius_arcsec"];

impl std::fmt::Debug for Watchlist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watchlist")
            .field("cones", &self.cones.len())
            .field(
                "depths",
                &self.levels.iter().map(|l| l.depth).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Watchlist {
    /// Build from cones; `columns` names their extra values.
    pub fn new(cones: Vec<Cone>, columns: Vec<String>) -> Watchlist {
        let mut by_depth: Vec<Vec<(u64, u32)>> = vec![Vec::new(); usize::from(MAX_DEPTH) + 1];
        for (i, c) in cones.iter().enumerate() {
            let r = c.radius * ARCSEC;
            let depth = cdshealpix::best_starting_depth(r).min(MAX_DEPTH);
            let layer = nested::get(depth);
            let bmoc = layer.cone_coverage_approx(c.ra.to_radians(), c.dec.to_radians(), r);
            let cells = &mut by_depth[usize::from(depth)];
            cells.extend(bmoc.flat_iter().map(|h| (h, i as u32)));
        }
        let levels = by_depth
            .into_iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(d, mut v)| {
                v.sort_unstable();
                Level {
                    depth: d as u8,
                    cells: v.iter().map(|p| p.0).collect(),
                    cones: v.iter().map(|p| p.1).collect(),
                }
            })
            .collect();
        Watchlist {
            cones,
            columns,
            levels,
        }
    }

    /// Read and index a watchlist file (CSV, or Parquet by its magic bytes), with
    /// `default_radius` (arcsec) for lines that give none.
    pub fn load(path: &Path, default_radius: f64) -> Result<Watchlist, WatchlistError> {
        let err = |at, message: String| WatchlistError {
            path: path.display().to_string(),
            at,
            message,
        };
        let bytes = std::fs::read(path).map_err(|e| err(None, format!("cannot read it: {e}")))?;
        let (cones, columns) = if bytes.starts_with(b"PAR1") {
            super::parquet::read(bytes, default_radius).map_err(|(at, m)| err(at, m))?
        } else {
            let text = std::str::from_utf8(&bytes)
                .map_err(|e| err(None, format!("not UTF-8 text nor Parquet: {e}")))?;
            parse_csv(text, default_radius).map_err(|(at, m)| err(at, m))?
        };
        Ok(Watchlist::new(cones, columns))
    }

    /// How many cones it has.
    pub fn len(&self) -> usize {
        self.cones.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.cones.is_empty()
    }

    /// The cone at `index`.
    pub fn cone(&self, index: u32) -> &Cone {
        &self.cones[index as usize]
    }

    /// The extra columns' names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The cones (ra, dec) in degrees falls in, nearest first, into `out` (cleared first).
    /// A position that is not one (not finite, |dec| > 90) is in none.
    pub fn lookup(&self, ra: f64, dec: f64, out: &mut Vec<Hit>) {
        out.clear();
        if !is_position(ra, dec) {
            return;
        }
        let (lon, lat) = (ra.to_radians(), dec.to_radians());
        for level in &self.levels {
            let h = nested::get(level.depth).hash(lon, lat);
            let from = level.cells.partition_point(|&c| c < h);
            for (&cell, &i) in level.cells[from..].iter().zip(&level.cones[from..]) {
                if cell != h {
                    break;
                }
                let c = &self.cones[i as usize];
                let sep = separation_rad(c.ra.to_radians(), c.dec.to_radians(), lon, lat) / ARCSEC;
                if sep <= c.radius {
                    out.push(Hit {
                        index: i,
                        sep_arcsec: sep,
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            a.sep_arcsec
                .total_cmp(&b.sep_arcsec)
                .then(a.index.cmp(&b.index))
        });
    }
}

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
pub(crate) type Parsed = (Vec<Cone>, Vec<String>);
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
    let mut cones = Vec::new();
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
        let name = field(l.name).to_string();
        if name.is_empty() {
            return Err((line, "the name is empty".into()));
        }
        let extra = l
            .extra
            .iter()
            .map(|(i, _)| match record.get(*i) {
                Some("") | None => Extra::Null,
                Some(v) if is_json_number(v) => v
                    .parse::<f64>()
                    .map_or_else(|_| Extra::Str(v.to_string()), Extra::Num),
                Some(v) => Extra::Str(v.to_string()),
            })
            .collect();
        cones.push(Cone {
            ra,
            dec,
            radius,
            name,
            extra,
        });
    }
    Ok((cones, columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cones(text: &str) -> Vec<Cone> {
        parse_csv(text, DEFAULT_RADIUS_ARCSEC).unwrap().0
    }

    #[test]
    fn lasair_lines_with_and_without_header() {
        let a = cones("10.5, -20.25, SN 2024a\n11,-21,b,5\n");
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].radius, DEFAULT_RADIUS_ARCSEC);
        assert_eq!(a[1].radius, 5.0);
        let (b, cols) = parse_csv(
            "# from VizieR\nName|RAJ2000|DEJ2000|radius|z\n----|----|----|--|--\nx|1|2|3|0.1\n",
            2.0,
        )
        .unwrap();
        assert_eq!((b[0].ra, b[0].dec, b[0].radius), (1.0, 2.0, 3.0));
        assert_eq!(b[0].name, "x");
        assert_eq!(cols, vec!["z".to_string()]);
        assert_eq!(b[0].extra, vec![Extra::Num(0.1)]);
        // Numbers as JSON writes them become numbers; identifiers stay text.
        let (c, _) = parse_csv("ra,dec,name,id,z,note\n1,2,x,007,-1.5e3,\n", 2.0).unwrap();
        assert_eq!(
            c[0].extra,
            vec![Extra::Str("007".into()), Extra::Num(-1500.0), Extra::Null]
        );
        // Quoted names may hold the separator.
        assert_eq!(cones("1,2,\"a, b\"\n")[0].name, "a, b");
    }

    #[test]
    fn bad_lines_are_named() {
        let e = parse_csv("1,2,a\n1,95,b\n", 2.0).unwrap_err();
        assert_eq!(e.0, Some(2));
        assert!(e.1.contains("dec 95"), "{}", e.1);
        let e = parse_csv("1,2,a\n1,2,b,4000\n", 2.0).unwrap_err();
        assert!(e.1.contains("radius 4000"), "{}", e.1);
        let e = parse_csv("1,2,a\nx,2,b\n", 2.0).unwrap_err();
        assert_eq!(e.0, Some(2));
        let e = parse_csv("ra,dec\n1,2\n", 2.0).unwrap_err();
        assert!(e.1.contains("no name column"), "{}", e.1);
        assert!(parse_csv("", 2.0).is_err());
    }

    #[test]
    fn lookups_at_the_poles_across_ra_zero_and_at_the_radius() {
        let w = Watchlist::new(
            cones("0.0001,0,zero,10\n359.999,89.9999,pole,1\n180,-90,south,100\n45,45,big,1800\n"),
            Vec::new(),
        );
        let names = |ra, dec| {
            let mut out = Vec::new();
            w.lookup(ra, dec, &mut out);
            out.iter()
                .map(|h| w.cone(h.index).name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(359.9999, 0.0), vec!["zero"]);
        assert_eq!(names(180.0, 89.9999), vec!["pole"]);
        assert_eq!(names(17.0, -89.99), vec!["south"]);
        assert_eq!(names(45.0, 45.49), vec!["big"]);
        assert!(names(45.0, 45.51).is_empty());
        assert!(names(f64::NAN, 0.0).is_empty());
        assert!(names(0.0, 91.0).is_empty());
    }
}
