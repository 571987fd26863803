//! The report directory's manifest (`manifest.txt`): which files `ptuplan report` wrote there
//! and the SHA-256 of each, under a marker line and a signature line, so that a later run
//! replaces or removes a file only when it can prove it wrote that file and nobody changed it
//! since. Writing and moving files is [`super::outdir`]'s job; this module only reads, checks
//! and renders the list.
//!
//! Format (version 2):
//!
//! ```text
//! # ptuplan report manifest v2
//! # (comment lines)
//! <64 hex digits>  report.md
//! <64 hex digits>  charts/cost-01-chat.svg
//! # signature <64 hex digits>
//! ```
//!
//! The signature is the SHA-256 of [`SIGNATURE_KEY`] followed by every line before it (each with
//! its `\n`). It is no secret: it tells a manifest this tool wrote from one written or edited by
//! hand, which is then refused rather than trusted. The manifest of ptuplan 0.2 (a header and one
//! name per line, no hashes) is still read: its files may be replaced, never removed.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The first line of a version-2 manifest.
pub const MARKER: &str = "# ptuplan report manifest v2";
/// The first line of the manifest ptuplan 0.2 wrote (names only).
const LEGACY_HEADER: &str =
    "# Files written by `ptuplan report` into this directory, one per line. The next run";
const SIGNATURE_PREFIX: &str = "# signature ";
/// Mixed into the signature, so that the hash of an arbitrary file is not a valid signature.
pub const SIGNATURE_KEY: &str = "ptuplan report manifest v2\n";
const COMMENT: &str = "# The files `ptuplan report` wrote into this directory and their SHA-256. The next run\n# replaces or removes a listed file only while its content is unchanged, and touches no\n# other file.\n";

/// Largest manifest read, bytes (about 100,000 entries).
const MAX_MANIFEST_BYTES: u64 = 16 << 20;

/// A SHA-256 digest.
pub type Digest256 = [u8; 32];

/// What a manifest says about the files of the previous run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Previous {
    /// No manifest: no file in the directory was written by this tool.
    #[default]
    None,
    /// A version-2 manifest: each file with the digest it had when written.
    Signed(BTreeMap<String, Digest256>),
    /// A ptuplan 0.2 manifest: names only. Its files may be replaced (they carry the names
    /// this tool writes and the manifest says it wrote them), never removed (nothing proves
    /// they are unchanged).
    Legacy(Vec<String>),
}

/// A manifest that cannot be trusted.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// It could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The manifest.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// It is not one this tool wrote.
    #[error("{} was not written by `ptuplan report` ({why}); refusing to replace it or to touch the files it lists: move it away or choose another --out-dir", .path.display())]
    Foreign {
        /// The manifest.
        path: PathBuf,
        /// How it differs from what this tool writes.
        why: String,
    },
    /// A line is malformed or names a file this tool does not write.
    #[error("{}:{line}: `{entry}` is not a file `ptuplan report` writes; refusing to remove it (fix or delete the manifest)", .path.display())]
    Entry {
        /// The manifest.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The line.
        entry: String,
    },
    /// The signature is missing or does not match the lines above it.
    #[error("{}: the signature does not match its content: it was changed after ptuplan wrote it; refusing to trust it (delete it, and the files you want replaced)", .0.display())]
    Signature(PathBuf),
}

/// Read the manifest at `path` (none when there is no such file). `is_name` tells the names
/// this tool writes.
pub fn read(path: &Path, is_name: impl Fn(&str) -> bool) -> Result<Previous, ManifestError> {
    let io_err = |source| ManifestError::Io {
        path: path.to_owned(),
        source,
    };
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Previous::None),
        Err(e) => return Err(io_err(e)),
    };
    // A manifest of this tool lists a few hundred files: a larger one is not its own, and is
    // never read into memory whole.
    let mut bytes = Vec::new();
    file.take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    let foreign = |why: String| ManifestError::Foreign {
        path: path.to_owned(),
        why,
    };
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(foreign(format!(
            "it is larger than {} MiB, far more than any manifest ptuplan writes",
            MAX_MANIFEST_BYTES >> 20
        )));
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(foreign("it is not UTF-8 text".to_owned()));
    };
    let bad = |line: usize, entry: &str| ManifestError::Entry {
        path: path.to_owned(),
        line,
        entry: entry.to_owned(),
    };
    let first = text.lines().next().unwrap_or("");
    if first == LEGACY_HEADER {
        let mut names = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let entry = line.trim();
            if entry.is_empty() || entry.starts_with('#') {
                continue;
            }
            if !is_name(entry) {
                return Err(bad(i + 1, entry));
            }
            names.push(entry.to_owned());
        }
        return Ok(Previous::Legacy(names));
    }
    if first != MARKER {
        return Err(foreign(format!("its first line is not `{MARKER}`")));
    }
    let mut signed = Sha256::new();
    signed.update(SIGNATURE_KEY.as_bytes());
    let mut entries = BTreeMap::new();
    let mut signature = None;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        if signature.is_some() {
            if bare.trim().is_empty() {
                continue;
            }
            return Err(ManifestError::Signature(path.to_owned()));
        }
        if let Some(hex) = bare.strip_prefix(SIGNATURE_PREFIX) {
            signature = Some(parse_hex(hex).ok_or_else(|| bad(i + 1, bare))?);
            continue;
        }
        signed.update(line.as_bytes());
        if bare.starts_with('#') || bare.trim().is_empty() {
            continue;
        }
        let (hex, name) = bare.split_once("  ").ok_or_else(|| bad(i + 1, bare))?;
        let digest = parse_hex(hex).ok_or_else(|| bad(i + 1, bare))?;
        if !is_name(name) {
            return Err(bad(i + 1, name));
        }
        entries.insert(name.to_owned(), digest);
    }
    let expected: Digest256 = signed.finalize().into();
    if signature != Some(expected) {
        return Err(ManifestError::Signature(path.to_owned()));
    }
    Ok(Previous::Signed(entries))
}

/// The text of a manifest listing `files` (name -> digest).
pub fn render(files: &BTreeMap<String, Digest256>) -> String {
    let mut text = format!("{MARKER}\n{COMMENT}");
    for (name, digest) in files {
        text.push_str(&format!("{}  {name}\n", hex(digest)));
    }
    let mut signed = Sha256::new();
    signed.update(SIGNATURE_KEY.as_bytes());
    signed.update(text.as_bytes());
    let signature: Digest256 = signed.finalize().into();
    text.push_str(&format!("{SIGNATURE_PREFIX}{}\n", hex(&signature)));
    text
}

/// The SHA-256 of a file's content, read as a stream; None when `path` is not a regular file
/// (missing, a directory, a symbolic link: never followed).
pub fn digest_of_file(path: &Path) -> io::Result<Option<Digest256>> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => {}
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(Some(hasher.finalize().into()));
        }
        hasher.update(&buf[..n]);
    }
}

/// Lower-case hexadecimal.
pub fn hex(digest: &Digest256) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_hex(text: &str) -> Option<Digest256> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any_name(name: &str) -> bool {
        !name.contains('/') || name.starts_with("charts/")
    }

    #[test]
    fn a_rendered_manifest_reads_back_and_any_edit_breaks_its_signature() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("manifest.txt");
        let mut files = BTreeMap::new();
        files.insert("report.md".to_owned(), [7u8; 32]);
        files.insert("charts/a.svg".to_owned(), [9u8; 32]);
        let text = render(&files);
        fs::write(&path, &text).expect("write");
        assert_eq!(
            read(&path, any_name).expect("reads"),
            Previous::Signed(files.clone())
        );
        // One more entry, a changed digest, or a dropped signature: refused.
        for edited in [
            text.replace("  report.md\n", "  report.md\n0707070707070707070707070707070707070707070707070707070707070707  notes.txt\n"),
            text.replacen("0707", "0708", 1),
            text.lines()
                .filter(|l| !l.starts_with(SIGNATURE_PREFIX))
                .map(|l| format!("{l}\n"))
                .collect(),
        ] {
            fs::write(&path, edited).expect("write");
            assert!(
                matches!(read(&path, any_name), Err(ManifestError::Signature(_))),
                "an edited manifest is refused"
            );
        }
    }

    #[test]
    fn a_manifest_without_the_marker_is_foreign_and_the_old_one_is_legacy() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("manifest.txt");
        assert_eq!(read(&path, any_name).expect("none"), Previous::None);
        fs::write(&path, "README.md\nnotes.txt\ndata.csv\n").expect("write");
        assert!(matches!(
            read(&path, any_name),
            Err(ManifestError::Foreign { .. })
        ));
        fs::write(
            &path,
            format!("{LEGACY_HEADER}\n# replaces them ...\nreport.md\ncharts/a.svg\n"),
        )
        .expect("write");
        assert_eq!(
            read(&path, any_name).expect("legacy"),
            Previous::Legacy(vec!["report.md".to_owned(), "charts/a.svg".to_owned()])
        );
    }

    #[test]
    fn file_digests_are_sha256_and_never_follow_links() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("a.txt");
        fs::write(&path, "abc").expect("write");
        let d = digest_of_file(&path).expect("read").expect("a file");
        assert_eq!(
            hex(&d),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(digest_of_file(&tmp.path().join("none")).expect("ok"), None);
        assert_eq!(digest_of_file(tmp.path()).expect("ok"), None);
        #[cfg(unix)]
        {
            let link = tmp.path().join("link");
            std::os::unix::fs::symlink(&path, &link).expect("link");
            assert_eq!(digest_of_file(&link).expect("ok"), None);
        }
    }
}
