//! Numbers for people, formatted once: money, counts, percentages and signed differences.
//! Every output (terminal, Markdown, HTML, CSV notes, messages) uses these, so one quantity
//! reads the same everywhere. Lowest layer: imports nothing from the crate.

/// USD with a thousands separator and 2 decimals (`12,345.67`).
pub fn fmt_usd(v: f64) -> String {
    group_thousands(&format!("{v:.2}"))
}

/// An integer with thousands separators.
pub fn fmt_int(v: u64) -> String {
    group_thousands(&v.to_string())
}

fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// A window in seconds as typed on the command line: `4`, `3.7` (at most 2 decimals).
pub fn fmt_window_s(w: f64) -> String {
    let r = (w * 100.0).round() / 100.0;
    let text = format!("{r:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A band of windows as typed on the command line: `4`, `2.5,12`.
pub fn fmt_band_s(band: &[f64]) -> String {
    band.iter()
        .map(|w| fmt_window_s(*w))
        .collect::<Vec<_>>()
        .join(",")
}

/// A share as a percentage with 1 decimal (`12.5%`).
pub fn fmt_pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// `+12.50` / `-3.00`: a signed USD delta.
pub fn fmt_signed_usd(v: f64) -> String {
    let s = fmt_usd(v);
    if v >= 0.005 {
        format!("+{s}")
    } else if v > -0.005 {
        "0.00".to_owned()
    } else {
        s
    }
}

/// `v` as [`fmt_usd`] shows it: rounded to the cent the way the figure is printed.
pub fn usd_shown(v: f64) -> f64 {
    format!("{v:.2}").parse().unwrap_or(v)
}

/// The change from `base` to `new` as the difference of the two figures as shown (each
/// rounded to the cent first), so that a delta printed beside them is always their difference
/// (`100.00 -> 200.01` is `+100.01`, never `+100.00` from the unrounded 100.004 and 200.006).
pub fn fmt_usd_change(new: f64, base: f64) -> String {
    fmt_signed_usd(usd_shown(new) - usd_shown(base))
}

/// `+4.2%` / `-10.0%`: a signed percentage (already in percent).
pub fn fmt_signed_pct(v: f64) -> String {
    if v >= 0.05 {
        format!("+{v:.1}%")
    } else if v > -0.05 {
        "0.0%".to_owned()
    } else {
        format!("{v:.1}%")
    }
}

/// "1M", "450K", "2.25M", "12,345".
pub fn fmt_count(v: u64) -> String {
    let f = |x: f64, decimals: usize, unit: &str| {
        let s = format!("{x:.decimals$}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        format!("{s}{unit}")
    };
    if v >= 1_000_000_000 {
        f(v as f64 / 1e9, 3, "B")
    } else if v >= 1_000_000 {
        f(v as f64 / 1e6, 3, "M")
    } else if v >= 1_000 {
        f(v as f64 / 1e3, 2, "K")
    } else {
        v.to_string()
    }
}

/// `word` as one argument a POSIX shell and zsh read back unchanged: as is when it holds only
/// characters no shell treats specially, else in single quotes (a `'` inside written `'\''`).
/// For commands suggested in messages (`--model-map '*=MODEL'`).
pub fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// A time for people and messages: ms since the Unix epoch as RFC 3339 UTC to the second
/// (`2025-08-18T14:05:00Z`), or `N ms` when out of chrono's range.
pub fn fmt_time_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| format!("{ms} ms"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_the_difference_of_the_figures_as_shown() {
        assert_eq!(fmt_usd(100.004), "100.00");
        assert_eq!(fmt_usd(200.006), "200.01");
        assert_eq!(fmt_signed_usd(200.006 - 100.004), "+100.00");
        assert_eq!(fmt_usd_change(200.006, 100.004), "+100.01");
        assert_eq!(fmt_usd_change(100.004, 200.006), "-100.01");
        assert_eq!(fmt_usd_change(0.004, 0.0), "0.00");
        assert_eq!(fmt_usd_change(1_234_567.891, 1_000_000.0), "+234,567.89");
    }

    #[test]
    fn issue_23_suggested_words_survive_posix_shells_and_zsh() {
        assert_eq!(shell_word("chat-prod=gpt-4o"), "chat-prod=gpt-4o");
        assert_eq!(shell_word("*=MODEL"), "'*=MODEL'");
        assert_eq!(shell_word("my deployment=MODEL"), "'my deployment=MODEL'");
        assert_eq!(shell_word("it's=MODEL"), "'it'\\''s=MODEL'");
        assert_eq!(shell_word(""), "''");
    }
}
