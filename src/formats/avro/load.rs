//! Loading alert schemas: Rubin's `alert_packet` trees, single `.avsc` files, registry
//! answers, and the built-in sample schema.
//!
//! Rubin publishes each schema version as a directory of `.avsc` files in the
//! `alert_packet` layout, `DIR/<MAJOR>/<MINOR>/lsst.vM_m.<record>.avsc`, one named
//! record per file, the files referring to each other's types by full name
//! (`lsst.v11_0.diaSource`). Such a directory loads in any file order by inlining every
//! named type at its first use ([`super::names`]'s rules), which yields one
//! self-contained schema: the one a registry stores and a Kafka consumer decodes with.
//! Each version has a 4-byte id, `MAJOR*100+MINOR` (11.1 -> 1101).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::names;
use super::schema::{finish, version_from_name, AlertSchema, SchemaError, Version};

impl AlertSchema {
    /// Build a schema from self-contained JSON text (a registry answer, an OCF header).
    pub fn from_json_str(text: &str, source: &Path) -> Result<AlertSchema, SchemaError> {
        from_json_str(text, source)
    }
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
        for (name, def) in names::definitions(&json, None) {
            let def = def.clone();
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
            Value::String(s) if names::PRIMITIVES.contains(&s.as_str()) => Ok(ty.clone()),
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
        let candidates = names::candidates(name, ns);
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
        let enclosing = names::namespace_of(full).map(str::to_string);
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
            Some(Value::String(_)) if names::is_named_kind(obj) => {
                let Some((full, own_ns)) = names::definition(obj, ns) else {
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
        include_str!("../../../sample-data/schema/0/1/alertctl.v0_1.alert.avsc"),
    ),
    (
        "alertctl.v0_1.diaSource.avsc",
        include_str!("../../../sample-data/schema/0/1/alertctl.v0_1.diaSource.avsc"),
    ),
    (
        "alertctl.v0_1.diaForcedSource.avsc",
        include_str!("../../../sample-data/schema/0/1/alertctl.v0_1.diaForcedSource.avsc"),
    ),
    (
        "alertctl.v0_1.diaObject.avsc",
        include_str!("../../../sample-data/schema/0/1/alertctl.v0_1.diaObject.avsc"),
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

#[cfg(test)]
mod tests {
    use super::*;

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
