//! Field parsers shared by the readers: token counts, timestamps and statuses, parsed from
//! bytes without allocating (they run once per row of multi-million-row logs).
//!
//! Timestamps: RFC 3339 (`2025-03-01T14:05:09.123Z`, `+01:00` offsets), the same with a space
//! instead of `T`, a missing zone (read as UTC), or a Unix time (integer or fractional; seconds,
//! milliseconds, microseconds or nanoseconds, told apart by size: see [`unix_time_to_ms`]).

/// Parse a non-negative decimal token count. Leading/trailing ASCII spaces are allowed.
pub fn parse_count(bytes: &[u8]) -> Result<u64, String> {
    let s = trim(bytes);
    if s.is_empty() {
        return Err("empty".to_owned());
    }
    let mut value: u64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return Err(describe_non_count(s));
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or_else(|| format!("`{}` overflows a token count", lossy(s)))?;
    }
    Ok(value)
}

fn describe_non_count(s: &[u8]) -> String {
    if s.first() == Some(&b'-') {
        format!("`{}` is negative; token counts are >= 0", lossy(s))
    } else if s.iter().all(|b| b.is_ascii_digit() || *b == b'.') && s.contains(&b'.') {
        // Accept nothing fractional: a token count is a whole number.
        format!("`{}` is not a whole number", lossy(s))
    } else {
        format!("`{}` is not a number", lossy(s))
    }
}

/// Parse an HTTP status code (100..=599).
pub fn parse_status(bytes: &[u8]) -> Result<u16, String> {
    let s = trim(bytes);
    let code = parse_count(s).map_err(|_| format!("`{}` is not an HTTP status", lossy(s)))?;
    if (100..=599).contains(&code) {
        Ok(code as u16)
    } else {
        Err(format!("`{code}` is not an HTTP status (100-599)"))
    }
}

/// Parse a timestamp into milliseconds since the Unix epoch (UTC).
pub fn parse_timestamp_ms(bytes: &[u8]) -> Result<i64, String> {
    let s = trim(bytes);
    if s.is_empty() {
        return Err("empty".to_owned());
    }
    if let Some(ms) = parse_rfc3339_ms(s) {
        return Ok(ms);
    }
    if s.iter().all(|b| b.is_ascii_digit() || *b == b'.') {
        if let Ok(text) = std::str::from_utf8(s) {
            if let Ok(value) = text.parse::<f64>() {
                if let Ok(ms) = unix_time_to_ms(value) {
                    return Ok(ms);
                }
            }
        }
    }
    Err(format!(
        "`{}` is not an RFC 3339 timestamp (e.g. 2025-03-01T14:05:09Z) or a Unix time",
        lossy(s)
    ))
}

/// A Unix time to milliseconds, its unit told by its size: below 1e11 seconds (up to the
/// year 5138), then milliseconds (below 1e14), microseconds (below 1e17) and nanoseconds
/// (below 1e20; pandas and Spark write epoch nanoseconds). The ranges do not overlap for any
/// time after 1973.
pub fn unix_time_to_ms(value: f64) -> Result<i64, String> {
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

/// Trim ASCII whitespace from both ends.
pub fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// Bytes as text for messages, cut to 40 characters.
pub fn lossy(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out.escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_counts_and_rejects_bad_ones() {
        assert_eq!(parse_count(b" 42 "), Ok(42));
        assert_eq!(parse_count(b"0"), Ok(0));
        assert!(parse_count(b"-5").unwrap_err().contains("negative"));
        assert!(parse_count(b"4.5").unwrap_err().contains("whole"));
        assert!(parse_count(b"abc").unwrap_err().contains("not a number"));
        assert!(parse_count(b"99999999999999999999999")
            .unwrap_err()
            .contains("overflows"));
        assert!(parse_count(b"").is_err());
    }

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
        assert!(unix_time_to_ms(f64::NAN).is_err());
    }

    proptest! {
        #[test]
        fn timestamp_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = parse_timestamp_ms(&bytes);
            let _ = parse_count(&bytes);
            let _ = parse_status(&bytes);
        }

        #[test]
        fn timestamp_roundtrips_through_chrono(secs in 0i64..4_000_000_000, ms in 0i64..1000) {
            let dt = chrono::DateTime::from_timestamp_millis(secs * 1000 + ms).expect("in range");
            let text = dt.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            prop_assert_eq!(parse_timestamp_ms(text.as_bytes()), Ok(secs * 1000 + ms));
        }
    }
}
