//! Opening an input: a file or stdin (`-`), transparently gunzipped when it starts with the
//! gzip magic bytes, and its format (CSV or JSON Lines) taken from an explicit override, the
//! file extension, or the first non-blank byte of the content.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use super::UsageError;

/// Bytes buffered per input (also the window used to sniff the format).
const BUF_BYTES: usize = 256 * 1024;

/// A usage-log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// Where an input's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    /// A file.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
    /// Bytes built into the binary (the bundled sample), with a display name.
    Bundled {
        /// Display name.
        name: &'static str,
        /// The content.
        bytes: &'static [u8],
    },
}

impl InputSource {
    /// `-` means stdin, anything else a file.
    pub fn from_arg(path: &Path) -> InputSource {
        if path == Path::new("-") {
            InputSource::Stdin
        } else {
            InputSource::File(path.to_owned())
        }
    }

    /// Display name: the path, `-`, or the bundled name.
    pub fn name(&self) -> String {
        match self {
            InputSource::File(p) => p.display().to_string(),
            InputSource::Stdin => "-".to_owned(),
            InputSource::Bundled { name, .. } => (*name).to_owned(),
        }
    }

    fn path_for_extension(&self) -> Option<&Path> {
        match self {
            InputSource::File(p) => Some(p),
            InputSource::Stdin => None,
            InputSource::Bundled { name, .. } => Some(Path::new(name)),
        }
    }
}

/// One input to read and an optional format override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// Where the bytes come from.
    pub source: InputSource,
    /// Forced format; `None` = detect.
    pub format: Option<InputFormat>,
}

/// An opened input, ready to read.
pub struct OpenedInput {
    /// Display name (the path, or `-`).
    pub name: String,
    /// The detected or forced format.
    pub format: InputFormat,
    /// Decompressed content.
    pub reader: Box<dyn BufRead + Send>,
}

/// Open an input and detect its format.
pub fn open_input(spec: &InputSpec) -> Result<OpenedInput, UsageError> {
    let name = spec.source.name();
    let io_err = |source| UsageError::Io {
        path: name.clone(),
        source,
    };
    let raw: Box<dyn Read + Send> = match &spec.source {
        InputSource::File(path) => Box::new(File::open(path).map_err(io_err)?),
        InputSource::Stdin => Box::new(io::stdin()),
        InputSource::Bundled { bytes, .. } => Box::new(*bytes),
    };
    let mut buffered = BufReader::with_capacity(BUF_BYTES, raw);
    let is_gzip = buffered
        .fill_buf()
        .map_err(io_err)?
        .starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn BufRead + Send> = if is_gzip {
        Box::new(BufReader::with_capacity(
            BUF_BYTES,
            MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    };
    let head = reader.fill_buf().map_err(io_err)?;
    // A NUL in the first line means a binary file; one in a later line is that row's problem
    // (the readers check every row, so the whole file is covered, not just this buffer).
    let first_line = memchr::memchr2(b'\n', b'\r', head).unwrap_or(head.len());
    if head[..first_line].contains(&0) {
        return Err(UsageError::File {
            path: name,
            message: "the content is binary (its first line contains NUL bytes), not a CSV or JSON Lines log"
                .to_owned(),
        });
    }
    let format = match spec.format {
        Some(f) => f,
        None => {
            format_from_extension(spec.source.path_for_extension()).unwrap_or_else(|| sniff(head))
        }
    };
    Ok(OpenedInput {
        name,
        format,
        reader,
    })
}

fn format_from_extension(path: Option<&Path>) -> Option<InputFormat> {
    let path = path?;
    let mut name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if let Some(stripped) = name.strip_suffix(".gz") {
        name = stripped.to_owned();
    }
    let ext = name.rsplit_once('.')?.1;
    match ext {
        "csv" => Some(InputFormat::Csv),
        "jsonl" | "ndjson" | "json" => Some(InputFormat::Jsonl),
        _ => None,
    }
}

/// `{` as the first non-blank byte (after an optional BOM) means JSON Lines, anything else CSV.
fn sniff(head: &[u8]) -> InputFormat {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => InputFormat::Jsonl,
        _ => InputFormat::Csv,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_format_from_extension_then_content() {
        assert_eq!(
            format_from_extension(Some(Path::new("a/usage.csv.gz"))),
            Some(InputFormat::Csv)
        );
        assert_eq!(
            format_from_extension(Some(Path::new("x.NDJSON"))),
            Some(InputFormat::Jsonl)
        );
        assert_eq!(format_from_extension(Some(Path::new("x.log"))), None);
        assert_eq!(sniff(b"\xEF\xBB\xBF  {\"a\":1}"), InputFormat::Jsonl);
        assert_eq!(sniff(b"timestamp,model"), InputFormat::Csv);
    }
}
