//! The forecast on generated daily series with a known trend, weekly cycle, noise, steps and
//! outliers.

use super::*;
use crate::catalog::{load_catalog, CatalogSource};

/// A generated log's days: `days` full days from day 20,000 (a Monday is 20,000 - 3 mod 7),
/// volume `base x (1 + g)^(day / month) x weekday x noise`, the peak 1/300 of it with its own
/// noise (5% a day, lognormal); `step` multiplies both from a day on; `outage` scales one day.
struct Gen {
    days: usize,
    growth_per_month: f64,
    noise: f64,
    step: Option<(usize, f64)>,
    outage: Option<(usize, f64)>,
    seed: u64,
}

impl Gen {
    fn new(days: usize, growth_per_month: f64) -> Gen {
        Gen {
            days,
            growth_per_month,
            noise: 0.05,
            step: None,
            outage: None,
            seed: 1,
        }
    }

    fn series(&self) -> DailySeries {
        let mut rng = Rng::new(self.seed);
        // A normal draw from twelve uniforms (Irwin-Hall): light and deterministic.
        let mut normal = || {
            (0..12)
                .map(|_| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
                .sum::<f64>()
                - 6.0
        };
        let weekday = [1.0, 1.05, 1.1, 1.05, 0.95, 0.45, 0.4];
        let days = (0..self.days)
            .map(|d| {
                let day = 20_000 + d as i64;
                let mut level = 1e8
                    * (1.0 + self.growth_per_month).powf(d as f64 / DAYS_PER_MONTH)
                    * weekday[(day + 3).rem_euclid(7) as usize];
                if let Some((from, k)) = self.step {
                    if d >= from {
                        level *= k;
                    }
                }
                if let Some((on, k)) = self.outage {
                    if d == on {
                        level *= k;
                    }
                }
                Day {
                    day,
                    weighted_tokens: level * (self.noise * normal()).exp(),
                    peak_weighted_tpm: level / 300.0 * (self.noise * normal()).exp(),
                    minutes_in_span: 1440,
                }
            })
            .collect();
        DailySeries { days }
    }
}

fn settings() -> ForecastSettings {
    ForecastSettings {
        horizon_months: 12,
        seed: 42,
        draws: 200,
    }
}

fn run(g: &Gen) -> Forecast {
    let catalog = load_catalog(&CatalogSource::Embedded).expect("catalog");
    let plan = crate::plan::test_support::sample_workload();
    forecast(&plan, &g.series(), &catalog, &settings())
}

fn pct(share: Option<f64>) -> f64 {
    100.0 * share.expect("a growth figure")
}

#[test]
fn issue_21_a_90_day_log_growing_5_percent_a_month_reads_5() {
    for seed in [1, 2, 3] {
        let f = run(&Gen {
            seed,
            ..Gen::new(90, 0.05)
        });
        assert_eq!(f.status, ForecastStatus::Ok);
        let g = pct(f.growth_per_month);
        assert!((g - 5.0).abs() < 1.5, "seed {seed}: {g}");
        let (lo, hi) = f.growth_per_month_range.expect("range");
        assert!(
            100.0 * lo <= 5.0 && 5.0 <= 100.0 * hi,
            "seed {seed}: {lo} to {hi}"
        );
        assert!(lo < hi);
        assert!(f.steps.is_empty(), "seed {seed}: {:?}", f.steps);
        assert_eq!(f.months.len(), 12);
        // The need grows with the traffic: month 12's P90 above month 1's P50, both at or
        // above the plan's own 30 PTUs.
        let t = DeploymentTypeId::GlobalProvisioned;
        let first = f.months[0].p50_ptus[&t];
        let last = f.months[11].p90_ptus[&t];
        assert!(first >= 30 && last > first, "{first} {last}");
        assert!(f.months[11].p90_peak_tpm >= f.months[11].p50_peak_tpm);
        let cost = |m: &ForecastMonth| m.p50_monthly_cost_usd.expect("cost");
        assert!(cost(&f.months[11]) > cost(&f.months[0]));
    }
}

#[test]
fn issue_21_a_60_day_flat_log_reads_0() {
    for seed in [4, 5, 6] {
        let f = run(&Gen {
            seed,
            ..Gen::new(60, 0.0)
        });
        let g = pct(f.growth_per_month);
        assert!(g.abs() < 1.5, "seed {seed}: {g}");
        let (lo, hi) = f.growth_per_month_range.expect("range");
        assert!(lo <= 0.0 && 0.0 <= hi, "seed {seed}: {lo} to {hi}");
        // Flat traffic: month 1's median need is the plan's (up to one increment).
        let t = DeploymentTypeId::GlobalProvisioned;
        assert!(f.months[0].p50_ptus[&t] <= 35, "{:?}", f.months[0]);
    }
}

#[test]
fn issue_21_a_10_day_log_is_too_short() {
    let f = run(&Gen::new(10, 0.05));
    assert_eq!(f.status, ForecastStatus::Insufficient);
    assert_eq!(
        f.insufficient,
        Some(Insufficient::TooFewDays {
            days_with_traffic: 10,
            needed: MIN_DAYS_WITH_TRAFFIC
        })
    );
    assert!(f.growth_per_month.is_none() && f.months.is_empty());
    // 27 full days are still too few; 28 are enough.
    assert_eq!(run(&Gen::new(27, 0.0)).status, ForecastStatus::Insufficient);
    assert_eq!(run(&Gen::new(28, 0.0)).status, ForecastStatus::Ok);
}

/// A launch on day 50 lifts a log growing 2% a month by 60%: the step is found on its day
/// and named, and the growth stays near 2% (a straight line through both levels reads
/// about 20%).
#[test]
fn issue_21_a_step_is_named_not_averaged_into_the_trend() {
    let g = Gen {
        step: Some((50, 1.6)),
        ..Gen::new(90, 0.02)
    };
    let f = run(&g);
    assert_eq!(f.steps.len(), 1, "{:?}", f.steps);
    let s = &f.steps[0];
    let day_50 = NaiveDate::from_ymd_opt(2024, 11, 23).expect("date");
    assert!(
        (s.date - day_50).num_days().abs() <= 1,
        "step on {} (expected about {day_50})",
        s.date
    );
    assert!((s.volume_change - 0.6).abs() < 0.1, "{}", s.volume_change);
    let growth = pct(f.growth_per_month);
    assert!((growth - 2.0).abs() < 1.5, "{growth}");
    // Without a step the fit would take the jump for growth.
    let obs_days = g.series();
    let first = obs_days.days[0].weighted_tokens.ln();
    let last = obs_days.days[89].weighted_tokens.ln();
    assert!((last - first) / 89.0 * DAYS_PER_MONTH > 0.1);
}

#[test]
fn issue_21_an_outage_day_is_named_and_left_out() {
    let f = run(&Gen {
        outage: Some((40, 0.1)),
        ..Gen::new(60, 0.03)
    });
    assert!(f.steps.is_empty(), "{:?}", f.steps);
    let out: Vec<&Outlier> = f.outliers.iter().filter(|o| o.deviation < -0.5).collect();
    assert_eq!(out.len(), 2, "both series of one day: {:?}", f.outliers);
    assert_eq!(out[0].date, out[1].date);
    let growth = pct(f.growth_per_month);
    assert!((growth - 3.0).abs() < 1.5, "{growth}");
}

#[test]
fn issue_21_the_forecast_is_deterministic_and_follows_the_seed() {
    let g = Gen::new(45, 0.04);
    assert_eq!(run(&g), run(&g));
    let catalog = load_catalog(&CatalogSource::Embedded).expect("catalog");
    let plan = crate::plan::test_support::sample_workload();
    let other = forecast(
        &plan,
        &g.series(),
        &catalog,
        &ForecastSettings {
            seed: 7,
            ..settings()
        },
    );
    assert_eq!(other.growth_per_month, run(&g).growth_per_month);
    assert_ne!(other.growth_per_month_range, run(&g).growth_per_month_range);
}

#[test]
fn daily_series_splits_at_utc_midnight_and_marks_partial_days() {
    // From 23:58 on one day for 1,443 minutes: 2 minutes, a full day, 1 minute.
    let first = 20_000 * 1440 + 1438;
    let weighted: Vec<f64> = (0..1443).map(|i| f64::from(i % 7)).collect();
    let s = daily_series(&weighted, first);
    let sizes: Vec<u32> = s.days.iter().map(|d| d.minutes_in_span).collect();
    assert_eq!(sizes, [2, 1440, 1]);
    assert!(!s.days[0].is_full() && s.days[1].is_full());
    assert_eq!(s.days[0].weighted_tokens, 1.0);
    assert_eq!(s.days[1].peak_weighted_tpm, 6.0);
    // 1970-01-01 (day 0) was a Thursday.
    let thursday = Day {
        day: 0,
        weighted_tokens: 0.0,
        peak_weighted_tpm: 0.0,
        minutes_in_span: 0,
    };
    assert_eq!(thursday.weekday(), 3);
}
