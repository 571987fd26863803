//! What-if scenarios in the report: JSON `scenarios[]` (the baseline stays in `workloads`),
//! and the side-by-side rows every human format shows (scenario x workload: the decision's
//! option, PTUs, monthly cost, delta against the same workload of the baseline). Every
//! scenario workload is decided by the same rule as the baseline's.
//!
//! A scenario's `workloads[]` have exactly the shape of the baseline's ([`WorkloadPlan`]);
//! where a scenario workload came from another (a migration, a region move, the Batch share,
//! an added workload) is in `origins[]`, which `diff` uses to pair it with its origin.

use serde::Serialize;

use super::{Report, Summary};
use crate::plan::ladder::{GrowthSource, LadderPlan, Purchase, RungCheck};
use crate::plan::{ReservationPool, WorkloadPlan};
use crate::scenario::route::OriginKind;
use crate::scenario::Transform;
use crate::text::usd_shown;

/// One scenario's results (JSON `scenarios[]`: [`super::contract::scenario::Scenario`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioReport {
    /// Unique name.
    pub name: String,
    /// Where it came from: `scenarios.yaml:3`, `command line`, `automatic: retirement`.
    pub origin: String,
    /// Free text, if given.
    pub description: Option<String>,
    /// Seed of the draws (thinning, replication, jitter, Batch shift).
    pub seed: u64,
    /// Spread of replicated requests around their original arrival, ms.
    pub jitter_ms: u32,
    /// The transforms, in order.
    pub transforms: Vec<Transform>,
    /// Months of growth the scenario stands at (None without growth).
    pub horizon_months: Option<u32>,
    /// Requests the scenario replayed (after thinning and replication; its workloads left as
    /// logged are not replayed again: their plans are the baseline's).
    pub requests_replayed: u64,
    /// The scenario's workloads, in the baseline's shape and order rule (each with its
    /// `decision`).
    pub workloads: Vec<WorkloadPlan>,
    /// Monthly cost of every workload's recommended option, USD.
    pub recommended_monthly_cost_usd: f64,
    /// That minus the baseline's, USD (None when either plan is incomplete: some workload has
    /// no eligible option, so the totals do not compare).
    pub monthly_cost_delta_usd: Option<f64>,
    /// The same in percent of the baseline's (None also when the baseline's is 0).
    pub monthly_cost_delta_pct: Option<f64>,
    /// Totals, as the baseline's `summary`.
    pub summary: Summary,
    /// PTU reservations pooled per region and type, as the baseline's `reservations`.
    pub reservations: Vec<ReservationPool>,
    /// Where workloads that changed came from.
    pub origins: Vec<WorkloadOrigin>,
    /// What the reader should know (capped completions, requests over a model's limits).
    pub notes: Vec<String>,
    /// The reservation plan over the horizon (scenarios with growth).
    pub ladder: Option<LadderPlan>,
}

/// Where a scenario workload came from (JSON `scenarios[].origins[]`; `diff` reads it back).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct WorkloadOrigin {
    /// The scenario workload's deployment.
    pub deployment: String,
    /// Its model.
    pub model: String,
    /// Its region.
    pub region: String,
    /// The baseline (or added) workload's deployment.
    pub from_deployment: String,
    /// Its model.
    pub from_model: String,
    /// Its region.
    pub from_region: String,
    /// `migrated`, `moved`, `migrated-and-moved`, `batch-shift` or `added`.
    pub how: OriginKind,
}

/// One row of the side-by-side table.
#[derive(Debug, Clone, PartialEq)]
pub struct SideBySideRow {
    /// Scenario name (`baseline` for the log as is).
    pub scenario: String,
    /// Deployment.
    pub deployment: String,
    /// Model.
    pub model: String,
    /// Region.
    pub region: String,
    /// Recommended option id (None: none eligible).
    pub recommended: Option<String>,
    /// Its PTUs.
    pub ptus: Option<u32>,
    /// Its monthly cost, USD.
    pub monthly_cost_usd: Option<f64>,
    /// Monthly cost minus the baseline workload's (its origin's, for a changed workload), each
    /// as shown (to the cent), USD.
    pub delta_usd: Option<f64>,
    /// What it came from, in words (`from gpt-4.1`), if it changed.
    pub from: Option<String>,
}

/// The decision of a workload: option id, PTUs, monthly cost.
pub fn recommendation(w: &WorkloadPlan) -> (Option<String>, Option<u32>, Option<f64>) {
    let o = w.decision.option.as_ref();
    (
        o.map(|o| o.option_id.clone()),
        o.and_then(|o| o.ptus),
        o.map(|o| o.monthly_cost_usd),
    )
}

fn baseline_cost(report: &Report, deployment: &str, model: &str, region: &str) -> Option<f64> {
    report
        .workloads
        .iter()
        .find(|w| w.deployment == deployment && w.model == model && w.region == region)
        .and_then(|w| recommendation(w).2)
}

/// The side-by-side rows: the baseline's workloads, then each scenario's.
pub fn side_by_side(report: &Report) -> Vec<SideBySideRow> {
    let mut rows = Vec::new();
    for w in &report.workloads {
        rows.push(side_by_side_row(crate::scenario::BASELINE, w, None, None));
    }
    for s in &report.scenarios {
        for w in &s.workloads {
            let cost = recommendation(w).2;
            let origin = s.origins.iter().find(|o| {
                o.deployment == w.deployment && o.model == w.model && o.region == w.region
            });
            let base = match origin {
                // A Batch share or an added workload has no baseline of its own.
                Some(o) if matches!(o.how, OriginKind::BatchShift | OriginKind::Added) => None,
                Some(o) => baseline_cost(report, &o.from_deployment, &o.from_model, &o.from_region),
                None => baseline_cost(report, &w.deployment, &w.model, &w.region),
            };
            // The difference of the two costs as shown, so that the rows' changes add up
            // to the figures beside them.
            let delta = match (cost, base, origin) {
                (Some(c), Some(b), _) => Some(usd_shown(c) - usd_shown(b)),
                (Some(c), None, Some(_)) => Some(c),
                _ => None,
            };
            rows.push(side_by_side_row(
                &s.name,
                w,
                delta,
                origin.map(origin_phrase),
            ));
        }
        // A workload of the log the scenario leaves without a request (all of it moved to
        // Batch, say) is a row too, so that the rows add up to the scenario's change.
        for w in report.workloads.iter().filter(|w| is_emptied(s, w)) {
            let base = recommendation(w).2;
            rows.push(SideBySideRow {
                scenario: s.name.clone(),
                deployment: w.deployment.clone(),
                model: w.model.clone(),
                region: w.region.clone(),
                recommended: Some("-".to_owned()),
                ptus: None,
                monthly_cost_usd: Some(0.0),
                delta_usd: base.map(|b| -usd_shown(b)),
                from: Some("no request left".to_owned()),
            });
        }
    }
    rows
}

/// Whether scenario `s` leaves the log's workload `w` without a request: it is not among the
/// scenario's workloads, and no migrated or moved workload came from it.
fn is_emptied(s: &ScenarioReport, w: &WorkloadPlan) -> bool {
    let kept = s
        .workloads
        .iter()
        .any(|x| x.deployment == w.deployment && x.model == w.model && x.region == w.region);
    let carried_on = s.origins.iter().any(|o| {
        !matches!(o.how, OriginKind::BatchShift | OriginKind::Added)
            && o.from_deployment == w.deployment
            && o.from_model == w.model
            && o.from_region == w.region
    });
    !kept && !carried_on
}

/// The side-by-side row of workload `w` in `scenario`.
fn side_by_side_row(
    scenario: &str,
    w: &WorkloadPlan,
    delta_usd: Option<f64>,
    from: Option<String>,
) -> SideBySideRow {
    let (recommended, ptus, cost) = recommendation(w);
    SideBySideRow {
        scenario: scenario.to_owned(),
        deployment: w.deployment.clone(),
        model: w.model.clone(),
        region: w.region.clone(),
        recommended,
        ptus,
        monthly_cost_usd: cost,
        delta_usd,
        from,
    }
}

/// `from gpt-4.1`, `from eastus2`, `Batch share of chat`, `added`.
pub fn origin_phrase(o: &WorkloadOrigin) -> String {
    match o.how {
        OriginKind::Migrated => format!("from {}", o.from_model),
        OriginKind::Moved => format!("from {}", o.from_region),
        OriginKind::MigratedAndMoved => format!("from {} @ {}", o.from_model, o.from_region),
        OriginKind::BatchShift => format!("from {}", o.from_deployment),
        OriginKind::Added => "added".to_owned(),
    }
}

pub use super::section::Section;

fn opt_usd(v: Option<f64>) -> String {
    v.map(super::fmt_usd).unwrap_or_else(|| "-".to_owned())
}

fn signed(v: Option<f64>) -> String {
    v.map(crate::text::fmt_signed_usd).unwrap_or_default()
}

/// The scenario sections of a report (empty without scenarios): the totals, one table per
/// scenario (its workloads that differ from the baseline), then each reservation ladder.
pub fn sections(report: &Report) -> Vec<Section> {
    if report.scenarios.is_empty() {
        return Vec::new();
    }
    let mut out = side_by_side_sections(report);
    for s in &report.scenarios {
        if let Some(l) = &s.ladder {
            out.extend(ladder_sections(&s.name, l));
        }
    }
    out
}

/// Whether a scenario row says anything the baseline's does not: a changed name, option,
/// PTU count or cost (to the cent).
fn is_news(r: &SideBySideRow, report: &Report) -> bool {
    if r.scenario == crate::scenario::BASELINE || r.from.is_some() {
        return true;
    }
    let same = report.workloads.iter().any(|w| {
        w.deployment == r.deployment && w.model == r.model && w.region == r.region && {
            let (rec, ptus, cost) = recommendation(w);
            rec == r.recommended
                && ptus == r.ptus
                && match (cost, r.monthly_cost_usd) {
                    (Some(a), Some(b)) => (a - b).abs() < 0.005,
                    (a, b) => a.is_none() && b.is_none(),
                }
        }
    });
    !same
}

/// A plan's monthly total for people, never a $0 plan: `1,234.56 USD per month`, or what is
/// missing (`INCOMPLETE: ...`, `no recommended plan ...`).
pub fn plan_total(s: &Summary) -> String {
    let with = s.workloads - s.workloads_without_recommendation;
    if with == 0 && s.workloads > 0 {
        format!(
            "no recommended plan (none of the {} workload(s) has an eligible option)",
            s.workloads
        )
    } else if s.workloads_without_recommendation > 0 {
        format!(
            "INCOMPLETE: {} of {} workload(s) have no eligible option; the {with} with one cost {} USD per month",
            s.workloads_without_recommendation,
            s.workloads,
            super::fmt_usd(s.recommended_monthly_cost_usd)
        )
    } else {
        format!(
            "{} USD per month",
            super::fmt_usd(s.recommended_monthly_cost_usd)
        )
    }
}

/// `1,234.56 USD per month (+12.00, +1.0%)`: a scenario's total and its change from the
/// baseline's total `base_usd` (the difference of the two totals as shown).
fn scenario_total(s: &ScenarioReport, base_usd: f64) -> String {
    let delta = s
        .monthly_cost_delta_usd
        .map(|_| {
            format!(
                " ({}{})",
                crate::text::fmt_usd_change(s.summary.recommended_monthly_cost_usd, base_usd),
                s.monthly_cost_delta_pct
                    .map(|p| format!(", {}", crate::text::fmt_signed_pct(p)))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    format!("{}{delta}", plan_total(&s.summary))
}

fn side_by_side_sections(report: &Report) -> Vec<Section> {
    let mut totals = vec![format!(
        "{}: {}",
        crate::scenario::BASELINE,
        plan_total(&report.summary)
    )];
    for s in &report.scenarios {
        totals.push(format!(
            "{}: {}",
            s.name,
            scenario_total(s, report.summary.recommended_monthly_cost_usd)
        ));
    }
    let mut out = vec![Section {
        heading: "What-if scenarios".to_owned(),
        intro: vec![
            "Each scenario transforms the log's requests (read once for all of them) and is planned and decided like the log itself. Per scenario: each workload's decision, its PTUs and monthly cost, and the change against the same workload as logged (for a migrated or moved workload, against the one it came from). Workloads that come out as in the baseline are not repeated; the JSON has every one.".to_owned(),
        ],
        headers: Vec::new(),
        right_aligned: Vec::new(),
        rows: Vec::new(),
        notes: totals,
    }];
    let rows = side_by_side(report);
    for s in &report.scenarios {
        let rows: Vec<Vec<String>> = rows
            .iter()
            .filter(|r| r.scenario == s.name && is_news(r, report))
            .map(|r| {
                vec![
                    format!("{} ({} @ {})", r.deployment, r.model, r.region),
                    r.recommended
                        .clone()
                        .unwrap_or_else(|| "none eligible".to_owned()),
                    r.ptus.map(|p| p.to_string()).unwrap_or_default(),
                    opt_usd(r.monthly_cost_usd),
                    signed(r.delta_usd),
                    r.from.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let mut intro: Vec<String> = s.transforms.iter().map(|t| t.description.clone()).collect();
        if rows.is_empty() {
            intro.push("every workload comes out as in the baseline".to_owned());
        }
        out.push(Section {
            heading: format!(
                "Scenario {}: {}",
                s.name,
                scenario_total(s, report.summary.recommended_monthly_cost_usd)
            ),
            intro,
            headers: vec![
                "Workload",
                "Decision",
                "PTUs",
                "Cost [USD/mo]",
                "Δ [USD/mo]",
                "Change",
            ],
            right_aligned: vec![2, 3, 4],
            rows,
            notes: s.notes.clone(),
        });
    }
    out
}

/// "the plan saves 275.49 USD", or, when month 1 holds the decision (and later rungs pass its
/// rules) and a static choice that commits more from the start would cost less, "the plan
/// costs 1,358.44 USD more: month 1 holds what the decisions buy now ...".
fn against_static(saving_usd: f64) -> String {
    if saving_usd >= -0.005 {
        format!("the plan saves {} USD", super::fmt_usd(saving_usd.max(0.0)))
    } else {
        format!(
            "the plan costs {} USD more: month 1 holds what the decisions buy now, not more, and every later purchase passes the decision's rules (the static choice need do neither)",
            super::fmt_usd(-saving_usd)
        )
    }
}

/// A rung's figures: its saving against the flexible way, the odds it loses on the
/// forecast, and the rules it fails.
fn rung_figures(b: &Purchase) -> String {
    let mut parts = vec![match b.saving_pct {
        Some(pct) if b.saving_usd >= 0.0 => format!(
            "saves {} USD ({}) against flexible PTUs at the window in use",
            super::fmt_usd(b.saving_usd),
            super::fmt_pct(pct / 100.0)
        ),
        _ => format!(
            "costs {} USD more than flexible PTUs at the window in use",
            super::fmt_usd(-b.saving_usd)
        ),
    }];
    if let Some(p) = b.loss_probability {
        parts.push(format!(
            "{} chance it costs more than the flexible option across the forecast's range",
            super::fmt_pct(p)
        ));
    }
    let mut checks = Vec::new();
    for c in &b.checks {
        checks.push(match c {
            RungCheck::BelowMinSaving {
                windows_s,
                min_saving_pct,
            } => format!(
                "saves less than {}% at {} s",
                min_saving_pct,
                windows_s
                    .iter()
                    .map(|w| w.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            RungCheck::ShortLog {
                span_days,
                min_span_days,
            } => format!("the log is {span_days:.1} days, under --min-span-days {min_span_days}"),
            RungCheck::CoarseLog { bucket } => format!(
                "the log is totals per {}, which hide the bursts a reservation is sized for",
                bucket.as_str()
            ),
            RungCheck::RetiresInTerm { model, date } => {
                format!("{model} retires on {date}, inside the term")
            }
        });
    }
    if b.decided && !checks.is_empty() {
        // Month 1 is what the decisions buy: they weigh it against the flexible option at
        // every window of the band, and price a retirement inside the term with the
        // replacement's plan, which this plan leaves out.
        parts.push(format!(
            "on this plan's own terms it would not hold ({}), but the decision, which prices a retirement with the replacement's plan, buys it (see its reasons)",
            checks.join("; ")
        ));
    } else {
        parts.extend(checks);
    }
    parts.join("; ")
}

fn ladder_sections(name: &str, l: &LadderPlan) -> Vec<Section> {
    let mut out = Vec::new();
    let mut idle = Vec::new();
    let months = l.horizon_months;
    let source = match l.growth_source {
        GrowthSource::Forecast => "each workload's own forecast (its median month; the odds come from the forecast's range)",
        GrowthSource::Flag => "--growth-pct",
        GrowthSource::File => "the scenario file's growth",
    };
    let intro = vec![format!(
        "Month by month over the {months} months of scenario `{name}` (growth from {source}): the PTUs each pool (region x provisioned type) holds on 1-year reservations, on stacked 1-month reservations, and what goes to Standard, chosen from the PTU counts the exact search evaluated at each month's traffic. Every 1-year purchase after month 1 passes the decision's rules."
    )];
    for p in &l.pools {
        if p.months
            .iter()
            .all(|m| m.deployed_ptus == 0 && m.reserved_1_year_ptus == 0)
        {
            idle.push(format!(
                "{} {}: no PTU count pays off in any month; {} on Standard, {} USD over the horizon",
                p.region,
                p.deployment_type,
                p.chargeback
                    .iter()
                    .map(|c| c.deployment.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                super::fmt_usd(p.horizon_cost_usd)
            ));
            continue;
        }
        let rows = p
            .months
            .iter()
            .map(|m| {
                vec![
                    m.month.to_string(),
                    m.reserved_1_year_ptus.to_string(),
                    m.flex_ptus.to_string(),
                    m.deployed_ptus.to_string(),
                    super::fmt_usd(m.reserved_1_year_cost_usd + m.flex_cost_usd),
                    super::fmt_usd(m.spillover_cost_usd + m.standard_cost_usd),
                    super::fmt_usd(m.cost_usd),
                ]
            })
            .collect();
        let mut notes: Vec<String> = p
            .purchases
            .iter()
            .map(|b| {
                format!(
                    "{} {} PTUs on a 1-year reservation in month {} ({} USD{}): {}",
                    if b.decided {
                        "the decision buys"
                    } else {
                        "buy"
                    },
                    b.ptus,
                    b.month,
                    super::fmt_usd(b.cost_usd),
                    if b.terms > 1 {
                        format!(", {} terms with renewals", b.terms)
                    } else {
                        String::new()
                    },
                    rung_figures(b)
                )
            })
            .collect();
        if p.purchases.is_empty() {
            notes.push("no 1-year reservation pays off and passes the decision's rules".to_owned());
        }
        for b in &p.rejected_purchases {
            notes.push(format!(
                "not bought: {} PTUs on a 1-year reservation in month {} ({} USD): {}",
                b.ptus,
                b.month,
                super::fmt_usd(b.cost_usd),
                rung_figures(b)
            ));
        }
        for r in &p.retired {
            notes.push(format!(
                "{} ({}) leaves the plan in month {}: the model retires on {} (scenario `retirement` prices its replacement)",
                r.deployment, r.model, r.from_month, r.retirement
            ));
        }
        notes.push(format!(
            "plan: {} USD over the horizon{}; best static choice: {}, {} USD; {}",
            super::fmt_usd(p.plan_cost_usd),
            if p.committed_after_horizon_usd > 0.0 {
                format!(
                    " (of which {} USD are 1-year months after it)",
                    super::fmt_usd(p.committed_after_horizon_usd)
                )
            } else {
                String::new()
            },
            super::text::static_choice_text(&p.best_static),
            super::fmt_usd(p.best_static.cost_usd),
            against_static(p.savings_vs_static_usd)
        ));
        for c in &p.chargeback {
            notes.push(format!(
                "chargeback {} ({}): {} of the PTU capacity used, {} USD PTUs + {} USD Standard = {} USD",
                c.deployment,
                c.model,
                super::fmt_pct(c.share_of_consumed_ptu_capacity),
                super::fmt_usd(c.ptu_cost_usd),
                super::fmt_usd(c.standard_cost_usd),
                super::fmt_usd(c.cost_usd)
            ));
        }
        if p.unallocated_ptu_cost_usd > 0.0 {
            notes.push(format!(
                "charged to no workload: {} USD of reserved PTUs in months no member deploys on (after their models retire); the pool still owes them",
                super::fmt_usd(p.unallocated_ptu_cost_usd)
            ));
        }
        out.push(Section {
            heading: format!(
                "Reservation plan: {name}, {} {} ({months} months)",
                p.region, p.deployment_type
            ),
            intro: if out.is_empty() {
                intro.clone()
            } else {
                Vec::new()
            },
            headers: vec![
                "Month",
                "1-year PTUs",
                if p.flex_billing == crate::plan::Billing::Hourly {
                    "Hourly PTUs"
                } else {
                    "1-month PTUs"
                },
                "Deployed PTUs",
                "PTUs [USD]",
                "Standard [USD]",
                "Total [USD]",
            ],
            right_aligned: (0..7).collect(),
            rows,
            notes,
        });
    }
    let mut notes = idle;
    notes.extend(l.outside_pools.iter().map(|o| {
        format!(
            "{} ({} @ {}) is in no pool ({}): {} USD over the horizon",
            o.deployment,
            o.model,
            o.region,
            super::text::outside_reason_text(o.reason),
            super::fmt_usd(o.monthly_cost_usd.iter().sum())
        )
    }));
    notes.extend(l.outside_pools.iter().filter_map(|o| {
        o.retired_from_month.map(|m| {
            format!(
                "{} ({}) leaves the plan in month {m}: its model retires",
                o.deployment, o.model
            )
        })
    }));
    notes.extend(l.notes.iter().cloned());
    notes.push(format!(
        "total: {} USD over {months} months (best static: {} USD; {})",
        super::fmt_usd(l.plan_cost_usd),
        super::fmt_usd(l.best_static_cost_usd),
        against_static(l.savings_vs_static_usd)
    ));
    notes.extend(
        super::text::LADDER_ASSUMPTIONS
            .iter()
            .map(|a| format!("assumption: {a}")),
    );
    out.push(Section {
        heading: format!("Reservation plan: {name}, all pools"),
        intro: if out.is_empty() { intro } else { Vec::new() },
        headers: Vec::new(),
        right_aligned: Vec::new(),
        rows: Vec::new(),
        notes,
    });
    out
}
