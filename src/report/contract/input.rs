//! JSON `input`: what was read, and how each input was read.

use serde::Serialize;

use crate::report::InputInfo;
use crate::usage::{Granularity, InputRead};

/// JSON `input`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Input {
    /// Input files (`-` for stdin).
    pub files: Vec<String>,
    /// Records read (successful and failed).
    pub records: u64,
    /// Invalid rows skipped with `--skip-invalid`.
    pub skipped: u64,
    /// The first skipped rows, with their errors.
    pub skipped_examples: Vec<String>,
    /// Records with a non-2xx status (not billed, not demand).
    pub failed_requests: u64,
    /// First arrival, RFC 3339 UTC.
    pub start: String,
    /// Last arrival, RFC 3339 UTC.
    pub end: String,
    /// Billing span in hours (whole minutes, first through last).
    pub hours: f64,
    /// Time resolution of the input: `request`, `second`, `minute`, `hour` or `day` (the
    /// coarsest over the inputs).
    pub granularity: Granularity,
    /// For aggregated input: bursts inside a bucket are invisible, so PTU counts are lower
    /// bounds while per-token costs are exact. `null` for per-request input.
    pub granularity_note: Option<String>,
    /// Per-bucket aggregate rows read (they are replayed as `records` requests).
    pub buckets: u64,
    /// Set when the log covers less than 7 days: its monthly figures are a projection of a
    /// short span (weekly patterns are not in it). `null` otherwise.
    pub projection_note: Option<String>,
    /// How each input was read.
    pub readers: Vec<Reader>,
    /// Requests the log shows as spilled over from a provisioned to a Standard deployment
    /// (response headers, or Azure Monitor's `IsSpillover` split), each counted once.
    pub spilled_requests: u64,
}

impl Input {
    /// The contract of a report's `input`.
    pub fn from_info(i: &InputInfo) -> Input {
        Input {
            files: i.files.clone(),
            records: i.records,
            skipped: i.skipped,
            skipped_examples: i.skipped_examples.clone(),
            failed_requests: i.failed_requests,
            start: i.start.clone(),
            end: i.end.clone(),
            hours: i.hours,
            granularity: i.granularity,
            granularity_note: i.granularity_note.clone(),
            buckets: i.buckets,
            projection_note: i.projection_note.clone(),
            readers: i.readers.iter().map(Reader::from_read).collect(),
            spilled_requests: i.spilled_requests,
        }
    }
}

/// JSON `input.readers[]`: how one input was read.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reader {
    /// The input (`-` for stdin).
    pub file: String,
    /// The reader: an `--input-format` name.
    pub reader: String,
    /// How the bytes are laid out: `csv`, `json-lines`, `json` or `parquet`.
    pub container: String,
    /// `detected` (from the columns, keys or schema) or `--input-format`.
    pub chosen_by: String,
    /// Each field the reader fills and the column (or key, metric, dimension) it comes
    /// from, in the input's order.
    pub columns: Vec<Column>,
    /// Keys with a known meaning the reader leaves unread (JSON Lines only: its nested
    /// `usage` cannot be mapped), as a warning; `null` otherwise.
    pub unread: Option<String>,
}

/// JSON `readers[].columns[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Column {
    /// ptuplan's field (`timestamp`, `prompt_tokens`, ...).
    pub field: String,
    /// The input's column, key, metric or dimension, as written.
    pub column: String,
}

impl Reader {
    fn from_read(r: &InputRead) -> Reader {
        Reader {
            file: r.file.clone(),
            reader: r.reader.to_owned(),
            container: r.container.to_owned(),
            chosen_by: r.chosen_by.to_owned(),
            columns: r
                .columns
                .iter()
                .map(|c| Column {
                    field: c.field.clone(),
                    column: c.column.clone(),
                })
                .collect(),
            unread: r.unread.clone(),
        }
    }
}
