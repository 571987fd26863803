//! Ranking: the recommended option is the cheapest eligible one (available, within the
//! throttle target, and not Batch unless Batch is allowed), by cost over the span. Ties keep
//! the options' display order. An option without a finite cost is never recommended.

use super::OptionPlan;

/// The `id` of the cheapest eligible option, if any.
pub fn recommend(options: &[OptionPlan]) -> Option<String> {
    options
        .iter()
        .enumerate()
        .filter(|(_, o)| o.available && o.eligible)
        .filter_map(|(i, o)| o.cost_usd.filter(|c| c.is_finite()).map(|c| (i, c, o)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        .map(|(_, _, o)| o.id.clone())
}
