//! Cost arithmetic: per-token cost of token totals, and PTU cost of a PTU count over a span
//! for each billing (hourly, 1-month and 1-year reservation, the reservation prorated to the
//! span).

use serde::Serialize;

use crate::catalog::PtuPrice;

/// Hours in a billing month (the usual Azure convention, 730 h = 8,760 h / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Hours in a year.
pub const HOURS_PER_YEAR: f64 = 8760.0;

/// How an option is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Billing {
    /// Per token (Standard and Batch types).
    PerToken,
    /// Provisioned, hourly list price per PTU-hour.
    Hourly,
    /// Provisioned, Azure Reservation for 1 month.
    #[serde(rename = "reserved-1-month")]
    Reserved1Month,
    /// Provisioned, Azure Reservation for 1 year.
    #[serde(rename = "reserved-1-year")]
    Reserved1Year,
}

impl Billing {
    /// The three provisioned billings.
    pub const PROVISIONED: [Billing; 3] = [
        Billing::Hourly,
        Billing::Reserved1Month,
        Billing::Reserved1Year,
    ];

    /// The JSON/CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Billing::PerToken => "per-token",
            Billing::Hourly => "hourly",
            Billing::Reserved1Month => "reserved-1-month",
            Billing::Reserved1Year => "reserved-1-year",
        }
    }

    /// Effective USD per PTU-hour under this billing (reservations spread over their term).
    pub fn usd_per_ptu_hour(self, price: &PtuPrice) -> f64 {
        match self {
            Billing::PerToken => 0.0,
            Billing::Hourly => price.usd_per_ptu_hour,
            Billing::Reserved1Month => price.reservation_1_month_usd_per_ptu / HOURS_PER_MONTH,
            Billing::Reserved1Year => price.reservation_1_year_usd_per_ptu / HOURS_PER_YEAR,
        }
    }
}

/// PTU cost in USD of `ptus` deployed for `hours` under `billing`.
pub fn ptu_cost_usd(ptus: u32, hours: f64, billing: Billing, price: &PtuPrice) -> f64 {
    f64::from(ptus) * hours * billing.usd_per_ptu_hour(price)
}

/// Scale a cost over the log's span to a 730-hour month.
pub fn monthly_usd(cost_usd: f64, span_hours: f64) -> f64 {
    if span_hours > 0.0 {
        cost_usd * HOURS_PER_MONTH / span_hours
    } else {
        0.0
    }
}

/// Global provisioned list prices for tests: 1.00 USD per PTU-hour, 260 per 1-month and 2,652
/// per 1-year reservation.
#[cfg(test)]
pub(crate) fn test_global_price() -> PtuPrice {
    PtuPrice {
        deployment_type: crate::catalog::DeploymentTypeId::GlobalProvisioned,
        regions: None,
        usd_per_ptu_hour: 1.0,
        reservation_1_month_usd_per_ptu: 260.0,
        reservation_1_year_usd_per_ptu: 2652.0,
        effective_from: None,
        effective_to: None,
        unverified: false,
        note: None,
        source: "test".to_owned(),
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        accept_outlier: None,
        adjustments: Vec::new(),
    }
}

/// A per-token price for tests: `input_usd_per_1m` USD per million input tokens, every other
/// token free.
#[cfg(test)]
pub(crate) fn test_input_price(input_usd_per_1m: f64) -> crate::catalog::TokenPrice {
    crate::catalog::TokenPrice {
        model: "m".into(),
        deployment_type: crate::catalog::DeploymentTypeId::GlobalStandard,
        regions: None,
        input_usd_per_1m,
        cached_input_usd_per_1m: 0.0,
        cache_write_usd_per_1m: None,
        output_usd_per_1m: 0.0,
        long_context: None,
        effective_from: None,
        effective_to: None,
        unverified: false,
        note: None,
        source: "test".into(),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        accept_outlier: None,
        adjustments: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price() -> PtuPrice {
        test_global_price()
    }

    #[test]
    fn ptu_costs_per_billing_over_a_month() {
        let p = price();
        assert!((ptu_cost_usd(15, 730.0, Billing::Hourly, &p) - 10_950.0).abs() < 1e-9);
        assert!((ptu_cost_usd(15, 730.0, Billing::Reserved1Month, &p) - 3_900.0).abs() < 1e-9);
        assert!((ptu_cost_usd(15, 730.0, Billing::Reserved1Year, &p) - 15.0 * 221.0).abs() < 1e-9);
        assert!((monthly_usd(100.0, 365.0) - 200.0).abs() < 1e-9);
    }
}
