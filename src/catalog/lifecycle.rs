//! Model lifecycle (`lifecycle:` in `data/models.yaml`): the Azure model version, its GA date,
//! and every published retirement schedule's stage, retirement date and named replacement.
//!
//! Microsoft publishes the schedule more than once and the versions disagree (the 07/07/2026
//! include and the 2026-09-02 rendered page move most dates, U1/U2). The catalog stores each
//! schedule with its publication date; a run uses the newest one published on or before its
//! `--as-of` date, and says when an older one gave another date. A model is retired on its
//! retirement date ("retired on DATE").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A lifecycle stage as the schedules name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Preview: no standard lifecycle.
    Preview,
    /// Generally available.
    Ga,
    /// Legacy: still served, later retirement (new in the 2026-09-02 schedule).
    Legacy,
    /// Deprecated: no new deployments; retires on the retirement date.
    Deprecated,
    /// Retired: no longer served.
    Retired,
}

impl Stage {
    /// The YAML/JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Preview => "preview",
            Stage::Ga => "ga",
            Stage::Legacy => "legacy",
            Stage::Deprecated => "deprecated",
            Stage::Retired => "retired",
        }
    }
}

/// One published schedule's entry for a model version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleEntry {
    /// The date the schedule was published (its `ms.date`).
    pub published: NaiveDate,
    /// The stage the schedule gives.
    pub stage: Stage,
    /// The retirement date, if the schedule gives one.
    #[serde(default)]
    pub retirement: Option<NaiveDate>,
    /// The model the schedule names as replacement, if any.
    #[serde(default)]
    pub replacement: Option<String>,
    /// Where the entry was read.
    pub source: String,
}

/// The lifecycle of one catalog model (the version its figures are for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// The Azure model version string (`2024-11-20`, `1`).
    pub version: String,
    /// General availability on Azure. The docs give the version string, which is normally the
    /// release date, not a GA date: the catalog uses the version date and marks it [U].
    #[serde(default)]
    pub ga: Option<NaiveDate>,
    /// Every published schedule listing this version, newest first or in any order.
    #[serde(default)]
    pub schedules: Vec<ScheduleEntry>,
    /// Remark (a model no schedule lists, a stage that is inferred).
    #[serde(default)]
    pub note: Option<String>,
}

/// What an older schedule said, where it differs from the one in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherSchedule {
    /// Its publication date.
    pub published: NaiveDate,
    /// Its retirement date.
    pub retirement: Option<NaiveDate>,
    /// Its replacement.
    pub replacement: Option<String>,
}

/// What the lifecycle says on one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleStatus {
    /// The model version.
    pub version: String,
    /// GA date, if known.
    pub ga: Option<NaiveDate>,
    /// The stage on the date: the schedule's, or `retired` from the retirement date on.
    pub stage: Option<Stage>,
    /// The retirement date of the schedule in use.
    pub retirement: Option<NaiveDate>,
    /// Its named replacement.
    pub replacement: Option<String>,
    /// The publication date of the schedule in use (None: no schedule published by then).
    pub schedule_published: Option<NaiveDate>,
    /// Older schedules (published by the date) that gave another retirement date or
    /// replacement, newest first.
    pub other_schedules: Vec<OtherSchedule>,
    /// True when the model is retired on the date.
    pub retired: bool,
}

impl Lifecycle {
    /// The schedule in use on `date`: the newest one published on or before it.
    pub fn schedule_on(&self, date: NaiveDate) -> Option<&ScheduleEntry> {
        self.schedules
            .iter()
            .filter(|s| s.published <= date)
            .max_by_key(|s| s.published)
    }

    /// The status on `date`.
    pub fn status_on(&self, date: NaiveDate) -> LifecycleStatus {
        let used = self.schedule_on(date);
        let retired = used.and_then(|s| s.retirement).is_some_and(|r| r <= date);
        let mut others: Vec<OtherSchedule> = self
            .schedules
            .iter()
            .filter(|s| {
                used.is_some_and(|u| {
                    s.published != u.published
                        && s.published <= date
                        && (s.retirement != u.retirement || s.replacement != u.replacement)
                })
            })
            .map(|s| OtherSchedule {
                published: s.published,
                retirement: s.retirement,
                replacement: s.replacement.clone(),
            })
            .collect();
        others.sort_by_key(|o| std::cmp::Reverse(o.published));
        LifecycleStatus {
            version: self.version.clone(),
            ga: self.ga,
            stage: used.map(|s| if retired { Stage::Retired } else { s.stage }),
            retirement: used.and_then(|s| s.retirement),
            replacement: used.and_then(|s| s.replacement.clone()),
            schedule_published: used.map(|s| s.published),
            other_schedules: others,
            retired,
        }
    }

    /// Problems with the entry (one line each, prefixed with `at`).
    pub fn validate(&self, at: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if self.version.trim().is_empty() {
            problems.push(format!("{at}.lifecycle: `version` is empty"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for s in &self.schedules {
            if !seen.insert(s.published) {
                problems.push(format!(
                    "{at}.lifecycle: two schedules published on {}",
                    s.published
                ));
            }
            if s.source.trim().is_empty() {
                problems.push(format!(
                    "{at}.lifecycle: the schedule of {} has an empty `source`",
                    s.published
                ));
            }
            if s.replacement
                .as_deref()
                .is_some_and(|r| r.trim().is_empty())
            {
                problems.push(format!(
                    "{at}.lifecycle: the schedule of {} names an empty replacement",
                    s.published
                ));
            }
            if let (Some(ga), Some(r)) = (self.ga, s.retirement) {
                if r < ga {
                    problems.push(format!(
                        "{at}.lifecycle: retirement {r} (schedule of {}) is before GA {ga}",
                        s.published
                    ));
                }
            }
        }
        problems
    }
}

impl LifecycleStatus {
    /// "retired on 2026-10-01; replacement gpt-5.1" (or "retires on ...").
    pub fn retirement_phrase(&self, date: NaiveDate) -> Option<String> {
        let r = self.retirement?;
        let verb = if r <= date {
            "retired on"
        } else {
            "retires on"
        };
        let mut out = format!("{verb} {r}");
        match &self.replacement {
            Some(rep) => out.push_str(&format!("; replacement {rep}")),
            None => out.push_str("; no replacement named"),
        }
        Some(out)
    }

    /// "(schedule of 2026-09-02; the schedule of 2026-07-07 said 2026-10-01)".
    pub fn schedule_phrase(&self) -> String {
        let Some(p) = self.schedule_published else {
            return String::new();
        };
        let mut out = format!("retirement schedule of {p}");
        for o in &self.other_schedules {
            out.push_str(&format!(
                "; the schedule of {} said {}{}",
                o.published,
                o.retirement
                    .map_or_else(|| "no date".to_owned(), |d| d.to_string()),
                o.replacement
                    .as_ref()
                    .map(|r| format!(", replacement {r}"))
                    .unwrap_or_default()
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn gpt_4o() -> Lifecycle {
        Lifecycle {
            version: "2024-11-20".into(),
            ga: Some(d("2024-11-20")),
            schedules: vec![
                ScheduleEntry {
                    published: d("2026-07-07"),
                    stage: Stage::Deprecated,
                    retirement: Some(d("2026-10-01")),
                    replacement: Some("gpt-5.1".into()),
                    source: "U1".into(),
                },
                ScheduleEntry {
                    published: d("2026-09-02"),
                    stage: Stage::Legacy,
                    retirement: Some(d("2027-04-14")),
                    replacement: Some("gpt-5.1".into()),
                    source: "U2".into(),
                },
            ],
            note: None,
        }
    }

    #[test]
    fn the_newest_schedule_published_by_the_date_is_used() {
        let l = gpt_4o();
        let dec = l.status_on(d("2026-12-01"));
        assert_eq!(dec.schedule_published, Some(d("2026-09-02")));
        assert_eq!(dec.stage, Some(Stage::Legacy));
        assert!(!dec.retired);
        assert_eq!(
            dec.other_schedules,
            vec![OtherSchedule {
                published: d("2026-07-07"),
                retirement: Some(d("2026-10-01")),
                replacement: Some("gpt-5.1".into())
            }]
        );
        assert_eq!(
            dec.schedule_phrase(),
            "retirement schedule of 2026-09-02; the schedule of 2026-07-07 said 2026-10-01, replacement gpt-5.1"
        );
        // In August only the July schedule was out: it said 2026-10-01.
        let aug = l.status_on(d("2026-08-15"));
        assert_eq!(aug.retirement, Some(d("2026-10-01")));
        assert!(aug.other_schedules.is_empty());
        // Before any schedule: nothing known.
        assert_eq!(l.status_on(d("2026-01-01")).stage, None);
        // Retired on the retirement date itself.
        let gone = l.status_on(d("2027-04-14"));
        assert!(gone.retired);
        assert_eq!(gone.stage, Some(Stage::Retired));
        assert_eq!(
            gone.retirement_phrase(d("2027-04-14")).as_deref(),
            Some("retired on 2027-04-14; replacement gpt-5.1")
        );
    }

    #[test]
    fn validation_names_every_problem() {
        let mut l = gpt_4o();
        l.schedules[1].published = l.schedules[0].published;
        l.schedules[0].retirement = Some(d("2020-01-01"));
        let p = l.validate("models.gpt-4o");
        assert_eq!(p.len(), 2, "{p:?}");
    }
}
