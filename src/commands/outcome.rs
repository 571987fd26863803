//! How a command ends, for the exit code.

/// How the program should exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything went fine.
    Ok,
    /// A `--fail-on` rule was breached (exit status 3).
    BudgetBreached,
}
