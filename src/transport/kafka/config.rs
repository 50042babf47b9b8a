//! Connection settings: `--brokers`, `ALERTCTL_BROKERS`, named profiles in a config
//! file (like rpk and kaf profiles), and `-X key=value` librdkafka passthrough (like kcat).
//!
//! The config file is `$ALERTCTL_CONFIG`, else `$XDG_CONFIG_HOME/alertctl/config.toml`,
//! else `~/.config/alertctl/config.toml`:
//!
//! ```toml
//! default = "summit"
//!
//! [profiles.summit]
//! brokers = "alert-stream.lsst.cloud:9094"
//! registry = "https://alert-schemas.lsst.cloud"
//! [profiles.summit.properties]
//! "security.protocol" = "SASL_SSL"
//! "sasl.mechanism" = "SCRAM-SHA-512"
//! "sasl.username" = "me"
//!
//! [profiles.local]
//! brokers = "127.0.0.1:9092"
//!
//! [profiles.rubin]            # Rubin's production layout and accounts
//! brokers = "BROKER-HOST:9094"
//! layout = "per-major"        # nights are windows on lsst-alerts-v{major}
//! group_prefix = "username"   # group ids start with the account name
//! ```
//!
//! Precedence: `--brokers` over `ALERTCTL_BROKERS` over the profile's brokers;
//! `-X` properties over the profile's properties over alertctl's defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rdkafka::ClientConfig;
use serde::Deserialize;

use super::{KafkaError, Result};

/// The config file's contents.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The profile used when none is named.
    pub default: Option<String>,
    /// Named profiles.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One named set of connection settings.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Bootstrap servers, comma-separated.
    pub brokers: Option<String>,
    /// Schema registry URL.
    pub registry: Option<String>,
    /// How the cluster lays out alert topics: `nightly` (the default, one topic per
    /// night) or `per-major` (one long-lived topic per schema MAJOR version).
    pub layout: Option<String>,
    /// With `layout = "per-major"`: the topic name, with `{major}` (default
    /// `lsst-alerts-v{major}`).
    pub topic_pattern: Option<String>,
    /// Prefix every consumer group id: `"username"` for the account's `sasl.username`
    /// (Rubin's ACLs want group ids that start with it), or a literal prefix.
    pub group_prefix: Option<String>,
    /// librdkafka properties.
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
}

/// The config file path alertctl reads.
pub fn config_path() -> PathBuf {
    if let Some(p) = std::env::var_os("ALERTCTL_CONFIG") {
        return PathBuf::from(p);
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("alertctl/config.toml")
}

/// Read a config file; a missing file is an empty config.
pub fn read_config(path: &Path) -> Result<ConfigFile> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text)
            .map_err(|e| KafkaError::Config(format!("{}: {}", path.display(), e.message()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
        Err(e) => Err(KafkaError::Config(format!("{}: {e}", path.display()))),
    }
}

/// Parse one `-X key=value`.
pub fn parse_property(s: &str) -> std::result::Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!(
            "`{s}` is not key=value (e.g. -X security.protocol=SASL_SSL)"
        )),
    }
}

/// Resolved connection settings.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Bootstrap servers.
    pub brokers: String,
    /// librdkafka properties, in the order they apply (later wins).
    pub properties: Vec<(String, String)>,
    /// How long any broker operation may take before alertctl gives up.
    pub timeout: Duration,
    /// The profile used, if any.
    pub profile: Option<String>,
    /// The registry URL from the profile, if any.
    pub registry: Option<String>,
    /// The cluster's topic layout (from the profile; nightly by default).
    pub layout: crate::night::Layout,
    /// What every consumer group id must start with, from the profile's `group_prefix`.
    pub group_prefix: Option<String>,
}

/// The `sasl.username` that applies among properties in order (later wins).
fn sasl_username(props: &[(String, String)]) -> Option<&str> {
    props
        .iter()
        .rev()
        .find(|(k, _)| k == "sasl.username")
        .map(|(_, v)| v.as_str())
}

/// What [`Connection::group_id`] made of a group name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupId {
    /// The id to use.
    pub id: String,
    /// Why the name may be refused: the account has a username the id does not start
    /// with, and no `group_prefix` is set.
    pub warning: Option<String>,
}

/// The schema registry of `profile` (else of the config file's default profile), if
/// the config file names one. A config file that cannot be read names none here (the
/// Kafka connection reports it).
pub fn profile_registry(profile: Option<&str>, config: &Path) -> Option<String> {
    let file = read_config(config).ok()?;
    let name = profile.map(str::to_string).or(file.default)?;
    file.profiles.get(&name)?.registry.clone()
}

impl Connection {
    /// Resolve flags, environment and config file into connection settings.
    pub fn resolve(
        brokers: Option<&str>,
        profile: Option<&str>,
        properties: &[(String, String)],
        timeout: Duration,
        config: &Path,
    ) -> Result<Connection> {
        let file = read_config(config)?;
        let profile_name = profile.map(str::to_string).or(file.default.clone());
        let chosen = match &profile_name {
            Some(name) => Some(file.profiles.get(name).cloned().ok_or_else(|| {
                KafkaError::Config(format!(
                    "no profile `{name}` in {} (it has: {})",
                    config.display(),
                    if file.profiles.is_empty() {
                        "none".to_string()
                    } else {
                        file.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                    }
                ))
            })?),
            None => None,
        };
        let brokers = brokers
            .map(str::to_string)
            .or_else(|| chosen.as_ref().and_then(|p| p.brokers.clone()))
            .filter(|b| !b.trim().is_empty())
            .ok_or_else(|| KafkaError::NoBrokers {
                config: config.display().to_string(),
            })?;
        let mut props: Vec<(String, String)> = chosen
            .as_ref()
            .map(|p| {
                p.properties
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        props.extend(properties.iter().cloned());
        for (k, v) in &props {
            if crate::render::redact::is_secret_key(k) {
                crate::render::redact::note(v);
            }
        }
        let layout = match chosen.as_ref().and_then(|p| p.layout.as_deref()) {
            None => crate::night::Layout::Nightly,
            Some(l) => crate::night::Layout::parse(
                l,
                chosen.as_ref().and_then(|p| p.topic_pattern.as_deref()),
            )
            .map_err(|e| KafkaError::Config(format!("{}: {e}", config.display())))?,
        };
        let username = sasl_username(&props).map(str::to_string);
        let group_prefix = match chosen.as_ref().and_then(|p| p.group_prefix.as_deref()) {
            None => None,
            Some("username") => Some(username.ok_or_else(|| {
                KafkaError::Config(format!(
                    "{}: group_prefix = \"username\" needs the profile's sasl.username",
                    config.display()
                ))
            })?),
            Some(literal) => Some(literal.to_string()),
        };
        Ok(Connection {
            brokers,
            properties: props,
            timeout,
            profile: profile_name,
            registry: chosen.and_then(|p| p.registry),
            layout,
            group_prefix,
        })
    }

    /// Brokers alone: no profile, no config file, no properties (a cluster alertctl
    /// itself started, such as the sandbox's).
    pub fn resolve_without_config(brokers: &str, timeout: Duration) -> Result<Connection> {
        if brokers.trim().is_empty() {
            return Err(KafkaError::NoBrokers {
                config: "(none: brokers given directly)".into(),
            });
        }
        Ok(Connection {
            brokers: brokers.to_string(),
            properties: Vec::new(),
            timeout,
            profile: None,
            registry: None,
            layout: crate::night::Layout::Nightly,
            group_prefix: None,
        })
    }

    /// The account's `sasl.username`, when one is set.
    pub fn username(&self) -> Option<&str> {
        sasl_username(&self.properties)
    }

    /// The consumer group id for a name: with a `group_prefix`, the name prefixed
    /// (`alerce-` + name) unless it already starts with the prefix. Without one, the
    /// name as given, with a warning when the account has a username it does not start
    /// with (Rubin's brokers refuse such groups).
    pub fn group_id(&self, name: &str) -> GroupId {
        match &self.group_prefix {
            Some(p) if name.starts_with(p.as_str()) => GroupId { id: name.into(), warning: None },
            Some(p) => GroupId { id: format!("{p}-{name}"), warning: None },
            None => GroupId {
                id: name.into(),
                warning: self.username().filter(|u| !name.starts_with(u)).map(|u| {
                    format!(
                        "group `{name}` does not start with the account name `{u}`; brokers with prefix ACLs (Rubin's) refuse it: name it {u}-{name}, or set group_prefix = \"username\" in the profile"
                    )
                }),
            },
        }
    }

    /// A client config: bootstrap servers, timeouts bounded by `timeout`, then the
    /// `defaults` for this kind of client, then the user's properties (which win).
    pub fn client_config(&self, defaults: &[(&str, &str)]) -> ClientConfig {
        let mut c = ClientConfig::new();
        let ms = self.timeout.as_millis().max(1000).to_string();
        c.set("bootstrap.servers", &self.brokers)
            .set("socket.timeout.ms", &ms)
            .set("socket.connection.setup.timeout.ms", &ms)
            .set("log_level", "3"); // errors only: diagnostics come from alertctl
        for (k, v) in defaults {
            c.set(*k, *v);
        }
        for (k, v) in &self.properties {
            c.set(k, v);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config.toml");
        std::fs::write(&p, text).unwrap();
        (d, p)
    }

    const FILE: &str = r#"
default = "local"
[profiles.local]
brokers = "127.0.0.1:9092"
[profiles.summit]
brokers = "summit:9094"
registry = "https://schemas"
[profiles.summit.properties]
"security.protocol" = "SASL_SSL"
"sasl.username" = "me"
"#;

    #[test]
    fn flags_beat_profiles_and_x_beats_profile_properties() {
        let (_d, p) = write(FILE);
        let t = Duration::from_secs(10);
        let c = Connection::resolve(None, None, &[], t, &p).unwrap();
        assert_eq!(c.brokers, "127.0.0.1:9092");
        let c = Connection::resolve(
            Some("b:1"),
            Some("summit"),
            &[("sasl.username".into(), "you".into())],
            t,
            &p,
        )
        .unwrap();
        assert_eq!(c.brokers, "b:1");
        assert_eq!(c.registry.as_deref(), Some("https://schemas"));
        let cfg = c.client_config(&[]);
        assert_eq!(cfg.get("security.protocol"), Some("SASL_SSL"));
        assert_eq!(cfg.get("sasl.username"), Some("you"));
        let c = Connection::resolve(None, Some("summit"), &[], t, &p).unwrap();
        assert_eq!(c.brokers, "summit:9094");
    }

    #[test]
    fn layout_and_group_prefix_come_from_the_profile() {
        let (_d, p) = write(
            r#"
[profiles.rubin]
brokers = "kafka:9094"
layout = "per-major"
group_prefix = "username"
[profiles.rubin.properties]
"sasl.username" = "alerce"
[profiles.plain]
brokers = "kafka:9094"
[profiles.plain.properties]
"sasl.username" = "alerce"
[profiles.bad]
brokers = "kafka:9094"
group_prefix = "username"
"#,
        );
        let t = Duration::from_secs(1);
        let c = Connection::resolve(None, Some("rubin"), &[], t, &p).unwrap();
        assert_eq!(
            c.layout,
            crate::night::Layout::PerMajor {
                pattern: "lsst-alerts-v{major}".into()
            }
        );
        assert_eq!(c.group_id("filters").id, "alerce-filters");
        assert_eq!(c.group_id("alerce-filters").id, "alerce-filters");
        assert_eq!(c.group_id("filters").warning, None);
        let c = Connection::resolve(None, Some("plain"), &[], t, &p).unwrap();
        assert_eq!(c.layout, crate::night::Layout::Nightly);
        let g = c.group_id("filters");
        assert_eq!(g.id, "filters");
        assert!(g.warning.unwrap().contains("alerce-filters"));
        assert_eq!(c.group_id("alerce-x").warning, None);
        let e = Connection::resolve(None, Some("bad"), &[], t, &p).unwrap_err();
        assert!(e.to_string().contains("sasl.username"), "{e}");
    }

    #[test]
    fn missing_things_are_named() {
        let (_d, p) = write(FILE);
        let t = Duration::from_secs(1);
        let e = Connection::resolve(None, Some("nope"), &[], t, &p)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no profile `nope`") && e.contains("local, summit"),
            "{e}"
        );
        let e = Connection::resolve(None, None, &[], t, Path::new("/nonexistent/c.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--brokers") && e.contains("ALERTCTL_BROKERS"),
            "{e}"
        );
        let (_d2, bad) = write("profiles = 3");
        assert!(Connection::resolve(Some("b:1"), None, &[], t, &bad).is_err());
        assert!(parse_property("a=b=c").unwrap() == ("a".into(), "b=c".into()));
        assert!(parse_property("novalue").is_err());
    }
}
