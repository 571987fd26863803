//! JSON `workloads[].decision`: the one decision every output renders, with the flexible
//! option it is weighed against, its worst case over the window band, its figures per window
//! and its reasons (a stable code and its words).

/// JSON `workloads[].decision`: the one decision every output renders.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct Decision {
    /// `firm`, `provisional` or `none`.
    pub status: crate::plan::DecisionStatus,
    /// The decided option's id (the same as `recommended`).
    pub option: Option<String>,
    /// Its deployment type.
    pub deployment_type: Option<crate::catalog::DeploymentTypeId>,
    /// Its billing.
    pub billing: Option<crate::plan::Billing>,
    /// The workload's region (where it is bought).
    pub region: String,
    /// Its PTUs (provisioned options).
    pub ptus: Option<u32>,
    /// Its monthly cost at the window in use, USD.
    pub monthly_cost_usd: Option<f64>,
    /// What it commits to for the whole term, USD (0 without a reservation).
    pub commitment_usd: f64,
    /// The cheapest option with no commitment meeting the same targets.
    pub flexible: Option<Flexible>,
    /// `flexible.monthly_cost_usd - monthly_cost_usd`, USD per month.
    pub saving_vs_flexible_usd: f64,
    /// The same in percent of the flexible option's cost (12.5 = 12.5%).
    pub saving_vs_flexible_pct: Option<f64>,
    /// True when the model retires inside the decided reservation's term: the saving is then
    /// the term's average at the window in use (as `worst_case` is), not the log's own month,
    /// and differs from `flexible.monthly_cost_usd - monthly_cost_usd`.
    pub saving_over_term: bool,
    /// With `saving_over_term`: the decided reservation's monthly cost averaged over its term
    /// at the window in use (the months after the retirement priced with the replacement's
    /// plan: the reservation still owed, plus what the replacement costs beside it), USD;
    /// `null` otherwise. `flexible_term_monthly_cost_usd` minus this is the saving.
    pub term_monthly_cost_usd: Option<f64>,
    /// With `saving_over_term`: the flexible option's monthly cost averaged over the same
    /// term, USD; `null` otherwise.
    pub flexible_term_monthly_cost_usd: Option<f64>,
    /// The band's smallest and largest bucket window, seconds.
    pub window_band_s: [f64; 2],
    /// The decided option across the band: what a buyer must plan for (the gates judge it).
    pub worst_case: Option<WorstCase>,
    /// Per window of the band (keys: seconds as written, `"1"`, `"1.5"`, `"10"`, `"60"`, in
    /// ascending numeric order): the decided and the flexible option as a run at that window
    /// gives them.
    #[serde(serialize_with = "ordered_map")]
    pub by_window_s: Vec<(String, Window)>,
    /// Why, in order: a stable code and its words.
    pub reasons: Vec<Reason>,
}

fn by_window_ascending(
    by_window: &[crate::plan::decision::WindowFigures],
) -> Vec<&crate::plan::decision::WindowFigures> {
    let mut v: Vec<_> = by_window.iter().collect();
    v.sort_by(|a, b| a.window_s.total_cmp(&b.window_s));
    v
}

/// A list of pairs as a JSON object, in the list's order (a `BTreeMap` would sort the window
/// keys as strings: "1.5" before "10" before "3").
fn ordered_map<S: serde::Serializer>(
    pairs: &[(String, Window)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// JSON `decision.flexible`.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct Flexible {
    /// Its id.
    pub option: String,
    /// Deployment type.
    pub deployment_type: crate::catalog::DeploymentTypeId,
    /// `per-token` or `hourly`.
    pub billing: crate::plan::Billing,
    /// PTUs (hourly PTU).
    pub ptus: Option<u32>,
    /// Monthly cost, USD.
    pub monthly_cost_usd: f64,
    /// True when it is held back only because its availability is unconfirmed: a decided
    /// reservation is weighed against it all the same (schema_version 4).
    pub availability_unconfirmed: bool,
}

/// JSON `decision.worst_case`: the decided option over every window of the band.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct WorstCase {
    /// Its highest monthly cost over the band, USD.
    pub monthly_cost_usd: f64,
    /// The window of that cost, seconds.
    pub monthly_cost_window_s: f64,
    /// Its smallest saving against the flexible option over the band, USD per month (a
    /// reservation's, over its term when the model retires inside it; 0 for a flexible option).
    pub saving_vs_flexible_usd: f64,
    /// The same in percent of that window's flexible option's cost.
    pub saving_vs_flexible_pct: Option<f64>,
    /// The window of the smallest saving, seconds.
    pub saving_window_s: f64,
    /// Its largest saving over the band, percent (the other end of the range).
    pub best_saving_vs_flexible_pct: Option<f64>,
    /// The window of the largest saving, seconds.
    pub best_saving_window_s: f64,
    /// Its largest failed share over the band, percent.
    pub failed_pct: f64,
    /// Its largest spilled share over the band, percent.
    pub spilled_pct: f64,
}

/// JSON `decision.by_window_s.<window>`.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct Window {
    /// The decided option's monthly cost at this window, USD.
    pub monthly_cost_usd: Option<f64>,
    /// The flexible option's monthly cost at this window, USD.
    pub flexible_monthly_cost_usd: Option<f64>,
    /// The decided option's failed requests, percent.
    pub failed_pct: Option<f64>,
    /// The decided option's requests spilled to Standard, percent.
    pub spilled_pct: Option<f64>,
    /// The flexible option's failed requests, percent.
    pub flexible_failed_pct: Option<f64>,
    /// The flexible option's spilled requests, percent.
    pub flexible_spilled_pct: Option<f64>,
    /// The flexible option at this window (it may differ from the window in use's).
    pub flexible_option: Option<String>,
    /// True when that option's availability is unconfirmed (a decided reservation's
    /// comparator).
    pub flexible_availability_unconfirmed: bool,
    /// The decided option's PTUs at this window.
    pub ptus: Option<u32>,
}

/// JSON `decision.reasons[]`.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct Reason {
    /// Stable code (`commitment-holds`, `commitment-rejected`, `short-log`, ...).
    pub code: &'static str,
    /// The reason in words.
    pub text: String,
}

impl Decision {
    /// The decision of `plan` in its JSON shape.
    pub fn of(plan: &crate::plan::WorkloadPlan) -> Decision {
        let d = &plan.decision;
        let o = d.option.as_ref();
        Decision {
            status: d.status,
            option: o.map(|o| o.option_id.clone()),
            deployment_type: o.map(|o| o.deployment_type),
            billing: o.map(|o| o.billing),
            region: plan.region.clone(),
            ptus: o.and_then(|o| o.ptus),
            monthly_cost_usd: o.map(|o| o.monthly_cost_usd),
            commitment_usd: d.commitment_usd(),
            flexible: d.flexible.as_ref().map(|f| Flexible {
                option: f.option_id.clone(),
                deployment_type: f.deployment_type,
                billing: f.billing,
                ptus: f.ptus,
                monthly_cost_usd: f.monthly_cost_usd,
                availability_unconfirmed: f.availability_unconfirmed,
            }),
            saving_vs_flexible_usd: d.saving_vs_flexible_usd,
            saving_vs_flexible_pct: d.saving_vs_flexible_share.map(|s| s * 100.0),
            saving_over_term: d.saving_over_term,
            term_monthly_cost_usd: d.term_monthly_costs_usd.map(|c| c.0),
            flexible_term_monthly_cost_usd: d.term_monthly_costs_usd.map(|c| c.1),
            window_band_s: [d.window_band_s.0, d.window_band_s.1],
            worst_case: d.band.as_ref().map(|b| WorstCase {
                monthly_cost_usd: b.worst_monthly_cost_usd,
                monthly_cost_window_s: b.worst_cost_window_s,
                saving_vs_flexible_usd: b.least_saving_usd,
                saving_vs_flexible_pct: b.least_saving_share.map(|s| s * 100.0),
                saving_window_s: b.least_saving_window_s,
                best_saving_vs_flexible_pct: b.most_saving_share.map(|s| s * 100.0),
                best_saving_window_s: b.most_saving_window_s,
                failed_pct: b.worst_failed_share * 100.0,
                spilled_pct: b.worst_spilled_share * 100.0,
            }),
            by_window_s: by_window_ascending(&d.by_window)
                .into_iter()
                .map(|w| {
                    (
                        crate::plan::sizing::window_key(w.window_s),
                        Window {
                            monthly_cost_usd: w.decided.as_ref().map(|c| c.monthly_cost_usd),
                            flexible_monthly_cost_usd: w
                                .flexible
                                .as_ref()
                                .map(|c| c.monthly_cost_usd),
                            failed_pct: w.decided.as_ref().map(|c| c.failed_share * 100.0),
                            spilled_pct: w.decided.as_ref().map(|c| c.spilled_share * 100.0),
                            flexible_failed_pct: w
                                .flexible
                                .as_ref()
                                .map(|c| c.failed_share * 100.0),
                            flexible_spilled_pct: w
                                .flexible
                                .as_ref()
                                .map(|c| c.spilled_share * 100.0),
                            flexible_option: w.flexible.as_ref().map(|c| c.option_id.clone()),
                            flexible_availability_unconfirmed: w
                                .flexible
                                .as_ref()
                                .is_some_and(|c| c.availability_unconfirmed),
                            ptus: w.decided.as_ref().and_then(|c| c.ptus),
                        },
                    )
                })
                .collect(),
            reasons: d
                .reasons
                .iter()
                .map(|r| Reason {
                    code: r.code(),
                    text: crate::report::text::reason_text(r, d),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tester18 item 11: `by_window_s` keys are the windows as written, in numeric order ("1.5",
    /// "3", "15"), not string order ("1.5", "15", "3").
    #[test]
    fn issue_18_by_window_keys_are_in_numeric_order() {
        let mut w = crate::plan::test_support::sample_workload();
        w.decision.by_window = [15.0, 1.5, 3.0]
            .iter()
            .map(|s| crate::plan::decision::WindowFigures {
                window_s: *s,
                decided: None,
                flexible: None,
            })
            .collect();
        let json = serde_json::to_string(&Decision::of(&w)).expect("serializes");
        let (a, b, c) = (
            json.find("\"1.5\"").expect("1.5"),
            json.find("\"3\"").expect("3"),
            json.find("\"15\"").expect("15"),
        );
        assert!(a < b && b < c, "{json}");
    }
}
