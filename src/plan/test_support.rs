//! A hand-built workload plan for unit tests (the plan's and the report's): one workload over a
//! 730-hour span (so span and monthly costs are equal) with easy numbers, decided by the rule.

use std::collections::BTreeMap;

use crate::catalog::DeploymentTypeId;
use crate::plan::{Billing, CurvePoint, DemandProfile, OptionPlan, TypeSizing, WorkloadPlan};
use crate::usage::WorkloadKey;

/// The workload key of `deployment` running `model` in `region`.
pub(crate) fn key(deployment: &str, model: &str, region: &str) -> WorkloadKey {
    WorkloadKey {
        deployment: deployment.to_owned(),
        model: model.to_owned(),
        region: region.to_owned(),
    }
}

pub(crate) fn option(id: &str, dt: DeploymentTypeId, billing: Billing) -> OptionPlan {
    OptionPlan {
        available: true,
        eligible: true,
        ..OptionPlan::unknown(id.to_owned(), dt, billing, "global".to_owned())
    }
}

fn priced(mut o: OptionPlan, monthly: f64) -> OptionPlan {
    o.cost_usd = Some(monthly);
    o.monthly_cost_usd = Some(monthly);
    o
}

fn provisioned(id: &str, billing: Billing, monthly: f64) -> OptionPlan {
    let mut o = priced(
        option(id, DeploymentTypeId::GlobalProvisioned, billing),
        monthly,
    );
    o.ptus = Some(15);
    o.ptus_basis = Some(crate::plan::remark::PtusBasis::CostOptimal(billing));
    o.throttle_rate = Some(0.03);
    o.throttled_share = Some(0.0);
    o.spilled_share = Some(0.03);
    o.context_limit_requests = Some(0);
    o.eligible = true;
    o
}

/// A workload `chat-prod` (gpt-4o @ eastus2): Global Standard 300 USD/mo (recommended),
/// Global Batch 150 (not eligible), Regional Standard unavailable, Global Provisioned at 15 PTUs
/// (hourly 10,950, 1-month 3,900, 1-year 3,315); 2,500 TPM per PTU.
pub fn sample_workload() -> WorkloadPlan {
    use DeploymentTypeId as D;
    let mut batch = priced(
        option("global-batch", D::GlobalBatch, Billing::PerToken),
        150.0,
    );
    batch.eligible = false;
    batch.reason = vec![crate::plan::remark::OptionReason::NeedsFlag(
        crate::plan::remark::Caveat::Batch,
    )];
    let mut regional = option("regional-standard", D::RegionalStandard, Billing::PerToken);
    regional.available = false;
    regional.eligible = false;
    regional.reason = vec![crate::plan::remark::OptionReason::Unavailable(
        crate::plan::remark::Unavailable::NotOffered {
            model: "gpt-4o".to_owned(),
            region: "eastus2".to_owned(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 4, 30).expect("a date"),
        },
    )];
    let options = vec![
        priced(
            option("global-standard", D::GlobalStandard, Billing::PerToken),
            300.0,
        ),
        batch,
        regional,
        provisioned("global-provisioned/hourly", Billing::Hourly, 10_950.0),
        provisioned(
            "global-provisioned/reserved-1-month",
            Billing::Reserved1Month,
            3_900.0,
        ),
        provisioned(
            "global-provisioned/reserved-1-year",
            Billing::Reserved1Year,
            3_315.0,
        ),
    ];
    let point = |ptus: u32, k: f64, throttle_rate: f64| CurvePoint {
        ptus,
        cost_usd: 10_950.0 * k,
        cost_1_month_usd: 3_900.0 * k,
        cost_1_year_usd: 3_315.0 * k,
        spillover_cost_usd: 0.0,
        throttle_rate,
        throttled_share: 0.0,
        spilled_share: throttle_rate,
        utilization_p99: 0.5 / k,
        spilled: Default::default(),
    };
    let sizing = TypeSizing {
        on_throttle: "spillover".to_owned(),
        peak_minute_ptus_raw: 12.0,
        peak_minute_ptus: 15,
        min_ptus_for_target: Some(30),
        also_meets_at: None,
        needs_more_than_ptus: None,
        min_ptus_for_target_by_window_s: [("1".to_owned(), Some(30)), ("60".to_owned(), Some(30))]
            .into_iter()
            .collect(),
        burst_sensitive: false,
        search_ceiling_ptus: 30,
        search_passes: 1,
        context_limit_requests: 0,
        ptu_max_prompt_tokens: None,
        usd_per_ptu_month_by_billing: BTreeMap::from([
            (Billing::Hourly, 730.0),
            (Billing::Reserved1Month, 260.0),
            (Billing::Reserved1Year, 221.0),
        ]),
        cost_optimal_ptus: 15,
        cost_optimal_ptus_by_billing: BTreeMap::new(),
        break_even_utilization: None,
        break_even_utilization_by_billing: BTreeMap::new(),
        curve: vec![point(15, 1.0, 0.03), point(30, 2.0, 0.005)],
    };
    let mut means = vec![vec![0.0; 24]; 7];
    means[0][9] = 7_500.0;
    let mut w = WorkloadPlan {
        requests: 10,
        prompt_tokens: 1_000,
        cached_tokens: 250,
        completion_tokens: 400,
        reasoning_tokens: 100,
        reasoning_share: 0.25,
        cached_share: 0.25,
        output_to_input_ratio: Some(4.0),
        ptu_accounting: Some(crate::catalog::accounting::PtuAccounting::OutputRatio { ratio: 4.0 }),
        input_tpm_per_ptu: Some(2_500.0),
        peak_minute_weighted_tpm: 2_000.0,
        p99_minute_weighted_tpm: 1_900.0,
        mean_weighted_tpm: 500.0,
        sizing: BTreeMap::from([(D::GlobalProvisioned, sizing)]),
        profile: DemandProfile {
            hourly_peak_weighted_tpm: vec![1_000.0, 2_000.0, 1_500.0],
            weekday_hour_mean_weighted_tpm: means,
        },
        tally: crate::catalog::accounting::TokenTally {
            short: crate::catalog::accounting::TokenCounts {
                requests: 10,
                input_tokens: 750,
                cached_input_tokens: 250,
                cache_write_tokens: 0,
                output_tokens: 400,
            },
            long: Default::default(),
        },
        ..bare_workload("chat-prod", "gpt-4o", options)
    };
    redecide(&mut w);
    w
}

/// A workload of `model` in eastus2 with `options` and nothing else: no requests, no tokens,
/// no sizing, no decision.
pub(crate) fn bare_workload(
    deployment: &str,
    model: &str,
    options: Vec<OptionPlan>,
) -> WorkloadPlan {
    WorkloadPlan {
        deployment: deployment.to_owned(),
        model: model.to_owned(),
        region: "eastus2".to_owned(),
        reasoning_model: false,
        lifecycle: None,
        requests: 0,
        failed_requests: 0,
        prompt_tokens: 0,
        cached_tokens: 0,
        cache_write_tokens: 0,
        long_context_requests: 0,
        long_context_prompt_tokens: 0,
        completion_tokens: 0,
        reasoning_tokens: 0,
        reasoning_share: 0.0,
        cached_share: 0.0,
        truncated_requests: 0,
        truncated_cost_usd: 0.0,
        truncated_cost_basis: None,
        requests_without_max_tokens: 0,
        output_to_input_ratio: None,
        ptu_accounting: None,
        input_tpm_per_ptu: None,
        peak_minute_weighted_tpm: 0.0,
        p99_minute_weighted_tpm: 0.0,
        mean_weighted_tpm: 0.0,
        options,
        by_window: Vec::new(),
        decision: Default::default(),
        sizing: BTreeMap::new(),
        sizing_other_types: BTreeMap::new(),
        logged_latency: None,
        usage_tier: crate::plan::quota::UsageTierView {
            tenant_tokens_per_month: 0.0,
            usage_tier_tokens_per_month: None,
            above: false,
            source: None,
        },
        daily: Default::default(),
        forecast: None,
        profile: DemandProfile {
            hourly_peak_weighted_tpm: Vec::new(),
            weekday_hour_mean_weighted_tpm: Vec::new(),
        },
        tally: Default::default(),
    }
}

/// Decide `w` again after a test changed its options: a 730-hour log, 60 s window, default
/// rules, as-of 2026-12-01.
pub fn redecide(w: &mut WorkloadPlan) {
    let rules = crate::plan::DecisionRules::default();
    w.decision = crate::plan::decision::decide(
        w,
        &crate::plan::decision::DecisionContext {
            rules: &rules,
            max_throttle_rate: 0.01,
            max_spill_rate: None,
            longest_term: Billing::Reserved1Year,
            span_hours: 730.0,
            log_granularity: crate::usage::Granularity::Request,
            run_window_s: 60.0,
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
            replacement: crate::plan::decision::Replacement::Unknown,
            residency: None,
        },
    );
}

/// The lifecycle of a model deprecated and retiring on `retirement` (YYYY-MM-DD), replaced by
/// `replacement`.
pub(crate) fn retiring_lifecycle(
    retirement: &str,
    replacement: Option<&str>,
) -> crate::catalog::lifecycle::LifecycleStatus {
    crate::catalog::lifecycle::LifecycleStatus {
        version: "v".into(),
        ga: None,
        stage: Some(crate::catalog::lifecycle::Stage::Deprecated),
        retirement: Some(retirement.parse().expect("date")),
        replacement: replacement.map(str::to_owned),
        schedule_published: None,
        other_schedules: Vec::new(),
        retired: false,
    }
}
