//! Rendering: the printer layer every command's output goes through, as ripgrep keeps
//! its printing behind a sink. Nothing here writes to the process's stdout or stderr:
//! the caller hands each printer its writer.
//!
//! * [`printer`] is row formats (table, JSON lines, one JSON document) and record formats
//!   (the JSON view, raw packets, envelopes) of alerts;
//! * [`table`] is aligned tables of alerts and of reports;
//! * [`diagnostics`] is warnings and notes on stderr, repeated warnings summarised;
//! * [`picture`] is an alert's cutouts and light curve, and histograms, as PNG;
//! * [`redact`] is secrets kept out of every printed line.

pub mod diagnostics;
pub mod picture;
pub mod printer;
pub mod redact;
pub mod table;
