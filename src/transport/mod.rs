//! Transport: how alerts and schemas move.
//!
//! * [`kafka`] is connections, offsets and times, producing, consuming, topic admin;
//! * [`registry`] is a Confluent-compatible registry: client, store and server;
//! * [`connect`] is resolving where to connect (flags, profile, the running sandbox, a
//!   second cluster, the registry), in one place.

pub mod connect;
pub mod kafka;
pub mod registry;
