//! [`finish`]: the swept outcomes turned into plans, one per workload: every option (per-token
//! and provisioned, at the window in use and each window of the band) with its cost,
//! availability, quota and notes, then the decision.

use std::collections::BTreeMap;

use super::*;
/// Turn the swept outcomes into plans, one per workload.
pub fn finish(
    catalog: &Catalog,
    keys: &[WorkloadKey],
    summary: &ReplaySummary,
    prepared: &Prepared,
    settings: &PlanSettings,
) -> Vec<WorkloadPlan> {
    (0..keys.len())
        .filter_map(|w| finish_one(catalog, keys, summary, prepared, settings, w))
        .collect()
}

/// [`finish`] for workload `w` alone (none when the replay has no such workload): a scenario
/// plans its Batch-shifted workloads with other settings than its real-time ones.
pub fn finish_one(
    catalog: &Catalog,
    keys: &[WorkloadKey],
    summary: &ReplaySummary,
    prepared: &Prepared,
    settings: &PlanSettings,
    w: usize,
) -> Option<WorkloadPlan> {
    let key = keys.get(w)?;
    let replay = summary.workloads.get(w)?;
    Some(plan_workload(
        catalog, key, w, replay, summary, prepared, settings,
    ))
}

pub(super) fn plan_workload(
    catalog: &Catalog,
    key: &WorkloadKey,
    w: usize,
    replay: &WorkloadReplay,
    summary: &ReplaySummary,
    prepared: &Prepared,
    settings: &PlanSettings,
) -> WorkloadPlan {
    let model = catalog.model(&key.model);
    let spec = model.and_then(|m| m.ptu.as_ref());
    let ratio = spec.and_then(|s| s.output_to_input_ratio);
    let span_hours = summary.span_hours();
    let t = &replay.totals;
    let weighted = replay
        .minutes
        .weighted_tokens_per_min(summary.first_minute(), summary.last_minute());
    let demand_tokens: f64 = weighted.iter().sum();
    let minute_stats = MinuteStats::new(&weighted);
    let ctx = WorkloadCtx {
        catalog,
        key,
        span_hours,
        weighted: &weighted,
        minute_stats: &minute_stats,
        demand_tokens,
    };
    let mut per_token = Vec::new();
    let mut cheapest_per_token: Option<f64> = None;
    for dt in DeploymentTypeId::ALL
        .into_iter()
        .filter(|d| !d.is_provisioned())
    {
        // A request the Standard quota answers 429 is not served, so it is not billed.
        let billed = match crate::catalog::standard::quota_type(dt)
            .and_then(|qt| prepared.per_token_outcome(w, qt))
        {
            Some((_, out)) => t.tally.without(&out.rejected_tokens),
            None => t.tally,
        };
        let mut opt = per_token_option(&ctx, &billed, dt, settings);
        apply_per_token_quota(&ctx, w, prepared, &mut opt, settings);
        // The Standard baseline is an option known to exist, never an inferred one.
        let confirmed = super::confirmed(catalog, key, dt, settings);
        if opt.available && dt.is_standard() && confirmed {
            // The break-even compares PTU with serving the whole demand per token: the cost
            // of every request, not only of those a quota lets through.
            let demand_cost = if billed == t.tally {
                opt.cost_usd
            } else {
                per_token_option(&ctx, &t.tally, dt, settings).cost_usd
            };
            let c = demand_cost.unwrap_or(f64::INFINITY);
            cheapest_per_token = Some(cheapest_per_token.map_or(c, |x: f64| x.min(c)));
        }
        per_token.push(opt);
    }
    let usage_tier = quota::usage_tier(
        catalog,
        &key.model,
        prepared
            .tenant_tokens_per_month
            .get(&key.model)
            .copied()
            .unwrap_or(0.0),
    );
    let lifecycle = catalog.lifecycle_status(&key.model);
    // Options are finished the same way at every window: latency, then lifecycle.
    let finish_options = |options: &mut Vec<OptionPlan>| {
        apply_availability(catalog, key, options, settings);
        quota::apply_latency(catalog, &key.model, &usage_tier, options, settings);
        if let (Some(status), Some(date)) = (&lifecycle, catalog.in_force_on) {
            lifecycle::exclude_retired(options, status, date);
        }
    };
    let at_run = provisioned_at(
        &ctx,
        w,
        prepared,
        (prepared.run_window_s, SearchRole::Plan),
        cheapest_per_token,
        settings,
    );
    let mut options = per_token.clone();
    options.extend(at_run.options);
    finish_options(&mut options);
    let mut by_window = vec![WindowPlan {
        window_s: prepared.run_window_s,
        options: options.clone(),
        curves: curves_of(&at_run.sizing),
    }];
    for &window_s in &prepared.band_windows_s {
        let at = provisioned_at(
            &ctx,
            w,
            prepared,
            (window_s, SearchRole::Band),
            cheapest_per_token,
            settings,
        );
        let mut window_options = per_token.clone();
        window_options.extend(at.options);
        finish_options(&mut window_options);
        by_window.push(WindowPlan {
            window_s,
            options: window_options,
            curves: curves_of(&at.sizing),
        });
    }
    by_window.sort_by(|a, b| a.window_s.total_cmp(&b.window_s));
    let (truncated_cost_usd, truncated_cost_basis) = truncated_cost(catalog, key, t);
    let mut plan = WorkloadPlan {
        deployment: key.deployment.clone(),
        model: key.model.clone(),
        region: key.region.clone(),
        reasoning_model: model.is_some_and(|m| m.reasoning),
        lifecycle,
        requests: t.requests,
        failed_requests: t.failed_requests,
        prompt_tokens: t.prompt_tokens,
        cached_tokens: t.cached_tokens,
        cache_write_tokens: t.cache_write_tokens,
        long_context_requests: t.tally.long.requests,
        long_context_prompt_tokens: t.tally.long.prompt_tokens(),
        completion_tokens: t.completion_tokens,
        reasoning_tokens: t.reasoning_tokens,
        reasoning_share: ratio_of(t.reasoning_tokens, t.completion_tokens),
        cached_share: ratio_of(t.cached_tokens, t.prompt_tokens),
        truncated_requests: t.truncated_requests,
        truncated_cost_usd,
        truncated_cost_basis,
        requests_without_max_tokens: t.requests_without_max_tokens,
        output_to_input_ratio: ratio,
        ptu_accounting: spec.map(crate::catalog::PtuSpec::accounting),
        input_tpm_per_ptu: spec.map(|s| s.input_tpm_per_ptu),
        peak_minute_weighted_tpm: minute_stats.peak(),
        p99_minute_weighted_tpm: minute_stats.quantile(0.99),
        mean_weighted_tpm: demand_tokens / weighted.len().max(1) as f64,
        options,
        by_window,
        decision: Decision::default(),
        sizing: at_run.sizing,
        sizing_other_types: at_run.other_types,
        profile: demand_profile(&weighted, summary.first_minute()),
        daily: forecast::daily_series(&weighted, summary.first_minute()),
        forecast: None,
        tally: t.tally,
        logged_latency: quota::logged(prepared.logged_latency.get(w)),
        usage_tier,
    };
    plan.decision = decide(
        &plan,
        catalog,
        settings,
        (prepared.run_window_s, span_hours),
        decision::Replacement::Unknown,
    );
    plan
}

/// Decide `plan` by the one rule ([`decision`]), with what the run knows: its settings, the
/// window in use and the log's span, and the replacement's plan when its model retires (the
/// retirement scenario's; [`decision::Replacement::Unknown`] before it is planned).
pub fn decide(
    plan: &WorkloadPlan,
    catalog: &Catalog,
    settings: &PlanSettings,
    (run_window_s, span_hours): (f64, f64),
    replacement: decision::Replacement<'_>,
) -> Decision {
    // A named replacement the catalog does not have can never be planned: say so.
    let replacement = match (
        replacement,
        plan.lifecycle.as_ref().and_then(|l| l.replacement.as_ref()),
    ) {
        (decision::Replacement::Unknown, Some(name)) if catalog.resolve_model(name).is_none() => {
            decision::Replacement::Missing(decision::NoReplacement::NotInCatalog(name.clone()))
        }
        (r, _) => r,
    };
    decision::decide(
        plan,
        &decision::DecisionContext {
            rules: &settings.decision,
            max_throttle_rate: settings.max_throttle_rate,
            max_spill_rate: settings.max_spill_rate,
            longest_term: settings.reserve_term,
            span_hours,
            log_granularity: settings.log_granularity,
            run_window_s,
            as_of: catalog.in_force_on,
            replacement,
            residency: settings.constraints.residency.as_ref().map(|r| r.label()),
        },
    )
}

/// The provisioned options of a workload at one window, with the sizing of each offered type
/// and (at the window in use) the target counts of types its region does not offer.
pub(super) struct ProvisionedAt {
    options: Vec<OptionPlan>,
    sizing: BTreeMap<DeploymentTypeId, TypeSizing>,
    other_types: BTreeMap<DeploymentTypeId, OtherTypeSizing>,
}

pub(super) fn provisioned_at(
    ctx: &WorkloadCtx<'_>,
    w: usize,
    prepared: &Prepared,
    (window_s, role): (f64, SearchRole),
    cheapest_per_token: Option<f64>,
    settings: &PlanSettings,
) -> ProvisionedAt {
    let mut out = ProvisionedAt {
        options: Vec::new(),
        sizing: BTreeMap::new(),
        other_types: BTreeMap::new(),
    };
    for dt in DeploymentTypeId::PROVISIONED {
        match candidate(ctx.catalog, &settings.constraints, ctx.key, dt) {
            Candidate::Provisioned {
                spec,
                increment,
                price,
                cap,
            } => {
                let this = prepared
                    .find(w, dt, role)
                    .find(|s| s.window_s == window_s)
                    .expect("prepare() set up a search for every provisioned candidate and window");
                let group: Vec<&SizingSearch> = prepared
                    .band_group(w, dt)
                    .into_iter()
                    .map(|i| &prepared.searches[i])
                    .collect();
                let (opts, sizing) = provisioned::provisioned_options(
                    ctx,
                    dt,
                    spec,
                    increment,
                    provisioned::ProvisionedPrice { price, cap },
                    this,
                    &group,
                    cheapest_per_token,
                    settings,
                );
                out.options.extend(opts);
                out.sizing.insert(dt, sizing);
            }
            Candidate::Unavailable(reason) => {
                for billing in Billing::PROVISIONED {
                    out.options.push(unavailable_option(
                        ctx,
                        dt,
                        billing,
                        remark::OptionReason::Unavailable(reason.clone()),
                    ));
                }
                if role == SearchRole::Plan {
                    if let Some(s) = prepared.find(w, dt, SearchRole::OtherType).next() {
                        let r = s.search.result();
                        out.other_types.insert(
                            dt,
                            OtherTypeSizing {
                                min_ptus_for_target: r.min_ptus_for_target,
                                needs_more_than_ptus: r.needs_more_than_ptus,
                            },
                        );
                    }
                }
            }
            Candidate::PerToken(_) => {
                unreachable!("candidate() returns PerToken only for per-token types")
            }
        }
    }
    out
}

pub(super) fn curves_of(
    sizing: &BTreeMap<DeploymentTypeId, TypeSizing>,
) -> BTreeMap<DeploymentTypeId, Vec<CurvePoint>> {
    sizing.iter().map(|(t, s)| (*t, s.curve.clone())).collect()
}

/// Record why each available option counts as available, and keep the ones whose
/// availability is only inferred ([U]: an unverified list, or no verified table) from being
/// recommended unless the log is evidence for them ([`options::availability`]).
pub(super) fn apply_availability(
    catalog: &Catalog,
    key: &WorkloadKey,
    options: &mut [OptionPlan],
    settings: &PlanSettings,
) {
    for opt in options.iter_mut().filter(|o| o.available) {
        let Ok(a) = options::availability(catalog, &settings.constraints, key, opt.deployment_type)
        else {
            continue;
        };
        opt.availability_basis = Some(a.basis);
        if !a.basis.is_confirmed() {
            opt.eligible = false;
            opt.reason.insert(0, remark::OptionReason::Unconfirmed);
        }
    }
}

/// Put the Standard quota's outcome on a per-token option: the 429s under the quota in force
/// fail, an option failing more than `--max-throttle-rate` is not eligible, and the note says
/// which level it needs.
pub(super) fn apply_per_token_quota(
    ctx: &WorkloadCtx<'_>,
    w: usize,
    prepared: &Prepared,
    opt: &mut OptionPlan,
    settings: &PlanSettings,
) {
    if !opt.available {
        return;
    }
    let Some(qt) = crate::catalog::standard::quota_type(opt.deployment_type) else {
        return;
    };
    let Some((choice, out)) = prepared.per_token_outcome(w, qt) else {
        return;
    };
    let view = quota::view(
        ctx.catalog,
        &ctx.key.model,
        opt.deployment_type,
        choice,
        out,
        out.offered_requests,
        0,
        settings.max_throttle_rate,
    );
    if choice.quota.active.is_some() {
        let share = view.rejected_share;
        opt.throttled_requests = Some(view.rejected_requests);
        opt.throttled_share = Some(share);
        opt.throttle_rate = Some(share);
        if share > settings.max_throttle_rate {
            opt.eligible = false;
            opt.reason.push(remark::OptionReason::QuotaFails {
                share,
                limits: choice.limits.clone(),
                max_throttle_rate: settings.max_throttle_rate,
            });
        }
    }
    if !view.note.is_empty() {
        opt.note.push(remark::OptionNote::Quota(view.note.clone()));
    }
    opt.standard_quota = Some(view);
}

pub(super) struct WorkloadCtx<'a> {
    pub(super) catalog: &'a Catalog,
    pub(super) key: &'a WorkloadKey,
    pub(super) span_hours: f64,
    pub(super) weighted: &'a [f64],
    /// The same series, summarised ([`MinuteStats`]).
    pub(super) minute_stats: &'a MinuteStats,
    pub(super) demand_tokens: f64,
}

pub(super) fn option_id(dt: DeploymentTypeId, billing: Billing) -> String {
    if billing == Billing::PerToken {
        dt.as_str().to_owned()
    } else {
        format!("{dt}/{}", billing.as_str())
    }
}

pub(super) fn empty_option(
    ctx: &WorkloadCtx<'_>,
    dt: DeploymentTypeId,
    billing: Billing,
) -> OptionPlan {
    OptionPlan::unknown(
        option_id(dt, billing),
        dt,
        billing,
        processing_label(ctx.catalog, ctx.key, dt),
    )
}

pub(super) fn unavailable_option(
    ctx: &WorkloadCtx<'_>,
    dt: DeploymentTypeId,
    billing: Billing,
    reason: remark::OptionReason,
) -> OptionPlan {
    OptionPlan {
        reason: vec![reason],
        ..empty_option(ctx, dt, billing)
    }
}

/// A per-token option billing `billed` (the successful requests its quota serves).
pub(super) fn per_token_option(
    ctx: &WorkloadCtx<'_>,
    billed: &crate::catalog::accounting::TokenTally,
    dt: DeploymentTypeId,
    settings: &PlanSettings,
) -> OptionPlan {
    match candidate(ctx.catalog, &settings.constraints, ctx.key, dt) {
        Candidate::PerToken(price) => {
            let cost = match price.cost_usd(billed) {
                Ok(c) => c,
                Err(e) => {
                    return unavailable_option(
                        ctx,
                        dt,
                        Billing::PerToken,
                        remark::OptionReason::NoLongContextPrice {
                            deployment_type: dt,
                            model: ctx.key.model.clone(),
                            requests: e.requests,
                            above_prompt_tokens: long_threshold(ctx.catalog, &ctx.key.model),
                        },
                    )
                }
            };
            let (eligible, reason, note) = per_token_eligibility(dt, settings);
            let note = note
                .into_iter()
                .chain(availability_note(
                    ctx.catalog,
                    &settings.constraints,
                    ctx.key,
                    dt,
                ))
                .chain(options::price_unverified_note(price.unverified))
                .chain(price_note(&price.adjustments))
                .collect();
            OptionPlan {
                available: true,
                eligible,
                reason: reason.into_iter().collect(),
                note,
                cost_usd: Some(cost),
                monthly_cost_usd: Some(cost::monthly_usd(cost, ctx.span_hours)),
                billed_tokens: Some(*billed),
                ..empty_option(ctx, dt, Billing::PerToken)
            }
        }
        Candidate::Unavailable(reason) => unavailable_option(
            ctx,
            dt,
            Billing::PerToken,
            remark::OptionReason::Unavailable(reason),
        ),
        Candidate::Provisioned { .. } => {
            unreachable!("candidate() returns Provisioned only for PTU types")
        }
    }
}

/// Whether a per-token type may be recommended, why not, and what its note says: Batch needs
/// `--batch-eligible` (asynchronous, 24-hour target turnaround, S7/S43) and Flex
/// `--flex-eligible` ("no latency SLA or service SLA", U5).
pub(super) fn per_token_eligibility(
    dt: DeploymentTypeId,
    settings: &PlanSettings,
) -> (
    bool,
    Option<remark::OptionReason>,
    Option<remark::OptionNote>,
) {
    let (caveat, allowed) = if dt.is_batch() {
        (remark::Caveat::Batch, settings.batch_eligible)
    } else if dt.is_flex() {
        (remark::Caveat::Flex, settings.flex_eligible)
    } else {
        return (true, None, None);
    };
    if allowed {
        (true, None, Some(remark::OptionNote::Caveat(caveat)))
    } else {
        (false, Some(remark::OptionReason::NeedsFlag(caveat)), None)
    }
}

/// The note when `--overrides` changed the price (the catalog's words for each change).
pub(super) fn price_note(adjustments: &[String]) -> Option<remark::OptionNote> {
    (!adjustments.is_empty()).then(|| remark::OptionNote::Price(adjustments.to_vec()))
}

pub(super) fn mode_label(mode: ThrottleMode) -> String {
    match mode {
        ThrottleMode::Fail => "fail".to_owned(),
        ThrottleMode::Spillover => "spillover".to_owned(),
        ThrottleMode::Retry { max_retries } => format!("retry (max {max_retries})"),
    }
}

/// Cost of the answers emptied by reasoning, at Global Standard prices (else the first priced
/// per-token type).
pub(super) fn truncated_cost(
    catalog: &Catalog,
    key: &WorkloadKey,
    t: &crate::sim::WorkloadTotals,
) -> (f64, Option<DeploymentTypeId>) {
    for dt in DeploymentTypeId::ALL
        .into_iter()
        .filter(|d| d.is_standard())
    {
        if let Some(Ok(c)) = catalog
            .token_price(&key.model, dt, &key.region)
            .map(|p| p.cost_usd(&t.truncated))
        {
            return (c, Some(dt));
        }
    }
    (0.0, None)
}

/// The model's long-context threshold, for messages.
pub(super) fn long_threshold(catalog: &Catalog, model: &str) -> Option<u64> {
    catalog
        .model(model)
        .and_then(|m| m.long_context.as_ref())
        .map(|l| l.above_prompt_tokens)
}

pub(super) fn ratio_of(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
