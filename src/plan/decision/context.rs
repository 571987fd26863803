//! The reasons of a decision besides the rule's own: what the decided option adds (its
//! commitment, its spillover), the PTU side it is argued with (break-even, load, why no PTU
//! option is eligible), the model's lifecycle, and why nothing is eligible.

use super::{Choice, Decision, DecisionContext, Reason};
use crate::plan::cost::{self, Billing};
use crate::plan::remark::{ModeNote, OptionNote, OptionReason};
use crate::plan::{OptionPlan, WorkloadPlan};

/// What the decided option itself adds: its commitment, its spillover.
pub(super) fn option_reasons(
    plan: &WorkloadPlan,
    o: &Choice,
    ctx: &DecisionContext<'_>,
) -> Vec<Reason> {
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
    // A commitment whose spill lands on a target only the flag says is offered: the log
    // cannot tell whether it is, and without it those requests fail.
    if let Some(target) = stated_target(opt).filter(|_| o.is_commitment()) {
        let (window_s, worst) = plan
            .by_window
            .iter()
            .filter_map(|w| {
                let x = w.options.iter().find(|x| x.id == o.option_id)?;
                Some((w.window_s, x.spilled_share.unwrap_or(0.0)))
            })
            .chain([(ctx.run_window_s, o.spilled_share)])
            .fold(
                (ctx.run_window_s, 0.0),
                |best, x| if x.1 > best.1 { x } else { best },
            );
        if worst > 0.0 {
            out.push(Reason::SpillsIntoUnconfirmed {
                target,
                region: plan.region.clone(),
                worst_spilled_share: worst,
                window_s,
            });
        }
    }
    out
}

/// The spillover target of `o` whose availability is unconfirmed, planned only because
/// `--on-throttle spillover` states it is offered.
pub(super) fn stated_target(o: &OptionPlan) -> Option<crate::catalog::DeploymentTypeId> {
    o.note.iter().find_map(|n| match n {
        OptionNote::Mode(ModeNote::TargetStated(t)) => Some(*t),
        _ => None,
    })
}

/// The PTU side of a decision: the break-even and utilization of the PTU option it is argued
/// with (the decided one, else the cheapest available provisioned one on the longest term the
/// run may decide, or hourly), or why there is none.
pub(super) fn ptu_context_reasons(
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
                // The longest term the run may decide (`--reserve-term`), or hourly.
                .filter(|o| o.billing == ctx.longest_term || o.billing == Billing::Hourly)
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
    let not_decided = decided.is_some_and(|d| d.ptus.is_none());
    let unverified = p.availability_basis.is_some_and(|b| !b.is_confirmed());
    let mut reasons = Vec::new();
    if !p.eligible && not_decided {
        if !unverified {
            return vec![Reason::NoPtuEligible {
                option_id: p.id.clone(),
                why: p.reason.clone(),
            }];
        }
        // Only inferred available: never decided, but what it would do is still worth saying.
        reasons.push(Reason::PtuUnverified {
            option_id: p.id.clone(),
            region: plan.region.clone(),
        });
    }
    let break_even = plan
        .sizing
        .get(&p.deployment_type)
        .and_then(|s| s.break_even_utilization_by_billing.get(&p.billing))
        .copied();
    // The break-even compares with per-token prices; when no per-token option meets the
    // targets, the decided PTU option is needed whatever it says.
    let per_token_eligible = options
        .iter()
        .any(|o| o.available && o.eligible && o.billing == Billing::PerToken);
    let ptu_needed = decided.is_some_and(|d| d.option_id == p.id) && !per_token_eligible;
    if let (Some(be), Some(u), Some(n)) = (break_even, p.demand_to_capacity, p.ptus) {
        reasons.push(Reason::BreakEven {
            ptu_needed,
            deployment_type: p.deployment_type,
            billing: p.billing,
            break_even: be,
            utilization: u,
            ptus: n,
            not_served_share: p.throttle_rate.unwrap_or(0.0),
            spills: p.spilled_requests.unwrap_or(0) > 0,
        });
    }
    reasons
}

pub(super) fn lifecycle_reasons(
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

pub(super) fn no_option_reason(plan: &WorkloadPlan) -> Reason {
    if let Some(l) = plan.lifecycle.as_ref().filter(|l| l.retired) {
        return Reason::Retired {
            model: plan.model.clone(),
            date: l.retirement,
            replacement: l.replacement.clone(),
        };
    }
    let any_available = plan.options.iter().any(|o| o.available);
    let mut why: Vec<Vec<OptionReason>> = Vec::new();
    // The available options' reasons, or when nothing is available, why not (the report
    // counts the distinct ones by their words).
    for o in plan.options.iter().filter(|o| o.available == any_available) {
        if !o.reason.is_empty() && !why.contains(&o.reason) {
            why.push(o.reason.clone());
        }
    }
    Reason::NoEligibleOption { why, any_available }
}
