//! Shapes of the demand over time, for the plan's summary figures and the charts: the
//! nearest-rank quantile of per-minute demand and the hourly-peak and weekday x hour profile.

use super::DemandProfile;

/// Nearest-rank quantile of an ascending slice (the reference [`MinuteStats`] is checked
/// against).
#[cfg(test)]
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// A per-minute demand series summarised for the questions the plan asks of it (the peak, a
/// nearest-rank quantile, how many minutes exceed a capacity), each answered as the full
/// sorted series would answer it. Demand series are mostly idle minutes: only the others are
/// kept, sorted, so a sparse series over a long span costs its busy minutes, not its span.
pub(super) struct MinuteStats {
    /// The values whose bits are not those of `0.0`, ascending by `total_cmp`.
    busy_sorted: Vec<f64>,
    /// How many values are `0.0`.
    zeros: usize,
}

impl MinuteStats {
    pub(super) fn new(values: &[f64]) -> MinuteStats {
        let mut busy_sorted: Vec<f64> = values
            .iter()
            .copied()
            .filter(|v| v.to_bits() != 0)
            .collect();
        busy_sorted.sort_unstable_by(f64::total_cmp);
        MinuteStats {
            zeros: values.len() - busy_sorted.len(),
            busy_sorted,
        }
    }

    fn len(&self) -> usize {
        self.busy_sorted.len() + self.zeros
    }

    /// The `i`-th smallest value (0-based) of the whole series.
    fn nth(&self, i: usize) -> f64 {
        let below = self
            .busy_sorted
            .partition_point(|v| v.total_cmp(&0.0).is_lt());
        if i < below {
            self.busy_sorted[i]
        } else if i < below + self.zeros {
            0.0
        } else {
            self.busy_sorted[i - self.zeros]
        }
    }

    /// The largest value (0 for an empty series).
    pub(super) fn peak(&self) -> f64 {
        match self.len() {
            0 => 0.0,
            n => self.nth(n - 1),
        }
    }

    /// The nearest-rank `q` quantile (0 for an empty series).
    pub(super) fn quantile(&self, q: f64) -> f64 {
        let n = self.len();
        if n == 0 {
            return 0.0;
        }
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        self.nth(rank - 1)
    }

    /// How many values exceed `capacity` (`capacity` not NaN).
    pub(super) fn minutes_above(&self, capacity: f64) -> u64 {
        let busy = self.busy_sorted.len() - self.busy_sorted.partition_point(|v| *v <= capacity);
        let zeros = if 0.0 > capacity { self.zeros } else { 0 };
        (busy + zeros) as u64
    }
}

pub(super) fn demand_profile(weighted: &[f64], first_minute: i64) -> DemandProfile {
    let first_hour = first_minute.div_euclid(60);
    let mut hourly: Vec<f64> = Vec::new();
    let mut sums = vec![vec![0.0; 24]; 7];
    let mut counts = vec![vec![0u64; 24]; 7];
    // Hour by hour: the weekday and hour are found once per hour, and each minute is added in
    // order (the same sums as minute by minute).
    let mut i = 0usize;
    while i < weighted.len() {
        let minute = first_minute + i as i64;
        let hour_abs = minute.div_euclid(60);
        let in_hour = (60 - minute.rem_euclid(60)) as usize;
        let slice = &weighted[i..(i + in_hour).min(weighted.len())];
        let h = (hour_abs - first_hour) as usize;
        if hourly.len() <= h {
            hourly.resize(h + 1, 0.0);
        }
        let day = minute.div_euclid(60 * 24);
        // 1970-01-01 was a Thursday: Monday-first weekday index.
        let weekday = ((day + 3).rem_euclid(7)) as usize;
        let hour = hour_abs.rem_euclid(24) as usize;
        // In registers, in the same order: the same additions as one by one into the cell.
        let (mut peak, mut sum) = (hourly[h], sums[weekday][hour]);
        for &d in slice {
            peak = peak.max(d);
            sum += d;
        }
        hourly[h] = peak;
        sums[weekday][hour] = sum;
        counts[weekday][hour] += slice.len() as u64;
        i += slice.len();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minute_stats_answer_as_the_sorted_series_does() {
        let mut state: u64 = 7;
        for len in [1usize, 2, 3, 99, 100, 101, 1_000, 4_321] {
            let values: Vec<f64> = (0..len)
                .map(|i| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    // Many zeros (idle minutes), some repeats, a negative zero, as demand
                    // series have (and a negative value, which they never have).
                    if i % 3 == 0 {
                        0.0
                    } else if i == 7 {
                        -0.0
                    } else if i == 11 {
                        -3.0
                    } else {
                        ((state >> 40) % 500) as f64 * 1.5
                    }
                })
                .collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let stats = MinuteStats::new(&values);
            assert_eq!(
                stats.peak(),
                *sorted.last().expect("non-empty"),
                "len {len}"
            );
            for q in [0.5, 0.9, 0.99, 1.0] {
                assert_eq!(
                    stats.quantile(q),
                    quantile_sorted(&sorted, q),
                    "len {len} q {q}"
                );
            }
            for capacity in [-5.0, 0.0, 1.5, 300.0, 748.5, 1e9] {
                let over = values.iter().filter(|&&d| d > capacity).count() as u64;
                assert_eq!(
                    stats.minutes_above(capacity),
                    over,
                    "len {len} c {capacity}"
                );
            }
        }
        let empty = MinuteStats::new(&[]);
        assert_eq!((empty.peak(), empty.quantile(0.99)), (0.0, 0.0));
    }

    #[test]
    fn the_profile_starts_mid_hour_and_counts_every_minute() {
        // From 00:30 on a Thursday (1970-01-01) for 90 minutes: two hours, 30 + 60 minutes.
        let weighted: Vec<f64> = (0..90).map(|i| i as f64).collect();
        let p = demand_profile(&weighted, 30);
        assert_eq!(p.hourly_peak_weighted_tpm, vec![29.0, 89.0]);
        // Thursday is index 3 (Monday first).
        let thu = &p.weekday_hour_mean_weighted_tpm[3];
        assert_eq!(thu[0], (0..30).sum::<i32>() as f64 / 30.0);
        assert_eq!(thu[1], (30..90).sum::<i32>() as f64 / 60.0);
    }
}
