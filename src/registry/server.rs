//! The Confluent Schema Registry REST API, served from a [`Store`].
//!
//! Routes: GET /subjects; GET|POST /subjects/{s}/versions; GET
//! /subjects/{s}/versions/{v|latest}[/schema]; POST /subjects/{s} (lookup); DELETE
//! /subjects/{s}[/versions/{v}] (soft, `?permanent=true`); GET
//! /schemas/ids/{id}[/schema|/versions|/subjects]; GET /schemas/types; POST
//! /compatibility/subjects/{s}/versions[/{v|latest}] (`?verbose=true`); GET|PUT|DELETE
//! /config[/{s}]; GET|PUT /mode[/{s}]. Errors are Confluent's bodies and codes.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use base64::Engine;
use serde_json::{json, Value};
use tiny_http::{Header, Method, Request, Response, Server};

use super::store::{Registration, Store};
use super::{Mode, RegistryError};
use crate::schema::compat::Level;

/// The content type of every answer.
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on (port 0: any free port).
    pub listen: String,
    /// Directory of the durable store.
    pub data: PathBuf,
    /// Refuse every change.
    pub read_only: bool,
    /// Require HTTP basic auth with this `user:password`.
    pub basic_auth: Option<String>,
    /// Largest request body, bytes.
    pub max_body: usize,
    /// Compatibility level where none is configured.
    pub level: Level,
    /// Worker threads.
    pub threads: usize,
}

/// A running server.
pub struct Running {
    addr: SocketAddr,
    server: Arc<Server>,
    workers: Vec<JoinHandle<()>>,
}

impl Running {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop accepting requests and wait for the workers.
    pub fn stop(self) {
        for _ in &self.workers {
            self.server.unblock();
        }
        for w in self.workers {
            let _ = w.join();
        }
    }

    /// Serve until the process ends (or `stop` is called from elsewhere).
    pub fn wait(self) {
        for w in self.workers {
            let _ = w.join();
        }
    }
}

/// Open the store and start serving.
pub fn serve(cfg: ServerConfig) -> Result<Running, RegistryError> {
    let store = Arc::new(Store::open(&cfg.data, cfg.level)?);
    let server = Server::http(&cfg.listen)
        .map_err(|e| RegistryError::store(format!("cannot listen on {}: {e}", cfg.listen)))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| RegistryError::store("not listening on an IP address"))?;
    let server = Arc::new(server);
    let cfg = Arc::new(cfg);
    let workers = (0..cfg.threads.max(1))
        .map(|_| {
            let (server, store, cfg) = (server.clone(), store.clone(), cfg.clone());
            std::thread::spawn(move || {
                while let Ok(req) = server.recv() {
                    respond(req, &store, &cfg);
                }
            })
        })
        .collect();
    Ok(Running {
        addr,
        server,
        workers,
    })
}

fn respond(mut req: Request, store: &Store, cfg: &ServerConfig) {
    let (status, body) = match handle(&mut req, store, cfg) {
        Ok((status, body)) => (status, body),
        Err(e) => (e.status, e.body().to_string()),
    };
    let mut resp = Response::from_data(body.into_bytes()).with_status_code(status);
    resp.add_header(Header::from_bytes("Content-Type", CONTENT_TYPE).expect("valid header"));
    if status == 401 {
        resp.add_header(
            Header::from_bytes("WWW-Authenticate", "Basic realm=\"alertctl registry\"")
                .expect("valid header"),
        );
    }
    let _ = req.respond(resp);
}

fn decode(seg: &str) -> String {
    let bytes = seg.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&seg[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn flag(query: &str, name: &str) -> bool {
    query.split('&').any(|kv| match kv.split_once('=') {
        Some((k, v)) => k == name && v.eq_ignore_ascii_case("true"),
        None => kv == name,
    })
}

fn version_arg(v: &str) -> Result<Option<u32>, RegistryError> {
    match v {
        "latest" | "-1" => Ok(None),
        n => n
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| RegistryError::new(42202, format!("The specified version '{v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""))),
    }
}

fn id_arg(id: &str) -> Result<u32, RegistryError> {
    id.parse::<i64>()
        .ok()
        .and_then(|n| super::store::check_id(n).ok())
        .ok_or_else(|| RegistryError::schema_not_found(id))
}

fn ok(v: Value) -> Result<(u16, String), RegistryError> {
    Ok((200, v.to_string()))
}

fn authorized(req: &Request, cfg: &ServerConfig) -> bool {
    let Some(expected) = &cfg.basic_auth else {
        return true;
    };
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(expected)
    );
    req.headers().iter().any(|h| {
        h.field.equiv("Authorization") && same_secret(h.value.as_str().as_bytes(), want.as_bytes())
    })
}

/// Compare a secret in time that depends on its length only, not on where it differs.
fn same_secret(given: &[u8], want: &[u8]) -> bool {
    let mut diff = given.len() ^ want.len();
    for (i, w) in want.iter().enumerate() {
        diff |= usize::from(given.get(i).copied().unwrap_or(0) ^ w);
    }
    diff == 0
}

fn read_body(req: &mut Request, cfg: &ServerConfig) -> Result<Value, RegistryError> {
    let too_big = || {
        RegistryError::new(
            413,
            format!(
                "Request body is larger than the limit of {} bytes",
                cfg.max_body
            ),
        )
    };
    if req.body_length().is_some_and(|n| n > cfg.max_body) {
        return Err(too_big());
    }
    let mut body = Vec::new();
    req.as_reader()
        .take(cfg.max_body as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| RegistryError::new(400, format!("cannot read the request body: {e}")))?;
    if body.len() > cfg.max_body {
        return Err(too_big());
    }
    serde_json::from_slice(&body)
        .map_err(|e| RegistryError::new(400, format!("The request body is not JSON: {e}")))
}

pub(crate) fn registration(body: &Value) -> Result<Registration, RegistryError> {
    let schema = body.get("schema").and_then(Value::as_str).ok_or_else(|| {
        RegistryError::new(
            42201,
            "Invalid schema: the request has no \"schema\" string",
        )
    })?;
    if body
        .get("references")
        .and_then(Value::as_array)
        .is_some_and(|r| !r.is_empty())
    {
        return Err(RegistryError::new(
            42201,
            "Invalid schema: schema references are not supported; send a self-contained schema",
        ));
    }
    // Ids and versions are positive 32-bit integers: anything else is refused, not cut.
    let num = |k: &str| -> Result<Option<u32>, RegistryError> {
        match body.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match v.as_i64() {
                Some(0) | Some(-1) if k == "version" => Ok(None),
                Some(0) if k == "id" => Ok(None),
                Some(n) => super::store::check_id(n).map(Some).map_err(|_| {
                    RegistryError::new(
                        if k == "id" { 42205 } else { 42202 },
                        format!("The {k} {n} is out of range: 1 to {}", i32::MAX),
                    )
                }),
                None => Err(RegistryError::new(
                    42202,
                    format!("The {k} {v} is not an integer"),
                )),
            },
        }
    };
    Ok(Registration {
        schema: schema.to_string(),
        schema_type: body
            .get("schemaType")
            .and_then(Value::as_str)
            .map(str::to_string),
        id: num("id")?,
        version: num("version")?,
        metadata: body.get("metadata").filter(|m| !m.is_null()).cloned(),
    })
}

fn schema_text(body: &Value) -> Result<String, RegistryError> {
    registration(body).map(|r| r.schema)
}

fn handle(
    req: &mut Request,
    store: &Store,
    cfg: &ServerConfig,
) -> Result<(u16, String), RegistryError> {
    if !authorized(req, cfg) {
        return Err(RegistryError::new(401, "Unauthorized"));
    }
    let url = req.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode)
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let method = req.method().clone();
    let reads = matches!(method, Method::Get | Method::Head)
        || (method == Method::Post
            && (segs.first() == Some(&"compatibility")
                || (segs.first() == Some(&"subjects") && segs.len() == 2)));
    if cfg.read_only && !reads {
        return Err(RegistryError::not_permitted(
            "This registry is read-only (--read-only)",
        ));
    }
    match (&method, segs.as_slice()) {
        (Method::Get, []) => ok(json!({})),
        (Method::Get, ["subjects"]) => ok(json!(store.subjects(flag(query, "deleted"))?)),
        (Method::Get, ["subjects", s, "versions"]) => {
            ok(json!(store.versions(s, flag(query, "deleted"))?))
        }
        (Method::Post, ["subjects", s, "versions"]) => {
            let body = read_body(req, cfg)?;
            let id = store.register(s, &registration(&body)?)?;
            ok(json!({"id": id}))
        }
        (Method::Get, ["subjects", s, "versions", v]) => ok(store
            .version(s, version_arg(v)?, flag(query, "deleted"))?
            .to_json()),
        (Method::Get, ["subjects", s, "versions", v, "schema"]) => Ok((
            200,
            store
                .version(s, version_arg(v)?, flag(query, "deleted"))?
                .schema,
        )),
        (Method::Delete, ["subjects", s, "versions", v]) => ok(json!(store.delete_version(
            s,
            version_arg(v)?,
            flag(query, "permanent")
        )?)),
        (Method::Post, ["subjects", s]) => {
            let body = read_body(req, cfg)?;
            ok(store.lookup(s, &schema_text(&body)?)?.to_json())
        }
        (Method::Delete, ["subjects", s]) => {
            ok(json!(store.delete_subject(s, flag(query, "permanent"))?))
        }
        (Method::Get, ["schemas", "types"]) => ok(json!(["AVRO"])),
        (Method::Get, ["schemas", "ids", id]) => ok(json!({"schema": store.schema(id_arg(id)?)?})),
        (Method::Get, ["schemas", "ids", id, "schema"]) => Ok((200, store.schema(id_arg(id)?)?)),
        (Method::Get, ["schemas", "ids", id, "versions"]) => ok(Value::Array(
            store
                .id_versions(id_arg(id)?)?
                .into_iter()
                .map(|(s, v)| json!({"subject": s, "version": v}))
                .collect(),
        )),
        (Method::Get, ["schemas", "ids", id, "subjects"]) => {
            let mut subjects: Vec<String> = store
                .id_versions(id_arg(id)?)?
                .into_iter()
                .map(|(s, _)| s)
                .collect();
            subjects.dedup();
            ok(json!(subjects))
        }
        (Method::Post, ["compatibility", "subjects", s, "versions", rest @ ..])
            if rest.len() <= 1 =>
        {
            let body = read_body(req, cfg)?;
            let schema = schema_text(&body)?;
            let problems = match rest {
                [v] => store.compatibility(s, version_arg(v)?, false, &schema)?,
                _ => store.compatibility(s, None, true, &schema)?,
            };
            let mut answer = json!({"is_compatible": problems.is_empty()});
            if flag(query, "verbose") {
                answer["messages"] = json!(problems);
            }
            ok(answer)
        }
        (Method::Get, ["config"]) => ok(json!({"compatibilityLevel": store.level("")?.name()})),
        (Method::Get, ["config", s]) => match store.subject_level(s)? {
            Some(l) => ok(json!({"compatibilityLevel": l.name()})),
            None if flag(query, "defaultToGlobal") => {
                ok(json!({"compatibilityLevel": store.level("")?.name()}))
            }
            None => Err(RegistryError::new(
                40408,
                format!("Subject '{s}' does not have subject-level compatibility configured"),
            )),
        },
        (Method::Put, ["config", rest @ ..]) if rest.len() <= 1 => {
            let body = read_body(req, cfg)?;
            let wanted = body
                .get("compatibility")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let level = Level::parse(wanted).ok_or_else(|| {
                RegistryError::new(42203, format!("Invalid compatibility level: {wanted}"))
            })?;
            store.set_level(rest.first().copied().unwrap_or(""), level)?;
            ok(json!({"compatibility": level.name()}))
        }
        (Method::Get, ["mode"]) => ok(json!({"mode": store.mode("")?.name()})),
        (Method::Get, ["mode", s]) => match store.subject_mode(s)? {
            Some(m) => ok(json!({"mode": m.name()})),
            None => ok(json!({"mode": store.mode("")?.name()})),
        },
        (Method::Put, ["mode", rest @ ..]) if rest.len() <= 1 => {
            let body = read_body(req, cfg)?;
            let wanted = body.get("mode").and_then(Value::as_str).unwrap_or_default();
            let mode = Mode::parse(wanted)
                .ok_or_else(|| RegistryError::new(42204, format!("Invalid mode: {wanted}")))?;
            store.set_mode(
                rest.first().copied().unwrap_or(""),
                mode,
                flag(query, "force"),
            )?;
            ok(json!({"mode": mode.name()}))
        }
        _ => Err(RegistryError::new(
            404,
            format!("HTTP 404 Not Found: {method} {path}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"Basic abc", b"Basic abc"));
        assert!(!same_secret(b"Basic abd", b"Basic abc"));
        assert!(!same_secret(b"Basic ab", b"Basic abc"));
        assert!(!same_secret(b"Basic abcd", b"Basic abc"));
        assert!(!same_secret(b"", b"Basic abc"));
    }

    #[test]
    fn percent_decoding_and_flags() {
        assert_eq!(decode("lsst-alerts-v11.1-value"), "lsst-alerts-v11.1-value");
        assert_eq!(decode("a%2Fb%20c"), "a/b c");
        assert_eq!(decode("bad%zz"), "bad%zz");
        assert!(flag("permanent=true", "permanent") && !flag("permanent=false", "permanent"));
        assert_eq!(version_arg("latest").unwrap(), None);
        assert_eq!(version_arg("3").unwrap(), Some(3));
        assert_eq!(version_arg("x").unwrap_err().code, 42202);
    }
}
