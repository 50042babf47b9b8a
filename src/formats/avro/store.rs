//! Finding schemas by id: the built-in sample, schema directories, and a registry.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::load::{builtin_sample, load_version, SAMPLE_VERSION};
use super::schema::{version_from_name, AlertSchema, SchemaError, Version};

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

/// Finds schemas by id: the built-in sample schema, then the versions under the
/// schema directories it was given, then a [`Lookup`], loading each at most once.
#[derive(Debug, Default, Clone)]
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
