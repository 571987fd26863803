//! FinOps FOCUS 1.2 export of the plan's projected monthly costs (`--format focus`, and
//! `focus.csv` of `report`): one CSV row per projected charge ([`crate::plan::projection`])
//! with the FOCUS 1.2 column names (FOCUS specification v1.2,
//! <https://focus.finops.org/focus-specification/v1-2/>), so cost tools can take it in.
//!
//! Values are unit-consistent: `PricingQuantity` is in `PricingUnit` (`1000000 Tokens`,
//! `PTU-Hours`, `PTU-Months`, `PTU-Years`), `ListCost = PricingQuantity x ListUnitPrice` and
//! `ContractedCost = PricingQuantity x ContractedUnitPrice` on every row; `ConsumedQuantity` is
//! in `ConsumedUnit` (`Tokens`, `PTU-Hours`). Reservations follow FOCUS's amortization: the
//! purchase row carries the `BilledCost` (and no `EffectiveCost`), the monthly usage rows the
//! `EffectiveCost` (and no `BilledCost`). Each charge period is a 730-hour month from the first
//! day of the month after `--as-of` (00:00 UTC); the billing period is the same (a projection
//! has no invoice). ptuplan's own dimensions are `x_`-prefixed columns.

use std::io::{self, Write};

use chrono::{Duration, NaiveDate, SecondsFormat, TimeZone, Utc};
use serde::Serialize;

use crate::plan::projection::{ChargeCategory, PricingCategory, ProjectedCharge};
use crate::report::Report;

/// The FOCUS version the columns follow.
pub const FOCUS_VERSION: &str = "1.2";

/// One FOCUS row. Column names are FOCUS 1.2's; ptuplan's own start with `x_`.
#[derive(Debug, Serialize)]
#[allow(non_snake_case)]
struct FocusRow<'a> {
    BilledCost: f64,
    BillingAccountId: &'a str,
    BillingAccountName: &'a str,
    BillingCurrency: &'a str,
    BillingPeriodEnd: &'a str,
    BillingPeriodStart: &'a str,
    ChargeCategory: &'a str,
    ChargeClass: &'a str,
    ChargeDescription: &'a str,
    ChargeFrequency: &'a str,
    ChargePeriodEnd: &'a str,
    ChargePeriodStart: &'a str,
    CommitmentDiscountCategory: &'a str,
    CommitmentDiscountId: &'a str,
    CommitmentDiscountName: &'a str,
    CommitmentDiscountQuantity: Option<f64>,
    CommitmentDiscountStatus: &'a str,
    CommitmentDiscountType: &'a str,
    CommitmentDiscountUnit: &'a str,
    ConsumedQuantity: Option<f64>,
    ConsumedUnit: &'a str,
    ContractedCost: f64,
    ContractedUnitPrice: f64,
    EffectiveCost: f64,
    InvoiceIssuerName: &'a str,
    ListCost: f64,
    ListUnitPrice: f64,
    PricingCategory: &'a str,
    PricingQuantity: f64,
    PricingUnit: &'a str,
    ProviderName: &'a str,
    PublisherName: &'a str,
    RegionId: &'a str,
    RegionName: &'a str,
    ResourceId: &'a str,
    ResourceName: &'a str,
    ResourceType: &'a str,
    ServiceCategory: &'a str,
    ServiceName: &'a str,
    ServiceSubcategory: &'a str,
    SkuId: &'a str,
    SubAccountId: &'a str,
    SubAccountName: &'a str,
    x_Scenario: &'a str,
    x_Month: u32,
    x_Model: &'a str,
    x_DeploymentType: &'a str,
    x_Billing: &'a str,
    x_Source: &'a str,
}

/// The billing account a projection is filed under (no real account exists yet).
pub const PROJECTION_ACCOUNT: &str = "ptuplan-projection";
/// FOCUS ServiceName: the Retail Prices API's `serviceName` of these meters since 2025-09-01
/// (`data/meters.yaml`).
pub const SERVICE_NAME: &str = "Foundry Models";

/// The start of the projection: the first day of the month after `as_of`, 00:00 UTC (the
/// reservation plan's month 1 starts then too).
pub fn projection_start(as_of: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&crate::plan::ladder::month_start(
        crate::plan::ladder::first_month(as_of),
        1,
    ))
}

fn period(start: chrono::DateTime<Utc>, month: u32) -> (String, String) {
    let hours = |m: u32| Duration::hours(730 * i64::from(m));
    let fmt = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    (
        fmt(start + hours(month.saturating_sub(1))),
        fmt(start + hours(month)),
    )
}

/// Write the report's projection as FOCUS CSV.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let as_of = report
        .catalog
        .in_force_on
        .as_deref()
        .or(report.input.end.get(..10))
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .unwrap_or_default();
    let start = projection_start(as_of);
    let mut w = csv::Writer::from_writer(out);
    let p = &report.projection;
    if p.rows.is_empty() {
        // The header alone, so tools still see the schema.
        w.write_record(HEADER)?;
    }
    let cell = |t: &str| crate::render::escape::csv_cell(t).into_owned();
    let scenario = cell(&p.scenario);
    for r in &p.rows {
        let (from, to) = period(start, r.month);
        // Names from the log and the scenarios file: no control characters, no formulas.
        let resource_id = cell(&resource_id(r));
        let description = cell(&crate::report::text::charge_description(r));
        let sku = cell(&r.sku);
        let resource_name = cell(r.deployment.as_deref().unwrap_or(""));
        let commitment_id = cell(r.commitment.as_ref().map_or("", |c| c.id.as_str()));
        let type_name = r.deployment_type.to_string();
        let commitment = r.commitment.as_ref();
        let row = FocusRow {
            BilledCost: r.billed_cost_usd,
            BillingAccountId: PROJECTION_ACCOUNT,
            BillingAccountName: "",
            BillingCurrency: "USD",
            BillingPeriodEnd: &to,
            BillingPeriodStart: &from,
            ChargeCategory: match r.category {
                ChargeCategory::Usage => "Usage",
                ChargeCategory::Purchase => "Purchase",
            },
            ChargeClass: "",
            ChargeDescription: &description,
            ChargeFrequency: match r.category {
                ChargeCategory::Purchase => "One-Time",
                ChargeCategory::Usage => "Usage-Based",
            },
            ChargePeriodEnd: &to,
            ChargePeriodStart: &from,
            CommitmentDiscountCategory: if commitment.is_some() { "Usage" } else { "" },
            CommitmentDiscountId: &commitment_id,
            CommitmentDiscountName: commitment.map_or("", |c| c.term.as_str()),
            CommitmentDiscountQuantity: commitment
                .filter(|_| r.category == ChargeCategory::Usage)
                .map(|_| r.pricing_quantity),
            CommitmentDiscountStatus: match commitment {
                Some(c) if r.category == ChargeCategory::Usage && c.unused => "Unused",
                Some(_) if r.category == ChargeCategory::Usage => "Used",
                _ => "",
            },
            CommitmentDiscountType: if commitment.is_some() {
                "Reservation"
            } else {
                ""
            },
            CommitmentDiscountUnit: if commitment.is_some() && r.category == ChargeCategory::Usage {
                "PTU-Hours"
            } else {
                ""
            },
            ConsumedQuantity: r.consumed_quantity,
            ConsumedUnit: r.consumed_unit.unwrap_or(""),
            ContractedCost: r.contracted_cost_usd(),
            ContractedUnitPrice: r.contracted_unit_price_usd,
            EffectiveCost: r.effective_cost_usd,
            InvoiceIssuerName: "Microsoft",
            ListCost: r.list_cost_usd(),
            ListUnitPrice: r.list_unit_price_usd,
            PricingCategory: match r.pricing {
                PricingCategory::Standard => "Standard",
                PricingCategory::Committed => "Committed",
            },
            PricingQuantity: r.pricing_quantity,
            PricingUnit: r.pricing_unit,
            ProviderName: "Microsoft",
            PublisherName: "Microsoft",
            RegionId: &r.region,
            RegionName: &r.region,
            ResourceId: &resource_id,
            ResourceName: &resource_name,
            ResourceType: if r.deployment.is_some() {
                "Deployment"
            } else {
                "Reservation pool"
            },
            ServiceCategory: "AI and Machine Learning",
            ServiceName: SERVICE_NAME,
            ServiceSubcategory: "Generative AI",
            SkuId: &sku,
            SubAccountId: "",
            SubAccountName: "",
            x_Scenario: &scenario,
            x_Month: r.month,
            x_Model: r.model.as_deref().unwrap_or(""),
            x_DeploymentType: &type_name,
            x_Billing: r.billing.as_str(),
            x_Source: "ptuplan projection",
        };
        w.serialize(row).map_err(io::Error::other)?;
    }
    w.flush()
}

fn resource_id(r: &ProjectedCharge) -> String {
    match &r.deployment {
        Some(d) => format!("ptuplan:{}/{}/{}", r.region, r.deployment_type, d),
        None => format!("ptuplan:{}/{}", r.region, r.deployment_type),
    }
}

/// The column names, in order.
pub const HEADER: [&str; 49] = [
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "CommitmentDiscountUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "ServiceSubcategory",
    "SkuId",
    "SubAccountId",
    "SubAccountName",
    "x_Scenario",
    "x_Month",
    "x_Model",
    "x_DeploymentType",
    "x_Billing",
    "x_Source",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_730_hour_months_from_the_next_month() {
        let start = projection_start(NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"));
        assert_eq!(period(start, 1).0, "2027-01-01T00:00:00Z");
        assert_eq!(period(start, 1).1, "2027-01-31T10:00:00Z");
        assert_eq!(period(start, 12).1, "2028-01-01T00:00:00Z");
    }
}
