//! Kafka: connection settings, offset and time specs, producing, consuming, topic admin.
//!
//! Written for Apache Kafka and tested on a local Kafka-protocol broker (nisshi).
//! Where a behaviour cannot be shown on that broker, the logic beneath is tested
//! and the code says which broker behaviour the test stands in for.

pub mod admin;
pub mod commit;
pub mod config;
pub mod consume;
pub mod offsets;
pub mod outbox;
pub mod produce;

use std::time::Duration;

pub use config::Connection;

/// Errors talking to Kafka. Each names the brokers or topic concerned and what to do.
#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    /// No broker answered in time.
    #[error("cannot reach the Kafka brokers {brokers} within {}s ({reason}); check --brokers, or raise --timeout", timeout.as_secs_f64())]
    Unreachable {
        /// The bootstrap servers tried.
        brokers: String,
        /// How long alertctl waited.
        timeout: Duration,
        /// What the client said.
        reason: String,
    },
    /// The brokers answered but refused the login or the TLS handshake.
    #[error("the Kafka brokers {brokers} refused the connection: {reason}; check sasl.username, sasl.password and ssl.ca.location (the profile's properties, or -X)")]
    Login {
        /// The bootstrap servers tried.
        brokers: String,
        /// What librdkafka said.
        reason: String,
    },
    /// A named topic does not exist.
    #[error("topic {topic} does not exist on {brokers}: `alertctl topic list` shows the topics there are")]
    NoTopic {
        /// The topic asked for.
        topic: String,
        /// The brokers asked.
        brokers: String,
    },
    /// A pattern matched no topic.
    #[error("no topic on {brokers} matches /{pattern}/: `alertctl topic list` shows the topics there are")]
    NoMatch {
        /// The pattern.
        pattern: String,
        /// The brokers asked.
        brokers: String,
    },
    /// No brokers were given anywhere.
    #[error("no Kafka brokers given: pass --brokers HOST:PORT, set ALERTCTL_BROKERS, or add a profile to {config}")]
    NoBrokers {
        /// The config file that was read (or would be).
        config: String,
    },
    /// A configuration problem (bad -X, bad profile, bad config file).
    #[error("{0}")]
    Config(String),
    /// An admin operation failed for a topic.
    #[error("{operation} topic {topic}: {reason}")]
    Admin {
        /// What was attempted.
        operation: &'static str,
        /// The topic.
        topic: String,
        /// The broker's answer.
        reason: String,
    },
    /// Records could not be delivered.
    #[error("{failed} of {sent} records were not delivered to {topic}: {first_error}")]
    Delivery {
        /// Records that failed.
        failed: u64,
        /// Records sent.
        sent: u64,
        /// The topic.
        topic: String,
        /// The first failure.
        first_error: String,
    },
    /// A reader leaving its group could not commit what it had acknowledged.
    #[error("the last commit before leaving the group failed after {:.1}s ({reason}): the records read since the commit before it are read again by their partitions' next reader (duplicates, nothing lost)", waited.as_secs_f64())]
    LastCommit {
        /// How long the reader tried (waiting out a rebalance).
        waited: Duration,
        /// What the group coordinator or librdkafka said.
        reason: String,
    },
    /// Any other client error.
    #[error("kafka: {0}")]
    Client(rdkafka::error::KafkaError),
}

impl From<rdkafka::error::KafkaError> for KafkaError {
    fn from(e: rdkafka::error::KafkaError) -> Self {
        match e {
            // librdkafka's message repeats the value, which may be a password.
            rdkafka::error::KafkaError::ClientConfig(_, desc, key, _) => {
                KafkaError::Config(format!(
                    "-X {key}: {} (see librdkafka's CONFIGURATION.md for the properties there are)",
                    desc.trim()
                ))
            }
            other => KafkaError::Client(other),
        }
    }
}

/// A result of this module.
pub type Result<T, E = KafkaError> = std::result::Result<T, E>;
