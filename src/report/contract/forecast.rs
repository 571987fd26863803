//! JSON `workloads[].forecast`: growth per month with its range, the level shifts and
//! outliers the fit found, and each month of `--horizon-months`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::DeploymentTypeId;
use crate::plan::forecast::{
    self, Forecast as PlanForecast, ForecastMonth, ForecastStatus, Series,
};
use crate::report::text::insufficient_text;

/// JSON `workloads[].forecast`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Forecast {
    /// `ok` or `insufficient`.
    pub status: ForecastStatus,
    /// Why there is no growth figure (`insufficient`), in words.
    pub reason: Option<String>,
    /// The method (README, "The forecast").
    pub method: &'static str,
    /// Full UTC days with traffic the fit used (or found too few).
    pub days_with_traffic: usize,
    /// Growth per month, percent (5.1 = 5.1%); absent when insufficient.
    pub growth_pct_per_month: Option<f64>,
    /// Its 90% range: the 5th and 95th percentile of the bootstrap, percent.
    pub growth_pct_per_month_range: Option<[f64; 2]>,
    /// Bootstrap refits (moving blocks of 7 days, seeded by `--seed`).
    pub bootstrap_draws: usize,
    /// Level shifts modelled as steps, not trend.
    pub steps: Vec<Step>,
    /// Days left out of the fit.
    pub outliers: Vec<Outlier>,
    /// The months of `--horizon-months`.
    pub months: Vec<Month>,
}

/// JSON `forecast.steps[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Step {
    /// First day at the new level (UTC).
    pub date: String,
    /// Change of the daily weighted tokens, percent.
    pub volume_change_pct: f64,
    /// Change of the daily busiest minute, percent.
    pub peak_change_pct: f64,
}

/// JSON `forecast.outliers[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Outlier {
    /// The day (UTC).
    pub date: String,
    /// `volume` or `peak`.
    pub series: Series,
    /// Its distance from the fit, percent (-80 = 80% below).
    pub deviation_pct: f64,
}

impl Forecast {
    /// The JSON of a forecast.
    pub fn of(f: &PlanForecast) -> Forecast {
        Forecast {
            status: f.status,
            reason: f.insufficient.as_ref().map(insufficient_text),
            method: forecast::METHOD,
            days_with_traffic: f.days_with_traffic,
            growth_pct_per_month: f.growth_per_month.map(|g| g * 100.0),
            growth_pct_per_month_range: f
                .growth_per_month_range
                .map(|(lo, hi)| [lo * 100.0, hi * 100.0]),
            bootstrap_draws: f.draws,
            steps: f
                .steps
                .iter()
                .map(|s| Step {
                    date: s.date.to_string(),
                    volume_change_pct: s.volume_change * 100.0,
                    peak_change_pct: s.peak_change * 100.0,
                })
                .collect(),
            outliers: f
                .outliers
                .iter()
                .map(|o| Outlier {
                    date: o.date.to_string(),
                    series: o.series,
                    deviation_pct: o.deviation * 100.0,
                })
                .collect(),
            months: f.months.iter().map(Month::from_plan).collect(),
        }
    }
}

/// JSON `forecast.months[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Month {
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

impl Month {
    fn from_plan(m: &ForecastMonth) -> Month {
        Month {
            month: m.month,
            p50_peak_tpm: m.p50_peak_tpm,
            p90_peak_tpm: m.p90_peak_tpm,
            p50_ptus: m.p50_ptus.clone(),
            p90_ptus: m.p90_ptus.clone(),
            p50_monthly_cost_usd: m.p50_monthly_cost_usd,
            p90_monthly_cost_usd: m.p90_monthly_cost_usd,
        }
    }
}
