//! The settings a report was made with, and how two reports' settings differ: the catalog
//! (`catalog.as_of`, `in_force_on`, `origin`, the `--prices` file and its date), every
//! modelling assumption and flag in `assumptions` (residency, throttle target, bucket window,
//! quotas, reservations, ...), the overrides applied and the display currency. `diff` and
//! `--baseline` warn when they differ: the cost change may then come from the settings rather
//! than from the traffic.
//!
//! Settings are read from the JSON text (any schema version: a key only one side has is not
//! compared), so reports of older versions still compare.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::report::Report;

/// A report's settings, flattened: `assumptions.plan.max_throttle_rate` -> `0.01`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunSettings(pub BTreeMap<String, String>);

/// One setting that differs (JSON `settings_changes[]` of `diff --format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingChange {
    /// The JSON path of the setting, e.g. `catalog.in_force_on`.
    pub setting: String,
    /// Its value in the base report (JSON text).
    pub base: String,
    /// Its value in the new report (JSON text).
    pub new: String,
}

/// The top-level keys whose values are settings (the rest is what was measured).
const SETTING_KEYS: [&str; 4] = ["catalog", "assumptions", "overrides_applied", "currency"];

/// Catalog keys that are not settings: the oldest entry's date follows from the others.
const IGNORED: [&str; 1] = ["catalog.oldest_as_of"];

/// The settings of a report's JSON value.
pub fn settings_of_value(report: &Value) -> RunSettings {
    let mut out = BTreeMap::new();
    for key in SETTING_KEYS {
        if let Some(v) = report.get(key) {
            match key {
                // File positions differ between copies of one file: compare what was applied.
                "overrides_applied" => {
                    let mut applied: Vec<String> = v
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|o| {
                                    format!(
                                        "{} {}",
                                        o.get("kind").and_then(Value::as_str).unwrap_or(""),
                                        o.get("description").and_then(Value::as_str).unwrap_or("")
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    applied.sort();
                    out.insert(key.to_owned(), applied.join("; "));
                }
                _ => flatten(key, v, &mut out),
            }
        }
    }
    for k in IGNORED {
        out.remove(k);
    }
    RunSettings(out)
}

/// The settings of a report this run made.
pub fn settings_of(report: &Report) -> RunSettings {
    serde_json::to_value(crate::report::contract::Document::of(report))
        .map(|v| settings_of_value(&v))
        .unwrap_or_default()
}

fn flatten(path: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                flatten(&format!("{path}.{k}"), v, out);
            }
        }
        other => {
            out.insert(path.to_owned(), other.to_string());
        }
    }
}

/// The settings both reports have and that differ, in key order.
pub fn changes(base: &RunSettings, new: &RunSettings) -> Vec<SettingChange> {
    base.0
        .iter()
        .filter_map(|(k, b)| {
            let n = new.0.get(k)?;
            (n != b).then(|| SettingChange {
                setting: k.clone(),
                base: b.clone(),
                new: n.clone(),
            })
        })
        .collect()
}

/// One warning line: "the two reports were made with different settings (cost changes may
/// come from them): catalog.in_force_on "2026-11-01" -> "2026-12-01"; ...".
pub fn warning(changes: &[SettingChange]) -> Option<String> {
    if changes.is_empty() {
        return None;
    }
    Some(format!(
        "the two reports were made with different settings, so part of any change may come from them: {}",
        changes
            .iter()
            .map(|c| format!(
                "{} {} -> {}",
                c.setting,
                shown(&c.setting, &c.base),
                shown(&c.setting, &c.new)
            ))
            .collect::<Vec<_>>()
            .join("; ")
    ))
}

/// Settings the JSON holds as shares (0.01) that the flags take in percent (1).
const PERCENT_SETTINGS: [&str; 2] = ["max_throttle_rate", "max_spill_rate"];

/// A setting's value as the user gave it: shares of the percent flags in percent.
fn shown(setting: &str, value: &str) -> String {
    let percent = PERCENT_SETTINGS
        .iter()
        .any(|k| setting.rsplit('.').next() == Some(*k));
    match value.parse::<f64>() {
        Ok(share) if percent && share.is_finite() => {
            let text = format!("{:.4}", share * 100.0);
            format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
        }
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    #[test]
    fn percent_settings_are_shown_in_percent() {
        let change = SettingChange {
            setting: "assumptions.plan.max_throttle_rate".to_owned(),
            base: "0.01".to_owned(),
            new: "0.05".to_owned(),
        };
        let w = warning(&[change]).expect("a warning");
        assert!(
            w.ends_with("assumptions.plan.max_throttle_rate 1% -> 5%"),
            "{w}"
        );
    }

    #[test]
    fn issue_14_differing_settings_are_listed_and_equal_ones_are_not() {
        let a = sample_report();
        let mut b = sample_report();
        assert!(changes(&settings_of(&a), &settings_of(&b)).is_empty());
        b.catalog.in_force_on = Some("2027-01-01".to_owned());
        b.assumptions.plan.max_throttle_rate = 0.02;
        b.assumptions.plan.constraints.residency = Some(crate::plan::Residency::Global);
        b.catalog.prices_file = Some("prices.yaml".to_owned());
        let c = changes(&settings_of(&a), &settings_of(&b));
        let keys: Vec<&str> = c.iter().map(|c| c.setting.as_str()).collect();
        assert_eq!(
            keys,
            [
                "assumptions.plan.constraints.residency",
                "assumptions.plan.max_throttle_rate",
                "catalog.in_force_on",
                "catalog.prices_file"
            ]
        );
        assert_eq!((c[1].base.as_str(), c[1].new.as_str()), ("0.01", "0.02"));
        let w = warning(&c).expect("a warning");
        assert!(
            w.contains("catalog.in_force_on \"2026-12-01\" -> \"2027-01-01\""),
            "{w}"
        );
    }

    #[test]
    fn keys_only_one_side_has_are_not_compared() {
        let old: Value =
            serde_json::json!({"schema_version": 1, "catalog": {"as_of": "2026-05-01"}});
        let new: Value = serde_json::json!({"schema_version": 2,
            "catalog": {"as_of": "2026-05-01", "in_force_on": "2026-12-01"}});
        assert!(changes(&settings_of_value(&old), &settings_of_value(&new)).is_empty());
    }
}
