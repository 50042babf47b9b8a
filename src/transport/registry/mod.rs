//! The schema registry: a durable Confluent-compatible store and server, and a client
//! of any Confluent-API registry with an on-disk cache of schemas by id.
//!
//! Rubin registers every alert schema version with id `MAJOR*100+MINOR` in IMPORT
//! mode under the subject `alert-packet`, and again under `lsst-alerts-vM.m-value`.
//! Decoders look schemas up by the 4-byte id in each packet.

pub mod client;
pub mod server;
pub mod store;

use serde_json::json;

/// The content type of the Confluent API, requests and answers.
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// An error in Confluent's terms: an HTTP status and a Confluent error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (error {code})")]
pub struct RegistryError {
    /// HTTP status.
    pub status: u16,
    /// Confluent error code (40401, 42201, ...).
    pub code: u32,
    /// What went wrong.
    pub message: String,
}

impl RegistryError {
    /// An error with a code; the HTTP status is the code's first three digits.
    pub fn new(code: u32, message: impl Into<String>) -> Self {
        let status = if code >= 10_000 {
            (code / 100) as u16
        } else {
            code as u16
        };
        RegistryError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 40401.
    pub fn subject_not_found(subject: &str) -> Self {
        Self::new(40401, format!("Subject '{subject}' not found."))
    }

    /// 40402.
    pub fn version_not_found(subject: &str, version: &str) -> Self {
        Self::new(
            40402,
            format!("Version {version} not found for subject '{subject}'."),
        )
    }

    /// 40403.
    pub fn schema_not_found(what: &str) -> Self {
        Self::new(40403, format!("Schema {what} not found."))
    }

    /// 42201.
    pub fn invalid_schema(reason: &str) -> Self {
        Self::new(42201, format!("Invalid schema: {reason}"))
    }

    /// 42205.
    pub fn not_permitted(reason: impl Into<String>) -> Self {
        Self::new(42205, reason)
    }

    /// 50001.
    pub fn store(reason: impl std::fmt::Display) -> Self {
        Self::new(50001, format!("Error in the backend data store: {reason}"))
    }

    /// The Confluent error body.
    pub fn body(&self) -> serde_json::Value {
        json!({"error_code": self.code, "message": self.message})
    }
}

/// Registry modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Normal: ids assigned by the registry, compatibility checked.
    ReadWrite,
    /// No changes.
    ReadOnly,
    /// Schemas come with their ids (and versions), no compatibility check: for copying registries.
    Import,
}

impl Mode {
    /// Confluent's name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::ReadWrite => "READWRITE",
            Mode::ReadOnly => "READONLY",
            Mode::Import => "IMPORT",
        }
    }

    /// Parse Confluent's name.
    pub fn parse(s: &str) -> Option<Mode> {
        match s.to_ascii_uppercase().as_str() {
            "READWRITE" => Some(Mode::ReadWrite),
            "READONLY" | "READONLY_OVERRIDE" => Some(Mode::ReadOnly),
            "IMPORT" => Some(Mode::Import),
            _ => None,
        }
    }
}
