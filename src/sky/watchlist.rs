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
pub(crate) use super::rows::check_cone;
use super::rows::{parse_csv, Columns};
pub use super::rows::{Extra, DEFAULT_RADIUS_ARCSEC, MAX_RADIUS_ARCSEC, RESERVED};

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

/// One cone of a watchlist, as [`Watchlist::cone`] gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cone<'a> {
    /// Centre, degrees.
    pub ra: f64,
    /// Centre, degrees.
    pub dec: f64,
    /// Radius, arcsec.
    pub radius: f64,
    /// The source's name.
    pub name: &'a str,
    /// The extra columns' values, in the order of [`Watchlist::columns`].
    pub extra: &'a [Extra],
}

/// A match: the cone's index and the separation, arcsec.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Index of the cone in the watchlist.
    pub index: u32,
    /// Great-circle distance from the cone's centre, arcsec.
    pub sep_arcsec: f64,
}

/// The cells of one HEALPix depth and the cones in each, sorted by cell, with a
/// directory from a cell's leading bits to where its entries start: a lookup reads the
/// directory, then the few entries of its bucket, never searching the whole level.
struct Level {
    depth: u8,
    /// A cell's bucket is `cell >> shift`.
    shift: u32,
    /// `dir[b]..dir[b + 1]` are bucket `b`'s entries.
    dir: Vec<u32>,
    cells: Vec<u64>,
    cones: Vec<u32>,
}

impl Level {
    fn new(depth: u8, mut entries: Vec<(u64, u32)>) -> Level {
        entries.sort_unstable();
        // Cells of a depth are below 12 * 4^depth < 2^(4 + 2 depth).
        let bits = 4 + 2 * u32::from(depth);
        let want = (entries.len().max(2)).next_power_of_two().trailing_zeros();
        let bucket_bits = want.clamp(1, bits);
        let shift = bits - bucket_bits;
        let buckets = 1usize << bucket_bits;
        let mut dir = Vec::with_capacity(buckets + 1);
        let mut i = 0;
        for b in 0..=buckets as u64 {
            while i < entries.len() && (entries[i].0 >> shift) < b {
                i += 1;
            }
            dir.push(i as u32);
        }
        Level {
            depth,
            shift,
            dir,
            cells: entries.iter().map(|e| e.0).collect(),
            cones: entries.iter().map(|e| e.1).collect(),
        }
    }
}

/// A loaded, indexed watchlist.
pub struct Watchlist {
    cones: Columns,
    columns: Vec<String>,
    levels: Vec<Level>,
}

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

/// The depth of the finest level for `n` cones: the first with eight cells or more
/// per cone, so that a cell rarely holds a cone it does not need to (a small cone
/// covers one to four cells there). Larger cones go to coarser levels, where they
/// cover at most nine cells.
fn finest_depth(n: usize) -> u8 {
    (0..=MAX_DEPTH)
        .find(|&d| 12u64 << (2 * d) >= 8 * n as u64)
        .unwrap_or(MAX_DEPTH)
}

impl Watchlist {
    /// Index `cones`; `columns` names their extra values.
    pub(crate) fn new(cones: Columns, columns: Vec<String>) -> Watchlist {
        let finest = finest_depth(cones.len());
        let mut by_depth: Vec<Vec<(u64, u32)>> = vec![Vec::new(); usize::from(finest) + 1];
        by_depth[usize::from(finest)].reserve(cones.len() * 2);
        for i in 0..cones.len() {
            let r = cones.radius[i] * ARCSEC;
            let depth = cdshealpix::best_starting_depth(r).min(finest);
            let bmoc = nested::get(depth).cone_coverage_approx(
                cones.ra[i].to_radians(),
                cones.dec[i].to_radians(),
                r,
            );
            by_depth[usize::from(depth)].extend(bmoc.flat_iter().map(|h| (h, i as u32)));
        }
        let levels = by_depth
            .into_iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(d, v)| Level::new(d as u8, v))
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
            let parsed = parse_csv(text, default_radius).map_err(|(at, m)| err(at, m))?;
            drop(bytes);
            parsed
        };
        Ok(Watchlist::new(cones, columns))
    }

    /// Index cones given as (ra, dec, radius arcsec, name), with no extra columns.
    pub fn from_cones<'a>(
        cones: impl IntoIterator<Item = (f64, f64, f64, &'a str)>,
    ) -> Result<Watchlist, String> {
        let mut c = Columns::default();
        for (ra, dec, radius, name) in cones {
            check_cone(ra, dec, radius)?;
            c.push(ra, dec, radius, name, [])?;
        }
        Ok(Watchlist::new(c, Vec::new()))
    }

    /// How many cones it has.
    pub fn len(&self) -> usize {
        self.cones.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.cones.len() == 0
    }

    /// The cone at `index`.
    pub fn cone(&self, index: u32) -> Cone<'_> {
        let i = index as usize;
        let c = &self.cones;
        let from = if i == 0 {
            0
        } else {
            c.name_ends[i - 1] as usize
        };
        let k = self.columns.len();
        Cone {
            ra: c.ra[i],
            dec: c.dec[i],
            radius: c.radius[i],
            name: &c.names[from..c.name_ends[i] as usize],
            extra: &c.extra[i * k..(i + 1) * k],
        }
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
        // Any finite right ascension is an angle: HEALPix wants one within a turn.
        let (lon, lat) = (ra.rem_euclid(360.0).to_radians(), dec.to_radians());
        for level in &self.levels {
            let h = nested::get(level.depth).hash(lon, lat);
            let b = (h >> level.shift) as usize;
            let (from, to) = (level.dir[b] as usize, level.dir[b + 1] as usize);
            for (&cell, &i) in level.cells[from..to].iter().zip(&level.cones[from..to]) {
                if cell < h {
                    continue;
                }
                if cell > h {
                    break;
                }
                let c = &self.cones;
                let k = i as usize;
                let sep =
                    separation_rad(c.ra[k].to_radians(), c.dec[k].to_radians(), lon, lat) / ARCSEC;
                if sep <= c.radius[k] {
                    out.push(Hit {
                        index: i,
                        sep_arcsec: sep,
                    });
                }
            }
        }
        if out.len() > 1 {
            out.sort_by(|a, b| {
                a.sep_arcsec
                    .total_cmp(&b.sep_arcsec)
                    .then(a.index.cmp(&b.index))
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(text: &str) -> Watchlist {
        let (c, cols) = parse_csv(text, DEFAULT_RADIUS_ARCSEC).unwrap();
        Watchlist::new(c, cols)
    }

    #[test]
    fn lasair_lines_with_and_without_header() {
        let a = list("10.5, -20.25, SN 2024a\n11,-21,b,5\n");
        assert_eq!(a.len(), 2);
        assert_eq!(a.cone(0).radius, DEFAULT_RADIUS_ARCSEC);
        assert_eq!(a.cone(0).name, "SN 2024a");
        assert_eq!(a.cone(1).radius, 5.0);
        let b = list(
            "# from VizieR\nName|RAJ2000|DEJ2000|radius|z\n----|----|----|--|--\nx|1|2|3|0.1\n",
        );
        let c = b.cone(0);
        assert_eq!((c.ra, c.dec, c.radius, c.name), (1.0, 2.0, 3.0, "x"));
        assert_eq!(b.columns(), ["z".to_string()]);
        assert_eq!(c.extra, [Extra::Num(0.1)]);
        // Numbers as JSON writes them become numbers; identifiers stay text.
        let c = list("ra,dec,name,id,z,note\n1,2,x,007,-1.5e3,\n");
        assert_eq!(
            c.cone(0).extra,
            [Extra::Str("007".into()), Extra::Num(-1500.0), Extra::Null]
        );
        // Quoted names may hold the separator; RA 360 is RA 0.
        assert_eq!(list("1,2,\"a, b\"\n").cone(0).name, "a, b");
        assert_eq!(list("360,2,a\n").cone(0).ra, 0.0);
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
        let w =
            list("0.0001,0,zero,10\n359.999,89.9999,pole,1\n180,-90,south,100\n45,45,big,1800\n");
        let names = |ra, dec| {
            let mut out = Vec::new();
            w.lookup(ra, dec, &mut out);
            out.iter()
                .map(|h| w.cone(h.index).name.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(359.9999, 0.0), vec!["zero"]);
        assert_eq!(names(180.0, 89.9999), vec!["pole"]);
        assert_eq!(names(17.0, -89.99), vec!["south"]);
        assert_eq!(names(45.0, 45.49), vec!["big"]);
        assert!(names(45.0, 45.51).is_empty());
        assert!(names(f64::NAN, 0.0).is_empty());
        // Any finite right ascension is an angle (an edge value from an alert).
        assert_eq!(names(359.9999 + 720.0, 0.0), vec!["zero"]);
        assert!(names(1e300, 0.0).len() <= 1);
        assert!(names(0.0, 91.0).is_empty());
    }
}
