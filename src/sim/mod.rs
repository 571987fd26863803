//! The simulation: pass 1 folds the log into per-workload totals, minute series and a
//! time-ordered event spool ([`replay`], [`spool`]); pass 2 replays the events through
//! simulated PTU deployments ([`admission`]). Nothing here prints, reads files by name, or
//! knows about the command line.

pub mod admission;
pub mod estimate;
pub mod minutes;
pub mod prune;
pub mod queue;
pub mod replay;
pub mod span;
pub mod spool;
pub mod standard;

pub use admission::{simulate, SimOutcome, SimParams, SimTarget, ThrottleMode};
pub use estimate::MissingMaxTokens;
pub use minutes::{MinuteDemand, MinuteSeries};
pub use replay::{
    CatalogAccounting, Finished, Replay, ReplaySummary, SpanSkips, WorkloadAccounting,
    WorkloadTotals,
};
pub use spool::{EventSpool, SortedEvents};
pub use standard::{StandardLimiter, StandardLimits, StandardOutcome, StandardQuota};
