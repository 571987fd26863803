//! The scenarios file (`--scenarios FILE`): a YAML list of `{name, transforms: [...]}`.
//!
//! ```yaml
//! - name: triple-chat
//!   transforms:
//!     - scale: 3
//!       select: {deployment: "chat-*"}
//! - name: gpt-5-and-growth
//!   seed: 7                      # optional: seed of the draws
//!   transforms:
//!     - migrate: {from: gpt-4.1, to: gpt-5, output_factor: 1.2}
//!     - growth: {pct_per_month: 5, months: 12}
//!     - batch_shift_pct: 20
//!       select: {deployment: nightly}
//! ```
//!
//! The keys are the flags' names (`--cache-rate-pct` is `cache_rate_pct`, `--move-region` is
//! `move_region`); percentages end in `_pct`. The spellings before 0.3.0 (`cache_rate_percent`,
//! `batch_shift_percent`, `region`, `percent_per_month`, `cached_percent`) still parse, each
//! with a note naming the new key ([`ScenarioFile::notes`]).
//!
//! Parsing is strict, like the catalog's: unknown keys and wrong types are errors with the
//! file, line and column (serde_yaml's location); entries that parse but are wrong (an unknown
//! model, a factor out of range, two kinds in one transform) are all reported at once, each
//! with the line of its transform. The caller reads the file; [`parse_scenarios`] gets its text.

use serde::Deserialize;

use super::{
    AddedWorkload, Glob, Migration, Scenario, ScenarioError, Selector, Transform, TransformKind,
    DEFAULT_JITTER_MS, DEFAULT_SEED,
};
use crate::catalog::Catalog;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioEntry {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    jitter_ms: Option<u32>,
    transforms: Vec<TransformEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransformEntry {
    #[serde(default)]
    select: Option<SelectEntry>,
    #[serde(default)]
    scale: Option<f64>,
    #[serde(default)]
    growth: Option<GrowthEntry>,
    #[serde(default)]
    migrate: Option<MigrateEntry>,
    #[serde(default)]
    cache_rate_pct: Option<f64>,
    /// Before 0.3.0: `cache_rate_pct`.
    #[serde(default)]
    cache_rate_percent: Option<f64>,
    #[serde(default)]
    reasoning: Option<f64>,
    #[serde(default)]
    batch_shift_pct: Option<f64>,
    /// Before 0.3.0: `batch_shift_pct`.
    #[serde(default)]
    batch_shift_percent: Option<f64>,
    #[serde(default)]
    move_region: Option<String>,
    /// Before 0.3.0: `move_region`.
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    add: Option<AddEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectEntry {
    #[serde(default)]
    deployment: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrowthEntry {
    #[serde(default)]
    pct_per_month: Option<f64>,
    /// Before 0.3.0: `pct_per_month`.
    #[serde(default)]
    percent_per_month: Option<f64>,
    #[serde(default)]
    months: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MigrateEntry {
    from: String,
    to: String,
    #[serde(default)]
    prompt_factor: Option<f64>,
    #[serde(default)]
    output_factor: Option<f64>,
    #[serde(default)]
    reasoning_factor: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddEntry {
    deployment: String,
    model: String,
    region: String,
    requests_per_day: f64,
    prompt_tokens: u64,
    completion_tokens: u64,
    #[serde(default)]
    reasoning_tokens: u64,
    #[serde(default)]
    cache_rate_pct: Option<f64>,
    /// Before 0.3.0: `cache_rate_pct`.
    #[serde(default)]
    cached_percent: Option<f64>,
    #[serde(default)]
    max_completion_tokens: Option<u64>,
}

/// Parse a scenarios file's text (`path` names it in messages) and check every scenario
/// against `catalog`. Model names may be versioned (`gpt-4o-2024-11-20`); they are resolved
/// to catalog ids. `horizon_months` is the growth horizon where a transform gives none.
pub fn parse_scenarios(
    path: &str,
    text: &str,
    catalog: &Catalog,
    horizon_months: u32,
) -> Result<ScenarioFile, ScenarioError> {
    if text.trim().is_empty() {
        return Err(ScenarioError::Parse {
            path: path.to_owned(),
            location: String::new(),
            message: "the file is empty; expected a list of scenarios (`- name: ...`)".to_owned(),
        });
    }
    if let Some((location, message)) = crate::catalog::yaml::too_deep(text) {
        return Err(ScenarioError::Parse {
            path: path.to_owned(),
            location,
            message,
        });
    }
    let entries: Vec<ScenarioEntry> =
        serde_yaml::from_str(text).map_err(|e| ScenarioError::Parse {
            path: path.to_owned(),
            location: crate::catalog::yaml::location(&e),
            message: without_location(&e.to_string()),
        })?;
    let lines = item_lines(text);
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut scenarios = Vec::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let item = lines.get(i);
        let origin = item.map_or_else(
            || format!("{path} scenario {}", i + 1),
            |l| format!("{path}:{}", l.line),
        );
        let mut transforms = Vec::new();
        for (j, t) in entry.transforms.into_iter().enumerate() {
            let at = item.and_then(|l| l.children.get(j)).map_or_else(
                || format!("{origin} transform {}", j + 1),
                |l| format!("{path}:{l}"),
            );
            notes.extend(
                old_keys(&t)
                    .into_iter()
                    .map(|(old, new)| format!("{at}: `{old}` is deprecated; write `{new}`")),
            );
            match transform(t, &at, catalog, horizon_months) {
                Ok(t) => transforms.push(t),
                Err(msg) => problems.push(format!("{at}: {msg}")),
            }
        }
        scenarios.push(Scenario {
            name: entry.name,
            origin,
            seed: entry.seed.unwrap_or(DEFAULT_SEED),
            jitter_ms: entry.jitter_ms.unwrap_or(DEFAULT_JITTER_MS),
            description: entry.description,
            transforms,
        });
    }
    if scenarios.is_empty() {
        problems.push(format!("{path}: the list holds no scenarios"));
    }
    if !problems.is_empty() {
        return Err(ScenarioError::Invalid { problems });
    }
    super::validate_all(&scenarios, catalog)?;
    Ok(ScenarioFile { scenarios, notes })
}

/// A parsed scenarios file.
#[derive(Debug)]
pub struct ScenarioFile {
    /// Its scenarios, in file order.
    pub scenarios: Vec<Scenario>,
    /// One line per key spelled as before 0.3.0, with its file and line and the new key.
    pub notes: Vec<String>,
}

/// `(old key, new key)` for every pre-0.3.0 spelling in `t`.
fn old_keys(t: &TransformEntry) -> Vec<(&'static str, &'static str)> {
    let mut old = Vec::new();
    if t.cache_rate_percent.is_some() {
        old.push(("cache_rate_percent", "cache_rate_pct"));
    }
    if t.batch_shift_percent.is_some() {
        old.push(("batch_shift_percent", "batch_shift_pct"));
    }
    if t.region.is_some() {
        old.push(("region", "move_region"));
    }
    if t.growth
        .as_ref()
        .is_some_and(|g| g.percent_per_month.is_some())
    {
        old.push(("growth.percent_per_month", "growth.pct_per_month"));
    }
    if t.add.as_ref().is_some_and(|a| a.cached_percent.is_some()) {
        old.push(("add.cached_percent", "add.cache_rate_pct"));
    }
    old
}

/// One value under its new key or its old one; both is an error.
fn one_of<T>(
    new: Option<T>,
    old: Option<T>,
    new_key: &str,
    old_key: &str,
) -> Result<Option<T>, String> {
    match (new, old) {
        (Some(_), Some(_)) => Err(format!(
            "`{new_key}` and `{old_key}` (its spelling before 0.3.0) are one key; keep `{new_key}`"
        )),
        (new, old) => Ok(new.or(old)),
    }
}

/// One transform entry: exactly one kind, with its selector.
fn transform(
    t: TransformEntry,
    at: &str,
    catalog: &Catalog,
    horizon_months: u32,
) -> Result<Transform, String> {
    let select = match &t.select {
        Some(s) => selector(s, catalog)?,
        None => Selector::default(),
    };
    let resolve = |name: &str| {
        catalog
            .resolve_model(name)
            .map_or_else(|| name.to_owned(), str::to_owned)
    };
    let mut kinds = Vec::new();
    if let Some(factor) = t.scale {
        kinds.push(TransformKind::Scale { factor });
    }
    if let Some(g) = t.growth {
        let percent_per_month = one_of(
            g.pct_per_month,
            g.percent_per_month,
            "growth.pct_per_month",
            "growth.percent_per_month",
        )?
        .ok_or_else(|| "growth needs `pct_per_month`".to_owned())?;
        kinds.push(TransformKind::Growth {
            percent_per_month,
            months: g.months.unwrap_or(horizon_months),
        });
    }
    if let Some(m) = t.migrate {
        if t.select.as_ref().is_some_and(|s| s.model.is_some()) {
            return Err("migrate selects its model with `from`; drop `select.model`".to_owned());
        }
        kinds.push(TransformKind::Migrate(Migration {
            from: resolve(&m.from),
            to: resolve(&m.to),
            prompt_factor: m.prompt_factor.unwrap_or(1.0),
            output_factor: m.output_factor.unwrap_or(1.0),
            reasoning_factor: m.reasoning_factor.unwrap_or(1.0),
        }));
    }
    let cache_rate = one_of(
        t.cache_rate_pct,
        t.cache_rate_percent,
        "cache_rate_pct",
        "cache_rate_percent",
    )?;
    if let Some(percent) = cache_rate {
        kinds.push(TransformKind::CacheRate { percent });
    }
    if let Some(factor) = t.reasoning {
        kinds.push(TransformKind::Reasoning { factor });
    }
    let batch_shift = one_of(
        t.batch_shift_pct,
        t.batch_shift_percent,
        "batch_shift_pct",
        "batch_shift_percent",
    )?;
    if let Some(percent) = batch_shift {
        kinds.push(TransformKind::BatchShift { percent });
    }
    if let Some(to) = one_of(t.move_region, t.region, "move_region", "region")? {
        kinds.push(TransformKind::Region {
            to: crate::usage::workload::arm_region_name(&to),
        });
    }
    if let Some(a) = t.add {
        if t.select.is_some() {
            return Err("add creates a workload; it takes no `select`".to_owned());
        }
        kinds.push(TransformKind::Add(AddedWorkload {
            deployment: a.deployment,
            model: resolve(&a.model),
            region: crate::usage::workload::arm_region_name(&a.region),
            requests_per_day: a.requests_per_day,
            prompt_tokens: a.prompt_tokens,
            completion_tokens: a.completion_tokens,
            reasoning_tokens: a.reasoning_tokens,
            cached_percent: one_of(
                a.cache_rate_pct,
                a.cached_percent,
                "add.cache_rate_pct",
                "add.cached_percent",
            )?
            .unwrap_or(0.0),
            max_completion_tokens: a.max_completion_tokens,
        }));
    }
    match kinds.len() {
        1 => {
            let mut kind = kinds.pop().expect("one kind");
            if let TransformKind::Migrate(m) = &mut kind {
                // The selector's model is the migration's origin.
                let mut select = select;
                select.model = Glob::parse(&glob_literal(&m.from))?;
                return Ok(Transform::new(kind, select, at));
            }
            Ok(Transform::new(kind, select, at))
        }
        0 => Err(format!("a transform needs one of: {}", KINDS.join(", "))),
        _ => Err(format!(
            "one transform per list item, got {}: {}",
            kinds.len(),
            kinds
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// serde_yaml's message without its trailing " at line L column C" (the location is already
/// in front).
fn without_location(message: &str) -> String {
    let message = message.strip_prefix('.').unwrap_or(message);
    match message.rfind(" at line ") {
        Some(i) if message[i..].contains(" column ") => message[..i].to_owned(),
        _ => message.to_owned(),
    }
}

/// The transform kinds, as keys.
pub const KINDS: [&str; 8] = [
    "scale",
    "growth",
    "migrate",
    "cache_rate_pct",
    "reasoning",
    "batch_shift_pct",
    "move_region",
    "add",
];

/// A glob that matches exactly `name` (glob metacharacters escaped).
pub fn glob_literal(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '*' | '?' | '[' | ']' => format!("[{c}]"),
            c => c.to_string(),
        })
        .collect()
}

fn selector(s: &SelectEntry, catalog: &Catalog) -> Result<Selector, String> {
    let glob = |g: &Option<String>| g.as_deref().map_or_else(|| Ok(Glob::any()), Glob::parse);
    let model = match &s.model {
        // A plain model name may be versioned: select its catalog id.
        Some(m) if !m.contains(['*', '?', '[']) => match catalog.resolve_model(m) {
            Some(id) => Glob::parse(&glob_literal(id))?,
            None => return Err(super::unknown_model(catalog, "select.model", m)),
        },
        other => glob(other)?,
    };
    Ok(Selector {
        deployment: glob(&s.deployment)?,
        model,
        region: match &s.region {
            Some(r) => Glob::parse(&crate::usage::workload::arm_region_name(r))?,
            None => Glob::any(),
        },
    })
}

/// The 1-based line of every top-level list item and of every item of its `transforms:` list
/// (block style; flow style yields nothing and callers fall back to the position).
#[derive(Debug, Clone, PartialEq)]
struct ItemLines {
    line: usize,
    children: Vec<usize>,
}

fn item_lines(text: &str) -> Vec<ItemLines> {
    let mut items: Vec<ItemLines> = Vec::new();
    let mut top_indent: Option<usize> = None;
    // Indent of the current item's `transforms:` key, and of its list items once seen.
    let mut key_indent: Option<usize> = None;
    let mut child_indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let is_item = trimmed.starts_with("- ") || trimmed == "-";
        if is_item && top_indent.is_none_or(|t| indent == t) {
            top_indent = Some(indent);
            items.push(ItemLines {
                line: i + 1,
                children: Vec::new(),
            });
            key_indent = None;
            child_indent = None;
            // `- transforms:` on the item's own line.
            let rest = trimmed.trim_start_matches('-').trim_start();
            if rest.starts_with("transforms:") {
                key_indent = Some(indent + (trimmed.len() - rest.len()));
            }
            continue;
        }
        let Some(item) = items.last_mut() else {
            continue;
        };
        match key_indent {
            Some(k) if is_item && indent >= k && child_indent.is_none_or(|c| c == indent) => {
                child_indent = Some(indent);
                item.children.push(i + 1);
            }
            Some(k) if !is_item && indent <= k => {
                key_indent = None;
                child_indent = None;
            }
            _ => {}
        }
        if key_indent.is_none() && !is_item && trimmed.starts_with("transforms:") {
            key_indent = Some(indent);
            child_indent = None;
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{load_catalog, CatalogSource};

    fn catalog() -> Catalog {
        load_catalog(&CatalogSource::Embedded).expect("catalog")
    }

    fn parse(text: &str) -> Result<Vec<Scenario>, ScenarioError> {
        parse_scenarios("s.yaml", text, &catalog(), 12).map(|f| f.scenarios)
    }

    const GOOD: &str = "\
# two scenarios
- name: triple
  transforms:
    - scale: 3
      select: {deployment: \"chat-*\"}
- name: move
  seed: 9
  transforms:
  - migrate: {from: gpt-4.1, to: gpt-5, output_factor: 1.2}
  - growth: {pct_per_month: 5}
  - move_region: Sweden Central
";

    #[test]
    fn parses_scenarios_with_lines() {
        let s = parse(GOOD).expect("parses");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].origin, "s.yaml:2");
        assert_eq!(s[0].transforms[0].at, "s.yaml:4");
        assert_eq!(s[1].transforms[1].at, "s.yaml:10");
        assert_eq!(s[1].seed, 9);
        assert_eq!(s[1].horizon_months(), Some(12));
        match &s[1].transforms[0].kind {
            TransformKind::Migrate(m) => {
                assert_eq!((m.from.as_str(), m.to.as_str()), ("gpt-4.1", "gpt-5"));
                assert_eq!(m.output_factor, 1.2);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(s[1].transforms[0].select.model.as_str(), "gpt-4.1");
        assert!(
            matches!(&s[1].transforms[2].kind, TransformKind::Region { to } if to == "swedencentral")
        );
    }

    #[test]
    fn issue_11_bad_scenario_files_name_file_and_line() {
        let cases: [(&str, &str); 9] = [
            ("- name: a\n  transforms:\n    - scal: 3\n", "s.yaml:3:7: "),
            ("- name: a\n  transforms:\n    - scale: three\n", "s.yaml:3:"),
            ("- name: a\n  extra: 1\n  transforms: []\n", "s.yaml:2:3: [0]: unknown field `extra`"),
            ("- name: a\n  transforms:\n    - scale: 0\n", "s.yaml:3: scale must be a factor above 0"),
            (
                "- name: a\n  transforms:\n    - migrate: {from: gpt-4.1, to: gpt-9000}\n",
                "s.yaml:3: to: unknown model `gpt-9000`",
            ),
            ("- name: a\n  transforms:\n    - scale: 2\n      reasoning: 2\n", "s.yaml:3: one transform per list item"),
            ("- name: a\n  transforms:\n    - move_region: marsnorth\n", "s.yaml:3: unknown region `marsnorth`"),
            (
                "- name: a\n  transforms:\n    - scale: 2\n- name: a\n  transforms:\n    - scale: 3\n",
                "s.yaml:4: scenario name `a` is already used at s.yaml:1",
            ),
            ("", "s.yaml: the file is empty"),
        ];
        for (text, expected) in cases {
            let e = parse(text).expect_err(text).to_string();
            assert!(e.contains(expected), "{text:?}: {e}");
        }
        let e = parse("- name: a\n  transforms:\n    - growth: {pct_per_month: -100}\n")
            .expect_err("growth")
            .to_string();
        assert!(
            e.contains("s.yaml:3: growth pct_per_month must be above -100"),
            "{e}"
        );
        let e = parse("- name: baseline\n  transforms:\n    - scale: 2\n")
            .expect_err("reserved")
            .to_string();
        assert!(
            e.contains("s.yaml:1: `baseline` names the untransformed log"),
            "{e}"
        );
        // Truncated and binary text is a parse error, never a panic.
        assert!(parse("- name: a\n  transforms:\n    - scale: [").is_err());
        assert!(parse("\u{0}\u{1}\u{2}").is_err());
    }

    #[test]
    fn the_example_file_parses_with_every_kind() {
        let text = include_str!("../../data/scenarios.example.yaml");
        let file = parse_scenarios("data/scenarios.example.yaml", text, &catalog(), 12)
            .expect("the example parses");
        assert!(file.notes.is_empty(), "{:?}", file.notes);
        let s = file.scenarios;
        let kinds: std::collections::BTreeSet<&str> = s
            .iter()
            .flat_map(|s| s.transforms.iter().map(|t| t.kind.name()))
            .collect();
        for k in [
            "scale",
            "growth",
            "migrate",
            "batch_shift_pct",
            "reasoning",
            "cache_rate_pct",
            "add",
        ] {
            assert!(kinds.contains(k), "{k}");
        }
    }

    #[test]
    fn issue_23_old_keys_parse_with_a_note_and_both_spellings_are_an_error() {
        let old = "- name: a\n  transforms:\n    - cache_rate_percent: 50\n    - region: swedencentral\n    - growth: {percent_per_month: 5}\n    - batch_shift_percent: 10\n";
        let file = parse_scenarios("s.yaml", old, &catalog(), 12).expect("old keys parse");
        let new = "- name: a\n  transforms:\n    - cache_rate_pct: 50\n    - move_region: swedencentral\n    - growth: {pct_per_month: 5}\n    - batch_shift_pct: 10\n";
        let renamed = parse_scenarios("s.yaml", new, &catalog(), 12).expect("new keys parse");
        assert_eq!(file.scenarios, renamed.scenarios);
        assert!(renamed.notes.is_empty());
        assert_eq!(
            file.notes,
            [
                "s.yaml:3: `cache_rate_percent` is deprecated; write `cache_rate_pct`",
                "s.yaml:4: `region` is deprecated; write `move_region`",
                "s.yaml:5: `growth.percent_per_month` is deprecated; write `growth.pct_per_month`",
                "s.yaml:6: `batch_shift_percent` is deprecated; write `batch_shift_pct`",
            ]
        );
        let both =
            "- name: a\n  transforms:\n    - cache_rate_pct: 5\n      cache_rate_percent: 5\n";
        let e = parse(both).expect_err("both").to_string();
        assert!(
            e.contains("s.yaml:3: `cache_rate_pct` and `cache_rate_percent`"),
            "{e}"
        );
    }

    #[test]
    fn finds_item_lines_in_block_yaml() {
        let lines = item_lines(GOOD);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line, 2);
        assert_eq!(lines[0].children, vec![4]);
        assert_eq!(lines[1].children, vec![9, 10, 11]);
    }
}
