//! CSV: one row per workload x option, with a deliberate flat schema ([`OptionRow`]). Text
//! cells go through [`csv_cell`] (no control characters, no spreadsheet formulas).

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use super::escape::csv_cell;
use crate::report::text::{latency_summary, notes_text, ptus_basis_text, reasons_text};
use crate::report::Report;

/// One CSV row. Columns are a contract: add at the end, never rename.
#[derive(Debug, Serialize)]
pub struct OptionRow<'a> {
    /// Deployment name.
    pub deployment: Cow<'a, str>,
    /// Model id.
    pub model: Cow<'a, str>,
    /// Region.
    pub region: Cow<'a, str>,
    /// Option id.
    pub option: &'a str,
    /// Deployment type.
    pub deployment_type: &'a str,
    /// Billing.
    pub billing: &'a str,
    /// Where inference is processed.
    pub processing: Cow<'a, str>,
    /// PTUs (empty for per-token).
    pub ptus: Option<u32>,
    /// Whether available.
    pub available: bool,
    /// Whether it may be recommended.
    pub eligible: bool,
    /// Whether it is the decision.
    pub recommended: bool,
    /// Cost over the span, USD.
    pub cost_usd: Option<f64>,
    /// Monthly cost, USD.
    pub monthly_cost_usd: Option<f64>,
    /// Share not served by the PTU deployment (failed or spilled).
    pub throttle_rate: Option<f64>,
    /// Failed requests (429 after retries, or a prompt-limit 400).
    pub throttled_requests: Option<u64>,
    /// Spilled requests.
    pub spilled_requests: Option<u64>,
    /// Spillover cost, USD.
    pub spillover_cost_usd: Option<f64>,
    /// p99 per-minute utilization.
    pub utilization_p99: Option<f64>,
    /// Minutes over capacity.
    pub minutes_over_capacity: Option<u64>,
    /// Reason it is unavailable or ineligible.
    pub reason: Cow<'a, str>,
    /// Note.
    pub note: Cow<'a, str>,
    /// Display currency code from `--overrides` (empty when none).
    pub currency: &'a str,
    /// Monthly cost in that currency (empty when none).
    pub monthly_cost_display: Option<f64>,
    /// How the PTU count was chosen (provisioned options).
    pub ptus_basis: String,
    /// Failed share.
    pub throttled_share: Option<f64>,
    /// Spilled share.
    pub spilled_share: Option<f64>,
    /// Requests answered 400 for a prompt above the PTU prompt limit.
    pub context_limit_requests: Option<u64>,
    /// The model's retirement on the run's as-of date ("retired on 2026-10-01; replacement
    /// gpt-5.1", "retires on ..."); empty when no schedule gives a date.
    pub lifecycle: String,
    /// Promised output speed, tokens per second (empty: none).
    pub latency_target_tokens_per_s: Option<f64>,
    /// What is known about the option's latency.
    pub latency: String,
    /// Whether the model's monthly tokens exceed its usage tier (Standard latency risk).
    pub usage_tier_risk: bool,
    /// The Standard quota in force (`unlimited`, `tier-1`, `negotiated`, `unknown`; empty:
    /// no Standard quota applies).
    pub quota_basis: &'a str,
    /// Requests the Standard quota answered 429.
    pub quota_rejected_requests: Option<u64>,
    /// The smallest level keeping the option within the throttle target.
    pub quota_needs_level: &'a str,
    /// The smallest TPM quota keeping it within the target.
    pub quota_needs_tpm: Option<u64>,
    /// Mean utilization at the option's PTU count: the served share of its capacity (1.0 =
    /// 100%, never above).
    pub utilization_mean: Option<f64>,
    /// Mean demand over the capacity at that count (2.0 = twice what it serves).
    pub demand_to_capacity: Option<f64>,
    /// What signing the reservation commits to, USD for its whole term.
    pub commitment_usd: Option<f64>,
    /// Hours of log the monthly figures are projected from.
    pub span_hours: f64,
    /// Set when that is less than 7 days: the monthly figures are a projection of a short span.
    pub projection_note: &'a str,
    /// The workload's decision status: `firm`, `provisional` or `none` (the same on every row
    /// of the workload).
    pub decision_status: &'a str,
    /// The decided option's PTUs (the same on every row of the workload).
    pub decision_ptus: Option<u32>,
    /// The decided option's monthly cost, USD (the same on every row of the workload).
    pub decision_monthly_cost_usd: Option<f64>,
    /// What the decision commits to, USD (the same on every row of the workload).
    pub decision_commitment_usd: f64,
}

/// Write the report as CSV.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let as_of = report
        .catalog
        .in_force_on
        .as_deref()
        .and_then(|d| d.parse::<chrono::NaiveDate>().ok());
    for p in &report.workloads {
        let lifecycle = match (&p.lifecycle, as_of) {
            (Some(s), Some(d)) => s.retirement_phrase(d).unwrap_or_default(),
            _ => String::new(),
        };
        let decided = p.decision.option.as_ref().map(|o| o.option_id.as_str());
        for o in &p.options {
            w.serialize(OptionRow {
                deployment: csv_cell(&p.deployment),
                model: csv_cell(&p.model),
                region: csv_cell(&p.region),
                option: &o.id,
                deployment_type: o.deployment_type.as_str(),
                billing: o.billing.as_str(),
                processing: csv_cell(&o.processing),
                ptus: o.ptus,
                available: o.available,
                eligible: o.eligible,
                recommended: decided == Some(o.id.as_str()),
                cost_usd: o.cost_usd.map(round2),
                monthly_cost_usd: o.monthly_cost_usd.map(round2),
                throttle_rate: o.throttle_rate.map(round6),
                throttled_requests: o.throttled_requests,
                spilled_requests: o.spilled_requests,
                spillover_cost_usd: o.spillover_cost_usd.map(round2),
                utilization_p99: o.utilization_p99.map(round6),
                minutes_over_capacity: o.minutes_over_capacity,
                reason: Cow::Owned(
                    csv_cell(&reasons_text(&o.reason).unwrap_or_default()).into_owned(),
                ),
                note: Cow::Owned(csv_cell(&notes_text(&o.note).unwrap_or_default()).into_owned()),
                currency: report.currency.as_ref().map_or("", |c| c.code.as_str()),
                monthly_cost_display: report
                    .currency
                    .as_ref()
                    .and_then(|c| o.monthly_cost_usd.map(|m| round2(c.from_usd(m)))),
                ptus_basis: o
                    .ptus_basis
                    .as_ref()
                    .map(ptus_basis_text)
                    .unwrap_or_default(),
                throttled_share: o.throttled_share.map(round6),
                spilled_share: o.spilled_share.map(round6),
                context_limit_requests: o.context_limit_requests,
                lifecycle: lifecycle.clone(),
                latency_target_tokens_per_s: o.latency.target_tokens_per_s,
                latency: latency_summary(&o.latency),
                usage_tier_risk: o.latency.usage_tier_risk.is_some(),
                quota_basis: o.standard_quota.as_ref().map_or("", |q| q.basis.as_str()),
                quota_rejected_requests: o.standard_quota.as_ref().map(|q| q.rejected_requests),
                quota_needs_level: o
                    .standard_quota
                    .as_ref()
                    .and_then(|q| q.needs_level.as_deref())
                    .unwrap_or(""),
                quota_needs_tpm: o.standard_quota.as_ref().and_then(|q| q.needs_tpm),
                utilization_mean: o.utilization_mean.map(round6),
                demand_to_capacity: o.demand_to_capacity.map(round6),
                commitment_usd: o.commitment_usd.map(round2),
                span_hours: report.input.hours,
                projection_note: report.input.projection_note.as_deref().unwrap_or(""),
                decision_status: p.decision.status.as_str(),
                decision_ptus: p.decision.option.as_ref().and_then(|o| o.ptus),
                decision_monthly_cost_usd: p.decision.monthly_cost_usd().map(round2),
                decision_commitment_usd: round2(p.decision.commitment_usd()),
            })
            .map_err(io::Error::other)?;
        }
    }
    w.flush()
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}
