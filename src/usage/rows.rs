//! The checks every reader makes on a raw row before it reads its fields, written once: a NUL
//! byte (binary content or a corrupted log), a row longer than its bound, and a CSV row whose
//! field count differs from its header's. Each gives the same
//! message, naming the file, line and field `row`, whichever reader met it.

use super::lines::{LineTooLong, MAX_LINE_BYTES};
use super::{FieldProblem, UsageError};

/// The message for a row holding a NUL byte (anywhere in the file after its first line).
pub(crate) const NUL_IN_ROW: &str =
    "contains a NUL byte: binary content or a corrupted log (a crash can leave runs of NULs)";

/// A row's bytes hold no NUL.
pub(crate) fn ensure_no_nul(bytes: &[u8]) -> Result<(), FieldProblem> {
    match memchr::memchr(0, bytes) {
        Some(_) => Err(FieldProblem::new("row", NUL_IN_ROW)),
        None => Ok(()),
    }
}

/// A CSV row holds no NUL and has as many fields (`fields`) as its header (`width`).
pub(crate) fn ensure_row(bytes: &[u8], fields: usize, width: usize) -> Result<(), FieldProblem> {
    ensure_no_nul(bytes)?;
    if fields != width {
        return Err(FieldProblem::new(
            "row",
            format!("has {fields} fields but the header has {width}"),
        ));
    }
    Ok(())
}

/// The file-level error of a row holding a NUL, at `line`.
pub(crate) fn nul_in_row(path: &str, line: u64) -> UsageError {
    UsageError::Field {
        path: path.to_owned(),
        line,
        field: "row".to_owned(),
        message: NUL_IN_ROW.to_owned(),
    }
}

/// A JSON Lines line at `line` longer than [`MAX_LINE_BYTES`]: a row never is, but a whole
/// API page or document saved on one line can be; the message says how to read that.
pub(crate) fn json_line_too_long(path: &str, line: u64) -> UsageError {
    UsageError::Field {
        path: path.to_owned(),
        line,
        field: "row".to_owned(),
        message: format!(
            "{}; if the line is a whole page or document (`{{\"data\": [...]}}` as an API returns it), pretty-print it (`jq . FILE > pretty.json`): a document over several lines is read one row at a time, at any size",
            LineTooLong(MAX_LINE_BYTES)
        ),
    }
}

/// A row at `line` longer than [`MAX_LINE_BYTES`].
pub(crate) fn too_long(path: &str, line: u64) -> UsageError {
    UsageError::Field {
        path: path.to_owned(),
        line,
        field: "row".to_owned(),
        message: LineTooLong(MAX_LINE_BYTES).to_string(),
    }
}
