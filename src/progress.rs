//! Progress on stderr for long runs: an indicatif spinner with the record count and rate. It
//! appears only when the run has lasted about a second, never with `--quiet`, and never when
//! stderr is not a terminal (indicatif's stderr target hides itself then), so stdout and logs
//! stay clean. The engine knows nothing of it: the pipeline sends it [`Progress`] events, which this module defines.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use std::fmt;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// A stderr line labelled `note` or `warning`: the label bold yellow when stderr is a colour
/// terminal, the text escaped for the terminal. Every note and warning is written by it.
pub fn labelled(word: &str, text: &str) -> String {
    let label = if crate::render::layout::Terminal::stderr_colour() {
        format!("\u{1b}[1;33m{word}\u{1b}[0m")
    } else {
        word.to_owned()
    };
    format!("{label}: {}", crate::render::escape::terminal(text))
}

/// What a long run reports to its caller as it goes: records read so far, the stage it is
/// in, and the lines the caller prints on stderr (the pipeline itself prints nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Records read so far (sent every [`PROGRESS_EVERY`] records).
    Records(u64),
    /// Reading is done; the PTU sweep is being simulated.
    Simulating,
    /// Turning outcomes into plans.
    Planning,
    /// A `--timings` line (`timings: ...`), sent only when timings were asked for.
    Timing(String),
    /// A note for the user (`note: ...`; silenced by `--quiet`), e.g. a scenario file's
    /// deprecated key.
    Note(String),
}

/// How many records pass between two [`Progress::Records`] calls.
pub const PROGRESS_EVERY: u64 = 1 << 16;

/// How long a run goes before the spinner appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// "reading 1,234,567 records (650,123/s)".
fn reading_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} {human_pos} records ({rate})")
        .map(|s| {
            s.with_key("rate", |state: &ProgressState, w: &mut dyn fmt::Write| {
                let _ = write!(w, "{}/s", crate::report::fmt_int(state.per_sec() as u64));
            })
        })
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// "simulating PTU admission (N records read) 4s".
fn stage_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// A spinner that shows itself after [`SHOW_AFTER`].
pub struct Spinner {
    bar: ProgressBar,
    quiet: bool,
    stop: Option<(Sender<()>, JoinHandle<()>)>,
}

impl Spinner {
    /// Start a hidden spinner; it shows after a second unless `quiet`.
    pub fn start(quiet: bool) -> Spinner {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(reading_style());
        bar.set_message("reading");
        if quiet {
            return Spinner {
                bar,
                quiet,
                stop: None,
            };
        }
        let (tx, rx) = mpsc::channel::<()>();
        let shown = bar.clone();
        let handle = thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(SHOW_AFTER) {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(120));
            }
        });
        Spinner {
            bar,
            quiet,
            stop: Some((tx, handle)),
        }
    }

    /// Record progress.
    pub fn update(&self, p: Progress) {
        match p {
            Progress::Records(n) => self.bar.set_position(n),
            Progress::Simulating => {
                self.bar.set_style(stage_style());
                self.bar.set_message(format!(
                    "simulating PTU admission ({} records read)",
                    crate::report::fmt_int(self.bar.position())
                ));
            }
            Progress::Planning => self.bar.set_message("planning"),
            // Printed above the spinner, which draws itself again below.
            Progress::Timing(line) => self.bar.suspend(|| eprintln!("{line}")),
            Progress::Note(text) => {
                if !self.quiet {
                    self.bar
                        .suspend(|| eprintln!("{}", labelled("note", &text)));
                }
            }
        }
    }

    /// Stop and erase the spinner.
    pub fn finish(mut self) {
        if let Some((tx, handle)) = self.stop.take() {
            // The thread may already have shown the bar and ended; either way it is done after
            // the join.
            let _ = tx.send(());
            let _ = handle.join();
        }
        self.bar.finish_and_clear();
    }
}
