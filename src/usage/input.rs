//! An input as the readers see it: where its bytes come from ([`InputSource`]), the format
//! asked for ([`InputSpec`]), and, once [`super::detect`] has opened it, its container, format,
//! columns and decompressed bytes ([`OpenedInput`]). The readers depend on these types only,
//! not on detection, so detection may use the readers' helpers without a cycle.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use super::formats::{Container, InputFormat};

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
    /// Bytes in memory (tests and fuzz targets), with a display name.
    Memory {
        /// Display name.
        name: String,
        /// The content.
        bytes: std::sync::Arc<[u8]>,
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
            InputSource::Memory { name, .. } => name.clone(),
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

/// How an input's format was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChosenBy {
    /// From its columns, keys or schema.
    Detected,
    /// `--input-format` (or `--columns`).
    Flag,
}

impl ChosenBy {
    /// The words in reports: `detected` or `--input-format`.
    pub fn name(self) -> &'static str {
        match self {
            ChosenBy::Detected => "detected",
            ChosenBy::Flag => "--input-format",
        }
    }
}

/// An opened input, ready to read.
pub struct OpenedInput {
    /// Display name (the path, or `-`).
    pub name: String,
    /// The detected or forced format.
    pub format: InputFormat,
    /// How the format was decided.
    pub chosen_by: ChosenBy,
    /// How the bytes are laid out.
    pub container: Container,
    /// The column names (CSV header, first JSON row's keys, Parquet schema) as written.
    pub columns: Vec<String>,
    /// Decompressed content (for Parquet: unused; see `parquet_path`).
    pub reader: Box<dyn BufRead + Send>,
    /// A Parquet input as a local file (stdin and gzip are copied to a temp file first).
    pub parquet_path: Option<PathBuf>,
    /// Keeps that temp file alive.
    pub parquet_temp: Option<tempfile::TempPath>,
    /// The decompressed content's first bytes, as a digest: two inputs that begin alike hold
    /// the same traffic (a copy, a gzip copy, the same data on stdin).
    pub head: Option<Head>,
}

/// Bytes of decompressed content an input's [`Head`] keeps (fewer when it is shorter, or when
/// stdin has not sent them yet: stdin is never waited on for them).
pub const HEAD_BYTES: usize = 8 << 10;

/// An input's first bytes of content: two inputs that begin alike hold the same traffic (a
/// copy, a gzip copy, the same data on stdin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Up to [`HEAD_BYTES`].
    pub bytes: Vec<u8>,
}

impl Head {
    /// The length of the prefix both share, when it is long enough to say they begin alike:
    /// two line ends (a header and a row), or 4 KiB of one line.
    pub fn shared_with(&self, other: &Head) -> Option<usize> {
        let n = self.bytes.len().min(other.bytes.len());
        let (a, b) = (&self.bytes[..n], &other.bytes[..n]);
        let enough = memchr::memchr_iter(b'\n', a).count() >= 2 || n >= 4 << 10;
        (a == b && enough).then_some(n)
    }
}
