//! Plausible sample alerts for any alert schema version.
//!
//! The generator walks the schema, so it fills every version from 3.0 to 11.x and
//! the project's own sample schema. It first draws the truth of a visit (pointing,
//! band, time) and of each alert's object (position, brightness, history), then
//! gives each schema field the value its name stands for across Rubin's schema
//! history (`psFlux`/`psfFlux`, `filterName`/`band`, `decl`/`dec`,
//! `midPointTai`/`midpointMjdTai`, `ccdVisitId`/`visit`). Fields it has no meaning
//! for get a value of their type (or null, where the schema allows it).
//!
//! What holds for every generated visit:
//! * one visit id (`dayObs*100000 + sequence`), one band, one time; a detector per alert (0..188);
//! * positions within 1.75 degrees of the visit's pointing;
//! * fluxes in nJy, errors from a 24.5 mag 5-sigma depth, `snr = |psfFlux| / psfFluxErr`;
//! * times inside the night (23:00 UTC on dayObs onward, visits 37 s apart);
//! * a history of 0..=`max_history` earlier detections of the same object (and forced
//!   photometry), at earlier times, with the object's id;
//! * ids unique within a night;
//! * three FITS cutouts (difference, science, template) with a PSF-shaped source and noise.
//!
//! Everything is drawn from a ChaCha8 stream seeded by `seed` and the visit number,
//! so the same seed and night give the same bytes.

pub mod fits;

use std::f64::consts::PI;
use std::sync::Arc;

use apache_avro::types::Value;
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value as Json;

use crate::formats::avro::AlertSchema;
use crate::night;
use fits::CardValue;

/// The six LSST filter bands.
pub const BANDS: [&str; 6] = ["u", "g", "r", "i", "z", "y"];
/// LSSTCam has 189 science detectors, numbered 0..188.
pub const DETECTORS: u32 = 189;
/// Radius of the LSSTCam field of view, degrees.
pub const FIELD_RADIUS_DEG: f64 = 1.75;
/// Seconds between visits: 30 s exposure plus readout and slew.
pub const VISIT_CADENCE_S: f64 = 37.0;
/// The AB zero point for fluxes in nanojansky: m = 31.4 - 2.5 log10(f / nJy).
pub const NJY_ZERO_POINT: f64 = 31.4;
/// Pixel scale, arcseconds per pixel.
pub const PIXEL_SCALE_ARCSEC: f64 = 0.2;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SampleConfig {
    /// The observing night (dayObs).
    pub night: NaiveDate,
    /// Seed of the random stream.
    pub seed: u64,
    /// Alerts in each visit.
    pub alerts_per_visit: usize,
    /// Visits in the run (spaces the visits so that all fit in one night).
    pub visits: usize,
    /// The longest history (`prvDiaSources`) an alert carries.
    pub max_history: usize,
    /// Width and height of each cutout, pixels (0: no cutouts).
    pub cutout_size: usize,
}

impl Default for SampleConfig {
    fn default() -> Self {
        SampleConfig {
            night: NaiveDate::from_ymd_opt(2024, 5, 1).expect("valid date"),
            seed: 0,
            alerts_per_visit: 10,
            visits: 1,
            max_history: 10,
            cutout_size: 60,
        }
    }
}

/// Generates visits of alerts for one schema.
pub struct Generator {
    schema: Arc<AlertSchema>,
    cfg: SampleConfig,
}

/// The truth of one visit.
#[derive(Debug, Clone)]
struct Visit {
    id: i64,
    mjd: f64,
    band: &'static str,
    ra: f64,
    dec: f64,
    seeing_px: f64,
}

/// The truth of one measurement of an object (a detection or forced photometry).
#[derive(Debug, Clone)]
struct Source {
    id: i64,
    object_id: i64,
    visit: i64,
    detector: i64,
    mjd: f64,
    band: &'static str,
    ra: f64,
    dec: f64,
    x: f64,
    y: f64,
    flux: f64,
    flux_err: f64,
    template_flux: f64,
    reliability: f64,
    extendedness: f64,
}

impl Source {
    fn snr(&self) -> f64 {
        self.flux.abs() / self.flux_err
    }

    fn pos_err_deg(&self) -> f64 {
        (0.7 / self.snr().max(1.0)).max(0.01) / 3600.0
    }

    fn science_flux(&self) -> f64 {
        self.template_flux + self.flux
    }

    fn science_flux_err(&self) -> f64 {
        (self.flux_err.powi(2) + 0.01 * self.science_flux().abs()).sqrt()
    }
}

/// The truth of one alert: its detection, history and object.
#[derive(Debug, Clone)]
struct Truth {
    visit: Visit,
    source: Source,
    history: Vec<Source>,
    forced: Vec<Source>,
}

/// What a field's value means, before it is shaped to the field's type.
enum Sem {
    Null,
    F(f64),
    I(i64),
    B(bool),
    S(String),
    Bytes(Vec<u8>),
    Record(Ctx),
    Records(Vec<Ctx>),
    Unknown,
}

/// Which truth a record is filled from.
#[derive(Clone, Copy)]
enum Ctx {
    Alert,
    Source(usize), // 0 = the triggering source, 1.. = history[i-1]
    Forced(usize),
    Object,
    Other,
}

/// The random stream of alert `i` of visit `visit`: apart from every visit's own
/// stream (`visit`, below 2^32) and from every other alert's.
fn alert_stream(visit: u32, i: usize) -> u64 {
    ((u64::from(visit) + 1) << 32) | (i as u64 & 0xffff_ffff)
}

/// A uniform or normal draw.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box-Muller; 1 - u keeps the logarithm finite.
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random::<f64>();
    (-2.0 * u.ln()).sqrt() * (2.0 * PI * v).cos()
}

fn flux_of_mag(m: f64) -> f64 {
    10f64.powf((NJY_ZERO_POINT - m) / 2.5)
}

/// The 1-sigma flux error of a detection of flux `f` with a 24.5 mag 5-sigma depth.
fn flux_error(f: f64) -> f64 {
    let sky = flux_of_mag(24.5) / 5.0;
    (sky * sky + (0.02 * f).powi(2) + 0.5 * f.abs()).sqrt()
}

impl Generator {
    /// A generator for `schema`.
    pub fn new(schema: Arc<AlertSchema>, cfg: SampleConfig) -> Generator {
        Generator { schema, cfg }
    }

    /// The schema alerts are generated for.
    pub fn schema(&self) -> &Arc<AlertSchema> {
        &self.schema
    }

    /// The visit id of visit number `index` (0-based) of the night.
    pub fn visit_id(&self, index: u32) -> i64 {
        night::day_obs_int(self.cfg.night) * 100_000 + i64::from(index) + 1
    }

    /// The MJD of visit number `index`: 37 s apart, squeezed so that every visit
    /// of the run falls within the 10 hours of the night.
    pub fn visit_mjd(&self, index: u32) -> f64 {
        let spacing = VISIT_CADENCE_S.min(36_000.0 / self.cfg.visits.max(1) as f64);
        night::night_start_mjd(self.cfg.night) + f64::from(index) * spacing / 86_400.0
    }

    /// Generate visit number `index` (0-based): `alerts_per_visit` alerts.
    pub fn visit(&mut self, index: u32) -> Vec<Value> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.cfg.seed);
        rng.set_stream(u64::from(index));
        let dec = (rng.random_range(-1.0f64..0.17)).asin().to_degrees(); // -90..+10, uniform on the sky
        let visit = Visit {
            id: self.visit_id(index),
            mjd: self.visit_mjd(index),
            band: BANDS[rng.random_range(0..BANDS.len())],
            ra: rng.random_range(0.0..360.0),
            dec,
            seeing_px: rng.random_range(0.6..1.2) / PIXEL_SCALE_ARCSEC / 2.355,
        };
        // Each alert draws from its own stream (seed; visit, alert), so a visit is made on
        // every core at once and is the same whatever the number of cores.
        let n = self.cfg.alerts_per_visit;
        let alert = |i: usize| {
            let mut rng = ChaCha8Rng::seed_from_u64(self.cfg.seed);
            rng.set_stream(alert_stream(index, i));
            let truth = self.truth(&mut rng, &visit, i);
            self.record(&mut rng, &self.schema.json, Ctx::Alert, &truth)
        };
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, 16)
            .min(n.div_ceil(64).max(1));
        if threads == 1 {
            return (0..n).map(alert).collect();
        }
        let chunk = n.div_ceil(threads);
        std::thread::scope(|scope| {
            let parts: Vec<_> = (0..threads)
                .map(|t| {
                    let alert = &alert;
                    scope.spawn(move || {
                        (t * chunk..((t + 1) * chunk).min(n))
                            .map(alert)
                            .collect::<Vec<Value>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().expect("a generator thread panicked"))
                .collect()
        })
    }

    fn truth(&self, rng: &mut ChaCha8Rng, visit: &Visit, i: usize) -> Truth {
        // Ids: visit id * 2^16 + a serial within the visit. Unique within a night
        // as long as a visit has fewer than ~65,000 sources (Rubin: ~10,000 alerts).
        let mut serial = (i as i64) * 32;
        let base = visit.id << 16;
        let mut next_id = || {
            serial += 1;
            base + serial
        };
        let object_id = next_id() | (1 << 62);
        let r = FIELD_RADIUS_DEG * rng.random::<f64>().sqrt();
        let theta = rng.random_range(0.0..2.0 * PI);
        let dec = (visit.dec + r * theta.sin()).clamp(-90.0, 90.0);
        let ra =
            (visit.ra + r * theta.cos() / visit.dec.to_radians().cos().max(0.05)).rem_euclid(360.0);
        let template_flux = flux_of_mag(rng.random_range(17.0..25.5));
        let diff_mag = rng.random_range(17.5..24.3);
        let sign = if rng.random::<f64>() < 0.15 {
            -1.0
        } else {
            1.0
        };
        let true_diff = sign * flux_of_mag(diff_mag);
        let reliability = rng.random_range(0.3..1.0);
        let extendedness = if rng.random::<f64>() < 0.2 {
            rng.random_range(0.5..1.0)
        } else {
            rng.random_range(0.0..0.2)
        };
        let measure = |rng: &mut ChaCha8Rng, id, visit_id, mjd, band, flux_true: f64| {
            let err = flux_error(flux_true);
            Source {
                id,
                object_id,
                visit: visit_id,
                detector: i64::from(rng.random_range(0..DETECTORS)),
                mjd,
                band,
                ra: ra + normal(rng) * 0.05 / 3600.0,
                dec: dec + normal(rng) * 0.05 / 3600.0,
                x: rng.random_range(10.0..4062.0),
                y: rng.random_range(10.0..3990.0),
                flux: flux_true + normal(rng) * err,
                flux_err: err,
                template_flux,
                reliability,
                extendedness,
            }
        };
        let source = measure(rng, next_id(), visit.id, visit.mjd, visit.band, true_diff);
        let n_hist = rng.random_range(0..=self.cfg.max_history);
        let mut epochs: Vec<f64> = (0..n_hist + rng.random_range(0..3))
            .map(|_| visit.mjd - rng.random_range(0.9..120.0))
            .collect();
        epochs.sort_by(f64::total_cmp);
        let mut history = Vec::with_capacity(n_hist);
        let mut forced = Vec::with_capacity(epochs.len());
        for (k, mjd) in epochs.iter().enumerate() {
            let day = night::day_obs(
                chrono::DateTime::from_timestamp_millis(night::mjd_to_unix_ms(*mjd))
                    .unwrap_or_default(),
            );
            let visit_id = night::day_obs_int(day) * 100_000 + rng.random_range(1..900);
            let band = BANDS[rng.random_range(0..BANDS.len())];
            let flux_true = true_diff * rng.random_range(0.2..1.3);
            if k < n_hist {
                history.push(measure(rng, next_id(), visit_id, *mjd, band, flux_true));
            }
            forced.push(measure(rng, next_id(), visit_id, *mjd, band, flux_true));
        }
        Truth {
            visit: visit.clone(),
            source,
            history,
            forced,
        }
    }

    fn source<'t>(&self, ctx: Ctx, t: &'t Truth) -> Option<&'t Source> {
        match ctx {
            Ctx::Source(0) => Some(&t.source),
            Ctx::Source(k) => t.history.get(k - 1),
            Ctx::Forced(k) => t.forced.get(k),
            _ => None,
        }
    }

    /// What field `name` of a record filled from `ctx` means.
    fn meaning(&self, rng: &mut ChaCha8Rng, ctx: Ctx, name: &str, t: &Truth) -> Sem {
        match ctx {
            Ctx::Alert => match name {
                "alertId" | "diaSourceId" => Sem::I(t.source.id),
                "diaSource" => Sem::Record(Ctx::Source(0)),
                "prvDiaSources" => Sem::Records((1..=t.history.len()).map(Ctx::Source).collect()),
                "prvDiaForcedSources" => {
                    Sem::Records((0..t.forced.len()).map(Ctx::Forced).collect())
                }
                "diaObject" => Sem::Record(Ctx::Object),
                "cutoutDifference" | "cutoutScience" | "cutoutTemplate" => {
                    self.cutout(rng, name, t)
                }
                "observation_reason" => Sem::S("wfd".into()),
                "target_name" => Sem::S(format!("field_{:04}", (t.visit.ra * 10.0) as i64)),
                // Solar-system and non-detection parts: these sample objects are not moving.
                "prvDiaNondetectionLimits" | "ssObject" | "ssSource" | "mpc_orbits" | "MPCORB" => {
                    Sem::Null
                }
                _ => Sem::Unknown,
            },
            Ctx::Source(_) | Ctx::Forced(_) => {
                let Some(s) = self.source(ctx, t) else {
                    return Sem::Unknown;
                };
                source_meaning(s, name)
            }
            Ctx::Object => object_meaning(t, name),
            Ctx::Other => Sem::Unknown,
        }
    }

    fn cutout(&self, rng: &mut ChaCha8Rng, name: &str, t: &Truth) -> Sem {
        let n = self.cfg.cutout_size;
        if n == 0 {
            return Sem::Null;
        }
        let s = &t.source;
        let sigma = t.visit.seeing_px;
        // Per-pixel noise that gives the PSF-fit flux error: err = sigma_pix * sqrt(4 pi) * sigma_psf.
        let pix_noise = s.flux_err / ((4.0 * PI).sqrt() * sigma);
        let (cx, cy) = (
            (n as f64 - 1.0) / 2.0 + rng.random_range(-0.5..0.5),
            (n as f64 - 1.0) / 2.0 + rng.random_range(-0.5..0.5),
        );
        let (stamp, source_flux, noise) = match name {
            "cutoutDifference" => ("difference", s.flux, pix_noise),
            "cutoutScience" => ("science", s.science_flux(), pix_noise),
            _ => ("template", s.template_flux, pix_noise / 2.0),
        };
        let norm = 1.0 / (2.0 * PI * sigma * sigma);
        let mut pixels = Vec::with_capacity(n * n);
        for y in 0..n {
            for x in 0..n {
                let r2 = (x as f64 - cx).powi(2) + (y as f64 - cy).powi(2);
                let psf = (-r2 / (2.0 * sigma * sigma)).exp() * norm;
                pixels.push((source_flux * psf + normal(rng) * noise) as f32);
            }
        }
        let half = (n as f64 + 1.0) / 2.0;
        let scale = PIXEL_SCALE_ARCSEC / 3600.0;
        let bytes = fits::write_image(
            n,
            n,
            &pixels,
            &[
                ("EXTEND", CardValue::Logical(false), ""),
                ("BUNIT", CardValue::Text("nJy".into()), "pixel values"),
                (
                    "STAMP",
                    CardValue::Text(stamp.into()),
                    "which image this cutout is from",
                ),
                ("FILTER", CardValue::Text(t.visit.band.into()), "band"),
                (
                    "MJD-OBS",
                    CardValue::Real(t.visit.mjd),
                    "visit mid-time, MJD TAI",
                ),
                ("VISIT", CardValue::Int(t.visit.id), ""),
                ("DETECTOR", CardValue::Int(s.detector), ""),
                ("RADESYS", CardValue::Text("ICRS".into()), ""),
                ("CTYPE1", CardValue::Text("RA---TAN".into()), ""),
                ("CTYPE2", CardValue::Text("DEC--TAN".into()), ""),
                ("CRPIX1", CardValue::Real(half), ""),
                ("CRPIX2", CardValue::Real(half), ""),
                ("CRVAL1", CardValue::Real(s.ra), "degrees"),
                ("CRVAL2", CardValue::Real(s.dec), "degrees"),
                ("CD1_1", CardValue::Real(-scale), ""),
                ("CD1_2", CardValue::Real(0.0), ""),
                ("CD2_1", CardValue::Real(0.0), ""),
                ("CD2_2", CardValue::Real(scale), ""),
                (
                    "ORIGIN",
                    CardValue::Text("alertctl sample".into()),
                    "generated, not observed",
                ),
            ],
        );
        Sem::Bytes(bytes)
    }

    /// Fill a record type from `ctx`.
    fn record(&self, rng: &mut ChaCha8Rng, def: &Json, ctx: Ctx, t: &Truth) -> Value {
        // Borrowed, not cloned: a record's fields hold whole nested definitions (the
        // alert's hold diaSource's), and cloning them per record was most of the time.
        let fields: &[Json] = def
            .get("fields")
            .and_then(Json::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut out = Vec::with_capacity(fields.len());
        for f in fields {
            let name = f.get("name").and_then(Json::as_str).unwrap_or_default();
            let ty = f.get("type").unwrap_or(&Json::Null);
            let sem = match self.meaning(rng, ctx, name, t) {
                Sem::Unknown => guess(rng, name, ty, t),
                s => s,
            };
            out.push((name.to_string(), self.shape(rng, ty, sem, t)));
        }
        Value::Record(out)
    }

    /// Resolve a type reference to its definition.
    fn resolve<'a>(&'a self, ty: &'a Json) -> &'a Json {
        match ty {
            Json::String(name) => self.schema.named_type(name).unwrap_or(ty),
            _ => ty,
        }
    }

    /// Shape a meaning into a value of type `ty`.
    fn shape(&self, rng: &mut ChaCha8Rng, ty: &Json, sem: Sem, t: &Truth) -> Value {
        let ty = self.resolve(ty);
        if let Json::Array(branches) = ty {
            let null_idx = branches.iter().position(|b| b == "null");
            if let (Sem::Null, Some(i)) = (&sem, null_idx) {
                return Value::Union(i as u32, Box::new(Value::Null));
            }
            let idx = branches
                .iter()
                .position(|b| fits_branch(self.resolve(b), &sem))
                .or_else(|| branches.iter().position(|b| b != "null"))
                .unwrap_or(0);
            let v = self.shape(rng, &branches[idx], sem, t);
            return Value::Union(idx as u32, Box::new(v));
        }
        let (kind, obj) = match ty {
            Json::String(s) => (s.as_str(), None),
            Json::Object(o) => (
                o.get("type").and_then(Json::as_str).unwrap_or("null"),
                Some(o),
            ),
            _ => ("null", None),
        };
        let logical = obj
            .and_then(|o| o.get("logicalType"))
            .and_then(Json::as_str);
        let num = |sem: &Sem| match sem {
            Sem::F(f) => Some(*f),
            Sem::I(i) => Some(*i as f64),
            Sem::B(b) => Some(f64::from(u8::from(*b))),
            _ => None,
        };
        match (kind, logical) {
            ("long", Some("timestamp-micros")) => {
                Value::TimestampMicros(night::mjd_to_unix_ms(t.visit.mjd) * 1000)
            }
            ("long", Some("timestamp-millis")) => {
                Value::TimestampMillis(night::mjd_to_unix_ms(t.visit.mjd))
            }
            ("int", Some("date")) => {
                Value::Date((night::mjd_to_unix_ms(t.visit.mjd) / 86_400_000) as i32)
            }
            ("null", _) => Value::Null,
            ("boolean", _) => Value::Boolean(match sem {
                Sem::B(b) => b,
                ref s => num(s).is_some_and(|f| f != 0.0),
            }),
            ("int", _) => Value::Int(match sem {
                Sem::I(i) => i32::try_from(i).unwrap_or((i.rem_euclid(1 << 31)) as i32),
                ref s => num(s).map_or(0, |f| {
                    f.round().clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
                }),
            }),
            ("long", _) => Value::Long(match sem {
                Sem::I(i) => i,
                ref s => num(s).map_or(0, |f| f.round() as i64),
            }),
            ("float", _) => Value::Float(num(&sem).unwrap_or(0.0) as f32),
            ("double", _) => Value::Double(num(&sem).unwrap_or(0.0)),
            ("string", _) => Value::String(match sem {
                Sem::S(s) => s,
                ref s => num(s).map(|f| f.to_string()).unwrap_or_default(),
            }),
            ("bytes", _) => Value::Bytes(match sem {
                Sem::Bytes(b) => b,
                _ => Vec::new(),
            }),
            ("fixed", _) => {
                let size = obj
                    .and_then(|o| o.get("size"))
                    .and_then(Json::as_u64)
                    .unwrap_or(0) as usize;
                Value::Fixed(size, vec![0; size])
            }
            ("enum", _) => {
                let first = obj
                    .and_then(|o| o.get("symbols"))
                    .and_then(|s| s.get(0))
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                Value::Enum(0, first.to_string())
            }
            ("map", _) => Value::Map(Default::default()),
            ("array", _) => {
                let items = obj
                    .and_then(|o| o.get("items"))
                    .cloned()
                    .unwrap_or(Json::Null);
                match sem {
                    Sem::Records(ctxs) => Value::Array(
                        ctxs.into_iter()
                            .map(|c| self.shape(rng, &items, Sem::Record(c), t))
                            .collect(),
                    ),
                    _ => Value::Array(Vec::new()),
                }
            }
            ("record" | "error", _) => {
                let ctx = match sem {
                    Sem::Record(c) => c,
                    _ => Ctx::Other,
                };
                self.record(rng, ty, ctx, t)
            }
            _ => Value::Null,
        }
    }
}

/// Whether a union branch can hold a meaning (so `["null","long"]` takes the long).
fn fits_branch(branch: &Json, sem: &Sem) -> bool {
    let kind = match branch {
        Json::String(s) => s.as_str(),
        Json::Object(o) => o.get("type").and_then(Json::as_str).unwrap_or(""),
        _ => "",
    };
    match sem {
        Sem::Null => kind == "null",
        Sem::F(_) => matches!(kind, "float" | "double"),
        Sem::I(_) => matches!(kind, "int" | "long"),
        Sem::B(_) => kind == "boolean",
        Sem::S(_) => kind == "string",
        Sem::Bytes(_) => kind == "bytes",
        Sem::Record(_) => matches!(kind, "record" | "error"),
        Sem::Records(_) => kind == "array",
        Sem::Unknown => kind != "null",
    }
}

fn source_meaning(s: &Source, name: &str) -> Sem {
    let flux_err = s.flux_err;
    match name {
        "diaSourceId" | "diaForcedSourceId" => Sem::I(s.id),
        "diaObjectId" => Sem::I(s.object_id),
        "ssObjectId" | "parentDiaSourceId" | "timeWithdrawnMjdTai" => Sem::Null,
        "visit" => Sem::I(s.visit),
        "detector" => Sem::I(s.detector),
        "ccdVisitId" => Sem::I(s.visit * 1000 + s.detector),
        "midPointTai" | "midpointMjdTai" => Sem::F(s.mjd),
        "timeProcessedMjdTai" => Sem::F(s.mjd + 90.0 / 86_400.0),
        "filterName" | "band" => Sem::S(s.band.to_string()),
        "programId" => Sem::I(1),
        "ra" | "psRa" | "psfRa" | "trailRa" | "dipRa" => Sem::F(s.ra),
        "dec" | "decl" | "psDecl" | "psfDec" | "trailDec" | "dipDecl" => Sem::F(s.dec),
        "raErr" | "decErr" | "declErr" | "psRaErr" | "psDeclErr" | "psfRaErr" | "psfDecErr" => {
            Sem::F(s.pos_err_deg())
        }
        "x" => Sem::F(s.x),
        "y" => Sem::F(s.y),
        "xErr" | "yErr" => Sem::F(s.pos_err_deg() * 3600.0 / PIXEL_SCALE_ARCSEC),
        "psFlux" | "psfFlux" | "diffFlux" | "snapDiffFlux" | "trailFlux" | "dipMeanFlux" => {
            Sem::F(s.flux)
        }
        "psFluxErr" | "psfFluxErr" | "diffFluxErr" | "snapDiffFluxErr" | "trailFluxErr"
        | "dipMeanFluxErr" => Sem::F(flux_err),
        "apFlux" => Sem::F(s.flux * 1.03),
        "apFluxErr" => Sem::F(flux_err * 1.2),
        "totFlux" | "scienceFlux" => Sem::F(s.science_flux()),
        "totFluxErr" | "scienceFluxErr" => Sem::F(s.science_flux_err()),
        "templateFlux" => Sem::F(s.template_flux),
        "templateFluxErr" => Sem::F(flux_err / 2.0),
        "snr" => Sem::F(s.snr()),
        "isNegative" | "is_negative" => Sem::B(s.flux < 0.0),
        "isDipole" => Sem::B(false),
        "extendedness" => Sem::F(s.extendedness),
        "reliability" => Sem::F(s.reliability),
        "spuriousness" => Sem::F(1.0 - s.reliability),
        "exposureTime" => Sem::F(30.0),
        "bboxSize" => Sem::I(((s.snr().ln().max(1.0)) * 12.0) as i64),
        _ => Sem::Unknown,
    }
}

fn object_meaning(t: &Truth, name: &str) -> Sem {
    let s = &t.source;
    let all: Vec<&Source> = t.history.iter().chain(std::iter::once(s)).collect();
    let first = all.iter().map(|x| x.mjd).fold(f64::INFINITY, f64::min);
    match name {
        "diaObjectId" => return Sem::I(s.object_id),
        "ra" => return Sem::F(s.ra),
        "dec" | "decl" => return Sem::F(s.dec),
        "raErr" | "decErr" | "declErr" => {
            return Sem::F(s.pos_err_deg() / (all.len() as f64).sqrt())
        }
        "radecTai" | "radecMjdTai" | "validityStartMjdTai" | "lastDiaSourceMjdTai" => {
            return Sem::F(s.mjd)
        }
        "firstDiaSourceMjdTai" => return Sem::F(first),
        "nDiaSources" => return Sem::I(all.len() as i64),
        "ssObjectId" => return Sem::Null,
        _ => {}
    }
    // Per-band aggregates: u_psfFluxMean (7.x+) or uPSFluxMean (3.x-6.x).
    let (band, rest) = if let Some((b, rest)) = name.split_once('_') {
        (b, rest.to_string())
    } else if name.len() > 1
        && BANDS.contains(&&name[..1])
        && name[1..].starts_with(|c: char| c.is_ascii_uppercase())
    {
        (&name[..1], name[1..].replace("PSFlux", "psfFlux"))
    } else {
        return Sem::Unknown;
    };
    if !BANDS.contains(&band) {
        return Sem::Unknown;
    }
    let in_band: Vec<&&Source> = all.iter().filter(|x| x.band == band).collect();
    let n = in_band.len();
    let mean = in_band.iter().map(|x| x.flux).sum::<f64>() / n.max(1) as f64;
    let err = in_band.first().map_or(0.0, |x| x.flux_err) / (n.max(1) as f64).sqrt();
    match rest.as_str() {
        r if r.ends_with("Ndata") => Sem::I(n as i64),
        _ if n == 0 => Sem::Null,
        "psfFluxMean" | "fpFluxMean" => Sem::F(mean),
        "psfFluxMeanErr" | "fpFluxMeanErr" => Sem::F(err),
        "psfFluxSigma" | "fpFluxSigma" => {
            let var = in_band.iter().map(|x| (x.flux - mean).powi(2)).sum::<f64>() / n as f64;
            Sem::F(var.sqrt())
        }
        "psfFluxChi2" => Sem::F(n as f64),
        "psfFluxMin" => Sem::F(in_band.iter().map(|x| x.flux).fold(f64::INFINITY, f64::min)),
        "psfFluxMax" => Sem::F(
            in_band
                .iter()
                .map(|x| x.flux)
                .fold(f64::NEG_INFINITY, f64::max),
        ),
        _ => Sem::Unknown,
    }
}

/// A plausible value for a field whose meaning the generator does not know.
fn guess(rng: &mut ChaCha8Rng, name: &str, ty: &Json, t: &Truth) -> Sem {
    let nullable = matches!(ty, Json::Array(b) if b.iter().any(|x| x == "null"));
    let lower = name.to_ascii_lowercase();
    if lower.contains("flag") {
        return Sem::B(false);
    }
    if nullable && (lower.ends_with("id") || rng.random::<f64>() < 0.3) {
        return Sem::Null;
    }
    if lower.ends_with("ndata")
        || lower.starts_with('n') && name[1..].starts_with(|c: char| c.is_ascii_uppercase())
    {
        return Sem::I(rng.random_range(1..30));
    }
    if lower.contains("mjd") || lower.ends_with("tai") {
        return Sem::F(t.visit.mjd - rng.random_range(0.0..30.0));
    }
    if lower.ends_with("err") || lower.contains("sigma") {
        return Sem::F(rng.random_range(0.01..5.0));
    }
    if lower.contains("cov") {
        return Sem::F(normal(rng) * 1e-3);
    }
    if lower.contains("flux") {
        return Sem::F(t.source.flux * rng.random_range(0.5..1.5));
    }
    if lower.contains("chi2") {
        return Sem::F(rng.random_range(0.5..3.0));
    }
    Sem::F(normal(rng))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::avro::view::{to_json, CutoutPolicy};

    fn gen(cfg: SampleConfig) -> Generator {
        Generator::new(Arc::new(crate::formats::avro::builtin_sample()), cfg)
    }

    /// Alert i of a visit is the same however many threads made the visit: a visit of
    /// 300 (made on every core) begins with the visit of 60 (made on one).
    #[test]
    fn an_alert_does_not_depend_on_how_many_threads_made_its_visit() {
        let cfg = |n| SampleConfig {
            alerts_per_visit: n,
            max_history: 4,
            cutout_size: 8,
            ..SampleConfig::default()
        };
        let small = gen(cfg(60)).visit(2);
        let big = gen(cfg(300)).visit(2);
        assert_eq!(big.len(), 300);
        assert_eq!(&big[..60], &small[..]);
        assert_eq!(gen(cfg(300)).visit(2), big, "deterministic by seed");
        assert_ne!(
            gen(cfg(300)).visit(3)[..60],
            small[..],
            "another visit differs"
        );
    }

    #[test]
    fn a_visit_is_plausible() {
        let cfg = SampleConfig {
            alerts_per_visit: 50,
            max_history: 5,
            cutout_size: 30,
            ..SampleConfig::default()
        };
        let mut g = gen(cfg.clone());
        let alerts: Vec<Json> = g
            .visit(3)
            .iter()
            .map(|v| to_json(v, CutoutPolicy::Keep))
            .collect();
        assert_eq!(alerts.len(), 50);
        let visit = alerts[0]["diaSource"]["visit"].as_i64().unwrap();
        assert_eq!(visit, 2024050100004);
        let start = night::night_start_mjd(cfg.night);
        let mut ids = std::collections::HashSet::new();
        for a in &alerts {
            let s = &a["diaSource"];
            assert_eq!(s["visit"].as_i64(), Some(visit));
            assert!((0..189).contains(&s["detector"].as_i64().unwrap()));
            assert!(BANDS.contains(&s["band"].as_str().unwrap()));
            assert_eq!(s["band"], alerts[0]["diaSource"]["band"]);
            let mjd = s["midpointMjdTai"].as_f64().unwrap();
            assert!(mjd >= start && mjd < start + 0.5, "{mjd}");
            let (flux, err, snr) = (
                s["psfFlux"].as_f64().unwrap(),
                s["psfFluxErr"].as_f64().unwrap(),
                s["snr"].as_f64().unwrap(),
            );
            assert!(err > 0.0 && ((flux.abs() / err) - snr).abs() / snr < 1e-3);
            assert!(ids.insert(a["diaSourceId"].as_i64().unwrap()));
            let object = s["diaObjectId"].as_i64().unwrap();
            for p in a["prvDiaSources"].as_array().unwrap() {
                assert_eq!(p["diaObjectId"].as_i64(), Some(object));
                assert!(p["midpointMjdTai"].as_f64().unwrap() < mjd);
                assert!(ids.insert(p["diaSourceId"].as_i64().unwrap()));
            }
            assert!(a["prvDiaSources"].as_array().unwrap().len() <= 5);
            assert_eq!(
                a["diaObject"]["nDiaSources"].as_i64().unwrap() as usize,
                a["prvDiaSources"].as_array().unwrap().len() + 1
            );
        }
    }

    #[test]
    fn positions_lie_within_the_field() {
        let mut g = gen(SampleConfig {
            alerts_per_visit: 200,
            cutout_size: 0,
            ..SampleConfig::default()
        });
        let alerts: Vec<Json> = g
            .visit(0)
            .iter()
            .map(|v| to_json(v, CutoutPolicy::Omit))
            .collect();
        // The field centre is the mean; every alert within 2 x 1.75 degrees of every other.
        for a in &alerts {
            for b in &alerts {
                let d = angular_distance(
                    a["diaSource"]["ra"].as_f64().unwrap(),
                    a["diaSource"]["dec"].as_f64().unwrap(),
                    b["diaSource"]["ra"].as_f64().unwrap(),
                    b["diaSource"]["dec"].as_f64().unwrap(),
                );
                assert!(d <= 2.0 * FIELD_RADIUS_DEG + 0.01, "{d}");
            }
        }
    }

    fn angular_distance(ra1: f64, dec1: f64, ra2: f64, dec2: f64) -> f64 {
        let (ra1, dec1, ra2, dec2) = (
            ra1.to_radians(),
            dec1.to_radians(),
            ra2.to_radians(),
            dec2.to_radians(),
        );
        let c = dec1.sin() * dec2.sin() + dec1.cos() * dec2.cos() * (ra1 - ra2).cos();
        c.clamp(-1.0, 1.0).acos().to_degrees()
    }

    #[test]
    fn the_same_seed_gives_the_same_alerts_and_another_does_not() {
        let a = gen(SampleConfig::default()).visit(1);
        let b = gen(SampleConfig::default()).visit(1);
        let c = gen(SampleConfig {
            seed: 7,
            ..SampleConfig::default()
        })
        .visit(1);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn cutouts_are_fits_images_centred_on_the_source() {
        let mut g = gen(SampleConfig {
            alerts_per_visit: 1,
            cutout_size: 31,
            ..SampleConfig::default()
        });
        let v = g.visit(0).remove(0);
        let ra = to_json(&v, CutoutPolicy::Omit)["diaSource"]["ra"]
            .as_f64()
            .unwrap();
        let Value::Record(fields) = v else {
            panic!("record")
        };
        for name in ["cutoutDifference", "cutoutScience", "cutoutTemplate"] {
            let (_, Value::Union(_, b)) = fields.iter().find(|(n, _)| n == name).unwrap() else {
                panic!()
            };
            let Value::Bytes(bytes) = b.as_ref() else {
                panic!()
            };
            assert_eq!(bytes.len() % fits::BLOCK, 0);
            let img = fits::read_image(bytes).unwrap();
            assert_eq!((img.width, img.height), (31, 31));
            assert!(img.pixels.iter().any(|p| *p != img.pixels[0]));
            assert!((img.header.real("CRVAL1").unwrap() - ra).abs() < 1e-9);
            assert_eq!(img.header.real("CRPIX1"), Some(16.0));
        }
    }
}
