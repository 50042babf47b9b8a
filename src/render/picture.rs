//! Pictures of an alert: its three cutouts side by side and its light curve, as a PNG.
//!
//! No plotting or font libraries: an RGB canvas, an asinh stretch between robust
//! percentiles (the look astronomers expect of difference images), and a 5x7 bitmap
//! font for the labels.

use std::collections::BTreeMap;

use crate::formats::sample::fits::Image;

/// One point of a light curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Time, MJD.
    pub mjd: f64,
    /// Flux, nJy.
    pub flux: f64,
    /// Its 1-sigma error, nJy.
    pub err: f64,
}

/// An RGB image.
pub struct Canvas {
    /// Width, pixels.
    pub width: usize,
    /// Height, pixels.
    pub height: usize,
    rgb: Vec<u8>,
}

type Rgb = [u8; 3];
const BLACK: Rgb = [0, 0, 0];
const GREY: Rgb = [120, 120, 120];

/// Colours of the six bands (u..y: violet to dark red).
pub fn band_colour(band: &str) -> Rgb {
    match band {
        "u" => [86, 180, 233],
        "g" => [0, 158, 115],
        "r" => [230, 159, 0],
        "i" => [213, 94, 0],
        "z" => [204, 121, 167],
        "y" => [120, 40, 40],
        _ => GREY,
    }
}

/// Glyphs of the 5x7 font: each row is 5 bits, high bit on the left.
fn glyph(c: char) -> [u8; 7] {
    match c.to_ascii_uppercase() {
        'A' => [14, 17, 17, 31, 17, 17, 17],
        'B' => [30, 17, 17, 30, 17, 17, 30],
        'C' => [14, 17, 16, 16, 16, 17, 14],
        'D' => [30, 17, 17, 17, 17, 17, 30],
        'E' => [31, 16, 16, 30, 16, 16, 31],
        'F' => [31, 16, 16, 30, 16, 16, 16],
        'G' => [14, 17, 16, 23, 17, 17, 15],
        'H' => [17, 17, 17, 31, 17, 17, 17],
        'I' => [14, 4, 4, 4, 4, 4, 14],
        'J' => [7, 2, 2, 2, 2, 18, 12],
        'K' => [17, 18, 20, 24, 20, 18, 17],
        'L' => [16, 16, 16, 16, 16, 16, 31],
        'M' => [17, 27, 21, 21, 17, 17, 17],
        'N' => [17, 17, 25, 21, 19, 17, 17],
        'O' => [14, 17, 17, 17, 17, 17, 14],
        'P' => [30, 17, 17, 30, 16, 16, 16],
        'Q' => [14, 17, 17, 17, 21, 18, 13],
        'R' => [30, 17, 17, 30, 20, 18, 17],
        'S' => [15, 16, 16, 14, 1, 1, 30],
        'T' => [31, 4, 4, 4, 4, 4, 4],
        'U' => [17, 17, 17, 17, 17, 17, 14],
        'V' => [17, 17, 17, 17, 17, 10, 4],
        'W' => [17, 17, 17, 21, 21, 21, 10],
        'X' => [17, 17, 10, 4, 10, 17, 17],
        'Y' => [17, 17, 10, 4, 4, 4, 4],
        'Z' => [31, 1, 2, 4, 8, 16, 31],
        '0' => [14, 17, 19, 21, 25, 17, 14],
        '1' => [4, 12, 4, 4, 4, 4, 14],
        '2' => [14, 17, 1, 2, 4, 8, 31],
        '3' => [31, 2, 4, 2, 1, 17, 14],
        '4' => [2, 6, 10, 18, 31, 2, 2],
        '5' => [31, 16, 30, 1, 1, 17, 14],
        '6' => [6, 8, 16, 30, 17, 17, 14],
        '7' => [31, 1, 2, 4, 8, 8, 8],
        '8' => [14, 17, 17, 14, 17, 17, 14],
        '9' => [14, 17, 17, 15, 1, 2, 12],
        '.' => [0, 0, 0, 0, 0, 12, 12],
        ',' => [0, 0, 0, 0, 12, 4, 8],
        '-' => [0, 0, 0, 31, 0, 0, 0],
        '+' => [0, 4, 4, 31, 4, 4, 0],
        ':' => [0, 12, 12, 0, 12, 12, 0],
        '=' => [0, 0, 31, 0, 31, 0, 0],
        '(' => [2, 4, 8, 8, 8, 4, 2],
        ')' => [8, 4, 2, 2, 2, 4, 8],
        '/' => [0, 1, 2, 4, 8, 16, 0],
        '_' => [0, 0, 0, 0, 0, 0, 31],
        _ => [0; 7],
    }
}

impl Canvas {
    /// A white canvas.
    pub fn new(width: usize, height: usize) -> Canvas {
        Canvas {
            width,
            height,
            rgb: vec![255; width * height * 3],
        }
    }

    /// Set one pixel (outside the canvas: ignored).
    pub fn set(&mut self, x: i64, y: i64, c: Rgb) {
        if x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height {
            let i = (y as usize * self.width + x as usize) * 3;
            self.rgb[i..i + 3].copy_from_slice(&c);
        }
    }

    /// The colour of one pixel.
    pub fn get(&self, x: usize, y: usize) -> Rgb {
        let i = (y * self.width + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    fn line(&mut self, (x0, y0): (i64, i64), (x1, y1): (i64, i64), c: Rgb) {
        let n = (x1 - x0).abs().max((y1 - y0).abs()).max(1);
        for i in 0..=n {
            self.set(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n, c);
        }
    }

    /// Write text with the 5x7 font, `scale` pixels per font pixel.
    pub fn text(&mut self, x: i64, y: i64, s: &str, scale: i64, c: Rgb) {
        for (k, ch) in s.chars().enumerate() {
            let g = glyph(ch);
            for (row, bits) in g.iter().enumerate() {
                for col in 0..5 {
                    if bits & (16 >> col) != 0 {
                        for dy in 0..scale {
                            for dx in 0..scale {
                                self.set(
                                    x + (k as i64 * 6 + col) * scale + dx,
                                    y + row as i64 * scale + dy,
                                    c,
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    /// Draw a cutout into a `size` x `size` square at (x, y), asinh-stretched between
    /// its 0.5 and 99.5 percentiles. FITS rows start at the bottom: the picture is flipped.
    pub fn stamp(&mut self, x: i64, y: i64, size: usize, img: &Image) {
        let mut finite: Vec<f64> = img
            .pixels
            .iter()
            .copied()
            .filter(|p| p.is_finite())
            .collect();
        if finite.is_empty() || img.width == 0 || img.height == 0 {
            return;
        }
        finite.sort_by(f64::total_cmp);
        let pick = |q: f64| finite[((finite.len() - 1) as f64 * q) as usize];
        let (lo, hi) = (pick(0.005), pick(0.995));
        let span = (hi - lo).max(1e-12);
        for py in 0..size {
            for px in 0..size {
                let sx = px * img.width / size;
                let sy = img.height - 1 - py * img.height / size;
                let v = img.pixels[sy * img.width + sx];
                let t = if v.is_finite() {
                    ((v - lo) / span).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let g = ((t * 10.0).asinh() / 10f64.asinh() * 255.0) as u8;
                self.set(x + px as i64, y + py as i64, [g, g, g]);
            }
        }
    }

    /// A light curve in the box (x, y, w, h): flux against MJD per band, with error bars.
    pub fn light_curve(
        &mut self,
        x: i64,
        y: i64,
        w: i64,
        h: i64,
        points: &BTreeMap<String, Vec<Point>>,
    ) {
        let all: Vec<&Point> = points.values().flatten().collect();
        self.line((x, y + h), (x + w, y + h), BLACK);
        self.line((x, y), (x, y + h), BLACK);
        if all.is_empty() {
            self.text(x + 10, y + h / 2, "NO HISTORY", 2, GREY);
            return;
        }
        let (mut t0, mut t1) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut f0, mut f1) = (f64::INFINITY, f64::NEG_INFINITY);
        for p in &all {
            t0 = t0.min(p.mjd);
            t1 = t1.max(p.mjd);
            f0 = f0.min(p.flux - p.err);
            f1 = f1.max(p.flux + p.err);
        }
        let (dt, df) = ((t1 - t0).max(1e-6), (f1 - f0).max(1e-6));
        let px = |t: f64| x + 8 + ((t - t0) / dt * (w - 16) as f64) as i64;
        let py = |f: f64| y + h - 8 - ((f - f0) / df * (h - 16) as f64) as i64;
        if f0 < 0.0 && f1 > 0.0 {
            self.line((x, py(0.0)), (x + w, py(0.0)), GREY);
        }
        for (band, pts) in points {
            let c = band_colour(band);
            for p in pts {
                let (cx, cy) = (px(p.mjd), py(p.flux));
                self.line((cx, py(p.flux - p.err)), (cx, py(p.flux + p.err)), c);
                for d in -3..=3 {
                    self.line((cx - 3, cy + d), (cx + 3, cy + d), c);
                }
            }
        }
        self.text(x, y + h + 6, &format!("MJD {t0:.2}"), 2, BLACK);
        self.text(x + w - 13 * 12, y + h + 6, &format!("{t1:.2}"), 2, BLACK);
        self.text(
            x - 6,
            y - 20,
            &format!("FLUX NJY  {f0:.0} TO {f1:.0}"),
            2,
            BLACK,
        );
        let mut lx = x + w - 6 * 12 * points.len() as i64;
        for band in points.keys() {
            self.text(lx, y - 20, band, 2, band_colour(band));
            lx += 24;
        }
    }

    /// Encode as PNG.
    pub fn png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width as u32, self.height as u32);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            enc.write_header()?.write_image_data(&self.rgb)?;
        }
        Ok(out)
    }
}

/// The stamp size on the picture, pixels.
pub const STAMP: usize = 240;

/// Draw an alert: a title, three labelled cutouts, and the light curve below them.
pub fn alert_picture(
    title: &str,
    stamps: &[(&str, Option<Image>)],
    curve: &BTreeMap<String, Vec<Point>>,
) -> Canvas {
    let margin = 24;
    let width = margin * 4 + STAMP * 3;
    let height = 60 + STAMP + 50 + 320 + 60;
    let mut c = Canvas::new(width, height);
    c.text(margin as i64, 16, title, 2, BLACK);
    for (i, (label, img)) in stamps.iter().enumerate() {
        let x = (margin + i * (STAMP + margin)) as i64;
        let y = 60i64;
        match img {
            Some(img) => c.stamp(x, y, STAMP, img),
            None => c.text(x + 20, y + STAMP as i64 / 2, "NO CUTOUT", 2, GREY),
        }
        c.text(x, y + STAMP as i64 + 8, label, 2, BLACK);
    }
    let top = (60 + STAMP + 80) as i64;
    c.light_curve(
        margin as i64 + 20,
        top,
        (width - 2 * margin - 20) as i64,
        300,
        curve,
    );
    c
}

/// A histogram of millisecond values in `bins` bins, drawn as bars, with the range and
/// the count in the title (`bench night`'s latency).
pub fn histogram(title: &str, values_ms: &[i64], bins: usize) -> Canvas {
    let (w, h, left, bottom, top) = (640usize, 360usize, 50i64, 320i64, 40i64);
    let mut c = Canvas::new(w, h);
    let bins = bins.max(1);
    let (lo, hi) = (
        values_ms.iter().copied().min().unwrap_or(0),
        values_ms.iter().copied().max().unwrap_or(0),
    );
    let width = ((hi - lo) as f64 / bins as f64).max(1.0);
    let mut counts = vec![0usize; bins];
    for v in values_ms {
        let b = (((v - lo) as f64 / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    let bar = ((w as i64 - left - 20) / bins as i64).max(1);
    for (i, n) in counts.iter().enumerate() {
        let height = (*n as f64 / most as f64 * (bottom - top) as f64) as i64;
        for x in 0..bar.saturating_sub(1).max(1) {
            for y in 0..height {
                c.set(left + i as i64 * bar + x, bottom - y, GREY);
            }
        }
    }
    for x in left..(w as i64 - 10) {
        c.set(x, bottom + 1, BLACK);
    }
    let label = format!(
        "{title}: {} VALUES, {:.2} TO {:.2}",
        values_ms.len(),
        lo as f64 / 1000.0,
        hi as f64 / 1000.0
    );
    c.text(left, 12, &label.to_uppercase(), 2, BLACK);
    c
}

/// The picture of an alert's JSON view (its cutouts in base64): the three cutouts and
/// the light curve of its history, PSF flux against MJD per band, as PNG bytes.
pub fn alert_png(alert: &serde_json::Value) -> Result<Vec<u8>, String> {
    use crate::render::table::{cell, lookup};
    use base64::Engine;
    use serde_json::Value as Json;
    let num = |v: &Json, path: &str| lookup(v, path).and_then(Json::as_f64);
    let src = |f: &str| format!("diaSource.{}", f.replace('|', "|diaSource."));
    let decode = |name: &str| {
        lookup(alert, name)
            .and_then(Json::as_str)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
    };
    let stamps: Vec<(&str, Option<Image>)> = [
        ("DIFFERENCE", "cutoutDifference"),
        ("SCIENCE", "cutoutScience"),
        ("TEMPLATE", "cutoutTemplate"),
    ]
    .into_iter()
    .map(|(label, field)| {
        (
            label,
            decode(field).and_then(|b| crate::formats::sample::fits::read_image(&b).ok()),
        )
    })
    .collect();
    let mut curve: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    let mut sources: Vec<&Json> = lookup(alert, "prvDiaSources")
        .and_then(Json::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    sources.extend(
        lookup(alert, "prvDiaForcedSources")
            .and_then(Json::as_array)
            .into_iter()
            .flatten(),
    );
    if let Some(s) = lookup(alert, "diaSource") {
        sources.push(s);
    }
    for s in sources {
        let (Some(mjd), Some(flux)) = (
            num(s, "midpointMjdTai|midPointTai"),
            num(s, "psfFlux|psFlux"),
        ) else {
            continue;
        };
        let band = lookup(s, "band|filterName")
            .and_then(Json::as_str)
            .unwrap_or("?")
            .to_string();
        curve.entry(band).or_default().push(Point {
            mjd,
            flux,
            err: num(s, "psfFluxErr|psFluxErr").unwrap_or(0.0),
        });
    }
    let title = format!(
        "DIASOURCE {}  VISIT {}  BAND {}  SNR {}",
        cell(lookup(alert, "diaSourceId|alertId")),
        cell(lookup(alert, &src("visit|ccdVisitId"))),
        cell(lookup(alert, &src("band|filterName"))),
        num(alert, &src("snr")).map_or("-".into(), |v| format!("{v:.1}"))
    );
    alert_picture(&title, &stamps, &curve)
        .png()
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_has_stamps_labels_and_a_curve() {
        let mut px = vec![0f64; 30 * 30];
        px[15 * 30 + 15] = 100.0;
        let img = Image {
            width: 30,
            height: 30,
            pixels: px,
            header: Default::default(),
        };
        let mut curve = BTreeMap::new();
        curve.insert(
            "r".to_string(),
            vec![
                Point {
                    mjd: 60000.0,
                    flux: 100.0,
                    err: 10.0,
                },
                Point {
                    mjd: 60010.0,
                    flux: 300.0,
                    err: 20.0,
                },
            ],
        );
        let c = alert_picture(
            "ALERT 1",
            &[
                ("DIFFERENCE", Some(img.clone())),
                ("SCIENCE", Some(img)),
                ("TEMPLATE", None),
            ],
            &curve,
        );
        let png = c.png().unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // The bright pixel of the first stamp is white, the background dark.
        let (x0, y0) = (24, 60);
        let bright = (0..STAMP)
            .flat_map(|y| (0..STAMP).map(move |x| (x, y)))
            .filter(|(x, y)| c.get(x0 + x, y0 + y)[0] > 200)
            .count();
        assert!(bright > 0 && bright < STAMP * STAMP / 10);
        // The curve drew in the r band's colour.
        let r = band_colour("r");
        assert!((0..c.height).any(|y| (0..c.width).any(|x| c.get(x, y) == r)));
    }
}
