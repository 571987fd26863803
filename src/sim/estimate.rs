//! The admission estimate: how many completion tokens a check charges a request before it
//! has run. Azure counts `max_tokens` (`max_completion_tokens`) towards both the PTU bucket and
//! the Standard rate limits ("the estimated max processed-token count ... including the
//! `max_tokens`", What is provisioned throughput; Quota and limits). When a request logged
//! none, [`MissingMaxTokens`] (`--missing-max-tokens`) says what the service assumed.
//!
//! One rule, used by every reader of it: the PTU admission ([`super::admission`]), the
//! Standard limiter ([`super::standard`]) and the minute series whose busiest minute sets the
//! sizing search's ceiling ([`super::minutes`]). This module imports nothing from the rest of
//! the simulation, so those three never import each other for it.

/// How the admission estimate is formed when a request logged no `max_completion_tokens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissingMaxTokens {
    /// Assume the service estimated the actual completion size (no correction at completion).
    Actual,
    /// Assume the service estimated this many completion tokens.
    Fixed(u32),
}

impl MissingMaxTokens {
    /// The completion tokens an admission check charges a request: its
    /// `max_completion_tokens` when logged, else what this setting assumes.
    #[inline(always)]
    pub fn estimate(self, max_completion_tokens: Option<u32>, completion_tokens: u32) -> u32 {
        match (max_completion_tokens, self) {
            (Some(max), _) => max,
            (None, MissingMaxTokens::Actual) => completion_tokens,
            (None, MissingMaxTokens::Fixed(n)) => n,
        }
    }

    /// [`estimate`](MissingMaxTokens::estimate) summed, weighted, over requests that logged
    /// no `max_completion_tokens`: given `Σ weight x completion` and `Σ weight` of those
    /// requests (whole numbers, any unit), `Σ weight x estimate` in the same unit. The
    /// estimate of such a request is its completion or a constant, so the sum is exact.
    pub fn weighted_sum_without_max(self, weighted_completion_sum: f64, weight_sum: f64) -> f64 {
        match self {
            MissingMaxTokens::Actual => weighted_completion_sum,
            MissingMaxTokens::Fixed(n) => f64::from(n) * weight_sum,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logged_max_wins_and_a_missing_one_follows_the_setting() {
        assert_eq!(MissingMaxTokens::Actual.estimate(Some(900), 40), 900);
        assert_eq!(MissingMaxTokens::Fixed(4096).estimate(Some(900), 40), 900);
        assert_eq!(MissingMaxTokens::Actual.estimate(None, 40), 40);
        assert_eq!(MissingMaxTokens::Fixed(4096).estimate(None, 40), 4096);
    }

    #[test]
    fn the_weighted_sum_equals_the_sum_of_the_estimates() {
        // Two requests without a max: weights 4 and 1, completions 10 and 30.
        let (wc, w) = (4.0 * 10.0 + 30.0, 5.0);
        for m in [MissingMaxTokens::Actual, MissingMaxTokens::Fixed(7)] {
            let each = 4.0 * f64::from(m.estimate(None, 10)) + f64::from(m.estimate(None, 30));
            assert_eq!(m.weighted_sum_without_max(wc, w), each);
        }
    }
}
