//! The one Avro layer every reader of alerts uses.
//!
//! * [`names`] is Avro's named types, resolved in one place;
//! * [`schema`] is [`AlertSchema`], one schema with its JSON, canonical form,
//!   fingerprint, version, and its compiled [`graph::Graph`], made once when first used;
//! * [`load`] is Rubin's `alert_packet` trees, `.avsc` files, registry answers and the
//!   built-in sample schema;
//! * [`store`] is finding schemas by id;
//! * [`canonical`] is the Parsing Canonical Form and its fingerprint;
//! * [`graph`] is the compiled schema: nodes, skipping, the shape guard;
//! * [`binary`] is the binary encoding's primitives;
//! * [`compat`] is compatibility by Avro's rules and Confluent's levels;
//! * [`view`] is the JSON view's rules (unions flattened, float32 digits, cutouts);
//! * [`json`] writes that view as text straight from the bytes (the fast path);
//! * [`value`] decodes every field to values borrowed from the bytes (the fast way to
//!   a whole alert).
//!
//! Bytes become values through one door: [`crate::formats::packet::Decoder`].

pub mod binary;
pub mod canonical;
pub mod compat;
pub mod graph;
pub mod json;
pub mod load;
pub mod names;
pub mod schema;
pub mod store;
pub mod value;
pub mod view;

pub use load::{
    builtin_sample, list_versions, load_file, load_ref, load_sources, load_version, select,
    SAMPLE_VERSION,
};
pub use schema::{version_from_name, AlertSchema, SchemaError, Version};
pub use store::{Lookup, LookupError, SchemaStore};
