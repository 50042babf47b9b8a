//! Sky regions as IVOA MOCs (Multi-Order Coverage maps), read and queried with CDS's
//! `moc` crate, and the credible regions of HEALPix probability sky maps (the
//! gravitational-wave and neutrino localisations brokers turn into MOCs).
//!
//! A MOC file is FITS (as mocpy and Aladin write it: NUNIQ or RANGE), ASCII
//! (`depth/ipix-ipix ...`) or JSON (Aladin's `{"depth": [ipix, ...]}`); the kind is told
//! from the content. A sky map is a HEALPix FITS table, flat (one `PROB` per cell, NESTED
//! or RING) or multi-order (`UNIQ` and `PROBDENSITY` per steradian, as LIGO/Virgo/KAGRA
//! alerts carry), optionally gzipped.

use std::io::{BufReader, Cursor, Read};
use std::path::Path;

use moc::deser::fits::{from_fits_ivoa, MocIdxType, MocQtyType, MocType};
use moc::moc::range::RangeMOC;
use moc::moc::{
    CellMOCIntoIterator, CellMOCIterator, CellOrCellRangeMOCIntoIterator,
    CellOrCellRangeMOCIterator, RangeMOCIntoIterator, RangeMOCIterator,
};
use moc::qty::Hpx;

use super::geom::is_position;

/// A sky region (a spatial MOC).
#[derive(Debug, Clone)]
pub struct Region {
    moc: RangeMOC<u64, Hpx<u64>>,
}

/// What is wrong with a MOC or sky map file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct RegionError {
    /// The file.
    pub path: String,
    /// What is wrong, and what was expected.
    pub message: String,
}

/// What a credible region came from, and what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct CredibleRegion {
    /// The region.
    pub region: Region,
    /// Whether the sky map was multi-order (NUNIQ) rather than flat.
    pub multi_order: bool,
    /// The deepest HEALPix depth of the map.
    pub depth: u8,
}

impl PartialEq for Region {
    fn eq(&self, other: &Self) -> bool {
        self.moc.depth_max() == other.moc.depth_max()
            && self.moc.moc_ranges() == other.moc.moc_ranges()
    }
}

/// The bytes of a file, gunzipped when they are gzip.
fn read_maybe_gz(path: &Path) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| format!("not a gzip file: {e}"))?;
        Ok(out)
    } else {
        Ok(bytes)
    }
}

fn from_fits(bytes: &[u8]) -> Result<RangeMOC<u64, Hpx<u64>>, String> {
    fn ranges<T, R>(m: MocType<T, Hpx<T>, R>) -> RangeMOC<u64, Hpx<u64>>
    where
        T: moc::idx::Idx,
        u64: From<T>,
        R: std::io::BufRead,
    {
        match m {
            MocType::Ranges(r) => r.convert::<u64, Hpx<u64>>().into_range_moc(),
            MocType::Cells(c) => c
                .into_cell_moc_iter()
                .ranges()
                .convert::<u64, Hpx<u64>>()
                .into_range_moc(),
        }
    }
    let not_spatial = || "a MOC of time or frequency, not of the sky".to_string();
    match from_fits_ivoa(Cursor::new(bytes)).map_err(|e| e.to_string())? {
        MocIdxType::U16(MocQtyType::Hpx(m)) => Ok(ranges(m)),
        MocIdxType::U32(MocQtyType::Hpx(m)) => Ok(ranges(m)),
        MocIdxType::U64(MocQtyType::Hpx(m)) => Ok(ranges(m)),
        _ => Err(not_spatial()),
    }
}

impl Region {
    /// Read a MOC file: FITS, ASCII or JSON, told from its content.
    pub fn load(path: &Path) -> Result<Region, RegionError> {
        let err = |message: String| RegionError {
            path: path.display().to_string(),
            message,
        };
        let bytes = read_maybe_gz(path).map_err(err)?;
        let expected = "expected an IVOA MOC: FITS (as mocpy or Aladin write it), ASCII \
                        (\"depth/ipix-ipix ...\") or JSON ({\"depth\": [ipix, ...]})";
        let moc = if bytes.starts_with(b"SIMPLE  =") {
            from_fits(&bytes).map_err(|e| err(format!("not a MOC FITS file ({e}); {expected}")))?
        } else {
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| err(format!("not FITS and not text; {expected}")))?;
            let trimmed = text.trim_start();
            if trimmed.starts_with('{') {
                moc::deser::json::from_json_aladin::<u64, Hpx<u64>>(text)
                    .map_err(|e| err(format!("not a MOC in JSON ({e}); {expected}")))?
                    .into_cell_moc_iter()
                    .ranges()
                    .into_range_moc()
            } else {
                if trimmed.is_empty() || !trimmed.starts_with(|c: char| c.is_ascii_digit()) {
                    return Err(err(format!("not a MOC; {expected}")));
                }
                moc::deser::ascii::from_ascii_ivoa::<u64, Hpx<u64>>(text)
                    .map_err(|e| err(format!("not a MOC in ASCII ({e}); {expected}")))?
                    .into_cellcellrange_moc_iter()
                    .ranges()
                    .into_range_moc()
            }
        };
        Ok(Region { moc })
    }

    /// The cells of `depth` a disc (centre and radius in degrees) touches.
    pub fn cone(ra: f64, dec: f64, radius_deg: f64, depth: u8) -> Region {
        Region {
            moc: RangeMOC::from_cone(
                ra.to_radians(),
                dec.to_radians(),
                radius_deg.to_radians(),
                depth,
                2,
                moc::moc::range::CellSelection::All,
            ),
        }
    }

    /// Whether (ra, dec) in degrees is in the region (a position that is not one is not).
    pub fn contains(&self, ra: f64, dec: f64) -> bool {
        is_position(ra, dec)
            && self
                .moc
                .is_in(ra.rem_euclid(360.0).to_radians(), dec.to_radians())
    }

    /// The deepest HEALPix depth of the region.
    pub fn depth(&self) -> u8 {
        self.moc.depth_max()
    }

    /// The fraction of the sky it covers.
    pub fn sky_fraction(&self) -> f64 {
        self.moc.coverage_percentage()
    }

    /// Write the region as an IVOA MOC 2.0 FITS file.
    pub fn write_fits(&self, path: &Path) -> Result<(), RegionError> {
        let err = |message: String| RegionError {
            path: path.display().to_string(),
            message,
        };
        let mut out = Vec::new();
        (&self.moc)
            .into_range_moc_iter()
            .to_fits_ivoa(None, None, &mut out)
            .map_err(|e| err(e.to_string()))?;
        super::write_atomically(path, &out).map_err(|e| err(format!("cannot write it: {e}")))
    }

    /// The credible region of a HEALPix probability sky map: the most probable cells
    /// holding `credible` (0 < credible <= 1) of the probability, the last one included
    /// (so the region holds at least `credible`, and at most one cell more).
    pub fn credible(path: &Path, credible: f64) -> Result<CredibleRegion, RegionError> {
        let err = |message: String| RegionError {
            path: path.display().to_string(),
            message,
        };
        if !(credible > 0.0 && credible <= 1.0) {
            return Err(err(format!(
                "--credible {credible}: a probability, above 0 and at most 1"
            )));
        }
        let bytes = read_maybe_gz(path).map_err(err)?;
        let expected = "expected a HEALPix sky map: a FITS binary table, flat (PROB per cell, \
                        ORDERING NESTED or RING) or multi-order (UNIQ and PROBDENSITY, ORDERING NUNIQ)";
        if !bytes.starts_with(b"SIMPLE  =") {
            return Err(err(format!("not a FITS file; {expected}")));
        }
        let multi_order = extension_cards(&bytes)
            .iter()
            .any(|(k, v)| k == "ORDERING" && v.eq_ignore_ascii_case("NUNIQ"));
        let reader = BufReader::new(Cursor::new(&bytes[..]));
        let moc = if multi_order {
            moc::deser::fits::multiordermap::from_fits_multiordermap(
                reader, 0.0, credible, false, false, false, false,
            )
        } else {
            moc::deser::fits::skymap::from_fits_skymap(
                reader, 0.0, 0.0, credible, false, false, false, false,
            )
        }
        .map_err(|e| err(format!("{e}; {expected}")))?;
        Ok(CredibleRegion {
            depth: moc.depth_max(),
            region: Region { moc },
            multi_order,
        })
    }
}

/// What `moc from-cone` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ConeReport {
    /// The region's depth.
    pub depth: u8,
    /// Its area, square degrees.
    pub area_deg2: f64,
}

/// The deepest depth `moc from-cone` makes (cells of 0.4").
pub const MAX_CONE_DEPTH: u8 = 19;

/// The MOC of a disc (every cell of `depth` it touches), written to `out` as IVOA FITS.
pub fn cone_to_moc(
    ra: f64,
    dec: f64,
    radius_deg: f64,
    depth: u8,
    out: &Path,
) -> Result<ConeReport, RegionError> {
    let err = |message: String| RegionError {
        path: out.display().to_string(),
        message,
    };
    if !is_position(ra, dec) {
        return Err(err(format!("({ra}, {dec}) is not a position in degrees")));
    }
    if !(radius_deg > 0.0 && radius_deg < 90.0) {
        return Err(err(format!(
            "a radius of {radius_deg} deg: above 0 and below 90"
        )));
    }
    if depth > MAX_CONE_DEPTH {
        return Err(err(format!("depth {depth}: at most {MAX_CONE_DEPTH}")));
    }
    let region = Region::cone(ra, dec, radius_deg, depth);
    region.write_fits(out)?;
    Ok(ConeReport {
        depth,
        area_deg2: region.sky_fraction()
            * 4.0
            * std::f64::consts::PI
            * (180.0 / std::f64::consts::PI).powi(2),
    })
}

/// What `moc from-skymap` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct SkymapReport {
    /// Whether the sky map was multi-order (NUNIQ) rather than flat.
    pub multi_order: bool,
    /// The deepest HEALPix depth of the region.
    pub depth: u8,
    /// The credible level asked.
    pub credible: f64,
    /// The region's area, square degrees.
    pub area_deg2: f64,
}

/// Turn a HEALPix probability sky map into the MOC of its `credible` region, written
/// to `out` as IVOA FITS (through a temporary file: nothing half-written is left).
pub fn skymap_to_moc(
    skymap: &Path,
    credible: f64,
    out: &Path,
) -> Result<SkymapReport, RegionError> {
    let c = Region::credible(skymap, credible)?;
    c.region.write_fits(out)?;
    Ok(SkymapReport {
        multi_order: c.multi_order,
        depth: c.depth,
        credible,
        area_deg2: c.region.sky_fraction()
            * 4.0
            * std::f64::consts::PI
            * (180.0 / std::f64::consts::PI).powi(2),
    })
}

/// The header cards (keyword, value without quotes) of a FITS file's first extension.
fn extension_cards(bytes: &[u8]) -> Vec<(String, String)> {
    let mut cards = Vec::new();
    let mut block = 0;
    let mut hdu = 0;
    while (block + 1) * 2880 <= bytes.len() {
        let b = &bytes[block * 2880..(block + 1) * 2880];
        block += 1;
        let mut end = false;
        for card in b.chunks(80) {
            let key = String::from_utf8_lossy(&card[..8]).trim().to_string();
            if key == "END" {
                end = true;
                break;
            }
            if hdu == 1 && card.get(8..10) == Some(b"= ") {
                let v = String::from_utf8_lossy(&card[10..]);
                let v = v
                    .split('/')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches('\'')
                    .trim();
                cards.push((key, v.to_string()));
            }
        }
        if end {
            if hdu == 1 {
                return cards;
            }
            // The primary HDU of a table file has no data (NAXIS = 0).
            hdu += 1;
        }
    }
    cards
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_json_mocs() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        // Depth 0 cell 4 is the equatorial base cell centred on (0, 0).
        std::fs::write(&a, "0/4\n").unwrap();
        let r = Region::load(&a).unwrap();
        assert!(r.contains(0.0, 0.0));
        assert!(!r.contains(180.0, 0.0));
        assert!((r.sky_fraction() - 1.0 / 12.0).abs() < 1e-12);
        let j = dir.path().join("a.json");
        std::fs::write(&j, r#"{"0": [4]}"#).unwrap();
        assert_eq!(Region::load(&j).unwrap(), r);
        let f = dir.path().join("a.fits");
        r.write_fits(&f).unwrap();
        assert_eq!(Region::load(&f).unwrap(), r);
        let bad = dir.path().join("bad.txt");
        std::fs::write(&bad, "hello").unwrap();
        let e = Region::load(&bad).unwrap_err().to_string();
        assert!(e.contains("expected an IVOA MOC"), "{e}");
    }
}
