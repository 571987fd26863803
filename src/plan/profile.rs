//! Shapes of the demand over time, for the plan's summary figures and the charts: the
//! nearest-rank quantile of per-minute demand and the hourly-peak and weekday x hour profile.

use super::DemandProfile;

/// Nearest-rank quantile of an ascending slice.
pub(super) fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub(super) fn demand_profile(weighted: &[f64], first_minute: i64) -> DemandProfile {
    let first_hour = first_minute.div_euclid(60);
    let mut hourly: Vec<f64> = Vec::new();
    let mut sums = vec![vec![0.0; 24]; 7];
    let mut counts = vec![vec![0u64; 24]; 7];
    for (i, &d) in weighted.iter().enumerate() {
        let minute = first_minute + i as i64;
        let h = (minute.div_euclid(60) - first_hour) as usize;
        if hourly.len() <= h {
            hourly.resize(h + 1, 0.0);
        }
        hourly[h] = hourly[h].max(d);
        let day = minute.div_euclid(60 * 24);
        // 1970-01-01 was a Thursday: Monday-first weekday index.
        let weekday = ((day + 3).rem_euclid(7)) as usize;
        let hour = minute.div_euclid(60).rem_euclid(24) as usize;
        sums[weekday][hour] += d;
        counts[weekday][hour] += 1;
    }
    let means = sums
        .iter()
        .zip(&counts)
        .map(|(s, c)| {
            s.iter()
                .zip(c)
                .map(|(s, &c)| if c == 0 { 0.0 } else { s / c as f64 })
                .collect()
        })
        .collect();
    DemandProfile {
        hourly_peak_weighted_tpm: hourly,
        weekday_hour_mean_weighted_tpm: means,
    }
}
