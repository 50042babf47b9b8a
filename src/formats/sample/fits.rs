//! Minimal FITS: write a 2-D float32 image, read headers and images back.
//!
//! Enough of the FITS 4.0 standard for alert cutouts: a primary HDU (or image
//! extensions after an empty primary), 80-character header cards in 2880-byte
//! blocks, and big-endian pixel data of BITPIX 8, 16, 32, 64, -32 or -64 (with
//! BSCALE/BZERO).

use std::fmt::Write as _;

/// FITS files are made of blocks of this many bytes.
pub const BLOCK: usize = 2880;
const CARD: usize = 80;

/// A header card's value.
#[derive(Debug, Clone, PartialEq)]
pub enum CardValue {
    /// `T` or `F`.
    Logical(bool),
    /// An integer.
    Int(i64),
    /// A real number.
    Real(f64),
    /// A quoted string.
    Text(String),
}

/// Why bytes are not a FITS image alertctl can read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FitsError {
    /// Too short to hold even one header block.
    #[error("not FITS: {0} bytes, shorter than one 2880-byte header block")]
    Short(usize),
    /// The first card is not `SIMPLE = T`.
    #[error("not FITS: the first header card is not SIMPLE = T")]
    NotSimple,
    /// No END card before the data ran out.
    #[error("FITS header has no END card")]
    NoEnd,
    /// A required keyword is missing or malformed.
    #[error("FITS header: {0} is missing or not a number")]
    Keyword(String),
    /// The data section is shorter than the header says.
    #[error("FITS data truncated: the header says {expected} bytes, {found} are there")]
    Truncated {
        /// Bytes the header implies.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// No HDU holds a 2-D image.
    #[error("FITS file holds no 2-D image")]
    NoImage,
}

/// A parsed header: its cards in order.
#[derive(Debug, Clone, Default)]
pub struct Header {
    /// `(KEYWORD, value)` for every valued card, in file order.
    pub cards: Vec<(String, CardValue)>,
}

impl Header {
    /// The value of a keyword.
    pub fn get(&self, key: &str) -> Option<&CardValue> {
        self.cards.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// An integer keyword.
    pub fn int(&self, key: &str) -> Option<i64> {
        match self.get(key)? {
            CardValue::Int(i) => Some(*i),
            CardValue::Real(f) if f.fract() == 0.0 => Some(*f as i64),
            _ => None,
        }
    }

    /// A real keyword (integers included).
    pub fn real(&self, key: &str) -> Option<f64> {
        match self.get(key)? {
            CardValue::Int(i) => Some(*i as f64),
            CardValue::Real(f) => Some(*f),
            _ => None,
        }
    }

    /// A string keyword.
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            CardValue::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// A 2-D image read from FITS, pixels as f64, row 0 first (FITS order: bottom row first).
#[derive(Debug, Clone)]
pub struct Image {
    /// NAXIS1: pixels per row.
    pub width: usize,
    /// NAXIS2: rows.
    pub height: usize,
    /// `width * height` pixel values after BSCALE/BZERO.
    pub pixels: Vec<f64>,
    /// The header of the HDU the image came from.
    pub header: Header,
}

fn card(key: &str, value: &CardValue, comment: &str) -> String {
    let v = match value {
        CardValue::Logical(b) => format!("{:>20}", if *b { "T" } else { "F" }),
        CardValue::Int(i) => format!("{i:>20}"),
        CardValue::Real(f) => format!("{:>20}", format_real(*f)),
        CardValue::Text(s) => format!("'{:<8}'", s.replace('\'', "''")),
    };
    let mut c = format!("{key:<8}= {v}");
    if !comment.is_empty() {
        let _ = write!(c, " / {comment}");
    }
    c.truncate(CARD);
    format!("{c:<80}")
}

fn format_real(f: f64) -> String {
    let s = format!("{f:.12E}");
    // FITS wants an exponent like E+01; Rust writes E1.
    match s.split_once('E') {
        Some((m, e)) => {
            let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
            format!("{m}E{sign}{digits:0>2}")
        }
        None => s,
    }
}

/// Write a single-HDU FITS file holding a `width x height` float32 image
/// (`pixels` row by row, bottom row first) and extra header cards.
pub fn write_image(
    width: usize,
    height: usize,
    pixels: &[f32],
    extra: &[(&str, CardValue, &str)],
) -> Vec<u8> {
    assert_eq!(
        pixels.len(),
        width * height,
        "pixel count must match the shape"
    );
    let mut header = String::with_capacity(BLOCK);
    header.push_str(&card(
        "SIMPLE",
        &CardValue::Logical(true),
        "conforms to FITS standard",
    ));
    header.push_str(&card(
        "BITPIX",
        &CardValue::Int(-32),
        "IEEE single precision",
    ));
    header.push_str(&card("NAXIS", &CardValue::Int(2), ""));
    header.push_str(&card("NAXIS1", &CardValue::Int(width as i64), ""));
    header.push_str(&card("NAXIS2", &CardValue::Int(height as i64), ""));
    for (k, v, c) in extra {
        header.push_str(&card(k, v, c));
    }
    header.push_str(&format!("{:<80}", "END"));
    let mut out = header.into_bytes();
    out.resize(out.len().div_ceil(BLOCK) * BLOCK, b' ');
    out.reserve(pixels.len() * 4 + BLOCK);
    for p in pixels {
        out.extend_from_slice(&p.to_be_bytes());
    }
    out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
    out
}

fn parse_value(raw: &str) -> Option<CardValue> {
    let raw = raw.trim_start();
    if let Some(rest) = raw.strip_prefix('\'') {
        // A string ends at a quote not followed by another quote.
        let mut s = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    s.push('\'');
                } else {
                    break;
                }
            } else {
                s.push(c);
            }
        }
        return Some(CardValue::Text(s.trim_end().to_string()));
    }
    let token = raw.split('/').next()?.trim();
    match token {
        "T" => Some(CardValue::Logical(true)),
        "F" => Some(CardValue::Logical(false)),
        "" => None,
        t => t
            .parse::<i64>()
            .map(CardValue::Int)
            .ok()
            .or_else(|| t.replace('D', "E").parse::<f64>().ok().map(CardValue::Real)),
    }
}

/// Parse one header starting at `bytes[0]`; returns it and the offset of its data.
fn parse_header_at(bytes: &[u8]) -> Result<(Header, usize), FitsError> {
    let mut header = Header::default();
    let mut pos = 0;
    loop {
        if pos + CARD > bytes.len() {
            return Err(FitsError::NoEnd);
        }
        // Header cards are ASCII: any other byte is read as `?`, so columns stay put.
        let card: String = bytes[pos..pos + CARD]
            .iter()
            .map(|b| if b.is_ascii() { char::from(*b) } else { '?' })
            .collect();
        pos += CARD;
        let key = card[..8].trim_end().to_string();
        if key == "END" {
            break;
        }
        if card.get(8..10) == Some("= ") {
            if let Some(v) = parse_value(&card[10..]) {
                header.cards.push((key, v));
            }
        }
    }
    Ok((header, pos.div_ceil(BLOCK) * BLOCK))
}

/// Parse the primary header of a FITS file.
pub fn parse_header(bytes: &[u8]) -> Result<Header, FitsError> {
    if bytes.len() < BLOCK {
        return Err(FitsError::Short(bytes.len()));
    }
    if !bytes.starts_with(b"SIMPLE  =")
        || parse_value(
            &bytes[10..80]
                .iter()
                .map(|b| if b.is_ascii() { char::from(*b) } else { '?' })
                .collect::<String>(),
        ) != Some(CardValue::Logical(true))
    {
        return Err(FitsError::NotSimple);
    }
    parse_header_at(bytes).map(|(h, _)| h)
}

fn data_len(h: &Header) -> Result<(usize, Vec<usize>, i64), FitsError> {
    // Sizes come from the file: negative or overflowing ones are errors, not wraps.
    let size = |k: &str, v: Option<i64>| -> Result<usize, FitsError> {
        v.and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| FitsError::Keyword(k.to_string()))
    };
    let bitpix = h
        .int("BITPIX")
        .filter(|b| [8, 16, 32, 64, -32, -64].contains(b))
        .ok_or_else(|| FitsError::Keyword("BITPIX".into()))?;
    let naxis = size("NAXIS", h.int("NAXIS").filter(|n| *n <= 999))?;
    let mut axes = Vec::with_capacity(naxis);
    for i in 1..=naxis {
        let k = format!("NAXIS{i}");
        axes.push(size(&k, h.int(&k))?);
    }
    let too_big = || FitsError::Keyword("NAXISn (the data would be larger than any file)".into());
    let n: usize = if naxis == 0 {
        0
    } else {
        axes.iter()
            .try_fold(1usize, |a, x| a.checked_mul(*x))
            .ok_or_else(too_big)?
    };
    let pcount = size("PCOUNT", Some(h.int("PCOUNT").unwrap_or(0)))?;
    let gcount = size("GCOUNT", Some(h.int("GCOUNT").unwrap_or(1)))?;
    let bytes = (bitpix.unsigned_abs() as usize / 8)
        .checked_mul(gcount)
        .and_then(|b| b.checked_mul(n.checked_add(pcount)?))
        .ok_or_else(too_big)?;
    Ok((bytes, axes, bitpix))
}

/// Read the first 2-D image in a FITS file: the primary HDU, or the first image
/// extension when the primary is empty (as in multi-extension cutouts).
pub fn read_image(bytes: &[u8]) -> Result<Image, FitsError> {
    parse_header(bytes)?;
    let mut offset = 0;
    while offset < bytes.len() {
        let (header, data_start) = parse_header_at(&bytes[offset..])?;
        let (len, axes, bitpix) = data_len(&header)?;
        let start = offset + data_start;
        if axes.len() == 2 && len > 0 {
            let found = bytes.len().saturating_sub(start);
            if found < len {
                return Err(FitsError::Truncated {
                    expected: len,
                    found,
                });
            }
            let data = &bytes[start..start + len];
            let (scale, zero) = (
                header.real("BSCALE").unwrap_or(1.0),
                header.real("BZERO").unwrap_or(0.0),
            );
            let raw: Vec<f64> = match bitpix {
                8 => data.iter().map(|b| f64::from(*b)).collect(),
                16 => data
                    .chunks_exact(2)
                    .map(|c| f64::from(i16::from_be_bytes([c[0], c[1]])))
                    .collect(),
                32 => data
                    .chunks_exact(4)
                    .map(|c| f64::from(i32::from_be_bytes(c.try_into().expect("4 bytes"))))
                    .collect(),
                64 => data
                    .chunks_exact(8)
                    .map(|c| i64::from_be_bytes(c.try_into().expect("8 bytes")) as f64)
                    .collect(),
                -32 => data
                    .chunks_exact(4)
                    .map(|c| f64::from(f32::from_be_bytes(c.try_into().expect("4 bytes"))))
                    .collect(),
                -64 => data
                    .chunks_exact(8)
                    .map(|c| f64::from_be_bytes(c.try_into().expect("8 bytes")))
                    .collect(),
                _ => return Err(FitsError::Keyword("BITPIX".into())),
            };
            return Ok(Image {
                width: axes[0],
                height: axes[1],
                pixels: raw.into_iter().map(|v| v * scale + zero).collect(),
                header,
            });
        }
        offset = match len
            .div_ceil(BLOCK)
            .checked_mul(BLOCK)
            .and_then(|l| start.checked_add(l))
        {
            Some(o) => o,
            None => break,
        };
    }
    Err(FitsError::NoImage)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Damaged headers are errors, never panics: non-ASCII bytes anywhere in a card,
    /// negative, huge and overflowing axis sizes.
    #[test]
    fn hostile_headers_are_errors() {
        let good = write_image(4, 3, &[0.0; 12], &[]);
        let mut b = good.clone();
        b[3] = 0xE2; // inside "SIMPLE"
        assert!(read_image(&b).is_err());
        let mut b = good.clone();
        for i in (80..400).step_by(7) {
            b[i] = 0xC3;
        }
        let _ = read_image(&b);
        for (k, v) in [
            ("NAXIS1", "-5"),
            ("NAXIS1", "9223372036854775807"),
            ("NAXIS", "99999"),
            ("BITPIX", "7"),
        ] {
            let text = String::from_utf8(good[..2880].to_vec()).unwrap();
            let pos = text.find(&format!("{k:<8}= ")).unwrap();
            let mut b = good.clone();
            let card = format!("{k:<8}= {v:>20}");
            b[pos..pos + card.len()].copy_from_slice(card.as_bytes());
            assert!(read_image(&b).is_err(), "{k} = {v}");
        }
        let mut b = good.clone();
        let text = String::from_utf8(good[..2880].to_vec()).unwrap();
        for (k, v) in [("NAXIS1", "4294967296"), ("NAXIS2", "4294967296")] {
            let pos = text.find(&format!("{k:<8}= ")).unwrap();
            let card = format!("{k:<8}= {v:>20}");
            b[pos..pos + card.len()].copy_from_slice(card.as_bytes());
        }
        assert!(read_image(&b).is_err(), "a product that overflows");
    }

    #[test]
    fn round_trip_an_image_in_whole_blocks() {
        let px: Vec<f32> = (0..30 * 20).map(|i| i as f32 * 0.5 - 3.0).collect();
        let bytes = write_image(
            30,
            20,
            &px,
            &[
                ("BUNIT", CardValue::Text("nJy".into()), "pixel unit"),
                ("CRVAL1", CardValue::Real(351.570546978), ""),
                ("NOTE", CardValue::Text("it's".into()), ""),
            ],
        );
        assert_eq!(bytes.len() % BLOCK, 0);
        assert_eq!(
            bytes.len(),
            BLOCK + (30usize * 20 * 4).div_ceil(BLOCK) * BLOCK
        );
        let img = read_image(&bytes).unwrap();
        assert_eq!((img.width, img.height), (30, 20));
        assert_eq!(img.pixels[7], f64::from(px[7]));
        assert_eq!(img.header.text("BUNIT"), Some("nJy"));
        assert_eq!(img.header.text("NOTE"), Some("it's"));
        assert!((img.header.real("CRVAL1").unwrap() - 351.570546978).abs() < 1e-9);
    }

    #[test]
    fn garbage_is_not_fits() {
        assert_eq!(read_image(b"hello").unwrap_err(), FitsError::Short(5));
        assert_eq!(
            read_image(&[b' '; BLOCK]).unwrap_err(),
            FitsError::NotSimple
        );
        let px = vec![0f32; 100];
        let good = write_image(10, 10, &px, &[]);
        assert!(matches!(
            read_image(&good[..BLOCK + 10]).unwrap_err(),
            FitsError::Truncated { .. }
        ));
    }
}
