//! Why an option wins, in words, from the plan's own numbers: the saving against the cheapest
//! Standard option, the break-even utilization of each provisioned billing against the
//! workload's own utilization at its count (`sizing.<type>.break_even_utilization_by_billing`,
//! `options[].utilization_mean`), what a reservation commits to (PTUs x the term's price), the
//! share spilled to Standard and its cost, the burst-sensitivity range, the model's retirement
//! and the Standard quota the recommendation needs.
//!
//! [`Decision::reason`] is the one-sentence form the terminal summary and the Markdown and
//! HTML summary tables show; [`Decision::explanation`] is the full list every human format
//! prints per workload. Both are plain text: each renderer escapes for its sink.

use super::{fmt_int, fmt_pct, fmt_usd, Report};
use crate::catalog::DeploymentTypeId;
use crate::plan::{Billing, OptionPlan, TypeSizing, WorkloadPlan};

/// A workload's decision: the recommended option and what it is compared with.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    /// The workload.
    pub workload: &'a WorkloadPlan,
    /// The recommended option (None: no eligible option).
    pub recommended: Option<&'a OptionPlan>,
    /// The cheapest Standard option (Global, Data Zone or regional) available on a confirmed
    /// basis (never one only inferred, [U]), the baseline of the saving.
    pub cheapest_standard: Option<&'a OptionPlan>,
    /// The cheapest available provisioned option, eligible ones first: the PTU option the
    /// decision is argued against (or for).
    pub best_ptu: Option<&'a OptionPlan>,
}

/// The decision for `w`.
pub fn decide(w: &WorkloadPlan) -> Decision<'_> {
    let recommended = w
        .recommended
        .as_ref()
        .and_then(|id| w.options.iter().find(|o| &o.id == id));
    let monthly = |o: &&OptionPlan| o.monthly_cost_usd.filter(|c| c.is_finite());
    let cheapest_standard = w
        .options
        .iter()
        .filter(|o| {
            o.is_confirmed_available()
                && o.billing == Billing::PerToken
                && o.deployment_type.is_standard()
        })
        .filter(|o| monthly(o).is_some())
        .min_by(|a, b| {
            monthly(a)
                .unwrap_or(0.0)
                .total_cmp(&monthly(b).unwrap_or(0.0))
        });
    let best_ptu = w
        .options
        .iter()
        .filter(|o| o.available && o.ptus.is_some() && monthly(o).is_some())
        .min_by(|a, b| {
            b.eligible.cmp(&a.eligible).then(
                monthly(a)
                    .unwrap_or(0.0)
                    .total_cmp(&monthly(b).unwrap_or(0.0)),
            )
        });
    Decision {
        workload: w,
        recommended,
        cheapest_standard,
        best_ptu,
    }
}

/// `1-year`, `1-month`, `hourly`, `per-token`: a billing as the summary names it.
pub fn billing_short(b: Billing) -> &'static str {
    match b {
        Billing::PerToken => "per-token",
        Billing::Hourly => "hourly",
        Billing::Reserved1Month => "1-month",
        Billing::Reserved1Year => "1-year",
    }
}

/// `Global PTU`, `DZ Std`, ...: a deployment type in at most 12 columns, for narrow terminals.
pub fn type_short(t: DeploymentTypeId) -> &'static str {
    use DeploymentTypeId as D;
    match t {
        D::GlobalStandard => "Global Std",
        D::DataZoneStandard => "DZ Std",
        D::RegionalStandard => "Reg Std",
        D::GlobalBatch => "Global Batch",
        D::DataZoneBatch => "DZ Batch",
        D::GlobalFlex => "Global Flex",
        D::GlobalPriority => "Global Prio",
        D::DataZonePriority => "DZ Prio",
        D::GlobalProvisioned => "Global PTU",
        D::DataZoneProvisioned => "DZ PTU",
        D::RegionalProvisioned => "Reg PTU",
    }
}

/// What sets a per-token recommendation apart from Standard, if anything.
fn kind_note(o: &OptionPlan) -> Option<&'static str> {
    if o.deployment_type.is_batch() {
        Some("Batch, allowed by --batch-eligible: 24 h turnaround")
    } else if o.deployment_type.is_flex() {
        Some("Flex, allowed by --flex-eligible: no latency SLA")
    } else if matches!(
        o.deployment_type,
        DeploymentTypeId::GlobalPriority | DeploymentTypeId::DataZonePriority
    ) {
        Some("Priority: a latency target at a premium")
    } else {
        None
    }
}

/// `1-year PTU`, `hourly PTU`: a provisioned billing in a sentence.
fn ptu_billing(b: Billing) -> String {
    format!("{} PTU", billing_short(b))
}

/// A utilization threshold in a sentence: `81.0%`.
fn pct(u: f64) -> String {
    fmt_pct(u)
}

impl<'a> Decision<'a> {
    /// The cheapest Standard option's monthly cost minus the recommendation's, USD (None when
    /// either is missing).
    pub fn saving_usd(&self) -> Option<f64> {
        let rec = self.recommended?.monthly_cost_usd?;
        let std = self.cheapest_standard?.monthly_cost_usd?;
        Some(std - rec)
    }

    /// The saving as a share of the cheapest Standard option's cost.
    pub fn saving_share(&self) -> Option<f64> {
        let std = self.cheapest_standard?.monthly_cost_usd?;
        let s = self.saving_usd()?;
        (std > 0.0).then(|| s / std)
    }

    /// The saving cell: `-` when the recommendation is the cheapest Standard option itself,
    /// else `1,234.56 (9.0%)` (negative when it costs more, e.g. a latency promise).
    pub fn saving_cell(&self) -> String {
        match (self.recommended, self.cheapest_standard, self.saving_usd()) {
            (Some(r), Some(s), _) if r.id == s.id => "-".to_owned(),
            (_, _, Some(usd)) => match self.saving_share() {
                Some(share) => format!("{}\n({})", fmt_usd(usd), pct(share)),
                None => fmt_usd(usd),
            },
            _ => String::new(),
        }
    }

    fn sizing(&self, o: &OptionPlan) -> Option<&'a TypeSizing> {
        self.workload.sizing.get(&o.deployment_type)
    }

    fn break_even(&self, o: &OptionPlan) -> Option<f64> {
        self.sizing(o)?
            .break_even_utilization_by_billing
            .get(&o.billing)
            .copied()
    }

    /// "1-year PTU pays above 81.0% utilization; yours would run at 91.0%" for a provisioned
    /// option, or "... never pays: it breaks even at 310.2% utilization".
    fn break_even_phrase(&self, o: &OptionPlan) -> Option<String> {
        let be = self.break_even(o)?;
        let at = o.utilization_mean?;
        let n = fmt_int(u64::from(o.ptus?));
        let mut phrase = if be > 1.0 {
            format!(
                "{} never pays: it breaks even at {} utilization; {n} PTU would run at {}",
                ptu_billing(o.billing),
                pct(be),
                pct(at)
            )
        } else {
            format!(
                "{} pays above {} utilization; {n} PTU would run at {}",
                ptu_billing(o.billing),
                pct(be),
                pct(at)
            )
        };
        // An overloaded deployment pays for what it spills: say so, or the threshold misleads.
        if let Some(s) = o
            .spilled_share
            .filter(|s| *s >= 0.05 && self.recommended.is_some_and(|r| r.id != o.id))
        {
            phrase.push_str(&format!(
                " and spill {} to Standard ({} USD/mo in all)",
                pct(s),
                fmt_usd(o.monthly_cost_usd.unwrap_or(0.0))
            ));
        }
        Some(phrase)
    }

    /// The one-sentence reason of the summary table.
    pub fn reason(&self, report: &Report) -> String {
        let w = self.workload;
        let Some(rec) = self.recommended else {
            return self.no_recommendation_reason();
        };
        let mut parts = Vec::new();
        if rec.ptus.is_some() {
            parts.extend(self.break_even_phrase(rec));
            if let Some(s) = rec.spilled_share.filter(|s| *s > 0.0) {
                parts.push(format!(
                    "{} spills to Standard ({} USD/mo)",
                    pct(s),
                    fmt_usd(monthly_spill(rec, report))
                ));
            }
            if let Some(c) = commitment_phrase(rec) {
                parts.push(format!("commits {c}"));
            }
            if let Some((lo, hi)) = burst_range(self.sizing(rec)) {
                parts.push(format!(
                    "needs {} to {} PTU by burst allowance",
                    fmt_int(u64::from(lo)),
                    fmt_int(u64::from(hi))
                ));
            }
        } else {
            parts.push(self.per_token_reason(rec, report));
        }
        if let Some(r) = retirement_phrase(w, report) {
            parts.push(match outlived_term(w, rec, report) {
                Some(term) => format!("{r}, before a {term} reservation ends"),
                None => r,
            });
        }
        if rec.ptus.is_none() {
            if let Some(q) = quota_phrase(rec) {
                parts.push(q);
            }
        }
        capitalize(&parts.join("; "))
    }

    fn per_token_reason(&self, rec: &OptionPlan, report: &Report) -> String {
        let w = self.workload;
        let what = match kind_note(rec) {
            Some(k) => k.to_owned(),
            None if self.cheapest_standard.is_some_and(|s| s.id == rec.id) => {
                "per-token is cheapest".to_owned()
            }
            None => "the cheapest eligible option".to_owned(),
        };
        match self.best_ptu {
            Some(p) if p.eligible => match self.break_even_phrase(p) {
                Some(be) => format!("{what}: {be}"),
                None => format!(
                    "{what}: {} at {} PTU costs {} USD/mo",
                    p.id,
                    fmt_int(u64::from(p.ptus.unwrap_or(0))),
                    fmt_usd(p.monthly_cost_usd.unwrap_or(0.0))
                ),
            },
            Some(p) => format!(
                "{what}; no PTU option is eligible ({})",
                p.reason.as_deref().unwrap_or("see --details")
            ),
            None if w.input_tpm_per_ptu.is_none() => {
                format!("{what}; {} has no PTU offer", w.model)
            }
            None => format!(
                "{what}; no PTU type is offered for {} in {}{}",
                w.model,
                w.region,
                residency_suffix(report)
            ),
        }
    }

    fn no_recommendation_reason(&self) -> String {
        let w = self.workload;
        let mut reasons: Vec<String> = Vec::new();
        for o in w.options.iter().filter(|o| o.available) {
            if let Some(r) = &o.reason {
                if !reasons.contains(r) {
                    reasons.push(r.clone());
                }
            }
        }
        if let Some(r) = w.lifecycle.as_ref().filter(|l| l.retired) {
            return format!(
                "No eligible option: {} is retired{}",
                w.model,
                r.replacement
                    .as_ref()
                    .map(|x| format!(" (replacement {x})"))
                    .unwrap_or_default()
            );
        }
        match reasons.as_slice() {
            [] if w.options.iter().any(|o| o.available) => {
                "No eligible option: no available option has a price".to_owned()
            }
            [] => format!(
                "No eligible option: nothing is available for {} in {}",
                w.model, w.region
            ),
            [one] => format!("No eligible option: {one}"),
            [first, rest @ ..] => format!(
                "No eligible option: {first} (and {} other reason(s))",
                rest.len()
            ),
        }
    }

    /// Every line of the explanation, for the per-workload sections of every human format.
    pub fn explanation(&self, report: &Report) -> Vec<String> {
        let w = self.workload;
        let mut lines = vec![self.headline(report)];
        for (t, sizing) in &w.sizing {
            if let Some(line) = self.break_even_line(*t, sizing) {
                lines.push(line);
            }
        }
        match self.best_ptu {
            None if w.input_tpm_per_ptu.is_none() => {
                lines.push(format!("PTU: {} has no PTU offer.", w.model));
            }
            None => lines.push(format!(
                "PTU: no provisioned type is offered for {} in {}{}.",
                w.model,
                w.region,
                residency_suffix(report)
            )),
            Some(p) if !p.eligible => lines.push(format!(
                "PTU: no provisioned option is eligible; the cheapest, {}, {}.",
                p.id,
                p.reason.as_deref().unwrap_or("is not eligible")
            )),
            Some(_) => {}
        }
        let focus = self
            .recommended
            .filter(|r| r.ptus.is_some())
            .or(self.best_ptu);
        if let Some(p) = focus {
            lines.extend(self.commitment_line(p));
            if let Some(s) = p.spilled_share.filter(|s| *s > 0.0) {
                lines.push(format!(
                    "Spillover: at {} PTU, {} of requests spill from {} to Standard, {} USD/mo of its {} USD/mo.",
                    fmt_int(u64::from(p.ptus.unwrap_or(0))),
                    pct(s),
                    p.id,
                    fmt_usd(monthly_spill(p, report)),
                    fmt_usd(p.monthly_cost_usd.unwrap_or(0.0))
                ));
            }
        }
        for (t, sizing) in &w.sizing {
            lines.extend(burst_line(*t, sizing));
        }
        if let Some(r) = retirement_phrase(w, report) {
            lines.push(format!("Lifecycle: {r}."));
        }
        if let Some(q) = self.recommended.and_then(|r| r.standard_quota.as_ref()) {
            if !q.note.is_empty() {
                lines.push(format!("Standard quota: {}.", q.note));
            }
        }
        lines
    }

    fn headline(&self, report: &Report) -> String {
        let _ = report;
        let Some(rec) = self.recommended else {
            return format!("{}.", self.no_recommendation_reason());
        };
        let count = rec
            .ptus
            .map(|n| format!(" at {} PTU", fmt_int(u64::from(n))))
            .unwrap_or_default();
        let basis = rec
            .ptus_basis
            .as_ref()
            .map(|b| format!(" ({b})"))
            .unwrap_or_default();
        let kind = kind_note(rec)
            .map(|k| format!(" ({k})"))
            .unwrap_or_default();
        let cost = fmt_usd(rec.monthly_cost_usd.unwrap_or(0.0));
        let versus = match (self.cheapest_standard, self.saving_usd()) {
            (Some(s), _) if s.id == rec.id => "the cheapest Standard option".to_owned(),
            (Some(s), Some(usd)) if usd >= 0.0 => format!(
                "{} USD/mo ({}) less than the cheapest Standard option, {} at {} USD/mo",
                fmt_usd(usd),
                pct(self.saving_share().unwrap_or(0.0)),
                s.id,
                fmt_usd(s.monthly_cost_usd.unwrap_or(0.0))
            ),
            (Some(s), Some(usd)) => format!(
                "{} USD/mo ({}) more than the cheapest Standard option, {} at {} USD/mo",
                fmt_usd(-usd),
                pct(-self.saving_share().unwrap_or(0.0)),
                s.id,
                fmt_usd(s.monthly_cost_usd.unwrap_or(0.0))
            ),
            _ => "no Standard option is available to compare with".to_owned(),
        };
        format!(
            "Recommended: {}{count}{basis}{kind}, {cost} USD/mo: {versus}.",
            rec.id
        )
    }

    /// "global-provisioned breaks even with per-token pricing at 1,010.3% utilization hourly,
    /// 369.6% on a 1-month and 316.6% on a 1-year reservation; at 15 PTU this workload would run
    /// at 3.5% (every billing's count)."
    fn break_even_line(&self, t: DeploymentTypeId, sizing: &TypeSizing) -> Option<String> {
        let w = self.workload;
        let opts: Vec<&OptionPlan> = Billing::PROVISIONED
            .iter()
            .filter_map(|b| {
                w.options
                    .iter()
                    .find(|o| o.deployment_type == t && o.billing == *b && o.available)
            })
            .collect();
        let thresholds: Vec<String> = opts
            .iter()
            .filter_map(|o| {
                let be = sizing.break_even_utilization_by_billing.get(&o.billing)?;
                Some(format!("{} {}", pct(*be), billing_short(o.billing)))
            })
            .collect();
        if thresholds.is_empty() {
            return None;
        }
        let mut counts: Vec<(u32, f64)> = opts
            .iter()
            .filter_map(|o| Some((o.ptus?, o.utilization_mean?)))
            .collect();
        counts.dedup_by_key(|c| c.0);
        let at = counts
            .iter()
            .map(|(n, u)| format!("{} at {} PTU", pct(*u), fmt_int(u64::from(*n))))
            .collect::<Vec<_>>()
            .join(", ");
        let against = self
            .cheapest_standard
            .map_or("per-token pricing".to_owned(), |s| s.id.clone());
        Some(format!(
            "Break-even: {t} pays against {against} above a mean utilization of {}; this workload would run at {at}.",
            thresholds.join(", ")
        ))
    }

    fn commitment_line(&self, p: &OptionPlan) -> Option<String> {
        let w = self.workload;
        let terms: Vec<String> = w
            .options
            .iter()
            .filter(|o| o.deployment_type == p.deployment_type && o.available)
            .filter_map(|o| {
                Some(format!(
                    "{}: {}",
                    billing_short(o.billing),
                    commitment_phrase(o)?
                ))
            })
            .collect();
        if terms.is_empty() {
            return None;
        }
        let signed = self.recommended.is_some_and(|r| r.commitment_usd.is_some());
        Some(format!(
            "Commitment{}: {} (PTUs x the term's price per PTU, owed whatever the traffic).",
            if signed { "" } else { " if reserved" },
            terms.join("; ")
        ))
    }
}

/// "655 x 2,916.00 = 1,909,980.00 USD" for a reservation.
pub fn commitment_phrase(o: &OptionPlan) -> Option<String> {
    let total = o.commitment_usd?;
    let per = o.reservation_usd_per_ptu?;
    Some(format!(
        "{} x {} = {} USD",
        fmt_int(u64::from(o.ptus?)),
        fmt_usd(per),
        fmt_usd(total)
    ))
}

/// The spillover cost of an option per 730-hour month.
fn monthly_spill(o: &OptionPlan, report: &Report) -> f64 {
    crate::plan::cost::monthly_usd(o.spillover_cost_usd.unwrap_or(0.0), report.input.hours)
}

/// The smallest and largest target count across the window band, when burst-sensitive.
fn burst_range(sizing: Option<&TypeSizing>) -> Option<(u32, u32)> {
    let s = sizing.filter(|s| s.burst_sensitive)?;
    let counts: Vec<u32> = s
        .min_ptus_for_target_by_window_s
        .values()
        .flatten()
        .copied()
        .collect();
    Some((*counts.iter().min()?, *counts.iter().max()?))
}

/// "Burst sensitivity: global-provisioned needs 55 to 670 PTU ... (670 at 1 s, 55 at 60 s; ...)".
pub fn burst_line(t: DeploymentTypeId, s: &TypeSizing) -> Option<String> {
    if !s.burst_sensitive {
        return None;
    }
    // Keys are seconds as text: order them as numbers.
    let mut windows: Vec<(f64, &String, Option<u32>)> = s
        .min_ptus_for_target_by_window_s
        .iter()
        .map(|(k, v)| (k.parse::<f64>().unwrap_or(0.0), k, *v))
        .collect();
    windows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let counts: Vec<u32> = windows.iter().filter_map(|w| w.2).collect();
    let lo = counts.iter().min().copied().unwrap_or(0);
    let hi = counts.iter().max().copied().unwrap_or(0);
    let each: Vec<String> = windows
        .iter()
        .map(|(_, k, v)| match v {
            Some(n) => format!("{} at {k} s", fmt_int(u64::from(*n))),
            None => format!("none found at {k} s"),
        })
        .collect();
    Some(format!(
        "Burst sensitivity: {t} needs {} to {} PTU depending on the unpublished burst allowance ({}; --bucket-window-s sets it, ptuplan calibrate fits it to a real deployment's log).",
        fmt_int(u64::from(lo)),
        fmt_int(u64::from(hi)),
        each.join(", ")
    ))
}

/// "gpt-4o retires on 2027-03-01 (replacement gpt-5.1)" when the model retires within a year
/// of the plan's date (a 1-year reservation would outlive it).
fn retirement_phrase(w: &WorkloadPlan, report: &Report) -> Option<String> {
    let l = w.lifecycle.as_ref()?;
    let r = l.retirement?;
    let on: chrono::NaiveDate = report.catalog.in_force_on.as_deref()?.parse().ok()?;
    if r > on + chrono::Days::new(365) {
        return None;
    }
    let verb = if r <= on { "retired on" } else { "retires on" };
    Some(format!(
        "{} {verb} {r}{}",
        w.model,
        l.replacement
            .as_ref()
            .map(|x| format!(" (replacement {x})"))
            .unwrap_or_default()
    ))
}

/// The term (`1-year`) of a reserved recommendation that the model's retirement cuts short.
fn outlived_term(w: &WorkloadPlan, rec: &OptionPlan, report: &Report) -> Option<&'static str> {
    let r = w.lifecycle.as_ref()?.retirement?;
    let on: chrono::NaiveDate = report.catalog.in_force_on.as_deref()?.parse().ok()?;
    let days = match rec.billing {
        Billing::Reserved1Year => 365,
        Billing::Reserved1Month => 30,
        _ => return None,
    };
    (r < on + chrono::Days::new(days)).then(|| billing_short(rec.billing))
}

/// "needs a 60K TPM quota" / "needs Tier 1 (300K TPM / 1.8K RPM)" for a per-token option
/// simulated without a quota.
fn quota_phrase(o: &OptionPlan) -> Option<String> {
    let q = o.standard_quota.as_ref()?;
    if q.rejected_requests > 0 {
        return Some(format!(
            "{} get 429 from the Standard quota",
            pct(q.rejected_share)
        ));
    }
    if q.basis != "unlimited" {
        return None;
    }
    match (&q.needs_level_limits, q.needs_tpm) {
        (Some(l), _) => Some(format!("needs a Standard quota of {l}")),
        (None, Some(tpm)) => Some(format!(
            "needs a {} TPM Standard quota",
            crate::plan::quota::fmt_count(tpm)
        )),
        _ => None,
    }
}

fn residency_suffix(report: &Report) -> String {
    report
        .assumptions
        .plan
        .constraints
        .residency
        .as_ref()
        .map(|r| format!(" within --residency {}", r.label()))
        .unwrap_or_default()
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{report_of, sample_workload};

    fn with_utilization(mut w: WorkloadPlan) -> WorkloadPlan {
        for o in &mut w.options {
            if o.ptus.is_some() {
                o.utilization_mean = Some(0.2);
            }
            if o.billing == Billing::Reserved1Year {
                o.reservation_usd_per_ptu = Some(2_652.0);
                o.commitment_usd = Some(15.0 * 2_652.0);
            }
        }
        let s = w
            .sizing
            .get_mut(&DeploymentTypeId::GlobalProvisioned)
            .expect("sized");
        s.break_even_utilization_by_billing = [
            (Billing::Hourly, 0.55),
            (Billing::Reserved1Month, 0.3),
            (Billing::Reserved1Year, 0.25),
        ]
        .into_iter()
        .collect();
        w
    }

    #[test]
    fn per_token_wins_with_the_break_even_in_words() {
        let w = with_utilization(sample_workload());
        let report = report_of(vec![w.clone()]);
        let d = decide(&report.workloads[0]);
        assert_eq!(
            d.recommended.map(|o| o.id.as_str()),
            Some("global-standard")
        );
        assert_eq!(d.saving_cell(), "-");
        assert_eq!(
            d.reason(&report),
            "Per-token is cheapest: 1-year PTU pays above 25.0% utilization; 15 PTU would run at 20.0%"
        );
        let lines = d.explanation(&report);
        assert_eq!(
            lines[0],
            "Recommended: global-standard, 300.00 USD/mo: the cheapest Standard option."
        );
        assert!(lines.iter().any(|l| l.contains(
            "above a mean utilization of 55.0% hourly, 30.0% 1-month, 25.0% 1-year; this workload would run at 20.0% at 15 PTU"
        )), "{lines:?}");
        assert!(lines.iter().any(|l| l == "Commitment if reserved: 1-year: 15 x 2,652.00 = 39,780.00 USD (PTUs x the term's price per PTU, owed whatever the traffic)."), "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("Spillover: at 15 PTU, 3.0% of requests spill")),
            "{lines:?}"
        );
    }

    #[test]
    fn a_reservation_wins_with_saving_commitment_spill_and_burst_range() {
        let mut w = with_utilization(sample_workload());
        w.recommended = Some("global-provisioned/reserved-1-year".to_owned());
        for o in &mut w.options {
            if o.billing == Billing::Reserved1Year {
                o.monthly_cost_usd = Some(273.0);
                o.cost_usd = Some(273.0);
                o.utilization_mean = Some(0.91);
                o.spillover_cost_usd = Some(12.5);
            }
        }
        let s = w
            .sizing
            .get_mut(&DeploymentTypeId::GlobalProvisioned)
            .expect("sized");
        s.burst_sensitive = true;
        s.min_ptus_for_target_by_window_s =
            [("1".to_owned(), Some(40)), ("60".to_owned(), Some(15))]
                .into_iter()
                .collect();
        s.break_even_utilization_by_billing
            .insert(Billing::Reserved1Year, 0.81);
        let report = report_of(vec![w]);
        let d = decide(&report.workloads[0]);
        assert_eq!(d.saving_cell(), "27.00\n(9.0%)");
        assert_eq!(
            d.reason(&report),
            "1-year PTU pays above 81.0% utilization; 15 PTU would run at 91.0%; 3.0% spills to Standard (12.50 USD/mo); commits 15 x 2,652.00 = 39,780.00 USD; needs 15 to 40 PTU by burst allowance"
        );
        let lines = d.explanation(&report);
        assert_eq!(
            lines[0],
            "Recommended: global-provisioned/reserved-1-year at 15 PTU (cost-optimal with spillover), 273.00 USD/mo: 27.00 USD/mo (9.0%) less than the cheapest Standard option, global-standard at 300.00 USD/mo."
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("Commitment: 1-year: 15 x 2,652.00")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("Burst sensitivity: global-provisioned needs 15 to 40 PTU")),
            "{lines:?}"
        );
    }

    #[test]
    fn no_recommendation_says_why() {
        let mut w = sample_workload();
        w.recommended = None;
        for o in &mut w.options {
            o.eligible = false;
            o.reason.get_or_insert_with(|| "not priced".to_owned());
        }
        let report = report_of(vec![w]);
        let d = decide(&report.workloads[0]);
        assert!(d.reason(&report).starts_with("No eligible option: "));
        assert_eq!(d.saving_cell(), "");
    }
}
