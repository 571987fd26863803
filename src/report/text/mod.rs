//! The words of the decision, written once: every reason code of [`crate::plan::decision`] as
//! a sentence, the decision's headline, the short reason of the summary tables, the run's
//! verdict, and the names of types and billings. Every human format and the JSON's
//! `reasons[].text` and `decision_summary.verdict` take their words from here. Plain text:
//! each renderer escapes for its sink.
//!
//! Words a buyer reads: a utilization is never shown above 100% (the demand is said as a
//! multiple of what the PTUs serve, with the share that would spill), a break-even above 100%
//! reads "never pays at this traffic", and every saving names what it is compared with.

use super::{fmt_int, fmt_pct, fmt_usd, Report};
use crate::catalog::DeploymentTypeId;
use crate::plan::decision::{
    AfterRetirement, Decision, DecisionStatus, FlexibleKind, NoReplacement, Reason, TermLifecycle,
};
use crate::plan::forecast::{Forecast, Insufficient};
use crate::plan::{Billing, WorkloadPlan};

/// `1-year`, `1-month`, `hourly`, `per-token`: a billing as the summary names it.
pub fn billing_short(b: Billing) -> &'static str {
    match b {
        Billing::PerToken => "per-token",
        Billing::Hourly => "hourly",
        Billing::Reserved1Month => "1-month",
        Billing::Reserved1Year => "1-year",
    }
}

/// `Global PTU`, `DZ Std`, ...: a deployment type in at most 12 columns, for narrow terminals.
pub fn type_short(t: DeploymentTypeId) -> &'static str {
    t.short_label()
}

/// `Global`, `Data Zone`, `Regional`: a provisioned type's reservation family.
fn family(t: DeploymentTypeId) -> &'static str {
    match t.processing() {
        crate::catalog::Processing::Global => "Global",
        crate::catalog::Processing::DataZone => "Data Zone",
        crate::catalog::Processing::Region => "Regional",
    }
}

/// A window in seconds: `1 s`, `0.5 s`.
pub fn window_text(window_s: f64) -> String {
    format!("{} s", crate::plan::sizing::window_key(window_s))
}

/// The band: `1-60 s`, or `60 s` for one window.
pub fn band_text((lo, hi): (f64, f64)) -> String {
    if !(lo.is_finite() && hi.is_finite()) {
        return "the window in use".to_owned();
    }
    if lo >= hi {
        window_text(lo)
    } else {
        format!(
            "{}-{} s",
            crate::plan::sizing::window_key(lo),
            crate::plan::sizing::window_key(hi)
        )
    }
}

/// A decided reservation's saving across the band, when it differs between windows: the least
/// and the most, as shares, and the least in USD per month with its window.
pub struct SavingRange {
    /// The smallest saving share over the band.
    pub least_share: f64,
    /// The largest.
    pub most_share: f64,
    /// The smallest saving, USD per month.
    pub least_usd: f64,
    /// Its window, seconds.
    pub least_window_s: f64,
}

/// The saving range of `d` (None: no reservation decided, or the same saving at every window).
pub fn saving_range(d: &crate::plan::Decision) -> Option<SavingRange> {
    d.option.as_ref().filter(|o| o.is_commitment())?;
    let b = d.band.as_ref()?;
    let (least, most) = (b.least_saving_share?, b.most_saving_share?);
    ((most - least).abs() >= 0.0005).then_some(SavingRange {
        least_share: least,
        most_share: most,
        least_usd: b.least_saving_usd,
        least_window_s: b.least_saving_window_s,
    })
}

/// `11.4-52.7%`.
pub fn share_range_text(r: &SavingRange) -> String {
    format!(
        "{}-{}",
        fmt_pct(r.least_share).trim_end_matches('%'),
        fmt_pct(r.most_share)
    )
}

/// `a 1-year reservation of 15 Global PTU`.
pub fn reservation_phrase(billing: Billing, t: DeploymentTypeId, ptus: u32) -> String {
    format!(
        "a {} reservation of {} {} PTU",
        billing_short(billing),
        fmt_int(u64::from(ptus)),
        family(t)
    )
}

/// A signed share as a percentage: `12.3%`, `-4.1%`.
fn pct(share: f64) -> String {
    fmt_pct(share)
}

/// A list for a sentence: `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn months(m: f64) -> String {
    format!("{m:.1}")
}

mod calibrate;
mod ladder;
mod option;
mod reason;
mod verdict;

pub use calibrate::*;
pub use ladder::*;
pub use option::*;
pub use reason::*;
pub use verdict::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_is_never_a_utilization_above_100_percent() {
        assert_eq!(
            load_phrase(15, 3.7, 0.757, true),
            "demand is 3.7x what 15 PTU serve; 75.7% would spill"
        );
        assert_eq!(
            load_phrase(15, 0.183, 0.0, true),
            "15 PTU would run at 18.3% load"
        );
    }

    /// tester18 item 9: a negative saving reads as a cost, and a PTU option decided because
    /// per-token misses a target is not argued against by its break-even.
    #[test]
    fn issue_18_a_loss_reads_as_a_cost_and_a_needed_ptu_skips_the_break_even() {
        let d = crate::plan::Decision {
            run_window_s: 1.0,
            ..Default::default()
        };
        let rejected = Reason::CommitmentRejected {
            option_id: "global-provisioned/reserved-1-year".into(),
            billing: Billing::Reserved1Year,
            ptus: 15,
            saving_usd: -1_150.27,
            saving_share: -0.101,
            short_windows: vec![(1.0, -0.101)],
            failing_windows: Vec::new(),
            min_saving: 0.1,
            over_term: false,
        };
        let text = reason_text(&rejected, &d);
        assert!(
            text.contains("would cost 1,150.27 USD/mo (10.1%) more at 1 s"),
            "{text}"
        );
        assert!(!text.contains("save -"), "{text}");
        let needed = Reason::BreakEven {
            deployment_type: DeploymentTypeId::GlobalProvisioned,
            billing: Billing::Hourly,
            break_even: 2.5,
            utilization: 0.265,
            ptus: 15,
            not_served_share: 0.0,
            spills: true,
            ptu_needed: true,
        };
        let text = reason_text(&needed, &d);
        assert!(!text.contains("never pays"), "{text}");
        assert!(
            text.contains("no per-token option meets the targets"),
            "{text}"
        );
    }

    #[test]
    fn bands_and_windows_read_as_seconds() {
        assert_eq!(band_text((1.0, 60.0)), "1-60 s");
        assert_eq!(band_text((4.0, 4.0)), "4 s");
        assert_eq!(window_text(0.5), "0.5 s");
        assert_eq!(
            and_list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
    }
}
