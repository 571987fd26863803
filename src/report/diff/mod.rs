//! Diff of two reports: per workload (matched by deployment, model and region) the recommended
//! option, PTUs and monthly cost before and after, and the deltas; workloads added or removed;
//! the change of the total recommended monthly cost.
//!
//! Reports on disk are read through [`ReportView`], the part of the JSON contract a diff needs:
//! schema 3's `decision`, or schema 1 and 2's `recommended` option looked up in `options`.
//! Unknown keys are ignored, so reports from newer versions of the same schema still compare. Reading the file is left to the caller; [`parse_report`] takes its text and name.
//! Renderers: [`table`], [`markdown`], and JSON via serde.

pub mod settings;

use serde::{Deserialize, Serialize};

use super::{Report, READABLE_SCHEMA_VERSIONS, SCHEMA_VERSION};
use crate::scenario::route::OriginKind;

/// `--format` of `ptuplan diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Terminal table.
    Table,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// JSON.
    Json,
}

/// The part of a report a diff reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReportView {
    /// Must be [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Totals.
    pub summary: SummaryView,
    /// Workloads, in report order.
    pub workloads: Vec<WorkloadView>,
    /// What-if scenarios (absent in older reports).
    #[serde(default)]
    pub scenarios: Vec<ScenarioView>,
    /// Where the workloads came from, when the view is one of the scenarios (set by
    /// [`ReportView::scenario`]).
    #[serde(skip)]
    pub origins: Vec<OriginView>,
}

/// JSON `scenarios[]`, as far as a diff needs it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ScenarioView {
    /// Name.
    pub name: String,
    /// Monthly cost of every workload's recommended option, USD.
    pub recommended_monthly_cost_usd: f64,
    /// Workloads.
    pub workloads: Vec<WorkloadView>,
    /// Where changed workloads came from.
    #[serde(default)]
    pub origins: Vec<OriginView>,
}

/// JSON `scenarios[].origins[]`, read back.
pub type OriginView = crate::report::scenario::WorkloadOrigin;

/// A scenario name a report does not have.
#[derive(Debug, thiserror::Error)]
#[error("{path} has no scenario `{name}`; it has: {}", available.join(", "))]
pub struct NoSuchScenario {
    /// The report.
    pub path: String,
    /// The name asked for.
    pub name: String,
    /// `baseline` and the report's scenario names.
    pub available: Vec<String>,
}

impl ReportView {
    /// The view of one scenario (`None` or `baseline`: the log as is).
    pub fn scenario(self, name: Option<&str>, path: &str) -> Result<ReportView, NoSuchScenario> {
        let Some(name) = name.filter(|n| *n != crate::scenario::BASELINE) else {
            return Ok(self);
        };
        let available = std::iter::once(crate::scenario::BASELINE.to_owned())
            .chain(self.scenarios.iter().map(|s| s.name.clone()))
            .collect();
        let Some(s) = self.scenarios.iter().find(|s| s.name == name) else {
            return Err(NoSuchScenario {
                path: path.to_owned(),
                name: name.to_owned(),
                available,
            });
        };
        Ok(ReportView {
            schema_version: self.schema_version,
            summary: SummaryView {
                recommended_monthly_cost_usd: s.recommended_monthly_cost_usd,
            },
            workloads: s.workloads.clone(),
            origins: s.origins.clone(),
            scenarios: Vec::new(),
        })
    }
}

/// JSON `summary`, as far as a diff needs it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SummaryView {
    /// Monthly cost of every workload's recommended option, USD.
    pub recommended_monthly_cost_usd: f64,
}

/// JSON `workloads[]`, as far as a diff needs it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WorkloadView {
    /// Deployment name.
    pub deployment: String,
    /// Model id.
    pub model: String,
    /// Region.
    pub region: String,
    /// The recommended option's id (schemas 1 and 2; in 3 the decided option's).
    pub recommended: Option<String>,
    /// Options.
    pub options: Vec<OptionView>,
    /// The decision (schema 3).
    #[serde(default)]
    pub decision: Option<DecisionView>,
}

/// JSON `workloads[].decision` (schema 3), as far as a diff needs it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DecisionView {
    /// `firm`, `provisional` or `none`.
    pub status: String,
    /// The decided option's id.
    pub option: Option<String>,
    /// Its PTUs.
    pub ptus: Option<u32>,
    /// Its monthly cost, USD.
    pub monthly_cost_usd: Option<f64>,
    /// What it commits to, USD.
    #[serde(default)]
    pub commitment_usd: f64,
}

/// JSON `workloads[].options[]`, as far as a diff needs it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OptionView {
    /// Option id.
    pub id: String,
    /// PTUs (provisioned options).
    pub ptus: Option<u32>,
    /// Monthly cost, USD.
    pub monthly_cost_usd: Option<f64>,
}

fn workload_views(plans: &[crate::plan::WorkloadPlan]) -> Vec<WorkloadView> {
    plans
        .iter()
        .map(|w| WorkloadView {
            deployment: w.deployment.clone(),
            model: w.model.clone(),
            region: w.region.clone(),
            recommended: w.decision.option.as_ref().map(|o| o.option_id.clone()),
            decision: Some(DecisionView {
                status: w.decision.status.as_str().to_owned(),
                option: w.decision.option.as_ref().map(|o| o.option_id.clone()),
                ptus: w.decision.option.as_ref().and_then(|o| o.ptus),
                monthly_cost_usd: w.decision.monthly_cost_usd(),
                commitment_usd: w.decision.commitment_usd(),
            }),
            options: w
                .options
                .iter()
                .map(|o| OptionView {
                    id: o.id.clone(),
                    ptus: o.ptus,
                    monthly_cost_usd: o.monthly_cost_usd,
                })
                .collect(),
        })
        .collect()
}

impl From<&Report> for ReportView {
    fn from(r: &Report) -> Self {
        ReportView {
            schema_version: r.schema_version,
            summary: SummaryView {
                recommended_monthly_cost_usd: r.summary.recommended_monthly_cost_usd,
            },
            workloads: workload_views(&r.workloads),
            scenarios: r
                .scenarios
                .iter()
                .map(|s| ScenarioView {
                    name: s.name.clone(),
                    recommended_monthly_cost_usd: s.recommended_monthly_cost_usd,
                    workloads: workload_views(&s.workloads),
                    origins: s.origins.clone(),
                })
                .collect(),
            origins: Vec::new(),
        }
    }
}

/// A report file that cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum ReportReadError {
    /// Not JSON at all.
    #[error("{path} is not valid JSON (line {line}, column {column}): {message}")]
    Json {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's message.
        message: String,
    },
    /// JSON, but no `schema_version`.
    #[error("{path} is not a ptuplan report: it has no `schema_version` (expected the JSON of `ptuplan compare --format json` or report.json of `ptuplan report`)")]
    NotAReport {
        /// The file.
        path: String,
    },
    /// Another schema version.
    #[error(
        "{path} has schema_version {found}; this ptuplan reads schema_version 1 to {SCHEMA_VERSION}"
    )]
    Schema {
        /// The file.
        path: String,
        /// The version found.
        found: String,
    },
    /// The totals disagree with the rows, or a workload appears twice: the file was edited
    /// or damaged, and a diff of it would give one quantity two values.
    #[error(
        "{path} {message}: the report was edited or damaged; compare reports as ptuplan wrote them"
    )]
    Inconsistent {
        /// The file.
        path: String,
        /// What disagrees.
        message: String,
    },
    /// A key the diff needs is missing or has the wrong type.
    #[error("{path} does not match the report schema (line {line}, column {column}): {message}")]
    Shape {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's message.
        message: String,
    },
}

/// Parse a report's JSON text; `path` names it in errors.
pub fn parse_report(path: &str, text: &str) -> Result<ReportView, ReportReadError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ReportReadError::Json {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
    match value.get("schema_version") {
        None => {
            return Err(ReportReadError::NotAReport {
                path: path.to_owned(),
            })
        }
        Some(v)
            if !READABLE_SCHEMA_VERSIONS
                .iter()
                .any(|r| v.as_u64() == Some(u64::from(*r))) =>
        {
            return Err(ReportReadError::Schema {
                path: path.to_owned(),
                found: v.to_string(),
            })
        }
        Some(_) => {}
    }
    let view: ReportView = serde_json::from_str(text).map_err(|e| ReportReadError::Shape {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let inconsistent = |message: String| ReportReadError::Inconsistent {
        path: path.to_owned(),
        message,
    };
    consistent(
        "summary.recommended_monthly_cost_usd",
        view.summary.recommended_monthly_cost_usd,
        &view.workloads,
    )
    .map_err(inconsistent)?;
    for s in &view.scenarios {
        consistent(
            &format!("scenario `{}`'s recommended_monthly_cost_usd", s.name),
            s.recommended_monthly_cost_usd,
            &s.workloads,
        )
        .map_err(inconsistent)?;
    }
    Ok(view)
}

/// A total that is the sum of its rows' decided monthly costs (to the cent per row), over
/// rows that each name a workload once.
fn consistent(what: &str, total_usd: f64, workloads: &[WorkloadView]) -> Result<(), String> {
    let mut keys = std::collections::BTreeSet::new();
    for w in workloads {
        if !keys.insert((&w.deployment, &w.model, &w.region)) {
            return Err(format!(
                "lists the workload {} ({} @ {}) twice",
                w.deployment, w.model, w.region
            ));
        }
    }
    let rows_usd: f64 = workloads
        .iter()
        .filter_map(|w| Side::of(w).monthly_cost_usd)
        .sum();
    let tolerance_usd = 0.01 * (workloads.len().max(1) as f64) + 1e-9 * total_usd.abs();
    if !total_usd.is_finite() || (rows_usd - total_usd).abs() > tolerance_usd {
        return Err(format!(
            "gives {what} {} USD, but its workloads' decided monthly costs sum to {} USD",
            crate::text::fmt_usd(total_usd),
            crate::text::fmt_usd(rows_usd)
        ));
    }
    Ok(())
}

/// How a workload changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Only in the new report.
    Added,
    /// Only in the base report.
    Removed,
    /// Recommendation, PTUs or monthly cost (to the cent) differ.
    Changed,
    /// Same recommendation, PTUs and monthly cost.
    Unchanged,
}

impl Change {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
        }
    }
}

/// One side of a workload's comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// Recommended option id (None: no eligible option).
    pub recommended: Option<String>,
    /// Its PTUs (None for per-token options).
    pub ptus: Option<u32>,
    /// Its monthly cost, USD.
    pub monthly_cost_usd: Option<f64>,
    /// The decision's status (schema 3 reports; absent before).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// What the decision commits to, USD (schema 3 reports; absent before).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment_usd: Option<f64>,
}

impl Side {
    fn of(w: &WorkloadView) -> Side {
        if let Some(d) = &w.decision {
            return Side {
                recommended: d.option.clone(),
                ptus: d.ptus,
                monthly_cost_usd: d.monthly_cost_usd,
                status: Some(d.status.clone()),
                commitment_usd: Some(d.commitment_usd),
            };
        }
        // Schemas 1 and 2: the recommended option, looked up in the options.
        let rec = w
            .recommended
            .as_ref()
            .and_then(|id| w.options.iter().find(|o| &o.id == id));
        Side {
            recommended: w.recommended.clone(),
            ptus: rec.and_then(|o| o.ptus),
            monthly_cost_usd: rec.and_then(|o| o.monthly_cost_usd),
            status: None,
            commitment_usd: None,
        }
    }
}

/// One workload's comparison (JSON `workloads[]` of `ptuplan diff --format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadDiff {
    /// Deployment name.
    pub deployment: String,
    /// Model id.
    pub model: String,
    /// Region.
    pub region: String,
    /// How it changed.
    pub change: Change,
    /// Before (None when added).
    pub base: Option<Side>,
    /// After (None when removed).
    pub new: Option<Side>,
    /// Where a scenario workload came from: the base workload a migrated or moved one is
    /// compared with (`gpt-4.1 @ eastus2`), or for an added one what it is (`Batch share of
    /// chat`, `added by the scenario`).
    pub from: Option<String>,
    /// PTUs after minus before (per-token counts as 0 PTUs).
    pub ptus_delta: Option<i64>,
    /// Monthly cost after minus before, USD (a missing side counts as 0).
    pub monthly_cost_delta_usd: Option<f64>,
    /// The same relative to before, percent (None when before is 0 or missing).
    pub monthly_cost_delta_pct: Option<f64>,
}

/// Totals of a diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffSummary {
    /// Total recommended monthly cost before, USD.
    pub base_monthly_cost_usd: f64,
    /// Total recommended monthly cost after, USD.
    pub new_monthly_cost_usd: f64,
    /// After minus before, USD.
    pub monthly_cost_delta_usd: f64,
    /// The same in percent of before (None when before is 0).
    pub monthly_cost_delta_pct: Option<f64>,
    /// Workloads only in the new report.
    pub added: usize,
    /// Workloads only in the base report.
    pub removed: usize,
    /// Workloads whose recommendation, PTUs or cost changed.
    pub changed: usize,
    /// Workloads with no change.
    pub unchanged: usize,
}

/// A diff (the JSON of `ptuplan diff --format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDiff {
    /// The base report's name.
    pub base: String,
    /// The new report's name.
    pub new: String,
    /// Totals.
    pub summary: DiffSummary,
    /// The new report's workloads in its order, then the removed ones in the base's order.
    pub workloads: Vec<WorkloadDiff>,
    /// The settings the two reports were made with that differ (catalog, prices file,
    /// assumptions and flags, overrides, currency): part of any change may come from them.
    pub settings_changes: Vec<settings::SettingChange>,
}

fn pct(delta: f64, base: f64) -> Option<f64> {
    (base != 0.0).then(|| 100.0 * delta / base)
}

/// Compare `base` with `new`.
pub fn diff_reports(
    base: &ReportView,
    new: &ReportView,
    base_name: &str,
    new_name: &str,
) -> ReportDiff {
    let key = |w: &WorkloadView| (w.deployment.clone(), w.model.clone(), w.region.clone());
    let find = |list: &[WorkloadView], k: &(String, String, String)| {
        list.iter().find(|w| &key(w) == k).map(Side::of)
    };
    let mut paired: Vec<(String, String, String)> = Vec::new();
    let mut workloads = Vec::new();
    for w in &new.workloads {
        let after = Side::of(w);
        let mut d = match find(&base.workloads, &key(w)) {
            Some(before) => compare(w, Some(before), Some(after)),
            None => match origin_in(base, new, w) {
                // A migrated or moved workload is compared with the one it came from.
                Some((from_key, from_text)) => {
                    paired.push(from_key.clone());
                    let mut d = compare(w, find(&base.workloads, &from_key), Some(after));
                    d.from = Some(from_text);
                    d
                }
                None => compare(w, None, Some(after)),
            },
        };
        if d.from.is_none() && d.change == Change::Added {
            d.from = added_from(new, w);
        }
        workloads.push(d);
    }
    for w in &base.workloads {
        if find(&new.workloads, &key(w)).is_none() && !paired.contains(&key(w)) {
            workloads.push(compare(w, Some(Side::of(w)), None));
        }
    }
    let count = |c: Change| workloads.iter().filter(|w| w.change == c).count();
    let (b, n) = (
        base.summary.recommended_monthly_cost_usd,
        new.summary.recommended_monthly_cost_usd,
    );
    ReportDiff {
        base: base_name.to_owned(),
        new: new_name.to_owned(),
        summary: DiffSummary {
            base_monthly_cost_usd: b,
            new_monthly_cost_usd: n,
            monthly_cost_delta_usd: n - b,
            monthly_cost_delta_pct: pct(n - b, b),
            added: count(Change::Added),
            removed: count(Change::Removed),
            changed: count(Change::Changed),
            unchanged: count(Change::Unchanged),
        },
        workloads,
        settings_changes: Vec::new(),
    }
}

/// The base workload `w` (of `new`) came from by a migration or a region move, if the base
/// has it and `new` no longer does: its key and `model @ region`.
fn origin_in(
    base: &ReportView,
    new: &ReportView,
    w: &WorkloadView,
) -> Option<((String, String, String), String)> {
    let o = new.origins.iter().find(|o| {
        o.deployment == w.deployment
            && o.model == w.model
            && o.region == w.region
            && matches!(
                o.how,
                OriginKind::Migrated | OriginKind::Moved | OriginKind::MigratedAndMoved
            )
    })?;
    let from = (
        o.from_deployment.clone(),
        o.from_model.clone(),
        o.from_region.clone(),
    );
    let in_base = base
        .workloads
        .iter()
        .any(|b| (&b.deployment, &b.model, &b.region) == (&from.0, &from.1, &from.2));
    let still_in_new = new
        .workloads
        .iter()
        .any(|n| (&n.deployment, &n.model, &n.region) == (&from.0, &from.1, &from.2));
    (in_base && !still_in_new).then(|| {
        let text = format!("{} @ {}", from.1, from.2);
        (from, text)
    })
}

/// For a workload only in `new`: what it is, if its origins say (`Batch share of chat`).
fn added_from(new: &ReportView, w: &WorkloadView) -> Option<String> {
    new.origins
        .iter()
        .find(|o| o.deployment == w.deployment && o.model == w.model && o.region == w.region)
        .and_then(|o| match o.how {
            OriginKind::BatchShift => Some(format!("Batch share of {}", o.from_deployment)),
            OriginKind::Added => Some("added by the scenario".to_owned()),
            _ => None,
        })
}

fn compare(w: &WorkloadView, base: Option<Side>, new: Option<Side>) -> WorkloadDiff {
    let ptus = |s: &Option<Side>| s.as_ref().map_or(0, |s| i64::from(s.ptus.unwrap_or(0)));
    let cost = |s: &Option<Side>| match s {
        None => Some(0.0),
        Some(s) => s.monthly_cost_usd,
    };
    let delta = cost(&new).zip(cost(&base)).map(|(n, b)| n - b);
    let change = match (&base, &new) {
        (None, _) => Change::Added,
        (_, None) => Change::Removed,
        (Some(b), Some(n)) => {
            let same_cost = match (b.monthly_cost_usd, n.monthly_cost_usd) {
                (Some(x), Some(y)) => (x - y).abs() < 0.005,
                (x, y) => x.is_none() && y.is_none(),
            };
            if b.recommended == n.recommended && b.ptus == n.ptus && same_cost {
                Change::Unchanged
            } else {
                Change::Changed
            }
        }
    };
    WorkloadDiff {
        deployment: w.deployment.clone(),
        model: w.model.clone(),
        region: w.region.clone(),
        change,
        from: None,
        ptus_delta: Some(ptus(&new) - ptus(&base)),
        monthly_cost_delta_usd: delta,
        monthly_cost_delta_pct: match (&base, delta) {
            (Some(b), Some(d)) => b.monthly_cost_usd.and_then(|b| pct(d, b)),
            _ => None,
        },
        base,
        new,
    }
}

pub use crate::text::{fmt_signed_pct, fmt_signed_usd};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{report_of, sample_workload};

    fn view(workloads: Vec<crate::plan::WorkloadPlan>) -> ReportView {
        ReportView::from(&report_of(workloads))
    }

    #[test]
    fn matches_workloads_and_computes_deltas() {
        let a = sample_workload();
        let mut b = sample_workload();
        b.deployment = "batch-jobs".to_owned();
        let mut a2 = sample_workload();
        crate::report::test_support::force_decision(&mut a2, "global-provisioned/reserved-1-year");
        let mut c = sample_workload();
        c.deployment = "new-one".to_owned();
        let base = view(vec![a, b]);
        let new = view(vec![a2, c]);
        let d = diff_reports(&base, &new, "base.json", "new.json");
        let rows: Vec<(&str, Change)> = d
            .workloads
            .iter()
            .map(|w| (w.deployment.as_str(), w.change))
            .collect();
        assert_eq!(
            rows,
            [
                ("chat-prod", Change::Changed),
                ("new-one", Change::Added),
                ("batch-jobs", Change::Removed)
            ]
        );
        let chat = &d.workloads[0];
        assert_eq!(chat.ptus_delta, Some(15));
        assert_eq!(chat.monthly_cost_delta_usd, Some(3_015.0));
        assert!((chat.monthly_cost_delta_pct.expect("base > 0") - 1_005.0).abs() < 1e-9);
        assert_eq!(d.workloads[1].monthly_cost_delta_usd, Some(300.0));
        assert_eq!(d.workloads[1].monthly_cost_delta_pct, None);
        assert_eq!(d.workloads[2].monthly_cost_delta_usd, Some(-300.0));
        assert_eq!(d.summary.base_monthly_cost_usd, 600.0);
        assert_eq!(d.summary.new_monthly_cost_usd, 3_615.0);
        assert_eq!(
            (d.summary.added, d.summary.removed, d.summary.changed),
            (1, 1, 1)
        );
    }

    #[test]
    fn identical_reports_have_no_changes() {
        let v = view(vec![sample_workload()]);
        let d = diff_reports(&v, &v, "a", "b");
        assert_eq!(d.summary.unchanged, 1);
        assert_eq!(d.summary.monthly_cost_delta_pct, Some(0.0));
    }

    #[test]
    fn reading_errors_name_the_file() {
        let e = parse_report("old.json", "{ nope").expect_err("not JSON");
        assert!(e
            .to_string()
            .starts_with("old.json is not valid JSON (line 1"));
        let e = parse_report("old.json", "[1, 2]").expect_err("not a report");
        assert!(matches!(e, ReportReadError::NotAReport { .. }));
        let e = parse_report("old.json", r#"{"schema_version": 6}"#).expect_err("v6");
        assert_eq!(
            e.to_string(),
            "old.json has schema_version 6; this ptuplan reads schema_version 1 to 5"
        );
        let e = parse_report("old.json", r#"{"schema_version": 1, "workloads": []}"#)
            .expect_err("no summary");
        assert!(e.to_string().contains("missing field `summary`"), "{e}");
        let text = r#"{"schema_version": 1, "extra": true,
            "summary": {"recommended_monthly_cost_usd": 0.0},
            "workloads": []}"#;
        assert!(parse_report("ok.json", text).is_ok());
    }

    /// A hand-edited report whose total is not the sum of its rows, or that lists a workload
    /// twice, is refused: its diff would give one quantity two values.
    #[test]
    fn an_edited_report_whose_total_disagrees_with_its_rows_is_refused() {
        let report = |total: f64, second: &str| {
            format!(
                r#"{{"schema_version": 2, "summary": {{"recommended_monthly_cost_usd": {total}}},
                "workloads": [{{"deployment": "a", "model": "gpt-4o", "region": "eastus2",
                    "recommended": "global-standard",
                    "options": [{{"id": "global-standard", "ptus": null, "monthly_cost_usd": 100.0}}]}},
                    {{"deployment": "{second}", "model": "gpt-4o", "region": "eastus2",
                    "recommended": "global-standard",
                    "options": [{{"id": "global-standard", "ptus": null, "monthly_cost_usd": 50.004}}]}}]}}"#
            )
        };
        assert!(parse_report("ok.json", &report(150.0, "b")).is_ok());
        let e = parse_report("sum.json", &report(999.0, "b")).expect_err("edited total");
        assert!(
            e.to_string().contains("sum.json gives summary.recommended_monthly_cost_usd 999.00 USD, but its workloads' decided monthly costs sum to 150.00 USD"),
            "{e}"
        );
        let e = parse_report("twice.json", &report(150.0, "a")).expect_err("a workload twice");
        assert!(
            e.to_string()
                .contains("lists the workload a (gpt-4o @ eastus2) twice"),
            "{e}"
        );
    }

    /// A schema 2 report (no `decision`) still compares: its recommended option is looked up
    /// in its options, and a schema 3 report's decision is read as is.
    #[test]
    fn issue_18_reads_schema_2_and_3_reports() {
        let v2 = r#"{"schema_version": 2,
            "summary": {"recommended_monthly_cost_usd": 250.0},
            "workloads": [{"deployment": "chat-prod", "model": "gpt-4o", "region": "eastus2",
                "recommended": "global-provisioned/reserved-1-year",
                "options": [{"id": "global-standard", "ptus": null, "monthly_cost_usd": 300.0},
                    {"id": "global-provisioned/reserved-1-year", "ptus": 15, "monthly_cost_usd": 250.0}]}]}"#;
        let base = parse_report("v2.json", v2).expect("schema 2 reads");
        let mut json = Vec::new();
        crate::render::json::write(&report_of(vec![sample_workload()]), &mut json).expect("json");
        let new = parse_report("v3.json", &String::from_utf8(json).expect("utf-8"))
            .expect("schema 3 reads");
        let d = diff_reports(&base, &new, "v2.json", "v3.json");
        let w = &d.workloads[0];
        assert_eq!(w.change, Change::Changed);
        let b = w.base.as_ref().expect("base");
        assert_eq!(
            (b.recommended.as_deref(), b.ptus, b.monthly_cost_usd),
            (
                Some("global-provisioned/reserved-1-year"),
                Some(15),
                Some(250.0)
            )
        );
        let n = w.new.as_ref().expect("new");
        assert_eq!(n.recommended.as_deref(), Some("global-standard"));
        assert_eq!(n.status.as_deref(), Some("firm"));
        assert_eq!(n.monthly_cost_usd, Some(300.0));
    }

    #[test]
    fn signed_formats() {
        assert_eq!(fmt_signed_usd(1234.5), "+1,234.50");
        assert_eq!(fmt_signed_usd(-3.0), "-3.00");
        assert_eq!(fmt_signed_usd(0.001), "0.00");
        assert_eq!(fmt_signed_pct(4.25), "+4.2%");
        assert_eq!(fmt_signed_pct(-10.0), "-10.0%");
    }
}
