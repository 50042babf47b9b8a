//! Sending that survives a broker going away: what was sent since the last
//! acknowledged flush is kept, and sent again after a back-off when deliveries fail.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::produce::{OutRecord, Producer};
use super::{KafkaError, Result};

/// A record to send, kept until its delivery is acknowledged.
#[derive(Debug, Clone)]
pub struct Item {
    /// The topic.
    pub topic: String,
    /// The key.
    pub key: Option<Bytes>,
    /// The value.
    pub payload: Bytes,
    /// CreateTime, Unix ms.
    pub timestamp_ms: Option<i64>,
    /// A fixed partition.
    pub partition: Option<i32>,
    /// Headers.
    pub headers: Vec<(String, Bytes)>,
}

/// How long to keep trying, and how to wait between tries.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Give up after failing for this long.
    pub give_up_after: Duration,
    /// The first wait; it doubles, up to `max_wait`.
    pub first_wait: Duration,
    /// The longest wait.
    pub max_wait: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            give_up_after: Duration::from_secs(600),
            first_wait: Duration::from_millis(500),
            max_wait: Duration::from_secs(30),
        }
    }
}

/// A producer that keeps what it sent until a flush acknowledges it.
pub struct Outbox {
    producer: Producer,
    unsettled: Vec<Item>,
    retry: Retry,
}

/// What a flush that had to retry reports as it waits.
pub trait Waiting {
    /// Deliveries failed for `why`; sending again in `wait`.
    fn retrying(&mut self, why: &str, wait: Duration);
    /// Whether to stop waiting (the command is stopping).
    fn stopping(&self) -> bool {
        false
    }
}

/// Waiting that reports nothing (a benchmark).
pub struct Silent;

impl Waiting for Silent {
    fn retrying(&mut self, _: &str, _: Duration) {}
}

impl Outbox {
    /// An outbox over `producer`.
    pub fn new(producer: Producer, retry: Retry) -> Outbox {
        Outbox {
            producer,
            unsettled: Vec::new(),
            retry,
        }
    }

    fn send_now(producer: &mut Producer, it: &Item) -> Result<()> {
        let headers: Vec<(&str, &[u8])> = it
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), &v[..]))
            .collect();
        producer.send_to(
            &it.topic,
            &OutRecord {
                key: it.key.as_deref(),
                payload: &it.payload,
                timestamp_ms: it.timestamp_ms,
                partition: it.partition,
                headers,
            },
        )
    }

    /// Send a record (kept until acknowledged). A full queue that does not drain (the
    /// broker is away) is retried like a failed flush.
    pub fn send(&mut self, it: Item, waiting: &mut dyn Waiting) -> Result<()> {
        let sent = Self::send_now(&mut self.producer, &it);
        self.unsettled.push(it);
        match sent {
            Ok(()) => Ok(()),
            Err(e) => {
                waiting.retrying(&e.to_string(), Duration::ZERO);
                // Whatever the queue held is settled by a flush; then everything is resent.
                self.flush(waiting)
            }
        }
    }

    /// Records sent and not yet acknowledged.
    pub fn unsettled(&self) -> usize {
        self.unsettled.len()
    }

    /// Wait until everything sent is acknowledged. When deliveries fail, wait (doubling
    /// from the first wait), send everything unacknowledged again, and flush again,
    /// until it works or the failures have lasted longer than `give_up_after`.
    pub fn flush(&mut self, waiting: &mut dyn Waiting) -> Result<()> {
        let mut first_failure: Option<Instant> = None;
        let mut wait = self.retry.first_wait;
        loop {
            match self.producer.flush() {
                Ok(_) => {
                    self.unsettled.clear();
                    return Ok(());
                }
                Err(e) => {
                    let since = *first_failure.get_or_insert_with(Instant::now);
                    if since.elapsed() > self.retry.give_up_after || waiting.stopping() {
                        return Err(KafkaError::Delivery {
                            failed: self.unsettled.len() as u64,
                            sent: self.unsettled.len() as u64,
                            topic: self.producer.topic().to_string(),
                            first_error: format!(
                                "{e}; still failing after {:.0} s (gave up; nothing past these records was committed)",
                                since.elapsed().as_secs_f64()
                            ),
                        });
                    }
                    waiting.retrying(&e.to_string(), wait);
                    sleep_unless(wait, waiting);
                    wait = (wait * 2).min(self.retry.max_wait);
                    // Resend what is not known to be delivered (duplicates are possible:
                    // delivery is at least once).
                    for it in &self.unsettled {
                        if let Err(e) = Self::send_now(&mut self.producer, it) {
                            waiting.retrying(&e.to_string(), Duration::ZERO);
                            break;
                        }
                    }
                }
            }
        }
    }
}

/// Sleep for `d`, in small steps, unless told to stop.
pub fn sleep_unless(d: Duration, waiting: &dyn Waiting) {
    let until = Instant::now() + d;
    while Instant::now() < until && !waiting.stopping() {
        std::thread::sleep(Duration::from_millis(50).min(until - Instant::now()));
    }
}
