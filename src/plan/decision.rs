//! The one decision per workload, computed once, that every output renders: what to buy
//! (option, PTUs, region, billing), what it costs and commits, the cheapest option without a
//! commitment it is compared with, its figures at every window of the band, and why, as typed
//! reasons (a code and values; their words are written by the report, `report::text`).
//!
//! The rule (README, "How the simulation works", the decision):
//! - The **flexible** option at a window is the cheapest eligible option with no commitment
//!   (per-token, or PTU billed hourly) at that window: it can be changed at any time.
//! - A **reservation** (1-month, or 1-year unless `--reserve-term 1-month`) is recommended only
//!   if, at every window of the band, it meets the targets and costs at least `--min-saving`
//!   less than that window's flexible option. Its count is one count across the band (the
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

use chrono::NaiveDate;
use serde::Serialize;

use super::cost::{self, Billing};
use super::{CurvePoint, OptionPlan, WorkloadPlan};
use crate::catalog::DeploymentTypeId;

/// When a commitment is recommended.
#[derive(Debug, Clone, Serialize, PartialEq)]
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

/// How sure the decision is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DecisionStatus {
    /// Enough evidence: the decision stands.
    Firm,
    /// The log is too short for a commitment: the flexible option, commitments as a what-if.
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
    /// The flexible option at this window.
    pub flexible: Option<Choice>,
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
        /// Whether the replacement can use the reserved type in the region.
        uses_reservation: bool,
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
    /// The flexible option's, the same way, USD.
    pub flexible_monthly_cost_usd: Option<f64>,
    /// Whether the reservation meets the throttle and spill targets at this window.
    pub meets_targets: bool,
    /// The flexible option's monthly cost minus the reservation's at this window, before
    /// any retirement, USD (the log's own month).
    pub monthly_saving_usd: Option<f64>,
}

impl CaseWindow {
    /// Flexible minus reservation, USD per month.
    pub fn saving_usd(&self) -> Option<f64> {
        Some(self.flexible_monthly_cost_usd? - self.monthly_cost_usd?)
    }

    /// The saving as a share of the flexible option's cost.
    pub fn saving_share(&self) -> Option<f64> {
        let f = self.flexible_monthly_cost_usd?;
        (f > 0.0).then(|| self.saving_usd().unwrap_or(0.0) / f)
    }
}

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
    /// The log is too short for a commitment.
    ShortLog {
        /// The log's span, hours.
        span_hours: f64,
        /// `--min-span-days`.
        min_span_days: f64,
    },
    /// What a reservation would save if the log is typical (provisional decisions).
    WhatIf {
        /// Its billing.
        billing: Billing,
        /// Its PTUs.
        ptus: u32,
        /// Its saving at the window in use, USD per month.
        saving_usd: f64,
        /// The same as a share.
        saving_share: f64,
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
    },
    /// The decided PTU option spills part of its requests to Standard.
    Spills {
        /// Spilled share.
        share: f64,
        /// Spillover cost, USD per month.
        monthly_usd: f64,
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
        /// Why not (the option's reason).
        why: String,
    },
    /// No option without a commitment meets the targets.
    NoFlexibleOption,
    /// No option is eligible: the options' reasons.
    NoEligibleOption {
        /// Distinct reasons, in option order.
        why: Vec<String>,
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
            Reason::CountAcrossBand { .. } => "count-across-band",
            Reason::CommitmentRejected { .. } => "commitment-rejected",
            Reason::ShortLog { .. } => "short-log",
            Reason::WhatIf { .. } => "what-if",
            Reason::Calibrate { .. } => "calibrate",
            Reason::BreakEven { .. } => "break-even",
            Reason::Spills { .. } => "spills",
            Reason::Commitment { .. } => "commitment",
            Reason::RetiresInTerm(_) => "retires-in-term",
            Reason::Retires { .. } => "retires",
            Reason::Retired { .. } => "retired",
            Reason::NoPtuOffer { .. } => "no-ptu-offer",
            Reason::NoPtuInRegion { .. } => "no-ptu-in-region",
            Reason::NoPtuEligible { .. } => "no-ptu-eligible",
            Reason::NoFlexibleOption => "no-flexible-option",
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

/// The one decision of a workload.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    /// How sure it is.
    pub status: DecisionStatus,
    /// What to buy, at the window in use (None: status none).
    pub option: Option<Choice>,
    /// The cheapest option without a commitment meeting the same targets, at the window in use.
    pub flexible: Option<Choice>,
    /// The flexible option's monthly cost minus the decided one's, USD (0 when the flexible
    /// option is decided).
    pub saving_vs_flexible_usd: f64,
    /// The same as a share of the flexible option's cost.
    pub saving_vs_flexible_share: Option<f64>,
    /// The window in use, seconds.
    pub run_window_s: f64,
    /// The band's smallest and largest window, seconds.
    pub window_band_s: (f64, f64),
    /// The decided and the flexible option at every window, ascending.
    pub by_window: Vec<WindowFigures>,
    /// The reservation weighed: the decided one, the best rejected one, or the what-if.
    pub reservation: Option<ReservationCase>,
    /// Why, in order of importance.
    pub reasons: Vec<Reason>,
}

impl Decision {
    /// What the decision commits to, USD (0 without a reservation).
    pub fn commitment_usd(&self) -> f64 {
        self.option.as_ref().map_or(0.0, |o| o.commitment_usd)
    }

    /// The decided option's monthly cost, USD (None: no decision).
    pub fn monthly_cost_usd(&self) -> Option<f64> {
        self.option.as_ref().map(|o| o.monthly_cost_usd)
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
    /// The bucket window in use, seconds.
    pub run_window_s: f64,
    /// The run's as-of date (retirements are read on it).
    pub as_of: Option<NaiveDate>,
    /// The model's replacement, for retirements inside a term.
    pub replacement: Replacement<'a>,
    /// `--residency`, if given (named when no provisioned type is offered).
    pub residency: Option<&'a str>,
}

/// One window's options, as the decision reads them.
struct View<'p> {
    window_s: f64,
    options: &'p [OptionPlan],
}

/// The options at every window; the window in use reads the plan's own options.
fn views(plan: &WorkloadPlan, run_window_s: f64) -> Vec<View<'_>> {
    if plan.by_window.is_empty() {
        return vec![View {
            window_s: run_window_s,
            options: &plan.options,
        }];
    }
    plan.by_window
        .iter()
        .map(|w| View {
            window_s: w.window_s,
            options: if w.window_s == run_window_s {
                &plan.options
            } else {
                &w.options
            },
        })
        .collect()
}

fn is_flexible_billing(b: Billing) -> bool {
    matches!(b, Billing::PerToken | Billing::Hourly)
}

/// The cheapest eligible option without a commitment (ties: the earlier option).
pub fn flexible_of(options: &[OptionPlan]) -> Option<&OptionPlan> {
    options
        .iter()
        .filter(|o| o.available && o.eligible && is_flexible_billing(o.billing))
        .filter(|o| o.monthly_cost_usd.is_some_and(f64::is_finite))
        .min_by(|a, b| {
            a.monthly_cost_usd
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.monthly_cost_usd.unwrap_or(f64::INFINITY))
        })
}

fn term_months(b: Billing) -> f64 {
    match b {
        Billing::Reserved1Year => 12.0,
        _ => 1.0,
    }
}

/// Days in an average month (365 / 12).
const DAYS_PER_MONTH: f64 = 365.0 / 12.0;

/// Decide for `plan`.
pub fn decide(plan: &WorkloadPlan, ctx: &DecisionContext<'_>) -> Decision {
    let views = views(plan, ctx.run_window_s);
    let run = run_view(&views, ctx.run_window_s);
    let run_window_s = run.window_s;
    let band = band_of(&views);
    let flexible = flexible_of(run.options).and_then(Choice::of);
    let cases: Vec<ReservationCase> = reservation_ids(run.options, ctx.longest_term)
        .into_iter()
        .filter_map(|id| reservation_case(plan, &views, &id, ctx))
        .collect();
    let best_holding = cases
        .iter()
        .filter(|c| c.holds)
        .max_by(|a, b| {
            a.smallest_saving_usd()
                .total_cmp(&b.smallest_saving_usd())
                .then(b.choice.commitment_usd.total_cmp(&a.choice.commitment_usd))
        })
        .cloned();
    // The reservation to argue with when none holds: the one saving most in the log's own
    // month at the window in use (a retirement inside its term is then its own reason).
    let best_any = cases
        .iter()
        .max_by(|a, b| {
            let s = |c: &ReservationCase| {
                c.at(run_window_s)
                    .and_then(|w| w.monthly_saving_usd)
                    .unwrap_or(f64::NEG_INFINITY)
            };
            s(a).total_cmp(&s(b))
        })
        .cloned();
    let short = ctx.span_hours < ctx.rules.min_span_days * 24.0;
    let mut d = Decision {
        run_window_s,
        window_band_s: band,
        flexible: flexible.clone(),
        ..Decision::default()
    };
    let mut reasons = Vec::new();
    if short {
        reasons.push(Reason::ShortLog {
            span_hours: ctx.span_hours,
            min_span_days: ctx.rules.min_span_days,
        });
    }
    match (&best_holding, &flexible) {
        (Some(case), _) if !short => {
            d.status = DecisionStatus::Firm;
            d.option = Some(case.choice.clone());
            let worst = case.worst();
            reasons.push(Reason::CommitmentHolds {
                billing: case.choice.billing,
                ptus: case.choice.ptus.unwrap_or(0),
                worst_saving_share: worst.and_then(CaseWindow::saving_share).unwrap_or(0.0),
                worst_window_s: worst.map_or(run_window_s, |w| w.window_s),
                min_saving: ctx.rules.min_saving,
                band_s: band,
            });
            if views.len() > 1 {
                reasons.push(Reason::CountAcrossBand {
                    ptus: case.choice.ptus.unwrap_or(0),
                    band_s: band,
                });
            }
            d.reservation = Some(case.clone());
        }
        (_, Some(f)) => {
            d.status = if short {
                DecisionStatus::Provisional
            } else {
                DecisionStatus::Firm
            };
            d.option = Some(f.clone());
            reasons.push(Reason::Flexible {
                option_id: f.option_id.clone(),
                kind: flexible_kind(f, run.options),
            });
            let weighed = if short {
                best_holding.clone().or(best_any.clone())
            } else {
                best_any.clone()
            };
            if let Some(case) = weighed {
                reasons.extend(rejection_reasons(plan, &case, run_window_s, ctx, short));
                d.reservation = Some(case);
            }
        }
        _ => {
            // Nothing without a commitment meets the targets: a reservation that meets them at
            // the window in use is all there is (never on a short log: it commits nothing).
            let cheapest = run
                .options
                .iter()
                .filter(|o| o.available && o.eligible)
                .filter(|o| o.monthly_cost_usd.is_some_and(f64::is_finite))
                .min_by(|a, b| {
                    a.monthly_cost_usd
                        .unwrap_or(f64::INFINITY)
                        .total_cmp(&b.monthly_cost_usd.unwrap_or(f64::INFINITY))
                });
            match cheapest.and_then(Choice::of) {
                Some(c) if !short => {
                    d.status = DecisionStatus::Firm;
                    d.option = Some(c);
                    reasons.push(Reason::NoFlexibleOption);
                }
                _ => {
                    d.status = DecisionStatus::None;
                    reasons.push(no_option_reason(plan));
                }
            }
        }
    }
    if let Some(o) = d.option.clone() {
        let s = flexible
            .as_ref()
            .map(|f| f.monthly_cost_usd - o.monthly_cost_usd);
        d.saving_vs_flexible_usd = s.unwrap_or(0.0);
        d.saving_vs_flexible_share = flexible
            .as_ref()
            .filter(|f| f.monthly_cost_usd > 0.0)
            .map(|f| d.saving_vs_flexible_usd / f.monthly_cost_usd);
        reasons.extend(option_reasons(plan, &o, ctx));
    }
    reasons.extend(ptu_context_reasons(
        plan,
        d.option.as_ref(),
        run.options,
        ctx,
    ));
    let lifecycle = lifecycle_reasons(plan, &d, &reasons, ctx);
    reasons.extend(lifecycle);
    d.by_window = views
        .iter()
        .map(|v| WindowFigures {
            window_s: v.window_s,
            decided: d.option.as_ref().and_then(|o| {
                v.options
                    .iter()
                    .find(|x| x.id == o.option_id)
                    .and_then(Choice::of)
            }),
            flexible: flexible_of(v.options).and_then(Choice::of),
        })
        .collect();
    d.reasons = reasons;
    d
}

fn run_view<'v, 'p>(views: &'v [View<'p>], run_window_s: f64) -> &'v View<'p> {
    views
        .iter()
        .find(|v| v.window_s == run_window_s)
        .unwrap_or(&views[0])
}

fn band_of(views: &[View<'_>]) -> (f64, f64) {
    let ws: Vec<f64> = views
        .iter()
        .map(|v| v.window_s)
        .filter(|w| w.is_finite())
        .collect();
    let lo = ws.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ws.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if ws.is_empty() {
        (f64::NAN, f64::NAN)
    } else {
        (lo, hi)
    }
}

/// The reservations the decision weighs: every available 1-month and (unless the longest term
/// is 1 month) 1-year option.
fn reservation_ids(options: &[OptionPlan], longest_term: Billing) -> Vec<String> {
    options
        .iter()
        .filter(|o| o.available && o.ptus.is_some())
        .filter(|o| match o.billing {
            Billing::Reserved1Month => true,
            Billing::Reserved1Year => longest_term == Billing::Reserved1Year,
            _ => false,
        })
        .map(|o| o.id.clone())
        .collect()
}

fn reservation_case(
    plan: &WorkloadPlan,
    views: &[View<'_>],
    id: &str,
    ctx: &DecisionContext<'_>,
) -> Option<ReservationCase> {
    let run = run_view(views, ctx.run_window_s);
    let at_run = run.options.iter().find(|o| o.id == id)?;
    let choice = Choice::of(at_run)?;
    let lifecycle = term_lifecycle(plan, &choice, ctx);
    let windows: Vec<CaseWindow> = views
        .iter()
        .map(|v| {
            let o = v.options.iter().find(|o| o.id == id);
            let flex = flexible_of(v.options).and_then(|f| f.monthly_cost_usd);
            let cost = o.and_then(|o| o.monthly_cost_usd).filter(|c| c.is_finite());
            let monthly_saving_usd = flex.zip(cost).map(|(f, c)| f - c);
            let (cost, flex) = match &lifecycle {
                Some(l) => over_term(plan, l, &choice, v.window_s, cost, flex, ctx),
                None => (cost, flex),
            };
            CaseWindow {
                window_s: v.window_s,
                monthly_cost_usd: cost,
                flexible_monthly_cost_usd: flex,
                meets_targets: o.is_some_and(|o| o.available && o.eligible),
                monthly_saving_usd,
            }
        })
        .collect();
    let holds = windows.iter().all(|w| {
        w.meets_targets
            && w.saving_share()
                .is_some_and(|s| s >= ctx.rules.min_saving - 1e-12)
    });
    Some(ReservationCase {
        choice,
        windows,
        lifecycle,
        holds,
    })
}

/// The retirement inside a reservation's term, if the model retires before it ends.
fn term_lifecycle(
    plan: &WorkloadPlan,
    choice: &Choice,
    ctx: &DecisionContext<'_>,
) -> Option<TermLifecycle> {
    let l = plan.lifecycle.as_ref()?;
    let retirement = l.retirement?;
    let as_of = ctx.as_of?;
    let days = (retirement - as_of).num_days() as f64;
    let term = term_months(choice.billing);
    let months_before = (days / DAYS_PER_MONTH).max(0.0);
    if months_before >= term {
        return None;
    }
    let after = match (&ctx.replacement, &l.replacement) {
        (Replacement::Planned(r), _) => AfterRetirement::Replacement {
            model: r.model.clone(),
            uses_reservation: r.sizing.contains_key(&choice.deployment_type),
        },
        (Replacement::Missing(why), _) => AfterRetirement::UpToRetirement(why.clone()),
        (Replacement::Unknown, None) => AfterRetirement::UpToRetirement(NoReplacement::NotNamed),
        (Replacement::Unknown, Some(name)) => {
            AfterRetirement::UpToRetirement(NoReplacement::NotPlanned(name.clone()))
        }
    };
    Some(TermLifecycle {
        model: plan.model.clone(),
        retirement,
        months_before,
        term_months: term,
        after,
    })
}

/// A reservation's and the flexible option's monthly cost averaged over the term when the
/// model retires inside it: before the retirement the workload's own figures; after it the
/// reservation is still owed, and serves the replacement (topped up hourly, spilling as the
/// replacement's simulation says) or nothing.
#[allow(clippy::too_many_arguments)]
fn over_term(
    plan: &WorkloadPlan,
    l: &TermLifecycle,
    choice: &Choice,
    window_s: f64,
    cost: Option<f64>,
    flex: Option<f64>,
    ctx: &DecisionContext<'_>,
) -> (Option<f64>, Option<f64>) {
    let (Some(cost), Some(flex)) = (cost, flex) else {
        return (None, None);
    };
    let t = choice.deployment_type;
    let ptus = choice.ptus.unwrap_or(0);
    let prices = plan.sizing.get(&t).map(|s| &s.usd_per_ptu_month_by_billing);
    let reserved = prices
        .and_then(|p| p.get(&choice.billing))
        .map_or(0.0, |p| p * f64::from(ptus));
    let hourly = prices.and_then(|p| p.get(&Billing::Hourly)).copied();
    let (cost_after, flex_after) = match (&l.after, &ctx.replacement) {
        (AfterRetirement::Replacement { .. }, Replacement::Planned(r)) => {
            let r_flex = flexible_of(r.options_at(window_s)).and_then(|f| f.monthly_cost_usd);
            match r_flex {
                Some(r_flex) => {
                    let curve = r
                        .by_window
                        .iter()
                        .find(|w| w.window_s == window_s)
                        .and_then(|w| w.curves.get(&t))
                        .or_else(|| r.sizing.get(&t).map(|s| &s.curve));
                    let on_ptus = curve
                        .zip(hourly)
                        .and_then(|(c, h)| topped_up(c, ptus, h, ctx))
                        .unwrap_or(f64::INFINITY);
                    (reserved + r_flex.min(on_ptus), r_flex)
                }
                None => (reserved, 0.0),
            }
        }
        _ => (reserved, 0.0),
    };
    let (b, a) = (l.months_before, l.term_months - l.months_before);
    let t_m = l.term_months;
    (
        Some((b * cost + a * cost_after) / t_m),
        Some((b * flex + a * flex_after) / t_m),
    )
}

/// The least monthly cost, beyond `reserved` PTUs already paid for, of serving a workload
/// from its curve: each simulated count that meets the targets, PTUs above the reservation at
/// `hourly_usd_per_ptu_month`, plus its spillover.
fn topped_up(
    curve: &[CurvePoint],
    reserved: u32,
    hourly_usd_per_ptu_month: f64,
    ctx: &DecisionContext<'_>,
) -> Option<f64> {
    curve
        .iter()
        .filter(|p| p.throttled_share <= ctx.max_throttle_rate + 1e-12)
        .filter(|p| {
            ctx.max_spill_rate
                .is_none_or(|m| p.spilled_share <= m + 1e-12)
        })
        .map(|p| {
            f64::from(p.ptus.saturating_sub(reserved)) * hourly_usd_per_ptu_month
                + cost::monthly_usd(p.spillover_cost_usd, ctx.span_hours)
        })
        .min_by(f64::total_cmp)
}

fn flexible_kind(f: &Choice, options: &[OptionPlan]) -> FlexibleKind {
    let t = f.deployment_type;
    if f.billing == Billing::Hourly {
        FlexibleKind::Hourly
    } else if t.is_batch() {
        FlexibleKind::Batch
    } else if t.is_flex() {
        FlexibleKind::Flex
    } else if matches!(
        t,
        DeploymentTypeId::GlobalPriority | DeploymentTypeId::DataZonePriority
    ) {
        FlexibleKind::Priority
    } else {
        let cheapest_standard = options
            .iter()
            .filter(|o| {
                o.available && o.billing == Billing::PerToken && o.deployment_type.is_standard()
            })
            .filter_map(|o| o.monthly_cost_usd.map(|c| (c, &o.id)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id.clone());
        if cheapest_standard.as_deref() == Some(f.option_id.as_str()) {
            FlexibleKind::CheapestStandard
        } else {
            FlexibleKind::PerToken
        }
    }
}

/// Why a weighed reservation is not decided (or, on a short log, what it would do).
fn rejection_reasons(
    plan: &WorkloadPlan,
    case: &ReservationCase,
    run_window_s: f64,
    ctx: &DecisionContext<'_>,
    short: bool,
) -> Vec<Reason> {
    let mut out = Vec::new();
    let at_run = case.at(run_window_s);
    // The saving of the log's own month (a retirement inside the term is its own reason).
    let saving_usd = at_run.and_then(|w| w.monthly_saving_usd).unwrap_or(0.0);
    // The flexible option's cost is the reservation's plus the saving.
    let flexible = saving_usd + case.choice.monthly_cost_usd;
    let saving_share = if flexible > 0.0 {
        saving_usd / flexible
    } else {
        0.0
    };
    let ptus = case.choice.ptus.unwrap_or(0);
    if short {
        if saving_usd > 0.0 {
            out.push(Reason::WhatIf {
                billing: case.choice.billing,
                ptus,
                saving_usd,
                saving_share,
                holds: case.holds,
            });
        }
        return out;
    }
    let short_windows: Vec<(f64, f64)> = case
        .windows
        .iter()
        .filter(|w| w.meets_targets)
        .filter_map(|w| {
            let s = w.saving_share().unwrap_or(f64::NEG_INFINITY);
            (s < ctx.rules.min_saving - 1e-12).then_some((w.window_s, s))
        })
        .collect();
    let failing_windows: Vec<f64> = case
        .windows
        .iter()
        .filter(|w| !w.meets_targets)
        .map(|w| w.window_s)
        .collect();
    let any_saves = case.windows.iter().any(|w| {
        w.meets_targets
            && (w.saving_usd().is_some_and(|s| s > 0.0)
                || w.monthly_saving_usd.is_some_and(|s| s > 0.0))
    });
    if any_saves {
        out.push(Reason::CommitmentRejected {
            option_id: case.choice.option_id.clone(),
            billing: case.choice.billing,
            ptus,
            saving_usd,
            saving_share,
            short_windows,
            failing_windows,
            min_saving: ctx.rules.min_saving,
            over_term: case.lifecycle.is_some(),
        });
        // Some window would have it and some would not: the window decides.
        let qualifies_somewhere = case.windows.iter().any(|w| {
            w.meets_targets
                && w.saving_share()
                    .is_some_and(|s| s >= ctx.rules.min_saving - 1e-12)
        });
        if qualifies_somewhere && case.windows.len() > 1 {
            out.push(Reason::Calibrate {
                deployment: plan.deployment.clone(),
                deployment_type: case.choice.deployment_type,
                ptus,
            });
        }
    }
    out
}

/// What the decided option itself adds: its commitment, its spillover.
fn option_reasons(plan: &WorkloadPlan, o: &Choice, ctx: &DecisionContext<'_>) -> Vec<Reason> {
    let mut out = Vec::new();
    let Some(opt) = plan.options.iter().find(|x| x.id == o.option_id) else {
        return out;
    };
    if o.is_commitment() {
        if let (Some(per), Some(n)) = (opt.reservation_usd_per_ptu, o.ptus) {
            out.push(Reason::Commitment {
                billing: o.billing,
                ptus: n,
                usd_per_ptu: per,
                total_usd: o.commitment_usd,
            });
        }
    }
    if o.ptus.is_some() && o.spilled_share > 0.0 {
        out.push(Reason::Spills {
            share: o.spilled_share,
            monthly_usd: cost::monthly_usd(opt.spillover_cost_usd.unwrap_or(0.0), ctx.span_hours),
        });
    }
    out
}

/// The PTU side of a decision: the break-even and utilization of the PTU option it is argued
/// with (the decided one, else the cheapest available provisioned one), or why there is none.
fn ptu_context_reasons(
    plan: &WorkloadPlan,
    decided: Option<&Choice>,
    options: &[OptionPlan],
    ctx: &DecisionContext<'_>,
) -> Vec<Reason> {
    let monthly = |o: &&OptionPlan| o.monthly_cost_usd.filter(|c| c.is_finite());
    let focus = decided
        .filter(|d| d.ptus.is_some())
        .and_then(|d| options.iter().find(|o| o.id == d.option_id))
        .or_else(|| {
            options
                .iter()
                .filter(|o| o.available && o.ptus.is_some() && monthly(o).is_some())
                .filter(|o| o.billing == Billing::Reserved1Year || o.billing == Billing::Hourly)
                .min_by(|a, b| {
                    b.eligible.cmp(&a.eligible).then(
                        monthly(a)
                            .unwrap_or(0.0)
                            .total_cmp(&monthly(b).unwrap_or(0.0)),
                    )
                })
        });
    let Some(p) = focus else {
        return vec![if plan.input_tpm_per_ptu.is_none() {
            Reason::NoPtuOffer {
                model: plan.model.clone(),
            }
        } else {
            Reason::NoPtuInRegion {
                model: plan.model.clone(),
                region: plan.region.clone(),
                residency: ctx.residency.map(str::to_owned),
            }
        }];
    };
    if !p.eligible && decided.is_some_and(|d| d.ptus.is_none()) {
        return vec![Reason::NoPtuEligible {
            option_id: p.id.clone(),
            why: p.reason.clone().unwrap_or_default(),
        }];
    }
    let break_even = plan
        .sizing
        .get(&p.deployment_type)
        .and_then(|s| s.break_even_utilization_by_billing.get(&p.billing))
        .copied();
    match (break_even, p.utilization_mean, p.ptus) {
        (Some(be), Some(u), Some(n)) => vec![Reason::BreakEven {
            deployment_type: p.deployment_type,
            billing: p.billing,
            break_even: be,
            utilization: u,
            ptus: n,
            not_served_share: p.throttle_rate.unwrap_or(0.0),
            spills: p.spilled_requests.unwrap_or(0) > 0,
        }],
        _ => Vec::new(),
    }
}

fn lifecycle_reasons(
    plan: &WorkloadPlan,
    d: &Decision,
    reasons: &[Reason],
    ctx: &DecisionContext<'_>,
) -> Vec<Reason> {
    // How the retirement priced a reservation matters when one is decided, weighed against
    // the flexible option, or a what-if.
    let weighed = reasons.iter().any(|r| {
        matches!(
            r,
            Reason::CommitmentHolds { .. }
                | Reason::CommitmentRejected { .. }
                | Reason::WhatIf { .. }
        )
    });
    if let Some(l) = d
        .reservation
        .as_ref()
        .and_then(|c| c.lifecycle.clone())
        .filter(|_| weighed)
    {
        return vec![Reason::RetiresInTerm(l)];
    }
    let Some(l) = plan.lifecycle.as_ref() else {
        return Vec::new();
    };
    let (Some(r), Some(as_of)) = (l.retirement, ctx.as_of) else {
        return Vec::new();
    };
    if l.retired {
        // Already said by the no-option reason.
        return Vec::new();
    }
    if r <= as_of + chrono::Days::new(365) {
        vec![Reason::Retires {
            model: plan.model.clone(),
            date: r,
            replacement: l.replacement.clone(),
        }]
    } else {
        Vec::new()
    }
}

fn no_option_reason(plan: &WorkloadPlan) -> Reason {
    if let Some(l) = plan.lifecycle.as_ref().filter(|l| l.retired) {
        return Reason::Retired {
            model: plan.model.clone(),
            date: l.retirement,
            replacement: l.replacement.clone(),
        };
    }
    let any_available = plan.options.iter().any(|o| o.available);
    let mut why: Vec<String> = Vec::new();
    // The available options' reasons, or when nothing is available, why not.
    for o in plan.options.iter().filter(|o| o.available == any_available) {
        if let Some(r) = &o.reason {
            if !why.contains(r) {
                why.push(r.clone());
            }
        }
    }
    Reason::NoEligibleOption { why, any_available }
}

#[cfg(test)]
#[path = "decision_tests.rs"]
mod tests;
