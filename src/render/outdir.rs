//! Writing a report directory as a whole. Every file of a run is rendered into a staging
//! directory next to the report directory (`.NAME.ptuplan-tmp-*`, on the same file system, and
//! removed on any exit by [`crate::cleanup`]); only when all of them are complete are they
//! renamed into place, then the files the previous run wrote and this one does not are
//! removed, and last the manifest (`manifest.txt`, [`super::manifest`]: what this run wrote and
//! the SHA-256 of each, signed) replaces the old one. A run killed while rendering leaves the
//! previous report as it was; the final step writes no data (renames only), and every file in
//! the directory is always complete.
//!
//! Nothing the tool did not write is touched. A file is replaced or removed only when the
//! previous run's signed manifest lists it and its content still has the digest recorded there
//! (a file changed since is kept, and said so); any other file in the way of one this run writes
//! (the user's own `report.md`, a symbolic link, a file changed since) stops the run before
//! anything moves. A `manifest.txt` the tool did not write is refused, never replaced, and the
//! files it lists are never touched. A `charts` entry that is a symbolic link is refused; no
//! destination may be one of the run's inputs ([`InputFiles`]).

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::chart::ChartKind;
use super::guard::{InputFiles, OverwriteError};
use super::manifest::{self, Digest256, ManifestError, Previous};
use super::{open_output, OutputError};
use crate::cleanup::TempArea;

/// The manifest's file name, inside the report directory.
pub const MANIFEST_FILE: &str = "manifest.txt";
/// The subdirectory charts go to.
pub const CHARTS_DIR: &str = "charts";

/// Problems writing a report directory.
#[derive(Debug, thiserror::Error)]
pub enum OutDirError {
    /// An I/O error on a path.
    #[error("{what} {}: {source}", .path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// `--out-dir` names a file, not a directory.
    #[error("--out-dir {} is a file, not a directory: choose a directory (ptuplan creates it when it does not exist)", .0.display())]
    NotADirectory(PathBuf),
    /// `charts` (or the directory's own entry) is a symbolic link.
    #[error("{} is a symbolic link; refusing to follow it out of the report directory (remove it: ptuplan creates a real directory)", .0.display())]
    Symlink(PathBuf),
    /// The manifest cannot be trusted.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// A file this run would replace was not written by this tool, or was changed since.
    #[error("{} is in the way and ptuplan cannot prove it wrote it ({why}); refusing to replace it: move it away or choose another --out-dir", .path.display())]
    NotOurs {
        /// The file.
        path: PathBuf,
        /// Why it is not provably this tool's.
        why: &'static str,
    },
    /// A destination is one of the run's inputs.
    #[error(transparent)]
    IsInput(#[from] OverwriteError),
    /// A file could not be created.
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// The Markdown report's file name.
pub const MARKDOWN_FILE: &str = "report.md";
/// The JSON report's file name.
pub const JSON_FILE: &str = "report.json";
/// The CSV file's name.
pub const CSV_FILE: &str = "options.csv";
/// The FOCUS export's file name.
pub const FOCUS_FILE: &str = "focus.csv";
/// The HTML page's file name.
pub const HTML_FILE: &str = "report.html";
/// Every file a run writes at the top of the report directory (the manifest aside).
pub const REPORT_FILES: [&str; 5] = [MARKDOWN_FILE, JSON_FILE, CSV_FILE, FOCUS_FILE, HTML_FILE];

/// True only for names this tool writes: one of [`REPORT_FILES`], or a chart,
/// `charts/<kind>.<svg|png>` or `charts/<kind>-<NN>-<slug>.<svg|png>` (see
/// [`ChartSpec::file_stem`](super::chart::ChartSpec::file_stem)). A manifest that lists any other
/// name was not written by this tool, whatever its signature says (the signature's key is
/// public), so nothing it lists is touched.
pub fn is_report_name(rel: &str) -> bool {
    match rel.strip_prefix("charts/") {
        None => REPORT_FILES.contains(&rel),
        Some(name) => is_chart_name(name),
    }
}

/// `<kind>[-<NN>-<slug>].<svg|png>`, with a slug as [`super::chart::slug`] makes it.
fn is_chart_name(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".svg")
        .or_else(|| name.strip_suffix(".png"))
    else {
        return false;
    };
    let workload_part = |rest: &str| -> bool {
        let Some((number, slug)) = rest.split_once('-') else {
            return false;
        };
        number.len() >= 2
            && number.len() <= 20
            && number.bytes().all(|b| b.is_ascii_digit())
            && !slug.is_empty()
            && slug.len() <= 40
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            && !slug.contains("--")
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    ChartKind::ALL.iter().any(|kind| {
        stem.strip_prefix(kind.as_str()).is_some_and(|rest| {
            rest.is_empty() || rest.strip_prefix('-').is_some_and(workload_part)
        })
    })
}

/// A report directory being written.
pub struct ReportDir<'a> {
    dir: PathBuf,
    staging: TempArea,
    previous: Previous,
    written: BTreeMap<String, Digest256>,
    inputs: &'a InputFiles,
}

/// What a commit did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Committed {
    /// Files written (the manifest not counted).
    pub written: usize,
    /// Files of the previous run removed because this run did not write them.
    pub removed: usize,
    /// Files of the previous run this one did not write and left in place, with why
    /// (changed since, or listed by an old manifest without digests).
    pub kept: Vec<String>,
}

fn io_err(what: &'static str, path: &Path) -> impl FnOnce(io::Error) -> OutDirError {
    let path = path.to_owned();
    move |source| OutDirError::Io { what, path, source }
}

/// Error when `dir` exists and is not a directory (a file given as `--out-dir`).
fn ensure_directory(dir: &Path) -> Result<(), OutDirError> {
    match fs::metadata(dir) {
        Ok(m) if !m.is_dir() => Err(OutDirError::NotADirectory(dir.to_owned())),
        _ => Ok(()),
    }
}

/// Read the manifest of `dir` (none when `dir` or the manifest does not exist).
fn read_previous(dir: &Path) -> Result<Previous, OutDirError> {
    let manifest = dir.join(MANIFEST_FILE);
    match fs::symlink_metadata(&manifest) {
        Ok(m) if !m.file_type().is_file() => Err(OutDirError::NotOurs {
            path: manifest,
            why: "not a regular file",
        }),
        _ => Ok(manifest::read(&manifest, is_report_name)?),
    }
}

/// Check, before any work, that a run may write `names` into `dir`: the manifest is this
/// tool's (or absent), and each existing file of those names is provably one the previous
/// run wrote, unchanged.
pub fn ensure_writable(dir: &Path, names: &[&str]) -> Result<(), OutDirError> {
    ensure_directory(dir)?;
    let charts = dir.join(CHARTS_DIR);
    if fs::symlink_metadata(&charts).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(OutDirError::Symlink(charts));
    }
    let previous = read_previous(dir)?;
    for name in names {
        ensure_replaceable(dir, &previous, name)?;
    }
    Ok(())
}

/// Error unless `rel` in `dir` is absent or provably written by the previous run, unchanged.
fn ensure_replaceable(dir: &Path, previous: &Previous, rel: &str) -> Result<(), OutDirError> {
    let path = dir.join(rel);
    let meta = match fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err("cannot inspect", &path)(e)),
    };
    let why = if meta.file_type().is_symlink() {
        "a symbolic link"
    } else if !meta.is_file() {
        "not a regular file"
    } else {
        match previous {
            Previous::None => "there is no manifest.txt",
            Previous::Legacy(names) if names.iter().any(|n| n == rel) => return Ok(()),
            Previous::Legacy(_) => "not listed in manifest.txt",
            Previous::Signed(files) => match files.get(rel) {
                None => "not listed in manifest.txt",
                Some(d) => {
                    let now =
                        manifest::digest_of_file(&path).map_err(io_err("cannot read", &path))?;
                    if now == Some(*d) {
                        return Ok(());
                    }
                    "changed since ptuplan wrote it"
                }
            },
        }
    };
    Err(OutDirError::NotOurs { path, why })
}

/// A writer that hashes what passes through it.
struct Hashing<'w> {
    inner: &'w mut dyn Write,
    hasher: Sha256,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<'a> ReportDir<'a> {
    /// Prepare to write into `dir` (created when missing). Refuses a `charts` symlink, a
    /// manifest this tool did not write (or one edited since), and a previous file that is an
    /// input.
    pub fn begin(dir: &Path, inputs: &'a InputFiles) -> Result<ReportDir<'a>, OutDirError> {
        ensure_directory(dir)?;
        fs::create_dir_all(dir).map_err(io_err("cannot create", dir))?;
        let charts = dir.join(CHARTS_DIR);
        if fs::symlink_metadata(&charts).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(OutDirError::Symlink(charts));
        }
        let previous = read_previous(dir)?;
        for rel in previous_names(&previous) {
            inputs.ensure_not_input(&dir.join(rel))?;
        }
        let real = dir.canonicalize().map_err(io_err("cannot resolve", dir))?;
        let staging = TempArea::next_to(&real)
            .map_err(io_err("cannot create a staging directory next to", dir))?;
        fs::create_dir(staging.path().join(CHARTS_DIR))
            .map_err(io_err("cannot create", staging.path()))?;
        Ok(ReportDir {
            dir: dir.to_owned(),
            staging,
            previous,
            written: BTreeMap::new(),
            inputs,
        })
    }

    /// Render `rel` (`report.md`, `charts/x.svg`) into the staging directory. Refused when a
    /// file of that name is in the way that the previous run did not write (or that changed
    /// since).
    pub fn write(
        &mut self,
        rel: &str,
        render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), OutDirError> {
        assert!(is_report_name(rel), "not a report file name: {rel}");
        self.inputs.ensure_not_input(&self.dir.join(rel))?;
        ensure_replaceable(&self.dir, &self.previous, rel)?;
        let path = self.staging.path().join(rel);
        let mut out = open_output(Some(&path), self.inputs)?;
        let mut hashing = Hashing {
            inner: &mut out,
            hasher: Sha256::new(),
        };
        render(&mut hashing)
            .and_then(|()| hashing.flush())
            .map_err(io_err("cannot write", &self.dir.join(rel)))?;
        let digest: Digest256 = hashing.hasher.finalize().into();
        self.written.insert(rel.to_owned(), digest);
        Ok(())
    }

    /// Move every file into place, remove the previous run's files this run did not write
    /// (only those unchanged since), and replace the manifest.
    pub fn commit(self) -> Result<Committed, OutDirError> {
        let stale: Vec<String> = previous_names(&self.previous)
            .into_iter()
            .filter(|rel| !self.written.contains_key(*rel))
            .map(str::to_owned)
            .collect();
        for rel in self.written.keys().chain(stale.iter()) {
            self.inputs.ensure_not_input(&self.dir.join(rel))?;
        }
        // Checked again: a file may have appeared or changed while the run was rendering.
        for rel in self.written.keys() {
            ensure_replaceable(&self.dir, &self.previous, rel)?;
        }
        let charts = self.dir.join(CHARTS_DIR);
        match fs::symlink_metadata(&charts) {
            Ok(m) if m.file_type().is_symlink() => return Err(OutDirError::Symlink(charts)),
            Ok(_) => {}
            Err(_) => fs::create_dir(&charts).map_err(io_err("cannot create", &charts))?,
        }
        for rel in self.written.keys() {
            let to = self.dir.join(rel);
            fs::rename(self.staging.path().join(rel), &to)
                .map_err(io_err("cannot move into place", &to))?;
        }
        let mut removed = 0;
        let mut kept = Vec::new();
        for rel in &stale {
            let path = self.dir.join(rel);
            let recorded = match &self.previous {
                Previous::Signed(files) => files.get(rel).copied(),
                _ => None,
            };
            let now = manifest::digest_of_file(&path).map_err(io_err("cannot read", &path))?;
            match (recorded, now) {
                (_, None) if fs::symlink_metadata(&path).is_err() => {}
                (Some(d), Some(n)) if d == n => {
                    fs::remove_file(&path).map_err(io_err("cannot remove", &path))?;
                    removed += 1;
                }
                (Some(_), _) => {
                    kept.push(format!("{rel} (changed since the previous run wrote it)"))
                }
                (None, _) => kept.push(format!(
                    "{rel} (listed by an older manifest without digests)"
                )),
            }
        }
        let staged = self.staging.path().join(MANIFEST_FILE);
        fs::write(&staged, manifest::render(&self.written))
            .map_err(io_err("cannot write", &staged))?;
        let to = self.dir.join(MANIFEST_FILE);
        self.inputs.ensure_not_input(&to)?;
        fs::rename(&staged, &to).map_err(io_err("cannot move into place", &to))?;
        Ok(Committed {
            written: self.written.len(),
            removed,
            kept,
        })
    }
}

/// The names the previous run's manifest lists.
fn previous_names(previous: &Previous) -> Vec<&str> {
    match previous {
        Previous::None => Vec::new(),
        Previous::Signed(files) => files.keys().map(String::as_str).collect(),
        Previous::Legacy(names) => names.iter().map(String::as_str).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_run(
        dir: &Path,
        files: &[&str],
        inputs: &InputFiles,
    ) -> Result<Committed, OutDirError> {
        let mut out = ReportDir::begin(dir, inputs)?;
        for f in files {
            out.write(f, |w| w.write_all(format!("new {f}").as_bytes()))?;
        }
        out.commit()
    }

    #[test]
    fn names_are_checked() {
        for ok in [
            "report.md",
            "focus.csv",
            "charts/cost-01-a.svg",
            "charts/cost-vs-ptu-12-chat-prod.png",
            "charts/token-mix.png",
            "charts/reservation-plan.svg",
        ] {
            assert!(is_report_name(ok), "{ok}");
        }
        for bad in [
            "",
            "../x",
            "charts/../../x",
            "/etc/passwd",
            ".hidden",
            "a/b",
            "charts/",
            "charts/.x",
            "x y",
            // Names of the user's files: a manifest listing them is not this tool's.
            "README.md",
            "notes.txt",
            "data.csv",
            "manifest.txt",
            "charts/user.svg",
            "charts/cost-01-a.txt",
            "charts/cost-1-a.svg",
            "charts/cost-01-A.svg",
            "charts/cost-01-.svg",
            "charts/cost.svg.svg",
        ] {
            assert!(!is_report_name(bad), "{bad}");
        }
    }

    #[test]
    fn issue_12_only_files_of_the_previous_run_are_removed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("reports");
        let none = InputFiles::new();
        write_run(
            &dir,
            &["report.md", "charts/cost-01-a.svg", "charts/cost-02-b.svg"],
            &none,
        )
        .expect("first");
        fs::write(dir.join("README.md"), "mine").expect("user file");
        fs::write(dir.join("charts/user.svg"), "mine").expect("user chart");
        let done = write_run(&dir, &["report.md", "charts/cost-02-b.svg"], &none).expect("second");
        assert_eq!(
            done,
            Committed {
                written: 2,
                removed: 1,
                kept: Vec::new(),
            }
        );
        assert!(
            !dir.join("charts/cost-01-a.svg").exists(),
            "the stale chart is gone"
        );
        assert_eq!(
            fs::read_to_string(dir.join("charts/cost-02-b.svg")).expect("b"),
            "new charts/cost-02-b.svg"
        );
        assert_eq!(
            fs::read_to_string(dir.join("README.md")).expect("kept"),
            "mine"
        );
        assert!(
            dir.join("charts/user.svg").exists(),
            "not in the manifest: kept"
        );
        let manifest = fs::read_to_string(dir.join(MANIFEST_FILE)).expect("manifest");
        let listed: Vec<&str> = manifest
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once("  ").map(|(_, name)| name))
            .collect();
        assert_eq!(listed, ["charts/cost-02-b.svg", "report.md"], "{manifest}");
        let siblings: Vec<_> = fs::read_dir(tmp.path()).expect("dir").collect();
        assert_eq!(siblings.len(), 1, "the staging directory is gone");
    }

    #[test]
    fn issue_12_a_failed_run_leaves_the_previous_report_intact() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("reports");
        let none = InputFiles::new();
        write_run(&dir, &["report.md", "charts/cost-01-a.svg"], &none).expect("first");
        let before = fs::read_to_string(dir.join(MANIFEST_FILE)).expect("manifest");
        let mut out = ReportDir::begin(&dir, &none).expect("begin");
        out.write("report.md", |w| w.write_all(b"half"))
            .expect("write");
        let failed = out.write("charts/cost-02-b.svg", |_| {
            Err(io::Error::other("renderer failed"))
        });
        assert!(failed.is_err());
        drop(out); // the run gives up (an error, a panic or a signal): nothing was moved
        assert_eq!(
            fs::read_to_string(dir.join("report.md")).expect("md"),
            "new report.md"
        );
        assert!(dir.join("charts/cost-01-a.svg").exists());
        assert_eq!(
            fs::read_to_string(dir.join(MANIFEST_FILE)).expect("manifest"),
            before
        );
        assert_eq!(
            fs::read_dir(tmp.path()).expect("dir").count(),
            1,
            "no staging left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn issue_12_links_are_never_followed_out_of_the_directory() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("reports");
        fs::create_dir(&dir).expect("dir");
        let outside = tmp.path().join("outside.md");
        fs::write(&outside, "precious").expect("outside");
        symlink(&outside, dir.join("report.md")).expect("link");
        let none = InputFiles::new();
        // A link where the report goes is not this tool's file: refused, nothing followed.
        let err = write_run(&dir, &["report.md"], &none).expect_err("refused");
        assert!(err.to_string().contains("a symbolic link"), "{err}");
        assert_eq!(fs::read_to_string(&outside).expect("outside"), "precious");
        assert!(fs::symlink_metadata(dir.join("report.md"))
            .expect("md")
            .file_type()
            .is_symlink());
        fs::remove_file(dir.join("report.md")).expect("rm");
        // A stale entry that became a link: the link stays, its target too.
        write_run(&dir, &["report.md", "charts/cost-09-old.svg"], &none).expect("writes");
        fs::remove_file(dir.join("charts/cost-09-old.svg")).expect("rm");
        symlink(&outside, dir.join("charts/cost-09-old.svg")).expect("link");
        let done = write_run(&dir, &["report.md"], &none).expect("writes");
        assert_eq!(done.removed, 0);
        assert_eq!(done.kept.len(), 1, "{:?}", done.kept);
        assert!(fs::symlink_metadata(dir.join("charts/cost-09-old.svg")).is_ok());
        assert_eq!(fs::read_to_string(&outside).expect("outside"), "precious");
        // charts/ as a link out of the directory is refused.
        fs::remove_dir_all(dir.join("charts")).expect("rm");
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).expect("dir");
        symlink(&elsewhere, dir.join("charts")).expect("link");
        let err =
            write_run(&dir, &["report.md", "charts/cost-01-a.svg"], &none).expect_err("refused");
        assert!(matches!(err, OutDirError::Symlink(_)), "{err}");
        assert_eq!(fs::read_dir(&elsewhere).expect("dir").count(), 0);
    }

    #[test]
    fn a_manifest_naming_other_files_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("reports");
        fs::create_dir(&dir).expect("dir");
        let mut files = BTreeMap::new();
        files.insert("../../etc/passwd".to_owned(), [0u8; 32]);
        fs::write(dir.join(MANIFEST_FILE), manifest::render(&files)).expect("manifest");
        let err = write_run(&dir, &["report.md"], &InputFiles::new()).expect_err("refused");
        assert!(err.to_string().contains("`../../etc/passwd`"), "{err}");
    }

    /// The issue's case: `report --out-dir .` in a folder holding the user's README.md,
    /// notes.txt, data.csv and a manifest.txt that lists them deleted all three. The manifest is
    /// not this tool's (no marker, no signature): the run is refused and every file survives.
    #[test]
    fn issue_19_a_foreign_manifest_and_the_users_files_are_never_touched() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let users = [
            ("README.md", "# my project\n"),
            ("notes.txt", "notes\n"),
            ("data.csv", "a,b\n1,2\n"),
            (MANIFEST_FILE, "README.md\nnotes.txt\ndata.csv\n"),
        ];
        for (name, text) in users {
            fs::write(dir.join(name), text).expect("user file");
        }
        let err = ensure_writable(dir, &["report.md"]).expect_err("refused early");
        assert!(
            err.to_string()
                .contains("was not written by `ptuplan report`"),
            "{err}"
        );
        let err = write_run(dir, &["report.md"], &InputFiles::new()).expect_err("refused");
        assert!(matches!(err, OutDirError::Manifest(_)), "{err}");
        for (name, text) in users {
            assert_eq!(
                fs::read_to_string(dir.join(name)).expect("kept"),
                text,
                "{name}"
            );
        }
        let names: Vec<String> = fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 4, "nothing added either: {names:?}");
    }

    /// A file of a name this tool writes, which it did not write (the user's own report.md),
    /// or one the previous run wrote and someone changed since, is never replaced; a stale
    /// file changed since is kept, not removed.
    #[test]
    fn issue_19_only_unchanged_files_of_the_previous_run_are_replaced_or_removed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("reports");
        fs::create_dir(&dir).expect("dir");
        fs::write(dir.join("report.md"), "mine").expect("user file");
        let none = InputFiles::new();
        let err = write_run(&dir, &["report.md"], &none).expect_err("refused");
        assert!(
            err.to_string().contains("there is no manifest.txt"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(dir.join("report.md")).expect("kept"),
            "mine"
        );
        fs::remove_file(dir.join("report.md")).expect("rm");
        write_run(&dir, &["report.md", "charts/cost-01-a.svg"], &none).expect("first");
        // Edited after the run: neither replaced nor removed.
        fs::write(dir.join("report.md"), "edited").expect("edit");
        let err = write_run(&dir, &["report.md"], &none).expect_err("refused");
        assert!(
            err.to_string().contains("changed since ptuplan wrote it"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(dir.join("report.md")).expect("kept"),
            "edited"
        );
        fs::write(dir.join("charts/cost-01-a.svg"), "edited").expect("edit");
        fs::remove_file(dir.join("report.md")).expect("rm");
        let done = write_run(&dir, &["report.md"], &none).expect("second");
        assert_eq!(done.removed, 0);
        assert_eq!(
            done.kept,
            ["charts/cost-01-a.svg (changed since the previous run wrote it)"]
        );
        assert_eq!(
            fs::read_to_string(dir.join("charts/cost-01-a.svg")).expect("kept"),
            "edited"
        );
        // An edited manifest is refused as a whole.
        let manifest = dir.join(MANIFEST_FILE);
        let text = fs::read_to_string(&manifest).expect("manifest");
        fs::write(&manifest, text.replace("  report.md", "  report.json")).expect("edit");
        let err = write_run(&dir, &["report.md"], &none).expect_err("refused");
        assert!(
            err.to_string().contains("signature does not match"),
            "{err}"
        );
    }

    /// A directory written by ptuplan 0.2 (a manifest of names, no digests) is taken over:
    /// its files are replaced, the stale ones kept (nothing proves them unchanged).
    #[test]
    fn issue_19_an_older_manifest_is_taken_over_without_removing_anything() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("reports");
        fs::create_dir_all(dir.join(CHARTS_DIR)).expect("dir");
        fs::write(
            dir.join(MANIFEST_FILE),
            "# Files written by `ptuplan report` into this directory, one per line. The next run\n# replaces them and removes the ones it no longer writes; no other file is touched.\ncharts/cost-01-a.svg\nreport.md\n",
        )
        .expect("old manifest");
        fs::write(dir.join("report.md"), "old").expect("old");
        fs::write(dir.join("charts/cost-01-a.svg"), "old").expect("old");
        let done = write_run(&dir, &["report.md"], &InputFiles::new()).expect("writes");
        assert_eq!(done.removed, 0);
        assert_eq!(done.kept.len(), 1);
        assert_eq!(
            fs::read_to_string(dir.join("report.md")).expect("md"),
            "new report.md"
        );
        assert!(dir.join("charts/cost-01-a.svg").exists());
    }

    #[test]
    fn issue_12_an_input_in_the_report_directory_is_never_replaced() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("reports");
        let none = InputFiles::new();
        write_run(&dir, &["report.json"], &none).expect("first");
        let mut inputs = InputFiles::new();
        inputs.add(&dir.join("report.json"));
        let err = write_run(&dir, &["report.json"], &inputs).expect_err("refused");
        assert!(err.to_string().contains("refusing to write"), "{err}");
        assert_eq!(
            fs::read_to_string(dir.join("report.json")).expect("kept"),
            "new report.json"
        );
    }
}
