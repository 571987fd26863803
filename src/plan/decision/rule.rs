//! The rule of [`super`], applied: the flexible option at every window, every reservation
//! weighed across the band (and over its term), the decision, and its reasons.

use super::context::{lifecycle_reasons, no_option_reason, option_reasons, ptu_context_reasons};
use super::term::{over_term, term_lifecycle};
use super::{
    BandCase, CaseWindow, Choice, Decision, DecisionContext, DecisionStatus, FlexibleKind, Reason,
    ReservationCase, WindowFigures,
};
use crate::catalog::DeploymentTypeId;
use crate::plan::cost::Billing;
use crate::plan::remark::OptionReason;
use crate::plan::{OptionPlan, WorkloadPlan};

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
    cheapest_without_commitment(options, |o| o.eligible)
}

/// What a reservation is weighed against: the cheapest option without a commitment that is
/// eligible, or held back only because its availability is unconfirmed (ties: an eligible
/// one, then the earlier option). Whether such an option is offered is something the log
/// cannot tell, so a reservation must pay against it as well as against the flexible option.
pub fn comparator_of(options: &[OptionPlan]) -> Option<&OptionPlan> {
    cheapest_without_commitment(options, |o| o.eligible || held_back_only_unconfirmed(o))
}

/// Not eligible for one reason only: its availability is inferred, not confirmed.
fn held_back_only_unconfirmed(o: &OptionPlan) -> bool {
    !o.eligible
        && !o.reason.is_empty()
        && o.reason
            .iter()
            .all(|r| matches!(r, OptionReason::Unconfirmed))
}

fn cheapest_without_commitment(
    options: &[OptionPlan],
    admit: impl Fn(&OptionPlan) -> bool,
) -> Option<&OptionPlan> {
    options
        .iter()
        .filter(|o| o.available && admit(o) && is_flexible_billing(o.billing))
        .filter(|o| o.monthly_cost_usd.is_some_and(f64::is_finite))
        .min_by(|a, b| {
            a.monthly_cost_usd
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.monthly_cost_usd.unwrap_or(f64::INFINITY))
                .then(b.eligible.cmp(&a.eligible))
        })
}

/// The flexible option and the reservations weighed against it.
struct Weighed {
    /// The cheapest option without a commitment, at the window in use.
    flexible: Option<Choice>,
    /// What the reservations are weighed against there ([`comparator_of`]).
    comparator: Option<Choice>,
    /// The reservation that holds with the largest smallest saving over the band.
    holding: Option<ReservationCase>,
    /// The reservation to argue with when none holds: the one saving most in the log's own
    /// month at the window in use (a retirement inside its term is then its own reason).
    best_any: Option<ReservationCase>,
    /// Every reservation weighed.
    cases: Vec<ReservationCase>,
    /// When none holds: the one that holds against the confirmed options and loses only its
    /// margin against an option held back as unconfirmed (the largest smallest saving).
    unless_unconfirmed: Option<ReservationCase>,
}

fn weigh(plan: &WorkloadPlan, views: &[View<'_>], ctx: &DecisionContext<'_>) -> Weighed {
    let run = run_view(views, ctx.run_window_s);
    let cases: Vec<ReservationCase> = reservation_ids(run.options, ctx.longest_term)
        .into_iter()
        .filter_map(|id| reservation_case(plan, views, &id, ctx))
        .collect();
    // Of the reservations `keep` admits, the one whose smallest saving is largest (ties: the
    // smaller commitment).
    let best = |keep: fn(&ReservationCase) -> bool| {
        cases
            .iter()
            .filter(|c| keep(c))
            .max_by(|a, b| {
                a.smallest_saving_usd()
                    .total_cmp(&b.smallest_saving_usd())
                    .then(b.choice.commitment_usd.total_cmp(&a.choice.commitment_usd))
            })
            .cloned()
    };
    let holding = best(|c| c.holds);
    let at_run = |c: &ReservationCase| {
        c.at(run.window_s)
            .and_then(|w| w.monthly_saving_usd)
            .unwrap_or(f64::NEG_INFINITY)
    };
    // One that meets the targets first: a reservation only inferred available is never the
    // one to argue with while another is eligible.
    let meets = |c: &ReservationCase| c.at(run.window_s).is_some_and(|w| w.meets_targets);
    let best_any = cases
        .iter()
        .max_by(|a, b| {
            meets(a)
                .cmp(&meets(b))
                .then(at_run(a).total_cmp(&at_run(b)))
        })
        .cloned();
    let unless_unconfirmed = best(|c| c.holds_unless_unconfirmed);
    Weighed {
        flexible: flexible_of(run.options).and_then(Choice::of),
        comparator: comparator_of(run.options).and_then(Choice::of),
        holding,
        best_any,
        cases,
        unless_unconfirmed,
    }
}

/// Decide for `plan`.
pub fn decide(plan: &WorkloadPlan, ctx: &DecisionContext<'_>) -> Decision {
    let views = views(plan, ctx.run_window_s);
    let run = run_view(&views, ctx.run_window_s);
    let weighed = weigh(plan, &views, ctx);
    let too_short = ctx.span_hours < ctx.rules.min_span_days * 24.0;
    let too_coarse = super::log_too_coarse(ctx.log_granularity);
    // Either way the log cannot tell whether a commitment holds: the flexible option is
    // decided, and a reservation is only a what-if.
    let short = too_short || too_coarse;
    let mut d = Decision {
        run_window_s: run.window_s,
        window_band_s: band_of(&views),
        flexible: weighed.flexible.clone(),
        ..Decision::default()
    };
    let mut reasons = Vec::new();
    if too_short {
        reasons.push(Reason::ShortLog {
            span_hours: ctx.span_hours,
            min_span_days: ctx.rules.min_span_days,
        });
    }
    if too_coarse {
        reasons.push(Reason::CoarseLog {
            bucket: ctx.log_granularity,
        });
    }
    choose(
        plan,
        (run, views.len()),
        &weighed,
        short,
        ctx,
        &mut d,
        &mut reasons,
    );
    if d.option.as_ref().is_some_and(Choice::is_commitment) {
        d.flexible = weighed.comparator.clone();
    }
    // Said where a reason speaks of the reservation weighed.
    let weighed_said = reasons.iter().any(|r| {
        matches!(
            r,
            Reason::CommitmentHolds { .. }
                | Reason::HoldsUnlessUnconfirmed { .. }
                | Reason::CommitmentRejected { .. }
                | Reason::WhatIf { .. }
        )
    });
    if weighed_said {
        reasons.extend(against_unconfirmed(plan, &d, run));
    }
    reasons.extend(cheaper_if_confirmed(plan, &d, weighed.comparator.as_ref()));
    if let Some(o) = d.option.clone() {
        let flexible = d.flexible.as_ref();
        d.saving_vs_flexible_usd =
            flexible.map_or(0.0, |f| f.monthly_cost_usd - o.monthly_cost_usd);
        d.saving_vs_flexible_share = flexible
            .filter(|f| f.monthly_cost_usd > 0.0)
            .map(|f| d.saving_vs_flexible_usd / f.monthly_cost_usd);
        // A reservation outliving its model: what it saves over the term it is signed for, the
        // figure its band (worst case and range) is made of, not the log's own month.
        let over_term = d
            .reservation
            .as_ref()
            .filter(|c| c.lifecycle.is_some() && c.choice.option_id == o.option_id)
            .and_then(|c| c.at(run.window_s))
            .and_then(|w| {
                Some((
                    w.saving_usd()?,
                    w.saving_share(),
                    (w.monthly_cost_usd?, w.flexible_monthly_cost_usd?),
                ))
            });
        if let Some((usd, share, costs)) = over_term.filter(|_| o.is_commitment()) {
            d.saving_vs_flexible_usd = usd;
            d.saving_vs_flexible_share = share;
            d.saving_over_term = true;
            d.term_monthly_costs_usd = Some(costs);
        }
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
    let commits = d.option.as_ref().is_some_and(Choice::is_commitment);
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
            flexible: if commits {
                comparator_of(v.options)
            } else {
                flexible_of(v.options)
            }
            .and_then(Choice::of),
        })
        .collect();
    d.band = band_case(&d);
    d.reasons = reasons;
    d
}

/// The decided option across the band: its highest cost, failed and spilled shares, and, for
/// a reservation, the range of its saving (the windows the rule weighed, over the term when
/// the model retires inside it).
pub fn band_case(d: &Decision) -> Option<BandCase> {
    let o = d.option.as_ref()?;
    let decided: Vec<(f64, &Choice)> = d
        .by_window
        .iter()
        .filter_map(|w| Some((w.window_s, w.decided.as_ref()?)))
        .collect();
    let (mut worst_cost_window_s, mut worst_monthly_cost_usd) =
        (d.run_window_s, o.monthly_cost_usd);
    for (w, c) in &decided {
        if c.monthly_cost_usd > worst_monthly_cost_usd {
            (worst_cost_window_s, worst_monthly_cost_usd) = (*w, c.monthly_cost_usd);
        }
    }
    let share_max = |f: fn(&Choice) -> f64| decided.iter().map(|(_, c)| f(c)).fold(f(o), f64::max);
    let mut band = BandCase {
        worst_monthly_cost_usd,
        worst_cost_window_s,
        least_saving_usd: 0.0,
        least_saving_share: None,
        least_saving_window_s: d.run_window_s,
        most_saving_share: None,
        most_saving_window_s: d.run_window_s,
        worst_failed_share: share_max(|c| c.failed_share),
        worst_spilled_share: share_max(|c| c.spilled_share),
    };
    let case = d
        .reservation
        .as_ref()
        .filter(|c| o.is_commitment() && c.choice.option_id == o.option_id);
    if let Some(case) = case {
        let savings: Vec<(f64, f64, Option<f64>)> = case
            .windows
            .iter()
            .filter_map(|w| Some((w.window_s, w.saving_usd()?, w.saving_share())))
            .collect();
        let key = |s: &(f64, f64, Option<f64>)| s.2.unwrap_or(f64::NEG_INFINITY);
        if let Some(least) = savings.iter().min_by(|a, b| key(a).total_cmp(&key(b))) {
            band.least_saving_window_s = least.0;
            band.least_saving_usd = least.1;
            band.least_saving_share = least.2;
        }
        if let Some(most) = savings.iter().max_by(|a, b| key(a).total_cmp(&key(b))) {
            band.most_saving_window_s = most.0;
            band.most_saving_share = most.2;
        }
    }
    Some(band)
}

/// The decision proper: a reservation that holds (not on a short log), else the flexible
/// option, else (nothing without a commitment meets the targets) the cheapest eligible one.
#[allow(clippy::too_many_arguments)]
fn choose(
    plan: &WorkloadPlan,
    (run, windows): (&View<'_>, usize),
    weighed: &Weighed,
    short: bool,
    ctx: &DecisionContext<'_>,
    d: &mut Decision,
    reasons: &mut Vec<Reason>,
) {
    let firm_case = weighed
        .holding
        .as_ref()
        .or(weighed.unless_unconfirmed.as_ref());
    match (firm_case, &weighed.flexible) {
        (Some(case), _) if !short => {
            d.status = DecisionStatus::Firm;
            d.option = Some(case.choice.clone());
            let worst = case.worst();
            let ptus = case.choice.ptus.unwrap_or(0);
            let worst_saving_share = worst.and_then(CaseWindow::saving_share).unwrap_or(0.0);
            let worst_window_s = worst.map_or(run.window_s, |w| w.window_s);
            if case.holds {
                reasons.push(Reason::CommitmentHolds {
                    billing: case.choice.billing,
                    ptus,
                    worst_saving_share,
                    worst_window_s,
                    min_saving: ctx.rules.min_saving,
                    band_s: d.window_band_s,
                });
            } else {
                let confirmed_share = case
                    .windows
                    .iter()
                    .filter_map(|w| {
                        let f = w.confirmed_flexible_monthly_cost_usd?;
                        Some((f - w.own_monthly_cost_usd?) / f)
                    })
                    .fold(f64::INFINITY, f64::min);
                reasons.push(Reason::HoldsUnlessUnconfirmed {
                    billing: case.choice.billing,
                    ptus,
                    worst_saving_share,
                    worst_window_s,
                    confirmed_saving_share: confirmed_share,
                    unconfirmed: case
                        .windows
                        .iter()
                        .find_map(|w| w.unconfirmed_comparator.clone())
                        .unwrap_or_default(),
                    region: plan.region.clone(),
                    min_saving: ctx.rules.min_saving,
                    band_s: d.window_band_s,
                });
            }
            if windows > 1 {
                reasons.push(Reason::CountAcrossBand {
                    ptus,
                    band_s: d.window_band_s,
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
            let case = if short {
                weighed.holding.clone().or(weighed.best_any.clone())
            } else {
                weighed.best_any.clone()
            };
            if let Some(case) = case {
                reasons.extend(rejection_reasons(plan, &case, run.window_s, ctx, short));
                d.reservation = Some(case);
            }
        }
        _ => {
            // A reservation that meets the targets at the window in use is all there is (never
            // on a short log: it commits nothing; never a term longer than the run may decide).
            let cheapest = run
                .options
                .iter()
                .filter(|o| o.available && o.eligible)
                .filter(|o| o.billing != Billing::Reserved1Year || ctx.longest_term == o.billing)
                .filter(|o| o.monthly_cost_usd.is_some_and(f64::is_finite))
                .min_by(|a, b| {
                    a.monthly_cost_usd
                        .unwrap_or(f64::INFINITY)
                        .total_cmp(&b.monthly_cost_usd.unwrap_or(f64::INFINITY))
                });
            match cheapest.and_then(Choice::of) {
                Some(c) if !short => {
                    d.status = DecisionStatus::Firm;
                    // The reservation's figures across the band and what it saves against the
                    // comparator, when there is one.
                    d.reservation = weighed
                        .cases
                        .iter()
                        .find(|r| r.choice.option_id == c.option_id)
                        .cloned();
                    d.option = Some(c);
                    reasons.push(Reason::NoFlexibleOption { decided: true });
                }
                Some(_) => {
                    d.status = DecisionStatus::None;
                    reasons.push(Reason::NoFlexibleOption { decided: false });
                    if let Some(case) = weighed.holding.clone().or(weighed.best_any.clone()) {
                        reasons.extend(rejection_reasons(plan, &case, run.window_s, ctx, short));
                        d.reservation = Some(case);
                    }
                }
                _ => {
                    d.status = DecisionStatus::None;
                    reasons.push(no_option_reason(plan));
                }
            }
        }
    }
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
            let comparator = comparator_of(v.options);
            let flex = comparator.and_then(|f| f.monthly_cost_usd);
            let unconfirmed_comparator = comparator.filter(|f| !f.eligible).map(|f| f.id.clone());
            let cost = o.and_then(|o| o.monthly_cost_usd).filter(|c| c.is_finite());
            let monthly_saving_usd = flex.zip(cost).map(|(f, c)| f - c);
            let own = cost;
            let (cost, flex) = match &lifecycle {
                Some(l) => over_term(plan, l, &choice, v.window_s, cost, flex, ctx),
                None => (cost, flex),
            };
            CaseWindow {
                window_s: v.window_s,
                monthly_cost_usd: cost,
                flexible_monthly_cost_usd: flex,
                unconfirmed_comparator,
                meets_targets: o.is_some_and(|o| o.available && o.eligible),
                monthly_saving_usd,
                own_monthly_cost_usd: own,
                confirmed_flexible_monthly_cost_usd: flexible_of(v.options)
                    .and_then(|f| f.monthly_cost_usd),
            }
        })
        .collect();
    let holds = windows.iter().all(|w| {
        w.meets_targets
            && w.saving_share()
                .is_some_and(|s| s >= ctx.rules.min_saving - 1e-12)
    });
    let holds_unless_unconfirmed = !holds
        && lifecycle.is_none()
        && windows.iter().all(|w| {
            let against_confirmed = w
                .confirmed_flexible_monthly_cost_usd
                .zip(w.own_monthly_cost_usd)
                .is_some_and(|(f, c)| f > 0.0 && (f - c) / f >= ctx.rules.min_saving - 1e-12);
            let saves = w.saving_usd().is_some_and(|s| s > 0.0);
            let holds_here = w
                .saving_share()
                .is_some_and(|s| s >= ctx.rules.min_saving - 1e-12);
            w.meets_targets
                && against_confirmed
                && saves
                && (holds_here || w.unconfirmed_comparator.is_some())
        })
        // "It holds unless the unconfirmed option is offered" cannot stand for a reservation
        // that also needs that option offered: one spilling, past the throttle target, into a
        // target only `--on-throttle spillover` says is there. Offered, it saves too little;
        // not offered, its spilled requests fail.
        && !views.iter().any(|v| {
            v.options.iter().any(|o| {
                o.id == id
                    && o.spilled_share.unwrap_or(0.0) > ctx.max_throttle_rate
                    && super::context::stated_target(o).is_some()
            })
        });
    Some(ReservationCase {
        choice,
        windows,
        lifecycle,
        holds,
        holds_unless_unconfirmed,
    })
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
        // The what-if is what the reservation would do over its term: with a retirement inside
        // it, the term's saving (it may be a loss), not the log's month's.
        let (term_usd, term_share) = at_run
            .map(|w| {
                (
                    w.saving_usd().unwrap_or(0.0),
                    w.saving_share().unwrap_or(0.0),
                )
            })
            .unwrap_or((saving_usd, saving_share));
        if saving_usd > 0.0 {
            out.push(Reason::WhatIf {
                billing: case.choice.billing,
                ptus,
                saving_usd: term_usd,
                saving_share: term_share,
                month_saving_usd: saving_usd,
                over_term: case.lifecycle.is_some(),
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

/// When the reservation weighed (decided, rejected or a what-if) was measured against an
/// option held back only because its availability is unconfirmed: which, and what it saves
/// against the cheapest confirmed option at the window in use (the log's own month).
fn against_unconfirmed(plan: &WorkloadPlan, d: &Decision, run: &View<'_>) -> Option<Reason> {
    let case = d.reservation.as_ref()?;
    let at = |w: &CaseWindow| w.unconfirmed_comparator.clone().map(|id| (w.window_s, id));
    // The window the headline speaks of first, so that the two name one window.
    let (window_s, option_id) = case
        .at(run.window_s)
        .and_then(at)
        .or_else(|| case.worst().and_then(at))
        .or_else(|| case.windows.iter().find_map(at))?;
    let confirmed = flexible_of(run.options).and_then(|f| {
        let f_usd = f.monthly_cost_usd.filter(|c| *c > 0.0)?;
        let own = case.at(run.window_s)?.own_monthly_cost_usd?;
        Some((f.id.clone(), (f_usd - own) / f_usd))
    });
    Some(Reason::AgainstUnconfirmed {
        option_id,
        region: plan.region.clone(),
        window_s,
        confirmed,
        run_window_s: run.window_s,
    })
}

/// Without a commitment decided: the option held back only as unconfirmed that would cost
/// less than the decision (or than nothing decided), so the verdict can say what confirming
/// it would change.
fn cheaper_if_confirmed(
    plan: &WorkloadPlan,
    d: &Decision,
    comparator: Option<&Choice>,
) -> Option<Reason> {
    let c = comparator.filter(|c| c.availability_unconfirmed)?;
    let decided = d.option.as_ref();
    if decided
        .is_some_and(|o| o.is_commitment() || o.monthly_cost_usd <= c.monthly_cost_usd + 0.005)
    {
        return None;
    }
    Some(Reason::CheaperIfConfirmed {
        option_id: c.option_id.clone(),
        region: plan.region.clone(),
        monthly_cost_usd: c.monthly_cost_usd,
    })
}
