//! The `add` transform: a synthetic workload over the log's span. Arrivals follow the sample
//! generator's business-hours and weekday curve ([`crate::usage::synth::minute_weight`]), with
//! exactly `requests_per_day x days` requests in all (each minute's count rounded from the
//! running total, as the sample generator does); sizes are log-normal (sigma 0.5) around the
//! medians given, within the model's catalog limits. Deterministic for a seed.

use super::{AddedWorkload, Scenario, TransformKind};
use crate::catalog::Catalog;
use crate::usage::synth::{minute_weight, SplitMix64};
use crate::usage::{RequestLimits, UsageRecord, WorkloadKey};

/// Largest `requests_per_day` of an added workload.
pub const MAX_REQUESTS_PER_DAY: f64 = 1_000_000.0;

/// The keys of a scenario's added workloads, in order.
pub fn added_keys(scenario: &Scenario) -> Vec<WorkloadKey> {
    scenario
        .transforms
        .iter()
        .filter_map(|t| match &t.kind {
            TransformKind::Add(a) => Some(WorkloadKey {
                deployment: a.deployment.clone(),
                model: a.model.clone(),
                region: a.region.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// Range checks of an `add` entry.
pub(super) fn check_ranges(a: &AddedWorkload, p: &mut impl FnMut(String)) {
    if a.deployment.trim().is_empty() {
        p("add needs a deployment name".to_owned());
    }
    if !(a.requests_per_day.is_finite()
        && a.requests_per_day > 0.0
        && a.requests_per_day <= MAX_REQUESTS_PER_DAY)
    {
        p(format!(
            "add requests_per_day must be above 0 and at most {MAX_REQUESTS_PER_DAY}, got {}",
            a.requests_per_day
        ));
    }
    if a.prompt_tokens == 0 {
        p("add prompt_tokens must be at least 1".to_owned());
    }
    if a.reasoning_tokens > a.completion_tokens {
        p(format!(
            "add reasoning_tokens ({}) exceed completion_tokens ({}); reasoning is part of the completion",
            a.reasoning_tokens, a.completion_tokens
        ));
    }
    if !(a.cached_percent.is_finite() && (0.0..=100.0).contains(&a.cached_percent)) {
        p(format!(
            "add cache_rate_pct must be between 0 and 100, got {}",
            a.cached_percent
        ));
    }
}

/// The model's limits against the medians, if they break them.
pub(super) fn check_sizes(catalog: &Catalog, a: &AddedWorkload) -> Option<String> {
    let limits = limits_of(catalog, &a.model);
    limits
        .check(
            &a.model,
            a.prompt_tokens,
            a.completion_tokens,
            a.max_completion_tokens,
        )
        .err()
        .map(|e| format!("add {}: {}", e.field, first_clause(&e.message)))
}

fn first_clause(message: &str) -> &str {
    message.split(';').next().unwrap_or(message)
}

fn limits_of(catalog: &Catalog, model: &str) -> RequestLimits {
    RequestLimits::from_model(catalog.model(model).and_then(|m| m.limits.as_ref()))
}

/// The requests [`generate`] makes for `a` over the minutes `first_minute` to `last_minute`,
/// known before any is made.
pub fn planned_requests(a: &AddedWorkload, (first_minute, last_minute): (i64, i64)) -> u64 {
    let minutes = (last_minute - first_minute + 1).max(1) as f64;
    (a.requests_per_day * minutes / 1440.0).round() as u64
}

/// Generate the added workload `a` (source id `workload`) over the minutes `first_minute` to
/// `last_minute` (Unix minutes), calling `emit` in time order.
pub fn generate<E>(
    a: &AddedWorkload,
    workload: u32,
    catalog: &Catalog,
    (first_minute, last_minute): (i64, i64),
    seed: u64,
    mut emit: impl FnMut(UsageRecord) -> Result<(), E>,
) -> Result<u64, E> {
    let limits = limits_of(catalog, &a.model);
    let minutes = (last_minute - first_minute + 1).max(1) as usize;
    let day0 = first_minute.div_euclid(1440);
    let start_weekday = (day0 + 3).rem_euclid(7) as u64;
    let mut rng = SplitMix64::new(seed);
    let weights: Vec<f64> = (0..minutes)
        .map(|i| {
            let of_span = (first_minute + i as i64 - day0 * 1440) as u64;
            minute_weight(&mut rng, of_span, start_weekday)
        })
        .collect();
    let total_weight: f64 = weights.iter().sum();
    let total = planned_requests(a, (first_minute, last_minute));
    let (mut cumulative, mut emitted) = (0.0, 0u64);
    let mut offsets = Vec::new();
    for (i, w) in weights.iter().enumerate() {
        cumulative += w;
        let target = ((cumulative / total_weight) * total as f64).round() as u64;
        let count = target.min(total).saturating_sub(emitted);
        emitted += count;
        offsets.clear();
        offsets.extend((0..count).map(|_| rng.next_u64() % 60_000));
        offsets.sort_unstable();
        let minute_ms = (first_minute + i as i64) * 60_000;
        for &off in &offsets {
            emit(request(
                a,
                &limits,
                &mut rng,
                workload,
                minute_ms + off as i64,
            ))?;
        }
    }
    Ok(emitted)
}

fn request(
    a: &AddedWorkload,
    limits: &RequestLimits,
    rng: &mut SplitMix64,
    workload: u32,
    timestamp_ms: i64,
) -> UsageRecord {
    let draw = |rng: &mut SplitMix64, median: u64, max: u64| -> u64 {
        if median == 0 {
            return 0;
        }
        (rng.lognormal(median as f64, 0.5).round() as u64).clamp(1, max.max(1))
    };
    let prompt = draw(rng, a.prompt_tokens, limits.max_prompt_tokens);
    let visible_median = a.completion_tokens.saturating_sub(a.reasoning_tokens);
    let cap = a
        .max_completion_tokens
        .unwrap_or(limits.max_completion_tokens)
        .min(limits.max_completion_tokens)
        .min(limits.context_window_tokens.saturating_sub(prompt));
    let mut reasoning = draw(rng, a.reasoning_tokens, cap);
    let visible = draw(rng, visible_median, cap);
    let mut completion = visible.saturating_add(reasoning).min(cap);
    reasoning = reasoning.min(completion);
    if a.reasoning_tokens == 0 {
        reasoning = 0;
    }
    completion = completion.max(reasoning);
    let cached = ((prompt as f64) * a.cached_percent / 100.0).round() as u64;
    UsageRecord {
        timestamp_ms,
        workload,
        prompt_tokens: prompt,
        cached_tokens: cached.min(prompt),
        cache_write_tokens: 0,
        completion_tokens: completion,
        reasoning_tokens: reasoning,
        max_completion_tokens: a.max_completion_tokens,
        status: None,
        latency_ms: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{load_catalog, CatalogSource};

    #[test]
    fn generates_the_requested_volume_within_limits() {
        let c = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let a = AddedWorkload {
            deployment: "new-bot".into(),
            model: "gpt-4.1".into(),
            region: "eastus2".into(),
            requests_per_day: 2_880.0,
            prompt_tokens: 2_000,
            completion_tokens: 400,
            reasoning_tokens: 0,
            cached_percent: 25.0,
            max_completion_tokens: Some(1_000),
        };
        let mut rows = Vec::new();
        let day = 29_000_000 / 1440 * 1440;
        let n = generate(&a, 7, &c, (day, day + 2 * 1440 - 1), 3, |r| {
            rows.push(r);
            Ok::<(), ()>(())
        })
        .expect("generates");
        assert_eq!(n, 5_760);
        assert_eq!(rows.len(), 5_760);
        assert!(rows
            .windows(2)
            .all(|w| w[0].timestamp_ms <= w[1].timestamp_ms));
        assert!(rows.iter().all(|r| r.workload == 7
            && r.completion_tokens <= 1_000
            && r.cached_tokens <= r.prompt_tokens));
        let cached: u64 = rows.iter().map(|r| r.cached_tokens).sum();
        let prompt: u64 = rows.iter().map(|r| r.prompt_tokens).sum();
        assert!((cached as f64 / prompt as f64 - 0.25).abs() < 0.01);
    }
}
