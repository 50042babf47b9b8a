//! Notifications: each alert a filter passes, handed to the filter's sinks besides its
//! output topic: a webhook (a generic JSON body, or Slack's and Mattermost's message
//! shape), a user's program (`exec`, the alert's JSON view on its stdin), or e-mail
//! through an SMTP relay. With `picture = true` the alert's picture (cutouts and light
//! curve, [`crate::render::picture`]) goes along: a file path for `exec`, an attachment
//! by e-mail.
//!
//! * Nothing lost: every sink runs on a thread of its own and keeps what it has not
//!   delivered; the pipeline commits an input offset only once every sink has
//!   accepted the alerts from it ([`Notifier::pending_from`] joins the commit rule).
//!   A sink that is down is retried with back-off (a 429 or 503's `Retry-After` is
//!   honoured), said once a minute at most, and never blocks the other sinks or
//!   filters.
//! * Nobody flooded: a sink sends at most `per_minute` messages in each `window`; the
//!   alerts over it go, at the window's end, into one digest message that lists them.
//! * Nothing reaches a shell: `exec` runs the program named by its first word with the
//!   other words as arguments, no shell between, and hands it the alert on stdin; a
//!   webhook's body is built by a JSON encoder.
//! * Secrets stay secret: a webhook is named in messages by its host only (the path
//!   of a Slack or Mattermost webhook is its token).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{json, Value as Json};

use crate::filter::Tp;

/// One sink of a filter (`[[filter.notify]]` in a filters file).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SinkDef {
    /// POST each alert to this URL.
    #[serde(default)]
    pub webhook: Option<String>,
    /// The body: `json` (default: the filter, the alert's key numbers, and the alert's
    /// JSON view without cutouts), `slack` or `mattermost` (a message with a link and the
    /// key numbers).
    #[serde(default)]
    pub shape: Option<String>,
    /// Run this program (its first word; the others are its arguments, no shell).
    #[serde(default)]
    pub exec: Option<Vec<String>>,
    /// With `exec`: `each` (default: one process per alert, accepted when it exits 0) or
    /// `lines` (one long-lived process reading one JSON line per alert).
    #[serde(default)]
    pub mode: Option<String>,
    /// Send e-mail to these addresses, through `smtp`.
    #[serde(default)]
    pub email: Option<Vec<String>>,
    /// The SMTP relay, `host:port` (default `127.0.0.1:25`): plain SMTP, as a node's
    /// local mail relay takes it (the relay does TLS and authentication onwards).
    #[serde(default)]
    pub smtp: Option<String>,
    /// The sender address (default `alertctl@localhost`).
    #[serde(default)]
    pub from: Option<String>,
    /// Send the alert's picture along: a PNG file's path for `exec` (`"picture"` in the
    /// JSON), an attachment by e-mail.
    #[serde(default)]
    pub picture: bool,
    /// A link for the message, `{id}` replaced by the diaSourceId.
    #[serde(default)]
    pub link: Option<String>,
    /// At most this many messages per window; the rest go into a digest (0: no limit).
    #[serde(default)]
    pub per_minute: u32,
    /// The rate window (default `1m`; `10s` for a test).
    #[serde(default)]
    pub window: Option<String>,
}

impl SinkDef {
    /// Check the definition; the message says what is wrong.
    pub fn check(&self) -> Result<(), String> {
        let kinds = [
            self.webhook.is_some(),
            self.exec.is_some(),
            self.email.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() > 1 {
            return Err("notify: one of webhook, exec or email per [[filter.notify]]".into());
        }
        // One address: name@host, nothing that could end a header or an SMTP command.
        let address = |a: &str| {
            a.matches('@').count() == 1
                && !a.starts_with('@')
                && !a.ends_with('@')
                && !a
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "<>,;\\\"()[]".contains(c))
        };
        if let Some(to) = &self.email {
            if to.is_empty() || !to.iter().all(|a| address(a)) {
                return Err("notify email: give the addresses, as a list of name@host".into());
            }
            if self.from.as_deref().is_some_and(|a| !address(a)) {
                return Err("notify from: an address name@host".into());
            }
            return self.window_len().map(|_| ());
        }
        match (&self.webhook, &self.exec) {
            (Some(u), None) => {
                if !(u.starts_with("http://") || u.starts_with("https://")) {
                    return Err(format!(
                        "notify webhook {}: not an http(s) URL",
                        redact_url(u)
                    ));
                }
                if let Some(s) = &self.shape {
                    if !["json", "slack", "mattermost"].contains(&s.as_str()) {
                        return Err(format!(
                            "notify shape {s:?}: one of json, slack, mattermost"
                        ));
                    }
                }
            }
            (None, Some(argv)) => {
                if argv.is_empty() || argv[0].is_empty() {
                    return Err("notify exec: give the program and its arguments, as a list".into());
                }
                if let Some(m) = &self.mode {
                    if !["each", "lines"].contains(&m.as_str()) {
                        return Err(format!("notify mode {m:?}: each or lines"));
                    }
                }
            }
            _ => {
                return Err(
                    "notify: give one of webhook = URL, exec = [PROGRAM, ARGS...] or email = [ADDRESSES]"
                        .into(),
                )
            }
        }
        self.window_len()?;
        Ok(())
    }

    fn window_len(&self) -> Result<Duration, String> {
        match &self.window {
            None => Ok(Duration::from_secs(60)),
            Some(w) => crate::transport::kafka::offsets::parse_duration(w)
                .map_err(|e| format!("notify window {w:?}: {e}")),
        }
    }

    /// How the sink is named in messages: never a webhook's path or query.
    pub fn describe(&self) -> String {
        match (&self.webhook, &self.exec) {
            (Some(u), _) => format!("webhook {}", redact_url(u)),
            (_, Some(argv)) => format!("exec {}", argv.first().map_or("", String::as_str)),
            _ => match &self.email {
                Some(to) => format!("email to {}", to.join(", ")),
                None => "sink".into(),
            },
        }
    }
}

/// A URL with its path and query hidden: `https://hooks.slack.com/…`.
pub fn redact_url(u: &str) -> String {
    let rest = u.split_once("://").map_or(u, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host); // no user:password@
    let scheme = u.split_once("://").map_or("", |(s, _)| s);
    if rest.len() > host.len() {
        format!("{scheme}://{host}/…")
    } else {
        format!("{scheme}://{host}")
    }
}

/// One alert for the sinks.
#[derive(Debug, Clone)]
struct Job {
    source: (Tp, i64),
    filter: String,
    view: Arc<Json>,
    /// The alert's picture, PNG, when a sink of its filter asks for it.
    picture: Option<Arc<Vec<u8>>>,
}

/// Alerts handed to sinks and not yet accepted, per input partition and offset.
#[derive(Debug, Default)]
struct Pending {
    open: HashMap<Tp, BTreeMap<i64, u32>>,
}

impl Pending {
    fn add(&mut self, (tp, offset): &(Tp, i64)) {
        *self
            .open
            .entry(tp.clone())
            .or_default()
            .entry(*offset)
            .or_default() += 1;
    }

    fn done(&mut self, (tp, offset): &(Tp, i64)) {
        if let Some(m) = self.open.get_mut(tp) {
            if let Some(n) = m.get_mut(offset) {
                *n -= 1;
                if *n == 0 {
                    m.remove(offset);
                }
            }
        }
    }

    fn lowest(&self) -> HashMap<Tp, i64> {
        self.open
            .iter()
            .filter_map(|(tp, m)| m.keys().next().map(|o| (tp.clone(), *o)))
            .collect()
    }
}

/// What the sinks did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SinkStats {
    /// The sink, as [`SinkDef::describe`] names it.
    pub sink: String,
    /// The filter.
    pub filter: String,
    /// Alerts handed to it.
    pub offered: u64,
    /// Alerts accepted (one by one, or in a digest).
    pub delivered: u64,
    /// Digests sent.
    pub digests: u64,
    /// Alerts delivered in digests.
    pub in_digests: u64,
    /// Attempts that failed and were retried.
    pub retries: u64,
}

struct SinkHandle {
    filter: usize,
    picture: bool,
    tx: Option<mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
    stats: Arc<Mutex<SinkStats>>,
}

/// The sinks of a pipeline's filters.
pub struct Notifier {
    sinks: Vec<SinkHandle>,
    pending: Arc<Mutex<Pending>>,
    names: Vec<String>,
    warnings: Arc<Mutex<Vec<String>>>,
    decoder: crate::formats::packet::Decoder,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("sinks", &self.sinks.len())
            .finish()
    }
}

impl Notifier {
    /// Start the sinks of `defs` (each filter's `notify`); `None` when no filter has one.
    pub fn start(
        defs: &[crate::filter::FilterDef],
        schemas: crate::formats::avro::SchemaStore,
    ) -> Option<Notifier> {
        if defs.iter().all(|d| d.notify.is_empty()) {
            return None;
        }
        let pending = Arc::new(Mutex::new(Pending::default()));
        let warnings = Arc::new(Mutex::new(Vec::new()));
        let mut sinks = Vec::new();
        for (i, d) in defs.iter().enumerate() {
            for s in &d.notify {
                // A webhook's URL holds its token: masked in every line printed, as
                // the project's other secrets are (render::redact).
                if let Some(url) = &s.webhook {
                    crate::render::redact::note(url);
                }
                let (tx, rx) = mpsc::channel::<Job>();
                let stats = Arc::new(Mutex::new(SinkStats {
                    sink: s.describe(),
                    filter: d.name.clone(),
                    ..SinkStats::default()
                }));
                let worker =
                    Worker::new(s.clone(), pending.clone(), stats.clone(), warnings.clone());
                let thread = std::thread::Builder::new()
                    .name(format!("sink-{}", d.name))
                    .spawn(move || worker.run(rx))
                    .ok();
                sinks.push(SinkHandle {
                    filter: i,
                    picture: s.picture,
                    tx: Some(tx),
                    thread,
                    stats,
                });
            }
        }
        Some(Notifier {
            sinks,
            pending,
            names: defs.iter().map(|d| d.name.clone()).collect(),
            warnings,
            decoder: crate::formats::packet::Decoder::new(schemas, None),
        })
    }

    /// Hand a passing alert to its filter's sinks.
    pub fn offer(&mut self, o: &crate::filter::Output) {
        if !self.sinks.iter().any(|s| s.filter == o.filter) {
            return;
        }
        use crate::formats::avro::view::{to_json, CutoutPolicy};
        let wants_picture = self.sinks.iter().any(|s| s.filter == o.filter && s.picture);
        let (view, picture) = match self.decoder.decode(&o.packet) {
            Ok((_, v)) => {
                let picture = if wants_picture {
                    crate::render::picture::alert_png(&to_json(&v, CutoutPolicy::Keep))
                        .ok()
                        .map(Arc::new)
                } else {
                    None
                };
                (to_json(&v, CutoutPolicy::Omit), picture)
            }
            Err(e) => (json!({"error": e.to_string()}), None),
        };
        let job = Job {
            source: o.source.clone(),
            filter: self.names[o.filter].clone(),
            view: Arc::new(view),
            picture,
        };
        for s in self.sinks.iter().filter(|s| s.filter == o.filter) {
            if let Some(tx) = &s.tx {
                lock(&self.pending).add(&job.source);
                lock(&s.stats).offered += 1;
                if tx.send(job.clone()).is_err() {
                    lock(&self.pending).done(&job.source);
                }
            }
        }
    }

    /// The lowest input offset on each partition that a sink has not accepted yet: no
    /// offset from there on may be committed.
    pub fn pending_from(&self) -> HashMap<Tp, i64> {
        lock(&self.pending).lowest()
    }

    /// Lines to say (a sink failing, once a minute at most).
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.warnings))
    }

    /// Let the sinks deliver what they hold for at most `wait`, then stop them. What
    /// is still undelivered is not committed: it is read and offered again next run.
    pub fn finish(&mut self, wait: Duration) -> Vec<SinkStats> {
        for s in &mut self.sinks {
            s.tx = None; // a worker ends when its queue is empty and closed
        }
        let until = Instant::now() + wait;
        while Instant::now() < until
            && self
                .sinks
                .iter()
                .any(|s| s.thread.as_ref().is_some_and(|t| !t.is_finished()))
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        for s in &mut self.sinks {
            if s.thread.as_ref().is_some_and(|t| t.is_finished()) {
                if let Some(t) = s.thread.take() {
                    let _ = t.join();
                }
            }
        }
        self.stats()
    }

    /// What each sink did so far.
    pub fn stats(&self) -> Vec<SinkStats> {
        self.sinks.iter().map(|s| lock(&s.stats).clone()).collect()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The key numbers of an alert's view: id, position, band, SNR, flux and magnitude.
fn key_numbers(v: &Json) -> Json {
    let s = &v["diaSource"];
    let flux = s["psfFlux"].as_f64();
    json!({
        "diaSourceId": s["diaSourceId"].clone(),
        "diaObjectId": v["diaObject"]["diaObjectId"].clone(),
        "visit": s["visit"].clone(),
        "ra": s["ra"].clone(),
        "dec": s["dec"].clone(),
        "band": s["band"].clone(),
        "snr": s["snr"].clone(),
        "psfFlux_nJy": s["psfFlux"].clone(),
        "ab_mag": flux.and_then(crate::sky::geom::ab_mag),
    })
}

/// Why an attempt failed, and how long to wait before the next (a `Retry-After`).
struct Failed {
    why: String,
    after: Option<Duration>,
}

struct Worker {
    def: SinkDef,
    pending: Arc<Mutex<Pending>>,
    stats: Arc<Mutex<SinkStats>>,
    warnings: Arc<Mutex<Vec<String>>>,
    window: Duration,
    /// One HTTP agent for the sink's life: its connections are kept and reused.
    agent: ureq::Agent,
}

impl Worker {
    fn new(
        def: SinkDef,
        pending: Arc<Mutex<Pending>>,
        stats: Arc<Mutex<SinkStats>>,
        warnings: Arc<Mutex<Vec<String>>>,
    ) -> Worker {
        Worker {
            window: def.window_len().unwrap_or(Duration::from_secs(60)),
            def,
            pending,
            stats,
            warnings,
            agent: ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(30))
                .build(),
        }
    }

    fn run(self, rx: mpsc::Receiver<Job>) {
        let mut lines: Option<std::process::Child> = None;
        let mut window_start = Instant::now();
        let mut sent_in_window = 0u32;
        let mut digest: Vec<Job> = Vec::new();
        let mut last_warned: Option<Instant> = None;
        loop {
            let job = match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(j) => Some(j),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    if !digest.is_empty() {
                        let d = std::mem::take(&mut digest);
                        self.deliver_digest(d, &mut lines, &mut last_warned);
                    }
                    break;
                }
            };
            if window_start.elapsed() >= self.window {
                if !digest.is_empty() {
                    let d = std::mem::take(&mut digest);
                    self.deliver_digest(d, &mut lines, &mut last_warned);
                }
                window_start = Instant::now();
                sent_in_window = 0;
            }
            let Some(job) = job else { continue };
            if self.def.per_minute > 0 && sent_in_window >= self.def.per_minute {
                digest.push(job);
                continue;
            }
            sent_in_window += 1;
            let mut body = self.message(&job);
            let picture = job.picture.clone().filter(|_| self.def.picture);
            if let (Some(png), true) = (&picture, self.def.exec.is_some()) {
                body["picture"] = json!(picture_file(&job, png));
            }
            let filter = job.filter.clone();
            self.deliver(
                &body,
                picture.as_deref().map(Vec::as_slice),
                &filter,
                &mut lines,
                &mut last_warned,
            );
            lock(&self.stats).delivered += 1;
            lock(&self.pending).done(&job.source);
        }
        if let Some(mut c) = lines {
            drop(c.stdin.take());
            let _ = c.wait();
        }
    }

    fn deliver_digest(
        &self,
        jobs: Vec<Job>,
        lines: &mut Option<std::process::Child>,
        warned: &mut Option<Instant>,
    ) {
        let body = self.digest_message(&jobs);
        let filter = jobs.first().map_or("", |j| j.filter.as_str()).to_string();
        self.deliver(&body, None, &filter, lines, warned);
        let mut st = lock(&self.stats);
        st.delivered += jobs.len() as u64;
        st.in_digests += jobs.len() as u64;
        st.digests += 1;
        drop(st);
        let mut p = lock(&self.pending);
        for j in &jobs {
            p.done(&j.source);
        }
    }

    /// Try until accepted, backing off (1 s doubling to 60 s, or the server's
    /// `Retry-After`), saying so at most once a minute.
    fn deliver(
        &self,
        body: &Json,
        picture: Option<&[u8]>,
        filter: &str,
        lines: &mut Option<std::process::Child>,
        warned: &mut Option<Instant>,
    ) {
        let mut wait = Duration::from_secs(1);
        loop {
            let r = match (&self.def.webhook, &self.def.exec, &self.def.email) {
                (Some(url), _, _) => post(&self.agent, url, body),
                (_, Some(argv), _) => run_exec(argv, self.def.mode.as_deref(), body, lines),
                (_, _, Some(to)) => send_mail(
                    self.def.smtp.as_deref().unwrap_or("127.0.0.1:25"),
                    self.def.from.as_deref().unwrap_or("alertctl@localhost"),
                    to,
                    &mail_subject(filter, body),
                    &serde_json::to_string_pretty(body).unwrap_or_default(),
                    picture,
                ),
                _ => return,
            };
            let Err(f) = r else { return };
            lock(&self.stats).retries += 1;
            let pause = f.after.unwrap_or(wait).min(Duration::from_secs(300));
            if warned.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
                let st = lock(&self.stats);
                lock(&self.warnings).push(format!(
                    "filter {}: {} failed ({}); trying again in {:.0} s, nothing from it is committed meanwhile",
                    st.filter,
                    st.sink,
                    f.why,
                    pause.as_secs_f64()
                ));
                *warned = Some(Instant::now());
            }
            std::thread::sleep(pause);
            wait = (wait * 2).min(Duration::from_secs(60));
        }
    }

    fn link(&self, v: &Json) -> Option<String> {
        let id = v["diaSource"]["diaSourceId"].to_string();
        self.def.link.as_ref().map(|l| l.replace("{id}", &id))
    }

    fn message(&self, job: &Job) -> Json {
        let v = &*job.view;
        let k = key_numbers(v);
        match self.def.shape.as_deref() {
            Some("slack") | Some("mattermost") => {
                let mut text = format!(
                    "*{}*: diaSource {} (band {}, SNR {}, {} mag) at RA {}, Dec {}",
                    job.filter,
                    k["diaSourceId"],
                    k["band"].as_str().unwrap_or("?"),
                    k["snr"].as_f64().map_or("?".into(), |s| format!("{s:.1}")),
                    k["ab_mag"]
                        .as_f64()
                        .map_or("?".into(), |m| format!("{m:.2}")),
                    k["ra"].as_f64().map_or("?".into(), |x| format!("{x:.5}")),
                    k["dec"].as_f64().map_or("?".into(), |x| format!("{x:.5}")),
                );
                if let Some(l) = self.link(v) {
                    // Slack's link syntax, or Markdown's for Mattermost.
                    if self.def.shape.as_deref() == Some("mattermost") {
                        text.push_str(&format!(" [details]({l})"));
                    } else {
                        text.push_str(&format!(" <{l}|details>"));
                    }
                }
                json!({ "text": text })
            }
            _ => json!({
                "filter": job.filter,
                "alert": k,
                "link": self.link(v),
                "view": v,
            }),
        }
    }

    fn digest_message(&self, jobs: &[Job]) -> Json {
        let filter = jobs.first().map_or("", |j| j.filter.as_str());
        let keys: Vec<Json> = jobs.iter().map(|j| key_numbers(&j.view)).collect();
        match self.def.shape.as_deref() {
            Some("slack") | Some("mattermost") => {
                let mut text = format!(
                    "*{filter}*: {} more alerts this window (digest):",
                    jobs.len()
                );
                for k in &keys {
                    text.push_str(&format!(
                        "\n• diaSource {} SNR {}",
                        k["diaSourceId"], k["snr"]
                    ));
                }
                json!({ "text": text })
            }
            _ => json!({ "filter": filter, "digest": keys }),
        }
    }
}

/// Write an alert's picture where a program can read it; its path.
fn picture_file(job: &Job, png: &[u8]) -> String {
    let dir = std::env::temp_dir().join("alertctl-pictures");
    let _ = std::fs::create_dir_all(&dir);
    let id = job.view["diaSource"]["diaSourceId"].as_i64().unwrap_or(0);
    let path = dir.join(format!("{}-{id}.png", job.filter));
    let _ = std::fs::write(&path, png);
    path.display().to_string()
}

/// A message's subject: the filter and the alert (or how many, for a digest).
fn mail_subject(filter: &str, body: &Json) -> String {
    let s = match body["digest"].as_array() {
        Some(d) => format!("alertctl {filter}: {} alerts (digest)", d.len()),
        None => format!(
            "alertctl {filter}: diaSource {} SNR {}",
            body["alert"]["diaSourceId"],
            body["alert"]["snr"]
                .as_f64()
                .map_or("?".into(), |x| format!("{x:.1}"))
        ),
    };
    // One header line: nothing from an alert may start another header.
    s.replace(['\r', '\n'], " ")
}

/// Read an SMTP answer (multi-line ones too); a code not in `ok` is a failure.
fn smtp_expect(r: &mut impl std::io::BufRead, ok: &[u32]) -> Result<(), Failed> {
    loop {
        let mut line = String::new();
        r.read_line(&mut line).map_err(|e| Failed {
            why: format!("SMTP: {e}"),
            after: None,
        })?;
        if line.as_bytes().get(3) == Some(&b'-') {
            continue;
        }
        let code: u32 = line.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
        return if ok.contains(&code) {
            Ok(())
        } else {
            Err(Failed {
                why: format!("SMTP answered {}", line.trim()),
                after: None,
            })
        };
    }
}

/// Send one message through a plain SMTP relay; a picture goes as a PNG attachment.
/// A refusal or a connection that fails is a failure to retry.
fn send_mail(
    relay: &str,
    from: &str,
    to: &[String],
    subject: &str,
    text: &str,
    picture: Option<&[u8]>,
) -> Result<(), Failed> {
    use base64::Engine;
    let fail = |why: String| Failed { why, after: None };
    let stream = std::net::TcpStream::connect(relay)
        .map_err(|e| fail(format!("cannot reach the SMTP relay {relay}: {e}")))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut w = stream.try_clone().map_err(|e| fail(e.to_string()))?;
    let mut r = std::io::BufReader::new(stream);
    let say = |w: &mut std::net::TcpStream, s: &str| {
        w.write_all(s.as_bytes())
            .map_err(|e| fail(format!("SMTP: {e}")))
    };
    smtp_expect(&mut r, &[220])?;
    say(&mut w, "EHLO alertctl\r\n")?;
    smtp_expect(&mut r, &[250])?;
    say(&mut w, &format!("MAIL FROM:<{from}>\r\n"))?;
    smtp_expect(&mut r, &[250])?;
    for t in to {
        say(&mut w, &format!("RCPT TO:<{t}>\r\n"))?;
        smtp_expect(&mut r, &[250, 251])?;
    }
    say(&mut w, "DATA\r\n")?;
    smtp_expect(&mut r, &[354])?;
    let boundary = "alertctl-part-7f3a9c";
    let to_header: Vec<String> = to.iter().map(|t| format!("<{t}>")).collect();
    let mut msg = format!(
        "From: <{from}>\r\nTo: {}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
        to_header.join(", ")
    );
    for line in text.lines() {
        // Dot-stuffing: no line of the text ends the message early.
        if line.starts_with('.') {
            msg.push('.');
        }
        msg.push_str(line);
        msg.push_str("\r\n");
    }
    if let Some(png) = picture {
        msg.push_str(&format!(
            "--{boundary}\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"alert.png\"\r\n\r\n"
        ));
        let b64 = base64::engine::general_purpose::STANDARD.encode(png);
        for chunk in b64.as_bytes().chunks(76) {
            msg.push_str(std::str::from_utf8(chunk).unwrap_or(""));
            msg.push_str("\r\n");
        }
    }
    msg.push_str(&format!("--{boundary}--\r\n.\r\n"));
    say(&mut w, &msg)?;
    smtp_expect(&mut r, &[250])?;
    let _ = say(&mut w, "QUIT\r\n");
    Ok(())
}

/// POST a JSON body; 2xx is accepted.
fn post(agent: &ureq::Agent, url: &str, body: &Json) -> Result<(), Failed> {
    match agent.post(url).send_json(body.clone()) {
        Ok(_) => Ok(()),
        Err(ureq::Error::Status(code, r)) => Err(Failed {
            why: format!("HTTP {code}"),
            after: (code == 429 || code == 503)
                .then(|| {
                    r.header("Retry-After")
                        .and_then(|s| s.trim().parse::<u64>().ok())
                })
                .flatten()
                .map(Duration::from_secs),
        }),
        Err(ureq::Error::Transport(t)) => Err(Failed {
            // The transport error names the URL: say its kind only.
            why: format!("{:?}", t.kind()),
            after: None,
        }),
    }
}

/// Hand a body to a program: one process per alert (accepted when it exits 0), or a
/// line to a long-lived one (accepted when written).
fn run_exec(
    argv: &[String],
    mode: Option<&str>,
    body: &Json,
    lines: &mut Option<std::process::Child>,
) -> Result<(), Failed> {
    use std::process::{Command, Stdio};
    let line = format!("{body}\n");
    let fail = |why: String| Failed { why, after: None };
    if mode == Some("lines") {
        if lines
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))))
        {
            *lines = None; // it ended: start it again
        }
        if lines.is_none() {
            let c = Command::new(&argv[0])
                .args(&argv[1..])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()
                .map_err(|e| fail(format!("cannot start {}: {e}", argv[0])))?;
            *lines = Some(c);
        }
        let c = lines.as_mut().expect("started");
        let w = c.stdin.as_mut().expect("piped");
        return w
            .write_all(line.as_bytes())
            .and_then(|()| w.flush())
            .map_err(|e| {
                *lines = None;
                fail(format!("{} stopped reading: {e}", argv[0]))
            });
    }
    let mut c = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| fail(format!("cannot start {}: {e}", argv[0])))?;
    if let Some(mut w) = c.stdin.take() {
        let _ = w.write_all(line.as_bytes());
    }
    let status = c.wait().map_err(|e| fail(e.to_string()))?;
    if status.success() {
        Ok(())
    } else {
        Err(fail(format!("{} exited with {status}", argv[0])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_is_named_by_its_host_only() {
        assert_eq!(
            redact_url("https://hooks.slack.com/services/T000/B000/XXXXSECRET"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            redact_url("http://user:pw@127.0.0.1:8080/hook?token=abc"),
            "http://127.0.0.1:8080/…"
        );
        assert_eq!(redact_url("http://example.org"), "http://example.org");
    }

    #[test]
    fn pending_keeps_the_lowest_unaccepted_offset_per_partition() {
        let mut p = Pending::default();
        let tp: Tp = (Arc::from("t"), 0);
        for o in [5, 7, 7, 9] {
            p.add(&(tp.clone(), o));
        }
        assert_eq!(p.lowest()[&tp], 5);
        p.done(&(tp.clone(), 5));
        assert_eq!(p.lowest()[&tp], 7);
        p.done(&(tp.clone(), 7));
        assert_eq!(p.lowest()[&tp], 7, "two sinks had offset 7");
        p.done(&(tp.clone(), 7));
        p.done(&(tp.clone(), 9));
        assert!(p.lowest().is_empty());
    }

    fn worker(shape: &str) -> Worker {
        Worker::new(
            toml::from_str(&format!(
                "webhook = 'http://h/x'\nshape = '{shape}'\nlink = 'https://example.org/a/{{id}}'"
            ))
            .unwrap(),
            Default::default(),
            Default::default(),
            Default::default(),
        )
    }

    #[test]
    fn messages_have_each_shape_with_the_key_numbers_and_the_link() {
        let job = Job {
            source: ((Arc::from("t"), 0), 1),
            filter: "f".into(),
            view: Arc::new(
                json!({"diaSource": {"diaSourceId": 42, "ra": 10.5, "dec": -3.25,
                "band": "r", "snr": 12.34, "psfFlux": 3631.0}}),
            ),
            picture: None,
        };
        let slack = worker("slack").message(&job)["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            slack.contains("diaSource 42") && slack.contains("SNR 12.3"),
            "{slack}"
        );
        assert!(
            slack.contains("22.50 mag") && slack.contains("<https://example.org/a/42|details>"),
            "{slack}"
        );
        let mm = worker("mattermost").message(&job)["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(mm.contains("[details](https://example.org/a/42)"), "{mm}");
        let j = worker("json").message(&job);
        assert_eq!(j["alert"]["diaSourceId"], 42);
        assert_eq!(j["link"], "https://example.org/a/42");
        assert!((j["alert"]["ab_mag"].as_f64().unwrap() - 22.5).abs() < 1e-3);
        let d = worker("json").digest_message(&[job.clone(), job]);
        assert_eq!(d["digest"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn sink_definitions_are_checked() {
        let bad = |t: &str| toml::from_str::<SinkDef>(t).unwrap().check().unwrap_err();
        assert!(bad("webhook = 'ftp://x/secret'").contains("ftp://x/…"));
        assert!(bad("exec = []").contains("program"));
        assert!(bad("webhook = 'http://x'\nshape = 'teams'").contains("one of"));
        assert!(bad("per_minute = 3").contains("give one of"));
        assert!(bad("exec = ['cat']\nwindow = 'soon'").contains("window"));
        assert!(bad("email = []").contains("addresses"));
        assert!(bad("email = ['a@b\\r\\nBcc: x@y']").contains("addresses"));
        assert!(bad("email = ['a@b']\nexec = ['cat']").contains("one of"));
        assert!(bad("email = ['a@b']\nfrom = 'nobody'").contains("from"));
        assert!(toml::from_str::<SinkDef>("exec = ['cat']\nmode = 'lines'")
            .unwrap()
            .check()
            .is_ok());
    }
}
