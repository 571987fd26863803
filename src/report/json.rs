//! JSON: the stable contract, pretty-printed, keys in struct order.

use std::io::{self, Write};

use super::Report;

/// Write the report as JSON.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
