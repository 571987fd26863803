//! The forecast: each workload's growth measured from the log itself, with its uncertainty,
//! and the need it implies month by month (README, "The forecast").
//!
//! - **Series.** Per UTC day fully inside the span: the weighted tokens (volume) and the
//!   busiest minute's weighted tokens (peak), from the minute series the replay already built
//!   ([`daily_series`]; the log is not read again). Days without traffic are left out.
//! - **Fit.** `ln(series) = intercept + slope x day + weekday effect + level shifts`, the slope
//!   shared by both series, by Huber's M-estimator ([`fit`]). Level shifts (a launch, a lost
//!   customer) are found by a sup-Wald search and modelled as steps, not as trend; days more
//!   than 3.5 robust standard deviations off (an incident) are named and left out.
//! - **Range.** A moving-block bootstrap over weeks of the residuals ([`BOOTSTRAP_DRAWS`]
//!   refits, seeded): the 5th to 95th percentile of the growth is its 90% range, and every
//!   month's P50 and P90 come from the same draws. When the draws' slope spreads less than
//!   the fit's normal-theory standard error (a bootstrap over a few weeks rests on few
//!   blocks), they are spread out to it: the range is never narrower than the fit's own.
//! - **Need.** A month's load is the log's as the traffic factor of the draw scales it: peaks
//!   by the fitted level at the month's busiest point over the level on the log's peak day,
//!   volume by the month's mean level over the log's. PTUs follow the plan's own sizing: each
//!   type's target count from the exact search, scaled by the peak factor and rounded up to the
//!   type's increment ([`crate::catalog::PtuIncrement::round_up`]).
//!
//! Nothing here prints, reads files or draws unseeded numbers.

pub mod fit;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::cost::Billing;
use super::WorkloadPlan;
use crate::catalog::{Catalog, DeploymentTypeId};
use fit::{Design, Fit, Obs, Rng};

/// Fewest days with traffic the forecast needs (four weekly cycles).
pub const MIN_DAYS_WITH_TRAFFIC: usize = 28;
/// Bootstrap refits per workload.
pub const BOOTSTRAP_DRAWS: usize = 400;
/// Days per bootstrap block (a week, so the weekly cycle stays whole).
pub const BLOCK_DAYS: usize = 7;
/// Days in an average month (365 / 12, as the decision's terms count).
pub const DAYS_PER_MONTH: f64 = 365.0 / 12.0;
/// The method, as the JSON names it.
pub const METHOD: &str = "huber-log-linear-weekday-steps/moving-block-bootstrap";

const MINUTES_PER_DAY: i64 = 1440;

/// One UTC day of a workload's demand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Day {
    /// Days since 1970-01-01.
    pub day: i64,
    /// Weighted tokens of the day.
    pub weighted_tokens: f64,
    /// The busiest minute's weighted tokens.
    pub peak_weighted_tpm: f64,
    /// Minutes of the day inside the log's span.
    pub minutes_in_span: u32,
}

impl Day {
    /// Whether the whole day lies inside the span.
    pub fn is_full(&self) -> bool {
        i64::from(self.minutes_in_span) == MINUTES_PER_DAY
    }

    /// Weekday, 0 = Monday (1970-01-01 was a Thursday).
    pub fn weekday(&self) -> usize {
        (self.day + 3).rem_euclid(7) as usize
    }
}

/// A workload's days, in order, from its span's first to its last (JSON: not written).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DailySeries {
    /// Every day the span touches.
    pub days: Vec<Day>,
}

/// The daily series of a dense per-minute weighted demand starting at `first_minute`.
pub fn daily_series(weighted: &[f64], first_minute: i64) -> DailySeries {
    let mut days: Vec<Day> = Vec::new();
    for (i, &v) in weighted.iter().enumerate() {
        let day = (first_minute + i as i64).div_euclid(MINUTES_PER_DAY);
        match days.last_mut() {
            Some(d) if d.day == day => {
                d.weighted_tokens += v;
                d.peak_weighted_tpm = d.peak_weighted_tpm.max(v);
                d.minutes_in_span += 1;
            }
            _ => days.push(Day {
                day,
                weighted_tokens: v,
                peak_weighted_tpm: v,
                minutes_in_span: 1,
            }),
        }
    }
    DailySeries { days }
}

/// What the forecast needs besides the plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastSettings {
    /// Months projected.
    pub horizon_months: u32,
    /// The bootstrap's seed (`--seed`).
    pub seed: u64,
    /// Bootstrap refits.
    pub draws: usize,
}

/// Whether there is a forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ForecastStatus {
    /// Growth measured.
    Ok,
    /// Too little of the log to measure it.
    Insufficient,
}

/// Why there is no forecast (words: the report's).
#[derive(Debug, Clone, PartialEq)]
pub enum Insufficient {
    /// Fewer full days with traffic than [`MIN_DAYS_WITH_TRAFFIC`].
    TooFewDays {
        /// Full days with traffic.
        days_with_traffic: usize,
        /// Days needed.
        needed: usize,
    },
    /// The regression could not be solved (a degenerate series).
    Degenerate,
}

/// A level shift named by the fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The first day at the new level.
    pub date: NaiveDate,
    /// How much the volume moved, share (0.4 = +40%).
    pub volume_change: f64,
    /// How much the peak moved, share.
    pub peak_change: f64,
}

/// Which series a day is an outlier of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Series {
    /// Weighted tokens of the day.
    Volume,
    /// The busiest minute.
    Peak,
}

/// A day left out of the fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Outlier {
    /// The day.
    pub date: NaiveDate,
    /// The series.
    pub series: Series,
    /// Its distance from the fit, share (-0.8 = 80% below).
    pub deviation: f64,
}

/// One projected month (the JSON `forecast.months[]`).
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastMonth {
    /// 1 = the month after the log.
    pub month: u32,
    /// Median projected busiest minute, weighted TPM.
    pub p50_peak_tpm: f64,
    /// 90th percentile.
    pub p90_peak_tpm: f64,
    /// Per provisioned type with a target count: the P50 PTU need.
    pub p50_ptus: BTreeMap<DeploymentTypeId, u32>,
    /// The P90 PTU need.
    pub p90_ptus: BTreeMap<DeploymentTypeId, u32>,
    /// The decided option's monthly cost at the median, USD.
    pub p50_monthly_cost_usd: Option<f64>,
    /// At the 90th percentile, USD.
    pub p90_monthly_cost_usd: Option<f64>,
}

/// A workload's forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// Whether growth was measured.
    pub status: ForecastStatus,
    /// Why not.
    pub insufficient: Option<Insufficient>,
    /// Full days with traffic.
    pub days_with_traffic: usize,
    /// Growth per month, share (0.05 = 5%); None when insufficient.
    pub growth_per_month: Option<f64>,
    /// Its 90% range (5th and 95th percentile of the bootstrap).
    pub growth_per_month_range: Option<(f64, f64)>,
    /// Level shifts.
    pub steps: Vec<Step>,
    /// Days left out.
    pub outliers: Vec<Outlier>,
    /// Bootstrap refits that solved.
    pub draws: usize,
    /// The projected months.
    pub months: Vec<ForecastMonth>,
    /// The provisioned type the summary line names (the decided one, else the cheapest
    /// type's on 1-year prices).
    pub headline_type: Option<DeploymentTypeId>,
    /// Per month, the median peak factor (the month's busiest load over the log's).
    pub peak_factor_p50: Vec<f64>,
    /// Per draw and month, the peak factor (for the reservation plan's odds).
    pub peak_factor_draws: Vec<Vec<f64>>,
}

impl Forecast {
    fn insufficient(days: usize, why: Insufficient) -> Forecast {
        Forecast {
            status: ForecastStatus::Insufficient,
            insufficient: Some(why),
            days_with_traffic: days,
            growth_per_month: None,
            growth_per_month_range: None,
            steps: Vec::new(),
            outliers: Vec::new(),
            draws: 0,
            months: Vec::new(),
            headline_type: None,
            peak_factor_p50: Vec::new(),
            peak_factor_draws: Vec::new(),
        }
    }

    /// The P90 need of the headline type in the last month.
    pub fn last_p90_need(&self) -> Option<(DeploymentTypeId, u32, u32)> {
        let t = self.headline_type?;
        let m = self.months.last()?;
        Some((t, m.month, *m.p90_ptus.get(&t)?))
    }
}

/// The fitted model of a workload: the sample, its design and the robust fit.
struct Model {
    obs: Vec<Obs>,
    y: Vec<[f64; 2]>,
    include: Vec<[bool; 2]>,
    design: Design,
    fit: Fit,
}

fn date_of(first_day: i64, t: f64) -> NaiveDate {
    let day = first_day + t.round() as i64;
    chrono::DateTime::from_timestamp(day * 86_400, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default()
}

/// Fit the trend of `series`: steps, then outliers, then the final fit.
fn fit_model(series: &DailySeries) -> Option<(Model, i64)> {
    let full: Vec<&Day> = series
        .days
        .iter()
        .filter(|d| d.is_full() && d.weighted_tokens > 0.0 && d.peak_weighted_tpm > 0.0)
        .collect();
    let first_day = full.first()?.day;
    let obs: Vec<Obs> = full
        .iter()
        .map(|d| Obs {
            t: (d.day - first_day) as f64,
            weekday: d.weekday(),
            y: [d.weighted_tokens.ln(), d.peak_weighted_tpm.ln()],
        })
        .collect();
    let y: Vec<[f64; 2]> = obs.iter().map(|o| o.y).collect();
    let mut include = vec![[true; 2]; obs.len()];
    let mut steps: Vec<f64> = Vec::new();
    let mut base = fit::huber(
        &obs,
        &y,
        &Design::new(&obs, Vec::new()),
        &include,
        None,
        None,
        fit::ROUNDS,
    )?;
    while steps.len() < fit::MAX_STEPS {
        let Some(tau) = fit::find_step(&obs, &y, &include, &steps, &base) else {
            break;
        };
        steps.push(tau);
        steps.sort_by(f64::total_cmp);
        base = fit::huber(
            &obs,
            &y,
            &Design::new(&obs, steps.clone()),
            &include,
            None,
            None,
            fit::ROUNDS,
        )?;
    }
    let design = Design::new(&obs, steps);
    let resid = fit::residuals(&obs, &y, &design, &base.beta);
    for (inc, r) in include.iter_mut().zip(&resid) {
        for s in 0..2 {
            inc[s] = (r[s] / base.scale[s]).abs() <= fit::OUTLIER_Z;
        }
    }
    let fit = fit::huber(&obs, &y, &design, &include, None, None, fit::ROUNDS)?;
    Some((
        Model {
            obs,
            y,
            include,
            design,
            fit,
        },
        first_day,
    ))
}

/// Quantile `q` of `v` by linear interpolation (v sorted ascending, non-empty).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// A draw's traffic factors per month: (peak, volume).
fn factors(model: &Model, beta: &[f64], t_end: f64, t_peak: f64, h: u32) -> Vec<(f64, f64)> {
    let d = &model.design;
    let b = beta[0];
    // The log's mean fitted volume, and the weekday mean of the volume's weekday effect.
    let fitted_mean = model
        .obs
        .iter()
        .map(|o| d.fitted(beta, o, 0).exp())
        .sum::<f64>()
        / model.obs.len().max(1) as f64;
    let weekday_mean = (0..7)
        .map(|w| d.weekday_effect(beta, 0, w).exp())
        .sum::<f64>()
        / 7.0;
    let peak_ref = d.level(beta, t_peak, 1);
    (1..=h)
        .map(|m| {
            let m = f64::from(m);
            // The busiest point of the month: its end when growing, its start when shrinking.
            let busiest = t_end + DAYS_PER_MONTH * if b >= 0.0 { m } else { m - 1.0 };
            let peak = (d.level(beta, busiest, 1) - peak_ref).exp();
            let mid = t_end + DAYS_PER_MONTH * (m - 0.5);
            let volume = d.level(beta, mid, 0).exp() * weekday_mean / fitted_mean;
            (peak, volume)
        })
        .collect()
}

/// What the decided option costs in a month whose peak and volume are the log's times
/// `(peak, volume)`: per-token options with the volume; a provisioned option's PTUs with the
/// peak (rounded up to its increment), its spillover with the volume.
fn decided_cost(plan: &WorkloadPlan, catalog: &Catalog, peak: f64, volume: f64) -> Option<f64> {
    let o = plan.decided_option()?;
    let monthly = o.monthly_cost_usd?;
    match (o.ptus, o.billing) {
        (Some(n), b) if b != Billing::PerToken => {
            let per_ptu = plan
                .sizing
                .get(&o.deployment_type)?
                .usd_per_ptu_month_by_billing
                .get(&b)?;
            let spill = monthly - per_ptu * f64::from(n);
            let ptus = scaled_ptus(catalog, plan, o.deployment_type, n, peak);
            Some(f64::from(ptus) * per_ptu + spill.max(0.0) * volume)
        }
        _ => Some(monthly * volume),
    }
}

/// `ptus` scaled by `factor`, rounded up to the type's increment for the model (never below
/// its minimum).
fn scaled_ptus(
    catalog: &Catalog,
    plan: &WorkloadPlan,
    t: DeploymentTypeId,
    ptus: u32,
    factor: f64,
) -> u32 {
    let raw = f64::from(ptus) * factor;
    catalog
        .model(&plan.model)
        .and_then(|m| m.ptu.as_ref())
        .and_then(|spec| t.ptu_scope().and_then(|s| spec.increment_for(s)))
        .map_or(raw.ceil() as u32, |inc| inc.round_up(raw))
}

/// The provisioned type the summary names: the decided one, else the one whose cheapest
/// 1-year count costs least.
fn headline_type(plan: &WorkloadPlan) -> Option<DeploymentTypeId> {
    if let Some(o) = plan.decision.option.as_ref().filter(|o| o.ptus.is_some()) {
        return Some(o.deployment_type);
    }
    super::sizing::cheapest_1_year_type(
        plan.sizing
            .iter()
            .filter(|(_, s)| s.min_ptus_for_target.is_some()),
    )
}

/// The forecast of one workload from its daily series and its decided plan.
pub fn forecast(
    plan: &WorkloadPlan,
    series: &DailySeries,
    catalog: &Catalog,
    settings: &ForecastSettings,
) -> Forecast {
    let days = series
        .days
        .iter()
        .filter(|d| d.is_full() && d.weighted_tokens > 0.0)
        .count();
    if days < MIN_DAYS_WITH_TRAFFIC {
        return Forecast::insufficient(
            days,
            Insufficient::TooFewDays {
                days_with_traffic: days,
                needed: MIN_DAYS_WITH_TRAFFIC,
            },
        );
    }
    let Some((model, first_day)) = fit_model(series) else {
        return Forecast::insufficient(days, Insufficient::Degenerate);
    };
    let mut rng = Rng::new(settings.seed ^ key_hash(plan));
    let draws = fit::bootstrap(
        &model.obs,
        &model.y,
        &model.include,
        &model.design,
        &model.fit,
        settings.draws,
        BLOCK_DAYS,
        &mut rng,
    );
    let draws = widen(
        draws,
        &model.fit.beta,
        fit::slope_variance(
            &model.obs,
            &model.y,
            &model.design,
            &model.include,
            &model.fit,
        ),
    );
    let growth = |beta: &[f64]| (beta[0] * DAYS_PER_MONTH).exp() - 1.0;
    let growth_draws = sorted(draws.iter().map(|b| growth(b)).collect());
    let range = (!growth_draws.is_empty())
        .then(|| (quantile(&growth_draws, 0.05), quantile(&growth_draws, 0.95)));
    // Time runs from the first full day; the log ends after its last full day, and its peak
    // minute fell on `t_peak`.
    let t_end = model.obs.last().map_or(0.0, |o| o.t) + 1.0;
    let t_peak = series
        .days
        .iter()
        .max_by(|a, b| a.peak_weighted_tpm.total_cmp(&b.peak_weighted_tpm))
        .map_or(0.0, |d| (d.day - first_day) as f64);
    let h = settings.horizon_months.max(1);
    let paths: Vec<Vec<(f64, f64)>> = if draws.is_empty() {
        vec![factors(&model, &model.fit.beta, t_end, t_peak, h)]
    } else {
        draws
            .iter()
            .map(|b| factors(&model, b, t_end, t_peak, h))
            .collect()
    };
    let months = project(plan, catalog, &paths, h);
    let peak_factor_p50 = (0..h as usize)
        .map(|m| quantile(&sorted(paths.iter().map(|p| p[m].0).collect()), 0.5))
        .collect();
    Forecast {
        status: ForecastStatus::Ok,
        insufficient: None,
        days_with_traffic: days,
        growth_per_month: Some(growth(&model.fit.beta)),
        growth_per_month_range: range,
        steps: steps_of(&model, first_day),
        outliers: outliers_of(&model, first_day),
        draws: draws.len(),
        months,
        headline_type: headline_type(plan),
        peak_factor_p50,
        peak_factor_draws: paths
            .iter()
            .map(|p| p.iter().map(|(peak, _)| *peak).collect())
            .collect(),
    }
}

/// The draws spread around the fit so that their slope's spread is at least the fit's
/// standard error: a bootstrap over a few weeks of blocks can understate it (its own spread
/// rests on few blocks). Every parameter's deviation is scaled by the same factor.
fn widen(draws: Vec<Vec<f64>>, beta: &[f64], slope_variance: Option<f64>) -> Vec<Vec<f64>> {
    let n = draws.len();
    let Some(var) = slope_variance.filter(|v| v.is_finite() && *v > 0.0 && n > 1) else {
        return draws;
    };
    let spread = draws.iter().map(|d| (d[0] - beta[0]).powi(2)).sum::<f64>() / (n - 1) as f64;
    let k = if spread > 0.0 {
        (var / spread).sqrt().max(1.0)
    } else {
        1.0
    };
    draws
        .into_iter()
        .map(|d| d.iter().zip(beta).map(|(v, b)| b + k * (v - b)).collect())
        .collect()
}

/// The months of the horizon from the draws' factor paths.
fn project(
    plan: &WorkloadPlan,
    catalog: &Catalog,
    paths: &[Vec<(f64, f64)>],
    h: u32,
) -> Vec<ForecastMonth> {
    (0..h as usize)
        .map(|m| {
            let peaks = sorted(paths.iter().map(|p| p[m].0).collect());
            let (p50, p90) = (quantile(&peaks, 0.5), quantile(&peaks, 0.9));
            let mut p50_ptus = BTreeMap::new();
            let mut p90_ptus = BTreeMap::new();
            for (t, s) in &plan.sizing {
                if let Some(n) = s.min_ptus_for_target {
                    p50_ptus.insert(*t, scaled_ptus(catalog, plan, *t, n, p50));
                    p90_ptus.insert(*t, scaled_ptus(catalog, plan, *t, n, p90));
                }
            }
            let costs: Vec<f64> = paths
                .iter()
                .filter_map(|p| decided_cost(plan, catalog, p[m].0, p[m].1))
                .collect();
            let costs = sorted(costs);
            ForecastMonth {
                month: m as u32 + 1,
                p50_peak_tpm: plan.peak_minute_weighted_tpm * p50,
                p90_peak_tpm: plan.peak_minute_weighted_tpm * p90,
                p50_ptus,
                p90_ptus,
                p50_monthly_cost_usd: (!costs.is_empty()).then(|| quantile(&costs, 0.5)),
                p90_monthly_cost_usd: (!costs.is_empty()).then(|| quantile(&costs, 0.9)),
            }
        })
        .collect()
}

fn steps_of(model: &Model, first_day: i64) -> Vec<Step> {
    let d = &model.design;
    d.steps
        .iter()
        .enumerate()
        .map(|(j, tau)| Step {
            date: date_of(first_day, *tau),
            volume_change: model.fit.beta[d.step(0, j)].exp() - 1.0,
            peak_change: model.fit.beta[d.step(1, j)].exp() - 1.0,
        })
        .collect()
}

fn outliers_of(model: &Model, first_day: i64) -> Vec<Outlier> {
    let resid = fit::residuals(&model.obs, &model.y, &model.design, &model.fit.beta);
    let mut out = Vec::new();
    for ((o, inc), r) in model.obs.iter().zip(&model.include).zip(&resid) {
        for (s, series) in [(0, Series::Volume), (1, Series::Peak)] {
            if !inc[s] {
                out.push(Outlier {
                    date: date_of(first_day, o.t),
                    series,
                    deviation: r[s].exp() - 1.0,
                });
            }
        }
    }
    out
}

/// A hash of the workload's name, so each workload's draws are its own whatever the order.
fn key_hash(plan: &WorkloadPlan) -> u64 {
    let mut rng = Rng::new(0x5EED);
    let mut h = rng.next_u64();
    for b in plan
        .deployment
        .bytes()
        .chain([0xFF])
        .chain(plan.model.bytes())
        .chain([0xFF])
        .chain(plan.region.bytes())
    {
        h = Rng::new(h ^ u64::from(b)).next_u64();
    }
    h
}

#[cfg(test)]
mod tests;
