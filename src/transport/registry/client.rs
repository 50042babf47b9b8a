//! A client of any Confluent-API schema registry, with schemas by id cached on disk
//! (`~/.cache/alertctl/schemas/<registry>/<id>.avsc`), so decoding goes on when the
//! registry is down. A schema id never changes meaning within a registry, so a
//! cached schema is always right for its registry.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use super::RegistryError;

/// Errors of the client.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The registry did not answer.
    #[error("cannot reach the schema registry {url}: {reason}")]
    Unreachable {
        /// The registry.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The registry answered with an error.
    #[error("schema registry {url}: {error}")]
    Registry {
        /// The registry.
        url: String,
        /// Its error.
        error: RegistryError,
    },
    /// The registry answered something the API does not allow.
    #[error("schema registry: {0}")]
    Answer(String),
}

impl ClientError {
    /// The registry's error code, when it answered.
    pub fn code(&self) -> Option<u32> {
        match self {
            ClientError::Registry { error, .. } => Some(error.code),
            ClientError::Unreachable { .. } | ClientError::Answer(_) => None,
        }
    }
}

/// The cache root: `$ALERTCTL_CACHE_DIR`, else `$XDG_CACHE_HOME/alertctl/schemas`, else
/// `~/.cache/alertctl/schemas`.
pub fn cache_root() -> PathBuf {
    if let Some(p) = std::env::var_os("ALERTCTL_CACHE_DIR") {
        return PathBuf::from(p);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("alertctl/schemas")
}

/// A registry client.
#[derive(Clone)]
pub struct Client {
    url: String,
    agent: ureq::Agent,
    auth: Option<String>,
    cache: Option<PathBuf>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.url)
            .field("cache", &self.cache)
            .finish()
    }
}

impl Client {
    /// A client of the registry at `url` (`http://user:pass@host:port` for basic auth),
    /// waiting at most `timeout` for any answer, caching schemas under [`cache_root`].
    pub fn new(url: &str, timeout: Duration) -> Client {
        let (url, auth) = split_userinfo(url.trim_end_matches('/'));
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(timeout)
            .timeout(timeout)
            .build();
        let key: String = url
            .split("://")
            .last()
            .unwrap_or(&url)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Client {
            cache: Some(cache_root().join(key)),
            url,
            agent,
            auth,
        }
    }

    /// The registry URL (without credentials).
    pub fn url(&self) -> &str {
        &self.url
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, ClientError> {
        let mut req = self
            .agent
            .request(method, &format!("{}{path}", self.url))
            .set("Accept", super::CONTENT_TYPE);
        if let Some(a) = &self.auth {
            req = req.set("Authorization", a);
        }
        let resp = match body {
            Some(b) => req
                .set("Content-Type", super::CONTENT_TYPE)
                .send_string(&b.to_string()),
            None => req.call(),
        };
        match resp {
            Ok(r) => {
                let text = r.into_string().map_err(|e| self.unreachable(e))?;
                Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
            }
            Err(ureq::Error::Status(status, r)) => {
                let body: Value = r.into_json().unwrap_or(Value::Null);
                let code = body
                    .get("error_code")
                    .and_then(Value::as_u64)
                    .map(|c| c as u32)
                    .unwrap_or(u32::from(status));
                let message = body
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("no message")
                    .to_string();
                Err(ClientError::Registry {
                    url: self.url.clone(),
                    error: RegistryError {
                        status,
                        code,
                        message,
                    },
                })
            }
            Err(e) => Err(self.unreachable(e)),
        }
    }

    fn unreachable(&self, e: impl std::fmt::Display) -> ClientError {
        ClientError::Unreachable {
            url: self.url.clone(),
            reason: e.to_string(),
        }
    }

    /// The schema with this id: from the cache, else from the registry (then cached).
    /// Only a schema that parses is cached; a cached file that no longer parses is
    /// fetched again and replaced.
    pub fn schema_by_id(&self, id: u32) -> Result<String, ClientError> {
        let cached = self.cache.as_ref().map(|d| d.join(format!("{id}.avsc")));
        if let Some(text) = cached
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .filter(|t| valid_schema(t))
        {
            return Ok(text);
        }
        let answer = self.call("GET", &format!("/schemas/ids/{id}"), None)?;
        let text = answer
            .get("schema")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ClientError::Answer(format!("the answer for schema id {id} has no schema"))
            })?
            .to_string();
        if !valid_schema(&text) {
            return Err(ClientError::Answer(format!(
                "the schema with id {id} is not a valid Avro schema"
            )));
        }
        if let Some(path) = cached {
            // Write-then-rename: a reader never sees half a schema. A failure to cache is not an error.
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
                let tmp = dir.join(format!(".{id}.{}.tmp", std::process::id()));
                if std::fs::write(&tmp, &text).is_ok() {
                    let _ = std::fs::rename(&tmp, &path);
                }
            }
        }
        Ok(text)
    }

    /// Register a schema; returns its id. `id` and `version` need the subject in IMPORT mode.
    pub fn register(
        &self,
        subject: &str,
        schema: &str,
        id: Option<u32>,
        version: Option<u32>,
    ) -> Result<u32, ClientError> {
        let mut body = json!({"schema": schema});
        if let Some(i) = id {
            body["id"] = json!(i);
        }
        if let Some(v) = version {
            body["version"] = json!(v);
        }
        let answer = self.call(
            "POST",
            &format!("/subjects/{}/versions", enc(subject)),
            Some(body),
        )?;
        id_in(&answer)
    }

    /// A subject's version (`None`: latest): subject, version, id, schema.
    pub fn version(&self, subject: &str, version: Option<u32>) -> Result<Value, ClientError> {
        let v = version.map_or("latest".to_string(), |v| v.to_string());
        self.call(
            "GET",
            &format!("/subjects/{}/versions/{v}", enc(subject)),
            None,
        )
    }

    /// The schema with this id and its answer as the registry gives it (no cache).
    pub fn schema_answer(&self, id: u32) -> Result<Value, ClientError> {
        self.call("GET", &format!("/schemas/ids/{id}"), None)
    }

    /// All subjects.
    pub fn subjects(&self) -> Result<Vec<String>, ClientError> {
        let v = self.call("GET", "/subjects", None)?;
        Ok(serde_json::from_value(v).unwrap_or_default())
    }

    /// Every live version of a subject, oldest first: (version, id, schema).
    pub fn history(&self, subject: &str) -> Result<Vec<(u32, u32, String)>, ClientError> {
        let mut out = Vec::new();
        for v in self.versions(subject)? {
            let r = self.version(subject, Some(v))?;
            let id = id_in(&r)?;
            out.push((
                v,
                id,
                r.get("schema")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            ));
        }
        Ok(out)
    }

    /// A subject's versions.
    pub fn versions(&self, subject: &str) -> Result<Vec<u32>, ClientError> {
        let v = self.call("GET", &format!("/subjects/{}/versions", enc(subject)), None)?;
        Ok(serde_json::from_value(v).unwrap_or_default())
    }

    /// Delete a subject or one version, soft or permanent; returns the registry's answer.
    pub fn delete(
        &self,
        subject: &str,
        version: Option<u32>,
        permanent: bool,
    ) -> Result<Value, ClientError> {
        let mut path = format!("/subjects/{}", enc(subject));
        if let Some(v) = version {
            path.push_str(&format!("/versions/{v}"));
        }
        if permanent {
            path.push_str("?permanent=true");
        }
        self.call("DELETE", &path, None)
    }

    /// Set the mode of a subject (`None`: global); `force` allows IMPORT over existing schemas.
    pub fn set_mode(
        &self,
        subject: Option<&str>,
        mode: &str,
        force: bool,
    ) -> Result<(), ClientError> {
        let mut path = subject.map_or("/mode".to_string(), |s| format!("/mode/{}", enc(s)));
        if force {
            path.push_str("?force=true");
        }
        self.call("PUT", &path, Some(json!({"mode": mode})))
            .map(drop)
    }
}

/// One version registered by [`Client::import_tree`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The schema version.
    pub version: crate::formats::avro::Version,
    /// Its id under `subject` (MAJOR*100+MINOR).
    pub id: u32,
    /// The id the registry gave it under `lsst-alerts-vM.m-value` (the same when it
    /// reuses the id of an identical schema, as it should).
    pub topic_subject_id: u32,
}

/// Errors of an import.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The registry refused or did not answer.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// A schema version could not be loaded.
    #[error(transparent)]
    Schema(#[from] crate::formats::avro::SchemaError),
}

impl Client {
    /// Register every version of an alert_packet tree the way Rubin does: under
    /// `subject` in IMPORT mode with id and version MAJOR*100+MINOR, and under
    /// `lsst-alerts-vM.m-value`; the subject returns to READWRITE at the end.
    pub fn import_tree(
        &self,
        dir: &std::path::Path,
        subject: &str,
    ) -> Result<Vec<Imported>, ImportError> {
        let versions = crate::formats::avro::list_versions(dir)?;
        self.set_mode(Some(subject), "IMPORT", true)?;
        let result = (|| -> Result<Vec<Imported>, ImportError> {
            let mut out = Vec::new();
            for v in versions {
                let s = crate::formats::avro::load_version(dir, v)?;
                let id = self.register(subject, &s.canonical, Some(v.id()), Some(v.id()))?;
                let topic_subject_id =
                    self.register(&format!("lsst-alerts-v{v}-value"), &s.canonical, None, None)?;
                out.push(Imported {
                    version: v,
                    id,
                    topic_subject_id,
                });
            }
            Ok(out)
        })();
        self.set_mode(Some(subject), "READWRITE", false)?;
        result
    }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Take the user info out of a URL (`http://user:password@host:port/base`), as a basic
/// auth header. The user info is everything before the last `@` ahead of the query, so
/// a password may hold `/` or `:`; `%XX` escapes in it are decoded.
fn split_userinfo(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let (before, query) = rest.split_at(end);
    match before.rfind('@') {
        Some(at) => {
            let userinfo = percent_decode(&before[..at]);
            if let Some(colon) = userinfo.iter().position(|b| *b == b':') {
                crate::render::redact::note(&String::from_utf8_lossy(&userinfo[colon + 1..]));
                // As typed, too (escaped), in case a message repeats the URL.
                if let Some(c) = before[..at].find(':') {
                    crate::render::redact::note(&before[c + 1..at]);
                }
            }
            let auth = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(userinfo)
            );
            (
                format!("{scheme}://{}{query}", &before[at + 1..]),
                Some(auth),
            )
        }
        None => (url.to_string(), None),
    }
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

impl crate::formats::avro::Lookup for Client {
    /// Confluent's 40403 (no such id) is "none"; no answer, or a server error, may pass.
    fn schema_text(&self, id: u32) -> Result<Option<String>, crate::formats::avro::LookupError> {
        match self.schema_by_id(id) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.code() == Some(40403) => Ok(None),
            Err(e) => Err(crate::formats::avro::LookupError {
                transient: e.is_transient(),
                message: e.to_string(),
            }),
        }
    }

    fn location(&self) -> String {
        self.url.clone()
    }
}

impl ClientError {
    /// Whether asking again later may succeed: no answer, or a server-side error.
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Unreachable { .. } => true,
            ClientError::Registry { error, .. } => error.status >= 500,
            ClientError::Answer(_) => false,
        }
    }
}

/// Whether a text is an Avro schema alertctl can use.
fn valid_schema(text: &str) -> bool {
    crate::formats::avro::AlertSchema::from_json_str(text, std::path::Path::new("registry")).is_ok()
}

/// The schema id in a registry's answer: a positive 32-bit integer, or an error.
fn id_in(answer: &Value) -> Result<u32, ClientError> {
    let v = answer.get("id");
    v.and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n >= 1 && *n <= i32::MAX as u32)
        .ok_or_else(|| {
            ClientError::Answer(format!(
                "the registry's answer has no valid schema id (1 to {}): {}",
                i32::MAX,
                v.map_or("none".into(), Value::to_string)
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that answers every request with `body` (HTTP/1.1, one request per
    /// connection).
    fn answering(body: &'static str) -> String {
        use std::io::{BufRead, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = std::io::BufReader::new(stream);
                let mut line = String::new();
                // The request head ends at an empty line; these requests have no body.
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                    line.clear();
                }
                let _ = write!(
                    reader.get_mut(),
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        format!("http://{addr}")
    }

    #[test]
    fn the_cache_keeps_only_schemas_and_replaces_junk() {
        let dir = tempfile::tempdir().unwrap();
        let schema = r#"{"type":"record","name":"a","fields":[{"name":"x","type":"int"}]}"#;
        // An answer without a schema is an error, and nothing is cached.
        let mut c = Client::new(&answering(r#"{"id": 7}"#), Duration::from_secs(5));
        c.cache = Some(dir.path().join("one"));
        let e = c.schema_by_id(7).unwrap_err().to_string();
        assert!(e.contains("has no schema"), "{e}");
        assert!(!dir.path().join("one/7.avsc").exists());
        // Junk in the cache is fetched again and replaced.
        let good: &'static str = Box::leak(
            serde_json::json!({ "schema": schema })
                .to_string()
                .into_boxed_str(),
        );
        let mut c = Client::new(&answering(good), Duration::from_secs(5));
        c.cache = Some(dir.path().join("two"));
        std::fs::create_dir_all(dir.path().join("two")).unwrap();
        std::fs::write(dir.path().join("two/9.avsc"), "{not json").unwrap();
        assert_eq!(c.schema_by_id(9).unwrap(), schema);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("two/9.avsc")).unwrap(),
            schema
        );
    }

    #[test]
    fn credentials_move_from_the_url_to_a_header() {
        let (url, auth) = split_userinfo("https://me:secret@registry.example:8081/base");
        assert_eq!(url, "https://registry.example:8081/base");
        assert_eq!(auth.unwrap(), "Basic bWU6c2VjcmV0");
        assert_eq!(split_userinfo("http://h:1").1, None);
        // A password with a slash, and one with an escaped @: nothing is left in the URL.
        let (url, auth) = split_userinfo("http://u:pa/ss@host:8081/base?x=1");
        assert_eq!(url, "http://host:8081/base?x=1");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.unwrap().trim_start_matches("Basic "))
            .unwrap();
        assert_eq!(decoded, b"u:pa/ss");
        let (url, auth) = split_userinfo("http://me:p%40ss@h:1");
        assert_eq!(url, "http://h:1");
        assert_eq!(
            auth.unwrap(),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("me:p@ss")
            )
        );
        assert_eq!(enc("lsst-alerts-v11.1-value"), "lsst-alerts-v11.1-value");
        assert_eq!(enc("a/b"), "a%2Fb");
    }
}
