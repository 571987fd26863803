//! The report: one serializable [`Report`] that every output format renders. JSON is its
//! stable contract (`schema_version` 5: keys may be added, never renamed or removed, and a
//! changed meaning bumps the version, with a CHANGELOG note); the
//! table, Markdown and CSV are views of it, drawn by [`crate::render`].

pub mod contract;
pub mod diff;
pub mod forecast;
pub mod gate;
pub mod scenario;
pub mod section;
#[cfg(test)]
pub(crate) mod test_support;
pub mod text;

use serde::Serialize;

use crate::catalog::overrides::{AppliedOverride, Currency};
use crate::plan::{PlanSettings, ReservationPool, WorkloadPlan};
use crate::sim::SimParams;
use crate::usage::Granularity;

/// The JSON contract's version. 4 since 0.3.0's comparator: a reservation's saving
/// (`saving_vs_flexible_*`, `worst_case`, `by_window_s`) is measured against the cheapest option
/// without a commitment that is eligible or held back only because its availability is
/// unconfirmed (`decision.flexible.availability_unconfirmed`). 3 before it: one decision per workload
/// (`workloads[].decision`, `decision_summary`) that `recommended` and `summary` follow, a
/// reservation's count held across the window band (`options[].ptus` of reservations,
/// `cost_optimal_ptus_by_billing`), `--window-band` 1, 10 and 60 s by default (CHANGELOG).
/// 2 since 0.2.0: exact PTU search, prompt-limit 400s counted in `throttled_requests`.
pub const SCHEMA_VERSION: u32 = 5;

/// Versions `diff` and `--baseline` read: the fields they compare (the recommended option,
/// its PTUs and monthly cost; version 3's decision) mean the same in all.
pub const READABLE_SCHEMA_VERSIONS: [u32; 5] = [1, 2, 3, 4, 5];

/// Everything a run produced: the model every output renders. Its JSON is
/// [`contract::Document`], built from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `ptuplan` and its version.
    pub tool: String,
    /// From `SOURCE_DATE_EPOCH` or `--generated-at`; absent otherwise (reports are deterministic).
    pub generated_at: Option<String>,
    /// What was read.
    pub input: InputInfo,
    /// Which catalog priced it.
    pub catalog: CatalogInfo,
    /// The modelling assumptions in force.
    pub assumptions: Assumptions,
    /// Totals over workloads.
    pub summary: Summary,
    /// The decisions of every workload in one place: the verdict, what they cost and commit,
    /// how many are firm and provisional.
    pub decision_summary: DecisionSummary,
    /// One entry per workload, each with its `decision` (and `recommended`, the decided
    /// option's id).
    pub workloads: Vec<WorkloadPlan>,
    /// The decided reservations pooled per region x provisioned type x term.
    pub reservations: Vec<ReservationPool>,
    /// What-if scenarios, each planned like the baseline (`workloads` is the log as is).
    pub scenarios: Vec<scenario::ScenarioReport>,
    /// The plan's projected monthly charges (`--format focus`; not in the JSON).
    pub projection: crate::plan::projection::Projection,
    /// Things the reader should know (skipped rows, missing latencies, ...).
    pub warnings: Vec<String>,
    /// Every `--overrides` entry (discounts, quotes, availability, capacity, currency).
    pub overrides_applied: Vec<AppliedOverride>,
    /// The display currency from `--overrides`; every `*_usd` field stays in USD.
    pub currency: Option<Currency>,
}

/// What was read (JSON `input`: [`contract::input::Input`]).
#[derive(Debug, Clone, PartialEq)]
pub struct InputInfo {
    /// Input files (`-` for stdin).
    pub files: Vec<String>,
    /// Records read (successful and failed).
    pub records: u64,
    /// Invalid rows skipped with `--skip-invalid`.
    pub skipped: u64,
    /// The first skipped rows, with their errors.
    pub skipped_examples: Vec<String>,
    /// Records with a non-2xx status (not billed, not demand).
    pub failed_requests: u64,
    /// First arrival, RFC 3339 UTC.
    pub start: String,
    /// Last arrival, RFC 3339 UTC.
    pub end: String,
    /// Billing span in hours (whole minutes, first through last).
    pub hours: f64,
    /// Time resolution of the input: `request`, `second`, `minute`, `hour` or `day` (the
    /// coarsest over the inputs).
    pub granularity: Granularity,
    /// For aggregated input: bursts inside a bucket are invisible, so PTU counts are lower
    /// bounds while per-token costs are exact. `null` for per-request input.
    pub granularity_note: Option<String>,
    /// Per-bucket aggregate rows read (they are replayed as `records` requests).
    pub buckets: u64,
    /// Set when the log covers less than 7 days: its monthly figures are a projection of a
    /// short span (weekly patterns are not in it). `null` otherwise.
    pub projection_note: Option<String>,
    /// How each input was read: `{file, reader, container, chosen_by, columns[]{field,
    /// column}, unread}` (the reader is an `--input-format` name; `chosen_by` is `detected`
    /// or `--input-format`; `unread` names JSON Lines keys of known meaning left unread).
    pub readers: Vec<crate::usage::InputRead>,
    /// Requests the log shows as spilled over from a provisioned to a Standard deployment
    /// (response headers, or Azure Monitor's `IsSpillover` split), each counted once.
    pub spilled_requests: u64,
}

/// Spans shorter than this (a week) get [`InputInfo::projection_note`].
pub const SHORT_SPAN_HOURS: f64 = 168.0;

/// The note for a log of `hours` projected to a 730-hour month, when it covers less than a
/// week.
pub fn projection_note(hours: f64) -> Option<String> {
    (hours < SHORT_SPAN_HOURS).then(|| {
        format!(
            "the log covers only {} (less than 7 days); its monthly figures scale that span to a {}-hour month, so weekly patterns and bursts outside it are not in them",
            text::fmt_hours(hours),
            crate::plan::HOURS_PER_MONTH
        )
    })
}

/// JSON `catalog`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CatalogInfo {
    /// Newest `as_of` of any entry.
    pub as_of: String,
    /// Oldest `as_of` of any entry.
    pub oldest_as_of: String,
    /// Built-in or the `--catalog` directory (plus `+ prices FILE` with `--prices`).
    pub origin: String,
    /// The `--prices` file layered over the catalog, if any.
    pub prices_file: Option<String>,
    /// That file's `as_of` (the date its prices were in force).
    pub prices_as_of: Option<String>,
    /// The Retail Prices API endpoint that file came from.
    pub prices_endpoint: Option<String>,
    /// The run's `--as-of` date: every price is the one in force that day, and lifecycles
    /// (retirements) are read on it.
    pub in_force_on: Option<String>,
}

impl CatalogInfo {
    /// Provenance of a catalog (dates, origin, `--prices` file).
    pub fn from_catalog(catalog: &crate::catalog::Catalog) -> CatalogInfo {
        CatalogInfo {
            as_of: catalog
                .newest_as_of()
                .map(|d| d.to_string())
                .unwrap_or_default(),
            oldest_as_of: catalog
                .oldest_as_of()
                .map(|d| d.to_string())
                .unwrap_or_default(),
            origin: catalog.origin.clone(),
            prices_file: catalog.prices.as_ref().map(|p| p.path.clone()),
            prices_as_of: catalog.prices.as_ref().map(|p| p.as_of.to_string()),
            prices_endpoint: catalog.prices.as_ref().map(|p| p.endpoint.clone()),
            in_force_on: catalog.in_force_on.map(|d| d.to_string()),
        }
    }
}

/// Lines on where prices and constraints came from, for the table and Markdown views:
/// the `--prices` file, `--residency`, the display currency and each applied override.
pub fn provenance_lines(report: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(file) = &report.catalog.prices_file {
        lines.push(format!(
            "Prices from {file} (in force on {}, fetched from {})",
            report.catalog.prices_as_of.as_deref().unwrap_or("?"),
            report.catalog.prices_endpoint.as_deref().unwrap_or("?")
        ));
    }
    if let Some(r) = &report.assumptions.plan.constraints.residency {
        lines.push(format!(
            "Residency: {} (options processing data outside are unavailable)",
            r.label()
        ));
    }
    if let Some(c) = &report.currency {
        lines.push(format!(
            "Display currency: {} at {} per USD (JSON and CSV costs stay in USD)",
            c.code, c.per_usd
        ));
    }
    if !report.overrides_applied.is_empty() {
        lines.push(format!(
            "Overrides applied ({}): {}",
            report.overrides_applied.len(),
            report
                .overrides_applied
                .iter()
                .map(|o| format!("{} {} [{}]", o.kind, o.description, o.at))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    lines
}

/// A USD amount in the display currency (`1,234.56 EUR`), if one is set.
pub fn fmt_display(currency: Option<&Currency>, usd: f64) -> Option<String> {
    currency.map(|c| format!("{} {}", fmt_usd(c.from_usd(usd)), c.code))
}

/// The modelling assumptions in force (JSON `assumptions`:
/// [`contract::assumptions::Assumptions`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Assumptions {
    /// Hours in a month for monthly figures.
    pub hours_per_month: f64,
    /// Admission-model parameters.
    pub sim: SimParams,
    /// Planning settings.
    pub plan: PlanSettings,
}

/// JSON `summary`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Workloads.
    pub workloads: usize,
    /// Monthly cost of every workload's decided option, USD.
    pub recommended_monthly_cost_usd: f64,
    /// The same over the span, USD.
    pub recommended_cost_usd: f64,
    /// Monthly cost if every workload used its cheapest available per-token Standard option.
    pub all_standard_monthly_cost_usd: Option<f64>,
    /// Workloads with no eligible option (decision status `none`).
    pub workloads_without_recommendation: usize,
    /// True when every workload has a decision; otherwise the totals cover only the
    /// workloads that have one.
    pub complete: bool,
}

impl Summary {
    /// Totals over the plans' decisions.
    pub fn from_plans(plans: &[WorkloadPlan]) -> Summary {
        let mut monthly = 0.0;
        let mut span = 0.0;
        let mut without = 0;
        let mut standard = Some(0.0);
        for p in plans {
            // A decision without a finite cost counts as none: never a silent $0.
            let costs = p
                .decided_option()
                .and_then(|o| o.monthly_cost_usd.zip(o.cost_usd))
                .filter(|(m, c)| m.is_finite() && c.is_finite());
            match costs {
                Some((m, c)) => {
                    monthly += m;
                    span += c;
                }
                None => without += 1,
            }
            let cheapest_standard = p
                .options
                .iter()
                .filter(|o| {
                    o.available
                        && o.billing == crate::plan::Billing::PerToken
                        && o.deployment_type.is_standard()
                })
                .filter_map(|o| o.monthly_cost_usd)
                .min_by(f64::total_cmp);
            standard = match (standard, cheapest_standard) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            };
        }
        Summary {
            workloads: plans.len(),
            recommended_monthly_cost_usd: monthly,
            recommended_cost_usd: span,
            all_standard_monthly_cost_usd: standard,
            workloads_without_recommendation: without,
            complete: without == 0,
        }
    }
}

/// JSON `decision_summary`: the run's decisions at a glance.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct DecisionSummary {
    /// What to do, in one sentence (the first line of the terminal output).
    pub verdict: String,
    /// Monthly cost of every decided option at the window in use, USD.
    pub monthly_cost_usd: f64,
    /// The sum of every decided option's highest monthly cost over the band, USD (what
    /// `--fail-on monthly_cost_usd` judges).
    pub worst_case_monthly_cost_usd: f64,
    /// What the decided reservations commit to, USD (their whole terms).
    pub commitment_usd: f64,
    /// Decisions that stand.
    pub firm: usize,
    /// Decisions on a log shorter than `--min-span-days`: no commitment.
    pub provisional: usize,
    /// Workloads with no eligible option.
    pub none: usize,
}

impl DecisionSummary {
    /// The summary of `report`'s decisions (its `workloads`; the verdict reads the rest).
    pub fn of(report: &Report) -> DecisionSummary {
        let ws = &report.workloads;
        let count =
            |s: crate::plan::DecisionStatus| ws.iter().filter(|w| w.decision.status == s).count();
        DecisionSummary {
            verdict: text::verdict(report),
            monthly_cost_usd: ws
                .iter()
                .filter_map(|w| w.decision.monthly_cost_usd())
                .sum(),
            worst_case_monthly_cost_usd: ws
                .iter()
                .filter_map(|w| w.decision.worst_monthly_cost_usd())
                .sum(),
            commitment_usd: ws.iter().map(|w| w.decision.commitment_usd()).sum(),
            firm: count(crate::plan::DecisionStatus::Firm),
            provisional: count(crate::plan::DecisionStatus::Provisional),
            none: count(crate::plan::DecisionStatus::None),
        }
    }
}

/// The deployments of the workloads without a recommendation, in report order.
pub fn without_recommendation(report: &Report) -> Vec<String> {
    report
        .workloads
        .iter()
        .filter(|w| w.decision.status == crate::plan::DecisionStatus::None)
        .map(|w| w.deployment.clone())
        .collect()
}

pub use crate::text::{fmt_int, fmt_pct, fmt_usd};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_for_people() {
        assert_eq!(fmt_usd(1234567.891), "1,234,567.89");
        assert_eq!(fmt_usd(-12.5), "-12.50");
        assert_eq!(fmt_usd(999.999), "1,000.00");
        assert_eq!(fmt_int(1000), "1,000");
        assert_eq!(fmt_pct(0.125), "12.5%");
    }
}
