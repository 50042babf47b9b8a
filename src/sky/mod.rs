//! The sky a filter can ask about: watchlists (named cones), regions (MOCs) and the
//! geometry and light-curve numbers the filter language's astronomy functions compute.
//!
//! * [`geom`]: great-circle separation, galactic and ecliptic coordinates, AB magnitudes;
//! * [`lightcurve`]: detection counts, time spans, rates of rise and fade, colours;
//! * [`watchlist`]: watchlist files (CSV in Lasair's shape, or Parquet) and exact lookup,
//!   indexed by HEALPix;
//! * [`region`]: MOCs, and the credible regions of probability sky maps;
//! * this module: [`Sky`], the named watchlists and regions a filter set declares, and
//!   [`Catalog`], which reloads them when their files change.

pub mod geom;
pub mod lightcurve;
mod parquet;
pub mod region;
mod rows;
pub mod watchlist;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::watch::Settle;

pub use region::{CredibleRegion, Region, RegionError};
pub use watchlist::{Watchlist, WatchlistError, DEFAULT_RADIUS_ARCSEC};

/// What a filter set may ask about: named watchlists and named regions.
#[derive(Debug, Default, Clone)]
pub struct Sky {
    /// Watchlists by name.
    pub watchlists: BTreeMap<String, Arc<Watchlist>>,
    /// Regions (MOCs) by name.
    pub regions: BTreeMap<String, Arc<Region>>,
}

/// The kind of a declared sky file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A watchlist, with the radius (arcsec) of the lines that give none.
    Watchlist {
        /// The default radius, arcsec.
        radius: f64,
    },
    /// A MOC.
    Moc,
}

/// A declared sky file: `--watchlist NAME=FILE`, `--moc NAME=FILE`, or a filters file's
/// `[watchlists]` and `[mocs]` tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Decl {
    /// The name filters use (`watchlist("NAME")`, `in_moc("NAME")`).
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// Watchlist or MOC.
    pub kind: Kind,
}

impl Decl {
    /// Parse `NAME=FILE` as given on the command line.
    pub fn parse(arg: &str, kind: Kind) -> Result<Decl, String> {
        let flag = match kind {
            Kind::Watchlist { .. } => "--watchlist",
            Kind::Moc => "--moc",
        };
        match arg.split_once('=') {
            Some((name, path)) if valid_name(name) && !path.is_empty() => Ok(Decl {
                name: name.to_string(),
                path: PathBuf::from(path),
                kind,
            }),
            _ => Err(format!(
                "{flag} {arg}: expected NAME=FILE, NAME made of letters, digits, '_', '-' and '.'"
            )),
        }
    }

    /// What it says in messages: `watchlist stars (stars.csv)`.
    pub fn label(&self) -> String {
        let k = match self.kind {
            Kind::Watchlist { .. } => "watchlist",
            Kind::Moc => "MOC",
        };
        format!("{k} {} ({})", self.name, self.path.display())
    }
}

/// Whether a name can name a watchlist or a MOC (and a Kafka header key part).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A sky file that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkyError {
    /// A watchlist's file.
    #[error("{0}")]
    Watchlist(#[from] WatchlistError),
    /// A MOC's file.
    #[error("MOC {0}")]
    Region(#[from] RegionError),
    /// A name declared twice.
    #[error("{0} is declared twice")]
    Twice(String),
}

fn load_one(d: &Decl) -> Result<Loaded, SkyError> {
    Ok(match d.kind {
        Kind::Watchlist { radius } => {
            Loaded::Watchlist(Arc::new(Watchlist::load(&d.path, radius)?))
        }
        Kind::Moc => Loaded::Region(Arc::new(Region::load(&d.path)?)),
    })
}

enum Loaded {
    Watchlist(Arc<Watchlist>),
    Region(Arc<Region>),
}

/// Something that happened on a reload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    /// A file changed and was loaded: the new contents are in force.
    Loaded {
        /// What was reloaded.
        what: String,
        /// Its entries (cones; for a MOC, 0).
        entries: usize,
    },
    /// A file changed but could not be loaded: the old contents stay in force (said once
    /// per change).
    Kept {
        /// What was not reloaded.
        what: String,
        /// Why.
        error: String,
    },
}

/// The declared sky files, loaded, and reloaded when they change.
#[derive(Debug)]
pub struct Catalog {
    decls: Vec<Decl>,
    /// Each file's change, settling ([`crate::watch`]).
    watches: Vec<Settle>,
    sky: Arc<Sky>,
    every: Duration,
    checked: Instant,
}

impl Catalog {
    /// Load every declared file; the first that cannot be loaded is the error.
    pub fn load(decls: Vec<Decl>) -> Result<Catalog, SkyError> {
        let mut sky = Sky::default();
        let mut watches = Vec::with_capacity(decls.len());
        for d in &decls {
            if sky.watchlists.contains_key(&d.name) || sky.regions.contains_key(&d.name) {
                return Err(SkyError::Twice(d.name.clone()));
            }
            watches.push(Settle::follow(&d.path));
            match load_one(d)? {
                Loaded::Watchlist(w) => sky.watchlists.insert(d.name.clone(), w).map(|_| ()),
                Loaded::Region(r) => sky.regions.insert(d.name.clone(), r).map(|_| ()),
            };
        }
        Ok(Catalog {
            decls,
            watches,
            sky: Arc::new(sky),
            every: Duration::from_secs(1),
            checked: Instant::now(),
        })
    }

    /// An empty catalog.
    pub fn empty() -> Catalog {
        Catalog::load(Vec::new()).expect("nothing to load")
    }

    /// Check for changed files at most this often (default 1 s).
    pub fn check_every(mut self, every: Duration) -> Catalog {
        self.every = every;
        self
    }

    /// Read a changed file once it has looked the same for `quiet` (default
    /// [`crate::watch::QUIET`]; zero: at once).
    pub fn quiet(mut self, quiet: Duration) -> Catalog {
        for w in &mut self.watches {
            w.set_quiet(quiet);
        }
        self
    }

    /// What is in force now.
    pub fn sky(&self) -> &Arc<Sky> {
        &self.sky
    }

    /// The declarations.
    pub fn decls(&self) -> &[Decl] {
        &self.decls
    }

    /// Reload the files that changed since they were loaded (checked at most every
    /// [`Catalog::check_every`]). A file that no longer loads leaves its old contents in
    /// force; that is said once per change of the file.
    pub fn refresh(&mut self) -> Vec<Reload> {
        let every = self
            .watches
            .iter()
            .map(|w| w.next_look(self.every))
            .min()
            .unwrap_or(self.every);
        if self.checked.elapsed() < every || self.decls.is_empty() {
            return Vec::new();
        }
        self.refresh_now()
    }

    /// [`Catalog::refresh`] without waiting for the interval.
    pub fn refresh_now(&mut self) -> Vec<Reload> {
        self.checked = Instant::now();
        let mut out = Vec::new();
        let mut sky: Option<Sky> = None;
        for (i, d) in self.decls.iter().enumerate() {
            let Some(loaded) = self.watches[i].look(&d.path, || load_one(d)) else {
                continue;
            };
            match loaded {
                Ok(l) => {
                    let s = sky.get_or_insert_with(|| (*self.sky).clone());
                    let entries = match l {
                        Loaded::Watchlist(w) => {
                            let n = w.len();
                            s.watchlists.insert(d.name.clone(), w);
                            n
                        }
                        Loaded::Region(r) => {
                            s.regions.insert(d.name.clone(), r);
                            0
                        }
                    };
                    out.push(Reload::Loaded {
                        what: d.label(),
                        entries,
                    });
                }
                Err(e) => out.push(Reload::Kept {
                    what: d.label(),
                    error: e.to_string(),
                }),
            }
        }
        if let Some(s) = sky {
            self.sky = Arc::new(s);
        }
        out
    }
}

/// Write `bytes` to `path` through a temporary file beside it and a rename, so that a
/// reader (or a watcher reloading the file) never sees half of it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A watchlist file of one star and its declaration (the directory keeps it).
    fn one_star() -> (tempfile::TempDir, PathBuf, Decl) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.csv");
        std::fs::write(&p, "10,10,a\n").unwrap();
        let d = Decl::parse(
            &format!("stars={}", p.display()),
            Kind::Watchlist { radius: 2.0 },
        )
        .unwrap();
        (dir, p, d)
    }

    #[test]
    fn a_changed_file_is_reloaded_and_a_broken_one_keeps_the_old_list() {
        let (_dir, p, d) = one_star();
        let mut c = Catalog::load(vec![d])
            .unwrap()
            .check_every(Duration::ZERO)
            .quiet(Duration::ZERO);
        assert!(c.refresh().is_empty());
        std::fs::write(&p, "10,10,a\n20,20,b\n").unwrap();
        let r = c.refresh();
        assert!(
            matches!(&r[..], [Reload::Loaded { entries: 2, .. }]),
            "{r:?}"
        );
        assert_eq!(c.sky().watchlists["stars"].len(), 2);
        std::fs::write(&p, "10,10,a\n20,200,b\n30,30,c\n").unwrap();
        let r = c.refresh();
        match &r[..] {
            [Reload::Kept { error, .. }] => assert!(error.contains("line 2"), "{error}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(c.sky().watchlists["stars"].len(), 2);
        // Said once per change.
        assert!(c.refresh().is_empty());
        assert!(Decl::parse("x", Kind::Moc).is_err());
        assert!(Decl::parse("a b=f", Kind::Moc).is_err());
    }

    #[test]
    fn a_watchlist_just_written_is_read_once_it_has_settled() {
        let (_dir, p, d) = one_star();
        let mut c = Catalog::load(vec![d]).unwrap().check_every(Duration::ZERO);
        // Met halfway through a rewrite: the first of two lines, just written.
        std::fs::write(&p, "10,10,a\n").unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"20,"))
            .unwrap();
        assert!(c.refresh().is_empty(), "not read while it may be written");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"20,b\n"))
            .unwrap();
        assert!(c.refresh().is_empty());
        assert_eq!(c.sky().watchlists["stars"].len(), 1);
        std::thread::sleep(crate::watch::QUIET + Duration::from_millis(50));
        let r = c.refresh();
        assert!(
            matches!(&r[..], [Reload::Loaded { entries: 2, .. }]),
            "{r:?}"
        );
    }
}
