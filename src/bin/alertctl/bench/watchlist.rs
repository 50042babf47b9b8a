//! `bench filter`'s watchlist rows (c): a 1,000,000-cone watchlist loaded by the command
//! a user runs (its time and peak memory), the lookup alone, the production-like filters
//! with a watchlist filter added (engine, and `filter run --file` end to end), beside
//! Fink's published live crossmatch rates.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use alertctl::filter::FilterDef;
use alertctl::sky::{Sky, Watchlist};
use alertctl::Error;

use super::Row;

/// Cones in the benchmark's watchlist.
pub const CONES: usize = 1_000_000;
/// Positions looked up in the lookup row.
const POSITIONS: usize = 1_000_000;

/// The benchmark's watchlist filter.
pub const FILTER: &str = "watchlist(\"bench\") | length > 0";

/// A uniform position on the sphere, degrees.
fn on_sphere(rng: &mut ChaCha8Rng) -> (f64, f64) {
    let ra = rng.random_range(0.0..360.0);
    let dec = rng.random_range(-1.0f64..1.0).asin().to_degrees();
    (ra, dec)
}

/// Write a watchlist of `CONES` cones in Lasair's shape: random positions with radii of
/// 1-10", plus a cone on each of `near` (so that alerts match).
pub fn write_csv(path: &Path, near: &[(f64, f64)]) -> Result<(), Error> {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "ra,dec,name,radius")?;
    for (i, (ra, dec)) in near.iter().enumerate() {
        writeln!(w, "{ra},{dec},near{i},2")?;
    }
    for i in near.len()..CONES {
        let (ra, dec) = on_sphere(&mut rng);
        let r: f64 = rng.random_range(1.0..10.0);
        writeln!(w, "{ra:.7},{dec:.7},src{i},{r:.2}")?;
    }
    w.flush()?;
    Ok(())
}

/// A watchlist's load, measured.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Seconds, the fastest of three runs.
    pub seconds: f64,
    /// The process's peak resident memory, MB.
    pub peak_mb: f64,
    /// The CSV's size.
    pub csv_bytes: u64,
}

/// Write a `CONES`-cone watchlist into `dir` and time its load by the command a user
/// runs (call it while this process is small).
pub fn measure_load(exe: &Path, dir: &Path) -> Result<Load, Error> {
    let csv = dir.join("watchlist-load.csv");
    write_csv(&csv, &[])?;
    let (seconds, peak_mb) = load_by_command(exe, &csv)?;
    Ok(Load {
        seconds,
        peak_mb,
        csv_bytes: std::fs::metadata(&csv)?.len(),
    })
}

/// Time and peak memory of the process that loads the watchlist and evaluates nothing
/// (`filter eval --watchlist ... --file /dev/null`): the fastest of three runs, and its
/// peak resident memory in MB.
pub fn load_by_command(exe: &Path, csv: &Path) -> Result<(f64, f64), Error> {
    let mut best = (f64::INFINITY, 0.0);
    for _ in 0..3 {
        let started = Instant::now();
        let child = std::process::Command::new(exe)
            .args(["filter", "eval", "--expr", FILTER, "--file", "/dev/null"])
            .arg("--watchlist")
            .arg(format!("bench={}", csv.display()))
            .stdout(std::process::Stdio::null())
            .spawn()?;
        let (code, peak_kb) = wait_with_peak(child)?;
        let secs = started.elapsed().as_secs_f64();
        if code != 0 {
            return Err(Error::failure(format!(
                "filter eval --watchlist failed (exit {code})"
            )));
        }
        if secs < best.0 {
            best = (secs, peak_kb as f64 / 1024.0);
        }
    }
    Ok(best)
}

/// Wait for a child; its exit code and peak resident memory (KiB), from the kernel's
/// accounting of the finished process.
fn wait_with_peak(child: std::process::Child) -> Result<(i32, i64), Error> {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child's, not yet waited for; the pointers are valid.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if r != pid {
        return Err(Error::failure(format!(
            "waiting for the child: {}",
            std::io::Error::last_os_error()
        )));
    }
    std::mem::forget(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok((code, usage.ru_maxrss))
}

/// The lookup alone: `POSITIONS` positions (half near cones, half anywhere) on one core.
pub fn lookup_row(w: &Watchlist) -> Row {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let positions: Vec<(f64, f64)> = (0..POSITIONS)
        .map(|i| {
            if i % 2 == 0 {
                let c = w.cone(rng.random_range(0..w.len() as u32));
                (c.ra, (c.dec + 1e-4).min(90.0))
            } else {
                on_sphere(&mut rng)
            }
        })
        .collect();
    let mut hits = Vec::new();
    let mut best = f64::INFINITY;
    let mut found = 0;
    for _ in 0..3 {
        found = 0;
        let started = Instant::now();
        for &(ra, dec) in &positions {
            w.lookup(ra, dec, &mut hits);
            found += hits.len();
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    std::hint::black_box(found);
    Row {
        stage: format!("(c) watchlist lookup alone, {CONES} cones (positions)"),
        alerts: POSITIONS,
        bytes: 0,
        seconds: best,
        cpu: None,
    }
}

/// The filters with the watchlist filter added, and the sky it asks about.
pub fn with_watchlist(defs: &[FilterDef], csv: &Path) -> Result<(Vec<FilterDef>, Arc<Sky>), Error> {
    let mut all = defs.to_vec();
    all.push(FilterDef {
        max_per_visit: 0,
        ..FilterDef::new("Watchlist", FILTER)
    });
    let w = Watchlist::load(csv, alertctl::sky::DEFAULT_RADIUS_ARCSEC)
        .map_err(|e| Error::failure(e.to_string()))?;
    let mut sky = Sky::default();
    sky.watchlists.insert("bench".into(), Arc::new(w));
    Ok((all, Arc::new(sky)))
}

/// Fink's published live crossmatch rates per core (fink-broker #476), as rows beside ours.
pub fn fink_rows() -> Vec<Row> {
    [("VSX", 100), ("GCVS", 1200)]
        .into_iter()
        .map(|(cat, rate)| Row {
            stage: format!("(c) Fink's live crossmatch, {cat} (published, per core)"),
            alerts: rate,
            bytes: 0,
            seconds: 1.0,
            cpu: None,
        })
        .collect()
}

/// The filters file with the watchlist declared.
pub fn toml_with_watchlist(toml: &str, csv: &Path) -> String {
    format!(
        "[watchlists]\nbench = {}\n\n{toml}\n[[filter]]\nname = \"Watchlist\"\nexpr = {}\nmax_per_visit = 0\n",
        toml_string(&csv.display().to_string()),
        toml_string(FILTER)
    )
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Where the benchmark's watchlist is.
pub fn csv_path(dir: &Path) -> PathBuf {
    dir.join("watchlist-1m.csv")
}
