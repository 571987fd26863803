//! Hand-built reports for the report module's unit tests: one workload over a 730-hour span (so
//! span and monthly costs are equal) with easy numbers.

use super::{Assumptions, CatalogInfo, InputInfo, Report, Summary, SCHEMA_VERSION};
use crate::plan::remark::{OptionReason, Unavailable};
pub use crate::plan::test_support::{redecide, sample_workload};
use crate::plan::{PlanSettings, WorkloadPlan};
use crate::sim::SimParams;

/// Make `id` the decided option of `w`, firm, whatever the rule says (for renderers' tests).
pub fn force_decision(w: &mut WorkloadPlan, id: &str) {
    let o = w.options.iter().find(|o| o.id == id).expect("option");
    let choice = crate::plan::decision::Choice::of(o).expect("priced");
    w.decision.status = crate::plan::DecisionStatus::Firm;
    w.decision.saving_vs_flexible_usd = w
        .decision
        .flexible
        .as_ref()
        .map_or(0.0, |f| f.monthly_cost_usd - choice.monthly_cost_usd);
    w.decision.saving_vs_flexible_share = w
        .decision
        .flexible
        .as_ref()
        .map(|f| w.decision.saving_vs_flexible_usd / f.monthly_cost_usd);
    for bw in &mut w.decision.by_window {
        bw.decided = Some(choice.clone());
    }
    w.decision.option = Some(choice);
    w.decision.band = crate::plan::decision::band_case(&w.decision);
}

/// Take away `w`'s decision (no eligible option).
pub fn no_decision(w: &mut WorkloadPlan) {
    for o in &mut w.options {
        o.eligible = false;
        if o.reason.is_empty() {
            o.reason
                .push(OptionReason::Unavailable(Unavailable::NotPriced {
                    deployment_type: o.deployment_type,
                    model: "gpt-4o".to_owned(),
                    region: "eastus2".to_owned(),
                }));
        }
    }
    redecide(w);
}

/// A report holding [`sample_workload`] over 730 hours from 2026-10-01.
pub fn sample_report() -> Report {
    report_of(vec![sample_workload()])
}

/// A report over 730 hours holding `workloads`.
pub fn report_of(workloads: Vec<WorkloadPlan>) -> Report {
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        tool: "ptuplan test".to_owned(),
        generated_at: None,
        input: InputInfo {
            files: vec!["usage.csv".to_owned()],
            records: 10,
            skipped: 0,
            skipped_examples: Vec::new(),
            failed_requests: 0,
            start: "2026-10-01T00:13:05Z".to_owned(),
            end: "2026-10-31T09:59:00Z".to_owned(),
            hours: 730.0,
            granularity: crate::usage::Granularity::Request,
            granularity_note: None,
            buckets: 0,
            projection_note: None,
            readers: Vec::new(),
            spilled_requests: 0,
        },
        catalog: CatalogInfo {
            as_of: "2026-05-22".to_owned(),
            oldest_as_of: "2025-01-01".to_owned(),
            origin: "built-in".to_owned(),
            prices_file: None,
            prices_as_of: None,
            prices_endpoint: None,
            in_force_on: Some("2026-12-01".to_owned()),
        },
        assumptions: Assumptions {
            hours_per_month: 730.0,
            sim: SimParams::default(),
            plan: PlanSettings::default(),
        },
        summary: Summary::from_plans(&workloads),
        decision_summary: Default::default(),
        workloads,
        reservations: Vec::new(),
        scenarios: Vec::new(),
        projection: Default::default(),
        warnings: Vec::new(),
        overrides_applied: Vec::new(),
        currency: None,
    };
    report.decision_summary = super::DecisionSummary::of(&report);
    report
}

/// Recompute a test report's totals after its workloads' decisions changed.
pub fn refresh(report: &mut Report) {
    report.summary = Summary::from_plans(&report.workloads);
    report.decision_summary = super::DecisionSummary::of(report);
}
