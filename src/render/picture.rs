//! Pictures of an alert and of a latency distribution, drawn with `plotters` in a font
//! the binary carries (DejaVu Sans, `assets/fonts/`), so they look the same on every
//! machine and need no system fonts.
//!
//! An alert's picture: a title with the alert's key numbers, its three cutouts side by
//! side (an asinh stretch between robust percentiles, the look astronomers expect of
//! difference images), each with a colour bar in the image's own units, and below them
//! its light curve: PSF flux in nJy with error bars against MJD, by band, with a legend,
//! and the AB magnitude on a second axis. Every function returns the picture with the
//! layout it was drawn to (where the stamps, bars, axes and ticks are), which tests and
//! callers can check without reading pixels.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use plotters::coord::ranged1d::Ranged;
use plotters::prelude::*;
use plotters::style::{FontStyle, FontTransform};

use crate::formats::sample::fits::Image;
use crate::sky::geom::{ab_flux, ab_mag};

/// The font the pictures are written in (DejaVu Sans, its licence beside it).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The family name the embedded font is registered under.
const FAMILY: &str = "alertctl-sans";

/// Register the embedded font once; an error names what failed.
fn font() -> Result<&'static str, String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, FONT)
            .map_err(|_| "the embedded font (DejaVu Sans) could not be read".to_string())
    })
    .clone()
    .map(|()| FAMILY)
}

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

/// A rectangle on a picture, pixels: left, top, width, height.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rect {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub w: i32,
    /// Height.
    pub h: i32,
}

/// A tick on an axis: its value and where it was drawn (pixels along the axis).
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// The value the label shows.
    pub value: f64,
    /// The pixel coordinate (y for a vertical axis, x for a horizontal one).
    pub at: i32,
}

/// Where an alert's picture put things.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The title's box, as the font measures it.
    pub title: Rect,
    /// The three stamps (difference, science, template), drawn or left blank.
    pub stamps: Vec<Rect>,
    /// The colour bar beside each stamp that has an image.
    pub colour_bars: Vec<Rect>,
    /// The light curve's plotting area; `None` when there were no points.
    pub curve: Option<Rect>,
    /// The flux range of the plotting area, nJy: (bottom, top).
    pub flux_range: (f64, f64),
    /// The left axis' flux ticks.
    pub flux_ticks: Vec<Tick>,
    /// The right axis' AB magnitude ticks.
    pub mag_ticks: Vec<Tick>,
    /// The bands in the legend, in its order.
    pub legend: Vec<String>,
}

/// A drawn picture: RGB pixels and where things are.
pub struct Picture {
    /// Width, pixels.
    pub width: u32,
    /// Height, pixels.
    pub height: u32,
    /// Row-major RGB bytes.
    pub rgb: Vec<u8>,
    /// Where things were drawn.
    pub layout: Layout,
}

impl Picture {
    /// Encode as PNG.
    pub fn png(&self) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width, self.height);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            enc.write_header()
                .and_then(|mut w| w.write_image_data(&self.rgb))
                .map_err(|e| format!("cannot encode the picture as PNG: {e}"))?;
        }
        Ok(out)
    }

    /// The colour of one pixel.
    pub fn get(&self, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * self.width + x) * 3) as usize;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
}

/// Colours of the six bands (u..y), from the Okabe-Ito palette that colour-blind
/// readers can tell apart.
pub fn band_colour(band: &str) -> RGBColor {
    match band {
        "u" => RGBColor(86, 180, 233),
        "g" => RGBColor(0, 158, 115),
        "r" => RGBColor(230, 159, 0),
        "i" => RGBColor(213, 94, 0),
        "z" => RGBColor(204, 121, 167),
        "y" => RGBColor(120, 40, 40),
        _ => RGBColor(120, 120, 120),
    }
}

/// Round magnitudes (every 0.1, 0.2, 0.5, 1 or 2 mag, whichever gives 3 to 8 ticks)
/// whose fluxes fall in `lo..hi` nJy.
pub fn mag_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let Some(bright) = ab_mag(hi) else {
        return Vec::new();
    };
    // Below 2% of the top flux, magnitudes crowd onto the zero line: none are labelled.
    let faint = ab_mag(lo.max(hi * 0.02)).unwrap_or(bright + 5.0);
    for step in [0.1, 0.2, 0.5, 1.0, 2.0, 5.0] {
        let first = (bright / step).ceil() as i64;
        let last = (faint / step).floor() as i64;
        if last - first < 8 {
            return (first..=last).map(|k| k as f64 * step).collect();
        }
    }
    Vec::new()
}

/// The value at quantile `q` of sorted finite values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q) as usize]
}

/// The stretch of a cutout: its 0.5 and 99.5 percentiles, then asinh.
#[derive(Debug, Clone, Copy)]
struct Stretch {
    lo: f64,
    hi: f64,
}

impl Stretch {
    fn of(img: &Image) -> Option<Stretch> {
        let mut finite: Vec<f64> = img
            .pixels
            .iter()
            .copied()
            .filter(|p| p.is_finite())
            .collect();
        if finite.is_empty() || img.width == 0 || img.height == 0 {
            return None;
        }
        finite.sort_by(f64::total_cmp);
        Some(Stretch {
            lo: quantile(&finite, 0.005),
            hi: quantile(&finite, 0.995),
        })
    }

    /// The grey level of a value.
    fn grey(self, v: f64) -> u8 {
        let t = if v.is_finite() {
            ((v - self.lo) / (self.hi - self.lo).max(1e-12)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        ((t * 10.0).asinh() / 10f64.asinh() * 255.0) as u8
    }
}

/// The stamp size on the picture, pixels.
pub const STAMP: i32 = 240;
const MARGIN: i32 = 24;
const BAR: i32 = 14;
const BAR_LABELS: i32 = 62;
const TITLE_H: i32 = 56;
const CURVE_H: i32 = 380;
/// Room right of the light curve for the magnitude axis, pixels.
const RIGHT_AXIS: i32 = 72;

/// A plotters error, said in one line.
fn drawing<E: std::fmt::Debug>(e: E) -> String {
    format!("cannot draw the picture: {e:?}")
}

/// A number for a label: short, without trailing zeros.
fn short(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-2..1e8).contains(&a) {
        format!("{v:.2e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Draw an alert: a title, three labelled cutouts with colour bars, and the light
/// curve below them with flux and magnitude axes.
pub fn alert_picture(
    title: &str,
    stamps: &[(&str, Option<Image>)],
    curve: &BTreeMap<String, Vec<Point>>,
) -> Result<Picture, String> {
    let family = font()?;
    let cell = STAMP + BAR + 6 + BAR_LABELS;
    let width = (MARGIN + stamps.len().max(1) as i32 * (cell + MARGIN)).max(900);
    let height = TITLE_H + 24 + STAMP + 34 + CURVE_H + MARGIN;
    // The title's size: as large as 20 px, and smaller until it fits the width.
    let mut title_px = 20.0;
    let mut tw = (0, 0);
    while title_px >= 9.0 {
        tw = (family, title_px)
            .into_font()
            .box_size(title)
            .map_err(drawing)?;
        if (tw.0 as i32) <= width - 2 * MARGIN {
            break;
        }
        title_px -= 1.0;
    }
    let mut layout = Layout {
        title: Rect {
            x: MARGIN,
            y: 16,
            w: tw.0 as i32,
            h: tw.1 as i32,
        },
        ..Layout::default()
    };
    let mut rgb = vec![255u8; (width * height * 3) as usize];
    {
        let root =
            BitMapBackend::with_buffer(&mut rgb, (width as u32, height as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        root.draw(&Text::new(
            title.to_string(),
            (MARGIN, 16),
            (family, title_px).into_font().color(&BLACK),
        ))
        .map_err(drawing)?;
        let label = (family, 14).into_font().color(&BLACK);
        let small = (family, 12).into_font().color(&BLACK);
        let top = TITLE_H + 24;
        for (i, (name, img)) in stamps.iter().enumerate() {
            let x = MARGIN + i as i32 * (cell + MARGIN);
            let r = Rect {
                x,
                y: top,
                w: STAMP,
                h: STAMP,
            };
            layout.stamps.push(r);
            root.draw(&Text::new(name.to_string(), (x, top - 20), label.clone()))
                .map_err(drawing)?;
            let stretch = img.as_ref().and_then(Stretch::of);
            let (Some(img), Some(s)) = (img, stretch) else {
                root.draw(&Rectangle::new(
                    [(x, top), (x + STAMP, top + STAMP)],
                    RGBColor(160, 160, 160).stroke_width(1),
                ))
                .map_err(drawing)?;
                root.draw(&Text::new(
                    "no cutout".to_string(),
                    (x + STAMP / 2 - 30, top + STAMP / 2),
                    label.clone(),
                ))
                .map_err(drawing)?;
                continue;
            };
            // FITS rows start at the bottom: the picture is flipped.
            for py in 0..STAMP as usize {
                let sy = img.height - 1 - py * img.height / STAMP as usize;
                for px in 0..STAMP as usize {
                    let sx = px * img.width / STAMP as usize;
                    let g = s.grey(img.pixels[sy * img.width + sx]);
                    root.draw_pixel((x + px as i32, top + py as i32), &RGBColor(g, g, g))
                        .map_err(drawing)?;
                }
            }
            // The colour bar: the stretch from its low value (bottom) to its high (top).
            let bx = x + STAMP + 6;
            layout.colour_bars.push(Rect {
                x: bx,
                y: top,
                w: BAR,
                h: STAMP,
            });
            for py in 0..STAMP {
                let v = s.hi - (s.hi - s.lo) * py as f64 / (STAMP - 1) as f64;
                let g = s.grey(v);
                root.draw(&PathElement::new(
                    vec![(bx, top + py), (bx + BAR - 1, top + py)],
                    RGBColor(g, g, g),
                ))
                .map_err(drawing)?;
            }
            root.draw(&Rectangle::new(
                [(bx, top), (bx + BAR, top + STAMP)],
                BLACK.stroke_width(1),
            ))
            .map_err(drawing)?;
            for k in 0..=4 {
                let y = top + (STAMP - 1) * k / 4;
                let v = s.hi - (s.hi - s.lo) * k as f64 / 4.0;
                root.draw(&PathElement::new(
                    vec![(bx + BAR, y), (bx + BAR + 4, y)],
                    BLACK,
                ))
                .map_err(drawing)?;
                root.draw(&Text::new(short(v), (bx + BAR + 6, y - 6), small.clone()))
                    .map_err(drawing)?;
            }
        }
        let area = root.margin(top + STAMP + 34, MARGIN, MARGIN, MARGIN);
        light_curve(&area, family, curve, &mut layout)?;
        root.present().map_err(drawing)?;
    }
    Ok(Picture {
        width: width as u32,
        height: height as u32,
        rgb,
        layout,
    })
}

/// The light curve in `area`: flux with error bars against MJD by band, a legend, and
/// AB magnitudes on the right axis at round values.
fn light_curve<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    family: &'static str,
    points: &BTreeMap<String, Vec<Point>>,
    layout: &mut Layout,
) -> Result<(), String> {
    let all: Vec<&Point> = points
        .values()
        .flatten()
        .filter(|p| p.mjd.is_finite() && p.flux.is_finite())
        .collect();
    if all.is_empty() {
        let (w, h) = area.dim_in_pixel();
        area.draw(&Text::new(
            "no light curve: the alert has no history".to_string(),
            (w as i32 / 2 - 150, h as i32 / 2),
            (family, 16).into_font().color(&BLACK),
        ))
        .map_err(drawing)?;
        return Ok(());
    }
    let err = |p: &Point| if p.err.is_finite() { p.err.abs() } else { 0.0 };
    let (mut t0, mut t1) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut f0, mut f1) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in &all {
        t0 = t0.min(p.mjd);
        t1 = t1.max(p.mjd);
        f0 = f0.min(p.flux - err(p));
        f1 = f1.max(p.flux + err(p));
    }
    let pad_t = ((t1 - t0) * 0.05).max(0.02);
    let pad_f = ((f1 - f0) * 0.08).max(f1.abs().max(1.0) * 0.05);
    let (t0, t1, f0, f1) = (t0 - pad_t, t1 + pad_t, f0 - pad_f, f1 + pad_f);
    let mags = mag_ticks(f0.max(0.0), f1);
    let keys: Vec<f64> = mags.iter().map(|&m| ab_flux(m)).collect();
    let font = |px| (family, px).into_font();
    // MJD labels: whole days over a long history, hundredths over a night.
    let decimals = if t1 - t0 > 5.0 { 0 } else { 2 };
    let mut chart = ChartBuilder::on(area)
        .caption("light curve (PSF flux by band)", font(16))
        .x_label_area_size(44)
        .y_label_area_size(76)
        .margin(6)
        .margin_right(RIGHT_AXIS)
        .build_cartesian_2d(t0..t1, f0..f1)
        .map_err(drawing)?;
    chart
        .configure_mesh()
        .light_line_style(RGBColor(246, 246, 246))
        .x_desc("MJD (TAI)")
        .y_desc("PSF flux (nJy)")
        .x_labels(6)
        .y_labels(8)
        .x_label_formatter(&|t| format!("{t:.*}", decimals))
        .y_label_formatter(&|f| short(*f))
        .label_style(font(13))
        .axis_desc_style(font(14))
        .draw()
        .map_err(drawing)?;
    if f0 < 0.0 && f1 > 0.0 {
        chart
            .draw_series(LineSeries::new(
                [(t0, 0.0), (t1, 0.0)],
                RGBColor(150, 150, 150),
            ))
            .map_err(drawing)?;
    }
    // Bands in wavelength order, u to y, then any other.
    let mut bands: Vec<(&String, &Vec<Point>)> = points.iter().collect();
    bands.sort_by_key(|(b, _)| ("ugrizy".find(b.as_str()).unwrap_or(6), b.to_string()));
    for (band, pts) in bands {
        let c = band_colour(band);
        let pts: Vec<&Point> = pts
            .iter()
            .filter(|p| p.mjd.is_finite() && p.flux.is_finite())
            .collect();
        chart
            .draw_series(pts.iter().map(|p| {
                ErrorBar::new_vertical(
                    p.mjd,
                    p.flux - err(p),
                    p.flux,
                    p.flux + err(p),
                    c.stroke_width(1),
                    6,
                )
            }))
            .map_err(drawing)?;
        chart
            .draw_series(
                pts.iter()
                    .map(|p| Circle::new((p.mjd, p.flux), 4, c.filled())),
            )
            .map_err(drawing)?;
        layout.legend.push(band.clone());
    }
    // The legend: one row above the plot, right-aligned, a dot in each band's colour.
    let (w, _) = area.dim_in_pixel();
    let mut x = w as i32 - RIGHT_AXIS - 44 * layout.legend.len() as i32;
    area.draw(&Text::new(
        "bands:".to_string(),
        (x - 52, 4),
        font(13).color(&BLACK),
    ))
    .map_err(drawing)?;
    for band in &layout.legend {
        area.draw(&Circle::new((x + 5, 12), 5, band_colour(band).filled()))
            .map_err(drawing)?;
        area.draw(&Text::new(
            band.clone(),
            (x + 14, 4),
            font(13).color(&BLACK),
        ))
        .map_err(drawing)?;
        x += 44;
    }
    let (px, py) = chart.plotting_area().get_pixel_range();
    layout.curve = Some(Rect {
        x: px.start,
        y: py.start,
        w: px.end - px.start,
        h: py.end - py.start,
    });
    layout.flux_range = (f0, f1);
    let y_of = |f: f64| chart.backend_coord(&(t0, f)).1;
    layout.flux_ticks = chart
        .as_coord_spec()
        .y_spec()
        .key_points(8)
        .into_iter()
        .map(|f| Tick {
            value: f,
            at: y_of(f),
        })
        .collect();
    // Only ticks at least a label's height apart (magnitudes crowd at faint fluxes).
    for (&m, &f) in mags.iter().zip(&keys) {
        let at = y_of(f);
        if layout
            .mag_ticks
            .last()
            .is_none_or(|t: &Tick| (t.at - at).abs() >= 16)
        {
            layout.mag_ticks.push(Tick { value: m, at });
        }
    }
    // The right axis: AB magnitude at round values, where their flux is on the left
    // axis (drawn here: a magnitude axis is not linear in flux).
    let (bx, by) = area.get_base_pixel();
    let right = px.end - bx;
    area.draw(&PathElement::new(
        vec![(right, py.start - by), (right, py.end - by)],
        BLACK,
    ))
    .map_err(drawing)?;
    for t in &layout.mag_ticks {
        let y = t.at - by;
        area.draw(&PathElement::new(vec![(right, y), (right + 5, y)], BLACK))
            .map_err(drawing)?;
        area.draw(&Text::new(
            format!("{:.1}", t.value),
            (right + 8, y - 7),
            font(13).color(&BLACK),
        ))
        .map_err(drawing)?;
    }
    area.draw(&Text::new(
        "AB magnitude".to_string(),
        (right + 50, (py.start + py.end) / 2 - by - 40),
        font(14).transform(FontTransform::Rotate90).color(&BLACK),
    ))
    .map_err(drawing)?;
    Ok(())
}

/// A histogram of millisecond values in `bins` bins (`bench night`'s latency): seconds
/// on the x axis with ticks, the count of values on the y axis, and the count, median,
/// 98th percentile and maximum in the title.
pub fn histogram(title: &str, values_ms: &[i64], bins: usize) -> Result<Picture, String> {
    let family = font()?;
    let (width, height) = (800u32, 450u32);
    let bins = bins.max(1);
    let mut sorted = values_ms.to_vec();
    sorted.sort_unstable();
    let s = |v: i64| v as f64 / 1000.0;
    let (lo, hi) = (
        sorted.first().copied().map_or(0.0, s),
        sorted.last().copied().map_or(1.0, s),
    );
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let wbin = (hi - lo) / bins as f64;
    let mut counts = vec![0u32; bins];
    for &v in &sorted {
        counts[(((s(v) - lo) / wbin) as usize).min(bins - 1)] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    let pick = |q: f64| {
        if sorted.is_empty() {
            0.0
        } else {
            s(sorted[((sorted.len() - 1) as f64 * q).round() as usize])
        }
    };
    let caption = format!(
        "{title}: {} values, median {:.2} s, p98 {:.2} s, max {:.2} s",
        sorted.len(),
        pick(0.5),
        pick(0.98),
        pick(1.0)
    );
    let mut layout = Layout::default();
    let mut rgb = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, (family, 16))
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..hi, 0u32..most + most / 10 + 1)
            .map_err(drawing)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("latency (s)")
            .y_desc("alerts")
            .x_label_formatter(&|v| format!("{v:.2}"))
            .label_style((family, 13))
            .axis_desc_style((family, 14))
            .draw()
            .map_err(drawing)?;
        chart
            .draw_series(counts.iter().enumerate().map(|(i, &n)| {
                let x0 = lo + i as f64 * wbin;
                Rectangle::new(
                    [(x0, 0), (x0 + wbin * 0.92, n)],
                    RGBColor(70, 110, 170).filled(),
                )
            }))
            .map_err(drawing)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        layout.curve = Some(Rect {
            x: px.start,
            y: py.start,
            w: px.end - px.start,
            h: py.end - py.start,
        });
        root.present().map_err(drawing)?;
    }
    Ok(Picture {
        width,
        height,
        rgb,
        layout,
    })
}

/// The picture of an alert's JSON view (its cutouts in base64): the three cutouts and
/// the light curve of its history, PSF flux against MJD per band, as PNG bytes.
pub fn alert_png(alert: &serde_json::Value) -> Result<Vec<u8>, String> {
    alert_view_picture(alert)?.png()
}

/// The picture of an alert's JSON view, with its layout.
pub fn alert_view_picture(alert: &serde_json::Value) -> Result<Picture, String> {
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
        ("difference", "cutoutDifference"),
        ("science", "cutoutScience"),
        ("template", "cutoutTemplate"),
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
    let flux = num(alert, &src("psfFlux|psFlux"));
    let title = format!(
        "diaSource {}   visit {}   band {}   SNR {}   PSF flux {} nJy{}",
        cell(lookup(alert, "diaSourceId|alertId")),
        cell(lookup(alert, &src("visit|ccdVisitId"))),
        cell(lookup(alert, &src("band|filterName"))),
        num(alert, &src("snr")).map_or("-".into(), |v| format!("{v:.1}")),
        flux.map_or("-".into(), |f| format!("{f:.0}")),
        flux.and_then(ab_mag)
            .map_or(String::new(), |m| format!(" ({m:.2} AB)")),
    );
    alert_picture(&title, &stamps, &curve)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(n: usize) -> Image {
        // Faint noise and a bright 3x3 source in the middle.
        let mut px: Vec<f64> = (0..n * n)
            .map(|i| ((i * 7919) % 100) as f64 / 100.0)
            .collect();
        for dy in 0..3 {
            for dx in 0..3 {
                px[(n / 2 + dy - 1) * n + n / 2 + dx - 1] = 1000.0;
            }
        }
        Image {
            width: n,
            height: n,
            pixels: px,
            header: Default::default(),
        }
    }

    fn curve() -> BTreeMap<String, Vec<Point>> {
        let mut c = BTreeMap::new();
        c.insert(
            "r".to_string(),
            vec![
                Point {
                    mjd: 60000.0,
                    flux: 1000.0,
                    err: 50.0,
                },
                Point {
                    mjd: 60010.0,
                    flux: 30000.0,
                    err: 300.0,
                },
            ],
        );
        c.insert(
            "g".to_string(),
            vec![Point {
                mjd: 60005.0,
                flux: 8000.0,
                err: 100.0,
            }],
        );
        c
    }

    #[test]
    fn a_picture_has_stamps_colour_bars_a_title_that_fits_and_both_axes() {
        let title = "diaSource 1234567890123456789   visit 2024050100001   band r   SNR 49.17   PSF flux 123456 nJy (18.67 AB) and more words to make it long";
        let p = alert_picture(
            title,
            &[
                ("difference", Some(image(30))),
                ("science", Some(image(30))),
                ("template", None),
            ],
            &curve(),
        )
        .unwrap();
        let l = &p.layout;
        // The whole title is inside the picture.
        assert!(l.title.x + l.title.w <= p.width as i32 - MARGIN, "{l:?}");
        // Two colour bars, each running from light (top) to dark (bottom).
        assert_eq!(l.colour_bars.len(), 2);
        for b in &l.colour_bars {
            let x = (b.x + b.w / 2) as u32;
            let top = p.get(x, (b.y + 2) as u32)[0];
            let bottom = p.get(x, (b.y + b.h - 3) as u32)[0];
            assert!(top > 200 && bottom < 60, "{top} {bottom}");
        }
        // The bright pixel of the first stamp is white, the rest darker.
        let s = l.stamps[0];
        let bright = (0..s.h)
            .flat_map(|y| (0..s.w).map(move |x| (x, y)))
            .filter(|(x, y)| p.get((s.x + x) as u32, (s.y + y) as u32)[0] > 200)
            .count();
        assert!(bright > 0 && bright < (STAMP * STAMP / 10) as usize);
        // The magnitude ticks sit where their flux is on the flux axis.
        let c = l.curve.unwrap();
        let (f0, f1) = l.flux_range;
        assert!(l.mag_ticks.len() >= 3, "{l:?}");
        assert!(l
            .mag_ticks
            .windows(2)
            .all(|w| (w[0].at - w[1].at).abs() >= 16));
        for t in &l.mag_ticks {
            let flux = f1 - (t.at - c.y) as f64 / c.h as f64 * (f1 - f0);
            let px_flux = (f1 - f0) / c.h as f64;
            let m = ab_mag(flux).unwrap();
            let slack = m - ab_mag(flux + 2.0 * px_flux).unwrap();
            assert!((m - t.value).abs() <= slack.abs() + 1e-9, "{t:?} {m}");
        }
        assert!(l.flux_ticks.len() >= 3);
        assert_eq!(l.legend, ["g", "r"]);
        let mut odd = curve();
        odd.insert("u".into(), odd["g"].clone());
        odd.insert("?".into(), odd["g"].clone());
        let p2 = alert_picture("t", &[], &odd).unwrap();
        assert_eq!(p2.layout.legend, ["u", "g", "r", "?"]);
        // Each band's points are drawn in its colour inside the plotting area.
        for band in ["g", "r"] {
            let RGBColor(r, g, b) = band_colour(band);
            let n = (c.y..c.y + c.h)
                .flat_map(|y| (c.x..c.x + c.w).map(move |x| (x, y)))
                .filter(|&(x, y)| p.get(x as u32, y as u32) == [r, g, b])
                .count();
            assert!(n > 20, "{band}: {n}");
        }
        assert_eq!(&p.png().unwrap()[1..4], b"PNG");
    }

    #[test]
    fn magnitude_ticks_are_round_and_in_range() {
        let t = mag_ticks(1000.0, 30000.0);
        assert!(!t.is_empty() && t.len() <= 8, "{t:?}");
        for m in &t {
            let f = ab_flux(*m);
            assert!((1000.0..=30000.0).contains(&f), "{m} {f}");
            assert!(((m * 10.0).round() - m * 10.0).abs() < 1e-9);
        }
        assert!(mag_ticks(-10.0, -1.0).is_empty());
    }

    #[test]
    fn a_histogram_has_its_numbers_in_the_title() {
        let v: Vec<i64> = (0..1000).map(|i| 500 + (i * 37) % 2000).collect();
        let p = histogram("latency", &v, 40).unwrap();
        assert_eq!((p.width, p.height), (800, 450));
        let c = p.layout.curve.unwrap();
        let bars = (c.x..c.x + c.w)
            .filter(|&x| p.get(x as u32, (c.y + c.h - 3) as u32) == [70, 110, 170])
            .count();
        assert!(bars > c.w as usize / 2, "{bars} of {}", c.w);
        assert!(histogram("empty", &[], 10).is_ok());
    }
}
