//! The pipeline, with no flags and no printing: read -> fan-out -> replay -> size -> decide ->
//! a result the commands render. What the user should hear comes back as [`Notice`]s.

use std::fmt;

use anyhow::{Context, Result};

use crate::settings::UsageError;
use crate::sim::{Finished, Replay};
use crate::usage::{ReadSummary, WorkloadKey, WorkloadRegistry};

pub mod calibrate;
pub mod compare;
pub mod refresh;
pub mod replay;
pub mod scenarios;

/// How loud a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `note:` (silenced by `--quiet`).
    Note,
    /// `warning:` (silenced by `--quiet`).
    Warning,
}

/// Something the run has to tell the user, on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Note or warning.
    pub level: Level,
    /// Its words (user data in them is shown escaped when printed).
    pub text: String,
}

impl Notice {
    /// A `note:`.
    pub fn note(text: impl Into<String>) -> Self {
        Notice {
            level: Level::Note,
            text: text.into(),
        }
    }

    /// A `warning:`.
    pub fn warning(text: impl Into<String>) -> Self {
        Notice {
            level: Level::Warning,
            text: text.into(),
        }
    }
}

impl fmt::Display for Notice {
    /// `note: ...` / `warning: ...`, control characters shown escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.level {
            Level::Note => "note",
            Level::Warning => "warning",
        };
        write!(
            f,
            "{label}: {}",
            crate::render::escape::terminal(&self.text)
        )
    }
}

/// After the logs are read: refuse `--model-map` entries the log contradicts, finish the
/// replay, and count the rows it found outside the span as skipped. The workloads' keys, in
/// the replay's order, and what the replay finished with.
fn finish_read(
    registry: &WorkloadRegistry,
    replay: Replay<'_>,
    skip_invalid: bool,
    read: &mut ReadSummary,
) -> Result<(Vec<WorkloadKey>, Finished)> {
    let conflicts = registry.model_map_conflicts();
    if !conflicts.is_empty() {
        return Err(UsageError(conflicts.join("; ")).into());
    }
    let keys = registry.keys();
    let mut finished = replay
        .finish_checked(skip_invalid)
        .context("reading usage logs")?;
    let outside = std::mem::take(&mut finished.outside_span);
    read.absorb_late_skips(outside.rows, outside.examples);
    Ok((keys, finished))
}
