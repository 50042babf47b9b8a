//! The Confluent Schema Registry REST API, served from a [`Store`].
//!
//! Routes: GET /subjects; GET|POST /subjects/{s}/versions; GET
//! /subjects/{s}/versions/{v|latest}[/schema]; POST /subjects/{s} (lookup); DELETE
//! /subjects/{s}[/versions/{v}] (soft, `?permanent=true`); GET
//! /schemas/ids/{id}[/schema|/versions|/subjects]; GET /schemas/types; POST
//! /compatibility/subjects/{s}/versions[/{v|latest}] (`?verbose=true`); GET|PUT|DELETE
//! /config[/{s}]; GET|PUT /mode[/{s}]. Errors are Confluent's bodies and codes.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use serde_json::{json, Value};

use super::store::{Registration, Store};
use super::{Mode, RegistryError, CONTENT_TYPE};
use crate::formats::avro::compat::Level;

/// How long a client may take to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest request head (request line and headers), bytes.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// How long a stop waits for requests in flight.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

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
    /// Threads for the store's work (the connections themselves are asynchronous).
    pub threads: usize,
}

/// A running server: hyper on a tokio runtime of its own thread. It stops on
/// [`Running::stop`], SIGTERM or SIGINT, gracefully: it stops accepting, lets requests
/// in flight finish (up to [`DRAIN_TIMEOUT`]), and closes idle connections.
pub struct Running {
    addr: SocketAddr,
    stop: tokio::sync::watch::Sender<bool>,
    thread: JoinHandle<()>,
}

impl Running {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop gracefully and wait until it has.
    pub fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.thread.join();
    }

    /// Serve until a signal (or `stop` from elsewhere) ends it.
    pub fn wait(self) {
        let _ = self.thread.join();
    }
}

/// A request as the routes see it: read whole, whatever carried it.
struct Req {
    method: Method,
    path: String,
    query: String,
    authorization: Option<String>,
    body: Bytes,
}

/// Open the store and start serving.
pub fn serve(cfg: ServerConfig) -> Result<Running, RegistryError> {
    let store = Arc::new(Store::open(&cfg.data, cfg.level)?);
    let cannot =
        |e: std::io::Error| RegistryError::store(format!("cannot listen on {}: {e}", cfg.listen));
    let listener = std::net::TcpListener::bind(&cfg.listen).map_err(cannot)?;
    listener.set_nonblocking(true).map_err(cannot)?;
    let addr = listener.local_addr().map_err(cannot)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(cfg.threads.max(1))
        .enable_all()
        .thread_name("registry")
        .build()
        .map_err(|e| RegistryError::store(format!("cannot start the server: {e}")))?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let cfg = Arc::new(cfg);
    let thread = std::thread::spawn(move || {
        runtime.block_on(accept_loop(listener, store, cfg, stopped));
    });
    Ok(Running { addr, stop, thread })
}

async fn accept_loop(
    listener: std::net::TcpListener,
    store: Arc<Store>,
    cfg: Arc<ServerConfig>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_HEADER_BYTES);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let sigterm = async move {
        match term.as_mut() {
            Some(t) => {
                t.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    tokio::pin!(sigterm);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let (store, cfg) = (store.clone(), cfg.clone());
                let service = hyper::service::service_fn(move |req| {
                    respond(req, store.clone(), cfg.clone())
                });
                let conn = builder.serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn.into_owned());
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = stopped.changed() => break,
            _ = &mut sigterm => break,
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
}

async fn respond(
    req: Request<Incoming>,
    store: Arc<Store>,
    cfg: Arc<ServerConfig>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (status, body) = match read(req, cfg.max_body).await {
        Ok(r) => {
            // The store's work (SQLite, compatibility checks) blocks: off the reactor.
            let cfg = cfg.clone();
            tokio::task::spawn_blocking(move || handle(&r, &store, &cfg))
                .await
                .unwrap_or_else(|e| Err(RegistryError::store(format!("request failed: {e}"))))
                .unwrap_or_else(|e| (e.status, e.body().to_string()))
        }
        Err(e) => (e.status, e.body().to_string()),
    };
    let mut resp = Response::builder()
        .status(status)
        .header("Content-Type", CONTENT_TYPE);
    if status == 401 {
        resp = resp.header("WWW-Authenticate", "Basic realm=\"alertctl registry\"");
    }
    Ok(resp
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}

/// Read a request whole: its body up to `max_body` bytes, within [`BODY_TIMEOUT`].
async fn read(req: Request<Incoming>, max_body: usize) -> Result<Req, RegistryError> {
    let (parts, body) = req.into_parts();
    let too_big = || {
        RegistryError::new(
            413,
            format!("Request body is larger than the limit of {max_body} bytes"),
        )
    };
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body as u64) {
        return Err(too_big());
    }
    let body =
        match tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, max_body).collect()).await {
            Ok(Ok(b)) => b.to_bytes(),
            Ok(Err(e))
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some() =>
            {
                return Err(too_big())
            }
            Ok(Err(e)) => {
                return Err(RegistryError::new(
                    400,
                    format!("cannot read the request body: {e}"),
                ))
            }
            Err(_) => {
                return Err(RegistryError::new(
                    408,
                    format!(
                        "The request body did not arrive within {} s",
                        BODY_TIMEOUT.as_secs()
                    ),
                ))
            }
        };
    Ok(Req {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        authorization: parts
            .headers
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body,
    })
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

fn authorized(req: &Req, cfg: &ServerConfig) -> bool {
    let Some(expected) = &cfg.basic_auth else {
        return true;
    };
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(expected)
    );
    req.authorization
        .as_deref()
        .is_some_and(|given| same_secret(given.as_bytes(), want.as_bytes()))
}

/// Compare a secret in time that depends on its length only, not on where it differs.
fn same_secret(given: &[u8], want: &[u8]) -> bool {
    let mut diff = given.len() ^ want.len();
    for (i, w) in want.iter().enumerate() {
        diff |= usize::from(given.get(i).copied().unwrap_or(0) ^ w);
    }
    diff == 0
}

fn read_body(req: &Req) -> Result<Value, RegistryError> {
    serde_json::from_slice(&req.body)
        .map_err(|e| RegistryError::new(400, format!("The request body is not JSON: {e}")))
}

/// A registration request's body (`POST /subjects/S/versions`), read: the schema
/// text and the id and version it asks for.
pub fn registration(body: &Value) -> Result<Registration, RegistryError> {
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

fn handle(req: &Req, store: &Store, cfg: &ServerConfig) -> Result<(u16, String), RegistryError> {
    if !authorized(req, cfg) {
        return Err(RegistryError::new(401, "Unauthorized"));
    }
    let (path, query) = (req.path.as_str(), req.query.as_str());
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode)
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let method = req.method.as_str();
    let reads = matches!(method, "GET" | "HEAD")
        || (method == "POST"
            && (segs.first() == Some(&"compatibility")
                || (segs.first() == Some(&"subjects") && segs.len() == 2)));
    if cfg.read_only && !reads {
        return Err(RegistryError::not_permitted(
            "This registry is read-only (--read-only)",
        ));
    }
    match (method, segs.as_slice()) {
        ("GET", []) => ok(json!({})),
        ("GET", ["subjects"]) => ok(json!(store.subjects(flag(query, "deleted"))?)),
        ("GET", ["subjects", s, "versions"]) => {
            ok(json!(store.versions(s, flag(query, "deleted"))?))
        }
        ("POST", ["subjects", s, "versions"]) => {
            let body = read_body(req)?;
            let id = store.register(s, &registration(&body)?)?;
            ok(json!({"id": id}))
        }
        ("GET", ["subjects", s, "versions", v]) => ok(store
            .version(s, version_arg(v)?, flag(query, "deleted"))?
            .to_json()),
        ("GET", ["subjects", s, "versions", v, "schema"]) => Ok((
            200,
            store
                .version(s, version_arg(v)?, flag(query, "deleted"))?
                .schema,
        )),
        ("DELETE", ["subjects", s, "versions", v]) => ok(json!(store.delete_version(
            s,
            version_arg(v)?,
            flag(query, "permanent")
        )?)),
        ("POST", ["subjects", s]) => {
            let body = read_body(req)?;
            ok(store.lookup(s, &schema_text(&body)?)?.to_json())
        }
        ("DELETE", ["subjects", s]) => {
            ok(json!(store.delete_subject(s, flag(query, "permanent"))?))
        }
        ("GET", ["schemas", "types"]) => ok(json!(["AVRO"])),
        ("GET", ["schemas", "ids", id]) => ok(json!({"schema": store.schema(id_arg(id)?)?})),
        ("GET", ["schemas", "ids", id, "schema"]) => Ok((200, store.schema(id_arg(id)?)?)),
        ("GET", ["schemas", "ids", id, "versions"]) => ok(Value::Array(
            store
                .id_versions(id_arg(id)?)?
                .into_iter()
                .map(|(s, v)| json!({"subject": s, "version": v}))
                .collect(),
        )),
        ("GET", ["schemas", "ids", id, "subjects"]) => {
            let mut subjects: Vec<String> = store
                .id_versions(id_arg(id)?)?
                .into_iter()
                .map(|(s, _)| s)
                .collect();
            subjects.dedup();
            ok(json!(subjects))
        }
        ("POST", ["compatibility", "subjects", s, "versions", rest @ ..]) if rest.len() <= 1 => {
            let body = read_body(req)?;
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
        ("GET", ["config"]) => ok(json!({"compatibilityLevel": store.level("")?.name()})),
        ("GET", ["config", s]) => match store.subject_level(s)? {
            Some(l) => ok(json!({"compatibilityLevel": l.name()})),
            None if flag(query, "defaultToGlobal") => {
                ok(json!({"compatibilityLevel": store.level("")?.name()}))
            }
            None => Err(RegistryError::new(
                40408,
                format!("Subject '{s}' does not have subject-level compatibility configured"),
            )),
        },
        ("PUT", ["config", rest @ ..]) if rest.len() <= 1 => {
            let body = read_body(req)?;
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
        ("GET", ["mode"]) => ok(json!({"mode": store.mode("")?.name()})),
        ("GET", ["mode", s]) => match store.subject_mode(s)? {
            Some(m) => ok(json!({"mode": m.name()})),
            None => ok(json!({"mode": store.mode("")?.name()})),
        },
        ("PUT", ["mode", rest @ ..]) if rest.len() <= 1 => {
            let body = read_body(req)?;
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
