//! Old spellings that keep working (issue 23's one naming convention): each is a hidden clap
//! alias of its new flag, and [`notes`] names the new spelling on stderr. The percent
//! quantities end in `-pct`; one concept has one name in the flags, the scenarios file, the
//! JSON and the `--fail-on` metrics.

use std::ffi::OsString;

/// `(old flag, new flag)`, without the dashes.
pub const FLAGS: [(&str, &str); 7] = [
    ("max-throttle-rate", "max-throttle-pct"),
    ("max-spill-rate", "max-spill-pct"),
    ("min-saving", "min-saving-pct"),
    ("cache-rate", "cache-rate-pct"),
    ("batch-shift", "batch-shift-pct"),
    ("growth", "growth-pct"),
    ("region", "default-region"),
];

/// Subcommands whose `--region` is not the old spelling of `--default-region`
/// (`catalog refresh --region` picks the regions to fetch).
const OWN_REGION_FLAG: [&str; 1] = ["refresh"];

/// One line per old spelling in `args` (the process's arguments, program name first): "note:
/// --cache-rate is deprecated; use --cache-rate-pct". Arguments after `--` are values.
pub fn notes(args: &[OsString]) -> Vec<String> {
    let words: Vec<String> = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .take_while(|a| a != "--")
        .collect();
    let own_region = words.iter().any(|w| OWN_REGION_FLAG.contains(&w.as_str()));
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let flag = word
            .strip_prefix("--")
            .map(|f| f.split_once('=').map_or(f, |(name, _)| name));
        if let Some(flag) = flag {
            if let Some((old, new)) = FLAGS.iter().find(|(old, _)| *old == flag) {
                if !(*old == "region" && own_region) {
                    out.push(format!(
                        "note: --{old} is deprecated and will be removed in a later version; use --{new}"
                    ));
                }
            }
        }
        let rule = match word.strip_prefix("--fail-on=") {
            Some(rule) => Some(rule),
            None if i > 0 && words[i - 1] == "--fail-on" => Some(word.as_str()),
            None => None,
        };
        if let Some(rule) = rule {
            let metric = rule.split(['<', '>', '=']).next().unwrap_or("").trim();
            if let Some((old, new)) = crate::report::gate::DEPRECATED_METRICS
                .iter()
                .find(|(old, _)| *old == metric)
            {
                out.push(format!(
                    "note: --fail-on metric {old} is deprecated and will be removed in a later version; use {new}"
                ));
            }
        }
    }
    out
}

/// Whether `args` ask for quiet (`-q` or `--quiet`, also in a group of short flags).
pub fn quiet(args: &[OsString]) -> bool {
    args.iter().skip(1).any(|a| {
        let a = a.to_string_lossy();
        a == "--quiet" || (a.starts_with('-') && !a.starts_with("--") && a.contains('q'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<OsString> {
        std::iter::once("ptuplan")
            .chain(words.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn issue_23_old_spellings_get_a_note_naming_the_new_one() {
        let n = notes(&args(&[
            "compare",
            "--cache-rate",
            "50",
            "--max-throttle-rate=2",
            "--region",
            "eastus2",
            "--fail-on",
            "throttle_rate>1",
            "--fail-on=spill_rate>=2",
        ]));
        assert_eq!(n.len(), 5, "{n:?}");
        assert!(n[0].ends_with("use --cache-rate-pct"));
        assert!(n[1].ends_with("use --max-throttle-pct"));
        assert!(n[2].ends_with("use --default-region"));
        assert!(n[3].ends_with("use failed_pct"));
        assert!(n[4].ends_with("use spilled_pct"));
        assert!(notes(&args(&["compare", "--cache-rate-pct", "50"])).is_empty());
        assert!(notes(&args(&["catalog", "refresh", "--region", "eastus2"])).is_empty());
        assert!(notes(&args(&["compare", "--", "--growth"])).is_empty());
    }
}
