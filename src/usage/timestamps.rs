//! The one timestamp grammar every reader accepts, for every time field (a per-request
//! `timestamp`, APIM's `TimeGenerated`, LiteLLM's `startTime`, a bucket's `bucket_start`, ...):
//!
//! - **RFC 3339**: `2025-03-01T14:05:09Z`, any number of fraction digits (Azure writes seven:
//!   `2025-03-01T14:05:09.1234567Z`), `+01:00` or `+0100` offsets; a space instead of `T`, and
//!   no zone at all (read as UTC), as Log Analytics and SQL exports write them;
//! - **Unix time**: an integer or a fraction, in seconds, milliseconds, microseconds or
//!   nanoseconds, told apart by size (see [`unix_time_to_ms`]); JSON numbers too;
//! - **the Log Analytics portal's US-locale export**: `8/18/2025, 12:00:38.941 AM` (UTC). The
//!   date is always month first; a first number over 12 is an error, never read day first.
//!
//! Parsed from bytes without allocating: it runs once per row of multi-million-row logs.

use super::fields::lossy;

/// Parse a timestamp into milliseconds since the Unix epoch (UTC).
pub fn parse_timestamp_ms(bytes: &[u8]) -> Result<i64, String> {
    let s = bytes.trim_ascii();
    if s.is_empty() {
        return Err("empty".to_owned());
    }
    if let Some(ms) = parse_rfc3339_ms(s) {
        return Ok(ms);
    }
    if s.iter().all(|b| b.is_ascii_digit() || *b == b'.') {
        if let Ok(text) = std::str::from_utf8(s) {
            if let Ok(value) = text.parse::<f64>() {
                match unix_time_to_ms(value) {
                    Ok(ms) => return Ok(ms),
                    Err(e) if value < MIN_UNIX_SECONDS => return Err(e),
                    Err(_) => {}
                }
            }
        }
    }
    if let Some(ms) = parse_us_locale_ms(s) {
        return Ok(ms);
    }
    Err(format!(
        "`{}` is not a timestamp: write RFC 3339 (2025-03-01T14:05:09Z), a Unix time, or a Log Analytics export time (8/18/2025, 12:00:38.941 AM, month first)",
        lossy(s)
    ))
}

/// The smallest Unix time read: 1e8 seconds, 1973-03-03T09:46:40Z.
const MIN_UNIX_SECONDS: f64 = 1e8;

/// A Unix time to milliseconds, its unit told by its size: below 1e11 seconds (up to the
/// year 5138), then milliseconds (below 1e14), microseconds (below 1e17) and nanoseconds
/// (below 1e20; pandas and Spark write epoch nanoseconds). The ranges do not overlap for any
/// time after 1973, so a number below 1e8 (1973-03-03 in seconds) is refused: no unit can be
/// told for it, and no usage log is that old (a latency or token column mapped to the
/// timestamp, say).
pub fn unix_time_to_ms(value: f64) -> Result<i64, String> {
    if value.is_finite() && (0.0..MIN_UNIX_SECONDS).contains(&value) {
        return Err(format!(
            "`{value}` is too small for a Unix time: it would date the request before 1973-03-03, where seconds and milliseconds cannot be told apart and no usage log reaches; is this column a timestamp?"
        ));
    }
    let per_ms = match value {
        v if !v.is_finite() || v < 0.0 => None,
        v if v < 1e11 => Some(1e-3),
        v if v < 1e14 => Some(1.0),
        v if v < 1e17 => Some(1e3),
        v if v < 1e20 => Some(1e6),
        _ => None,
    };
    match per_ms {
        Some(per_ms) => Ok((value / per_ms).round() as i64),
        None => Err(format!(
            "`{value}` is not a plausible Unix time (seconds, or milliseconds, microseconds or nanoseconds, told apart by size)"
        )),
    }
}

thread_local! {
    /// The last valid `YYYY-MM-DD` seen by this thread and its day number.
    static LAST_DATE: std::cell::Cell<Option<([u8; 10], i64)>> = const { std::cell::Cell::new(None) };
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH:MM|±HHMM]`; `None` if the shape does not match or a
/// value is out of range.
fn parse_rfc3339_ms(s: &[u8]) -> Option<i64> {
    if s.len() < 19 {
        return None;
    }
    let d = |i: usize| -> Option<i64> {
        let b = s[i];
        b.is_ascii_digit().then(|| i64::from(b - b'0'))
    };
    let num = |from: usize, len: usize| -> Option<i64> {
        (from..from + len).try_fold(0i64, |acc, i| Some(acc * 10 + d(i)?))
    };
    if s[4] != b'-' || s[7] != b'-' || !matches!(s[10], b'T' | b't' | b' ') {
        return None;
    }
    if s[13] != b':' || s[16] != b':' {
        return None;
    }
    // Consecutive rows mostly share a date: reuse the last valid date's day number.
    let date: [u8; 10] = s[..10].try_into().expect("length checked above");
    let days = match LAST_DATE.with(|c| c.get()) {
        Some((last, days)) if last == date => days,
        _ => {
            let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
            if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
                return None;
            }
            let days = days_from_civil(year, month, day);
            LAST_DATE.with(|c| c.set(Some((date, days))));
            days
        }
    };
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if i < s.len() && (s[i] == b'.' || s[i] == b',') {
        i += 1;
        let start = i;
        let mut scale = 100;
        while i < s.len() && s[i].is_ascii_digit() {
            millis += i64::from(s[i] - b'0') * scale;
            scale /= 10;
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset_min = match &s[i..] {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let h = i64::from(h1 - b'0') * 10 + i64::from(h2 - b'0');
            let m = i64::from(m1 - b'0') * 10 + i64::from(m2 - b'0');
            if h > 23 || m > 59 {
                return None;
            }
            let total = h * 60 + m;
            if *sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => return None,
    };
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_min * 60;
    Some(secs * 1000 + millis)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The Log Analytics portal's CSV time, `M/D/YYYY, h:mm:ss[.fff] AM|PM` (UTC, as the portal
/// writes it under a `[UTC]` column), in ms since the epoch. The date is always read month
/// first, as the US locale writes it: `13/1/2026` is refused, never read as 13 January.
pub fn parse_us_locale_ms(text: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(text).ok()?.trim();
    let (date, time) = s.split_once(',')?;
    let mut d = date.trim().split('/');
    let month: i64 = small_number(d.next()?.trim(), 2)?;
    let day: i64 = small_number(d.next()?.trim(), 2)?;
    let year: i64 = small_number(d.next()?.trim(), 4)?;
    if d.next().is_some() || !(1..=12).contains(&month) {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let time = time.trim();
    let (clock, meridiem) = time.rsplit_once(' ')?;
    let mut parts = clock.split(':');
    let hour = small_number(parts.next()?, 2)?;
    let minute = small_number(parts.next()?, 2)?;
    let sec_text = parts.next()?;
    if parts.next().is_some() || !(1..=12).contains(&hour) || minute > 59 {
        return None;
    }
    let (sec, frac) = sec_text.split_once('.').unwrap_or((sec_text, ""));
    let second = small_number(sec, 2)?;
    if second > 59 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let millis: i64 = frac
        .bytes()
        .take(3)
        .zip([100, 10, 1])
        .map(|(b, w)| i64::from(b - b'0') * w)
        .sum();
    let hour24 = match meridiem.trim().to_ascii_uppercase().as_str() {
        "AM" => hour % 12,
        "PM" => hour % 12 + 12,
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some((days * 86_400 + hour24 * 3600 + minute * 60 + second) * 1000 + millis)
}

/// A number of 1 to `max_digits` ASCII digits.
fn small_number(text: &str, max_digits: usize) -> Option<i64> {
    if text.is_empty() || text.len() > max_digits || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_rfc3339_variants_like_chrono() {
        for text in [
            "2025-03-01T14:05:09Z",
            "2025-03-01T14:05:09.123Z",
            "2025-03-01T14:05:09.123456+01:00",
            "2025-03-01T14:05:09-05:30",
            "2024-02-29T23:59:59.999Z",
            "1999-12-31T00:00:00+00:00",
        ] {
            let expected = chrono::DateTime::parse_from_rfc3339(text)
                .expect("valid")
                .timestamp_millis();
            assert_eq!(parse_timestamp_ms(text.as_bytes()), Ok(expected), "{text}");
        }
        assert_eq!(
            parse_timestamp_ms(b"2025-03-01 14:05:09"),
            parse_timestamp_ms(b"2025-03-01T14:05:09Z")
        );
        assert_eq!(parse_timestamp_ms(b"1740837909"), Ok(1_740_837_909_000));
        assert_eq!(parse_timestamp_ms(b"1740837909.5"), Ok(1_740_837_909_500));
    }

    #[test]
    fn rejects_bad_timestamps() {
        for text in [
            "2025-02-30T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "yesterday",
            "2025-03-01T25:00:00Z",
            "2025-03-01T14:05:09+0",
            "-5",
        ] {
            assert!(parse_timestamp_ms(text.as_bytes()).is_err(), "{text}");
        }
    }

    #[test]
    fn issue_19_unix_times_in_any_unit() {
        let ms = 1_772_359_200_123i64;
        for (text, want) in [
            ("1772359200.123", ms),
            ("1772359200123", ms),
            ("1772359200123000", ms),
            ("1772359200123000000", ms),
        ] {
            assert_eq!(parse_timestamp_ms(text.as_bytes()), Ok(want), "{text}");
        }
        assert_eq!(unix_time_to_ms(1.772_359_200_123e18), Ok(ms));
        assert!(unix_time_to_ms(1e20).is_err());
        // A latency or token count mapped to the timestamp is no Unix time.
        for small in ["32237", "0", "99999999.9"] {
            let e = parse_timestamp_ms(small.as_bytes()).expect_err(small);
            assert!(e.contains("too small for a Unix time"), "{e}");
        }
        assert_eq!(unix_time_to_ms(1e8), Ok(100_000_000_000));
        assert!(unix_time_to_ms(f64::NAN).is_err());
    }

    #[test]
    fn reads_log_analytics_portal_times() {
        let ms = parse_us_locale_ms(b"8/18/2025, 12:00:38.941 AM").expect("parses");
        let expected = chrono::DateTime::parse_from_rfc3339("2025-08-18T00:00:38.941Z")
            .expect("valid")
            .timestamp_millis();
        assert_eq!(ms, expected);
        assert_eq!(
            parse_timestamp_ms(b"8/18/2025, 12:00:38.941 AM"),
            Ok(expected)
        );
        let pm = parse_us_locale_ms(b"1/5/2026, 1:02:03 PM").expect("parses");
        assert_eq!(
            pm,
            chrono::DateTime::parse_from_rfc3339("2026-01-05T13:02:03Z")
                .expect("valid")
                .timestamp_millis()
        );
        for bad in [
            "13/1/2026, 1:00:00 AM",
            "2/30/2026, 1:00:00 AM",
            "1/1/2026, 13:00:00 PM",
            "1/1/2026 1:00:00 AM",
            "1/1/20260, 1:00:00 AM",
            "x",
        ] {
            assert!(parse_us_locale_ms(bad.as_bytes()).is_none(), "{bad}");
            assert!(parse_timestamp_ms(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn timestamp_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = parse_timestamp_ms(&bytes);
            let _ = parse_us_locale_ms(&bytes);
        }

        #[test]
        fn timestamp_roundtrips_through_chrono(secs in 0i64..4_000_000_000, ms in 0i64..1000) {
            let dt = chrono::DateTime::from_timestamp_millis(secs * 1000 + ms).expect("in range");
            let text = dt.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            prop_assert_eq!(parse_timestamp_ms(text.as_bytes()), Ok(secs * 1000 + ms));
            let us = dt.format("%-m/%-d/%Y, %-I:%M:%S%.3f %p").to_string();
            prop_assert_eq!(parse_timestamp_ms(us.as_bytes()), Ok(secs * 1000 + ms));
        }
    }
}
