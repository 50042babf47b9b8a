//! Astronomy in the filter language: natives of the confined standard library that
//! compute what brokers cut on ([`crate::sky`] does the work; this module is the jq side).
//!
//! Pure functions of their arguments (magnitudes, separations, coordinates) and of the
//! alert they are given (its light curve) are ordinary natives. `watchlist` and `in_moc`
//! ask about the alert being filtered, whatever `.` is where they are called: the engine
//! makes the alert's position and the filter set's watchlists and MOCs current
//! ([`enter`]) while it evaluates a filter that uses them, and each lookup is made once
//! per alert, however many filters ask.
//!
//! A `null` argument (a field the alert does not have) gives `null`; an argument of
//! another type is an error that says which.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use jaq_core::native::{bome, v};
use jaq_core::{data, Native};
use jaq_json::Val;
use jaq_std::ValT as _;

use crate::sky::lightcurve::{self, Point};
use crate::sky::{geom, Sky};

type D = data::JustLut<Val>;
type Fun = jaq_core::native::Fun<D>;
type Error = jaq_core::Error<Val>;

/// One astronomy function: name, arity, how it is called, what it gives, an example.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    /// The name.
    pub name: &'static str,
    /// Its number of arguments.
    pub arity: usize,
    /// How it is called.
    pub call: &'static str,
    /// What it gives.
    pub gives: &'static str,
    /// One example filter.
    pub example: &'static str,
}

/// The astronomy functions, as `--help` and the README list them.
pub const DOCS: &[Doc] = &[
    Doc {
        name: "ab_mag",
        arity: 0,
        call: "FLUX | ab_mag",
        gives: "the AB magnitude of a flux in nJy (31.4 - 2.5 log10 f); null when f <= 0",
        example: ".diaSource.psfFlux | ab_mag < 21",
    },
    Doc {
        name: "ab_mag",
        arity: 1,
        call: "ab_mag(FLUX)",
        gives: "the same, of its argument",
        example: "ab_mag(.diaObject.g_psfFluxMean) < 22",
    },
    Doc {
        name: "ab_mag_err",
        arity: 2,
        call: "ab_mag_err(FLUX; FLUX_ERR)",
        gives: "the magnitude's error, 2.5/ln10 * err/flux; null when flux <= 0",
        example: ".diaSource | ab_mag_err(.psfFlux; .psfFluxErr) < 0.1",
    },
    Doc {
        name: "sep_arcsec",
        arity: 4,
        call: "sep_arcsec(RA1; DEC1; RA2; DEC2)",
        gives: "the great-circle distance in arcsec between two positions in degrees",
        example: ".diaSource | sep_arcsec(.ra; .dec; 83.633; 22.0145) < 60",
    },
    Doc {
        name: "galactic",
        arity: 2,
        call: "galactic(RA; DEC)",
        gives: "{l, b}: galactic coordinates in degrees (astropy's Galactic)",
        example: ".diaSource | galactic(.ra; .dec).b | fabs > 20",
    },
    Doc {
        name: "ecliptic",
        arity: 2,
        call: "ecliptic(RA; DEC)",
        gives: "{lon, lat}: ecliptic coordinates in degrees (mean ecliptic and equinox of J2000)",
        example: ".diaSource | ecliptic(.ra; .dec).lat | fabs < 10",
    },
    Doc {
        name: "n_detections",
        arity: 0,
        call: "ALERT | n_detections",
        gives: "detections in the alert's history: diaSource and prvDiaSources",
        example: "n_detections >= 3",
    },
    Doc {
        name: "days_since_first",
        arity: 0,
        call: "ALERT | days_since_first",
        gives: "days from the first detection to this one",
        example: "days_since_first < 3",
    },
    Doc {
        name: "detection_span",
        arity: 0,
        call: "ALERT | detection_span",
        gives: "days between the first and the last detection",
        example: "detection_span > 1",
    },
    Doc {
        name: "mag_rate",
        arity: 1,
        call: "ALERT | mag_rate(BAND)",
        gives: "{band, rate, err, significance, n}: the weighted least-squares slope of AB \
                magnitude against time in BAND, mag/day (negative: rising), |rate|/err; \
                null with fewer than two usable detections",
        example: "mag_rate(\"g\") | . != null and .rate < -0.1 and .significance > 3",
    },
    Doc {
        name: "colour",
        arity: 2,
        call: "ALERT | colour(BAND1; BAND2)",
        gives: "{colour, err, day_obs}: BAND1 - BAND2 magnitude on the latest night with both \
                (weighted means of the night); null without such a night",
        example: "colour(\"g\"; \"r\").colour < 0.5",
    },
    Doc {
        name: "watchlist",
        arity: 1,
        call: "watchlist(NAME)",
        gives: "the NAME watchlist's cones the alert lies in, nearest first: {name, sep_arcsec, \
                ra, dec, radius_arcsec, and the file's other columns}; [] when none",
        example: "watchlist(\"tns\") | length > 0",
    },
    Doc {
        name: "in_moc",
        arity: 1,
        call: "in_moc(NAME)",
        gives: "whether the alert lies in the NAME MOC",
        example: "in_moc(\"S250101a\")",
    },
];

/// The functions that ask about the filter set's sky (names declared by the filters).
pub const SKY_FUNCTIONS: [&str; 2] = ["watchlist", "in_moc"];

/// The functions that read the alert's history (their input is the alert).
pub const HISTORY_FUNCTIONS: [&str; 5] = [
    "n_detections",
    "days_since_first",
    "detection_span",
    "mag_rate",
    "colour",
];

/// The fields of a detection the history functions read, by every name the schema
/// versions have used (3.x and 4.x: `midPointTai`, `filterName`, `psFlux`).
pub const HISTORY_FIELDS: [&str; 8] = [
    "midpointMjdTai",
    "midPointTai",
    "band",
    "filterName",
    "psfFlux",
    "psFlux",
    "psfFluxErr",
    "psFluxErr",
];

/// The fields of `diaSource` that hold the alert's position (`decl` before 5.0).
pub const POSITION_FIELDS: [&str; 3] = ["ra", "dec", "decl"];

/// Refuse an expression that names a watchlist or MOC `sky` does not have.
pub fn check_declared(p: &super::Program, sky: &Sky) -> Result<(), super::JqError> {
    for r in p.sky_refs() {
        let (declared, kind, flag, table): (Vec<&String>, _, _, _) = if r.function == "watchlist" {
            (
                sky.watchlists.keys().collect(),
                "watchlist",
                "--watchlist",
                "[watchlists]",
            )
        } else {
            (sky.regions.keys().collect(), "MOC", "--moc", "[mocs]")
        };
        if !declared.contains(&&r.name) {
            let have = if declared.is_empty() {
                "none".to_string()
            } else {
                declared
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(super::JqError(format!(
                "{}(\"{}\"): no {kind} {} is declared (declared: {have}); declare it with {flag} {}=FILE \
                 or in the filters file's {table} table",
                r.function, r.name, r.name, r.name
            )));
        }
    }
    Ok(())
}

/// The alert being filtered, as the sky functions see it.
pub struct AlertSky {
    sky: Arc<Sky>,
    position: Option<(f64, f64)>,
    /// `watchlist(name)`'s answers for this alert, by name (a filter set names few).
    cache: RefCell<Vec<(Box<str>, Val)>>,
}

impl AlertSky {
    /// The alert (its decoded value, or the part of it a projection kept) against `sky`.
    pub fn new(sky: Arc<Sky>, alert: &Val) -> AlertSky {
        AlertSky {
            sky,
            position: position(alert),
            cache: RefCell::default(),
        }
    }

    /// The alert at a position it is known to have (None: it has none).
    pub fn at(sky: Arc<Sky>, position: Option<(f64, f64)>) -> AlertSky {
        AlertSky {
            sky,
            position,
            cache: RefCell::default(),
        }
    }

    /// `watchlist(name)`: the matches, as jq sees them.
    pub fn watchlist(&self, name: &str) -> Result<Val, String> {
        if let Some((_, v)) = self.cache.borrow().iter().find(|(n, _)| &**n == name) {
            return Ok(v.clone());
        }
        let w = self
            .sky
            .watchlists
            .get(name)
            .ok_or_else(|| format!("watchlist(\"{name}\"): no watchlist {name} is declared"))?;
        let mut hits = Vec::new();
        if let Some((ra, dec)) = self.position {
            w.lookup(ra, dec, &mut hits);
        }
        let items: Vec<Val> = hits
            .iter()
            .map(|h| {
                let c = w.cone(h.index);
                let mut m = jaq_json::Map::default();
                let mut put = |k: &str, v: Val| {
                    m.insert(Val::from(k.to_string()), v);
                };
                put("name", Val::from(c.name.to_string()));
                put("sep_arcsec", Val::from(h.sep_arcsec));
                put("ra", Val::from(c.ra));
                put("dec", Val::from(c.dec));
                put("radius_arcsec", Val::from(c.radius));
                for (col, x) in w.columns().iter().zip(c.extra) {
                    let v = match x {
                        crate::sky::watchlist::Extra::Str(s) => Val::from(s.clone()),
                        crate::sky::watchlist::Extra::Num(n) => Val::from(*n),
                        crate::sky::watchlist::Extra::Bool(b) => Val::from(*b),
                        crate::sky::watchlist::Extra::Null => Val::Null,
                    };
                    put(col, v);
                }
                Val::obj(m)
            })
            .collect();
        let v = Val::Arr(Rc::new(items));
        self.cache.borrow_mut().push((name.into(), v.clone()));
        Ok(v)
    }

    /// `in_moc(name)`.
    pub fn in_moc(&self, name: &str) -> Result<bool, String> {
        let r = self
            .sky
            .regions
            .get(name)
            .ok_or_else(|| format!("in_moc(\"{name}\"): no MOC {name} is declared"))?;
        Ok(self.position.is_some_and(|(ra, dec)| r.contains(ra, dec)))
    }

    /// The nearest match of `watchlist(name)` (name, separation), if any.
    pub fn nearest(&self, name: &str) -> Option<(String, f64)> {
        let v = self.watchlist(name).ok()?;
        let Val::Arr(items) = v else { return None };
        let first = items.first()?;
        let name = str_of(get(first, "name")?)?.to_string();
        let sep = get(first, "sep_arcsec")?.as_f64()?;
        Some((name, sep))
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<AlertSky>>> = const { RefCell::new(None) };
}

/// While this lives, `ctx` is the alert the sky functions ask about (on this thread).
pub struct Entered(Option<Rc<AlertSky>>);

/// Make `ctx` current until the returned value is dropped.
pub fn enter(ctx: Rc<AlertSky>) -> Entered {
    Entered(CURRENT.with(|c| c.replace(Some(ctx))))
}

impl Drop for Entered {
    fn drop(&mut self) {
        let prev = self.0.take();
        CURRENT.with(|c| *c.borrow_mut() = prev);
    }
}

fn current() -> Result<Rc<AlertSky>, Error> {
    CURRENT.with(|c| c.borrow().clone()).ok_or_else(|| {
        Error::str("watchlists and MOCs are only known to a filter that declares them")
    })
}

/// A record field of a value.
fn get<'a>(v: &'a Val, key: &str) -> Option<&'a Val> {
    match v {
        // A projected record has few fields: its keys are compared, no key is built.
        Val::Obj(o) if o.len() <= 16 => o
            .iter()
            .find(|(k, _)| matches!(k, Val::TStr(b) if &***b == key.as_bytes()))
            .map(|(_, v)| v),
        Val::Obj(o) => o.get(&Val::from(key.to_string())),
        _ => None,
    }
}

fn str_of(v: &Val) -> Option<&str> {
    match v {
        Val::TStr(b) => std::str::from_utf8(b).ok(),
        _ => None,
    }
}

/// The first of `keys` the record has with a non-null value.
fn first_of<'a>(v: &'a Val, keys: &[&str]) -> Option<&'a Val> {
    keys.iter()
        .filter_map(|k| get(v, k))
        .find(|x| !matches!(x, Val::Null))
}

/// The alert's position: `diaSource.ra` and `.dec` (or `.decl`).
pub fn position(alert: &Val) -> Option<(f64, f64)> {
    let s = get(alert, "diaSource")?;
    let ra = get(s, "ra")?.as_f64()?;
    let dec = first_of(s, &["dec", "decl"])?.as_f64()?;
    Some((ra, dec))
}

fn point(s: &Val) -> Option<Point> {
    let num = |keys: &[&str]| first_of(s, keys).and_then(|v| v.as_f64());
    Some(Point {
        mjd: num(&["midpointMjdTai", "midPointTai"])?,
        band: first_of(s, &["band", "filterName"])
            .and_then(str_of)
            .unwrap_or("")
            .to_string(),
        flux: num(&["psfFlux", "psFlux"]).unwrap_or(f64::NAN),
        flux_err: num(&["psfFluxErr", "psFluxErr"]).unwrap_or(f64::NAN),
    })
}

/// The alert's detections (its own first), and the time of its own.
fn history(alert: &Val) -> Result<(Vec<Point>, Option<f64>), Error> {
    if !matches!(alert, Val::Obj(_)) {
        return Err(Error::str(format!(
            "the light-curve functions take an alert as their input, not {}",
            kind(alert)
        )));
    }
    let mut pts = Vec::new();
    let own = get(alert, "diaSource").and_then(point);
    let now = own.as_ref().map(|p| p.mjd);
    pts.extend(own);
    if let Some(Val::Arr(prv)) = get(alert, "prvDiaSources") {
        pts.extend(prv.iter().filter_map(point));
    }
    Ok((pts, now))
}

fn kind(v: &Val) -> &'static str {
    match v {
        Val::Null => "null",
        Val::Bool(_) => "a boolean",
        Val::Num(_) => "a number",
        Val::TStr(_) | Val::BStr(_) => "a string",
        Val::Arr(_) => "an array",
        Val::Obj(_) => "an object",
    }
}

/// A number argument: Some(x), None for null, or an error naming the function.
fn num(f: &str, what: &str, v: &Val) -> Result<Option<f64>, Error> {
    match v {
        Val::Null => Ok(None),
        Val::Num(_) => Ok(v.as_f64()),
        other => Err(Error::str(format!(
            "{f}: {what} must be a number, not {}",
            kind(other)
        ))),
    }
}

fn text(f: &str, what: &str, v: &Val) -> Result<String, Error> {
    str_of(v)
        .map(str::to_string)
        .ok_or_else(|| Error::str(format!("{f}: {what} must be a string, not {}", kind(v))))
}

fn opt(x: Option<f64>) -> Val {
    x.filter(|x| x.is_finite()).map_or(Val::Null, Val::from)
}

fn obj(pairs: &[(&str, Val)]) -> Val {
    let mut m = jaq_json::Map::default();
    for (k, v) in pairs {
        m.insert(Val::from(k.to_string()), v.clone());
    }
    Val::obj(m)
}

fn mag(flux: Option<f64>) -> Val {
    opt(flux.and_then(geom::ab_mag))
}

fn coords(
    f: &str,
    ra: &Val,
    dec: &Val,
    rotate: fn(f64, f64) -> (f64, f64),
    names: [&str; 2],
) -> Result<Val, Error> {
    let (Some(ra), Some(dec)) = (num(f, "ra", ra)?, num(f, "dec", dec)?) else {
        return Ok(Val::Null);
    };
    if !geom::is_position(ra, dec) {
        return Err(Error::str(format!(
            "{f}: ({ra}, {dec}) is not a position in degrees"
        )));
    }
    let (a, b) = rotate(ra, dec);
    Ok(obj(&[(names[0], Val::from(a)), (names[1], Val::from(b))]))
}

/// The astronomy natives.
pub(crate) fn natives() -> impl Iterator<Item = Fun> {
    let f = |name: &'static str, n: usize, run: jaq_core::RunPtr<D>| {
        (name, v(n), Native::<D>::new(run))
    };
    [
        f("ab_mag", 0, |cv| {
            bome(num("ab_mag", "the flux", &cv.1).map(mag))
        }),
        f("ab_mag", 1, |mut cv| {
            let x = cv.0.pop_var();
            bome(num("ab_mag", "the flux", &x).map(mag))
        }),
        f("ab_mag_err", 2, |mut cv| {
            let e = cv.0.pop_var();
            let x = cv.0.pop_var();
            bome((|| {
                let (x, e) = (
                    num("ab_mag_err", "the flux", &x)?,
                    num("ab_mag_err", "the flux error", &e)?,
                );
                Ok(opt(x.zip(e).and_then(|(x, e)| geom::ab_mag_err(x, e))))
            })())
        }),
        f("sep_arcsec", 4, |mut cv| {
            let d2 = cv.0.pop_var();
            let r2 = cv.0.pop_var();
            let d1 = cv.0.pop_var();
            let r1 = cv.0.pop_var();
            bome((|| {
                let g = |w, v| num("sep_arcsec", w, v);
                let all = [
                    g("ra1", &r1)?,
                    g("dec1", &d1)?,
                    g("ra2", &r2)?,
                    g("dec2", &d2)?,
                ];
                let [Some(a), Some(b), Some(c), Some(d)] = all else {
                    return Ok(Val::Null);
                };
                if !(geom::is_position(a, b) && geom::is_position(c, d)) {
                    return Err(Error::str(
                        "sep_arcsec: a position is not one (dec within ±90, finite)",
                    ));
                }
                Ok(Val::from(geom::separation_arcsec(a, b, c, d)))
            })())
        }),
        f("galactic", 2, |mut cv| {
            let dec = cv.0.pop_var();
            let ra = cv.0.pop_var();
            bome(coords("galactic", &ra, &dec, geom::galactic, ["l", "b"]))
        }),
        f("ecliptic", 2, |mut cv| {
            let dec = cv.0.pop_var();
            let ra = cv.0.pop_var();
            bome(coords(
                "ecliptic",
                &ra,
                &dec,
                geom::ecliptic,
                ["lon", "lat"],
            ))
        }),
        f("n_detections", 0, |cv| {
            bome(history(&cv.1).map(|(p, _)| Val::from(p.len())))
        }),
        f("days_since_first", 0, |cv| {
            bome(
                history(&cv.1)
                    .map(|(p, now)| opt(now.and_then(|t| lightcurve::days_since_first(&p, t)))),
            )
        }),
        f("detection_span", 0, |cv| {
            bome(history(&cv.1).map(|(p, _)| opt(lightcurve::span(&p))))
        }),
        f("mag_rate", 1, |mut cv| {
            let band = cv.0.pop_var();
            bome((|| {
                let band = text("mag_rate", "the band", &band)?;
                let (p, _) = history(&cv.1)?;
                Ok(match lightcurve::rate(&p, &band) {
                    Some(r) => obj(&[
                        ("band", Val::from(band)),
                        ("rate", Val::from(r.rate)),
                        ("err", Val::from(r.err)),
                        ("significance", Val::from(r.rate.abs() / r.err)),
                        ("n", Val::from(r.n)),
                    ]),
                    None => Val::Null,
                })
            })())
        }),
        f("colour", 2, |mut cv| {
            let b2 = cv.0.pop_var();
            let b1 = cv.0.pop_var();
            bome((|| {
                let b1 = text("colour", "the first band", &b1)?;
                let b2 = text("colour", "the second band", &b2)?;
                let (p, _) = history(&cv.1)?;
                Ok(match lightcurve::colour(&p, &b1, &b2) {
                    Some(c) => obj(&[
                        ("colour", Val::from(c.colour)),
                        ("err", Val::from(c.err)),
                        ("day_obs", Val::from(c.day_obs as isize)),
                    ]),
                    None => Val::Null,
                })
            })())
        }),
        f("watchlist", 1, |mut cv| {
            let name = cv.0.pop_var();
            bome((|| {
                let name = text("watchlist", "the name", &name)?;
                current()?.watchlist(&name).map_err(Error::str)
            })())
        }),
        f("in_moc", 1, |mut cv| {
            let name = cv.0.pop_var();
            bome((|| {
                let name = text("in_moc", "the name", &name)?;
                current()?.in_moc(&name).map(Val::from).map_err(Error::str)
            })())
        }),
    ]
    .into_iter()
}
