//! The decision's rules on every rung of the reservation plan (each 1-year purchase): the
//! minimum saving against the flexible way of holding those PTUs at every window of the band,
//! the model's retirement inside the term, the log's span, and, on a forecast, the odds that
//! the commitment costs more than the flexible option across the forecast's range.
//!
//! A rung's **value** is what its PTUs save the pool over the months of the horizon it covers:
//! the months' cost (flex PTUs, spillover, Standard) with the plan's 1-year level less the
//! rung, minus the same with it, each month at the quieter simulated neighbour of its traffic
//! (a lower bound: the plan itself sizes at the busier one). It **saves** its value minus its commitment (its terms'
//! price, renewals included, months after the horizon too). It **holds** when that saving is
//! at least `--min-saving` of its value at every window of the band, the log is at least
//! `--min-span-days` long, and no member's model retires inside its term.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::pool::{quiet_keys, Costs, Lattice, Member, RETIRED};
use super::{quieter_level, Purchase, RungCheck};
use crate::plan::decision::retirement_in_term;
use crate::plan::sizing::window_key;

/// Most forecast draws a rung's odds are computed over.
pub const MAX_DRAWS: usize = 200;

/// What the rungs are checked against.
pub(super) struct RungRules {
    /// `--min-saving`, share.
    pub min_saving: f64,
    /// The window in use, seconds.
    pub run_window_s: f64,
    /// The log's span is shorter than `--min-span-days`: (span days, min days).
    pub short_log: Option<(f64, f64)>,
    /// The inputs are totals per hour or per day: their bucket.
    pub coarse_log: Option<crate::usage::Granularity>,
    /// The first day of month 1 (the first of the month after the as-of date).
    pub start: Option<NaiveDate>,
}

/// The value of holding `k` more units from month `b` (1-based) on, given the 1-year levels
/// `levels_y`: the months' cost with `levels_y - k` minus with `levels_y`.
fn value(
    costs: &mut Costs<'_>,
    keys: &[Vec<usize>],
    levels_y: &[usize],
    b: usize,
    k: usize,
) -> f64 {
    let mut v = 0.0;
    for (mi, key) in keys.iter().enumerate().skip(b - 1) {
        let y = levels_y[mi];
        let row = costs.month(key);
        v += row[y.saturating_sub(k)] - row[y];
    }
    v
}

/// Check every purchase of a pool (planned month by month as `months`) and fill in its
/// figures.
pub(super) fn check(
    purchases: &mut [Purchase],
    months: &[super::LadderMonth],
    members: &[Member<'_>],
    lattice: &Lattice,
    levels_y: &[usize],
    rules: &RungRules,
) {
    let h = levels_y.len();
    let keys = quiet_keys(members, h);
    let mut run = Costs::new(members, lattice, None);
    let windows: Vec<f64> = members
        .first()
        .map(|m| m.band.iter().map(|(w, _)| *w).collect())
        .unwrap_or_default();
    let mut band: Vec<Costs<'_>> = (0..windows.len())
        .map(|i| Costs::new(members, lattice, Some(i)))
        .collect();
    let draws = members
        .iter()
        .map(|m| m.draws.len())
        .max()
        .unwrap_or(0)
        .min(MAX_DRAWS);
    for p in purchases.iter_mut() {
        let b = p.month as usize;
        let k = (p.ptus / lattice.unit) as usize;
        let share = |v: f64| (v > 0.0).then(|| (v - p.cost_usd) / v);
        let at_run = value(&mut run, &keys, levels_y, b, k);
        p.saving_usd = at_run - p.cost_usd;
        p.saving_pct = share(at_run).map(|s| s * 100.0);
        let mut by_window = BTreeMap::new();
        by_window.insert(window_key(rules.run_window_s), p.saving_pct);
        for (w, costs) in windows.iter().zip(band.iter_mut()) {
            let v = value(costs, &keys, levels_y, b, k);
            by_window.insert(window_key(*w), share(v).map(|s| s * 100.0));
        }
        let short: Vec<(f64, Option<f64>)> = windows
            .iter()
            .copied()
            .chain([rules.run_window_s])
            .filter_map(|w| {
                let s = by_window.get(&window_key(w)).copied().flatten();
                (s.is_none_or(|s| s < rules.min_saving * 100.0 - 1e-9)).then_some((w, s))
            })
            .collect();
        p.saving_pct_by_window_s = by_window;
        let mut checks = Vec::new();
        if !short.is_empty() {
            checks.push(RungCheck::BelowMinSaving {
                windows_s: short.iter().map(|(w, _)| *w).collect(),
                min_saving_pct: rules.min_saving * 100.0,
            });
        }
        if let Some((span_days, min_span_days)) = rules.short_log {
            checks.push(RungCheck::ShortLog {
                span_days,
                min_span_days,
            });
        }
        if let Some(bucket) = rules.coarse_log {
            checks.push(RungCheck::CoarseLog { bucket });
        }
        if let Some(start) = rules.start {
            let from = super::month_start(start, p.month).date();
            for (i, m) in members.iter().enumerate() {
                // Only a member the plan runs on the pool's PTUs from the rung on can leave
                // them idle: one served per token throughout never holds a reserved PTU.
                let on_ptus = months
                    .iter()
                    .skip(p.month as usize - 1)
                    .any(|mo| mo.workloads.get(i).is_some_and(|s| s.ptus > 0));
                // A model already retired when the rung is bought has left the pool.
                let Some((date, _)) = retirement_in_term(m.plan, from, 12.0 * f64::from(p.terms))
                    .filter(|(date, _)| on_ptus && *date > from)
                else {
                    continue;
                };
                let check = RungCheck::RetiresInTerm {
                    model: m.model.clone(),
                    date: date.to_string(),
                };
                // Two members of one model: one check.
                if !checks.contains(&check) {
                    checks.push(check);
                }
            }
        }
        p.holds = checks.is_empty();
        p.checks = checks;
        p.loss_probability = (draws > 0).then(|| {
            let losses = (0..draws)
                .filter(|&d| {
                    let keys: Vec<Vec<usize>> = (0..h)
                        .map(|mi| {
                            members
                                .iter()
                                .map(|m| match m.draws.get(d).and_then(|p| p.get(mi)) {
                                    _ if m.month_levels[mi] == RETIRED => RETIRED,
                                    // Month 1 is what the decision runs on now.
                                    _ if mi == 0 => m.quiet_levels[0],
                                    Some(f) => quieter_level(&m.level_factors, *f),
                                    None => m.quiet_levels[mi],
                                })
                                .collect()
                        })
                        .collect();
                    value(&mut run, &keys, levels_y, b, k) < p.cost_usd
                })
                .count();
            losses as f64 / draws as f64
        });
    }
}
