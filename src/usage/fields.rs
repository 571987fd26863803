//! Field parsers shared by the readers: token counts and statuses, parsed from bytes without
//! allocating (they run once per row of multi-million-row logs). Timestamps have their own
//! module, [`super::timestamps`].

/// Parse a non-negative decimal token count. Leading/trailing ASCII spaces are allowed.
pub fn parse_count(bytes: &[u8]) -> Result<u64, String> {
    let s = trim(bytes);
    if s.is_empty() {
        return Err("empty".to_owned());
    }
    // Up to 19 digits cannot overflow a u64: no checked arithmetic on the common path.
    if s.len() <= 19 && s.iter().all(u8::is_ascii_digit) {
        return Ok(s.iter().fold(0u64, |v, &b| v * 10 + u64::from(b - b'0')));
    }
    let mut value: u64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return Err(describe_non_count(s));
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or_else(|| format!("`{}` overflows a count", lossy(s)))?;
    }
    Ok(value)
}

fn describe_non_count(s: &[u8]) -> String {
    if s.first() == Some(&b'-') {
        format!("`{}` is negative; counts are >= 0", lossy(s))
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

    proptest! {
        #[test]
        fn issue_20_counts_parse_as_the_standard_library_parses_them(
            digits in "[0-9]{1,24}", pad in " {0,2}",
        ) {
            let text = format!("{pad}{digits}{pad}");
            let want = digits.parse::<u64>().ok();
            prop_assert_eq!(parse_count(text.as_bytes()).ok(), want);
        }

        #[test]
        fn count_parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = parse_count(&bytes);
            let _ = parse_status(&bytes);
        }
    }
}
