//! Strict YAML reading for every catalog-shaped file (the catalog, `--prices`, `--overrides`,
//! quota files): serde_yaml's line and column kept in errors, and the line of every list item
//! for "file:line" in messages about entries that parsed but are wrong.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Errors from loading or validating the catalog.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A file could not be read.
    #[error("cannot read catalog file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not valid YAML for its schema.
    #[error("{path}{location}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// `:line:column` when known.
        location: String,
        /// serde_yaml's message (names the unknown or missing key).
        message: String,
    },
    /// The files parsed but are inconsistent; every problem is listed.
    #[error("catalog {origin} has {} problem(s):\n  - {}", .problems.len(), .problems.join("\n  - "))]
    Invalid {
        /// Where the catalog came from.
        origin: String,
        /// One line per problem.
        problems: Vec<String>,
    },
}

/// Parse one YAML file strictly, keeping serde_yaml's line and column in the error.
pub(crate) fn parse_yaml<T: for<'de> Deserialize<'de>>(
    path: &Path,
    text: &str,
) -> Result<T, CatalogError> {
    serde_yaml::from_str(text).map_err(|e| CatalogError::Parse {
        path: path.to_owned(),
        location: e
            .location()
            .map(|l| format!(":{}:{}", l.line(), l.column()))
            .unwrap_or_default(),
        message: e.to_string(),
    })
}

/// The 1-based line of every item of the top-level block list `section:` in `text`, in order
/// (for "file:line" in messages about entries that parsed but are wrong). Flow-style lists
/// yield nothing; callers then fall back to the entry index.
pub(crate) fn item_lines(text: &str, section: &str) -> Vec<usize> {
    let header = format!("{section}:");
    let mut lines = Vec::new();
    let mut inside = false;
    let mut item_indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        if indent == 0 && !trimmed.starts_with('-') {
            inside = trimmed.starts_with(&header);
            item_indent = None;
            continue;
        }
        if inside && trimmed.starts_with('-') {
            let expected = *item_indent.get_or_insert(indent);
            if indent == expected {
                lines.push(i + 1);
            }
        }
    }
    lines
}
