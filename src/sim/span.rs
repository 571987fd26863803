//! The span of a run, decided by the whole log rather than by the rows that happen to come
//! first. A run covers at most [`MAX_SPAN_HOURS`] consecutive UTC hours (400 days); when the
//! log's rows spread wider, the window is the one holding the most rows (the earliest of equal
//! ones), and the rows outside it are the invalid ones: a strict run names the first of them
//! in file order, `--skip-invalid` skips and counts them. Every input to the decision is a
//! per-hour sum, so it does not depend on row order or on how many threads read the log.

use super::minutes::Absorb;

/// Longest span a run accepts, in whole UTC hours (400 days).
pub const MAX_SPAN_HOURS: i64 = 400 * 24;

/// Examples of rows kept per hour (the first ones in file order).
pub const EXAMPLES_PER_HOUR: usize = 5;

/// Where a row is: the input (its index in [`super::Replay`]'s list of inputs) and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RowAt {
    /// Index of the input, in reading order.
    pub input: u32,
    /// 1-based line (0 when unknown).
    pub line: u64,
    /// The row's arrival, ms since the epoch.
    pub t_ms: i64,
}

/// What the rows of one hour (of every workload) add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct HourRows {
    /// Rows, successful or not.
    pub rows: u64,
    /// Earliest arrival in the hour, ms.
    pub first_ms: i64,
    /// Latest arrival in the hour, ms.
    pub last_ms: i64,
    /// Earliest arrival of a row (not a bucket's edge) in the hour, ms.
    pub row_first_ms: i64,
    /// Latest arrival of a row in the hour, ms.
    pub row_last_ms: i64,
    /// Earliest bucket start the input covers in the hour, ms (exact, for the span).
    pub cover_start_ms: i64,
    /// Latest bucket end (exclusive) the input covers in the hour, ms.
    pub cover_end_ms: i64,
    /// The first rows of the hour in file order, at most [`EXAMPLES_PER_HOUR`].
    pub examples: Vec<RowAt>,
}

impl Default for HourRows {
    fn default() -> Self {
        HourRows {
            rows: 0,
            first_ms: i64::MAX,
            last_ms: i64::MIN,
            row_first_ms: i64::MAX,
            row_last_ms: i64::MIN,
            cover_start_ms: i64::MAX,
            cover_end_ms: i64::MIN,
            examples: Vec::new(),
        }
    }
}

impl HourRows {
    /// Count one row.
    pub fn note(&mut self, at: RowAt) {
        self.rows += 1;
        self.first_ms = self.first_ms.min(at.t_ms);
        self.last_ms = self.last_ms.max(at.t_ms);
        self.row_first_ms = self.row_first_ms.min(at.t_ms);
        self.row_last_ms = self.row_last_ms.max(at.t_ms);
        if self.examples.len() < EXAMPLES_PER_HOUR {
            self.examples.push(at);
        }
    }
}

impl HourRows {
    /// Count an instant the input covers (a bucket's first or last millisecond) toward the
    /// hour's span, without a row.
    pub fn cover(&mut self, t_ms: i64) {
        self.first_ms = self.first_ms.min(t_ms);
        self.last_ms = self.last_ms.max(t_ms);
    }

    /// A bucket starts at `start_ms` in this hour (the span starts there exactly).
    pub fn cover_start(&mut self, start_ms: i64) {
        self.cover(start_ms);
        self.cover_start_ms = self.cover_start_ms.min(start_ms);
    }

    /// A bucket ends at `end_ms` (exclusive), its last millisecond in this hour.
    pub fn cover_end(&mut self, end_ms: i64) {
        self.cover(end_ms - 1);
        self.cover_end_ms = self.cover_end_ms.max(end_ms);
    }
}

impl Absorb for HourRows {
    fn absorb(&mut self, later: &Self) {
        self.rows += later.rows;
        self.first_ms = self.first_ms.min(later.first_ms);
        self.last_ms = self.last_ms.max(later.last_ms);
        self.row_first_ms = self.row_first_ms.min(later.row_first_ms);
        self.row_last_ms = self.row_last_ms.max(later.row_last_ms);
        self.cover_start_ms = self.cover_start_ms.min(later.cover_start_ms);
        self.cover_end_ms = self.cover_end_ms.max(later.cover_end_ms);
        let room = EXAMPLES_PER_HOUR.saturating_sub(self.examples.len());
        self.examples
            .extend(later.examples.iter().take(room).copied());
    }
}

/// The accepted window, in UTC hours (inclusive), over ascending `(hour, rows)` pairs: all of
/// them when they fit in [`MAX_SPAN_HOURS`], else the window holding the most rows (the
/// earliest of equal ones). `None` when there are no rows.
pub fn choose_window(hours: &[(i64, u64)]) -> Option<(i64, i64)> {
    let (first, last) = (hours.first()?.0, hours.last()?.0);
    if last - first < MAX_SPAN_HOURS {
        return Some((first, last));
    }
    let mut best: Option<(u64, i64, i64)> = None;
    let mut sum = 0u64;
    let mut end = 0usize;
    for (start, &(h0, _)) in hours.iter().enumerate() {
        while end < hours.len() && hours[end].0 - h0 < MAX_SPAN_HOURS {
            sum += hours[end].1;
            end += 1;
        }
        let h1 = hours[end - 1].0;
        if best.is_none_or(|(rows, _, _)| sum > rows) {
            best = Some((sum, h0, h1));
        }
        sum -= hours[start].1;
    }
    best.map(|(_, h0, h1)| (h0, h1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_within_400_days_is_taken_whole() {
        assert_eq!(choose_window(&[]), None);
        assert_eq!(choose_window(&[(5, 1)]), Some((5, 5)));
        assert_eq!(
            choose_window(&[(0, 1), (MAX_SPAN_HOURS - 1, 1)]),
            Some((0, MAX_SPAN_HOURS - 1))
        );
    }

    #[test]
    fn one_stray_row_never_decides_the_span() {
        // A stray row decades before or after the rest, in either position.
        let body: Vec<(i64, u64)> = (500_000..500_100).map(|h| (h, 3)).collect();
        let mut early = vec![(10, 1)];
        early.extend(&body);
        assert_eq!(choose_window(&early), Some((500_000, 500_099)));
        let mut late = body.clone();
        late.push((900_000, 1));
        assert_eq!(choose_window(&late), Some((500_000, 500_099)));
        // Two equal clusters: the earlier one.
        let two = vec![(0, 5), (MAX_SPAN_HOURS * 3, 5)];
        assert_eq!(choose_window(&two), Some((0, 0)));
    }
}
