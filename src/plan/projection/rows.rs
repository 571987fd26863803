//! The rows of a projection: per-token usage, hourly PTUs, a reservation's purchase and its
//! monthly usage, and spillover, each with its quantity and unit prices.

use super::{ChargeCategory, Charged, Commitment, Prices, PricingCategory, ProjectedCharge};
use crate::catalog::accounting::{TokenCounts, TokenTally};
use crate::catalog::pricing::ContextPrices;
use crate::catalog::{DeploymentTypeId, PtuPrice};
use crate::plan::cost::{Billing, HOURS_PER_MONTH};
use crate::plan::{OptionPlan, WorkloadPlan};

/// A flat month of one workload: its decided option (and its spillover). `start` is the month
/// its plan started: a 1-year term is bought then, and again each year.
pub(super) fn flat_rows(
    scenario: &str,
    (month, start): (u32, u32),
    horizon: u32,
    p: &WorkloadPlan,
    scale: f64,
    prices: &Prices<'_>,
) -> Vec<ProjectedCharge> {
    let Some(o) = p.decided_option() else {
        return Vec::new();
    };
    let names = (p.deployment.as_str(), p.model.as_str(), p.region.as_str());
    let t = o.deployment_type;
    if o.billing == Billing::PerToken {
        let billed = o.billed_tokens.unwrap_or(p.tally);
        return token_rows(month, names, t, &billed, scale, prices, false);
    }
    let (Some(ptus), Some(list), Some(contracted)) = (
        o.ptus,
        prices.list.ptu_price(t, &p.region),
        prices.contracted.ptu_price(t, &p.region),
    ) else {
        return Vec::new();
    };
    let pp = (list, contracted);
    let place = (p.region.as_str(), t);
    let id = format!(
        "ptuplan/{scenario}/{}/{}/{}/{}",
        p.region,
        t,
        p.deployment,
        o.billing.as_str()
    );
    let mut rows = match o.billing {
        Billing::Hourly => vec![hourly(month, place, Some((names.0, names.1)), ptus, pp)],
        Billing::Reserved1Month => vec![
            purchase(month, place, Billing::Reserved1Month, ptus, pp, &id),
            reserved_usage(month, place, Billing::Reserved1Month, ptus, pp, &id, false),
        ],
        _ => {
            let mut r = Vec::new();
            // Bought when the plan starts, and again each year of it.
            if month >= start && (month - start) % 12 == 0 && month <= horizon {
                r.push(purchase(
                    month,
                    place,
                    Billing::Reserved1Year,
                    ptus,
                    pp,
                    &id,
                ));
            }
            r.push(reserved_usage(
                month,
                place,
                Billing::Reserved1Year,
                ptus,
                pp,
                &id,
                false,
            ));
            r
        }
    };
    for row in &mut rows {
        row.deployment = Some(names.0.to_owned());
        row.model = Some(names.1.to_owned());
    }
    rows.extend(spill_rows(month, p, o, scale, prices));
    rows
}

/// The per-token rows of what option `o` of `p` spills into its spillover target.
pub(super) fn spill_rows(
    month: u32,
    p: &WorkloadPlan,
    o: &OptionPlan,
    scale: f64,
    prices: &Prices<'_>,
) -> Vec<ProjectedCharge> {
    let names = (p.deployment.as_str(), p.model.as_str(), p.region.as_str());
    match (
        o.spilled_tokens,
        prices
            .contracted
            .deployment_types
            .get(&o.deployment_type)
            .and_then(|d| d.spillover_target),
    ) {
        (Some(spilled), Some(target)) => {
            token_rows(month, names, target, &spilled, scale, prices, true)
        }
        _ => Vec::new(),
    }
}

pub(super) type Place<'a> = (&'a str, DeploymentTypeId);
pub(super) type PoolPrices<'a> = (&'a PtuPrice, &'a PtuPrice);

pub(super) fn ptu_row(
    month: u32,
    (region, t): Place<'_>,
    billing: Billing,
    charged: Charged,
) -> ProjectedCharge {
    ProjectedCharge {
        month,
        category: ChargeCategory::Usage,
        pricing: PricingCategory::Standard,
        commitment: None,
        deployment: None,
        model: None,
        region: region.to_owned(),
        deployment_type: t,
        billing,
        charged,
        sku: format!("{t}/{}", billing.as_str()),
        pricing_quantity: 0.0,
        pricing_unit: "PTU-Hours",
        consumed_quantity: None,
        consumed_unit: None,
        list_unit_price_usd: 0.0,
        contracted_unit_price_usd: 0.0,
        billed_cost_usd: 0.0,
        effective_cost_usd: 0.0,
    }
}

pub(super) fn hourly(
    month: u32,
    place: Place<'_>,
    workload: Option<(&str, &str)>,
    ptus: u32,
    (list, contracted): PoolPrices<'_>,
) -> ProjectedCharge {
    let hours = f64::from(ptus) * HOURS_PER_MONTH;
    let mut r = ptu_row(month, place, Billing::Hourly, Charged::HourlyPtus { ptus });
    r.deployment = workload.map(|w| w.0.to_owned());
    r.model = workload.map(|w| w.1.to_owned());
    r.pricing_quantity = hours;
    r.consumed_quantity = Some(hours);
    r.consumed_unit = Some("PTU-Hours");
    r.list_unit_price_usd = list.usd_per_ptu_hour;
    r.contracted_unit_price_usd = contracted.usd_per_ptu_hour;
    r.billed_cost_usd = hours * contracted.usd_per_ptu_hour;
    r.effective_cost_usd = r.billed_cost_usd;
    r
}

pub(super) fn term_price(price: &PtuPrice, term: Billing) -> f64 {
    match term {
        Billing::Reserved1Month => price.reservation_1_month_usd_per_ptu,
        _ => price.reservation_1_year_usd_per_ptu,
    }
}

pub(super) fn purchase(
    month: u32,
    place: Place<'_>,
    term: Billing,
    ptus: u32,
    (list, contracted): PoolPrices<'_>,
    id: &str,
) -> ProjectedCharge {
    let unit = match term {
        Billing::Reserved1Month => "PTU-Months",
        _ => "PTU-Years",
    };
    let mut r = ptu_row(month, place, term, Charged::ReservationPurchase { ptus });
    r.category = ChargeCategory::Purchase;
    r.commitment = Some(Commitment {
        id: id.to_owned(),
        term,
        unused: false,
    });
    r.sku = format!("{}/{}/purchase", place.1, term.as_str());
    r.pricing_quantity = f64::from(ptus);
    r.pricing_unit = unit;
    r.list_unit_price_usd = term_price(list, term);
    r.contracted_unit_price_usd = term_price(contracted, term);
    r.billed_cost_usd = f64::from(ptus) * term_price(contracted, term);
    r
}

pub(super) fn reserved_usage(
    month: u32,
    place: Place<'_>,
    term: Billing,
    ptus: u32,
    (list, contracted): PoolPrices<'_>,
    id: &str,
    unused: bool,
) -> ProjectedCharge {
    let hours = f64::from(ptus) * HOURS_PER_MONTH;
    let mut r = ptu_row(month, place, term, Charged::ReservedPtus { ptus, unused });
    r.pricing = PricingCategory::Committed;
    r.commitment = Some(Commitment {
        id: id.to_owned(),
        term,
        unused,
    });
    r.pricing_quantity = hours;
    r.consumed_quantity = (!unused).then_some(hours);
    r.consumed_unit = (!unused).then_some("PTU-Hours");
    r.list_unit_price_usd = term.usd_per_ptu_hour(list);
    r.contracted_unit_price_usd = term.usd_per_ptu_hour(contracted);
    r.effective_cost_usd = hours * r.contracted_unit_price_usd;
    r
}

/// Per-token rows of a tally over the log's span, scaled to a month by `scale`.
pub(super) fn token_rows(
    month: u32,
    (deployment, model, region): (&str, &str, &str),
    t: DeploymentTypeId,
    tally: &TokenTally,
    scale: f64,
    prices: &Prices<'_>,
    spillover: bool,
) -> Vec<ProjectedCharge> {
    let (Some(list), Some(contracted)) = (
        prices.list.token_price(model, t, region),
        prices.contracted.token_price(model, t, region),
    ) else {
        return Vec::new();
    };
    let classes = [
        (
            false,
            &tally.short,
            Some(list.short_context()),
            Some(contracted.short_context()),
        ),
        (
            true,
            &tally.long,
            list.long_context,
            contracted.long_context,
        ),
    ];
    let mut rows = Vec::new();
    for (long_context, counts, lp, cp) in classes {
        let (Some(lp), Some(cp)) = (lp, cp) else {
            continue;
        };
        for (category, tokens, l, c) in categories(counts, &lp, &cp) {
            if tokens == 0 {
                continue;
            }
            let quantity = tokens as f64 * scale;
            let millions = quantity / 1_000_000.0;
            rows.push(ProjectedCharge {
                month,
                category: ChargeCategory::Usage,
                pricing: PricingCategory::Standard,
                commitment: None,
                deployment: Some(deployment.to_owned()),
                model: Some(model.to_owned()),
                region: region.to_owned(),
                deployment_type: t,
                billing: Billing::PerToken,
                charged: Charged::Tokens {
                    long_context,
                    category,
                    spillover,
                },
                sku: format!(
                    "{t}/{model}/{}{category}",
                    if long_context { "long-context " } else { "" }
                )
                .replace(' ', "-"),
                pricing_quantity: millions,
                pricing_unit: "1000000 Tokens",
                consumed_quantity: Some(quantity),
                consumed_unit: Some("Tokens"),
                list_unit_price_usd: l,
                contracted_unit_price_usd: c,
                billed_cost_usd: millions * c,
                effective_cost_usd: millions * c,
            });
        }
    }
    rows
}

pub(super) fn categories(
    counts: &TokenCounts,
    l: &ContextPrices,
    c: &ContextPrices,
) -> [(&'static str, u64, f64, f64); 4] {
    [
        (
            "input",
            counts.input_tokens,
            l.input_usd_per_1m,
            c.input_usd_per_1m,
        ),
        (
            "cached input",
            counts.cached_input_tokens,
            l.cached_input_usd_per_1m,
            c.cached_input_usd_per_1m,
        ),
        (
            "cache write",
            counts.cache_write_tokens,
            l.cache_write_or_input(),
            c.cache_write_or_input(),
        ),
        (
            "output",
            counts.output_tokens,
            l.output_usd_per_1m,
            c.output_usd_per_1m,
        ),
    ]
}
