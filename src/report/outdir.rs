//! Writing a report directory as a whole. Every file of a run is rendered into a staging
//! directory next to the report directory (`.NAME.ptuplan-tmp-*`, on the same file system, and
//! removed on any exit by [`crate::cleanup`]); only when all of them are complete are they
//! renamed into place, then the files the previous run wrote and this one does not are
//! removed, and last the manifest (`manifest.txt`, the list of what this run wrote) replaces
//! the old one. A run killed while rendering leaves the previous report as it was; the final
//! step writes no data (renames only), and every file in the directory is always complete.
//!
//! Nothing outside the directory is touched through a link: a file that is a symbolic link is
//! replaced or removed as a link (its target stays), and a `charts` entry that is a symbolic
//! link is refused. Only names listed in the manifest and written by this tool are ever
//! removed; no destination may be one of the run's inputs ([`InputFiles`]).

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::guard::{InputFiles, OverwriteError};
use super::{open_output, OutputError};
use crate::cleanup::TempArea;

/// The manifest's file name, inside the report directory.
pub const MANIFEST_FILE: &str = "manifest.txt";
/// The subdirectory charts go to.
pub const CHARTS_DIR: &str = "charts";

const MANIFEST_HEADER: &str = "# Files written by `ptuplan report` into this directory, one per line. The next run\n# replaces them and removes the ones it no longer writes; no other file is touched.\n";

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
    /// `charts` (or the directory's own entry) is a symbolic link.
    #[error("{} is a symbolic link; refusing to follow it out of the report directory (remove it: ptuplan creates a real directory)", .0.display())]
    Symlink(PathBuf),
    /// A manifest line names a file this tool does not write.
    #[error("{}:{line}: `{entry}` is not a file `ptuplan report` writes; refusing to remove it (fix or delete the manifest)", .path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The entry.
        entry: String,
    },
    /// A destination is one of the run's inputs.
    #[error(transparent)]
    IsInput(#[from] OverwriteError),
    /// A file could not be created.
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// True for names this tool writes: `NAME` or `charts/NAME`, where NAME is letters, digits,
/// `.`, `-` and `_`, not starting with `.`.
pub fn is_report_name(rel: &str) -> bool {
    let name = rel.strip_prefix("charts/").unwrap_or(rel);
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// A report directory being written.
pub struct ReportDir<'a> {
    dir: PathBuf,
    staging: TempArea,
    previous: BTreeSet<String>,
    written: BTreeSet<String>,
    inputs: &'a InputFiles,
}

/// What a commit did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Committed {
    /// Files written (the manifest not counted).
    pub written: usize,
    /// Files of the previous run removed because this run did not write them.
    pub removed: usize,
}

fn io_err(what: &'static str, path: &Path) -> impl FnOnce(io::Error) -> OutDirError {
    let path = path.to_owned();
    move |source| OutDirError::Io { what, path, source }
}

impl<'a> ReportDir<'a> {
    /// Prepare to write into `dir` (created when missing). Refuses a `charts` symlink, a
    /// manifest naming files this tool does not write, and a previous file that is an input.
    pub fn begin(dir: &Path, inputs: &'a InputFiles) -> Result<ReportDir<'a>, OutDirError> {
        fs::create_dir_all(dir).map_err(io_err("cannot create", dir))?;
        let charts = dir.join(CHARTS_DIR);
        if fs::symlink_metadata(&charts).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(OutDirError::Symlink(charts));
        }
        let previous = read_manifest(&dir.join(MANIFEST_FILE))?;
        for rel in &previous {
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
            written: BTreeSet::new(),
            inputs,
        })
    }

    /// Render `rel` (`report.md`, `charts/x.svg`) into the staging directory.
    pub fn write(
        &mut self,
        rel: &str,
        render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), OutDirError> {
        assert!(is_report_name(rel), "not a report file name: {rel}");
        self.inputs.ensure_not_input(&self.dir.join(rel))?;
        let path = self.staging.path().join(rel);
        let mut out = open_output(Some(&path), self.inputs)?;
        render(&mut out)
            .and_then(|()| out.flush())
            .map_err(io_err("cannot write", &self.dir.join(rel)))?;
        self.written.insert(rel.to_owned());
        Ok(())
    }

    /// Move every file into place, remove the previous run's files this run did not write, and
    /// replace the manifest.
    pub fn commit(self) -> Result<Committed, OutDirError> {
        let stale: Vec<&String> = self.previous.difference(&self.written).collect();
        for rel in self.written.iter().chain(stale.iter().copied()) {
            self.inputs.ensure_not_input(&self.dir.join(rel))?;
        }
        let charts = self.dir.join(CHARTS_DIR);
        match fs::symlink_metadata(&charts) {
            Ok(m) if m.file_type().is_symlink() => return Err(OutDirError::Symlink(charts)),
            Ok(_) => {}
            Err(_) => fs::create_dir(&charts).map_err(io_err("cannot create", &charts))?,
        }
        let mut manifest = String::from(MANIFEST_HEADER);
        for rel in &self.written {
            let to = self.dir.join(rel);
            fs::rename(self.staging.path().join(rel), &to)
                .map_err(io_err("cannot move into place", &to))?;
            manifest.push_str(rel);
            manifest.push('\n');
        }
        let mut removed = 0;
        for rel in stale {
            let path = self.dir.join(rel);
            // A file or a link is removed (a link as a link); anything else is left alone.
            if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                fs::remove_file(&path).map_err(io_err("cannot remove", &path))?;
                removed += 1;
            }
        }
        let staged = self.staging.path().join(MANIFEST_FILE);
        fs::write(&staged, manifest).map_err(io_err("cannot write", &staged))?;
        let to = self.dir.join(MANIFEST_FILE);
        self.inputs.ensure_not_input(&to)?;
        fs::rename(&staged, &to).map_err(io_err("cannot move into place", &to))?;
        Ok(Committed {
            written: self.written.len(),
            removed,
        })
    }
}

/// The entries of a manifest (none when there is no manifest).
fn read_manifest(path: &Path) -> Result<BTreeSet<String>, OutDirError> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(e) => return Err(io_err("cannot read", path)(e)),
    };
    let mut entries = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let entry = line.trim();
        if entry.is_empty() || entry.starts_with('#') {
            continue;
        }
        if !is_report_name(entry) || entry == MANIFEST_FILE {
            return Err(OutDirError::Manifest {
                path: path.to_owned(),
                line: i + 1,
                entry: entry.to_owned(),
            });
        }
        entries.insert(entry.to_owned());
    }
    Ok(entries)
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
        for ok in ["report.md", "charts/cost-01-a.svg", "charts/token-mix.png"] {
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
        ] {
            assert!(!is_report_name(bad), "{bad}");
        }
    }

    #[test]
    fn issue_12_only_files_of_the_previous_run_are_removed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("reports");
        let none = InputFiles::new();
        write_run(&dir, &["report.md", "charts/a.svg", "charts/b.svg"], &none).expect("first");
        fs::write(dir.join("README.md"), "mine").expect("user file");
        fs::write(dir.join("charts/user.svg"), "mine").expect("user chart");
        let done = write_run(&dir, &["report.md", "charts/b.svg"], &none).expect("second");
        assert_eq!(
            done,
            Committed {
                written: 2,
                removed: 1
            }
        );
        assert!(
            !dir.join("charts/a.svg").exists(),
            "the stale chart is gone"
        );
        assert_eq!(
            fs::read_to_string(dir.join("charts/b.svg")).expect("b"),
            "new charts/b.svg"
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
        assert!(
            manifest.ends_with("charts/b.svg\nreport.md\n"),
            "{manifest}"
        );
        let siblings: Vec<_> = fs::read_dir(tmp.path()).expect("dir").collect();
        assert_eq!(siblings.len(), 1, "the staging directory is gone");
    }

    #[test]
    fn issue_12_a_failed_run_leaves_the_previous_report_intact() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("reports");
        let none = InputFiles::new();
        write_run(&dir, &["report.md", "charts/a.svg"], &none).expect("first");
        let before = fs::read_to_string(dir.join(MANIFEST_FILE)).expect("manifest");
        let mut out = ReportDir::begin(&dir, &none).expect("begin");
        out.write("report.md", |w| w.write_all(b"half"))
            .expect("write");
        let failed = out.write("charts/b.svg", |_| Err(io::Error::other("renderer failed")));
        assert!(failed.is_err());
        drop(out); // the run gives up (an error, a panic or a signal): nothing was moved
        assert_eq!(
            fs::read_to_string(dir.join("report.md")).expect("md"),
            "new report.md"
        );
        assert!(dir.join("charts/a.svg").exists());
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
        write_run(&dir, &["report.md"], &none).expect("writes");
        assert_eq!(fs::read_to_string(&outside).expect("outside"), "precious");
        assert!(!fs::symlink_metadata(dir.join("report.md"))
            .expect("md")
            .file_type()
            .is_symlink());
        // A stale entry that is a link: the link goes, its target stays.
        symlink(&outside, dir.join("charts/old.svg")).expect("link");
        let manifest = dir.join(MANIFEST_FILE);
        let mut text = fs::read_to_string(&manifest).expect("manifest");
        text.push_str("charts/old.svg\n");
        fs::write(&manifest, text).expect("manifest");
        write_run(&dir, &["report.md"], &none).expect("writes");
        assert!(fs::symlink_metadata(dir.join("charts/old.svg")).is_err());
        assert_eq!(fs::read_to_string(&outside).expect("outside"), "precious");
        // charts/ as a link out of the directory is refused.
        fs::remove_dir_all(dir.join("charts")).expect("rm");
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).expect("dir");
        symlink(&elsewhere, dir.join("charts")).expect("link");
        let err = write_run(&dir, &["report.md", "charts/a.svg"], &none).expect_err("refused");
        assert!(matches!(err, OutDirError::Symlink(_)), "{err}");
        assert_eq!(fs::read_dir(&elsewhere).expect("dir").count(), 0);
    }

    #[test]
    fn a_manifest_naming_other_files_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("reports");
        fs::create_dir(&dir).expect("dir");
        fs::write(
            dir.join(MANIFEST_FILE),
            "# x\nreport.md\n../../etc/passwd\n",
        )
        .expect("manifest");
        let err = write_run(&dir, &["report.md"], &InputFiles::new()).expect_err("refused");
        assert!(
            err.to_string()
                .contains("manifest.txt:3: `../../etc/passwd`"),
            "{err}"
        );
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
