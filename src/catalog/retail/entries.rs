//! Assembling price entries from the chosen meters: combining input/cached/output (and
//! hourly/1-month/1-year) picks per key, the outlier guard against the catalog, and merging
//! regions with identical figures into one entry whose `source` names the endpoint and meters.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{BuildOptions, BuildStats, Pick, PtuBilling, PtuKey, TokenKey, OUTLIER_FACTOR};
use crate::catalog::meters::TokenKind;
use crate::catalog::sanity::{self, Figure};
use crate::catalog::{Catalog, DeploymentTypeId, PtuPrice, TokenPrice};

pub(super) struct Ctx<'a> {
    pub(super) catalog: &'a Catalog,
    pub(super) opts: &'a BuildOptions,
    pub(super) problems: &'a mut Vec<String>,
    pub(super) stats: &'a mut BuildStats,
}

/// The PTU figures' kinds: hourly, 1-month and 1-year reservation.
const PTU_FIGURES: [Figure; 3] = [
    Figure::UsdPerPtuHour,
    Figure::UsdPerPtuMonth,
    Figure::UsdPerPtuYear,
];

/// The `accept_outlier` mark of an entry whose figures exceed a sanity bound: such an entry
/// exists only when `--accept-outliers` let it through, and the mark says so, so that the file
/// loads with `--prices`.
fn accepted_mark(opts: &BuildOptions, figures: &[f64], kinds: &[Figure]) -> Option<String> {
    figures
        .iter()
        .zip(kinds)
        .any(|(v, k)| sanity::is_above_bound(*v, *k))
        .then(|| {
            format!(
                "accepted with `catalog refresh --accept-outliers` (prices in force on {})",
                opts.as_of
            )
        })
}

impl Ctx<'_> {
    /// Check `new` against the catalog's `reference` (more than [`OUTLIER_FACTOR`] away is an
    /// outlier) and against the shared sanity bound of its kind ([`sanity`]).
    fn check_outlier(&mut self, what: &str, new: f64, reference: Option<f64>, kind: Figure) {
        let abs_max = kind.max();
        let outlier = match reference {
            Some(old)
                if old > 0.0 && !(1.0 / OUTLIER_FACTOR..=OUTLIER_FACTOR).contains(&(new / old)) =>
            {
                let ratio = new / old;
                Some(format!(
                    "{what}: {new} is {ratio:.2}x the catalog's {old} (outlier)"
                ))
            }
            _ => sanity::is_above_bound(new, kind)
                .then(|| format!("{what}: {new} is above the sanity bound {abs_max} (outlier)")),
        };
        if let Some(msg) = outlier {
            if self.opts.accept_outliers {
                self.stats.accepted_outliers.push(msg);
            } else {
                self.problems
                    .push(format!("{msg}; pass --accept-outliers if it is right"));
            }
        }
    }
}

/// Token draft: one (model, type, region).
struct Draft {
    key: (String, DeploymentTypeId),
    region: String,
    figures: Vec<f64>,
    as_of: NaiveDate,
    meters: Vec<(String, String)>,
    note: String,
}

/// Token and PTU entries from the picks, grouped by identical figures.
pub(super) fn assemble(
    mut ctx: Ctx<'_>,
    tokens: BTreeMap<TokenKey, Pick>,
    ptus: BTreeMap<PtuKey, Pick>,
) -> (Vec<TokenPrice>, Vec<PtuPrice>) {
    let base_note = format!(
        "Fetched by `ptuplan catalog refresh`: the newest price in force on {}.",
        ctx.opts.as_of
    );
    let mut by_key: BTreeMap<(String, DeploymentTypeId, String), BTreeMap<TokenKind, Pick>> =
        BTreeMap::new();
    for ((model, t, region, kind), pick) in tokens {
        by_key
            .entry((model, t, region))
            .or_default()
            .insert(kind, pick);
    }
    let mut drafts = Vec::new();
    for ((model, t, region), kinds) in by_key {
        let label = format!("{model} {t} {region}");
        let (Some(input), Some(output)) =
            (kinds.get(&TokenKind::Input), kinds.get(&TokenKind::Output))
        else {
            let missing = if kinds.contains_key(&TokenKind::Input) {
                "output"
            } else {
                "input"
            };
            ctx.stats
                .incomplete
                .push(format!("{label}: no {missing} meter in force"));
            continue;
        };
        let cached = kinds.get(&TokenKind::CachedInput);
        let mut note = base_note.clone();
        let cached_price = match cached {
            Some(c) => c.price,
            None => {
                note.push_str(" No cached-input meter: cached tokens are priced at the input price (no discount assumed).");
                input.price
            }
        };
        if cached_price > input.price {
            ctx.problems.push(format!(
                "{label}: cached input {cached_price} costs more than input {}",
                input.price
            ));
        }
        let reference = ctx.catalog.token_price(&model, t, &region).or_else(|| {
            ctx.catalog
                .token_prices
                .iter()
                .find(|p| p.model == model && p.deployment_type == t)
        });
        let figures = [input.price, cached_price, output.price];
        let olds = reference.map(|r| {
            [
                r.input_usd_per_1m,
                r.cached_input_usd_per_1m,
                r.output_usd_per_1m,
            ]
        });
        for (i, name) in ["input", "cached input", "output"].iter().enumerate() {
            ctx.check_outlier(
                &format!("{label} {name} [USD/1M]"),
                figures[i],
                olds.map(|o| o[i]),
                Figure::UsdPer1mTokens,
            );
        }
        let picks: Vec<&Pick> = [Some(input), cached, Some(output)]
            .into_iter()
            .flatten()
            .collect();
        drafts.push(Draft {
            key: (model, t),
            region,
            figures: figures.to_vec(),
            as_of: picks
                .iter()
                .map(|p| p.start.date_naive())
                .max()
                .unwrap_or(ctx.opts.as_of),
            meters: picks
                .iter()
                .map(|p| (p.meter_name.clone(), p.meter_id.clone()))
                .collect(),
            note,
        });
    }
    let token_prices = group(&drafts, ctx.opts, |d, regions, source| TokenPrice {
        model: d.key.0.clone(),
        deployment_type: d.key.1,
        regions: Some(regions),
        input_usd_per_1m: d.figures[0],
        cached_input_usd_per_1m: d.figures[1],
        output_usd_per_1m: d.figures[2],
        note: Some(d.note.clone()),
        source,
        as_of: d.as_of,
        accept_outlier: accepted_mark(ctx.opts, &d.figures, &[Figure::UsdPer1mTokens; 3]),
        adjustments: Vec::new(),
    });
    let ptu_drafts = ptu_drafts(&mut ctx, ptus, &base_note);
    let ptu_prices = group(&ptu_drafts, ctx.opts, |d, regions, source| PtuPrice {
        deployment_type: d.key.1,
        regions: Some(regions),
        usd_per_ptu_hour: d.figures[0],
        reservation_1_month_usd_per_ptu: d.figures[1],
        reservation_1_year_usd_per_ptu: d.figures[2],
        note: Some(d.note.clone()),
        source,
        as_of: d.as_of,
        accept_outlier: accepted_mark(ctx.opts, &d.figures, &PTU_FIGURES),
        adjustments: Vec::new(),
    });
    (token_prices, ptu_prices)
}

fn ptu_drafts(ctx: &mut Ctx<'_>, ptus: BTreeMap<PtuKey, Pick>, base_note: &str) -> Vec<Draft> {
    let mut by_key: BTreeMap<(DeploymentTypeId, String), BTreeMap<PtuBilling, Pick>> =
        BTreeMap::new();
    for ((t, region, billing), pick) in ptus {
        by_key.entry((t, region)).or_default().insert(billing, pick);
    }
    let mut drafts = Vec::new();
    for ((t, region), billings) in by_key {
        let label = format!("{t} {region}");
        let all =
            [PtuBilling::Hourly, PtuBilling::Month, PtuBilling::Year].map(|b| billings.get(&b));
        let [Some(hourly), Some(month), Some(year)] = all else {
            let missing: Vec<&str> = all
                .iter()
                .zip(["hourly", "1-month reservation", "1-year reservation"])
                .filter(|(p, _)| p.is_none())
                .map(|(_, n)| n)
                .collect();
            ctx.stats.incomplete.push(format!(
                "{label}: no {} row in force",
                missing.join(", no ")
            ));
            continue;
        };
        let reference = ctx.catalog.ptu_price(t, &region).or_else(|| {
            ctx.catalog
                .ptu_prices
                .iter()
                .find(|p| p.deployment_type == t)
        });
        let figures = [hourly.price, month.price, year.price];
        let olds = reference.map(|r| {
            [
                r.usd_per_ptu_hour,
                r.reservation_1_month_usd_per_ptu,
                r.reservation_1_year_usd_per_ptu,
            ]
        });
        for (i, name) in [
            "hourly [USD/PTU-h]",
            "1-month reservation [USD/PTU]",
            "1-year reservation [USD/PTU]",
        ]
        .iter()
        .enumerate()
        {
            ctx.check_outlier(
                &format!("{label} {name}"),
                figures[i],
                olds.map(|o| o[i]),
                PTU_FIGURES[i],
            );
        }
        let picks = [hourly, month, year];
        drafts.push(Draft {
            key: (String::new(), t),
            region,
            figures: figures.to_vec(),
            as_of: picks.iter().map(|p| p.start.date_naive()).max().unwrap_or(ctx.opts.as_of),
            // The reservation rows share the hourly meter's id: list it once.
            meters: vec![(hourly.meter_name.clone(), hourly.meter_id.clone())],
            note: format!("{base_note} Reservation rows say unitOfMeasure 1/Hour, but their price is per PTU for the whole term."),
        });
    }
    drafts
}

/// Model (empty for PTU), type, figure bits, as_of, meter names, note.
type GroupKey<'a> = (
    String,
    DeploymentTypeId,
    Vec<u64>,
    NaiveDate,
    Vec<String>,
    &'a str,
);

/// Merge drafts with identical figures, dates and meters into one entry listing their regions.
fn group<T>(
    drafts: &[Draft],
    opts: &BuildOptions,
    make: impl Fn(&Draft, Vec<String>, String) -> T,
) -> Vec<T> {
    let mut groups: BTreeMap<GroupKey<'_>, Vec<&Draft>> = BTreeMap::new();
    for d in drafts {
        let names = d.meters.iter().map(|(n, _)| n.clone()).collect();
        let bits = d.figures.iter().map(|f| f.to_bits()).collect();
        groups
            .entry((
                d.key.0.clone(),
                d.key.1,
                bits,
                d.as_of,
                names,
                d.note.as_str(),
            ))
            .or_default()
            .push(d);
    }
    let mut out: Vec<(DeploymentTypeId, String, String, T)> = groups
        .into_values()
        .map(|members| {
            let first = members[0];
            let mut regions: Vec<String> = members.iter().map(|d| d.region.clone()).collect();
            regions.sort();
            let names: Vec<String> = first.meters.iter().map(|(n, _)| format!("'{n}'")).collect();
            let mut source = format!(
                "Azure Retail Prices API {}: meterName {}",
                opts.endpoint,
                names.join(", ")
            );
            if members.len() == 1 {
                let ids: Vec<&str> = first.meters.iter().map(|(_, id)| id.as_str()).collect();
                source.push_str(&format!("; meterId {}", ids.join(", ")));
            } else {
                source.push_str(&format!(
                    "; one meterId per region ({} regions)",
                    members.len()
                ));
            }
            let sort = (first.key.1, first.key.0.clone(), regions[0].clone());
            (sort.0, sort.1, sort.2, make(first, regions, source))
        })
        .collect();
    out.sort_by(|a, b| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)));
    out.into_iter().map(|(_, _, _, t)| t).collect()
}
