//! Diagnostics: what alertctl says on stderr besides its results, one line each:
//! `alertctl: error: ...`, `alertctl: warning: ...`, `alertctl: ...`. Secrets noted by
//! [`super::redact`] never appear. A warning about records that repeats record after
//! record is shown [`Diagnostics::SHOWN`] times, then counted, and the count is said at
//! the end ([`Diagnostics::finish`]).

use std::collections::BTreeMap;
use std::io::Write;

use crate::jobs::Report;

/// One line, whitespace collapsed, with any noted secret masked.
pub fn one_line(msg: &str) -> String {
    super::redact::redact(&msg.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The error line of a failed command.
pub fn error_line(msg: &str) -> String {
    format!("alertctl: error: {}", one_line(msg))
}

/// Where diagnostics go (stderr, in alertctl), with the repeated-warning counts, and
/// on a terminal a progress bar or status line.
pub struct Diagnostics<W: Write> {
    out: W,
    seen: BTreeMap<String, u64>,
    /// Show progress and status (a person is watching).
    interactive: bool,
    bar: Option<indicatif::ProgressBar>,
}

impl<W: Write> Diagnostics<W> {
    /// How many times one reason is shown before it is only counted.
    pub const SHOWN: u64 = 3;

    /// Diagnostics written to `out`.
    pub fn new(out: W) -> Self {
        Diagnostics {
            out,
            seen: BTreeMap::new(),
            interactive: false,
            bar: None,
        }
    }

    /// Show progress bars and status lines (on a terminal).
    pub fn interactive(mut self, yes: bool) -> Self {
        self.interactive = yes;
        self
    }

    fn line(&mut self, text: &str) {
        let write = |out: &mut W| {
            // Diagnostics that cannot be written (stderr closed) are lost, as with eprintln.
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        };
        match &self.bar {
            Some(bar) => bar.suspend(|| write(&mut self.out)),
            None => write(&mut self.out),
        }
    }

    /// Take a progress bar or status line off the screen.
    pub fn clear(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    /// `alertctl: error: ...`
    pub fn error(&mut self, msg: &str) {
        self.line(&error_line(msg));
    }

    /// Say once that an old spelling of an option still works, for one more release.
    pub fn deprecated(&mut self, old: &str, new: &str) {
        self.warn(&format!(
            "{old} is deprecated and will be removed in the next release; use {new}"
        ));
    }

    /// Say how many records each reason stopped being shown for.
    pub fn finish(&mut self) {
        self.clear();
        let over: Vec<(String, u64)> = self
            .seen
            .iter()
            .filter(|(_, n)| **n > Self::SHOWN)
            .map(|(r, n)| (r.clone(), *n))
            .collect();
        for (reason, n) in over {
            self.warn(&format!("{n} records in all: {reason}"));
        }
        self.seen.clear();
    }
}

impl<W: Write> Report for Diagnostics<W> {
    fn info(&mut self, line: &str) {
        self.line(&format!("alertctl: {}", one_line(line)));
    }

    fn warn(&mut self, line: &str) {
        self.line(&format!("alertctl: warning: {}", one_line(line)));
    }

    fn progress(&mut self, done: u64, total: Option<u64>) {
        if !self.interactive {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let b = indicatif::ProgressBar::new(total.unwrap_or(0));
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {pos}/{len} [{elapsed_precise}] {per_sec} {msg}",
                )
                .expect("valid template"),
            );
            b
        });
        if let Some(t) = total {
            bar.set_length(t);
        }
        bar.set_position(done);
    }

    fn status(&mut self, line: &str) {
        if !self.interactive {
            return;
        }
        if line.is_empty() {
            self.clear();
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let b = indicatif::ProgressBar::new_spinner();
            b.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg}").expect("valid template"),
            );
            b
        });
        bar.set_message(line.to_string());
        bar.tick();
    }

    fn record_warning(&mut self, at: &str, reason: &str) {
        let n = self.seen.entry(reason.to_string()).or_default();
        *n += 1;
        let n = *n;
        if n <= Self::SHOWN {
            self.warn(&format!("{at}: {reason}"));
        }
        if n == Self::SHOWN {
            self.warn(&format!(
                "further records with this reason are counted, not shown: {reason}"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_reason_is_shown_three_times_then_counted() {
        let mut d = Diagnostics::new(Vec::new());
        for i in 0..5 {
            d.record_warning(&format!("t/0@{i}"), "bad magic");
        }
        d.record_warning("t/0@9", "truncated");
        d.finish();
        let text = String::from_utf8(d.out.clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines.iter().filter(|l| l.contains("t/0@")).count(),
            4,
            "{text}"
        );
        assert!(lines
            .iter()
            .any(|l| l.contains("counted, not shown: bad magic")));
        assert_eq!(
            lines.last(),
            Some(&"alertctl: warning: 5 records in all: bad magic")
        );
    }
}
