//! One sanity bound per kind of figure, checked the same way wherever the figure comes from:
//! the catalog (`data/pricing.yaml`, `--catalog DIR`), a `--prices` file, `--overrides` quotes
//! and currency, and `catalog refresh`'s guard. A figure that is not a finite positive number
//! is always an error; one above its bound is an error unless its entry says why it is right
//! (`accept_outlier: "reason"`), so an absurd figure can never turn into an infinite, null or
//! meaningless cost.
//!
//! The bounds are far above every list price Microsoft publishes (the dearest token meters are
//! a few hundred USD per 1M tokens; PTUs cost one to a few USD per hour).

/// Largest plausible per-token price, USD per 1M tokens.
pub const MAX_USD_PER_1M_TOKENS: f64 = 1_000.0;
/// Largest plausible hourly PTU price, USD per PTU-hour.
pub const MAX_USD_PER_PTU_HOUR: f64 = 100.0;
/// Largest plausible 1-month reservation, USD per PTU for the month.
pub const MAX_USD_PER_PTU_MONTH: f64 = 10_000.0;
/// Largest plausible 1-year reservation, USD per PTU for the year.
pub const MAX_USD_PER_PTU_YEAR: f64 = 100_000.0;
/// Largest plausible currency rate, units per USD.
pub const MAX_PER_USD: f64 = 1_000_000.0;
/// Largest plausible PTU throughput, input tokens per minute per PTU.
pub const MAX_INPUT_TPM_PER_PTU: f64 = 10_000_000.0;
/// Largest plausible output-to-input ratio of PTU accounting.
pub const MAX_OUTPUT_TO_INPUT_RATIO: f64 = 1_000.0;
/// Largest plausible latency target, output tokens per second.
pub const MAX_LATENCY_TARGET_TOKENS_PER_S: f64 = 100_000.0;
/// Largest plausible PTU minimum or increment.
pub const MAX_PTUS: u32 = 1_000_000;

/// A kind of figure and its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// USD per 1M tokens.
    UsdPer1mTokens,
    /// USD per PTU-hour.
    UsdPerPtuHour,
    /// USD per PTU for a 1-month reservation.
    UsdPerPtuMonth,
    /// USD per PTU for a 1-year reservation.
    UsdPerPtuYear,
    /// Currency units per USD.
    PerUsd,
    /// Input tokens per minute per PTU.
    InputTpmPerPtu,
    /// Output-to-input ratio.
    OutputToInputRatio,
    /// Output tokens per second.
    LatencyTargetTokensPerS,
}

impl Figure {
    /// The bound.
    pub fn max(self) -> f64 {
        match self {
            Figure::UsdPer1mTokens => MAX_USD_PER_1M_TOKENS,
            Figure::UsdPerPtuHour => MAX_USD_PER_PTU_HOUR,
            Figure::UsdPerPtuMonth => MAX_USD_PER_PTU_MONTH,
            Figure::UsdPerPtuYear => MAX_USD_PER_PTU_YEAR,
            Figure::PerUsd => MAX_PER_USD,
            Figure::InputTpmPerPtu => MAX_INPUT_TPM_PER_PTU,
            Figure::OutputToInputRatio => MAX_OUTPUT_TO_INPUT_RATIO,
            Figure::LatencyTargetTokensPerS => MAX_LATENCY_TARGET_TOKENS_PER_S,
        }
    }

    /// The unit, for messages.
    pub fn unit(self) -> &'static str {
        match self {
            Figure::UsdPer1mTokens => "USD per 1M tokens",
            Figure::UsdPerPtuHour => "USD per PTU-hour",
            Figure::UsdPerPtuMonth => "USD per PTU-month",
            Figure::UsdPerPtuYear => "USD per PTU-year",
            Figure::PerUsd => "per USD",
            Figure::InputTpmPerPtu => "tokens per minute per PTU",
            Figure::OutputToInputRatio => "(ratio)",
            Figure::LatencyTargetTokensPerS => "tokens per second",
        }
    }

    /// Whether an entry may say "this is right" for a value above the bound (prices and rates
    /// may; capacity figures, which no exemption makes sensible, may not).
    pub fn may_be_accepted(self) -> bool {
        matches!(
            self,
            Figure::UsdPer1mTokens
                | Figure::UsdPerPtuHour
                | Figure::UsdPerPtuMonth
                | Figure::UsdPerPtuYear
                | Figure::PerUsd
        )
    }
}

/// A figure for messages: plain for everyday magnitudes, scientific for absurd ones.
fn fmt_figure(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-3..1e6).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// True when `value` lies above its figure's bound.
pub fn is_above_bound(value: f64, figure: Figure) -> bool {
    value > figure.max()
}

/// Check one figure of the entry at `at`; `accepted` is the entry's `accept_outlier` reason.
/// Returns the problem, if any, as one line naming the entry, the field and the bound.
pub fn check(
    at: &str,
    field: &str,
    value: f64,
    figure: Figure,
    accepted: Option<&str>,
) -> Option<String> {
    if !(value.is_finite() && value > 0.0) {
        return Some(format!(
            "{at}: `{field}` must be a positive number, got {}",
            fmt_figure(value)
        ));
    }
    let accepted = figure.may_be_accepted() && accepted.is_some_and(|r| !r.trim().is_empty());
    if is_above_bound(value, figure) && !accepted {
        return Some(format!(
            "{at}: `{field}` {} {} is above the sanity bound of {} {}; fix the figure{}",
            fmt_figure(value),
            figure.unit(),
            figure.max(),
            figure.unit(),
            if figure.may_be_accepted() {
                ", or add `accept_outlier: \"why it is right\"` to the entry"
            } else {
                ""
            }
        ));
    }
    None
}

/// Check a PTU count (minimum or increment).
pub fn check_ptus(at: &str, field: &str, value: u32) -> Option<String> {
    if value == 0 || value > MAX_PTUS {
        Some(format!(
            "{at}: `{field}` must be between 1 and {MAX_PTUS}, got {value}"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_figures_fail_unless_accepted() {
        assert_eq!(check("e", "f", 2.5, Figure::UsdPer1mTokens, None), None);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(check("e", "f", bad, Figure::UsdPer1mTokens, Some("yes")).is_some());
        }
        let msg = check("e", "f", 1e9, Figure::UsdPer1mTokens, None).expect("above");
        assert!(
            msg.contains("above the sanity bound of 1000 USD per 1M tokens"),
            "{msg}"
        );
        assert_eq!(
            check("e", "f", 1e9, Figure::UsdPer1mTokens, Some("quoted")),
            None
        );
        assert!(check("e", "f", 1e9, Figure::UsdPer1mTokens, Some(" ")).is_some());
        assert!(check("e", "f", 1e9, Figure::InputTpmPerPtu, Some("yes")).is_some());
        assert!(check_ptus("e", "min_ptus", 0).is_some());
        assert!(check_ptus("e", "min_ptus", 15).is_none());
    }
}
