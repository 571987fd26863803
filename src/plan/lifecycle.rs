//! Lifecycle in the plan: a workload whose model version is retired at the run's as-of date
//! gets no recommendation (every option says "retired on DATE"), and a workload whose model
//! retires before the log's end or by the as-of date gets a warning naming the date and the
//! replacement. The dates come from [`crate::catalog::lifecycle`].

use chrono::NaiveDate;

use super::OptionPlan;
use crate::catalog::lifecycle::LifecycleStatus;

/// Mark every option of a model retired on `as_of` as not eligible, with the date.
pub fn exclude_retired(options: &mut [OptionPlan], status: &LifecycleStatus, as_of: NaiveDate) {
    if !status.retired {
        return;
    }
    let Some(date) = status.retirement else {
        return;
    };
    let reason = super::remark::OptionReason::Retired {
        date,
        past: date <= as_of,
        replacement: status.replacement.clone(),
    };
    for o in options {
        o.eligible = false;
        o.reason.insert(0, reason.clone());
    }
}

/// A workload whose model retires before the log's last day or on or before the as-of date
/// (its words: "chat-prod: gpt-4o (version 2024-11-20) retired on 2026-10-01; replacement
/// gpt-5.1 (retirement schedule of ...)").
#[derive(Debug, Clone, PartialEq)]
pub struct RetirementWarning {
    /// Deployment name.
    pub deployment: String,
    /// Model.
    pub model: String,
    /// The model version's lifecycle on the as-of date.
    pub status: LifecycleStatus,
    /// The log's last day, when the model retires on or before it.
    pub before_log_end: Option<NaiveDate>,
    /// The run's as-of date.
    pub as_of: NaiveDate,
}

/// The warning for a workload whose model retires before the log's last day or on or before
/// `as_of`, if it does.
pub fn retirement_warning(
    deployment: &str,
    model: &str,
    status: &LifecycleStatus,
    log_end: NaiveDate,
    as_of: NaiveDate,
) -> Option<RetirementWarning> {
    let retirement = status.retirement?;
    if retirement > log_end && retirement > as_of {
        return None;
    }
    Some(RetirementWarning {
        deployment: deployment.to_owned(),
        model: model.to_owned(),
        status: status.clone(),
        before_log_end: (retirement <= log_end).then_some(log_end),
        as_of,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::lifecycle::Stage;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn status(retirement: &str, as_of: &str) -> LifecycleStatus {
        let r = d(retirement);
        LifecycleStatus {
            version: "2024-07-18".into(),
            ga: None,
            stage: Some(if r <= d(as_of) {
                Stage::Retired
            } else {
                Stage::Deprecated
            }),
            retirement: Some(r),
            replacement: Some("gpt-4.1-mini".into()),
            schedule_published: Some(d("2026-07-07")),
            other_schedules: Vec::new(),
            retired: r <= d(as_of),
        }
    }

    #[test]
    fn warns_when_retired_before_the_log_end_or_the_as_of_date() {
        let s = status("2026-10-01", "2026-12-01");
        let w = retirement_warning("chat", "gpt-4o-mini", &s, d("2026-10-30"), d("2026-12-01"))
            .expect("warning");
        assert_eq!(w.before_log_end, Some(d("2026-10-30")));
        assert!(w.status.retired);
        // Retires after both dates: no warning.
        let later = status("2027-04-14", "2026-12-01");
        assert_eq!(
            retirement_warning("chat", "x", &later, d("2026-10-30"), d("2026-12-01")),
            None
        );
        // Retires inside the log but the run looks back from before: still warned.
        let inside = status("2026-10-15", "2026-10-01");
        let w = retirement_warning("c", "x", &inside, d("2026-10-30"), d("2026-10-01"))
            .expect("warning");
        assert_eq!(w.before_log_end, Some(d("2026-10-30")));
        assert!(!w.status.retired);
    }
}
