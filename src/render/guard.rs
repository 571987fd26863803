//! Outputs never replace inputs. [`InputFiles`] holds an open handle on every file a run reads
//! (logs, catalog files, `--prices`, `--overrides`, `--baseline`, the reports `diff` reads);
//! before any output file is created or replaced, its path is compared with them by file
//! identity (device and inode, through `same-file`), so another spelling of the path, a
//! symlink or a hard link to an input is refused as surely as the input's own name.

use std::fmt;
use std::path::{Path, PathBuf};

use same_file::Handle;

/// The files a run reads.
#[derive(Default)]
pub struct InputFiles {
    files: Vec<(PathBuf, Handle)>,
}

impl fmt::Debug for InputFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.files.iter().map(|(p, _)| p))
            .finish()
    }
}

/// An output would replace one of the run's inputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refusing to write {}: it is the input {} (the same file{}); write the output to another path", .output.display(), .input.display(), if .output == .input { "" } else { ", reached through another name or a link" })]
pub struct OverwriteError {
    /// The output path.
    pub output: PathBuf,
    /// The input it would replace, as given.
    pub input: PathBuf,
}

impl InputFiles {
    /// No inputs.
    pub fn new() -> InputFiles {
        InputFiles::default()
    }

    /// Add an input. `-` (stdin) and paths that cannot be opened are skipped: reading them
    /// reports the problem.
    pub fn add(&mut self, path: &Path) {
        if path == Path::new("-") {
            return;
        }
        if let Ok(handle) = Handle::from_path(path) {
            self.files.push((path.to_owned(), handle));
        }
    }

    /// The input that `output` is, if any (an output that does not exist yet is none).
    pub fn find(&self, output: &Path) -> Option<&Path> {
        let handle = Handle::from_path(output).ok()?;
        self.files
            .iter()
            .find(|(_, h)| *h == handle)
            .map(|(p, _)| p.as_path())
    }

    /// Refuse `output` when it is one of the inputs.
    pub fn ensure_not_input(&self, output: &Path) -> Result<(), OverwriteError> {
        match self.find(output) {
            Some(input) => Err(OverwriteError {
                output: output.to_owned(),
                input: input.to_owned(),
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_an_input_by_any_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("usage.csv");
        std::fs::write(&log, "x").expect("write");
        let mut inputs = InputFiles::new();
        inputs.add(&log);
        inputs.add(Path::new("-"));
        inputs.add(&dir.path().join("missing.csv"));
        assert_eq!(inputs.find(&log), Some(log.as_path()));
        let other_name = dir.path().join(".").join("usage.csv");
        assert!(inputs.ensure_not_input(&other_name).is_err());
        #[cfg(unix)]
        {
            let link = dir.path().join("link.csv");
            std::os::unix::fs::symlink(&log, &link).expect("symlink");
            let err = inputs
                .ensure_not_input(&link)
                .expect_err("a link to the input");
            assert!(
                err.to_string().contains("through another name or a link"),
                "{err}"
            );
            let hard = dir.path().join("hard.csv");
            std::fs::hard_link(&log, &hard).expect("hard link");
            assert!(inputs.ensure_not_input(&hard).is_err());
        }
        assert!(inputs
            .ensure_not_input(&dir.path().join("new.json"))
            .is_ok());
    }
}
