//! The one decision per workload, computed once, that every output renders: what to buy
//! (option, PTUs, region, billing), what it costs and commits, the cheapest option without a
//! commitment it is compared with, its figures at every window of the band, and why, as typed
//! reasons (a code and values; their words are written by the report, `report::text`).
//!
//! The rule (README, "How the simulation works", the decision):
//! - The **flexible** option at a window is the cheapest eligible option with no commitment
//!   (per-token, or PTU billed hourly) at that window: it can be changed at any time.
//! - A reservation is weighed against the **comparator**: the cheapest option with no
//!   commitment that meets the targets and is eligible, or held back only because its
//!   availability is unconfirmed. Whether that option is offered is something the log cannot
//!   tell, so a reservation must pay against it too.
//! - A **reservation** (1-month, or 1-year unless `--reserve-term 1-month`) is recommended only
//!   if, at every window of the band, it meets the targets and costs at least `--min-saving`
//!   less than that window's comparator. Its count is one count across the band (the
//!   least worst-case cost, [`super::band`]). Of the reservations that hold, the one whose
//!   smallest saving over the band is largest wins.
//! - When the model retires before a reservation's term ends, the months after the retirement
//!   are priced with the replacement the retirement schedule names (the retirement scenario's
//!   plan of it): the reservation, bought per deployment type and region, keeps serving it.
//!   Without a replacement's plan the reserved PTUs serve nothing after the retirement: the
//!   saving counts only up to it, and the reservation is still owed.
//! - A log shorter than `--min-span-days` gives a **provisional** decision: the flexible option,
//!   with the commitment only as a what-if. No eligible option gives status **none**.
//!
//! Nothing here prints or reads files.

mod context;
mod reason;
mod rule;
mod term;

pub use reason::{FlexibleKind, Reason};
pub use rule::{band_case, comparator_of, decide, flexible_of};
pub use term::retirement_in_term;

use chrono::NaiveDate;
use serde::Serialize;

use super::cost::Billing;
use super::{OptionPlan, WorkloadPlan};
use crate::catalog::DeploymentTypeId;
use crate::usage::Granularity;

/// When a commitment is recommended.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRules {
    /// Smallest saving a reservation must keep against the flexible option at every window of
    /// the band, as a share (`--min-saving`, default 0.10).
    pub min_saving: f64,
    /// Shortest log on which a decision is firm, days (`--min-span-days`, default 7: a weekly
    /// cycle).
    pub min_span_days: f64,
}

impl Default for DecisionRules {
    fn default() -> Self {
        DecisionRules {
            min_saving: 0.10,
            min_span_days: 7.0,
        }
    }
}

/// Whether inputs of this resolution are too coarse to commit on: totals per hour or per day
/// hide the arrivals inside a bucket, and a reservation's size depends on them (a bucket's
/// requests may all come in one minute). Per-minute buckets and finer can decide one.
pub fn log_too_coarse(g: Granularity) -> bool {
    matches!(g, Granularity::Hour | Granularity::Day)
}

/// How sure the decision is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DecisionStatus {
    /// Enough evidence: the decision stands.
    Firm,
    /// The log is too short (or its inputs too coarse) for a commitment: the flexible option,
    /// commitments as a what-if.
    Provisional,
    /// No eligible option.
    #[default]
    None,
}

impl DecisionStatus {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionStatus::Firm => "firm",
            DecisionStatus::Provisional => "provisional",
            DecisionStatus::None => "none",
        }
    }
}

/// An option as the decision names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The option's id (`global-standard`, `global-provisioned/reserved-1-year`).
    pub option_id: String,
    /// Deployment type.
    pub deployment_type: DeploymentTypeId,
    /// Billing.
    pub billing: Billing,
    /// PTUs (provisioned options).
    pub ptus: Option<u32>,
    /// Monthly cost, USD.
    pub monthly_cost_usd: f64,
    /// What a reservation commits to for its whole term, USD (0 without one).
    pub commitment_usd: f64,
    /// Failed share of requests.
    pub failed_share: f64,
    /// Spilled share of requests.
    pub spilled_share: f64,
    /// Whether its availability is only inferred ([U]: an unverified list, or no verified
    /// table): never decided, but a reservation is weighed against it (the comparator).
    pub availability_unconfirmed: bool,
}

impl Choice {
    /// The choice of an option with a finite monthly cost.
    pub fn of(o: &OptionPlan) -> Option<Choice> {
        Some(Choice {
            option_id: o.id.clone(),
            deployment_type: o.deployment_type,
            billing: o.billing,
            ptus: o.ptus,
            monthly_cost_usd: o.monthly_cost_usd.filter(|c| c.is_finite())?,
            commitment_usd: o.commitment_usd.unwrap_or(0.0),
            failed_share: o.throttled_share.unwrap_or(0.0),
            spilled_share: o.spilled_share.unwrap_or(0.0),
            availability_unconfirmed: o.availability_basis.is_some_and(|b| !b.is_confirmed()),
        })
    }

    /// Whether it commits money (a reservation).
    pub fn is_commitment(&self) -> bool {
        matches!(
            self.billing,
            Billing::Reserved1Month | Billing::Reserved1Year
        )
    }
}

/// The decided and the flexible option at one window of the band.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowFigures {
    /// Bucket window, seconds.
    pub window_s: f64,
    /// The decided option at this window (a reservation at its one count; a flexible option
    /// as a run at this window sizes it).
    pub decided: Option<Choice>,
    /// The flexible option at this window (for a decided reservation, its comparator).
    pub flexible: Option<Choice>,
}

/// The decision across the band: what a buyer must plan for, since the log cannot tell which
/// window the service uses. The headline states the saving's range and the gates judge these
/// worst cases (README, the decision).
#[derive(Debug, Clone, PartialEq)]
pub struct BandCase {
    /// The decided option's highest monthly cost over the band's windows, USD.
    pub worst_monthly_cost_usd: f64,
    /// The window it is at, seconds.
    pub worst_cost_window_s: f64,
    /// The smallest saving against the flexible option over the band, USD per month (for a
    /// reservation over its term when the model retires inside it; 0 for a flexible option).
    pub least_saving_usd: f64,
    /// The same as a share of that window's flexible option's cost.
    pub least_saving_share: Option<f64>,
    /// The window of the smallest saving, seconds.
    pub least_saving_window_s: f64,
    /// The largest saving share over the band.
    pub most_saving_share: Option<f64>,
    /// The window of the largest saving, seconds.
    pub most_saving_window_s: f64,
    /// The decided option's largest failed share over the band.
    pub worst_failed_share: f64,
    /// Its largest spilled share over the band.
    pub worst_spilled_share: f64,
}

/// A reservation's months inside its term once the model retires.
#[derive(Debug, Clone, PartialEq)]
pub struct TermLifecycle {
    /// The model.
    pub model: String,
    /// Its retirement date.
    pub retirement: NaiveDate,
    /// Months of the term before it (the rest follow it).
    pub months_before: f64,
    /// The term, months.
    pub term_months: f64,
    /// How the months after it are priced.
    pub after: AfterRetirement,
}

/// How a reservation's months after the retirement are priced.
#[derive(Debug, Clone, PartialEq)]
pub enum AfterRetirement {
    /// With the named replacement's plan (the retirement scenario): the reserved PTUs serve it.
    Replacement {
        /// The replacement model.
        model: String,
        /// Whether the retirement scenario runs the replacement on the reserved type in the
        /// region (the reserved PTUs then carry it).
        uses_reservation: bool,
        /// The option the retirement scenario decided for the replacement (None: nothing is
        /// eligible, so nothing runs).
        runs_on: Option<String>,
        /// The replacement's own retirement when it falls inside the term: from then on the
        /// reserved PTUs serve nothing (no further replacement is planned).
        retires: Option<NaiveDate>,
    },
    /// No plan of a replacement: the reserved PTUs serve nothing; the saving counts only up to
    /// the retirement.
    UpToRetirement(NoReplacement),
}

/// Why no replacement's plan prices the months after a retirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoReplacement {
    /// The retirement schedule names none.
    NotNamed,
    /// It names one the catalog does not have.
    NotInCatalog(String),
    /// It names one, but no retirement scenario planned it (`--no-auto-scenarios`, a horizon
    /// ending before the retirement, or a what-if scenario's own plan).
    NotPlanned(String),
}

/// A reservation the decision weighed, with its figures at every window.
#[derive(Debug, Clone, PartialEq)]
pub struct ReservationCase {
    /// The reservation at the window in use.
    pub choice: Choice,
    /// Per window: its monthly cost, the flexible option's, and whether it meets the targets
    /// (costs over the term when the model retires inside it).
    pub windows: Vec<CaseWindow>,
    /// The model's retirement inside the term, if any.
    pub lifecycle: Option<TermLifecycle>,
    /// Whether it holds: meets the targets and saves at least the minimum at every window.
    pub holds: bool,
    /// Whether it holds against the confirmed options only: where its comparator is an option
    /// held back as unconfirmed it saves less than the minimum against it, but still saves,
    /// and at least the minimum against the cheapest confirmed option (no retirement inside
    /// the term). Deciding the flexible option instead would cost more whether or not that
    /// option is offered.
    pub holds_unless_unconfirmed: bool,
}

impl ReservationCase {
    /// The window with the smallest saving share (the worst case).
    pub fn worst(&self) -> Option<&CaseWindow> {
        self.windows.iter().min_by(|a, b| {
            a.saving_share()
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&b.saving_share().unwrap_or(f64::NEG_INFINITY))
        })
    }

    /// The window in use's figures.
    pub fn at(&self, window_s: f64) -> Option<&CaseWindow> {
        self.windows.iter().find(|w| w.window_s == window_s)
    }

    /// Whether it saves money at some window in the log's own month (before any retirement).
    pub fn saves_somewhere(&self) -> bool {
        self.windows
            .iter()
            .any(|w| w.meets_targets && w.monthly_saving_usd.is_some_and(|s| s > 0.0))
    }

    fn smallest_saving_usd(&self) -> f64 {
        self.windows
            .iter()
            .map(|w| w.saving_usd().unwrap_or(f64::NEG_INFINITY))
            .fold(f64::INFINITY, f64::min)
    }
}

/// One window of a [`ReservationCase`].
#[derive(Debug, Clone, PartialEq)]
pub struct CaseWindow {
    /// Bucket window, seconds.
    pub window_s: f64,
    /// The reservation's monthly cost at this window (averaged over the term when the model
    /// retires inside it), USD.
    pub monthly_cost_usd: Option<f64>,
    /// The comparator's ([`comparator_of`]), the same way, USD.
    pub flexible_monthly_cost_usd: Option<f64>,
    /// The comparator at this window, when its availability is unconfirmed: its id.
    pub unconfirmed_comparator: Option<String>,
    /// Whether the reservation meets the throttle and spill targets at this window.
    pub meets_targets: bool,
    /// The flexible option's monthly cost minus the reservation's at this window, before
    /// any retirement, USD (the log's own month).
    pub monthly_saving_usd: Option<f64>,
    /// The reservation's monthly cost at this window before any retirement, USD (the log's own
    /// month; the option's cost at this window).
    pub own_monthly_cost_usd: Option<f64>,
    /// The cheapest confirmed option without a commitment at this window (the flexible
    /// option), USD per month, the log's own month.
    pub confirmed_flexible_monthly_cost_usd: Option<f64>,
}

impl CaseWindow {
    /// Flexible minus reservation, USD per month.
    pub fn saving_usd(&self) -> Option<f64> {
        Some(self.flexible_monthly_cost_usd? - self.monthly_cost_usd?)
    }

    /// The reservation's cost in the log's own month that would save what it saves over its
    /// term: the flexible option's own monthly cost less the term's saving share, USD. Without
    /// a retirement inside the term, its own monthly cost. Charts and the by-window line plot
    /// this, so a reservation rejected over its term never shows below the threshold.
    pub fn month_equivalent_usd(&self) -> Option<f64> {
        let own = self.own_monthly_cost_usd?;
        let flex_month = own + self.monthly_saving_usd?;
        Some(
            self.saving_share()
                .map_or(own, |share| flex_month * (1.0 - share)),
        )
    }

    /// The saving as a share of the flexible option's cost.
    pub fn saving_share(&self) -> Option<f64> {
        let f = self.flexible_monthly_cost_usd?;
        (f > 0.0).then(|| self.saving_usd().unwrap_or(0.0) / f)
    }
}

/// The one decision of a workload.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    /// How sure it is.
    pub status: DecisionStatus,
    /// What to buy, at the window in use (None: status none).
    pub option: Option<Choice>,
    /// The cheapest option without a commitment meeting the same targets, at the window in use.
    /// For a decided reservation, what it was weighed against ([`comparator_of`]): it may be
    /// an option held back only because its availability is unconfirmed.
    pub flexible: Option<Choice>,
    /// The flexible option's monthly cost minus the decided one's, USD (0 when the flexible
    /// option is decided). For a decided reservation whose model retires inside its term, the
    /// term's average at the window in use, as its band figures are ([`Self::saving_over_term`]).
    pub saving_vs_flexible_usd: f64,
    /// The same as a share of the flexible option's cost (over the term, the term's average
    /// flexible cost).
    pub saving_vs_flexible_share: Option<f64>,
    /// Whether the saving is the term's average because the model retires inside the decided
    /// reservation's term (the log's own month would overstate what is signed for).
    pub saving_over_term: bool,
    /// With [`Self::saving_over_term`]: the decided reservation's and the flexible option's
    /// monthly costs averaged over the term at the window in use (the months after the
    /// retirement priced with the replacement's plan), USD; the saving is their difference.
    pub term_monthly_costs_usd: Option<(f64, f64)>,
    /// The window in use, seconds.
    pub run_window_s: f64,
    /// The band's smallest and largest window, seconds.
    pub window_band_s: (f64, f64),
    /// The decided and the flexible option at every window, ascending.
    pub by_window: Vec<WindowFigures>,
    /// The reservation weighed: the decided one, the best rejected one, or the what-if.
    pub reservation: Option<ReservationCase>,
    /// The decided option across the band (None: no decision).
    pub band: Option<BandCase>,
    /// Why, in order of importance.
    pub reasons: Vec<Reason>,
}

impl Decision {
    /// Status none only because the log is too short (or too coarse: hourly or daily totals)
    /// for the commitment that is all there is (no option without one is eligible, confirmed
    /// available).
    pub fn awaits_longer_log(&self) -> bool {
        self.status == DecisionStatus::None
            && self
                .reasons
                .contains(&Reason::NoFlexibleOption { decided: false })
    }

    /// What the decision commits to, USD (0 without a reservation).
    pub fn commitment_usd(&self) -> f64 {
        self.option.as_ref().map_or(0.0, |o| o.commitment_usd)
    }

    /// The decided option's monthly cost, USD (None: no decision).
    pub fn monthly_cost_usd(&self) -> Option<f64> {
        self.option.as_ref().map(|o| o.monthly_cost_usd)
    }

    /// The decided option's highest monthly cost over the band, USD (None: no decision).
    pub fn worst_monthly_cost_usd(&self) -> Option<f64> {
        match (&self.band, self.monthly_cost_usd()) {
            (Some(b), Some(c)) => Some(b.worst_monthly_cost_usd.max(c)),
            (_, c) => c,
        }
    }
}

/// The replacement whose plan prices a reservation's months after a retirement.
#[derive(Debug, Clone)]
pub enum Replacement<'a> {
    /// Not looked up (a scenario's or a ladder's plan; the baseline before the retirement
    /// scenario is planned): treated as [`NoReplacement::NotPlanned`].
    Unknown,
    /// The retirement scenario's plan of the workload on its replacement.
    Planned(&'a WorkloadPlan),
    /// Known to be missing, and why.
    Missing(NoReplacement),
}

/// What the decision needs besides the plan.
#[derive(Debug, Clone)]
pub struct DecisionContext<'a> {
    /// `--min-saving`, `--min-span-days`.
    pub rules: &'a DecisionRules,
    /// `--max-throttle-rate`, as a share.
    pub max_throttle_rate: f64,
    /// `--max-spill-rate`, as a share.
    pub max_spill_rate: Option<f64>,
    /// The longest reservation term allowed (`--reserve-term`).
    pub longest_term: Billing,
    /// The log's span, hours.
    pub span_hours: f64,
    /// The coarsest time resolution of the log's inputs: totals per hour or per day commit
    /// nothing ([`log_too_coarse`]).
    pub log_granularity: Granularity,
    /// The bucket window in use, seconds.
    pub run_window_s: f64,
    /// The run's as-of date (retirements are read on it).
    pub as_of: Option<NaiveDate>,
    /// The model's replacement, for retirements inside a term.
    pub replacement: Replacement<'a>,
    /// `--residency`, if given (named when no provisioned type is offered).
    pub residency: Option<&'a str>,
}

#[cfg(test)]
mod tests;
