//! Catalog checks added with the December 2026 catalog, called by [`super::load::validate`]:
//! PTU accounting (one rule per model, normalized weights that match the model's own Global
//! Standard prices), long-context thresholds and prices, lifecycles, cache-write prices, and
//! prices in time (`effective_from` <= `effective_to`, no two entries for one model, type and
//! region in force on the same day). [`check_dates`] rejects dates after the run's reference
//! date; [`check_has_prices`] a catalog that prices nothing.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::pricing::ContextPrices;
use super::{Catalog, DeploymentTypeId};

/// Weights and price ratios agree to this relative tolerance (meters carry 4-6 digits).
const WEIGHT_TOLERANCE: f64 = 1e-6;

/// Problems with the models' accounting, long-context thresholds and lifecycles.
pub fn check_models(c: &Catalog, p: &mut impl FnMut(String)) {
    for m in c.models.values() {
        let at = format!("models.{}", m.id);
        if let Some(ptu) = &m.ptu {
            match (ptu.output_to_input_ratio, &ptu.normalized_weights) {
                (Some(_), Some(_)) => p(format!(
                    "{at}.ptu: give either output_to_input_ratio or normalized_weights, not both"
                )),
                (None, None) => p(format!(
                    "{at}.ptu: needs output_to_input_ratio (older models) or normalized_weights (GPT-6 and newer)"
                )),
                (Some(r), None) if !(r.is_finite() && r > 0.0) => p(format!(
                    "{at}: `output_to_input_ratio` must be a positive number, got {r}"
                )),
                _ => {}
            }
            if let Some(w) = &ptu.normalized_weights {
                if w.short.input != 1.0 {
                    p(format!(
                        "{at}.ptu.normalized_weights.short.input must be 1 (one short-context input token is one normalized token), got {}",
                        w.short.input
                    ));
                }
                for (class, cw) in [("short", &w.short), ("long", &w.long)] {
                    for (name, v) in cw.named() {
                        if !(v.is_finite() && v >= 0.0) {
                            p(format!(
                                "{at}.ptu.normalized_weights.{class}.{name} must be a number >= 0, got {v}"
                            ));
                        }
                    }
                }
                check_weights_match_prices(c, &m.id, w, p);
            }
        }
        if let Some(lc) = &m.long_context {
            if lc.above_prompt_tokens == 0 {
                p(format!("{at}.long_context.above_prompt_tokens must be > 0"));
            }
            if lc.source.trim().is_empty() {
                p(format!("{at}.long_context: `source` is empty"));
            }
            let max_input = m.limits.as_ref().and_then(|l| l.max_input_tokens);
            if max_input.is_some_and(|max| lc.above_prompt_tokens >= max) {
                p(format!(
                    "{at}.long_context.above_prompt_tokens {} is not below the largest prompt {}",
                    lc.above_prompt_tokens,
                    max_input.unwrap_or_default()
                ));
            }
        }
        if let Some(l) = &m.lifecycle {
            for problem in l.validate(&at) {
                p(problem);
            }
            // A model replaced by itself would be migrated onto itself, and its retirement
            // warned as a replacement "not in the catalog" (a replacement the catalog does not
            // carry is allowed: the run says so and offers no migration).
            for s in &l.schedules {
                let named = s.replacement.as_deref().unwrap_or_default();
                if !named.is_empty() && c.resolve_model(named) == Some(m.id.as_str()) {
                    p(format!(
                        "{at}.lifecycle: the schedule of {} names the model itself (`{named}`) as its replacement",
                        s.published
                    ));
                }
            }
        }
    }
}

/// U3: "Calculate every other token weight by dividing its price by the same model's
/// short-context input price ... don't assume its weights are unchanged." Every default Global
/// Standard entry of the model must give the catalog's weights.
fn check_weights_match_prices(
    c: &Catalog,
    model: &str,
    w: &super::accounting::NormalizedWeights,
    p: &mut impl FnMut(String),
) {
    for tp in c.token_prices.iter().filter(|tp| {
        tp.model == model
            && tp.deployment_type == DeploymentTypeId::GlobalStandard
            && tp.regions.is_none()
    }) {
        let base = tp.input_usd_per_1m;
        let mut compare = |class: &str,
                           prices: &ContextPrices,
                           cw: &super::accounting::CategoryWeights| {
            for ((name, weight), price) in cw.named().into_iter().zip([
                prices.input_usd_per_1m,
                prices.cached_input_usd_per_1m,
                prices.cache_write_or_input(),
                prices.output_usd_per_1m,
            ]) {
                let implied = price / base;
                if (implied - weight).abs() > WEIGHT_TOLERANCE * weight.abs().max(1.0) {
                    p(format!(
                        "models.{model}.ptu.normalized_weights.{class}.{name} is {weight}, but the Global Standard prices in force from {} give {implied} ({price} / {base})",
                        tp.effective_from.map_or_else(|| "the start".to_owned(), |d| d.to_string())
                    ));
                }
            }
        };
        compare("short", &tp.short_context(), &w.short);
        if let Some(long) = &tp.long_context {
            compare("long", long, &w.long);
        }
    }
}

/// Problems with one token price entry's new figures (cache writes, long context, validity).
pub fn check_token_price_extras(
    c: &Catalog,
    at: &str,
    tp: &super::TokenPrice,
    p: &mut impl FnMut(String),
) {
    // The figures themselves (cache-write and long-context prices too) pass the shared sanity
    // check in `load::validate`.
    if let Some(long) = &tp.long_context {
        if long.cached_input_usd_per_1m > long.input_usd_per_1m {
            p(format!(
                "{at}: long-context cached input costs more than long-context input"
            ));
        }
        if c.models
            .get(&tp.model)
            .is_some_and(|m| m.long_context.is_none())
        {
            p(format!(
                "{at}: has long-context prices, but models.{} has no `long_context` threshold",
                tp.model
            ));
        }
    }
    check_validity(p, at, tp.effective_from, tp.effective_to);
}

/// Problems with one PTU price entry's validity.
pub fn check_ptu_price_extras(at: &str, pp: &super::PtuPrice, p: &mut impl FnMut(String)) {
    check_validity(p, at, pp.effective_from, pp.effective_to);
}

fn check_validity(
    p: &mut impl FnMut(String),
    at: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) {
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            p(format!(
                "{at}: effective_to {t} is before effective_from {f}"
            ));
        }
    }
}

/// One validity period, for the overlap check.
pub struct Period {
    /// `token_prices[3] (gpt-4o global-standard)` and the like.
    pub at: String,
    /// First day (None = open).
    pub from: Option<NaiveDate>,
    /// Last day (None = open).
    pub to: Option<NaiveDate>,
}

/// Two entries for the same key (model, type, region) in force on a common day.
pub fn check_overlaps<K: Ord + std::fmt::Display>(
    periods: BTreeMap<K, Vec<Period>>,
    p: &mut impl FnMut(String),
) {
    for (key, mut list) in periods {
        list.sort_by_key(|x| x.from);
        for pair in list.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            // Sorted by start: they overlap unless `a` ends before `b` starts.
            let disjoint = matches!((a.to, b.from), (Some(end), Some(start)) if end < start);
            if !disjoint {
                p(format!(
                    "{}: a second price for {key} in force at the same time as {} (set effective_to / effective_from so the periods do not overlap)",
                    b.at, a.at
                ));
            }
        }
    }
}

/// Every entry dated after `reference` (a date in the future is a typo or an unverifiable
/// claim), one line each.
pub fn check_dates(c: &Catalog, reference: NaiveDate) -> Vec<String> {
    let mut problems = Vec::new();
    let mut check = |at: String, date: NaiveDate| {
        if date > reference {
            problems.push(format!(
                "{at}: as_of {date} is in the future (after {reference})"
            ));
        }
    };
    for t in c.deployment_types.values() {
        check(format!("deployment_types.{}", t.id), t.as_of);
    }
    for m in c.models.values() {
        check(format!("models.{}", m.id), m.as_of);
        if let Some(l) = &m.limits {
            check(format!("models.{}.limits", m.id), l.as_of);
        }
        if let Some(l) = &m.long_context {
            check(format!("models.{}.long_context", m.id), l.as_of);
        }
        for s in m.lifecycle.iter().flat_map(|l| &l.schedules) {
            check(
                format!("models.{}.lifecycle (schedule published)", m.id),
                s.published,
            );
        }
    }
    for (i, tp) in c.token_prices.iter().enumerate() {
        check(
            format!("token_prices[{i}] ({} {})", tp.model, tp.deployment_type),
            tp.as_of,
        );
    }
    for (i, pp) in c.ptu_prices.iter().enumerate() {
        check(
            format!("ptu_prices[{i}] ({})", pp.deployment_type),
            pp.as_of,
        );
    }
    for z in &c.data_zones {
        check(format!("data_zones.{}", z.id), z.as_of);
    }
    for (i, a) in c.availability.iter().enumerate() {
        check(
            format!("availability[{i}] ({} {})", a.model, a.deployment_type),
            a.as_of,
        );
    }
    problems
}

/// A catalog that prices nothing cannot compare anything.
pub fn check_has_prices(c: &Catalog, when: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if c.token_prices.is_empty() {
        problems.push(format!("token_prices: no per-token price{when}"));
    }
    if c.ptu_prices.is_empty() {
        problems.push(format!("ptu_prices: no PTU price{when}"));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{load_catalog, CatalogSource};

    /// A schedule naming the model itself as its replacement is a catalog error (tester36: it
    /// passed `catalog validate`, and the run said its replacement was "not in the catalog");
    /// the shipped catalog has none.
    #[test]
    fn a_model_named_as_its_own_replacement_is_refused() {
        let mut c = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let mut problems = Vec::new();
        check_models(&c, &mut |s| problems.push(s));
        assert!(problems.is_empty(), "{problems:?}");
        let m = c.models.get_mut("gpt-4.1").expect("gpt-4.1");
        let l = m.lifecycle.as_mut().expect("lifecycle");
        l.schedules[0].replacement = Some("GPT-4.1".into());
        check_models(&c, &mut |s| problems.push(s));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("models.gpt-4.1.lifecycle: the schedule of 2026-09-02 names the model itself (`GPT-4.1`)"),
            "{problems:?}"
        );
    }
}
