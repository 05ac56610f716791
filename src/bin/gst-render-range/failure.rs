//! Why the tool stops: one exit status per kind of failure, so that a job queue can tell a
//! chunk worth retrying (a runtime error, a timeout) from one that will fail again (a typo).

use std::fmt;

use gst::prelude::*;

/// Exit statuses; `0` is success. The numbers are part of the tool's interface (see `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// The pipeline posted an error while rendering (the bus error and its debug text follow).
    Runtime = 1,
    /// Bad command line.
    Usage = 2,
    /// The pipeline description does not parse (syntax, unknown element or property).
    Parse = 3,
    /// The pipeline is not an export: no filesink, several, or no muxer in front of it.
    Shape = 4,
    /// The pipeline failed before its first frame reached the encoder (missing input file,
    /// negotiation, an element refusing to start).
    Preroll = 5,
    /// The pipeline refused the seek to the range (live or unseekable inputs).
    Seek = 6,
    /// The render ended with other frames than asked: inputs shorter than the range, or a
    /// producer that is not frame-exact after a seek.
    FrameCount = 7,
    /// `--timeout`, `--stall-timeout` or `--preroll-timeout` ran out.
    Timeout = 8,
    /// Chunks given to `--join` do not match (codec data, size, rate, keyframe at the start).
    Mismatch = 9,
    /// A file to join, probe or checksum cannot be read or has no video.
    Input = 10,
}

/// A failure: what happened, said so that a user can act on it, and the details if any.
#[derive(Debug)]
pub struct Failure {
    pub code: Code,
    pub message: String,
    pub debug: Option<String>,
}

impl Failure {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
            debug: None,
        }
    }

    pub fn with_debug(mut self, debug: Option<impl Into<String>>) -> Self {
        self.debug = debug.map(Into::into);
        self
    }

    /// A failure from an error message on the bus: element path, error and debug text.
    pub fn from_bus(code: Code, context: &str, err: &gst::message::Error) -> Self {
        let source = err
            .src()
            .map(|s| s.path_string().to_string())
            .unwrap_or_else(|| "the pipeline".into());
        Failure::new(code, format!("{context}: {source}: {}", err.error()))
            .with_debug(err.debug().map(|d| d.to_string()))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(debug) = &self.debug {
            write!(f, "\n  debug: {debug}")?;
        }
        Ok(())
    }
}
