//! The trend fit behind the forecast: a log-linear regression of a workload's two daily series
//! (weighted tokens and the peak minute's weighted tokens) on time, with day-of-week effects
//! and level shifts, by Huber's M-estimator (iteratively reweighted least squares, scale from
//! the median absolute deviation); a sup-Wald search for level shifts; outlier days; and a
//! moving-block bootstrap over weeks for the slope's range.
//!
//! The two series share one slope (the growth rate: the replay scales volume and peaks by one
//! traffic factor), each has its own intercept, day-of-week effects and step sizes. Pure
//! arithmetic: no I/O, no randomness beyond the seeded generator here.
//!
//! The linear algebra is a dense Cholesky solve of at most 21 normal equations, written here
//! rather than taken from nalgebra or linregress: neither offers the robust fit, the step
//! search or the block bootstrap, and a 20 x 20 solve is forty lines against a large
//! dependency.

use crate::usage::synth::SplitMix64;

/// Huber's tuning constant (95% efficiency at the normal).
const HUBER_K: f64 = 1.345;
/// MAD to standard deviation at the normal.
const MAD_TO_SD: f64 = 1.4826;
/// A day whose residual is more than this many robust standard deviations off is an outlier.
pub const OUTLIER_Z: f64 = 3.5;
/// Fewest days on each side of a level shift (a full weekly cycle).
pub const MIN_SEGMENT_DAYS: usize = 7;
/// Critical value of the sup-Wald statistic for a shift of unknown date in both series
/// (2 restrictions, 15% trimming, 1% level: Andrews 1993, table 1).
pub const STEP_CRITICAL: f64 = 15.73;
/// A shift smaller than this (in both series) is not named a step.
pub const MIN_STEP_SHARE: f64 = 0.10;
/// Most level shifts the fit looks for.
pub const MAX_STEPS: usize = 2;
/// Smallest robust scale (log units): exact synthetic data would otherwise give zero.
const MIN_SCALE: f64 = 1e-4;

/// One day of the sample: its time (days from the first day of the log), weekday (0 =
/// Monday) and the logs of its two series (volume, peak).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Obs {
    /// Days since the log's first day.
    pub t: f64,
    /// Weekday, 0 = Monday.
    pub weekday: usize,
    /// ln(weighted tokens), ln(peak weighted TPM).
    pub y: [f64; 2],
}

/// The model's columns for a sample: which weekdays have a column (the first present one is
/// the reference) and the level shifts.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Per weekday, its column offset within a series block (None: the reference or absent).
    weekday_col: [Option<usize>; 7],
    /// Weekday columns per series.
    weekdays: usize,
    /// Days (`t`) from which each shift applies.
    pub steps: Vec<f64>,
}

impl Design {
    /// The design for `obs` with level shifts at `steps`.
    pub fn new(obs: &[Obs], steps: Vec<f64>) -> Design {
        let mut present = [false; 7];
        for o in obs {
            present[o.weekday] = true;
        }
        let mut weekday_col = [None; 7];
        let mut n = 0;
        let mut reference = true;
        for (d, p) in present.iter().enumerate() {
            if *p {
                if reference {
                    reference = false;
                } else {
                    weekday_col[d] = Some(n);
                    n += 1;
                }
            }
        }
        Design {
            weekday_col,
            weekdays: n,
            steps,
        }
    }

    fn block(&self) -> usize {
        1 + self.weekdays + self.steps.len()
    }

    /// Number of parameters: the shared slope, then per series its block.
    pub fn params(&self) -> usize {
        1 + 2 * self.block()
    }

    /// Column of series `s`'s intercept.
    pub fn intercept(&self, s: usize) -> usize {
        1 + s * self.block()
    }

    /// Column of series `s`'s shift `j`.
    pub fn step(&self, s: usize, j: usize) -> usize {
        self.intercept(s) + 1 + self.weekdays + j
    }

    /// Series `s`'s effect of weekday `d` (0 for the reference or an absent weekday).
    pub fn weekday_effect(&self, beta: &[f64], s: usize, d: usize) -> f64 {
        self.weekday_col[d].map_or(0.0, |c| beta[self.intercept(s) + 1 + c])
    }

    /// The nonzero entries of the row of `o` in series `s`.
    fn row(&self, o: &Obs, s: usize, out: &mut Vec<(usize, f64)>) {
        out.clear();
        out.push((0, o.t));
        let base = self.intercept(s);
        out.push((base, 1.0));
        if let Some(c) = self.weekday_col[o.weekday] {
            out.push((base + 1 + c, 1.0));
        }
        for (j, tau) in self.steps.iter().enumerate() {
            if o.t >= *tau {
                out.push((self.step(s, j), 1.0));
            }
        }
    }

    /// The fitted value of `o` in series `s`.
    pub fn fitted(&self, beta: &[f64], o: &Obs, s: usize) -> f64 {
        let mut v =
            beta[0] * o.t + beta[self.intercept(s)] + self.weekday_effect(beta, s, o.weekday);
        for (j, tau) in self.steps.iter().enumerate() {
            if o.t >= *tau {
                v += beta[self.step(s, j)];
            }
        }
        v
    }

    /// Series `s`'s level at day `t` without the weekday effect (the reference weekday's).
    pub fn level(&self, beta: &[f64], t: f64, s: usize) -> f64 {
        let mut v = beta[0] * t + beta[self.intercept(s)];
        for (j, tau) in self.steps.iter().enumerate() {
            if t >= *tau {
                v += beta[self.step(s, j)];
            }
        }
        v
    }
}

/// A robust fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Parameters (see [`Design`]).
    pub beta: Vec<f64>,
    /// Robust scale of each series' residuals (log units).
    pub scale: [f64; 2],
}

/// Solve the symmetric positive-definite system `a x = b` (row-major `n x n`) by Cholesky;
/// None when it is singular.
fn solve(a: &mut [f64], b: &mut [f64], n: usize) -> Option<()> {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d <= 1e-12 * (1.0 + a[j * n + j].abs()) || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut v = a[i * n + j];
            for k in 0..j {
                v -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = v / d;
        }
    }
    for i in 0..n {
        let mut v = b[i];
        for k in 0..i {
            v -= a[i * n + k] * b[k];
        }
        b[i] = v / a[i * n + i];
    }
    for i in (0..n).rev() {
        let mut v = b[i];
        for k in i + 1..n {
            v -= a[k * n + i] * b[k];
        }
        b[i] = v / a[i * n + i];
    }
    Some(())
}

/// Weighted least squares: `weights[i][s]` per observation and series.
fn wls(obs: &[Obs], y: &[[f64; 2]], design: &Design, weights: &[[f64; 2]]) -> Option<Vec<f64>> {
    let p = design.params();
    let mut a = vec![0.0; p * p];
    let mut b = vec![0.0; p];
    let mut row = Vec::with_capacity(8);
    for (i, o) in obs.iter().enumerate() {
        for s in 0..2 {
            let w = weights[i][s];
            if w <= 0.0 {
                continue;
            }
            design.row(o, s, &mut row);
            for &(c1, v1) in &row {
                b[c1] += w * v1 * y[i][s];
                for &(c2, v2) in &row {
                    a[c1 * p + c2] += w * v1 * v2;
                }
            }
        }
    }
    solve(&mut a, &mut b, p)?;
    Some(b)
}

/// The median of `v` (reordered); 0 for none.
fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_unstable_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Each series' robust scale: MAD of the residuals of the observations with `include`.
fn mad_scale(resid: &[[f64; 2]], include: &[[bool; 2]]) -> [f64; 2] {
    let mut out = [MIN_SCALE; 2];
    for (s, slot) in out.iter_mut().enumerate() {
        let mut r: Vec<f64> = resid
            .iter()
            .zip(include)
            .filter(|(_, inc)| inc[s])
            .map(|(r, _)| r[s])
            .collect();
        let m = median(&mut r);
        let mut dev: Vec<f64> = r.iter().map(|v| (v - m).abs()).collect();
        *slot = (MAD_TO_SD * median(&mut dev)).max(MIN_SCALE);
    }
    out
}

/// Residuals of a fit.
pub fn residuals(obs: &[Obs], y: &[[f64; 2]], design: &Design, beta: &[f64]) -> Vec<[f64; 2]> {
    obs.iter()
        .zip(y)
        .map(|(o, y)| {
            [
                y[0] - design.fitted(beta, o, 0),
                y[1] - design.fitted(beta, o, 1),
            ]
        })
        .collect()
}

/// Huber's M-estimate by IRLS over the observations with `include`, starting from `start`
/// (least squares when None). The scale is re-estimated each round unless `fixed_scale`;
/// each series' rows are weighted by the inverse of its variance, so the shared slope is the
/// efficient combination of the two series.
pub fn huber(
    obs: &[Obs],
    y: &[[f64; 2]],
    design: &Design,
    include: &[[bool; 2]],
    start: Option<&[f64]>,
    fixed_scale: Option<[f64; 2]>,
    rounds: usize,
) -> Option<Fit> {
    let mut weights: Vec<[f64; 2]> = include
        .iter()
        .map(|inc| [f64::from(u8::from(inc[0])), f64::from(u8::from(inc[1]))])
        .collect();
    let mut beta = match start {
        Some(b) if b.len() == design.params() => b.to_vec(),
        _ => wls(obs, y, design, &weights)?,
    };
    let mut scale = fixed_scale.unwrap_or([MIN_SCALE; 2]);
    for _ in 0..rounds {
        let resid = residuals(obs, y, design, &beta);
        if fixed_scale.is_none() {
            scale = mad_scale(&resid, include);
        }
        for ((w, r), inc) in weights.iter_mut().zip(&resid).zip(include) {
            for s in 0..2 {
                let u = (r[s] / scale[s]).abs();
                // Huber's weight over the series' variance: the shared slope leans on the
                // steadier series.
                w[s] = if !inc[s] {
                    0.0
                } else if u <= HUBER_K {
                    1.0 / (scale[s] * scale[s])
                } else {
                    HUBER_K / u / (scale[s] * scale[s])
                };
            }
        }
        let next = wls(obs, y, design, &weights)?;
        let moved = next
            .iter()
            .zip(&beta)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        beta = next;
        if moved < 1e-9 {
            break;
        }
    }
    if fixed_scale.is_none() {
        scale = mad_scale(&residuals(obs, y, design, &beta), include);
    }
    Some(Fit { beta, scale })
}

/// The slope's variance under the fit (normal theory, each series at its robust scale, Huber's
/// weights): `[(X' W X)^-1]_00`. None when the system is singular.
pub fn slope_variance(
    obs: &[Obs],
    y: &[[f64; 2]],
    design: &Design,
    include: &[[bool; 2]],
    fit: &Fit,
) -> Option<f64> {
    let resid = residuals(obs, y, design, &fit.beta);
    let p = design.params();
    let mut a = vec![0.0; p * p];
    let mut row = Vec::with_capacity(8);
    for (i, o) in obs.iter().enumerate() {
        for s in 0..2 {
            if !include[i][s] {
                continue;
            }
            let u = (resid[i][s] / fit.scale[s]).abs();
            let w = u.max(HUBER_K).recip() * HUBER_K / (fit.scale[s] * fit.scale[s]);
            design.row(o, s, &mut row);
            for &(c1, v1) in &row {
                for &(c2, v2) in &row {
                    a[c1 * p + c2] += w * v1 * v2;
                }
            }
        }
    }
    let mut e0 = vec![0.0; p];
    e0[0] = 1.0;
    solve(&mut a, &mut e0, p)?;
    Some(e0[0])
}

/// Huber's loss of the residuals at a fixed scale (twice it is the robust deviance).
pub fn huber_loss(resid: &[[f64; 2]], include: &[[bool; 2]], scale: [f64; 2]) -> f64 {
    let mut q = 0.0;
    for (r, inc) in resid.iter().zip(include) {
        for s in 0..2 {
            if !inc[s] {
                continue;
            }
            let u = (r[s] / scale[s]).abs();
            q += if u <= HUBER_K {
                u * u / 2.0
            } else {
                HUBER_K * u - HUBER_K * HUBER_K / 2.0
            };
        }
    }
    q
}

/// IRLS rounds of a full fit and of each fit of the step search.
pub const ROUNDS: usize = 50;
const SEARCH_ROUNDS: usize = 12;

/// Look for one more level shift given `steps`: the date whose fit has the least robust loss
/// (the scale held at `base`'s), kept when the robust Wald-type statistic `2 (Q0 - Q1)`
/// exceeds [`STEP_CRITICAL`] and the shift moves a series by at least [`MIN_STEP_SHARE`].
pub fn find_step(
    obs: &[Obs],
    y: &[[f64; 2]],
    include: &[[bool; 2]],
    steps: &[f64],
    base: &Fit,
) -> Option<f64> {
    let design0 = Design::new(obs, steps.to_vec());
    let q0 = huber_loss(
        &residuals(obs, y, &design0, &base.beta),
        include,
        base.scale,
    );
    let mut best: Option<(f64, f64, Vec<f64>)> = None;
    let days: Vec<f64> = obs.iter().map(|o| o.t).collect();
    for (i, &tau) in days.iter().enumerate() {
        // At least a week of days on each side, and of any other shift.
        let before = days.iter().filter(|&&t| t < tau).count();
        let after = days.len() - before;
        if i == 0 || days[i - 1] == tau || before < MIN_SEGMENT_DAYS || after < MIN_SEGMENT_DAYS {
            continue;
        }
        let clash = steps.iter().any(|s| {
            let between = days
                .iter()
                .filter(|&&t| t >= s.min(tau) && t < s.max(tau))
                .count();
            between < MIN_SEGMENT_DAYS
        });
        if clash {
            continue;
        }
        let mut with = steps.to_vec();
        with.push(tau);
        let design = Design::new(obs, with);
        let Some(fit) = huber(
            obs,
            y,
            &design,
            include,
            None,
            Some(base.scale),
            SEARCH_ROUNDS,
        ) else {
            continue;
        };
        let q = huber_loss(&residuals(obs, y, &design, &fit.beta), include, base.scale);
        if best.as_ref().is_none_or(|b| q < b.1) {
            best = Some((tau, q, fit.beta));
        }
    }
    let (tau, q1, beta) = best?;
    let design = Design::new(obs, [steps, &[tau]].concat());
    let j = steps.len();
    let size = (0..2)
        .map(|s| (beta[design.step(s, j)].exp() - 1.0).abs())
        .fold(0.0, f64::max);
    (2.0 * (q0 - q1) > STEP_CRITICAL && size >= MIN_STEP_SHARE).then_some(tau)
}

/// A seeded generator (the bootstrap's only randomness): the same value-stable SplitMix64
/// the sample synthesiser uses.
#[derive(Debug, Clone)]
pub struct Rng(SplitMix64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(SplitMix64::new(seed))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// The moving-block bootstrap: `draws` refits of the fitted values plus residuals resampled in
/// blocks of `block` consecutive days (both series' residuals of a day stay together, so
/// weekly and cross-series dependence is kept). Outlier days stay out. Each refit starts from
/// the fit and keeps its shifts' dates.
#[allow(clippy::too_many_arguments)]
pub fn bootstrap(
    obs: &[Obs],
    y: &[[f64; 2]],
    include: &[[bool; 2]],
    design: &Design,
    fit: &Fit,
    draws: usize,
    block: usize,
    rng: &mut Rng,
) -> Vec<Vec<f64>> {
    let resid = residuals(obs, y, design, &fit.beta);
    let n = obs.len();
    let block = block.clamp(1, n.max(1));
    let mut out = Vec::with_capacity(draws);
    let mut y_star = vec![[0.0; 2]; n];
    for _ in 0..draws {
        let mut i = 0;
        while i < n {
            let start = rng.below(n - block + 1);
            for k in 0..block {
                if i + k >= n {
                    break;
                }
                let r = resid[start + k];
                let o = &obs[i + k];
                for s in 0..2 {
                    y_star[i + k][s] = design.fitted(&fit.beta, o, s) + r[s];
                }
            }
            i += block;
        }
        if let Some(f) = huber(obs, &y_star, design, include, Some(&fit.beta), None, 10) {
            out.push(f.beta);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_small_system() {
        // [4 2; 2 3] x = [2; 1] -> x = [0.5, 0].
        let mut a = vec![4.0, 2.0, 2.0, 3.0];
        let mut b = vec![2.0, 1.0];
        solve(&mut a, &mut b, 2).expect("positive definite");
        assert!((b[0] - 0.5).abs() < 1e-12 && b[1].abs() < 1e-12, "{b:?}");
        let mut singular = vec![1.0, 1.0, 1.0, 1.0];
        assert!(solve(&mut singular, &mut [1.0, 1.0], 2).is_none());
    }

    #[test]
    fn huber_recovers_a_line_through_an_outlier() {
        let obs: Vec<Obs> = (0..28)
            .map(|d| Obs {
                t: f64::from(d),
                weekday: d as usize % 7,
                y: [0.0; 2],
            })
            .collect();
        let y: Vec<[f64; 2]> = obs
            .iter()
            .map(|o| {
                let v = 1.0 + 0.01 * o.t + if o.t == 10.0 { 3.0 } else { 0.0 };
                [v, v]
            })
            .collect();
        let design = Design::new(&obs, Vec::new());
        let include = vec![[true; 2]; obs.len()];
        let fit = huber(&obs, &y, &design, &include, None, None, ROUNDS).expect("fit");
        assert!((fit.beta[0] - 0.01).abs() < 1e-3, "{:?}", fit.beta);
    }
}
