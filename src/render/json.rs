//! JSON: the stable contract ([`crate::report::contract`]), pretty-printed, keys in struct order; terminal-safe bytes
//! ([`super::escape::json_text`]) with unchanged values.

use std::io::{self, Write};

use super::escape::JsonSafeWriter;
use crate::report::Report;

/// Write the report as JSON: its contract ([`crate::report::contract::Document`]).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_value(&crate::report::contract::Document::of(report), out)
}

/// Write any serializable value as pretty JSON with terminal-safe bytes, then a newline.
pub fn write_value<T: serde::Serialize + ?Sized>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    let mut safe = JsonSafeWriter::new(&mut *out);
    serde_json::to_writer_pretty(&mut safe, value)?;
    writeln!(out)
}
