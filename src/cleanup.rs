//! Temporary files never outlive a run. Every temporary file of a run (the event spool, a
//! report being written) lives in a directory registered here ([`TempArea`]); the directory is
//! removed when its guard is dropped (normal end, an error, or a panic that unwinds), by the
//! panic hook (even when a panic aborts), and on SIGINT, SIGTERM and SIGHUP, after which the
//! process ends as the signal's default action would (exit status 128 + N, so a shell sees an
//! interrupted command).
//!
//! Signals use `signal-hook`: its iterator runs the cleanup on an ordinary thread, so removing
//! directories is safe (nothing runs inside the signal handler), and it can re-raise the
//! signal's default action afterwards, which a plain Ctrl-C callback cannot. SIGKILL cannot be
//! caught by any process; a killed run leaves its directory, named `ptuplan-*`, in the temp
//! directory. On Windows only the guards and the panic hook apply.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

/// Directories to remove if the process is interrupted.
static REGISTERED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn lock() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    REGISTERED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Remove every registered directory (best effort; errors are ignored because the process is
/// going away).
pub fn remove_registered() {
    for dir in lock().drain(..) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A temporary directory that is removed when the guard drops, when the process panics, or
/// when it is interrupted by a signal.
#[derive(Debug)]
pub struct TempArea {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl TempArea {
    /// A new directory `ptuplan-XXXXXX` in the system temp directory (`TMPDIR`).
    pub fn new() -> io::Result<TempArea> {
        Self::register(tempfile::Builder::new().prefix("ptuplan-").tempdir()?)
    }

    /// A new directory `.NAME.ptuplan-tmp-XXXXXX` next to `sibling` (on the same file system,
    /// so its files can be renamed into `sibling`'s directory).
    pub fn next_to(sibling: &Path) -> io::Result<TempArea> {
        let parent = match sibling.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let name = sibling
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.ptuplan-tmp-"))
            .tempdir_in(parent)?;
        Self::register(dir)
    }

    fn register(dir: tempfile::TempDir) -> io::Result<TempArea> {
        let path = dir.path().to_owned();
        lock().push(path.clone());
        Ok(TempArea {
            dir: Some(dir),
            path,
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempArea {
    fn drop(&mut self) {
        lock().retain(|p| p != &self.path);
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
    }
}

/// Install the panic hook and (on Unix) the signal handlers, once per process.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            remove_registered();
            previous(info);
        }));
        install_signal_handlers();
    });
}

#[cfg(unix)]
fn install_signal_handlers() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    let spawned = std::thread::Builder::new()
        .name("ptuplan-signals".to_owned())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                remove_registered();
                // Unregister our handler and end the process as the signal would have.
                signals.handle().close();
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        });
    drop(spawned);
}

#[cfg(not(unix))]
fn install_signal_handlers() {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::spool::{EventSpool, ReplayEvent, NONE_U32};

    fn spool_into(area: &TempArea) {
        let mut spool = EventSpool::in_dir(area.path(), 1);
        for t in 0..4 {
            spool
                .push(ReplayEvent {
                    t_ms: t,
                    workload: 0,
                    input_tokens: 1,
                    cached_tokens: 0,
                    cache_write_tokens: 0,
                    long_context: false,
                    weighted_input_millitokens: 1_000,
                    output_weight_milli: 1_000,
                    completion_tokens: 1,
                    max_completion_tokens: NONE_U32,
                    latency_ms: NONE_U32,
                    flags: 0,
                })
                .expect("push");
        }
        // The spilled runs (all in the spool's one temp file) are in the area until the spool
        // goes.
        std::mem::forget(spool);
        assert_eq!(std::fs::read_dir(area.path()).expect("dir").count(), 1);
    }

    #[test]
    fn issue_12_spool_files_are_removed_when_a_run_panics() {
        install();
        // A panic while the guard is alive (the hook runs first, then unwinding drops it).
        let seen = std::thread::spawn(|| {
            let area = TempArea::new().expect("temp");
            spool_into(&area);
            let path = area.path().to_owned();
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _moved = area;
                panic!("boom (expected by this test)");
            }))
            .expect_err("panicked");
            path
        })
        .join()
        .expect("thread");
        assert!(!seen.exists(), "{} left behind", seen.display());
        // Without unwinding (a guard that never drops, as under panic = "abort"), the panic
        // hook removes the directory.
        let area = TempArea::new().expect("temp");
        spool_into(&area);
        let path = area.path().to_owned();
        std::mem::forget(area);
        let _ = std::thread::spawn(|| panic!("boom (expected by this test)")).join();
        assert!(!path.exists(), "{} left behind", path.display());
    }
}
