//! The renderers: one [`Renderer`] per output format behind one registry ([`RENDERERS`]),
//! the terminal table widget and its fitting ([`table`], [`layout`]), the one table model of
//! the documents ([`grid`]), the charts, the report directory ([`outdir`]) and the escaping of
//! every sink ([`escape`]). They draw the model of [`crate::report`] and never compute a
//! figure of their own. Renderers write to a `dyn Write` and never choose destinations;
//! [`open_output`] is the one place that opens a file or stdout.

pub mod calibrate;
pub mod catalog;
pub mod chart;
pub mod csv;
pub mod diff;
pub mod escape;
pub mod focus;
pub mod grid;
pub mod guard;
pub mod html;
pub mod json;
pub mod layout;
pub mod manifest;
pub mod markdown;
pub mod outdir;
pub mod refresh;
pub mod regions;
pub mod summary;
pub mod table;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::report::{diff::ReportDiff, gate, Report};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Terminal tables.
    Table,
    /// JSON (the stable contract).
    Json,
    /// One CSV row per workload x option.
    Csv,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// FinOps FOCUS 1.2 CSV of the plan's projected monthly charges.
    Focus,
}

impl Format {
    /// The format an output file's extension implies ([`RENDERERS`]).
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = extension(path)?;
        RENDERERS
            .iter()
            .find(|r| r.extensions.contains(&ext.as_str()))
            .map(|r| r.format)
    }

    /// Its `--format` value (`json`, `markdown`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Focus => "focus",
        }
    }
}

/// A file name's extension, lower case: `plan.JSON` -> `json`, and a dot file's name after
/// its dot (`.json` -> `json`: a file named only for its format is still named for it); none
/// for `plan` or `plan.`.
pub fn extension(path: &Path) -> Option<String> {
    let ext = path.extension().or_else(|| {
        let name = path.file_name()?.to_str()?;
        name.strip_prefix('.')
            .filter(|rest| !rest.is_empty() && !rest.contains('.'))
            .map(std::ffi::OsStr::new)
    })?;
    // `plan.` names no format: as if it had no extension.
    Some(ext.to_str()?.to_ascii_lowercase()).filter(|e| !e.is_empty())
}

/// How one format draws a [`Report`].
pub type RenderFn = fn(&Report, &Extras<'_>, &mut dyn Write) -> io::Result<()>;

/// One output format of the report: its renderer and the `--out` extensions that imply it. A
/// new format is its renderer module, its [`Format`] variant and one row of [`RENDERERS`].
pub struct Renderer {
    /// The format (`--format` value).
    pub format: Format,
    /// Lower-case file extensions that choose it when `--format` is not given.
    pub extensions: &'static [&'static str],
    /// Draws the report.
    pub render: RenderFn,
}

/// Every output format of the report, one row each.
pub const RENDERERS: &[Renderer] = &[
    Renderer {
        format: Format::Table,
        extensions: &["txt"],
        render: table::write_with,
    },
    Renderer {
        format: Format::Json,
        extensions: &["json"],
        render: |report, _, out| json::write(report, out),
    },
    Renderer {
        format: Format::Csv,
        extensions: &["csv"],
        render: |report, _, out| csv::write(report, out),
    },
    Renderer {
        format: Format::Markdown,
        extensions: &["md", "markdown"],
        render: markdown::write_with,
    },
    Renderer {
        format: Format::Focus,
        extensions: &[],
        render: |report, _, out| focus::write(report, out),
    },
];

/// Render `report` in `format`.
pub fn render(report: &Report, format: Format, out: &mut dyn Write) -> io::Result<()> {
    render_with(report, format, &Extras::default(), out)
}

/// What a run adds around its report: the diff against `--baseline` and the `--fail-on`
/// verdicts (Markdown and HTML show them first; the other formats leave them out: JSON stays
/// the report contract, and the verdicts also go to stderr), and how the table is laid out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    /// The diff against the baseline report.
    pub diff: Option<&'a ReportDiff>,
    /// Budget-rule verdicts.
    pub verdicts: &'a [gate::Verdict],
    /// Whether the Markdown should point at `report.html` and `charts/` (the `report` command).
    pub mention_files: bool,
    /// The terminal the table format is laid out for (width, colour).
    pub terminal: layout::Terminal,
    /// Show every workload's options and the reservation pools in the table format
    /// (`--details`).
    pub details: bool,
    /// Which workloads have no charts (`report --charts`), in words; None when all have them.
    pub charts_note: Option<&'a str>,
}

/// Render `report` in `format` with `extras`.
pub fn render_with(
    report: &Report,
    format: Format,
    extras: &Extras<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let renderer = RENDERERS
        .iter()
        .find(|r| r.format == format)
        .ok_or_else(|| io::Error::other(format!("no renderer for {format:?}")))?;
    (renderer.render)(report, extras, out)
}

/// An output destination: a file (`Some`) or stdout (`None` or `-`). A file that is one of
/// `inputs` (by any name or link) is refused before anything is written.
pub fn open_output(
    path: Option<&Path>,
    inputs: &guard::InputFiles,
) -> Result<Box<dyn Write>, OutputError> {
    match path {
        Some(p) if p != Path::new("-") => {
            inputs.ensure_not_input(p)?;
            let file = File::create(p).map_err(|source| OutputError::Io {
                path: p.to_owned(),
                source,
            })?;
            Ok(Box::new(BufWriter::new(file)))
        }
        _ => Ok(Box::new(BufWriter::new(io::stdout().lock()))),
    }
}

/// An output file could not be created.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The file could not be created.
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The file is one of the run's inputs.
    #[error(transparent)]
    IsInput(#[from] guard::OverwriteError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_one_renderer() {
        use clap::ValueEnum;
        for f in Format::value_variants() {
            assert_eq!(
                RENDERERS.iter().filter(|r| r.format == *f).count(),
                1,
                "{f:?}"
            );
        }
        assert_eq!(RENDERERS.len(), Format::value_variants().len());
    }

    #[test]
    fn an_extension_implies_its_format() {
        assert_eq!(
            Format::from_extension(Path::new("a/b.MD")),
            Some(Format::Markdown)
        );
        // A dot file named for its format is; a trailing dot or no dot names none.
        assert_eq!(extension(Path::new("a/.JSON")).as_deref(), Some("json"));
        for none in ["plan", "plan.", ".", "..", ".gz."] {
            assert_eq!(extension(Path::new(none)), None, "{none}");
        }
    }
}
