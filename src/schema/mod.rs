//! Rubin alert schemas: versions, loading, canonical form and fingerprints.
//!
//! Rubin publishes each schema version as a directory of `.avsc` files in the
//! `alert_packet` layout, `DIR/<MAJOR>/<MINOR>/lsst.vM_m.<record>.avsc`, one named
//! record per file, the files referring to each other's types by full name
//! (`lsst.v11_0.diaSource`). This module loads such a directory in any file
//! order by inlining every named type at its first use, which yields one
//! self-contained schema: the one a registry stores and a Kafka consumer decodes
//! with. Each version has a 4-byte id, `MAJOR*100+MINOR` (11.1 -> 1101).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

pub mod compat;

use serde_json::{Map, Value};

/// Errors from loading or looking up schemas. Each message names the file,
/// type or id concerned and, where there is one, what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A `.avsc` file is not JSON.
    #[error("{path} is not valid JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's complaint, with line and column.
        source: serde_json::Error,
    },
    /// The JSON is not a valid Avro schema.
    #[error("{path} is not a valid Avro schema: {reason}")]
    Invalid {
        /// The file (or directory) the schema came from.
        path: PathBuf,
        /// What the Avro parser said.
        reason: String,
    },
    /// A named type is used but defined nowhere.
    #[error("type `{name}` used in {needed_by} is not defined by any .avsc file in {dir}")]
    MissingType {
        /// The full name of the type.
        name: String,
        /// The file whose schema uses it.
        needed_by: String,
        /// The directory that was searched.
        dir: PathBuf,
    },
    /// The same type is defined by two files.
    #[error("type `{name}` is defined twice in {dir}: in {first} and in {second}")]
    DuplicateType {
        /// The full name of the type.
        name: String,
        /// The directory.
        dir: PathBuf,
        /// One defining file.
        first: String,
        /// The other.
        second: String,
    },
    /// A version directory has no `alert` record to start from.
    #[error("{dir} has no alert record (a file defining a record named `alert`)")]
    NoRoot {
        /// The version directory.
        dir: PathBuf,
    },
    /// The requested version is not under the schema directory.
    #[error("schema version {version} is not under {dir} (it has: {available})")]
    NoVersion {
        /// The version asked for.
        version: Version,
        /// The schema root searched.
        dir: PathBuf,
        /// The versions found there, comma separated.
        available: String,
    },
    /// A packet names a schema id that is not known.
    #[error("unknown schema id {id} (version {version}): {searched}")]
    UnknownId {
        /// The 4-byte id from the packet.
        id: u32,
        /// The version it stands for (`id / 100` . `id % 100`).
        version: Version,
        /// Where alertctl looked, and how to point it elsewhere.
        searched: String,
    },
    /// The registry could not give a schema.
    #[error("{message}")]
    Registry {
        /// What went wrong.
        message: String,
        /// Whether asking again later may succeed (the registry did not answer).
        transient: bool,
    },
    /// A version string that is not `MAJOR.MINOR`.
    #[error("`{0}` is not a schema version: write MAJOR.MINOR, e.g. 11.1")]
    BadVersion(String),
}

/// A `MAJOR.MINOR` alert schema version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Incompatible changes start a new major version (and registry subject).
    pub major: u32,
    /// Forward-compatible additions within a major version.
    pub minor: u32,
}

impl Version {
    /// The schema id Rubin registers this version under: `MAJOR*100+MINOR`.
    pub fn id(self) -> u32 {
        self.major * 100 + self.minor
    }

    /// The version a schema id stands for (the inverse of [`Version::id`]).
    pub fn from_id(id: u32) -> Version {
        Version {
            major: id / 100,
            minor: id % 100,
        }
    }

    /// The Avro namespace Rubin uses for this version, `lsst.vM_m`.
    pub fn namespace(self) -> String {
        format!("lsst.v{}_{}", self.major, self.minor)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for Version {
    type Err = SchemaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || SchemaError::BadVersion(s.to_string());
        let (major, minor) = s.trim().split_once('.').ok_or_else(bad)?;
        let major: u32 = major.parse().map_err(|_| bad())?;
        let minor: u32 = minor.parse().map_err(|_| bad())?;
        // The id scheme has two decimal digits for the minor version.
        if minor >= 100 || major > 40_000_000 {
            return Err(bad());
        }
        Ok(Version { major, minor })
    }
}

/// One loaded, self-contained alert schema.
#[derive(Debug, Clone)]
pub struct AlertSchema {
    /// The full name of the top-level record (`lsst.v11_0.alert`).
    pub name: String,
    /// The version, when known from the directory or the namespace.
    pub version: Option<Version>,
    /// The self-contained schema JSON, every named type defined at its first use.
    pub json: Value,
    /// The parsed schema, for encoding and decoding.
    pub avro: apache_avro::Schema,
    /// The Parsing Canonical Form (Avro specification).
    pub canonical: String,
    /// The CRC-64-AVRO (Rabin) fingerprint of the canonical form.
    pub fingerprint: u64,
    /// Where it was loaded from (a directory, a file, or `built-in`).
    pub source: PathBuf,
    named: HashMap<String, Value>,
}

impl AlertSchema {
    /// The schema id: the version's id when the version is known.
    pub fn id(&self) -> Option<u32> {
        self.version.map(Version::id)
    }

    /// The fingerprint as 16 hex digits of its 8 little-endian bytes: the byte order of
    /// Avro's single-object encoding, Java's `SchemaNormalization` and fastavro.
    pub fn fingerprint_hex(&self) -> String {
        format!("{:016x}", self.fingerprint.swap_bytes())
    }

    /// The definition of a named type by full name, as inlined in [`AlertSchema::json`].
    pub fn named_type(&self, full_name: &str) -> Option<&Value> {
        self.named.get(full_name)
    }

    /// Build a schema from self-contained JSON text (a registry answer, an OCF header).
    pub fn from_json_str(text: &str, source: &Path) -> Result<AlertSchema, SchemaError> {
        let json: Value = serde_json::from_str(text).map_err(|e| SchemaError::Json {
            path: source.to_path_buf(),
            source: e,
        })?;
        let defs = BTreeMap::new();
        let mut inl = Inliner::new(&defs, source);
        let inlined = inl.inline(&json, None, &source.display().to_string())?;
        finish(inlined, inl.named, source, None)
    }
}

/// The 64-bit Rabin fingerprint (CRC-64-AVRO) of `data`, as the Avro specification defines it.
pub fn rabin_fingerprint(data: &[u8]) -> u64 {
    const EMPTY: u64 = 0xc15d_213a_a4d7_a795;
    let mut table = [0u64; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut fp = i as u64;
        for _ in 0..8 {
            fp = (fp >> 1) ^ (EMPTY & (fp & 1).wrapping_neg());
        }
        *slot = fp;
    }
    data.iter().fold(EMPTY, |fp, &b| {
        (fp >> 8) ^ table[((fp ^ u64::from(b)) & 0xff) as usize]
    })
}

/// The versions present under a schema root in the alert_packet layout, sorted.
pub fn list_versions(root: &Path) -> Result<Vec<Version>, SchemaError> {
    let io = |e| SchemaError::Io {
        path: root.to_path_buf(),
        source: e,
    };
    let mut out = Vec::new();
    for major in std::fs::read_dir(root).map_err(io)? {
        let major = major.map_err(io)?;
        let Some(maj) = major
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(minors) = std::fs::read_dir(major.path()) else {
            continue;
        };
        for minor in minors.flatten() {
            let Some(min) = minor
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            if min < 100 && has_avsc(&minor.path()) {
                out.push(Version {
                    major: maj,
                    minor: min,
                });
            }
        }
    }
    out.sort();
    Ok(out)
}

fn has_avsc(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "avsc"))
        })
        .unwrap_or(false)
}

/// Load version `version` from a schema root in the alert_packet layout
/// (`root/<MAJOR>/<MINOR>/*.avsc`).
pub fn load_version(root: &Path, version: Version) -> Result<AlertSchema, SchemaError> {
    let dir = root
        .join(version.major.to_string())
        .join(version.minor.to_string());
    if !has_avsc(&dir) {
        if !root.is_dir() {
            return Err(SchemaError::Io {
                path: root.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory"),
            });
        }
        let available = list_versions(root)?
            .iter()
            .map(Version::to_string)
            .collect::<Vec<_>>();
        return Err(SchemaError::NoVersion {
            version,
            dir: root.to_path_buf(),
            available: if available.is_empty() {
                "no MAJOR/MINOR directories with .avsc files".into()
            } else {
                available.join(", ")
            },
        });
    }
    let mut sources = Vec::new();
    let rd = std::fs::read_dir(&dir).map_err(|e| SchemaError::Io {
        path: dir.clone(),
        source: e,
    })?;
    for entry in rd.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "avsc") {
            let text = std::fs::read_to_string(&path).map_err(|e| SchemaError::Io {
                path: path.clone(),
                source: e,
            })?;
            sources.push((path, text));
        }
    }
    load_sources(&dir, &sources, Some(version))
}

/// Load a schema from one `.avsc` file holding a self-contained schema. The
/// version is taken from a Rubin-style namespace (`lsst.v11_1`) when there is one.
pub fn load_file(path: &Path) -> Result<AlertSchema, SchemaError> {
    let text = std::fs::read_to_string(path).map_err(|e| SchemaError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let mut schema = AlertSchema::from_json_str(&text, path)?;
    schema.version = version_from_name(&schema.name);
    Ok(schema)
}

/// The version encoded in a Rubin-style full name: `lsst.v11_1.alert` -> 11.1.
pub fn version_from_name(full_name: &str) -> Option<Version> {
    full_name.split('.').find_map(|part| {
        let rest = part.strip_prefix('v')?;
        let (maj, min) = rest.split_once('_')?;
        format!("{maj}.{min}").parse().ok()
    })
}

/// Load one version from `(path, text)` pairs, one named type per file, in any order.
pub fn load_sources(
    dir: &Path,
    sources: &[(PathBuf, String)],
    version: Option<Version>,
) -> Result<AlertSchema, SchemaError> {
    let mut defs: BTreeMap<String, (Value, String)> = BTreeMap::new();
    for (path, text) in sources {
        let json: Value = serde_json::from_str(text).map_err(|e| SchemaError::Json {
            path: path.clone(),
            source: e,
        })?;
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut found = Vec::new();
        collect_named(&json, None, &mut found);
        for (name, def) in found {
            if let Some((_, first)) = defs.get(&name) {
                return Err(SchemaError::DuplicateType {
                    name,
                    dir: dir.to_path_buf(),
                    first: first.clone(),
                    second: file.clone(),
                });
            }
            defs.insert(name, (def, file.clone()));
        }
    }
    let root = defs
        .iter()
        .filter(|(name, (def, _))| {
            name.rsplit('.').next() == Some("alert") && def.get("type") == Some(&"record".into())
        })
        .map(|(name, _)| name.clone())
        .next()
        .ok_or_else(|| SchemaError::NoRoot {
            dir: dir.to_path_buf(),
        })?;
    let (root_def, root_file) = defs[&root].clone();
    let mut inl = Inliner::new(&defs, dir);
    let inlined = inl.inline(&root_def, None, &root_file)?;
    finish(inlined, inl.named, dir, version)
}

fn finish(
    json: Value,
    named: HashMap<String, Value>,
    source: &Path,
    version: Option<Version>,
) -> Result<AlertSchema, SchemaError> {
    // Docs do not change the bytes, and apache-avro copies every attribute of every
    // named type each time it resolves the schema (once per encoder or decoder): leave
    // them out of the schema it works with. `json` keeps them.
    let avro =
        apache_avro::Schema::parse(&without_docs(&json)).map_err(|e| SchemaError::Invalid {
            path: source.to_path_buf(),
            reason: e.to_string(),
        })?;
    let name = match &avro {
        apache_avro::Schema::Record(r) => r.name.fullname(None),
        other => format!("{:?}", apache_avro::schema::SchemaKind::from(other)).to_lowercase(),
    };
    // Not apache-avro's canonical_form(): 0.22 keeps logical-typed primitives as
    // {"type":"long"}, where the specification (and Java, and fastavro) write "long".
    let canonical = canonical_form(&json);
    let fingerprint = rabin_fingerprint(canonical.as_bytes());
    Ok(AlertSchema {
        version: version.or_else(|| version_from_name(&name)),
        name,
        json,
        avro,
        canonical,
        fingerprint,
        source: source.to_path_buf(),
        named,
    })
}

/// The Parsing Canonical Form of a self-contained schema, by the Avro specification:
/// full names [FULLNAMES], only the attributes that matter for parsing in the order
/// name, type, fields, symbols, items, values, size [STRIP, ORDER], primitives in
/// their simple form [PRIMITIVES], no white space [WHITESPACE].
pub fn canonical_form(schema: &Value) -> String {
    let mut out = String::with_capacity(4096);
    pcf(schema, None, &mut HashSet::new(), &mut out);
    out
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

fn pcf(schema: &Value, ns: Option<&str>, seen: &mut HashSet<String>, out: &mut String) {
    match schema {
        Value::String(s) if PRIMITIVES.contains(&s.as_str()) => out.push_str(&json_str(s)),
        Value::String(s) => out.push_str(&json_str(&full_name(s, ns))),
        Value::Array(branches) => {
            out.push('[');
            for (i, b) in branches.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pcf(b, ns, seen, out);
            }
            out.push(']');
        }
        Value::Object(obj) => match obj.get("type") {
            Some(Value::String(kind)) if is_named_kind(obj) => {
                let Some((full, own_ns)) = def_name(obj, ns) else {
                    return out.push_str("null");
                };
                if !seen.insert(full.clone()) {
                    return out.push_str(&json_str(&full));
                }
                out.push_str(&format!(
                    "{{\"name\":{},\"type\":{}",
                    json_str(&full),
                    json_str(kind)
                ));
                if let Some(Value::Array(fields)) = obj.get("fields") {
                    out.push_str(",\"fields\":[");
                    for (i, f) in fields.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
                        out.push_str(&format!("{{\"name\":{},\"type\":", json_str(name)));
                        pcf(
                            f.get("type").unwrap_or(&Value::Null),
                            own_ns.as_deref(),
                            seen,
                            out,
                        );
                        out.push('}');
                    }
                    out.push(']');
                }
                if let Some(symbols) = obj.get("symbols") {
                    out.push_str(&format!(",\"symbols\":{symbols}"));
                }
                if let Some(size) = obj.get("size") {
                    out.push_str(&format!(",\"size\":{size}"));
                }
                out.push('}');
            }
            Some(Value::String(kind)) if kind == "array" || kind == "map" => {
                let (key, inner) = if kind == "array" {
                    ("items", "items")
                } else {
                    ("values", "values")
                };
                out.push_str(&format!("{{\"type\":{},\"{key}\":", json_str(kind)));
                pcf(obj.get(inner).unwrap_or(&Value::Null), ns, seen, out);
                out.push('}');
            }
            Some(Value::String(prim)) => out.push_str(&json_str(prim)),
            Some(nested) => pcf(nested, ns, seen, out),
            None => out.push_str("null"),
        },
        other => out.push_str(&other.to_string()),
    }
}

/// A copy of a schema without its `doc` strings.
fn without_docs(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| k.as_str() != "doc")
                .map(|(k, v)| (k.clone(), without_docs(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_docs).collect()),
        other => other.clone(),
    }
}

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// The full name of `name` in `namespace` (Avro: a name with a dot is already full).
pub(crate) fn full_name(name: &str, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) if !name.contains('.') && !ns.is_empty() => format!("{ns}.{name}"),
        _ => name.to_string(),
    }
}

/// The full name and enclosing namespace of a named-type definition.
fn def_name(obj: &Map<String, Value>, enclosing: Option<&str>) -> Option<(String, Option<String>)> {
    let name = obj.get("name")?.as_str()?;
    let ns = obj.get("namespace").and_then(Value::as_str).or(enclosing);
    let full = full_name(name, ns);
    let own_ns = full.rsplit_once('.').map(|(ns, _)| ns.to_string());
    Some((full, own_ns))
}

fn is_named_kind(obj: &Map<String, Value>) -> bool {
    matches!(
        obj.get("type").and_then(Value::as_str),
        Some("record" | "error" | "enum" | "fixed")
    )
}

/// Find every named type defined in `json` (top level and nested).
fn collect_named(json: &Value, ns: Option<&str>, out: &mut Vec<(String, Value)>) {
    match json {
        Value::Array(branches) => branches.iter().for_each(|b| collect_named(b, ns, out)),
        Value::Object(obj) => {
            let mut inner_ns = ns.map(str::to_string);
            if is_named_kind(obj) {
                if let Some((full, own_ns)) = def_name(obj, ns) {
                    out.push((full, json.clone()));
                    inner_ns = own_ns;
                }
            }
            for key in ["type", "items", "values"] {
                if let Some(t) = obj.get(key) {
                    if !t.is_string() {
                        collect_named(t, inner_ns.as_deref(), out);
                    }
                }
            }
            if let Some(Value::Array(fields)) = obj.get("fields") {
                for f in fields {
                    if let Some(t) = f.get("type") {
                        collect_named(t, inner_ns.as_deref(), out);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Rewrites a schema so that every named type is defined at its first use.
struct Inliner<'a> {
    defs: &'a BTreeMap<String, (Value, String)>,
    dir: &'a Path,
    named: HashMap<String, Value>,
    in_progress: HashSet<String>,
}

impl<'a> Inliner<'a> {
    fn new(defs: &'a BTreeMap<String, (Value, String)>, dir: &'a Path) -> Self {
        Inliner {
            defs,
            dir,
            named: HashMap::new(),
            in_progress: HashSet::new(),
        }
    }

    fn seen(&self, name: &str) -> bool {
        self.named.contains_key(name) || self.in_progress.contains(name)
    }

    fn inline(&mut self, ty: &Value, ns: Option<&str>, file: &str) -> Result<Value, SchemaError> {
        match ty {
            Value::String(s) if PRIMITIVES.contains(&s.as_str()) => Ok(ty.clone()),
            Value::String(s) => self.reference(s, ns, file),
            Value::Array(branches) => branches
                .iter()
                .map(|b| self.inline(b, ns, file))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::Object(obj) => self.object(obj, ns, file),
            other => Ok(other.clone()),
        }
    }

    fn reference(
        &mut self,
        name: &str,
        ns: Option<&str>,
        file: &str,
    ) -> Result<Value, SchemaError> {
        let mut candidates = vec![full_name(name, ns)];
        if !candidates.contains(&name.to_string()) {
            candidates.push(name.to_string());
        }
        if let Some(full) = candidates.iter().find(|c| self.seen(c)) {
            return Ok(Value::String(full.clone()));
        }
        let Some((full, (def, def_file))) = candidates
            .iter()
            .find_map(|c| self.defs.get_key_value(c.as_str()))
        else {
            return Err(SchemaError::MissingType {
                name: candidates[0].clone(),
                needed_by: file.to_string(),
                dir: self.dir.to_path_buf(),
            });
        };
        let (def, def_file) = (def.clone(), def_file.clone());
        let enclosing = full.rsplit_once('.').map(|(ns, _)| ns.to_string());
        self.inline(&def, enclosing.as_deref(), &def_file)
    }

    fn object(
        &mut self,
        obj: &Map<String, Value>,
        ns: Option<&str>,
        file: &str,
    ) -> Result<Value, SchemaError> {
        let mut out = obj.clone();
        match obj.get("type") {
            Some(Value::String(kind)) if matches!(kind.as_str(), "array") => {
                if let Some(items) = obj.get("items") {
                    out.insert("items".into(), self.inline(items, ns, file)?);
                }
            }
            Some(Value::String(kind)) if matches!(kind.as_str(), "map") => {
                if let Some(values) = obj.get("values") {
                    out.insert("values".into(), self.inline(values, ns, file)?);
                }
            }
            Some(Value::String(_)) if is_named_kind(obj) => {
                let Some((full, own_ns)) = def_name(obj, ns) else {
                    return Ok(out.into()); // no name: the Avro parser will say so
                };
                if self.seen(&full) {
                    return Ok(Value::String(full));
                }
                // Make the namespace explicit so the definition reads the same wherever it lands.
                if let (Some(own), Some(name)) = (&own_ns, obj.get("name").and_then(Value::as_str))
                {
                    if !name.contains('.') {
                        out.insert("namespace".into(), Value::String(own.clone()));
                    }
                }
                self.in_progress.insert(full.clone());
                if let Some(Value::Array(fields)) = obj.get("fields") {
                    let mut new_fields = Vec::with_capacity(fields.len());
                    for f in fields {
                        let mut f2 = f.clone();
                        if let (Some(t), Some(map)) = (f.get("type"), f2.as_object_mut()) {
                            map.insert("type".into(), self.inline(t, own_ns.as_deref(), file)?);
                        }
                        new_fields.push(f2);
                    }
                    out.insert("fields".into(), Value::Array(new_fields));
                }
                self.in_progress.remove(&full);
                self.named.insert(full, Value::Object(out.clone()));
            }
            Some(Value::String(_)) => {} // a primitive, perhaps with a logicalType
            Some(nested) => {
                // {"type": <schema>} wraps another schema.
                out.insert("type".into(), self.inline(nested, ns, file)?);
            }
            None => {}
        }
        Ok(Value::Object(out))
    }
}

/// The project's own compact sample schema, version 0.1 (id 1), built into the binary.
///
/// It keeps Rubin's field names and types for the fields it has, so a filter written
/// for Rubin alerts runs on it unchanged.
pub const SAMPLE_VERSION: Version = Version { major: 0, minor: 1 };

const SAMPLE_SOURCES: [(&str, &str); 4] = [
    (
        "alertctl.v0_1.alert.avsc",
        include_str!("../../sample-data/schema/0/1/alertctl.v0_1.alert.avsc"),
    ),
    (
        "alertctl.v0_1.diaSource.avsc",
        include_str!("../../sample-data/schema/0/1/alertctl.v0_1.diaSource.avsc"),
    ),
    (
        "alertctl.v0_1.diaForcedSource.avsc",
        include_str!("../../sample-data/schema/0/1/alertctl.v0_1.diaForcedSource.avsc"),
    ),
    (
        "alertctl.v0_1.diaObject.avsc",
        include_str!("../../sample-data/schema/0/1/alertctl.v0_1.diaObject.avsc"),
    ),
];

/// Load the built-in sample schema (version 0.1, id 1).
pub fn builtin_sample() -> AlertSchema {
    let sources: Vec<(PathBuf, String)> = SAMPLE_SOURCES
        .iter()
        .map(|(name, text)| (PathBuf::from(name), text.to_string()))
        .collect();
    load_sources(Path::new("built-in"), &sources, Some(SAMPLE_VERSION))
        .expect("the built-in sample schema is valid (tested)")
}

/// Pick the schema a command works with: `file` if given; else `version` from
/// `dirs` (the built-in sample schema answers for 0.1); else the newest version
/// under the first directory; else the built-in sample schema.
pub fn select(
    dirs: &[PathBuf],
    version: Option<Version>,
    file: Option<&Path>,
) -> Result<AlertSchema, SchemaError> {
    if let Some(f) = file {
        return load_file(f);
    }
    match version {
        Some(v) => {
            let mut last = None;
            for dir in dirs {
                match load_version(dir, v) {
                    Err(e @ SchemaError::NoVersion { .. }) => last = Some(e),
                    other => return other,
                }
            }
            if v == SAMPLE_VERSION {
                return Ok(builtin_sample());
            }
            Err(last.unwrap_or(SchemaError::UnknownId {
                id: v.id(),
                version: v,
                searched: "only the built-in sample schema (0.1) is known; pass --schema-dir \
                           with an alert_packet schema tree (or set ALERTCTL_SCHEMA_DIR)"
                    .into(),
            }))
        }
        None => match dirs.first() {
            Some(dir) => {
                let newest = list_versions(dir)?
                    .pop()
                    .ok_or_else(|| SchemaError::NoVersion {
                        version: SAMPLE_VERSION,
                        dir: dir.clone(),
                        available: "no MAJOR/MINOR directories with .avsc files".into(),
                    })?;
                load_version(dir, newest)
            }
            None => Ok(builtin_sample()),
        },
    }
}

/// Load a schema named on a command line: a version `M.m` under `dirs`, a
/// self-contained `.avsc` file, or one file of an alert_packet version directory
/// (whose sibling files define the types it uses). Returns a label for reports.
pub fn load_ref(arg: &str, dirs: &[PathBuf]) -> Result<(String, AlertSchema), SchemaError> {
    let path = Path::new(arg);
    if !path.exists() {
        if let Ok(v) = arg.parse::<Version>() {
            return select(dirs, Some(v), None).map(|s| (v.to_string(), s));
        }
    }
    let label = arg.to_string();
    match load_file(path) {
        Err(SchemaError::MissingType { .. }) => {
            let dir = path.parent().unwrap_or(Path::new("."));
            let mut sources = Vec::new();
            for entry in std::fs::read_dir(dir)
                .map_err(|e| SchemaError::Io {
                    path: dir.to_path_buf(),
                    source: e,
                })?
                .flatten()
            {
                let p = entry.path();
                if p.extension().is_some_and(|x| x == "avsc") {
                    let text = std::fs::read_to_string(&p).map_err(|e| SchemaError::Io {
                        path: p.clone(),
                        source: e,
                    })?;
                    sources.push((p, text));
                }
            }
            let s = load_sources(dir, &sources, None)?;
            Ok((s.version.map(|v| v.to_string()).unwrap_or(label), s))
        }
        other => other.map(|s| (s.version.map(|v| v.to_string()).unwrap_or(label), s)),
    }
}

/// Why a [`Lookup`] could not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupError {
    /// What went wrong.
    pub message: String,
    /// Whether asking again later may succeed.
    pub transient: bool,
}

/// Somewhere schemas can be looked up by id (a schema registry).
pub trait Lookup: std::fmt::Debug + Send + Sync {
    /// The schema text with this id; `Ok(None)` when there is none.
    fn schema_text(&self, id: u32) -> Result<Option<String>, LookupError>;
    /// Where it looks (for messages), without credentials.
    fn location(&self) -> String;
}

impl SchemaError {
    /// Whether asking again later may succeed (a registry that did not answer).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SchemaError::Registry {
                transient: true,
                ..
            }
        )
    }
}

/// Finds schemas by id: the built-in sample schema, then the versions under the
/// schema directories it was given, then a [`Lookup`], loading each at most once.
#[derive(Debug, Default)]
pub struct SchemaStore {
    dirs: Vec<PathBuf>,
    registry: Option<Arc<dyn Lookup>>,
    loaded: HashMap<u32, Arc<AlertSchema>>,
}

impl SchemaStore {
    /// A store that knows the built-in sample schema and looks under `dirs`.
    pub fn new(dirs: Vec<PathBuf>) -> SchemaStore {
        let mut store = SchemaStore {
            dirs,
            registry: None,
            loaded: HashMap::new(),
        };
        store.insert(SAMPLE_VERSION.id(), builtin_sample());
        store
    }

    /// Also look ids up somewhere else (a schema registry), after the directories.
    pub fn with_registry(mut self, lookup: Arc<dyn Lookup>) -> SchemaStore {
        self.registry = Some(lookup);
        self
    }

    /// Register a schema under an id (for example one read from a file).
    pub fn insert(&mut self, id: u32, schema: AlertSchema) -> Arc<AlertSchema> {
        let schema = Arc::new(schema);
        self.loaded.insert(id, schema.clone());
        schema
    }

    /// The schema for `id`, loading version `id/100 . id%100` from the directories on first use.
    pub fn get(&mut self, id: u32) -> Result<Arc<AlertSchema>, SchemaError> {
        if let Some(s) = self.loaded.get(&id) {
            return Ok(s.clone());
        }
        let version = Version::from_id(id);
        for dir in &self.dirs {
            match load_version(dir, version) {
                Ok(schema) => return Ok(self.insert(id, schema)),
                Err(SchemaError::NoVersion { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        if let Some(lookup) = &self.registry {
            match lookup.schema_text(id) {
                Ok(Some(text)) => {
                    let mut schema =
                        AlertSchema::from_json_str(&text, Path::new(&lookup.location()))?;
                    schema.version = schema
                        .version
                        .or(Some(version).filter(|_| version_from_name(&schema.name).is_some()));
                    return Ok(self.insert(id, schema));
                }
                Ok(None) => {}
                Err(e) => {
                    return Err(SchemaError::Registry {
                        message: e.message,
                        transient: e.transient,
                    })
                }
            }
        }
        let searched = if let Some(lookup) = &self.registry {
            format!(
                "not built in, not in the schema registry {}{}",
                lookup.location(),
                if self.dirs.is_empty() {
                    String::new()
                } else {
                    " nor under the schema directories".into()
                }
            )
        } else if self.dirs.is_empty() {
            "only the built-in sample schema (id 1) is known; pass --schema-dir with an \
             alert_packet schema tree (or set ALERTCTL_SCHEMA_DIR)"
                .to_string()
        } else {
            format!(
                "not built in and not under {}",
                self.dirs
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        Err(SchemaError::UnknownId {
            id,
            version,
            searched,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_ids_follow_major_times_100_plus_minor() {
        assert_eq!("11.1".parse::<Version>().unwrap().id(), 1101);
        assert_eq!("7.10".parse::<Version>().unwrap().id(), 710);
        assert_eq!(Version::from_id(1101).to_string(), "11.1");
        assert!("11".parse::<Version>().is_err());
        assert!("11.100".parse::<Version>().is_err());
        assert!("a.b".parse::<Version>().is_err());
    }

    #[test]
    fn rabin_matches_the_avro_spec_examples() {
        // Fingerprints of primitive canonical forms, as the Java implementation computes them.
        assert_eq!(rabin_fingerprint(br#""int""#), 0x7275_d51a_3f39_5c8f);
        assert_eq!(rabin_fingerprint(br#""string""#), 0x8f01_4872_6345_03c7);
        // Printed as little-endian bytes, the way fastavro and Avro's Java API show it.
        assert_eq!(
            format!("{:016x}", 0x7275_d51a_3f39_5c8f_u64.swap_bytes()),
            "8f5c393f1ad57572"
        );
    }

    #[test]
    fn canonical_form_follows_the_spec() {
        let schema: Value = serde_json::from_str(
            r#"{"type":"record","name":"a","namespace":"n","doc":"x","fields":[
                {"name":"t","type":["null",{"type":"long","logicalType":"timestamp-micros"}],"default":null},
                {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
                {"name":"e2","type":"E"},
                {"name":"m","type":{"type":"map","values":{"type":"fixed","name":"F","size":16}}}]}"#,
        )
        .unwrap();
        assert_eq!(
            canonical_form(&schema),
            r#"{"name":"n.a","type":"record","fields":[{"name":"t","type":["null","long"]},{"name":"e","type":{"name":"n.E","type":"enum","symbols":["A","B"]}},{"name":"e2","type":"n.E"},{"name":"m","type":{"type":"map","values":{"name":"n.F","type":"fixed","size":16}}}]}"#
        );
    }

    #[test]
    fn version_from_rubin_names() {
        assert_eq!(
            version_from_name("lsst.v11_0.alert"),
            Some(Version {
                major: 11,
                minor: 0
            })
        );
        assert_eq!(version_from_name("topLevelRecord.value"), None);
    }

    fn src(name: &str, text: &str) -> (PathBuf, String) {
        (PathBuf::from(name), text.to_string())
    }

    #[test]
    fn files_load_in_any_order_and_inline_at_first_use() {
        let alert = r#"{"type":"record","name":"alert","namespace":"t.v1_0","fields":[
            {"name":"a","type":"t.v1_0.src"},
            {"name":"prv","type":["null",{"type":"array","items":"t.v1_0.src"}],"default":null}]}"#;
        let source = r#"{"type":"record","name":"src","namespace":"t.v1_0","fields":[{"name":"x","type":"double"}]}"#;
        for order in [
            vec![src("t.alert.avsc", alert), src("t.src.avsc", source)],
            vec![src("t.src.avsc", source), src("t.alert.avsc", alert)],
        ] {
            let s = load_sources(Path::new("d"), &order, None).unwrap();
            assert_eq!(s.name, "t.v1_0.alert");
            assert_eq!(s.version, Some(Version { major: 1, minor: 0 }));
            // Second use is a reference by name.
            assert_eq!(s.json["fields"][1]["type"][1]["items"], "t.v1_0.src");
            assert!(s.named_type("t.v1_0.src").is_some());
        }
    }

    #[test]
    fn a_missing_type_names_itself_and_the_file_that_needs_it() {
        let alert = r#"{"type":"record","name":"alert","namespace":"t.v1_0","fields":[
            {"name":"a","type":"t.v1_0.src"}]}"#;
        let err = load_sources(Path::new("d"), &[src("t.v1_0.alert.avsc", alert)], None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`t.v1_0.src`"), "{err}");
        assert!(err.contains("t.v1_0.alert.avsc"), "{err}");
    }

    #[test]
    fn the_builtin_sample_schema_loads() {
        let s = builtin_sample();
        assert_eq!(s.id(), Some(1));
        assert_eq!(s.name, "alertctl.v0_1.alert");
        assert!(s
            .canonical
            .starts_with(r#"{"name":"alertctl.v0_1.alert","type":"record""#));
    }
}
