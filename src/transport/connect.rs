//! Where to connect, resolved in one place: the brokers (flags, environment, a profile
//! of the config file, else the running sandbox's), a second cluster, the cluster's
//! own address with no profile (the sandbox's), and the schema sources (directories,
//! a registry from the flags or the profile).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::kafka::config::{config_path, profile_registry};
use super::kafka::{Connection, KafkaError};
use super::registry::client::Client;
use crate::formats::avro::{AlertSchema, SchemaStore};
use crate::formats::packet::Decoder;
use crate::night::{Layout, PER_MAJOR_PATTERN};

/// What a command was told about the Kafka cluster: `-b`, `--profile`, `-X` and
/// `--timeout` (with their environment variables already applied).
#[derive(Debug, Clone)]
pub struct Target {
    /// Bootstrap brokers, comma-separated HOST:PORT.
    pub brokers: Option<String>,
    /// A profile of the config file.
    pub profile: Option<String>,
    /// librdkafka properties (`-X key=value`).
    pub properties: Vec<(String, String)>,
    /// How long any broker operation may take.
    pub timeout: Duration,
}

impl Default for Target {
    fn default() -> Self {
        Target {
            brokers: None,
            profile: None,
            properties: Vec::new(),
            timeout: Duration::from_secs(10),
        }
    }
}

/// A resolved connection, and whether it is the running sandbox's (no brokers were
/// named anywhere), which a caller says.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The connection.
    pub conn: Connection,
    /// The sandbox's broker was used.
    pub via_sandbox: bool,
}

impl Target {
    /// Brokers alone, with no profile and no config file (a cluster alertctl started).
    pub fn exactly(brokers: &str, timeout: Duration) -> Result<Connection, KafkaError> {
        Connection::resolve_without_config(brokers, timeout)
    }

    /// Resolve flags, environment and the config file; with none of them naming
    /// brokers, the running sandbox's (`alertctl sandbox up`), which follows its layout.
    pub fn resolve(&self) -> Result<Resolved, KafkaError> {
        let resolve = |brokers: Option<&str>| {
            Connection::resolve(
                brokers,
                self.profile.as_deref(),
                &self.properties,
                self.timeout,
                &config_path(),
            )
        };
        match resolve(self.brokers.as_deref()) {
            Err(KafkaError::NoBrokers { config }) => match crate::sandbox::state::running() {
                Some(s) => {
                    let mut conn = resolve(Some(&s.brokers))?;
                    if s.layout.as_deref() == Some("per-major") && conn.profile.is_none() {
                        conn.layout = Layout::PerMajor {
                            pattern: PER_MAJOR_PATTERN.into(),
                        };
                    }
                    Ok(Resolved {
                        conn,
                        via_sandbox: true,
                    })
                }
                None => Err(KafkaError::NoBrokers { config }),
            },
            other => other.map(|conn| Resolved {
                conn,
                via_sandbox: false,
            }),
        }
    }

    /// A second cluster (a mirror's or a benchmark's source): `brokers`, with this
    /// target's client properties and timeout, and no profile.
    pub fn other_cluster(&self, brokers: &str) -> Result<Connection, KafkaError> {
        Connection::resolve(
            Some(brokers),
            None,
            &self.properties,
            self.timeout,
            &config_path(),
        )
    }
}

/// Where schemas come from: `--schema-dir` trees, a registry, and the connection
/// profile whose `registry` applies when none is named.
#[derive(Debug, Clone, Default)]
pub struct SchemaSources {
    /// Schema directories in the alert_packet layout.
    pub dirs: Vec<PathBuf>,
    /// A Confluent-API registry URL (`--registry`).
    pub registry: Option<String>,
    /// The connection profile (`--profile`), else the config file's default.
    pub profile: Option<String>,
}

impl SchemaSources {
    /// The registry: `--registry`, else the profile's `registry`.
    pub fn registry_url(&self) -> Option<String> {
        self.registry
            .clone()
            .or_else(|| profile_registry(self.profile.as_deref(), &config_path()))
    }

    /// A schema store over the directories, the registry and the built-in sample.
    pub fn store(&self) -> SchemaStore {
        let store = SchemaStore::new(self.dirs.clone());
        match self.registry_url() {
            Some(url) => store.with_registry(Arc::new(Client::new(&url, Duration::from_secs(10)))),
            None => store,
        }
    }

    /// A decoder over [`SchemaSources::store`], resolving into `reader` when given.
    pub fn decoder(&self, reader: Option<Arc<AlertSchema>>) -> Decoder {
        Decoder::new(self.store(), reader)
    }
}
