//! Schemas: what a schema is (its canonical form, fingerprint, id), the versions a tree
//! or a registry holds, compatibility checks against earlier versions, version bumps,
//! and the registry's subjects (register, get, delete, import).

use std::path::{Path, PathBuf};

use serde_json::{json, Value as Json};

use crate::error::Error;
use crate::formats::avro::compat::{check_level, Check, Level, Parsed};
use crate::formats::avro::{self, AlertSchema, Version};
use crate::transport::registry::client::Client;

/// Where schemas are looked for: trees and a registry.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Schema trees (alert_packet layout); the first holds the published versions.
    pub dirs: Vec<PathBuf>,
    /// A registry URL.
    pub registry: Option<String>,
}

impl Sources {
    /// The registry client; an error that says how to give one when there is none.
    pub fn client(&self) -> Result<Client, Error> {
        let url = self.registry.as_deref().ok_or_else(|| {
            Error::usage("this needs a registry: pass --registry URL or set ALERTCTL_REGISTRY")
        })?;
        Ok(Client::new(url, std::time::Duration::from_secs(10)))
    }
}

/// A schema's identity, as `schema show` and `schema list` print it.
pub fn describe(s: &AlertSchema) -> Json {
    json!({
        "name": s.name,
        "version": s.version.map(|v| v.to_string()),
        "id": s.id(),
        "fingerprint": s.fingerprint_hex(),
        "source": s.source.display().to_string(),
        "canonical": s.canonical,
    })
}

/// The built-in sample schema and every version under the trees.
pub fn list(dirs: &[PathBuf]) -> Result<Vec<AlertSchema>, Error> {
    let mut all: Vec<AlertSchema> = vec![avro::builtin_sample()];
    for dir in dirs {
        for v in avro::list_versions(dir)? {
            all.push(avro::load_version(dir, v)?);
        }
    }
    Ok(all)
}

/// A registry's subjects and their versions.
pub fn subjects(sources: &Sources) -> Result<Vec<(String, Vec<u32>)>, Error> {
    let c = sources.client()?;
    c.subjects()?
        .into_iter()
        .map(|s| {
            let v = c.versions(&s)?;
            Ok((s, v))
        })
        .collect()
}

/// Load a schema argument: a version under the trees, a `.avsc` file, or a file of a
/// version directory. A schema that cannot be loaded is a usage error.
fn load(arg: &str, dirs: &[PathBuf]) -> Result<(String, Parsed, Option<Version>), Error> {
    let (label, s) = avro::load_ref(arg, dirs).map_err(|e| Error::usage(e.to_string()))?;
    let parsed = Parsed::of(&s).map_err(|e| Error::usage(format!("{arg}: {e}")))?;
    Ok((label, parsed, s.version))
}

/// The versions of `major` under the first tree that come before `before`.
fn earlier_in_major(
    dirs: &[PathBuf],
    major: u32,
    before: Option<Version>,
) -> Result<Vec<(String, Parsed)>, Error> {
    let Some(dir) = dirs.first() else {
        return Err(Error::usage("nothing to check against: give --against SCHEMA, or --schema-dir with earlier versions"));
    };
    let mut out = Vec::new();
    for v in avro::list_versions(dir).map_err(|e| Error::usage(e.to_string()))? {
        if v.major == major && before.is_none_or(|b| v < b) {
            let (label, parsed, _) = load(&v.to_string(), dirs)?;
            out.push((label, parsed));
        }
    }
    Ok(out)
}

/// Every version of a registry subject: (label `SUBJECT@V`, id, parsed schema).
fn subject_history(c: &Client, subject: &str) -> Result<Vec<(String, u32, Parsed)>, Error> {
    let mut out = Vec::new();
    for (v, id, text) in c.history(subject)? {
        let s = AlertSchema::from_json_str(&text, Path::new(subject))
            .map_err(|e| Error::failure(e.to_string()))?;
        let p = Parsed::of(&s).map_err(Error::failure)?;
        out.push((format!("{subject}@{v}"), id, p));
    }
    Ok(out)
}

/// A compatibility check's outcome.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The new schema's label.
    pub label: String,
    /// The level checked.
    pub level: Level,
    /// What it was checked against, oldest first.
    pub against: Vec<String>,
    /// Each comparison.
    pub checks: Vec<Check>,
}

impl CheckReport {
    /// Whether every comparison found nothing.
    pub fn compatible(&self) -> bool {
        self.checks.iter().all(|c| c.incompatibilities.is_empty())
    }

    /// The report as JSON.
    pub fn to_json(&self) -> Json {
        json!({"new": self.label, "level": self.level.name(), "compatible": self.compatible(), "checks": checks_json(&self.checks)})
    }

    /// The report for people: the verdict, then each incompatibility.
    pub fn to_text(&self) -> Vec<String> {
        let label = &self.label;
        let verdict = if self.compatible() {
            "compatible"
        } else {
            "NOT compatible"
        };
        let mut out = vec![format!(
            "{label} is {verdict} at {} with {}",
            self.level.name(),
            if self.against.is_empty() {
                "nothing (no earlier versions)".into()
            } else {
                self.against.join(", ")
            }
        )];
        for c in self
            .checks
            .iter()
            .filter(|c| !c.incompatibilities.is_empty())
        {
            let who = if c.direction == "forward" {
                format!("{} reading {label}", c.against)
            } else {
                format!("{label} reading {}", c.against)
            };
            for i in &c.incompatibilities {
                out.push(format!("  {who}: {i}"));
            }
        }
        out
    }
}

fn checks_json(checks: &[Check]) -> Json {
    Json::Array(
        checks
            .iter()
            .map(|c| {
                json!({
                    "against": c.against,
                    "direction": c.direction,
                    "compatible": c.incompatibilities.is_empty(),
                    "incompatibilities": c.incompatibilities.iter().map(|i| json!({"path": i.path, "message": i.message})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// Check `new` at `level` against `against` (schemas), a registry `subject`'s history,
/// or (neither) every earlier version of its MAJOR under the first tree.
pub fn check(
    new: &str,
    against: &[String],
    subject: Option<&str>,
    level: Level,
    sources: &Sources,
) -> Result<CheckReport, Error> {
    let (label, parsed, version) = load(new, &sources.dirs)?;
    let existing = if let Some(subject) = subject {
        subject_history(&sources.client()?, subject)?
            .into_iter()
            .map(|(l, _, p)| (l, p))
            .collect()
    } else if against.is_empty() {
        let v = version.ok_or_else(|| {
            Error::usage(format!("{new} names no version: give --against SCHEMA"))
        })?;
        earlier_in_major(&sources.dirs, v.major, Some(v))?
    } else {
        against
            .iter()
            .map(|x| load(x, &sources.dirs).map(|(l, p, _)| (l, p)))
            .collect::<Result<Vec<_>, _>>()?
    };
    let checks = check_level(level, &parsed, &existing);
    Ok(CheckReport {
        label,
        level,
        against: existing.into_iter().map(|(l, _)| l).collect(),
        checks,
    })
}

/// The newest published MAJOR: its number, highest MINOR, and versions oldest first.
struct Published {
    major: u32,
    top_minor: u32,
    versions: Vec<(String, Parsed)>,
}

/// The newest published MAJOR: from the registry's SUBJECT-N subjects when a registry
/// is given, else from the first tree.
fn published(sources: &Sources, subject: &str) -> Result<Published, Error> {
    if sources.registry.is_some() {
        let c = sources.client()?;
        let prefix = format!("{subject}-");
        let major = c
            .subjects()?
            .iter()
            .filter_map(|s| s.strip_prefix(&prefix).and_then(|n| n.parse::<u32>().ok()))
            .max()
            .ok_or_else(|| Error::failure(format!("no subject {prefix}N in {}", c.url())))?;
        let history = subject_history(&c, &format!("{prefix}{major}"))?;
        // Rubin's ids are MAJOR*100+MINOR; otherwise count the versions.
        let rubin_ids = history.iter().all(|(_, id, _)| id / 100 == major);
        let top_minor = if rubin_ids {
            history.iter().map(|(_, id, _)| id % 100).max().unwrap_or(0)
        } else {
            history.len().saturating_sub(1) as u32
        };
        let versions = history.into_iter().map(|(l, _, p)| (l, p)).collect();
        return Ok(Published {
            major,
            top_minor,
            versions,
        });
    }
    let dir = sources.dirs.first().ok_or_else(|| {
        Error::usage("schema bump needs --registry or --schema-dir with the published versions")
    })?;
    let versions = avro::list_versions(dir).map_err(|e| Error::usage(e.to_string()))?;
    let newest = versions
        .iter()
        .filter(|v| v.major > 0)
        .max()
        .copied()
        .ok_or_else(|| Error::usage(format!("no published versions under {}", dir.display())))?;
    let top = versions
        .iter()
        .filter(|v| v.major == newest.major)
        .map(|v| v.minor)
        .max()
        .unwrap_or(0);
    Ok(Published {
        major: newest.major,
        top_minor: top,
        versions: earlier_in_major(&sources.dirs, newest.major, None)?,
    })
}

/// What a new schema's release is: MINOR when FORWARD_TRANSITIVE-compatible with every
/// version of the newest MAJOR, else a new MAJOR under a new subject.
#[derive(Debug, Clone)]
pub struct Bump {
    /// The new schema's label.
    pub label: String,
    /// The newest published MAJOR.
    pub major: u32,
    /// Whether it is a MINOR release.
    pub minor: bool,
    /// Its version.
    pub next: Version,
    /// Its subject (`SUBJECT-MAJOR`).
    pub subject: String,
    /// The checks behind the verdict.
    pub checks: Vec<Check>,
}

impl Bump {
    /// As JSON.
    pub fn to_json(&self) -> Json {
        json!({"new": self.label, "release": if self.minor { "minor" } else { "major" }, "version": self.next.to_string(), "id": self.next.id(), "subject": self.subject, "checks": checks_json(&self.checks)})
    }

    /// For people.
    pub fn to_text(&self) -> Vec<String> {
        let (label, next, subject) = (&self.label, self.next, &self.subject);
        if self.minor {
            return vec![format!(
                "{label}: a MINOR release of {}: version {next}, id {}, subject {subject}",
                self.major,
                next.id()
            )];
        }
        let mut out = vec![format!("{label}: needs a new MAJOR (not FORWARD_TRANSITIVE with {}.x): version {next}, id {}, new subject {subject}", self.major, next.id())];
        for c in self
            .checks
            .iter()
            .filter(|c| !c.incompatibilities.is_empty())
        {
            for i in c.incompatibilities.iter().take(5) {
                out.push(format!("  {} reading {label}: {i}", c.against));
            }
        }
        out
    }
}

/// Decide a new schema's version against the published ones.
pub fn bump(new: &str, subject: &str, sources: &Sources) -> Result<Bump, Error> {
    let (label, parsed, _) = load(new, &sources.dirs)?;
    let p = published(sources, subject)?;
    let checks = check_level(Level::ForwardTransitive, &parsed, &p.versions);
    let minor = checks.iter().all(|c| c.incompatibilities.is_empty());
    let next = if minor {
        Version {
            major: p.major,
            minor: p.top_minor + 1,
        }
    } else {
        Version {
            major: p.major + 1,
            minor: 0,
        }
    };
    Ok(Bump {
        label,
        major: p.major,
        minor,
        next,
        subject: format!("{subject}-{}", next.major),
        checks,
    })
}

/// `SUBJECT[@VERSION|@latest]`.
pub fn subject_at(what: &str) -> Result<(String, Option<u32>), Error> {
    match what.rsplit_once('@') {
        Some((s, "latest")) => Ok((s.to_string(), None)),
        Some((s, v)) => Ok((
            s.to_string(),
            Some(
                v.parse()
                    .map_err(|_| Error::usage(format!("`{v}` is not a version number")))?,
            ),
        )),
        None => Ok((what.to_string(), None)),
    }
}

/// Register a schema under a subject; returns its id.
pub fn register(
    schema: &str,
    subject: &str,
    id: Option<u32>,
    version: Option<u32>,
    sources: &Sources,
) -> Result<u32, Error> {
    let (_, s) = avro::load_ref(schema, &sources.dirs).map_err(|e| Error::usage(e.to_string()))?;
    Ok(sources
        .client()?
        .register(subject, &s.canonical, id, version)?)
}

/// A registry's answer for a schema id, or a subject's version.
pub fn get(what: &str, sources: &Sources) -> Result<Json, Error> {
    let c = sources.client()?;
    Ok(match what.parse::<u32>() {
        Ok(id) => {
            let mut v = c.schema_answer(id)?;
            v["id"] = json!(id);
            v
        }
        Err(_) => {
            let (subject, version) = subject_at(what)?;
            c.version(&subject, version)?
        }
    })
}

/// Delete a subject, or one version of it; returns the registry's answer.
pub fn delete(what: &str, permanent: bool, sources: &Sources) -> Result<(String, Json), Error> {
    let (subject, version) = subject_at(what)?;
    let answer = sources.client()?.delete(&subject, version, permanent)?;
    Ok((subject, serde_json::to_value(answer).unwrap_or(Json::Null)))
}

/// One version imported: its version, id, and the two subjects it is under.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The version.
    pub version: Version,
    /// Its id under the main subject.
    pub id: u32,
    /// Its id under `lsst-alerts-vM.m-value`.
    pub topic_subject_id: u32,
}

/// Import every version of a tree into a registry, as Rubin's sync script does.
pub fn import(dir: &Path, subject: &str, sources: &Sources) -> Result<Vec<Imported>, Error> {
    let c = sources.client()?;
    if avro::list_versions(dir)
        .map_err(|e| Error::usage(e.to_string()))?
        .is_empty()
    {
        return Err(Error::usage(format!(
            "no MAJOR/MINOR schema directories under {}",
            dir.display()
        )));
    }
    Ok(c.import_tree(dir, subject)?
        .into_iter()
        .map(|i| Imported {
            version: i.version,
            id: i.id,
            topic_subject_id: i.topic_subject_id,
        })
        .collect())
}
