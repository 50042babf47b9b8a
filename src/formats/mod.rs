//! Formats: how alerts are written down.
//!
//! * [`avro`] is schemas, named types, the compiled schema, compatibility, the JSON view;
//! * [`packet`] is the Confluent wire format, the one [`packet::Decoder`], visit files;
//! * [`sample`] is plausible alerts for any schema version, with FITS cutouts.

pub mod avro;
pub mod packet;
pub mod sample;
