//! Budget rules for CI (`--fail-on EXPR`): a tiny grammar, its parser, and evaluation against a
//! report (and, for the `*_increase_*` metrics, its diff against a baseline).
//!
//! Grammar (whitespace around the parts is ignored):
//!
//! ```text
//! EXPR   := METRIC OP NUMBER
//! METRIC := monthly_cost_usd | failed_pct | spilled_pct | commitment_usd | provisional
//!         | workloads_without_recommendation
//!         | monthly_cost_increase_pct | monthly_cost_increase_usd
//! OP     := ">" | ">=" | "<" | "<="
//! NUMBER := a finite decimal number, e.g. 5000, 1, -3.5, 1e4
//! ```
//!
//! A rule is *breached* when the comparison holds: `monthly_cost_usd>5000` fails the run when
//! the decided plan costs more than 5,000 USD a month. Every rule reads the decisions, the
//! same ones every output shows, at their worst window of the band (`decision.worst_case`):
//! the log cannot tell which window the service uses, so a budget must hold at all of them.
//! The `*_increase_*` metrics compare the window in use's totals, which every report version
//! holds. Every percentage is in percent, as in the flags
//! (`failed_pct>1` means 1%, like `--max-throttle-pct 1`); `failed_pct` counts failed
//! requests only, as the sizing target does (spilled requests are served by Standard; they
//! are `spilled_pct`; the old names `throttle_rate` and `spill_rate` are still accepted). Deciding what to do about a breach (exit status 3) is left to the command
//! layer.
//!
//! No workload can make a rule pass by dropping out: a plan where some workloads have no
//! recommendation breaches every rule but `workloads_without_recommendation` (unless
//! `--allow-partial-plan`), naming them; with `--allow-partial-plan` the increase metrics
//! compare like with like (the baseline without the workloads that lost their recommendation)
//! and name those workloads.

use std::fmt;

use serde::Serialize;

use super::diff::ReportDiff;
use super::{fmt_pct, fmt_usd, Report};

/// What a rule measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Total monthly cost of every workload's decided option at its worst window of the band
    /// (`decision_summary.worst_case_monthly_cost_usd`), USD per month.
    MonthlyCostUsd,
    /// The largest failed share among the decided options over the band, in percent (1 = 1%,
    /// the unit of `--max-throttle-pct`): 429s after any retries, prompt-limit 400s, and
    /// Standard 429s of spilled or per-token requests. Spilled requests are served, so they do
    /// not count. `failed_pct`, as `decision.worst_case.failed_pct` in the JSON (was
    /// `throttle_rate`, still accepted).
    #[serde(rename = "failed_pct")]
    ThrottleRate,
    /// The largest share of requests a decided option spills to Standard over the band,
    /// percent. `spilled_pct`, as `decision.worst_case.spilled_pct` (was `spill_rate`).
    #[serde(rename = "spilled_pct")]
    SpillRate,
    /// What the decided reservations commit to, USD (their whole terms).
    CommitmentUsd,
    /// Workloads whose decision is provisional (a log shorter than `--min-span-days`).
    Provisional,
    /// Workloads with no eligible option (a count).
    WorkloadsWithoutRecommendation,
    /// Change of the total recommended monthly cost against `--baseline`, percent (10 = +10%).
    MonthlyCostIncreasePct,
    /// Change of the total recommended monthly cost against `--baseline`, USD per month.
    MonthlyCostIncreaseUsd,
}

impl Metric {
    /// Every metric, in documentation order.
    pub const ALL: [Metric; 8] = [
        Metric::MonthlyCostUsd,
        Metric::ThrottleRate,
        Metric::SpillRate,
        Metric::CommitmentUsd,
        Metric::Provisional,
        Metric::WorkloadsWithoutRecommendation,
        Metric::MonthlyCostIncreasePct,
        Metric::MonthlyCostIncreaseUsd,
    ];

    /// The name used in expressions.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::MonthlyCostUsd => "monthly_cost_usd",
            Metric::ThrottleRate => "failed_pct",
            Metric::SpillRate => "spilled_pct",
            Metric::CommitmentUsd => "commitment_usd",
            Metric::Provisional => "provisional",
            Metric::WorkloadsWithoutRecommendation => "workloads_without_recommendation",
            Metric::MonthlyCostIncreasePct => "monthly_cost_increase_pct",
            Metric::MonthlyCostIncreaseUsd => "monthly_cost_increase_usd",
        }
    }

    /// True for metrics that compare against `--baseline`.
    pub fn needs_baseline(self) -> bool {
        matches!(
            self,
            Metric::MonthlyCostIncreasePct | Metric::MonthlyCostIncreaseUsd
        )
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Comparison {
    /// `>`
    #[serde(rename = ">")]
    Greater,
    /// `>=`
    #[serde(rename = ">=")]
    GreaterOrEqual,
    /// `<`
    #[serde(rename = "<")]
    Less,
    /// `<=`
    #[serde(rename = "<=")]
    LessOrEqual,
}

impl Comparison {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
        }
    }

    /// Whether `actual OP threshold` holds.
    pub fn holds(self, actual: f64, threshold: f64) -> bool {
        match self {
            Comparison::Greater => actual > threshold,
            Comparison::GreaterOrEqual => actual >= threshold,
            Comparison::Less => actual < threshold,
            Comparison::LessOrEqual => actual <= threshold,
        }
    }
}

/// A parsed `--fail-on` rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GateRule {
    /// What is measured.
    pub metric: Metric,
    /// How it is compared.
    #[serde(rename = "op")]
    pub comparison: Comparison,
    /// The threshold, in the metric's unit.
    pub threshold: f64,
}

impl fmt::Display for GateRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}",
            self.metric,
            self.comparison.as_str(),
            self.threshold
        )
    }
}

/// Why an expression does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GateParseError {
    /// No comparison operator.
    #[error("`{0}` is not METRIC OP NUMBER (e.g. monthly_cost_usd>5000); OP is one of > >= < <=")]
    Shape(String),
    /// Unknown metric.
    #[error("unknown metric `{name}`; expected one of: {known}{hint}")]
    Metric {
        /// The name given.
        name: String,
        /// The metrics there are.
        known: String,
        /// " (did you mean `x`?)" or empty.
        hint: String,
    },
    /// An operator other than the four.
    #[error("unsupported comparison `{0}`; use one of > >= < <=")]
    Operator(String),
    /// Not a finite number.
    #[error("threshold `{0}` is not a finite number")]
    Number(String),
}

/// Parse `METRIC OP NUMBER`.
pub fn parse_rule(text: &str) -> Result<GateRule, GateParseError> {
    let is_op = |c: char| matches!(c, '<' | '>' | '=' | '!');
    let Some(start) = text.find(is_op) else {
        return Err(GateParseError::Shape(text.to_owned()));
    };
    let name = text[..start].trim();
    let rest = &text[start..];
    let end = rest.find(|c: char| !is_op(c)).unwrap_or(rest.len());
    let (op, number) = (&rest[..end], rest[end..].trim());
    if name.is_empty() || number.is_empty() {
        return Err(GateParseError::Shape(text.to_owned()));
    }
    let metric = parse_metric(name)?;
    let comparison = match op {
        ">" => Comparison::Greater,
        ">=" => Comparison::GreaterOrEqual,
        "<" => Comparison::Less,
        "<=" => Comparison::LessOrEqual,
        other => return Err(GateParseError::Operator(other.to_owned())),
    };
    let threshold = number
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| GateParseError::Number(number.to_owned()))?;
    Ok(GateRule {
        metric,
        comparison,
        threshold,
    })
}

/// Old metric names that keep working, `(old, new)` (issue 23: percent quantities end in
/// `_pct`, and a metric is named as the JSON field it reads).
pub const DEPRECATED_METRICS: [(&str, &str); 2] = [
    ("throttle_rate", "failed_pct"),
    ("spill_rate", "spilled_pct"),
];

fn parse_metric(name: &str) -> Result<Metric, GateParseError> {
    let name = DEPRECATED_METRICS
        .iter()
        .find(|(old, _)| *old == name)
        .map_or(name, |(_, new)| *new);
    if let Some(m) = Metric::ALL.into_iter().find(|m| m.as_str() == name) {
        return Ok(m);
    }
    let best = Metric::ALL
        .into_iter()
        .map(|m| (strsim::jaro_winkler(name, m.as_str()), m))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score > 0.8);
    Err(GateParseError::Metric {
        name: name.to_owned(),
        known: Metric::ALL.map(Metric::as_str).join(", "),
        hint: best.map_or(String::new(), |(_, m)| format!(" (did you mean `{m}`?)")),
    })
}

/// The outcome of one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// The rule.
    pub rule: GateRule,
    /// The measured value, in the metric's unit.
    pub actual: f64,
    /// What the value is, for people ("recommended plan: 1,234.56 USD per month").
    pub detail: String,
    /// Whether the rule fired.
    pub breached: bool,
    /// True when the rule fired because some workloads have no recommendation, so the value
    /// covers only part of the plan (see [`evaluate`]'s `allow_partial_plan`).
    pub partial_plan: bool,
}

impl Verdict {
    /// One line for stderr or a report: the rule, the value against the threshold, the detail.
    pub fn message(&self) -> String {
        if self.partial_plan {
            return format!(
                "{} breached: the plan is incomplete ({}); the measured {} covers only the workloads with a recommendation (pass --allow-partial-plan to judge it anyway)",
                self.rule,
                self.detail,
                fmt_value(self.actual)
            );
        }
        let op = if self.breached {
            self.rule.comparison.as_str().to_owned()
        } else {
            format!("not {}", self.rule.comparison.as_str())
        };
        let (actual, threshold) = fmt_apart(self.actual, self.rule.threshold);
        format!(
            "{} {}: actual {actual} {op} threshold {threshold} ({})",
            self.rule,
            if self.breached { "breached" } else { "passed" },
            self.detail
        )
    }
}

/// Two values as [`fmt_value`] writes them, with more digits when that would print different
/// values alike ("actual 503.75 > threshold 503.75" for 503.7532).
fn fmt_apart(a: f64, b: f64) -> (String, String) {
    let (fa, fb) = (fmt_value(a), fmt_value(b));
    if fa != fb || a == b || !a.is_finite() || !b.is_finite() {
        return (fa, fb);
    }
    for digits in 3..=12 {
        let (fa, fb) = (format!("{a:.digits$}"), format!("{b:.digits$}"));
        if fa != fb {
            let trim = |s: String| s.trim_end_matches('0').trim_end_matches('.').to_owned();
            return (trim(fa), trim(fb));
        }
    }
    (format!("{a:e}"), format!("{b:e}"))
}

fn fmt_value(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 { "+inf" } else { "-inf" }.to_owned()
    } else {
        // Enough digits for rates like 0.0123 and costs like 5000.25, without float noise.
        let s = if v.abs() >= 100.0 {
            format!("{v:.2}")
        } else {
            format!("{v:.4}")
        };
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A rule that needs a baseline was evaluated without one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--fail-on {0} compares against a previous report: pass --baseline OLD.json")]
pub struct MissingBaseline(pub String);

/// Evaluate `rules` against `report` and, for the increase metrics, `diff`.
///
/// Budget rules cover every workload: when some workloads have no recommendation, a rule on a
/// plan-wide value (cost, cost increase, throttle rate) is breached, since the value leaves
/// those workloads out, unless `allow_partial_plan` says to judge the partial value.
pub fn evaluate(
    rules: &[GateRule],
    report: &Report,
    diff: Option<&ReportDiff>,
    allow_partial_plan: bool,
) -> Result<Vec<Verdict>, MissingBaseline> {
    let s = &report.summary;
    let incomplete = s.workloads_without_recommendation > 0 && !allow_partial_plan;
    let without = super::without_recommendation(report);
    rules
        .iter()
        .map(|rule| {
            let (actual, detail) = measure(rule.metric, report, diff)
                .ok_or_else(|| MissingBaseline(rule.to_string()))?;
            let partial_plan = incomplete && rule.metric != Metric::WorkloadsWithoutRecommendation;
            Ok(Verdict {
                rule: *rule,
                actual,
                detail: if partial_plan {
                    format!(
                        "{} of {} workload(s) have no recommendation: {}",
                        s.workloads_without_recommendation,
                        s.workloads,
                        without.join(", ")
                    )
                } else {
                    detail
                },
                breached: partial_plan || rule.comparison.holds(actual, rule.threshold),
                partial_plan,
            })
        })
        .collect()
}

fn measure(metric: Metric, report: &Report, diff: Option<&ReportDiff>) -> Option<(f64, String)> {
    let s = &report.summary;
    Some(match metric {
        Metric::MonthlyCostUsd => {
            let worst = report.decision_summary.worst_case_monthly_cost_usd;
            let run = s.recommended_monthly_cost_usd;
            let detail = if (worst - run).abs() < 0.005 {
                format!("decided plan: {} USD per month", fmt_usd(run))
            } else {
                format!(
                    "decided plan at its worst window of the band: {} USD per month ({} at the window in use)",
                    fmt_usd(worst),
                    fmt_usd(run)
                )
            };
            (worst, detail)
        }
        Metric::ThrottleRate => worst_share(report, "fails", |b| b.worst_failed_share),
        Metric::SpillRate => worst_share(report, "spills", |b| b.worst_spilled_share),
        Metric::CommitmentUsd => {
            let total = report.decision_summary.commitment_usd;
            let n = report
                .workloads
                .iter()
                .filter(|w| w.decision.commitment_usd() > 0.0)
                .count();
            (
                total,
                format!("{} reservation(s) commit {} USD", n, fmt_usd(total)),
            )
        }
        Metric::Provisional => {
            let names: Vec<&str> = report
                .workloads
                .iter()
                .filter(|w| w.decision.status == crate::plan::DecisionStatus::Provisional)
                .map(|w| w.deployment.as_str())
                .collect();
            (
                names.len() as f64,
                if names.is_empty() {
                    "no decision is provisional".to_owned()
                } else {
                    format!(
                        "{} decision(s) provisional (log shorter than {} days, or of per-hour or per-day totals): {}",
                        names.len(),
                        report.assumptions.plan.decision.min_span_days,
                        names.join(", ")
                    )
                },
            )
        }
        Metric::WorkloadsWithoutRecommendation => (
            s.workloads_without_recommendation as f64,
            format!(
                "{} of {} workload(s) have no eligible option",
                s.workloads_without_recommendation, s.workloads
            ),
        ),
        Metric::MonthlyCostIncreasePct | Metric::MonthlyCostIncreaseUsd => {
            let d = diff?;
            let change = comparable_change(d);
            let actual = if metric == Metric::MonthlyCostIncreaseUsd {
                change.delta_usd
            } else {
                change.delta_pct.unwrap_or(if change.delta_usd > 0.0 {
                    f64::INFINITY
                } else {
                    0.0
                })
            };
            let mut detail = format!(
                "decided plan went from {} to {} USD per month",
                fmt_usd(change.base_usd),
                fmt_usd(change.new_usd)
            );
            if !change.lost.is_empty() {
                detail.push_str(&format!(
                    "; left out on both sides: {} workload(s) that lost their recommendation ({})",
                    change.lost.len(),
                    change.lost.join(", ")
                ));
            }
            let removed: Vec<&str> = d
                .workloads
                .iter()
                .filter(|w| w.change == super::diff::Change::Removed)
                .map(|w| w.deployment.as_str())
                .collect();
            if !removed.is_empty() {
                detail.push_str(&format!(
                    "; {} workload(s) only in the baseline: {}",
                    removed.len(),
                    removed.join(", ")
                ));
            }
            (actual, detail)
        }
    })
}

/// The largest share (`share` of the decided option at its worst window of the band) over the
/// workloads, in percent, with the option that has it.
fn worst_share(
    report: &Report,
    verb: &str,
    share: impl Fn(&crate::plan::decision::BandCase) -> f64,
) -> (f64, String) {
    let worst = report
        .workloads
        .iter()
        .filter_map(|w| Some((share(w.decision.band.as_ref()?), w)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match worst {
        Some((rate, w)) => (
            rate * 100.0,
            format!(
                "worst decided option: {} for {} {verb} {}",
                w.decision
                    .option
                    .as_ref()
                    .map_or("-", |o| o.option_id.as_str()),
                w.deployment,
                fmt_pct(rate)
            ),
        ),
        None => (0.0, "no workload has a decision".to_owned()),
    }
}

/// The change of the total between the baseline and this run, like with like: a workload
/// that had a recommendation in the baseline and has none now is left out of both totals
/// (this run's total does not hold it, so the baseline's must not either), and named.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparableChange {
    /// The baseline's total without the workloads that lost their recommendation, USD/mo.
    pub base_usd: f64,
    /// This run's total, USD/mo.
    pub new_usd: f64,
    /// `new_usd - base_usd`.
    pub delta_usd: f64,
    /// The same in percent of `base_usd` (None when it is 0).
    pub delta_pct: Option<f64>,
    /// The deployments that lost their recommendation.
    pub lost: Vec<String>,
}

/// [`ComparableChange`] of a diff.
pub fn comparable_change(d: &ReportDiff) -> ComparableChange {
    let mut base = d.summary.base_monthly_cost_usd;
    let mut lost = Vec::new();
    for w in &d.workloads {
        let had = w
            .base
            .as_ref()
            .and_then(|b| b.recommended.as_ref().and(b.monthly_cost_usd));
        let has = w.new.as_ref().is_some_and(|n| n.recommended.is_some());
        if let (Some(cost), true) = (had, w.new.is_some() && !has) {
            base -= cost;
            lost.push(w.deployment.clone());
        }
    }
    let new = d.summary.new_monthly_cost_usd;
    ComparableChange {
        base_usd: base,
        new_usd: new,
        delta_usd: new - base,
        delta_pct: (base != 0.0).then(|| 100.0 * (new - base) / base),
        lost,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_differ_are_never_printed_alike() {
        assert_eq!(
            fmt_apart(503.7532, 503.75),
            ("503.753".to_owned(), "503.75".to_owned())
        );
        assert_eq!(
            fmt_apart(0.01, 0.01),
            ("0.01".to_owned(), "0.01".to_owned())
        );
        assert_eq!(
            fmt_apart(600.0, 503.75),
            ("600".to_owned(), "503.75".to_owned())
        );
    }
    use crate::report::diff::{diff_reports, ReportView};
    use crate::report::test_support::{report_of, sample_report};

    /// The verdicts of the rules `texts` on `report`, with no baseline.
    fn verdicts(report: &Report, texts: &[&str], allow_partial_plan: bool) -> Vec<Verdict> {
        let rules: Vec<GateRule> = texts.iter().map(|t| parse_rule(t).expect("rule")).collect();
        evaluate(&rules, report, None, allow_partial_plan).expect("no baseline needed")
    }

    /// Decide the sample report's workload on its 1-year reservation.
    fn decided_on_year_reservation(report: &mut Report) {
        crate::report::test_support::force_decision(
            &mut report.workloads[0],
            "global-provisioned/reserved-1-year",
        );
        crate::report::test_support::refresh(report);
    }

    fn breached(verdicts: &[Verdict]) -> Vec<bool> {
        verdicts.iter().map(|v| v.breached).collect()
    }

    #[test]
    fn parses_every_operator_and_ignores_spaces() {
        let r = parse_rule(" monthly_cost_usd >= 5000 ").expect("parses");
        assert_eq!(r.metric, Metric::MonthlyCostUsd);
        assert_eq!(r.comparison, Comparison::GreaterOrEqual);
        assert_eq!(r.threshold, 5000.0);
        assert_eq!(r.to_string(), "monthly_cost_usd>=5000");
        for (text, op) in [
            ("throttle_rate>0.01", Comparison::Greater),
            ("throttle_rate<0.01", Comparison::Less),
            ("throttle_rate<=1e-2", Comparison::LessOrEqual),
        ] {
            let r = parse_rule(text).expect("parses");
            assert_eq!(r.comparison, op);
            assert_eq!(r.threshold, 0.01);
        }
    }

    #[test]
    fn rejects_bad_expressions_with_a_reason() {
        assert!(matches!(
            parse_rule("monthly_cost_usd"),
            Err(GateParseError::Shape(_))
        ));
        assert!(matches!(parse_rule(">5"), Err(GateParseError::Shape(_))));
        assert!(matches!(
            parse_rule("monthly_cost_usd==5"),
            Err(GateParseError::Operator(op)) if op == "=="
        ));
        assert!(matches!(
            parse_rule("monthly_cost_usd>lots"),
            Err(GateParseError::Number(_))
        ));
        assert!(matches!(
            parse_rule("monthly_cost_usd>inf"),
            Err(GateParseError::Number(_))
        ));
        // The old names (before issue 23) read the same metrics.
        assert_eq!(
            parse_rule("throttle_rate>1").expect("rule"),
            parse_rule("failed_pct>1").expect("rule")
        );
        assert_eq!(
            parse_rule("spill_rate>1").expect("rule").to_string(),
            "spilled_pct>1"
        );
        let err = parse_rule("monthly_cost>5").expect_err("unknown metric");
        assert!(err.to_string().contains("did you mean `monthly_cost_usd`?"));
    }

    #[test]
    fn evaluates_against_the_report() {
        let report = sample_report();
        let v = verdicts(
            &report,
            &[
                "monthly_cost_usd>250",
                "monthly_cost_usd>300",
                "throttle_rate>0",
                "workloads_without_recommendation>=1",
            ],
            false,
        );
        assert_eq!(breached(&v), [true, false, false, false]);
        assert_eq!(v[0].actual, 300.0);
        assert!(v[0].message().starts_with(
            "monthly_cost_usd>250 breached: actual 300 > threshold 250 (decided plan: 300.00 USD"
        ));
        assert!(v[1].message().contains("actual 300 not > threshold 300"));
    }

    #[test]
    fn issue_12_budget_rules_fail_when_some_workloads_have_no_recommendation() {
        let mut report = sample_report();
        let mut lost = report.workloads[0].clone();
        lost.deployment = "unpriced".to_owned();
        crate::report::test_support::no_decision(&mut lost);
        report.workloads.push(lost);
        crate::report::test_support::refresh(&mut report);
        assert_eq!(report.summary.workloads_without_recommendation, 1);
        let rules = [
            "monthly_cost_usd>1000000",
            "monthly_cost_usd<0",
            "throttle_rate>0.5",
            "workloads_without_recommendation>5",
        ];
        let v = verdicts(&report, &rules, false);
        assert_eq!(
            breached(&v),
            [true, true, true, false],
            "a smaller total never passes a budget"
        );
        assert!(v[0].message().contains(
            "the plan is incomplete (1 of 2 workload(s) have no recommendation: unpriced)"
        ));
        let v = verdicts(&report, &rules, true);
        assert_eq!(
            breached(&v),
            [false, false, false, false],
            "--allow-partial-plan judges the partial total"
        );
    }

    #[test]
    fn issue_14_throttle_rate_is_in_percent_like_the_flags() {
        let mut report = sample_report();
        for o in &mut report.workloads[0].options {
            if o.id == "global-provisioned/reserved-1-year" {
                o.throttled_share = Some(0.02);
            }
        }
        decided_on_year_reservation(&mut report);
        let v = verdicts(&report, &["failed_pct>1", "throttle_rate>5"], false);
        // The option fails 2% of requests: above 1%, below 5%.
        assert!((v[0].actual - 2.0).abs() < 1e-9);
        assert_eq!(breached(&v), [true, false]);
        assert!(v[0]
            .message()
            .starts_with("failed_pct>1 breached: actual 2 > threshold 1"));
    }

    /// Spilled requests are served by Standard: `failed_pct` does not count them, the
    /// sizing target does not either; `spilled_pct` does. A plan that spills passes the README's
    /// `failed_pct>1`.
    #[test]
    fn issue_18_throttle_rate_counts_failures_and_spill_rate_spills() {
        let mut report = sample_report();
        decided_on_year_reservation(&mut report);
        let v = verdicts(
            &report,
            &[
                "throttle_rate>1",
                "spilled_pct>2",
                "commitment_usd>0",
                "provisional>0",
            ],
            false,
        );
        // It spills 3% and fails none.
        assert_eq!(v[0].actual, 0.0);
        assert!((v[1].actual - 3.0).abs() < 1e-9);
        assert_eq!(breached(&v), [false, true, false, false], "{v:?}");
    }

    #[test]
    fn issue_14_workloads_losing_their_recommendation_never_pass_a_cost_increase_rule() {
        let named = |name: &str| {
            let mut w = crate::report::test_support::sample_workload();
            w.deployment = name.to_owned();
            w
        };
        let base = report_of(vec![named("a"), named("b"), named("c")]);
        let mut new = report_of(vec![named("a"), named("b"), named("c")]);
        let against_base = |new: &Report| {
            diff_reports(
                &ReportView::from(&base),
                &ReportView::from(new),
                "old.json",
                "new",
            )
        };
        for w in &mut new.workloads[1..] {
            crate::report::test_support::no_decision(w);
        }
        crate::report::test_support::refresh(&mut new);
        // The total fell from 900 to 300 only because b and c dropped out.
        let diff = against_base(&new);
        let rule = parse_rule("monthly_cost_increase_pct>10").expect("rule");
        let v = evaluate(&[rule], &new, Some(&diff), false).expect("evaluates");
        assert!(v[0].breached);
        assert!(
            v[0].message()
                .contains("2 of 3 workload(s) have no recommendation: b, c"),
            "{}",
            v[0].message()
        );
        // Judged anyway: like with like (300 against 300), and b and c are named.
        let v = evaluate(&[rule], &new, Some(&diff), true).expect("evaluates");
        assert!(!v[0].breached);
        assert_eq!(v[0].actual, 0.0);
        assert!(v[0].message().contains(
            "from 300.00 to 300.00 USD per month; left out on both sides: 2 workload(s) that lost their recommendation (b, c)"
        ), "{}", v[0].message());
        // A rise of the workload that kept its recommendation still fires.
        for o in &mut new.workloads[0].options {
            if o.id == "global-standard" {
                o.monthly_cost_usd = Some(400.0);
                o.cost_usd = Some(400.0);
            }
        }
        crate::report::test_support::redecide(&mut new.workloads[0]);
        crate::report::test_support::refresh(&mut new);
        let diff = against_base(&new);
        let v = evaluate(&[rule], &new, Some(&diff), true).expect("evaluates");
        assert!(v[0].breached, "{}", v[0].message());
        assert!((v[0].actual - 100.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn increase_metrics_need_a_diff() {
        let report = sample_report();
        let rule = parse_rule("monthly_cost_increase_pct>10").expect("rule");
        assert_eq!(
            evaluate(&[rule], &report, None, false),
            Err(MissingBaseline("monthly_cost_increase_pct>10".to_owned()))
        );
        let mut base = ReportView::from(&report);
        base.summary.recommended_monthly_cost_usd = 250.0;
        let diff = diff_reports(&base, &ReportView::from(&report), "old.json", "new");
        let v = evaluate(&[rule], &report, Some(&diff), false).expect("baseline given");
        assert!((v[0].actual - 20.0).abs() < 1e-9);
        assert!(v[0].breached);
    }
}
