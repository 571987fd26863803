//! Parquet input: any of the columnar shapes (per-request columns, the per-bucket aggregate,
//! Langfuse, LiteLLM, APIM exports) as Spark, Databricks, DuckDB or Langfuse write them.
//!
//! Read with the `parquet` crate's row API (no arrow), row group by row group, so memory is
//! one row group's pages, not the file. Top-level columns become cells: integers and floats as
//! numbers (NaN and infinities as text, which no count accepts), strings as text, timestamps
//! as RFC 3339 UTC in the unit their logical type gives (milliseconds, microseconds, or
//! nanoseconds as pandas 2 writes them), dates as
//! `YYYY-MM-DD`, nested groups, lists and maps as JSON. Codecs: uncompressed, Snappy, gzip and
//! LZ4 (pure Rust); a zstd- or brotli-compressed file is an error that says to re-export with
//! Snappy. The line number of a row in messages is its 1-based row number (plus one, as if the
//! schema were a header line).

use std::fs::File;
use std::path::Path;

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::reader::RowIter;
use parquet::record::Field;
use serde_json::{Number, Value};

use crate::usage::input::OpenedInput;
use crate::usage::UsageError;

/// The rows of one Parquet file.
pub struct ParquetRows {
    path: String,
    columns: Vec<String>,
    /// Per column: the divisor from its timestamp unit to milliseconds, for timestamps the
    /// row API hands over as plain integers (nanoseconds, as pandas 2 writes them, and
    /// timestamps not adjusted to UTC).
    time_units: Vec<Option<i64>>,
    rows: RowIter<'static>,
    row: u64,
    // Keeps a temp copy of stdin / gzip input alive while it is read.
    _temp: Option<tempfile::TempPath>,
}

fn parquet_error(path: &str, e: impl std::fmt::Display) -> UsageError {
    let text = e.to_string();
    let hint = if text.to_ascii_lowercase().contains("zstd")
        || text.to_ascii_lowercase().contains("brotli")
    {
        " (ptuplan reads uncompressed, Snappy, gzip and LZ4 Parquet; re-export with compression 'snappy')"
    } else {
        ""
    };
    UsageError::File {
        path: path.to_owned(),
        message: format!(
            "not a readable Parquet file: {}{hint}",
            text.chars().take(200).collect::<String>().escape_debug()
        ),
    }
}

fn open_reader(file_path: &Path, name: &str) -> Result<SerializedFileReader<File>, UsageError> {
    let file = File::open(file_path).map_err(|source| UsageError::Io {
        path: name.to_owned(),
        source,
    })?;
    guard(name, || SerializedFileReader::new(file))?.map_err(|e| parquet_error(name, e))
}

/// Top-level column names of a Parquet file.
pub fn column_names(file_path: &Path, name: &str) -> Result<Vec<String>, UsageError> {
    let reader = open_reader(file_path, name)?;
    Ok(names_of(&reader))
}

fn names_of(reader: &SerializedFileReader<File>) -> Vec<String> {
    top_level_fields(reader)
        .iter()
        .map(|f| crate::usage::formats::exact_name(f.name()))
        .collect()
}

impl ParquetRows {
    /// Open the Parquet file behind `input`.
    pub fn open(input: OpenedInput) -> Result<ParquetRows, UsageError> {
        let name = input.name.clone();
        let file_path = input.parquet_path.clone().ok_or_else(|| UsageError::File {
            path: name.clone(),
            message: "internal error: Parquet input without a file".to_owned(),
        })?;
        let reader = open_reader(&file_path, &name)?;
        let columns = names_of(&reader);
        let time_units = time_units_of(&reader);
        let rows = RowIter::from_file_into(Box::new(reader));
        Ok(ParquetRows {
            path: name,
            columns,
            time_units,
            rows,
            row: 1,
            _temp: input.parquet_temp,
        })
    }

    /// Column names (normalized).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The next row's line number and cells (in column order).
    pub fn next_row(&mut self) -> Result<Option<(u64, Vec<Value>)>, UsageError> {
        let path = self.path.clone();
        let next = guard(&path, || self.rows.next())?;
        let Some(row) = next else {
            return Ok(None);
        };
        let row = row.map_err(|e| parquet_error(&path, e))?;
        self.row += 1;
        let values = row
            .get_column_iter()
            .enumerate()
            .map(
                |(i, (_, f))| match (f, self.time_units.get(i).copied().flatten()) {
                    (Field::Long(v), Some(per_ms)) => timestamp(v.div_euclid(per_ms)),
                    _ => to_value(f),
                },
            )
            .collect();
        Ok(Some((self.row, values)))
    }
}

/// The file's top-level columns, in order.
fn top_level_fields(reader: &SerializedFileReader<File>) -> &[parquet::schema::types::TypePtr] {
    reader.metadata().file_metadata().schema().get_fields()
}

/// Each top-level column's timestamp unit as a divisor to milliseconds, from its Parquet
/// logical type.
fn time_units_of(reader: &SerializedFileReader<File>) -> Vec<Option<i64>> {
    use parquet::basic::{LogicalType, TimeUnit};
    top_level_fields(reader)
        .iter()
        .map(|f| {
            if !f.is_primitive() {
                return None;
            }
            match f.get_basic_info().logical_type_ref() {
                Some(LogicalType::Timestamp(t)) => Some(match t.unit {
                    TimeUnit::MILLIS => 1,
                    TimeUnit::MICROS => 1_000,
                    TimeUnit::NANOS => 1_000_000,
                }),
                _ => None,
            }
        })
        .collect()
}

thread_local! {
    /// Set while this thread is inside [`guard`]: its panics become errors, silently.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run a call into the parquet crate, turning a panic on a corrupt file into an error (the
/// crate validates most, but not all, of what it reads). The panic message is not printed:
/// the error says what happened.
fn guard<T>(path: &str, f: impl FnOnce() -> T) -> Result<T, UsageError> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    GUARDED.with(|g| g.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(false));
    result.map_err(|_| UsageError::File {
        path: path.to_owned(),
        message: "not a readable Parquet file: its metadata or pages are corrupt".to_owned(),
    })
}

fn to_value(field: &Field) -> Value {
    // NaN and infinities stay visible as text (`NaN` is not a count, and the error says so);
    // only a Parquet null is null.
    let float =
        |v: f64| Number::from_f64(v).map_or_else(|| Value::String(v.to_string()), Value::Number);
    match field {
        Field::Null => Value::Null,
        Field::Bool(b) => Value::Bool(*b),
        Field::Byte(n) => Value::from(*n),
        Field::Short(n) => Value::from(*n),
        Field::Int(n) => Value::from(*n),
        Field::Long(n) => Value::from(*n),
        Field::UByte(n) => Value::from(*n),
        Field::UShort(n) => Value::from(*n),
        Field::UInt(n) => Value::from(*n),
        Field::ULong(n) => Value::from(*n),
        Field::Float16(n) => float(f64::from(*n)),
        Field::Float(n) => float(f64::from(*n)),
        Field::Double(n) => float(*n),
        Field::Decimal(_) => Value::String(field.to_string()),
        Field::Str(s) => Value::String(s.clone()),
        Field::Bytes(b) => Value::String(String::from_utf8_lossy(b.data()).into_owned()),
        Field::Date(days) => chrono::DateTime::from_timestamp(i64::from(*days) * 86_400, 0)
            .map_or(Value::Null, |d| {
                Value::String(d.format("%Y-%m-%d").to_string())
            }),
        Field::TimeMillis(_) | Field::TimeMicros(_) => Value::String(field.to_string()),
        Field::TimestampMillis(ms) => timestamp(*ms),
        Field::TimestampMicros(us) => timestamp(us.div_euclid(1000)),
        Field::Group(row) => Value::Object(
            row.get_column_iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect(),
        ),
        Field::ListInternal(list) => Value::Array(list.elements().iter().map(to_value).collect()),
        Field::MapInternal(map) => Value::Object(
            map.entries()
                .iter()
                .map(|(k, v)| {
                    let key = match to_value(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, to_value(v))
                })
                .collect(),
        ),
    }
}

fn timestamp(ms: i64) -> Value {
    chrono::DateTime::from_timestamp_millis(ms).map_or(Value::Null, |d| {
        Value::String(d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    })
}
