//! The error a job ends with, carrying its own exit code.
//!
//! Every module has its own error type ([`crate::transport::kafka::KafkaError`],
//! [`crate::formats::packet::PacketError`], ...); a job (a library call that runs a
//! whole command) returns [`Error`], which says in one line what went wrong and which
//! exit code that is: 1 for a failure (bad input, undecodable records, unreachable
//! brokers, an incompatible schema), 2 for a usage error (arguments that cannot work
//! together, a value that cannot be used), 0 when output simply ended because its
//! reader went away (`| head`).

use std::fmt;

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code for a failure: bad input, undecodable records, an incompatible schema.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for a usage error.
pub const EXIT_USAGE: i32 = 2;

/// An error that ends a job: one line, and the exit code it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The process exit code.
    pub code: i32,
    /// One line saying what went wrong; empty means "nothing to say" (output ended
    /// because its reader went away, or it was already reported).
    pub message: String,
}

impl Error {
    /// A failure (exit 1).
    pub fn failure(message: impl Into<String>) -> Self {
        Error {
            code: EXIT_FAILURE,
            message: message.into(),
        }
    }

    /// A usage error (exit 2): the arguments cannot work as given.
    pub fn usage(message: impl Into<String>) -> Self {
        Error {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }

    /// The exit code.
    pub fn exit_code(&self) -> i32 {
        self.code
    }

    /// Whether it ended output quietly (a closed pipe).
    pub fn is_quiet(&self) -> bool {
        self.message.is_empty()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Error {
    fn from(e: E) -> Self {
        if let Some(io) = (&e as &dyn std::error::Error).downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                // The reader went away (`| head`): a normal way for output to end.
                return Error {
                    code: EXIT_OK,
                    message: String::new(),
                };
            }
        }
        Error::failure(chain(&e))
    }
}

/// An error and its sources, each said once, in one line.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}

/// A job's result.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_ends_quietly_and_other_errors_fail() {
        let pipe: Error = std::io::Error::from(std::io::ErrorKind::BrokenPipe).into();
        assert_eq!((pipe.code, pipe.is_quiet()), (EXIT_OK, true));
        let other: Error = std::io::Error::other("disk full").into();
        assert_eq!(
            (other.code, other.message.as_str()),
            (EXIT_FAILURE, "disk full")
        );
        assert_eq!(Error::usage("x").exit_code(), EXIT_USAGE);
    }
}
