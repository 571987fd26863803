//! Reading the small files a run is configured with (overrides, scenarios, quotas, prices,
//! catalog YAML, report JSON for `--baseline` and `diff`) whole, but never without a bound: a
//! path such as `/dev/zero` or a multi-gigabyte file is refused at a size no such file reaches,
//! before memory runs out.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The largest settings or catalog file read: 64 MiB (the bundled catalog is under 1 MiB, a
/// Retail Prices export for Azure OpenAI a few MiB).
pub const MAX_SETTINGS_FILE_BYTES: u64 = 64 << 20;
/// The largest report JSON read back (`--baseline`, `diff`): 256 MiB, about 4,000 workloads
/// with every option and scenario.
pub const MAX_REPORT_FILE_BYTES: u64 = 256 << 20;

/// The UTF-8 text of `path`, or an error when it is longer than `max_bytes` (kind
/// `InvalidData`, saying the limit), when it cannot be read, or when it is not UTF-8. A
/// leading byte-order mark (Windows editors write one) is dropped: serde_yaml counted it as
/// three columns, so a scenarios list saved with one lost its first item's `transforms`, and
/// serde_json refuses it.
pub fn read_text_limited(path: &Path, max_bytes: u64) -> io::Result<String> {
    let mut text = String::new();
    File::open(path)?
        .take(max_bytes.saturating_add(1))
        .read_to_string(&mut text)?;
    if text.len() as u64 > max_bytes {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the file is longer than {} MiB, more than any such file holds (is it the right path?)",
                max_bytes >> 20
            ),
        ));
    }
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        text = rest.to_owned();
    }
    Ok(text)
}

/// A settings or catalog file, within [`MAX_SETTINGS_FILE_BYTES`].
pub fn read_settings_text(path: &Path) -> io::Result<String> {
    read_text_limited(path, MAX_SETTINGS_FILE_BYTES)
}

/// A report JSON read back, within [`MAX_REPORT_FILE_BYTES`].
pub fn read_report_text(path: &Path) -> io::Result<String> {
    read_text_limited(path, MAX_REPORT_FILE_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_limit_is_refused_and_one_at_it_is_read() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("f.yaml");
        std::fs::write(&path, "x".repeat(2048)).expect("write");
        assert_eq!(
            read_text_limited(&path, 2048).expect("at the limit").len(),
            2048
        );
        let err = read_text_limited(&path, 2047).expect_err("over the limit");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("longer than 0 MiB"), "{err}");
        std::fs::write(&path, "\u{feff}- name: x\n").expect("write");
        assert_eq!(read_text_limited(&path, 2048).expect("read"), "- name: x\n");
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_is_refused_within_the_limit() {
        let err = read_text_limited(Path::new("/dev/zero"), 1 << 20).expect_err("endless");
        assert!(err.to_string().contains("longer than 1 MiB"), "{err}");
    }
}
