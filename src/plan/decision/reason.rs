//! The reasons of a decision: a stable code and the values its words need. The words are the
//! report's (`report::text`).

use chrono::NaiveDate;

use super::TermLifecycle;
use crate::catalog::DeploymentTypeId;
use crate::plan::cost::Billing;
use crate::plan::remark::OptionReason;
use crate::usage::Granularity;

/// Why the decision is what it is: a code and its values. The words are the report's.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The flexible option is decided: what it is.
    Flexible {
        /// Its id.
        option_id: String,
        /// What sets it apart.
        kind: FlexibleKind,
    },
    /// A reservation holds across the band.
    CommitmentHolds {
        /// Its billing.
        billing: Billing,
        /// Its PTUs.
        ptus: u32,
        /// The smallest saving over the band, as a share.
        worst_saving_share: f64,
        /// The window where it is smallest, seconds.
        worst_window_s: f64,
        /// `--min-saving`, as a share.
        min_saving: f64,
        /// The band, seconds.
        band_s: (f64, f64),
    },
    /// No reservation holds against every option, but this one holds against the confirmed
    /// ones and still saves, though less than the minimum, against an option held back only
    /// because its availability is unconfirmed: the flexible option would cost more whether or
    /// not that option is offered, so the reservation is decided, to be signed once the
    /// unconfirmed option is ruled out.
    HoldsUnlessUnconfirmed {
        /// Its billing.
        billing: Billing,
        /// Its PTUs.
        ptus: u32,
        /// Its smallest saving over the band against the comparator, as a share.
        worst_saving_share: f64,
        /// The window where it is smallest, seconds.
        worst_window_s: f64,
        /// Its smallest saving over the band against the cheapest confirmed option.
        confirmed_saving_share: f64,
        /// The unconfirmed option.
        unconfirmed: String,
        /// The workload's region.
        region: String,
        /// `--min-saving`, as a share.
        min_saving: f64,
        /// The band, seconds.
        band_s: (f64, f64),
    },
    /// How the reserved count was chosen.
    CountAcrossBand {
        /// PTUs.
        ptus: u32,
        /// The band, seconds.
        band_s: (f64, f64),
    },
    /// A reservation was weighed and not recommended.
    CommitmentRejected {
        /// Its id.
        option_id: String,
        /// Its billing.
        billing: Billing,
        /// Its PTUs.
        ptus: u32,
        /// Its saving at the window in use, USD per month.
        saving_usd: f64,
        /// The same as a share of the flexible option's cost.
        saving_share: f64,
        /// Windows where it saves less than the minimum: `(window_s, share)`.
        short_windows: Vec<(f64, f64)>,
        /// Windows where it misses the throttle or spill target.
        failing_windows: Vec<f64>,
        /// `--min-saving`, as a share.
        min_saving: f64,
        /// Whether the model retires inside the term (the shares are then over the term).
        over_term: bool,
    },
    /// The reservation weighed was measured against an option without a commitment that is
    /// held back only because its availability is unconfirmed: if that option is offered, the
    /// reservation must still pay against it.
    AgainstUnconfirmed {
        /// That option (at `window_s`).
        option_id: String,
        /// The workload's region.
        region: String,
        /// The window it is the comparator at (the worst window when it is there), seconds.
        window_s: f64,
        /// The cheapest confirmed option without a commitment at the window in use, and the
        /// reservation's saving against it there in the log's own month, as a share.
        confirmed: Option<(String, f64)>,
        /// The window in use, seconds.
        run_window_s: f64,
    },
    /// No commitment is decided, and an option without one that is held back only because
    /// its availability is unconfirmed would cost less than the decided one.
    CheaperIfConfirmed {
        /// That option.
        option_id: String,
        /// The workload's region.
        region: String,
        /// Its monthly cost at the window in use, USD.
        monthly_cost_usd: f64,
    },
    /// The log is too short for a commitment.
    ShortLog {
        /// The log's span, hours.
        span_hours: f64,
        /// `--min-span-days`.
        min_span_days: f64,
    },
    /// The log's inputs are totals per hour or per day: the arrivals inside a bucket, which a
    /// reservation's size depends on, are unknown, so nothing is committed on it.
    CoarseLog {
        /// The coarsest bucket of the inputs.
        bucket: Granularity,
    },
    /// What a reservation would save if the log is typical (provisional decisions).
    WhatIf {
        /// Its billing.
        billing: Billing,
        /// Its PTUs.
        ptus: u32,
        /// Its saving at the window in use, USD per month: over its term when the model
        /// retires inside it.
        saving_usd: f64,
        /// The same as a share.
        saving_share: f64,
        /// Its saving in the log's own month at the window in use (before any retirement), USD
        /// per month.
        month_saving_usd: f64,
        /// Whether the model retires inside the term (`saving_usd` is then the term's).
        over_term: bool,
        /// Whether it would hold across the band.
        holds: bool,
    },
    /// Fitting the window to a real deployment's log would settle the answer.
    Calibrate {
        /// The workload's deployment.
        deployment: String,
        /// The provisioned type.
        deployment_type: DeploymentTypeId,
        /// A count to calibrate at.
        ptus: u32,
    },
    /// A provisioned option's break-even against per-token pricing and its utilization.
    BreakEven {
        /// The type.
        deployment_type: DeploymentTypeId,
        /// The billing.
        billing: Billing,
        /// Break-even mean utilization (1.0 = 100%).
        break_even: f64,
        /// Mean utilization at `ptus` (demand over capacity; above 1.0 the demand exceeds it).
        utilization: f64,
        /// PTUs.
        ptus: u32,
        /// The share that would spill (or fail without spillover) at `ptus`.
        not_served_share: f64,
        /// Whether the unserved share spills (else it fails).
        spills: bool,
        /// Whether this option is the decided one and no per-token option meets the targets
        /// (`--min-tokens-per-s`, latency, throttle): PTU is then needed whatever the
        /// break-even says.
        ptu_needed: bool,
    },
    /// The decided PTU option spills part of its requests to Standard.
    Spills {
        /// Spilled share.
        share: f64,
        /// Spillover cost, USD per month.
        monthly_usd: f64,
    },
    /// A decided reservation spills into a target whose availability in the region is
    /// unconfirmed, planned only because `--on-throttle spillover` states it is offered: without
    /// it those requests fail.
    SpillsIntoUnconfirmed {
        /// The spillover target.
        target: DeploymentTypeId,
        /// The workload's region.
        region: String,
        /// The reservation's largest spilled share over the band's windows.
        worst_spilled_share: f64,
        /// The window of that share, seconds.
        window_s: f64,
    },
    /// What a decided reservation commits to.
    Commitment {
        /// Billing.
        billing: Billing,
        /// PTUs.
        ptus: u32,
        /// Price per PTU for the term, USD.
        usd_per_ptu: f64,
        /// PTUs x price, USD.
        total_usd: f64,
    },
    /// The model retires inside a reservation's term.
    RetiresInTerm(TermLifecycle),
    /// The model retires soon (information for a flexible decision).
    Retires {
        /// Model.
        model: String,
        /// Date.
        date: NaiveDate,
        /// Named replacement.
        replacement: Option<String>,
    },
    /// The model is retired on the as-of date.
    Retired {
        /// Model.
        model: String,
        /// Its retirement date.
        date: Option<NaiveDate>,
        /// Named replacement.
        replacement: Option<String>,
    },
    /// The model has no PTU offer.
    NoPtuOffer {
        /// Model.
        model: String,
    },
    /// No provisioned type is offered for the model in the region.
    NoPtuInRegion {
        /// Model.
        model: String,
        /// Region.
        region: String,
        /// `--residency`, if given.
        residency: Option<String>,
    },
    /// No provisioned option is eligible.
    NoPtuEligible {
        /// The cheapest one.
        option_id: String,
        /// Why not (the option's reasons).
        why: Vec<OptionReason>,
    },
    /// The cheapest provisioned option is only inferred available (no verified region table,
    /// sales fact or log evidence), so it is never decided; its break-even follows.
    PtuUnverified {
        /// The option.
        option_id: String,
        /// Its region.
        region: String,
    },
    /// No option without a commitment meets the targets.
    NoFlexibleOption {
        /// Whether the cheapest eligible option is decided (else the log is too short for the
        /// commitment it would be, and nothing is decided).
        decided: bool,
    },
    /// No option is eligible: the options' reasons.
    NoEligibleOption {
        /// Each option's reasons, distinct, in option order (the words count the distinct
        /// sentences).
        why: Vec<Vec<OptionReason>>,
        /// Whether anything is available at all.
        any_available: bool,
    },
}

impl Reason {
    /// The stable code (JSON `reasons[].code`).
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Flexible { .. } => "flexible",
            Reason::CommitmentHolds { .. } => "commitment-holds",
            Reason::HoldsUnlessUnconfirmed { .. } => "holds-unless-unconfirmed",
            Reason::CountAcrossBand { .. } => "count-across-band",
            Reason::CommitmentRejected { .. } => "commitment-rejected",
            Reason::AgainstUnconfirmed { .. } => "against-unconfirmed",
            Reason::CheaperIfConfirmed { .. } => "cheaper-if-confirmed",
            Reason::ShortLog { .. } => "short-log",
            Reason::CoarseLog { .. } => "coarse-log",
            Reason::WhatIf { .. } => "what-if",
            Reason::Calibrate { .. } => "calibrate",
            Reason::BreakEven { .. } => "break-even",
            Reason::Spills { .. } => "spills",
            Reason::SpillsIntoUnconfirmed { .. } => "spills-into-unconfirmed",
            Reason::Commitment { .. } => "commitment",
            Reason::RetiresInTerm(_) => "retires-in-term",
            Reason::Retires { .. } => "retires",
            Reason::Retired { .. } => "retired",
            Reason::NoPtuOffer { .. } => "no-ptu-offer",
            Reason::NoPtuInRegion { .. } => "no-ptu-in-region",
            Reason::NoPtuEligible { .. } => "no-ptu-eligible",
            Reason::PtuUnverified { .. } => "ptu-unverified",
            Reason::NoFlexibleOption { .. } => "no-flexible-option",
            Reason::NoEligibleOption { .. } => "no-eligible-option",
        }
    }
}

/// What sets a flexible option apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlexibleKind {
    /// The cheapest per-token Standard option.
    CheapestStandard,
    /// Another per-token option that is cheapest (Global vs Data Zone, say).
    PerToken,
    /// Batch (allowed by `--batch-eligible`).
    Batch,
    /// Flex (allowed by `--flex-eligible`).
    Flex,
    /// Priority (a latency target at a premium).
    Priority,
    /// PTU billed hourly.
    Hourly,
}
