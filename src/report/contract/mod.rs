//! The JSON contract: the document `--format json` writes (and `report` saves as
//! `report.json`), as its own serializable types, one file per part. Each is built from the
//! [`Report`] and the plan's results and never serializes a plan, simulation, usage or catalog
//! struct, so an internal rename cannot change the contract: a key changes only here (and
//! `tests/contract.rs` fails until `docs/json-contract.txt` says so). Field order is key order.
//! Values that are vocabularies (deployment types, billings, statuses, quota levels) are
//! written by their enums' serde names.
//!
//! `schema_version` ([`super::SCHEMA_VERSION`]): keys may be added, never renamed or removed; a
//! changed meaning bumps the version, with a CHANGELOG note.

pub mod assumptions;
pub mod calibrate;
pub mod decision;
pub mod forecast;
pub mod input;
pub mod ladder;
pub mod option;
pub mod regions;
pub mod reservation;
pub mod scenario;
pub mod sizing;
pub mod workload;

use chrono::NaiveDate;
use serde::Serialize;

use super::{CatalogInfo, DecisionSummary, Report, Summary};
use crate::catalog::overrides::{AppliedOverride, Currency};

/// The whole JSON document.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Document {
    /// Always [`super::SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `ptuplan` and its version.
    pub tool: String,
    /// From `SOURCE_DATE_EPOCH` or `--generated-at`; `null` otherwise (reports are
    /// deterministic).
    pub generated_at: Option<String>,
    /// What was read.
    pub input: input::Input,
    /// Which catalog priced it.
    pub catalog: CatalogInfo,
    /// The modelling assumptions in force.
    pub assumptions: assumptions::Assumptions,
    /// Totals over workloads.
    pub summary: Summary,
    /// The decisions of every workload in one place: the verdict, what they cost and commit,
    /// how many are firm and provisional.
    pub decision_summary: DecisionSummary,
    /// One entry per workload, each with its `decision` (and `recommended`, the decided
    /// option's id).
    pub workloads: Vec<workload::Workload>,
    /// The decided reservations pooled per region x provisioned type x term.
    pub reservations: Vec<reservation::Pool>,
    /// What-if scenarios, each planned like the baseline (`workloads` is the log as is).
    pub scenarios: Vec<scenario::Scenario>,
    /// Things the reader should know (skipped rows, missing latencies, ...).
    pub warnings: Vec<String>,
    /// Every `--overrides` entry (discounts, quotes, availability, capacity, currency).
    pub overrides_applied: Vec<Override>,
    /// The display currency from `--overrides`; every `*_usd` field stays in USD.
    pub currency: Option<DisplayCurrency>,
}

impl Document {
    /// The contract of `report`.
    pub fn of(report: &Report) -> Document {
        Document {
            schema_version: report.schema_version,
            tool: report.tool.clone(),
            generated_at: report.generated_at.clone(),
            input: input::Input::from_info(&report.input),
            catalog: report.catalog.clone(),
            assumptions: assumptions::Assumptions::from_report(&report.assumptions),
            summary: report.summary.clone(),
            decision_summary: report.decision_summary.clone(),
            workloads: report
                .workloads
                .iter()
                .map(workload::Workload::from_plan)
                .collect(),
            reservations: report
                .reservations
                .iter()
                .map(reservation::Pool::from_plan)
                .collect(),
            scenarios: report
                .scenarios
                .iter()
                .map(scenario::Scenario::from_report)
                .collect(),
            warnings: report.warnings.clone(),
            overrides_applied: report
                .overrides_applied
                .iter()
                .map(Override::from_applied)
                .collect(),
            currency: report.currency.as_ref().map(DisplayCurrency::from_currency),
        }
    }
}

impl From<&Report> for Document {
    fn from(report: &Report) -> Document {
        Document::of(report)
    }
}

/// JSON `overrides_applied[]`: one `--overrides` entry as applied.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Override {
    /// `discount`, `quote`, `availability`, `capacity` or `currency`.
    pub kind: String,
    /// `file:line` of the entry.
    pub at: String,
    /// What it does, in words.
    pub description: String,
    /// Catalog price entries it changed (discounts and quotes); `null` for the others.
    pub prices_changed: Option<usize>,
}

impl Override {
    fn from_applied(o: &AppliedOverride) -> Override {
        Override {
            kind: o.kind.clone(),
            at: o.at.clone(),
            description: o.description.clone(),
            prices_changed: o.prices_changed,
        }
    }
}

/// JSON `currency`: the display currency (every `*_usd` field stays in USD).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DisplayCurrency {
    /// ISO 4217 code, e.g. `EUR`.
    pub code: String,
    /// Units of this currency per 1 USD, e.g. 0.92.
    pub per_usd: f64,
    /// Where the rate came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Date of the rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
}

impl DisplayCurrency {
    fn from_currency(c: &Currency) -> DisplayCurrency {
        DisplayCurrency {
            code: c.code.clone(),
            per_usd: c.per_usd,
            source: c.source.clone(),
            as_of: c.as_of,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of the object that starts at `indent` spaces in pretty JSON, in written order.
    fn keys_at(pretty: &str, indent: usize) -> Vec<String> {
        let lead = " ".repeat(indent);
        pretty
            .lines()
            .filter_map(|l| l.strip_prefix(lead.as_str()))
            .filter_map(|l| l.strip_prefix('"'))
            .filter_map(|l| l.split_once("\": ").map(|(k, _)| k.to_owned()))
            .collect()
    }

    /// Key order is part of the contract (readers diff the text): the document's keys and a
    /// workload's come in the order the contract has always written them.
    #[test]
    fn issue_22_keys_keep_their_order() {
        let mut report = crate::report::test_support::sample_report();
        report.scenarios.clear();
        let pretty = serde_json::to_string_pretty(&Document::of(&report)).expect("serializes");
        assert_eq!(
            keys_at(&pretty, 2),
            [
                "schema_version",
                "tool",
                "generated_at",
                "input",
                "catalog",
                "assumptions",
                "summary",
                "decision_summary",
                "workloads",
                "reservations",
                "scenarios",
                "warnings",
                "overrides_applied",
                "currency"
            ]
        );
        let from = pretty.find("\n  \"workloads\"").expect("workloads");
        let to = pretty.find("\n  \"reservations\"").expect("reservations");
        let workload = keys_at(&pretty[from..to], 6);
        assert_eq!(workload.first().map(String::as_str), Some("deployment"));
        assert!(
            workload.ends_with(&[
                "usage_tier".to_owned(),
                "recommended".to_owned(),
                "decision".to_owned()
            ]),
            "{workload:?}"
        );
        assert!(!workload.iter().any(|k| k == "sizing_other_types"));
    }
}
