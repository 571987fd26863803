//! Azure Retail Prices API meter names: the data-driven table (`data/meters.yaml`) that maps
//! meters to catalog entries, and the parser for token meter names in all their spellings
//! (`gpt-4o-0806-Inp-glbl Tokens`, `gpt 4o 1120 cached Inp regnl Tokens`,
//! `GPT 5 Mini Batch Inpt cchd Dzone 1M Tokens`, ...; facts section 8.3), including the 2026
//! grammar (addendum section 4): `Gl`/`Dz` scopes, `Std`, `Flex`/`Fl` and `pp`/`PP` tiers,
//! `ShortCo`/`ShCo` and `LongCo`/`longco`/`LoCo` context, `cd` (cached) and `Cd Wr` (cache
//! write), `opt` (output): `5.6 sol LongCo Cd Wr Std Gl 1M Tokens`, `56sol ShCo Inp Fl Gl`.
//!
//! The parser splits a name into type/kind/unit words and the remaining model words; the
//! table decides which catalog model those words mean. Nothing is guessed: a spelling the
//! table does not list is reported as unmatched. Turning items into prices is
//! [`super::retail`]'s job.

use std::path::Path;

use serde::Deserialize;

use super::yaml::parse_yaml;
use super::{Catalog, CatalogError, DeploymentTypeId, Processing, Tier as TypeTier};

const EMBEDDED: &str = include_str!("../../data/meters.yaml");
/// The table's file name, in `data/` or a `--catalog DIR`.
pub const METERS_FILE: &str = "meters.yaml";

/// The meter table (`data/meters.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeterTable {
    /// `serviceId` of Azure OpenAI / Foundry Models meters, used in the query filter.
    pub service_id: String,
    /// Accepted `serviceName` values (it changed on 2025-09-01).
    pub service_names: Vec<String>,
    /// `productName`s of per-token meters.
    pub token_products: Vec<String>,
    /// `productName`s of hourly PTU meters.
    pub ptu_hourly_products: Vec<String>,
    /// `productName`s of PTU reservation rows.
    pub ptu_reservation_products: Vec<String>,
    /// PTU meter names and their provisioned type.
    pub ptu_meters: Vec<PtuMeter>,
    /// Model spellings per catalog model.
    pub models: Vec<MeterModel>,
}

/// One PTU meter name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PtuMeter {
    /// `meterName`, e.g. `Provisioned Managed Global Unit`.
    pub meter_name: String,
    /// The provisioned type it prices.
    pub deployment_type: DeploymentTypeId,
}

/// The spellings of one catalog model inside token meter names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeterModel {
    /// Catalog model id.
    pub model: String,
    /// Normalised spellings (see [`normalise`]), first = preferred.
    pub spellings: Vec<String>,
}

impl MeterTable {
    /// The table in `dir` if it has one, else the copy built into the binary.
    pub fn load(dir: Option<&Path>) -> Result<MeterTable, CatalogError> {
        if let Some(path) = dir.map(|d| d.join(METERS_FILE)).filter(|p| p.exists()) {
            let text =
                crate::files::read_settings_text(&path).map_err(|source| CatalogError::Read {
                    path: path.clone(),
                    source,
                })?;
            return parse_yaml(&path, &text);
        }
        parse_yaml(&Path::new("data").join(METERS_FILE), EMBEDDED)
    }

    /// Problems with the table against the catalog (unknown models, non-PTU types, a spelling
    /// listed twice).
    pub fn validate(&self, catalog: &Catalog) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for m in &self.models {
            if !catalog.models.contains_key(&m.model) {
                problems.push(format!("meters.yaml: unknown model `{}`", m.model));
            }
            for s in &m.spellings {
                if normalise(s) != *s {
                    problems.push(format!(
                        "meters.yaml: spelling `{s}` of {} is not normalised (expected `{}`)",
                        m.model,
                        normalise(s)
                    ));
                }
                if !seen.insert(s.clone()) {
                    problems.push(format!("meters.yaml: spelling `{s}` is listed twice"));
                }
            }
        }
        for p in &self.ptu_meters {
            if !p.deployment_type.is_provisioned() {
                problems.push(format!(
                    "meters.yaml: PTU meter `{}` maps to the per-token type {}",
                    p.meter_name, p.deployment_type
                ));
            }
        }
        problems
    }

    /// The catalog model a normalised spelling means, with its priority (0 = preferred).
    pub fn model_for(&self, spelling: &str) -> Option<(&str, usize)> {
        self.models.iter().find_map(|m| {
            m.spellings
                .iter()
                .position(|s| s == spelling)
                .map(|p| (m.model.as_str(), p))
        })
    }

    /// The provisioned type of a PTU meter name.
    pub fn ptu_type(&self, meter_name: &str) -> Option<DeploymentTypeId> {
        self.ptu_meters
            .iter()
            .find(|p| p.meter_name.eq_ignore_ascii_case(meter_name.trim()))
            .map(|p| p.deployment_type)
    }
}

/// Which price of a token meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenKind {
    /// Uncached input.
    Input,
    /// Cached input.
    CachedInput,
    /// Cache write.
    CacheWrite,
    /// Output (reasoning included).
    Output,
}

impl TokenKind {
    /// Display name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Input => "input",
            TokenKind::CachedInput => "cached input",
            TokenKind::CacheWrite => "cache write",
            TokenKind::Output => "output",
        }
    }
}

/// What a token meter name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenMeterName {
    /// The model words, normalised (`gpt 4o 1120`).
    pub model_spelling: String,
    /// Input, cached input, cache write or output.
    pub kind: TokenKind,
    /// The name says long context (`LongCo`, `longco`, `LoCo`).
    pub long_context: bool,
    /// The per-token deployment type.
    pub deployment_type: DeploymentTypeId,
    /// The name says `1M` (such meters must have unitOfMeasure `1M`).
    pub says_per_million: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Global,
    DataZone,
    Regional,
}

/// Processing tier of a token meter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tier {
    Standard,
    Batch,
    Flex,
    Priority,
}

/// Words of the meter-name grammar (facts 8.3, addendum 4). Everything else is a model word.
const SCOPE_WORDS: [(&str, Scope); 10] = [
    ("glbl", Scope::Global),
    ("global", Scope::Global),
    ("gl", Scope::Global),
    ("datazone", Scope::DataZone),
    ("dzone", Scope::DataZone),
    ("dzn", Scope::DataZone),
    ("dz", Scope::DataZone),
    ("regnl", Scope::Regional),
    ("regional", Scope::Regional),
    ("rgnl", Scope::Regional),
];
const INPUT_WORDS: [&str; 3] = ["inp", "input", "inpt"];
const OUTPUT_WORDS: [&str; 5] = ["outp", "output", "outpt", "out", "opt"];
const CACHED_WORDS: [&str; 4] = ["cached", "cchd", "ccchd", "cd"];
const WRITE_WORDS: [&str; 2] = ["wr", "write"];
const TIER_WORDS: [(&str, Tier); 6] = [
    ("batch", Tier::Batch),
    ("flex", Tier::Flex),
    ("fl", Tier::Flex),
    ("pp", Tier::Priority),
    ("std", Tier::Standard),
    ("standard", Tier::Standard),
];
const SHORT_WORDS: [&str; 2] = ["shortco", "shco"];
const LONG_WORDS: [&str; 3] = ["longco", "loco", "longcontext"];

/// Lower case, `-` and `_` as spaces, single spaces.
pub fn normalise(text: &str) -> String {
    text.to_ascii_lowercase()
        .replace(['-', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parse a token meter name. `Err` says why it is not a token meter this grammar understands.
pub fn parse_token_meter_name(name: &str) -> Result<TokenMeterName, String> {
    let norm = normalise(name);
    let words: Vec<&str> = norm.split(' ').collect();
    if words.last() != Some(&"tokens") {
        return Err("not a token meter (no trailing `Tokens`)".to_owned());
    }
    let mut model = Vec::new();
    let (mut scope, mut kind, mut cached, mut write, mut per_million) =
        (None, None, false, false, false);
    let (mut tier, mut long) = (None::<Tier>, None::<bool>);
    let mut set_tier = |t: Tier| -> Result<(), String> {
        match tier {
            Some(old) if old != t && old != Tier::Standard && t != Tier::Standard => {
                Err(format!("two processing tiers in `{name}`"))
            }
            Some(old) if old != Tier::Standard && t == Tier::Standard => Ok(()),
            _ => {
                tier = Some(t);
                Ok(())
            }
        }
    };
    let mut i = 0;
    while i < words.len() - 1 {
        let mut w = words[i];
        i += 1;
        if w == "data" && words.get(i) == Some(&"zone") {
            w = "datazone";
            i += 1;
        }
        // Glued spellings such as `BatchOutp`.
        if let Some(rest) = w.strip_prefix("batch").filter(|r| !r.is_empty()) {
            if INPUT_WORDS.contains(&rest) || OUTPUT_WORDS.contains(&rest) {
                set_tier(Tier::Batch)?;
                w = rest;
            }
        }
        if let Some((_, s)) = SCOPE_WORDS.iter().find(|(word, _)| *word == w) {
            if scope.is_some_and(|old| old != *s) {
                return Err(format!("two deployment types in `{name}`"));
            }
            scope = Some(*s);
        } else if INPUT_WORDS.contains(&w) || OUTPUT_WORDS.contains(&w) {
            let k = if INPUT_WORDS.contains(&w) {
                TokenKind::Input
            } else {
                TokenKind::Output
            };
            if kind.is_some_and(|old| old != k) {
                return Err(format!("both input and output in `{name}`"));
            }
            kind = Some(k);
        } else if CACHED_WORDS.contains(&w) {
            cached = true;
        } else if WRITE_WORDS.contains(&w) {
            write = true;
        } else if let Some((_, t)) = TIER_WORDS.iter().find(|(word, _)| *word == w) {
            set_tier(*t)?;
        } else if SHORT_WORDS.contains(&w) || LONG_WORDS.contains(&w) {
            let l = LONG_WORDS.contains(&w);
            if long.is_some_and(|old| old != l) {
                return Err(format!("both short and long context in `{name}`"));
            }
            long = Some(l);
        } else if w == "1m" {
            per_million = true;
        } else if w != "1k" {
            model.push(w);
        }
    }
    let scope = scope.ok_or_else(|| format!("no deployment type word in `{name}`"))?;
    let kind = match (kind, cached, write) {
        (Some(TokenKind::Output), true, _) | (Some(TokenKind::Output), _, true) => {
            return Err(format!("cached output in `{name}`"));
        }
        // `Cd Wr` (with or without `Inp`) is the cache-write price.
        (_, _, true) => TokenKind::CacheWrite,
        (_, true, false) => TokenKind::CachedInput,
        (Some(k), false, false) => k,
        (None, false, false) => return Err(format!("no input/output word in `{name}`")),
    };
    let processing = match scope {
        Scope::Global => Processing::Global,
        Scope::DataZone => Processing::DataZone,
        Scope::Regional => Processing::Region,
    };
    let tier = match tier.unwrap_or(Tier::Standard) {
        Tier::Standard => TypeTier::Standard,
        Tier::Batch => TypeTier::Batch,
        Tier::Flex => TypeTier::Flex,
        Tier::Priority => TypeTier::Priority,
    };
    let deployment_type = DeploymentTypeId::find(processing, tier)
        .ok_or_else(|| format!("no deployment type is {processing:?} {tier:?} (in `{name}`)"))?;
    if model.is_empty() {
        return Err(format!("no model words in `{name}`"));
    }
    Ok(TokenMeterName {
        model_spelling: model.join(" "),
        kind,
        long_context: long.unwrap_or(false),
        deployment_type,
        says_per_million: per_million,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeploymentTypeId::*;
    use TokenKind::*;

    fn parsed(name: &str) -> (String, TokenKind, DeploymentTypeId, bool) {
        let p = parse_token_meter_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        (
            p.model_spelling,
            p.kind,
            p.deployment_type,
            p.says_per_million,
        )
    }

    #[test]
    fn parses_every_spelling_from_the_real_meters() {
        // Names as they appear in real Retail Prices API items (facts 8.3, [S19]).
        let cases = [
            (
                "gpt-4o-0806-Inp-glbl Tokens",
                "gpt 4o 0806",
                Input,
                GlobalStandard,
                false,
            ),
            (
                "gpt-4o-0806-Outp-regnl Tokens",
                "gpt 4o 0806",
                Output,
                RegionalStandard,
                false,
            ),
            (
                "gpt-4o-0806-Batch-Inp-glbl Tokens",
                "gpt 4o 0806",
                Input,
                GlobalBatch,
                false,
            ),
            (
                "gpt 4o 1120 Inp glbl Tokens",
                "gpt 4o 1120",
                Input,
                GlobalStandard,
                false,
            ),
            (
                "gpt 4o 1120 Outp Data Zone Tokens",
                "gpt 4o 1120",
                Output,
                DataZoneStandard,
                false,
            ),
            (
                "gpt 4o 1120 cached Inp regnl Tokens",
                "gpt 4o 1120",
                CachedInput,
                RegionalStandard,
                false,
            ),
            (
                "gpt 4.1 mini cached Inp DZone Tokens",
                "gpt 4.1 mini",
                CachedInput,
                DataZoneStandard,
                false,
            ),
            (
                "gpt 4o mini0718 BatchOutp DataZone Tokens",
                "gpt 4o mini0718",
                Output,
                DataZoneBatch,
                false,
            ),
            (
                "o3 mini 0131 input glbl Tokens",
                "o3 mini 0131",
                Input,
                GlobalStandard,
                false,
            ),
            (
                "o4-mini 0416 cached Inp DataZone Tokens",
                "o4 mini 0416",
                CachedInput,
                DataZoneStandard,
                false,
            ),
            (
                "GPT 5 Rsng Inpt Glbl 1M Tokens",
                "gpt 5 rsng",
                Input,
                GlobalStandard,
                true,
            ),
            (
                "GPT 5 Rsng outpt DZone 1M Tokens",
                "gpt 5 rsng",
                Output,
                DataZoneStandard,
                true,
            ),
            (
                "GPT 5 Mini Batch Inpt cchd Dzone 1M Tokens",
                "gpt 5 mini",
                CachedInput,
                DataZoneBatch,
                true,
            ),
            (
                "gpt-5-codex-ccchd-inp-glbl Tokens",
                "gpt 5 codex",
                CachedInput,
                GlobalStandard,
                false,
            ),
            (
                "gpt rt aud 0828 cchd Inp DZn Tokens",
                "gpt rt aud 0828",
                CachedInput,
                DataZoneStandard,
                false,
            ),
            (
                "gpt 4o 0513 Input regional Tokens",
                "gpt 4o 0513",
                Input,
                RegionalStandard,
                false,
            ),
            (
                "gpt 4o 0513 Output regional Tokens",
                "gpt 4o 0513",
                Output,
                RegionalStandard,
                false,
            ),
            (
                "gpt-4o-mini-0718-Batch-Outp-glbl Tokens",
                "gpt 4o mini 0718",
                Output,
                GlobalBatch,
                false,
            ),
            ("R1 Inp glbl Tokens", "r1", Input, GlobalStandard, false),
            (
                "V3-0324 Outp DZone Tokens",
                "v3 0324",
                Output,
                DataZoneStandard,
                false,
            ),
            (
                "Llama 3.3 70B Inp Dzone Tokens",
                "llama 3.3 70b",
                Input,
                DataZoneStandard,
                false,
            ),
        ];
        for (name, model, kind, t, m) in cases {
            assert_eq!(parsed(name), (model.to_owned(), kind, t, m), "{name}");
        }
    }

    #[test]
    fn issue_9_parses_the_2026_meter_grammar() {
        // Meter names as the December 2026 addendum quotes them (sections 3-4, U12-U22);
        // abbreviated ones completed with their family's ` 1M Tokens` tail.
        let cases = [
            (
                "GPT 5.1 inp Gl 1M Tokens",
                "gpt 5.1",
                Input,
                false,
                GlobalStandard,
            ),
            (
                "GPT 5.1 cd inp Gl 1M Tokens",
                "gpt 5.1",
                CachedInput,
                false,
                GlobalStandard,
            ),
            (
                "GPT 5.1 opt Gl 1M Tokens",
                "gpt 5.1",
                Output,
                false,
                GlobalStandard,
            ),
            (
                "GPT 5.1 inp Dz 1M Tokens",
                "gpt 5.1",
                Input,
                false,
                DataZoneStandard,
            ),
            (
                "GPT 5.1 Batch inp Gl 1M Tokens",
                "gpt 5.1",
                Input,
                false,
                GlobalBatch,
            ),
            (
                "5.1 codex max inp Gl 1M Tokens",
                "5.1 codex max",
                Input,
                false,
                GlobalStandard,
            ),
            (
                "GPT 5.2 cd inp Dz 1M Tokens",
                "gpt 5.2",
                CachedInput,
                false,
                DataZoneStandard,
            ),
            (
                "5.4 longco cd inp Gl 1M Tokens",
                "5.4",
                CachedInput,
                true,
                GlobalStandard,
            ),
            (
                "5.4 longco batch inp Gl 1M Tokens",
                "5.4",
                Input,
                true,
                GlobalBatch,
            ),
            (
                "5.5 ShortCo inp Gl 1M Tokens",
                "5.5",
                Input,
                false,
                GlobalStandard,
            ),
            (
                "5.5 ShortCo PP inp Gl 1M Tokens",
                "5.5",
                Input,
                false,
                GlobalPriority,
            ),
            (
                "5.6 sol ShortCo Inp Std Gl 1M Tokens",
                "5.6 sol",
                Input,
                false,
                GlobalStandard,
            ),
            (
                "5.6 sol ShortCo Cd Wr Std Gl 1M Tokens",
                "5.6 sol",
                CacheWrite,
                false,
                GlobalStandard,
            ),
            (
                "5.6 sol LongCo Opt Std DZ 1M Tokens",
                "5.6 sol",
                Output,
                true,
                DataZoneStandard,
            ),
            (
                "5.6 sol ShortCo Inp PP Gl 1M Tokens",
                "5.6 sol",
                Input,
                false,
                GlobalPriority,
            ),
            (
                "5 mini pp Inp Dz 1M Tokens",
                "5 mini",
                Input,
                false,
                DataZonePriority,
            ),
            ("4.1 pp inp Gl Tokens", "4.1", Input, false, GlobalPriority),
            ("54 inp Flex Gl 1M Tokens", "54", Input, false, GlobalFlex),
            (
                "54 longco cd inp Flex Gl 1M Tokens",
                "54",
                CachedInput,
                true,
                GlobalFlex,
            ),
            (
                "56sol ShCo Inp Fl Gl 1M Tokens",
                "56sol",
                Input,
                false,
                GlobalFlex,
            ),
            (
                "56sol LoCo Cd Wr Fl Gl 1M Tokens",
                "56sol",
                CacheWrite,
                true,
                GlobalFlex,
            ),
            (
                "56luna ShCo Cd Inp Fl Gl 1M Tokens",
                "56luna",
                CachedInput,
                false,
                GlobalFlex,
            ),
            (
                "6-astra ShortCo Inp Flex Gl 1M Tokens",
                "6 astra",
                Input,
                false,
                GlobalFlex,
            ),
            (
                "6.1-sol ShortCo Cd Wr Std DZ 1M Tokens",
                "6.1 sol",
                CacheWrite,
                false,
                DataZoneStandard,
            ),
            (
                "6.1-sol LongCo Opt Std DZ 1M Tokens",
                "6.1 sol",
                Output,
                true,
                DataZoneStandard,
            ),
        ];
        for (name, model, kind, long, t) in cases {
            let p = parse_token_meter_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                (
                    p.model_spelling.as_str(),
                    p.kind,
                    p.long_context,
                    p.deployment_type
                ),
                (model, kind, long, t),
                "{name}"
            );
        }
        let table = MeterTable::load(None).expect("table parses");
        for (spelling, model) in [
            ("gpt 5.1", "gpt-5.1"),
            ("54", "gpt-5.4"),
            ("56sol", "gpt-5.6-sol"),
            ("5.6 sol", "gpt-5.6-sol"),
            ("6 astra", "gpt-6-astra"),
            ("6.1 sol", "gpt-6.1-sol"),
            ("4.1", "gpt-4.1"),
            ("5 mini", "gpt-5-mini"),
        ] {
            assert_eq!(
                table.model_for(spelling).map(|m| m.0),
                Some(model),
                "{spelling}"
            );
        }
    }

    #[test]
    fn rejects_names_it_does_not_understand() {
        for name in [
            "Provisioned Managed Global Unit",
            "gpt 4o 1120 glbl Tokens",
            "gpt 4o 1120 Inp Tokens",
            "gpt 4o 1120 cached Outp glbl Tokens",
            "gpt 4o Batch Inp regnl Tokens",
            "Inp glbl Tokens",
            "gpt 4o Inp glbl regnl Tokens",
            "5.6 sol ShortCo LongCo Inp Std Gl 1M Tokens",
            "54 inp Flex PP Gl 1M Tokens",
            "54 inp Flex Dz 1M Tokens",
            "5.6 sol Cd Wr Opt Std Gl 1M Tokens",
        ] {
            assert!(parse_token_meter_name(name).is_err(), "{name}");
        }
    }

    #[test]
    fn bundled_table_is_valid_and_maps_spellings() {
        let catalog =
            crate::catalog::load_catalog(&crate::catalog::CatalogSource::Embedded).expect("ok");
        let table = MeterTable::load(None).expect("table parses");
        assert_eq!(table.validate(&catalog), Vec::<String>::new());
        assert_eq!(table.model_for("gpt 4o 1120"), Some(("gpt-4o", 0)));
        assert_eq!(table.model_for("gpt 4o mini0718"), Some(("gpt-4o-mini", 1)));
        assert_eq!(table.model_for("gpt 4o 0806"), None, "never guessed");
        assert_eq!(
            table.ptu_type("Provisioned Managed Data Zone Unit"),
            Some(DataZoneProvisioned)
        );
        assert_eq!(
            table.ptu_type("Provisioned Throughput - Available Unit"),
            None
        );
    }
}
