//! The registry's durable store: SQLite in WAL mode with synchronous commits, so
//! every acknowledged change survives a crash (kill -9) of the server.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::{json, Value};

use super::{Mode, RegistryError};
use crate::formats::avro::compat::{check_level_until, Level, Parsed};
use crate::formats::avro::AlertSchema;

type Result<T> = std::result::Result<T, RegistryError>;

fn db<E: std::fmt::Display>(e: E) -> RegistryError {
    RegistryError::store(e)
}

/// One registered version of a subject.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionRecord {
    /// Subject.
    pub subject: String,
    /// Version within the subject.
    pub version: u32,
    /// Global schema id.
    pub id: u32,
    /// The schema text.
    pub schema: String,
    /// Metadata given at registration, if any.
    pub metadata: Option<Value>,
}

impl VersionRecord {
    /// Confluent's JSON for a version.
    pub fn to_json(&self) -> Value {
        let mut v = json!({"subject": self.subject, "version": self.version, "id": self.id, "schema": self.schema});
        if let Some(m) = &self.metadata {
            v["metadata"] = m.clone();
        }
        v
    }
}

/// What to register.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    /// The schema text (Avro JSON).
    pub schema: String,
    /// `schemaType`: only AVRO (or none) is accepted.
    pub schema_type: Option<String>,
    /// An explicit id (IMPORT mode).
    pub id: Option<u32>,
    /// An explicit version (IMPORT mode).
    pub version: Option<u32>,
    /// Metadata to keep with the version.
    pub metadata: Option<Value>,
}

/// The store.
pub struct Store {
    conn: Mutex<Connection>,
    default_level: Level,
}

/// The identity of a schema: its JSON, compacted. The same schema under two
/// subjects gets one id.
pub fn schema_key(text: &str) -> Result<(String, AlertSchema)> {
    let parsed = AlertSchema::from_json_str(text, Path::new("request")).map_err(|e| {
        let msg = e.to_string();
        RegistryError::invalid_schema(
            msg.trim_start_matches("request is not a valid Avro schema: ")
                .trim_start_matches("request is "),
        )
    })?;
    let key = serde_json::to_string(&parsed.json).map_err(db)?;
    Ok((key, parsed))
}

impl Store {
    /// Open (or create) the store in `dir`.
    pub fn open(dir: &Path, default_level: Level) -> Result<Store> {
        std::fs::create_dir_all(dir)
            .map_err(|e| RegistryError::store(format!("{}: {e}", dir.display())))?;
        let conn = Connection::open(dir.join("registry.sqlite")).map_err(db)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous=FULL;
             PRAGMA busy_timeout=5000;
             CREATE TABLE IF NOT EXISTS schemas (id INTEGER PRIMARY KEY, schema TEXT NOT NULL, key TEXT NOT NULL UNIQUE);
             CREATE TABLE IF NOT EXISTS versions (subject TEXT NOT NULL, version INTEGER NOT NULL, schema_id INTEGER NOT NULL,
                 deleted INTEGER NOT NULL DEFAULT 0, metadata TEXT, PRIMARY KEY (subject, version));
             CREATE TABLE IF NOT EXISTS config (subject TEXT PRIMARY KEY, level TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS mode (subject TEXT PRIMARY KEY, mode TEXT NOT NULL);",
        )
        .map_err(db)?;
        Ok(Store {
            conn: Mutex::new(conn),
            default_level,
        })
    }

    fn with<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| RegistryError::store("lock poisoned"))?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let out = f(&tx)?;
        tx.commit().map_err(db)?;
        Ok(out)
    }

    /// The mode in force for a subject ("" for the global mode).
    pub fn mode(&self, subject: &str) -> Result<Mode> {
        self.with(|tx| mode_of(tx, subject))
    }

    /// The mode set for exactly this subject (None: inherits the global mode).
    pub fn subject_mode(&self, subject: &str) -> Result<Option<Mode>> {
        self.with(|tx| {
            let m: Option<String> = tx
                .query_row("SELECT mode FROM mode WHERE subject=?", [subject], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(db)?;
            Ok(m.and_then(|m| Mode::parse(&m)))
        })
    }

    /// Set the mode of a subject ("" for global). IMPORT needs an empty registry
    /// (or subject) unless `force`.
    pub fn set_mode(&self, subject: &str, mode: Mode, force: bool) -> Result<()> {
        self.with(|tx| {
            if mode == Mode::Import && !force {
                let live: i64 = if subject.is_empty() {
                    tx.query_row("SELECT COUNT(*) FROM versions", [], |r| r.get(0))
                } else {
                    tx.query_row("SELECT COUNT(*) FROM versions WHERE subject=?", [subject], |r| r.get(0))
                }
                .map_err(db)?;
                if live > 0 {
                    return Err(RegistryError::new(42205, format!(
                        "Cannot import since found existing subjects{}: delete them permanently first, or pass force=true",
                        if subject.is_empty() { String::new() } else { format!(" ({subject})") }
                    )));
                }
            }
            tx.execute("INSERT OR REPLACE INTO mode(subject, mode) VALUES (?, ?)", params![subject, mode.name()]).map_err(db)?;
            Ok(())
        })
    }

    /// The compatibility level for a subject: its own, else the global one.
    pub fn level(&self, subject: &str) -> Result<Level> {
        self.with(|tx| level_of(tx, subject, self.default_level))
    }

    /// The level configured for exactly this subject ("" for global; global always has one).
    pub fn subject_level(&self, subject: &str) -> Result<Option<Level>> {
        self.with(|tx| {
            let l: Option<String> = tx
                .query_row("SELECT level FROM config WHERE subject=?", [subject], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(db)?;
            Ok(l.and_then(|l| Level::parse(&l)).or(if subject.is_empty() {
                Some(self.default_level)
            } else {
                None
            }))
        })
    }

    /// Set the level of a subject ("" for global).
    pub fn set_level(&self, subject: &str, level: Level) -> Result<()> {
        self.with(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO config(subject, level) VALUES (?, ?)",
                params![subject, level.name()],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    /// Register a schema under a subject; returns its id.
    ///
    /// The compatibility check runs outside the store's lock (other requests go on
    /// meanwhile) and gives up after [`CHECK_TIMEOUT`]. Before writing, the subject is
    /// read again; if another registration changed it, the check is made again.
    pub fn register(&self, subject: &str, reg: &Registration) -> Result<u32> {
        if let Some(t) = reg
            .schema_type
            .as_deref()
            .filter(|t| !t.eq_ignore_ascii_case("AVRO"))
        {
            return Err(RegistryError::new(
                42201,
                format!("Invalid schema type {t}: this registry stores AVRO schemas"),
            ));
        }
        if let Some(id) = reg.id {
            check_id(i64::from(id))?;
        }
        let (key, parsed) = schema_key(&reg.schema)?;
        let new = Parsed::from_json(&parsed.json).map_err(|e| RegistryError::invalid_schema(&e))?;
        for _ in 0..8 {
            let seen = match self.with(|tx| self.prepare(tx, subject, reg, &key))? {
                Step::Done(id) => return Ok(id),
                Step::Check(seen) => seen,
            };
            if let Some((level, earlier)) = &seen {
                self.check(subject, *level, &new, earlier)?;
            }
            let written = self.with(|tx| match self.prepare(tx, subject, reg, &key)? {
                Step::Done(id) => Ok(Some(id)),
                Step::Check(now) if now != seen => Ok(None),
                Step::Check(_) => self.insert(tx, subject, reg, &key).map(Some),
            })?;
            if let Some(id) = written {
                return Ok(id);
            }
        }
        Err(RegistryError::store(format!(
            "subject {subject} kept changing while this schema was checked: try again"
        )))
    }

    /// What registering needs to know, read under the lock: the answer, when it is
    /// already registered; else the level and earlier schemas to check against (None in
    /// IMPORT mode).
    fn prepare(
        &self,
        tx: &rusqlite::Transaction<'_>,
        subject: &str,
        reg: &Registration,
        key: &str,
    ) -> Result<Step> {
        let mode = mode_of(tx, subject)?;
        if mode == Mode::ReadOnly {
            return Err(RegistryError::not_permitted(format!(
                "Subject {subject} is in read-only mode"
            )));
        }
        if reg.id.is_some() && mode != Mode::Import {
            return Err(RegistryError::not_permitted(format!(
                "Subject {subject} is not in import mode: a schema id may only be given in IMPORT mode"
            )));
        }
        let existing_id: Option<u32> = tx
            .query_row("SELECT id FROM schemas WHERE key=?", [key], |r| r.get(0))
            .optional()
            .map_err(db)?;
        // Registered here already: the same answer again.
        if let Some(id) = existing_id {
            let here: Option<u32> = tx
                .query_row(
                    "SELECT version FROM versions WHERE subject=? AND schema_id=? AND deleted=0",
                    params![subject, id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db)?;
            if here.is_some() && reg.id.is_none_or(|i| i == id) {
                return Ok(Step::Done(id));
            }
        }
        if mode == Mode::Import {
            return Ok(Step::Check(None));
        }
        let level = level_of(tx, subject, self.default_level)?;
        let mut stmt = tx
            .prepare("SELECT v.version, s.schema FROM versions v JOIN schemas s ON s.id=v.schema_id WHERE v.subject=? AND v.deleted=0 ORDER BY v.version")
            .map_err(db)?;
        let rows = stmt
            .query_map([subject], |r| {
                Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(db)?;
        let earlier = rows
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(db)?;
        Ok(Step::Check(Some((level, earlier))))
    }

    /// The compatibility check, outside the lock, with a deadline.
    fn check(
        &self,
        subject: &str,
        level: Level,
        new: &Parsed,
        earlier: &[(u32, String)],
    ) -> Result<()> {
        let mut parsed = Vec::with_capacity(earlier.len());
        for (v, text) in earlier {
            let (_, s) = schema_key(text)?;
            parsed.push((
                v.to_string(),
                Parsed::from_json(&s.json).map_err(RegistryError::store)?,
            ));
        }
        let deadline = std::time::Instant::now() + CHECK_TIMEOUT;
        let checks =
            check_level_until(level, new, &parsed, Some(deadline)).map_err(|_| timed_out())?;
        let problems: Vec<String> = checks
            .into_iter()
            .flat_map(|c| {
                c.incompatibilities
                    .into_iter()
                    .map(move |i| format!("{} version {}: {i}", c.direction, c.against))
            })
            .collect();
        if !problems.is_empty() {
            return Err(RegistryError::new(
                409,
                format!("Schema being registered is incompatible with an earlier schema for subject \"{subject}\" ({}): {}", level.name(), problems.join("; ")),
            ));
        }
        Ok(())
    }

    /// Write a registration, under the lock, once it is known to be allowed.
    fn insert(
        &self,
        tx: &rusqlite::Transaction<'_>,
        subject: &str,
        reg: &Registration,
        key: &str,
    ) -> Result<u32> {
        let existing_id: Option<u32> = tx
            .query_row("SELECT id FROM schemas WHERE key=?", [key], |r| r.get(0))
            .optional()
            .map_err(db)?;
        let id = match (reg.id, existing_id) {
            (Some(want), Some(have)) if want != have => {
                return Err(RegistryError::not_permitted(format!("This schema is already registered with id {have}; it cannot also have id {want}")))
            }
            (Some(want), None) => {
                let taken: Option<String> = tx.query_row("SELECT key FROM schemas WHERE id=?", [want], |r| r.get(0)).optional().map_err(db)?;
                if taken.is_some() {
                    return Err(RegistryError::not_permitted(format!("Overwrite new schema with id {want} is not permitted.")));
                }
                tx.execute("INSERT INTO schemas(id, schema, key) VALUES (?, ?, ?)", params![want, reg.schema, key]).map_err(db)?;
                want
            }
            (_, Some(have)) => have,
            (None, None) => {
                let next: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM schemas", [], |r| r.get(0)).map_err(db)?;
                let next = check_id(next)?;
                tx.execute("INSERT INTO schemas(id, schema, key) VALUES (?, ?, ?)", params![next, reg.schema, key]).map_err(db)?;
                next
            }
        };
        let version = match reg.version {
            Some(v) => {
                let taken: Option<u32> = tx
                    .query_row(
                        "SELECT schema_id FROM versions WHERE subject=? AND version=?",
                        params![subject, v],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(db)?;
                if taken.is_some() {
                    return Err(RegistryError::not_permitted(format!(
                        "Version {v} of subject {subject} already exists"
                    )));
                }
                v
            }
            None => tx
                .query_row(
                    "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE subject=?",
                    [subject],
                    |r| r.get(0),
                )
                .map_err(db)?,
        };
        let metadata = reg.metadata.as_ref().map(Value::to_string);
        tx.execute(
            "INSERT INTO versions(subject, version, schema_id, metadata) VALUES (?, ?, ?, ?)",
            params![subject, version, id, metadata],
        )
        .map_err(db)?;
        Ok(id)
    }

    /// Subjects, sorted (with `deleted`, soft-deleted ones too).
    pub fn subjects(&self, deleted: bool) -> Result<Vec<String>> {
        self.with(|tx| {
            let sql = if deleted {
                "SELECT DISTINCT subject FROM versions ORDER BY subject"
            } else {
                "SELECT DISTINCT subject FROM versions WHERE deleted=0 ORDER BY subject"
            };
            let mut stmt = tx.prepare(sql).map_err(db)?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(db)?;
            rows.collect::<std::result::Result<Vec<String>, _>>()
                .map_err(db)
        })
    }

    /// A subject's versions.
    pub fn versions(&self, subject: &str, deleted: bool) -> Result<Vec<u32>> {
        self.with(|tx| versions_of(tx, subject, deleted))
    }

    /// One version (`None`: the latest).
    pub fn version(
        &self,
        subject: &str,
        version: Option<u32>,
        deleted: bool,
    ) -> Result<VersionRecord> {
        self.with(|tx| {
            let all = versions_of(tx, subject, deleted)?;
            let v = match version {
                Some(v) if all.contains(&v) => v,
                Some(v) => return Err(RegistryError::version_not_found(subject, &v.to_string())),
                None => *all.last().ok_or_else(|| RegistryError::subject_not_found(subject))?,
            };
            tx.query_row(
                "SELECT v.schema_id, s.schema, v.metadata FROM versions v JOIN schemas s ON s.id=v.schema_id WHERE v.subject=? AND v.version=?",
                params![subject, v],
                |r| {
                    Ok(VersionRecord {
                        subject: subject.to_string(),
                        version: v,
                        id: r.get(0)?,
                        schema: r.get(1)?,
                        metadata: r.get::<_, Option<String>>(2)?.and_then(|m| serde_json::from_str(&m).ok()),
                    })
                },
            )
            .map_err(db)
        })
    }

    /// Find a schema under a subject (POST /subjects/{s}).
    pub fn lookup(&self, subject: &str, schema: &str) -> Result<VersionRecord> {
        let (key, _) = schema_key(schema)?;
        let found: Option<u32> = self.with(|tx| {
            versions_of(tx, subject, false)?;
            tx.query_row(
                "SELECT v.version FROM versions v JOIN schemas s ON s.id=v.schema_id WHERE v.subject=? AND s.key=? AND v.deleted=0",
                params![subject, key],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
        })?;
        match found {
            Some(v) => self.version(subject, Some(v), false),
            None => Err(RegistryError::schema_not_found("under this subject")),
        }
    }

    /// A schema by id.
    pub fn schema(&self, id: u32) -> Result<String> {
        self.with(|tx| {
            tx.query_row("SELECT schema FROM schemas WHERE id=?", [id], |r| r.get(0))
                .optional()
                .map_err(db)?
                .ok_or_else(|| RegistryError::schema_not_found(&id.to_string()))
        })
    }

    /// The (subject, version) pairs that use a schema id.
    pub fn id_versions(&self, id: u32) -> Result<Vec<(String, u32)>> {
        self.schema(id)?;
        self.with(|tx| {
            let mut stmt = tx.prepare("SELECT subject, version FROM versions WHERE schema_id=? AND deleted=0 ORDER BY subject, version").map_err(db)?;
            let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?))).map_err(db)?;
            rows.collect::<std::result::Result<Vec<_>, _>>().map_err(db)
        })
    }

    fn refuse_if_read_only(tx: &rusqlite::Transaction<'_>, subject: &str) -> Result<()> {
        if mode_of(tx, subject)? == Mode::ReadOnly {
            return Err(RegistryError::not_permitted(format!(
                "Subject {subject} is in read-only mode"
            )));
        }
        Ok(())
    }

    /// Delete a subject: soft (hidden, ids kept) or, after that, permanent. Returns the versions.
    pub fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<u32>> {
        self.with(|tx| {
            Self::refuse_if_read_only(tx, subject)?;
            let all = versions_of(tx, subject, true)?;
            let live = versions_of(tx, subject, false).unwrap_or_default();
            if permanent {
                if !live.is_empty() {
                    return Err(RegistryError::new(40405, format!("Subject '{subject}' was not deleted first before being permanently deleted")));
                }
                tx.execute("DELETE FROM versions WHERE subject=?", [subject]).map_err(db)?;
                tx.execute("DELETE FROM config WHERE subject=?", [subject]).map_err(db)?;
                Ok(all)
            } else {
                if live.is_empty() {
                    return Err(RegistryError::new(40404, format!("Subject '{subject}' was soft deleted. Set permanent=true to delete permanently")));
                }
                tx.execute("UPDATE versions SET deleted=1 WHERE subject=?", [subject]).map_err(db)?;
                Ok(live)
            }
        })
    }

    /// Delete one version: soft or, after that, permanent.
    pub fn delete_version(
        &self,
        subject: &str,
        version: Option<u32>,
        permanent: bool,
    ) -> Result<u32> {
        self.with(|tx| {
            Self::refuse_if_read_only(tx, subject)?;
            let all = versions_of(tx, subject, true)?;
            let live = versions_of(tx, subject, false).unwrap_or_default();
            let v = match version {
                Some(v) if all.contains(&v) => v,
                Some(v) => return Err(RegistryError::version_not_found(subject, &v.to_string())),
                None => *live.last().ok_or_else(|| RegistryError::subject_not_found(subject))?,
            };
            if permanent {
                if live.contains(&v) {
                    return Err(RegistryError::new(40407, format!("Subject '{subject}' Version {v} was not deleted first before being permanently deleted")));
                }
                tx.execute("DELETE FROM versions WHERE subject=? AND version=?", params![subject, v]).map_err(db)?;
            } else {
                if !live.contains(&v) {
                    return Err(RegistryError::new(40406, format!("Subject '{subject}' Version {v} was soft deleted. Set permanent=true to delete permanently")));
                }
                tx.execute("UPDATE versions SET deleted=1 WHERE subject=? AND version=?", params![subject, v]).map_err(db)?;
            }
            Ok(v)
        })
    }

    /// Test a schema against a subject's version (or all versions, when `version` is
    /// `None` and `all`) at the subject's level; returns the problems (empty: compatible).
    pub fn compatibility(
        &self,
        subject: &str,
        version: Option<u32>,
        all: bool,
        schema: &str,
    ) -> Result<Vec<String>> {
        let (_, parsed) = schema_key(schema)?;
        let new = Parsed::from_json(&parsed.json).map_err(|e| RegistryError::invalid_schema(&e))?;
        let level = self.level(subject)?;
        let targets: Vec<VersionRecord> = if all {
            self.versions(subject, false)?
                .into_iter()
                .map(|v| self.version(subject, Some(v), false))
                .collect::<Result<_>>()?
        } else {
            vec![self.version(subject, version, false)?]
        };
        let mut earlier = Vec::new();
        for t in &targets {
            let (_, s) = schema_key(&t.schema)?;
            earlier.push((
                t.version.to_string(),
                Parsed::from_json(&s.json).map_err(RegistryError::store)?,
            ));
        }
        // Against one chosen version, a transitive level means its plain form.
        let level = match (all, level) {
            (false, Level::BackwardTransitive) => Level::Backward,
            (false, Level::ForwardTransitive) => Level::Forward,
            (false, Level::FullTransitive) => Level::Full,
            (_, l) => l,
        };
        let deadline = std::time::Instant::now() + CHECK_TIMEOUT;
        Ok(check_level_until(level, &new, &earlier, Some(deadline))
            .map_err(|_| timed_out())?
            .into_iter()
            .flat_map(|c| {
                c.incompatibilities
                    .into_iter()
                    .map(move |i| format!("{} version {}: {i}", c.direction, c.against))
            })
            .collect())
    }
}

/// Longest a compatibility check may take.
pub const CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// What registering found under the lock.
enum Step {
    /// Registered already: this id.
    Done(u32),
    /// To check against these (level, earlier versions), or nothing in IMPORT mode.
    Check(Option<(Level, Vec<(u32, String)>)>),
}

fn timed_out() -> RegistryError {
    RegistryError::new(
        50002,
        format!(
            "The compatibility check took longer than {} s: the schemas are too large or too nested",
            CHECK_TIMEOUT.as_secs()
        ),
    )
}

/// Confluent's schema ids are positive 32-bit integers.
pub fn check_id(id: i64) -> Result<u32> {
    u32::try_from(id)
        .ok()
        .filter(|i| *i >= 1 && *i <= i32::MAX as u32)
        .ok_or_else(|| {
            RegistryError::new(
                42202,
                format!("Schema id {id} is out of range: ids are 1 to {}", i32::MAX),
            )
        })
}

fn mode_of(tx: &rusqlite::Transaction<'_>, subject: &str) -> Result<Mode> {
    for s in [subject, ""] {
        let m: Option<String> = tx
            .query_row("SELECT mode FROM mode WHERE subject=?", [s], |r| r.get(0))
            .optional()
            .map_err(db)?;
        if let Some(m) = m.and_then(|m| Mode::parse(&m)) {
            return Ok(m);
        }
    }
    Ok(Mode::ReadWrite)
}

fn level_of(tx: &rusqlite::Transaction<'_>, subject: &str, default: Level) -> Result<Level> {
    for s in [subject, ""] {
        let l: Option<String> = tx
            .query_row("SELECT level FROM config WHERE subject=?", [s], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db)?;
        if let Some(l) = l.and_then(|l| Level::parse(&l)) {
            return Ok(l);
        }
    }
    Ok(default)
}

fn versions_of(tx: &rusqlite::Transaction<'_>, subject: &str, deleted: bool) -> Result<Vec<u32>> {
    let sql = if deleted {
        "SELECT version FROM versions WHERE subject=? ORDER BY version"
    } else {
        "SELECT version FROM versions WHERE subject=? AND deleted=0 ORDER BY version"
    };
    let mut stmt = tx.prepare(sql).map_err(db)?;
    let rows = stmt.query_map([subject], |r| r.get(0)).map_err(db)?;
    let v = rows
        .collect::<std::result::Result<Vec<u32>, _>>()
        .map_err(db)?;
    if v.is_empty() {
        return Err(RegistryError::subject_not_found(subject));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str =
        r#"{"type":"record","name":"alert","namespace":"t","fields":[{"name":"a","type":"int"}]}"#;
    const V2: &str = r#"{"type":"record","name":"alert","namespace":"t","fields":[{"name":"a","type":"int"},{"name":"b","type":["null","long"],"default":null}]}"#;
    const BAD: &str = r#"{"type":"record","name":"alert","namespace":"t","fields":[{"name":"a","type":"string"}]}"#;

    fn store() -> (tempfile::TempDir, Store) {
        let d = tempfile::tempdir().unwrap();
        let s = Store::open(d.path(), Level::ForwardTransitive).unwrap();
        (d, s)
    }

    fn reg(schema: &str) -> Registration {
        Registration {
            schema: schema.into(),
            ..Registration::default()
        }
    }

    #[test]
    fn ids_versions_and_one_id_per_schema() {
        let (_d, s) = store();
        assert_eq!(s.register("a", &reg(V1)).unwrap(), 1);
        assert_eq!(s.register("a", &reg(V1)).unwrap(), 1, "idempotent");
        assert_eq!(s.register("a", &reg(V2)).unwrap(), 2);
        assert_eq!(
            s.register("b", &reg(V2)).unwrap(),
            2,
            "the same schema under two subjects has one id"
        );
        assert_eq!(s.versions("a", false).unwrap(), vec![1, 2]);
        assert_eq!(s.version("a", None, false).unwrap().id, 2);
        assert_eq!(s.lookup("b", V2).unwrap().version, 1);
        assert_eq!(
            s.id_versions(2).unwrap(),
            vec![("a".to_string(), 2), ("b".to_string(), 1)]
        );
        let e = s.register("a", &reg(BAD)).unwrap_err();
        assert_eq!(e.code, 409, "{e}");
        assert!(e.message.contains("alert.a"), "{e}");
        assert_eq!(s.register("a", &reg("{\"type\":")).unwrap_err().code, 42201);
        assert_eq!(s.version("nope", None, false).unwrap_err().code, 40401);
        assert_eq!(s.version("a", Some(9), false).unwrap_err().code, 40402);
        assert_eq!(s.schema(77).unwrap_err().code, 40403);
    }

    #[test]
    fn import_mode_takes_ids_and_readonly_refuses() {
        let (_d, s) = store();
        let mut r = reg(V1);
        r.id = Some(1101);
        r.version = Some(1101);
        assert_eq!(
            s.register("alert-packet", &r).unwrap_err().code,
            42205,
            "ids only in IMPORT mode"
        );
        s.set_mode("alert-packet", Mode::Import, false).unwrap();
        assert_eq!(s.register("alert-packet", &r).unwrap(), 1101);
        assert_eq!(
            s.version("alert-packet", Some(1101), false).unwrap().id,
            1101
        );
        // The same schema elsewhere reuses the id.
        assert_eq!(
            s.register("lsst-alerts-v11.1-value", &reg(V1)).unwrap(),
            1101
        );
        s.set_mode("", Mode::ReadOnly, false).unwrap();
        assert_eq!(s.register("x", &reg(V2)).unwrap_err().code, 42205);
    }

    #[test]
    fn ids_stay_in_range() {
        let (_d, s) = store();
        s.set_mode("a", Mode::Import, true).unwrap();
        let big = Registration {
            id: Some(i32::MAX as u32),
            ..reg(r#"{"type":"record","name":"r","fields":[{"name":"x","type":"int"}]}"#)
        };
        assert_eq!(s.register("a", &big).unwrap(), i32::MAX as u32);
        let too_big = Registration {
            id: Some(i32::MAX as u32 + 1),
            ..reg(r#"{"type":"record","name":"r","fields":[{"name":"y","type":"int"}]}"#)
        };
        assert_eq!(s.register("a", &too_big).unwrap_err().code, 42202);
        // The next id after the largest one would overflow: refused, not wrapped.
        s.set_mode("a", Mode::ReadWrite, false).unwrap();
        s.set_level("b", Level::None).unwrap();
        let e = s
            .register("b", &reg(r#"{"type":"record","name":"q","fields":[]}"#))
            .unwrap_err();
        assert_eq!(e.code, 42202, "{}", e.message);
        assert_eq!(check_id(0).unwrap_err().code, 42202);
        assert_eq!(check_id(-5).unwrap_err().code, 42202);
        assert_eq!(check_id(1).unwrap(), 1);
    }

    #[test]
    fn deletes_are_soft_then_permanent() {
        let (_d, s) = store();
        s.register("a", &reg(V1)).unwrap();
        assert_eq!(s.delete_subject("a", true).unwrap_err().code, 40405);
        assert_eq!(s.delete_subject("a", false).unwrap(), vec![1]);
        assert!(s.subjects(false).unwrap().is_empty());
        assert_eq!(s.subjects(true).unwrap(), vec!["a".to_string()]);
        assert_eq!(s.schema(1).unwrap(), V1, "a soft delete keeps the id");
        assert_eq!(s.delete_subject("a", true).unwrap(), vec![1]);
        assert_eq!(s.versions("a", true).unwrap_err().code, 40401);
    }

    #[test]
    fn the_store_survives_reopening() {
        let d = tempfile::tempdir().unwrap();
        {
            let s = Store::open(d.path(), Level::Backward).unwrap();
            s.register("a", &reg(V1)).unwrap();
            s.set_level("a", Level::Full).unwrap();
        }
        let s = Store::open(d.path(), Level::Backward).unwrap();
        assert_eq!(s.version("a", None, false).unwrap().schema, V1);
        assert_eq!(s.level("a").unwrap(), Level::Full);
    }
}
