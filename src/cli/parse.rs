//! The value parsers of the flags: one bounded-number parser ([`Bounded`]) for every real
//! number with a range, one `KEY=VALUE` pair parser, one word-or-count parser, one list of
//! bucket windows, and the few parsers of structured values (`--select`, `--quota-tpm`, ...).
//! Each returns the message clap prints after "invalid value '...' for '--flag'". The
//! values they parse to live here too, so the argument groups import this module and never
//! the other way.

use crate::plan::Residency;
use crate::usage::sources::columns::ColumnMap;

/// One end of a [`Bounded`] range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum End {
    /// The value may equal it.
    Inclusive(f64),
    /// The value must be beyond it.
    Exclusive(f64),
}

/// A real number within a range: the one parser of every bounded number flag. The message
/// names the range and the unit: "`500` must be between 0 and 100", "`0` must be above 0 and
/// at most 1000", "`x` is not a number of seconds".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounded {
    /// Lowest value.
    pub lo: End,
    /// Highest value (always inclusive).
    pub hi: f64,
    /// The unit after the range in messages (`seconds`, `days`; empty: none).
    pub unit: &'static str,
    /// Whether a trailing `%` is taken (percent flags only: `--scale 50%` is an error, not
    /// 50x).
    pub percent_sign: bool,
}

impl Bounded {
    /// From `lo` to `hi`, both allowed; `unit` as in messages (empty: none).
    pub const fn between(lo: f64, hi: f64, unit: &'static str) -> Self {
        Bounded {
            lo: End::Inclusive(lo),
            hi,
            unit,
            percent_sign: false,
        }
    }

    /// Above `lo` (not equal to it), at most `hi`; `unit` as in messages (empty: none).
    pub const fn above(lo: f64, hi: f64, unit: &'static str) -> Self {
        Bounded {
            lo: End::Exclusive(lo),
            ..Bounded::between(lo, hi, unit)
        }
    }

    /// The same range, taking a trailing `%` (percent flags only).
    pub const fn with_percent_sign(self) -> Self {
        Bounded {
            percent_sign: true,
            ..self
        }
    }

    /// Parse `text` and check it against the range.
    pub fn parse(&self, text: &str) -> Result<f64, String> {
        let trimmed = text.trim();
        let number = if self.percent_sign {
            trimmed.strip_suffix('%').unwrap_or(trimmed).trim_end()
        } else {
            trimmed
        };
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.unit)
        };
        let v = number
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| match self.unit {
                "" => format!("`{text}` is not a number"),
                u => format!("`{text}` is not a number of {u}"),
            })?;
        let above_lo = match self.lo {
            End::Inclusive(lo) => v >= lo,
            End::Exclusive(lo) => v > lo,
        };
        if above_lo && v <= self.hi {
            return Ok(v);
        }
        Err(match self.lo {
            End::Inclusive(lo) => format!("`{text}` must be between {lo} and {}{unit}", self.hi),
            End::Exclusive(lo) => {
                format!("`{text}` must be above {lo} and at most {}{unit}", self.hi)
            }
        })
    }

    /// As a clap value parser.
    pub fn parser(self) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync + 'static {
        move |text: &str| self.parse(text)
    }
}

/// A percentage from 0 to 100 (`%` allowed).
pub const PERCENT: Bounded = Bounded::between(0.0, 100.0, "").with_percent_sign();
/// Monthly growth in percent: above -100, at most 1,000 (`%` allowed).
pub const GROWTH_PCT: Bounded =
    Bounded::above(-100.0, 1000.0, "(percent per month)").with_percent_sign();
/// Days of log, 0 to 400.
pub const SPAN_DAYS: Bounded = Bounded::between(0.0, 400.0, "days");
/// A bucket window, 0.1 to 3,600 seconds.
pub const WINDOW_S: Bounded = Bounded::between(0.1, 3600.0, "seconds");
/// Standard's RPM window, 0.1 to 60 seconds.
pub const RPM_WINDOW_S: Bounded = Bounded::between(0.1, 60.0, "seconds");
/// A traffic factor: above 0, at most [`crate::scenario::MAX_TRAFFIC_FACTOR`].
pub const TRAFFIC_FACTOR: Bounded = Bounded::above(0.0, crate::scenario::MAX_TRAFFIC_FACTOR, "");
/// A cap on traffic factors: 1 to 1,000,000.
pub const MAX_TRAFFIC_FACTOR: Bounded = Bounded::between(1.0, 1_000_000.0, "");
/// A token factor: 0 to 100.
pub const TOKEN_FACTOR: Bounded = Bounded::between(0.0, 100.0, "");
/// An output speed: above 0, at most 100,000 tokens per second.
pub const TOKENS_PER_S: Bounded = Bounded::above(0.0, 100_000.0, "tokens per second");

/// `KEY=VALUE` with both parts non-empty (`--model-map DEPLOYMENT=MODEL`, `--migrate
/// FROM=TO`); `shape` names the form in the message.
pub fn pair(text: &str, shape: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.trim(), v.trim()))
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("`{text}`: expected {shape} with both parts non-empty"))
}

/// `--model-map DEPLOYMENT=MODEL`.
pub fn model_map_entry(text: &str) -> Result<(String, String), String> {
    pair(text, "DEPLOYMENT=MODEL")
}

/// `--migrate FROM=TO`.
pub fn migration(text: &str) -> Result<(String, String), String> {
    pair(text, "FROM=TO (e.g. gpt-4.1=gpt-5)")
}

/// A keyword or a whole count from `lo` to `hi`: `Ok(None)` for the keyword.
pub fn word_or_count(
    text: &str,
    word: &str,
    what: &str,
    lo: u32,
    hi: u32,
) -> Result<Option<u32>, String> {
    match text.trim() {
        t if t == word => Ok(None),
        n => n
            .parse::<u32>()
            .ok()
            .filter(|v| (lo..=hi).contains(v))
            .map(Some)
            .ok_or_else(|| format!("`{text}`: expected `{word}` or {what} from {lo} to {hi}")),
    }
}

/// `--missing-max-tokens actual|TOKENS`.
pub fn missing_max_tokens(text: &str) -> Result<MissingMaxArg, String> {
    Ok(
        word_or_count(text, "actual", "a token count", 1, MAX_MISSING_MAX_TOKENS)?
            .map_or(MissingMaxArg::Actual, MissingMaxArg::Tokens),
    )
}

/// `--reserve deployed|N`.
pub fn reserve(text: &str) -> Result<ReserveArg, String> {
    Ok(
        word_or_count(text, "deployed", "a PTU count", 0, MAX_RESERVE_PTUS)?
            .map_or(ReserveArg::Deployed, ReserveArg::Ptus),
    )
}

/// Comma-separated bucket windows, each in [`WINDOW_S`], from `min` to `max` of them.
pub fn windows(text: &str, min: usize, max: usize) -> Result<WindowBand, String> {
    let windows = text
        .split(',')
        .map(|w| WINDOW_S.parse(w))
        .collect::<Result<Vec<f64>, String>>()?;
    if windows.len() < min || windows.len() > max {
        return Err(format!("`{text}`: give {min} to {max} windows, e.g. 1,60"));
    }
    Ok(WindowBand(windows))
}

/// `--served-by [DEPLOYMENT=]TYPE`.
pub fn served_by(text: &str) -> Result<(Option<String>, crate::catalog::DeploymentTypeId), String> {
    let (deployment, t) = match text.rsplit_once('=') {
        Some((d, t)) if !d.trim().is_empty() => (Some(d.trim().to_owned()), t.trim()),
        Some(_) => return Err(format!("`{text}`: expected TYPE or DEPLOYMENT=TYPE")),
        None => (None, text.trim()),
    };
    let t = crate::catalog::DeploymentTypeId::ALL
        .into_iter()
        .find(|d| d.as_str() == t.to_ascii_lowercase())
        .ok_or_else(|| {
            format!(
                "`{t}` is not a deployment type; one of {}",
                crate::catalog::DeploymentTypeId::ALL
                    .map(|d| d.as_str())
                    .join(", ")
            )
        })?;
    Ok((deployment, t))
}

/// `--residency`.
pub fn residency(text: &str) -> Result<Residency, String> {
    Residency::parse(text)
}

/// `--columns FIELD=COLUMN,...`.
pub fn columns(text: &str) -> Result<ColumnMap, String> {
    crate::usage::sources::columns::parse_column_map(text)
}

/// `--quota-tier`.
pub fn quota_level(text: &str) -> Result<crate::catalog::standard::QuotaLevel, String> {
    crate::catalog::standard::QuotaLevel::parse(text)
        .ok_or_else(|| format!("`{text}`: expected a quota tier 0-6, `default` or `enterprise`"))
}

/// A token count: `5000000`, `5M`, `450K`, `1.35M` (whole tokens, at most 10^12).
pub fn token_count(text: &str) -> Result<u64, String> {
    let t = text.trim().replace('_', "");
    let (num, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 1e3),
        Some('M') => (&t[..t.len() - 1], 1e6),
        Some('B') | Some('G') => (&t[..t.len() - 1], 1e9),
        _ => (t.as_str(), 1.0),
    };
    let v: f64 = num
        .parse()
        .map_err(|_| format!("`{text}` is not a token count (e.g. 5000000, 5M, 450K)"))?;
    let v = v * mult;
    if !(v.is_finite() && (1.0..=1e12).contains(&v)) || v.fract() != 0.0 {
        return Err(format!(
            "`{text}` must be a whole number of tokens between 1 and 10^12"
        ));
    }
    Ok(v as u64)
}

/// `--quota-tpm MODEL[/TYPE]=TPM`.
pub fn quota_tpm(text: &str) -> Result<QuotaTpmArg, String> {
    let (left, tpm) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: expected MODEL=TPM or MODEL/TYPE=TPM"))?;
    let (model, dt) = match left.split_once('/') {
        Some((m, t)) => {
            let dt = crate::catalog::DeploymentTypeId::ALL
                .into_iter()
                .find(|d| d.as_str() == t.trim())
                .filter(|d| d.is_standard())
                .ok_or_else(|| {
                    format!(
                        "`{t}`: the TYPE of a quota is global-standard, data-zone-standard or regional-standard"
                    )
                })?;
            (m, Some(dt))
        }
        None => (left, None),
    };
    if model.trim().is_empty() {
        return Err(format!("`{text}`: the model is empty"));
    }
    Ok(QuotaTpmArg {
        model: model.trim().to_owned(),
        deployment_type: dt,
        tpm: token_count(tpm)?,
    })
}

/// `--migrate-factors prompt=F,output=F,reasoning=F`.
pub fn migrate_factors(text: &str) -> Result<MigrateFactors, String> {
    let mut f = MigrateFactors {
        prompt: 1.0,
        output: 1.0,
        reasoning: 1.0,
    };
    let mut seen = std::collections::BTreeSet::new();
    for part in text.split(',') {
        let (name, value) = part.split_once('=').ok_or_else(|| {
            format!("`{part}`: expected NAME=FACTOR (prompt, output or reasoning)")
        })?;
        let v = TOKEN_FACTOR.parse(value)?;
        if !seen.insert(name.trim()) {
            return Err(format!(
                "`{}` is given twice; each factor takes one value",
                name.trim()
            ));
        }
        match name.trim() {
            "prompt" if v >= crate::scenario::MIN_PROMPT_FACTOR => f.prompt = v,
            "prompt" => {
                return Err(format!(
                    "prompt={}: the factor must be at least {} (a request keeps a prompt)",
                    value.trim(),
                    crate::scenario::MIN_PROMPT_FACTOR
                ))
            }
            "output" => f.output = v,
            "reasoning" => f.reasoning = v,
            other => return Err(format!("`{other}`: expected prompt, output or reasoning")),
        }
    }
    Ok(f)
}

/// `--select deployment=GLOB,model=GLOB,region=GLOB`.
pub fn select(text: &str) -> Result<SelectArg, String> {
    let mut s = SelectArg::default();
    for part in text.split(',') {
        let (name, glob) = part
            .split_once('=')
            .map(|(n, g)| (n.trim(), g.trim()))
            .ok_or_else(|| {
                format!("`{part}`: expected deployment=GLOB, model=GLOB or region=GLOB")
            })?;
        glob::Pattern::new(glob).map_err(|e| format!("`{glob}` is not a valid glob: {}", e.msg))?;
        let slot = match name {
            "deployment" => &mut s.deployment,
            "model" => &mut s.model,
            "region" => &mut s.region,
            other => return Err(format!("`{other}`: expected deployment, model or region")),
        };
        if let Some(first) = slot {
            return Err(format!(
                "`{name}` is given twice (`{first}`, then `{glob}`); a selection takes one glob a key: write one glob that matches both (`*`, `?` and `[...]` work), or use a scenarios file (--scenarios) for several"
            ));
        }
        *slot = Some(glob.to_owned());
    }
    Ok(s)
}

/// `--charts all|N`.
pub fn charts(text: &str) -> Result<crate::render::chart::ChartSelection, String> {
    use crate::render::chart::ChartSelection;
    if text.trim().eq_ignore_ascii_case("all") {
        return Ok(ChartSelection::All);
    }
    match text.trim().parse::<usize>() {
        Ok(n) => Ok(ChartSelection::Top(n)),
        Err(_) => Err(format!(
            "`{text}` is neither `all` nor a number of workloads (e.g. --charts 20, --charts 0)"
        )),
    }
}

// The values the flags parse to.

/// One `--quota-tpm` value.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaTpmArg {
    /// Model name as given.
    pub model: String,
    /// The Standard type, if given.
    pub deployment_type: Option<crate::catalog::DeploymentTypeId>,
    /// Tokens per minute.
    pub tpm: u64,
}

/// `--reserve` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReserveArg {
    /// Reserve what each pool deploys.
    Deployed,
    /// Reserve this many PTUs per pool.
    Ptus(u32),
}

/// Largest `--reserve` count (far above any region's PTU quota).
pub const MAX_RESERVE_PTUS: u32 = 1_000_000;

/// A list of bucket windows in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowBand(pub Vec<f64>);

/// `--missing-max-tokens` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingMaxArg {
    /// The actual completion size.
    Actual,
    /// A fixed token count.
    Tokens(u32),
}

/// Largest `--missing-max-tokens` (above every model's largest completion).
pub const MAX_MISSING_MAX_TOKENS: u32 = 1_000_000;

/// `--migrate-factors` values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MigrateFactors {
    /// Prompt tokens x this.
    pub prompt: f64,
    /// Visible output tokens x this.
    pub output: f64,
    /// Reasoning tokens x this.
    pub reasoning: f64,
}

/// `--select` values: a glob per part (None = any).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SelectArg {
    /// Deployment glob.
    pub deployment: Option<String>,
    /// Model glob.
    pub model: Option<String>,
    /// Region glob.
    pub region: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_is_refused_not_overwritten() {
        let e = select("model=gpt-4o,model=gpt-5.1").expect_err("twice");
        assert!(
            e.starts_with("`model` is given twice (`gpt-4o`, then `gpt-5.1`)"),
            "{e}"
        );
        let s = select("model=gpt-4o,region=eastus2").expect("distinct keys");
        assert_eq!(
            (s.model.as_deref(), s.region.as_deref()),
            (Some("gpt-4o"), Some("eastus2"))
        );
        let e = migrate_factors("prompt=1.2,output=1,prompt=0.8").expect_err("twice");
        assert_eq!(e, "`prompt` is given twice; each factor takes one value");
        assert!(migrate_factors("prompt=1.2,output=0.9,reasoning=2").is_ok());
    }

    #[test]
    fn bounded_names_the_range_and_unit() {
        assert_eq!(PERCENT.parse("12.5%"), Ok(12.5));
        assert_eq!(PERCENT.parse(" 7 "), Ok(7.0));
        assert_eq!(GROWTH_PCT.parse("-99.5%"), Ok(-99.5));
        for (bounded, text, message) in [
            (PERCENT, "101", "`101` must be between 0 and 100"),
            (PERCENT, "NaN", "`NaN` is not a number"),
            (TRAFFIC_FACTOR, "50%", "`50%` is not a number"),
            (TRAFFIC_FACTOR, "0", "`0` must be above 0 and at most 1000"),
            (
                WINDOW_S,
                "0.05",
                "`0.05` must be between 0.1 and 3600 seconds",
            ),
            (WINDOW_S, "x", "`x` is not a number of seconds"),
            (
                GROWTH_PCT,
                "-100",
                "`-100` must be above -100 and at most 1000 (percent per month)",
            ),
            (
                TOKENS_PER_S,
                "inf",
                "`inf` is not a number of tokens per second",
            ),
        ] {
            assert_eq!(bounded.parse(text).unwrap_err(), message, "{text}");
        }
    }

    #[test]
    fn pairs_and_words() {
        assert_eq!(
            model_map_entry("a = b"),
            Ok(("a".to_owned(), "b".to_owned()))
        );
        assert!(model_map_entry("a=")
            .unwrap_err()
            .contains("DEPLOYMENT=MODEL"));
        assert!(migration("gpt-4.1").unwrap_err().contains("FROM=TO"));
        assert_eq!(
            word_or_count("actual", "actual", "a token count", 1, 9),
            Ok(None)
        );
        assert_eq!(
            word_or_count("9", "actual", "a token count", 1, 9),
            Ok(Some(9))
        );
        assert_eq!(
            word_or_count("0", "actual", "a token count", 1, 9).unwrap_err(),
            "`0`: expected `actual` or a token count from 1 to 9"
        );
        assert_eq!(windows("1,60", 1, 8).map(|w| w.0), Ok(vec![1.0, 60.0]));
        assert!(windows("1,2,3", 1, 2)
            .unwrap_err()
            .contains("give 1 to 2 windows"));
    }
}
