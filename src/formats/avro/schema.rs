//! One alert schema: its self-contained JSON, canonical form, fingerprint and version,
//! the parsed schema apache-avro encodes and decodes values with, and its compiled
//! [`Graph`], made once when first used.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::graph::Graph;

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
    /// The compiled schema, made when first asked for ([`AlertSchema::graph`]).
    graph: OnceLock<Result<Arc<Graph>, String>>,
    /// The schema compiled for writing JSON text ([`AlertSchema::json_plan`]).
    json_plan: OnceLock<Option<Arc<super::json::JsonPlan>>>,
    /// The schema compiled for decoding to borrowed values ([`AlertSchema::value_plan`]).
    value_plan: OnceLock<Arc<super::value::ValuePlan>>,
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

    /// The compiled schema ([`Graph`]): every reader of this schema's bytes and every
    /// walk over its types uses it. Compiled once, when first asked for.
    pub fn graph(&self) -> Result<&Arc<Graph>, SchemaError> {
        self.graph
            .get_or_init(|| Graph::new(&self.json).map(Arc::new))
            .as_ref()
            .map_err(|reason| SchemaError::Invalid {
                path: self.source.clone(),
                reason: reason.clone(),
            })
    }

    /// The schema compiled for writing the JSON view as text straight from the bytes
    /// ([`super::json`]); `None` when only the reference path serves it.
    pub fn json_plan(&self) -> Option<(&Arc<Graph>, &Arc<super::json::JsonPlan>)> {
        let graph = self.graph().ok()?;
        let plan = self
            .json_plan
            .get_or_init(|| super::json::JsonPlan::new(&self.json, graph).map(Arc::new))
            .as_ref()?;
        Some((graph, plan))
    }

    /// The schema compiled for decoding every field to values borrowed from the bytes
    /// ([`super::value`]). Compiled once, when first asked for.
    pub fn value_plan(&self) -> Result<(&Arc<Graph>, &Arc<super::value::ValuePlan>), SchemaError> {
        let graph = self.graph()?;
        let plan = self
            .value_plan
            .get_or_init(|| Arc::new(super::value::ValuePlan::new(graph)));
        Ok((graph, plan))
    }

    /// Decode `body` (one value of this schema, no wire header) to values borrowed
    /// from it ([`super::value`]): every field, at several times the speed of
    /// apache-avro's values.
    pub fn decode_borrowed<'a>(
        &self,
        body: &'a [u8],
    ) -> Result<super::value::Alert<'a>, super::binary::DecodeError> {
        let (graph, plan) = self
            .value_plan()
            .map_err(|e| super::binary::DecodeError::Invalid(e.to_string()))?;
        super::value::Alert::decode(graph.clone(), plan, body)
    }
}

/// An [`AlertSchema`] from its self-contained JSON and the named types in it.
pub(super) fn finish(
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
    let canonical = super::canonical::canonical_form(&json);
    let fingerprint = super::canonical::rabin_fingerprint(canonical.as_bytes());
    Ok(AlertSchema {
        version: version.or_else(|| version_from_name(&name)),
        name,
        json,
        avro,
        canonical,
        fingerprint,
        source: source.to_path_buf(),
        named,
        graph: OnceLock::new(),
        json_plan: OnceLock::new(),
        value_plan: OnceLock::new(),
    })
}

/// The version encoded in a Rubin-style full name: `lsst.v11_1.alert` -> 11.1.
pub fn version_from_name(full_name: &str) -> Option<Version> {
    full_name.split('.').find_map(|part| {
        let rest = part.strip_prefix('v')?;
        let (maj, min) = rest.split_once('_')?;
        format!("{maj}.{min}").parse().ok()
    })
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
}
