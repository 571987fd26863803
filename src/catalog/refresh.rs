//! The network side of `catalog refresh`, and the only reqwest user in ptuplan: query the public
//! Azure Retail Prices API (no authentication), follow `NextPageLink` until it is null, retry
//! 429 and 5xx answers with exponential backoff (honouring `Retry-After`) a bounded number of
//! times, and return the raw items. Turning items into prices is [`super::retail`]'s job;
//! writing the file is [`super::prices::write_prices_file`]'s.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::blocking::{Client, Response};
use reqwest::header::RETRY_AFTER;
use reqwest::{StatusCode, Url};
use serde::Deserialize;

use super::retail::RetailItem;

/// The public Retail Prices API.
pub const DEFAULT_ENDPOINT: &str = "https://prices.azure.com/api/retail/prices";

/// Timeouts, retries and limits of a fetch.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// Attempts per page (the first try included), at least 1. Default 5.
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled after each further failure. Default 1 s.
    pub base_backoff: Duration,
    /// Longest wait between attempts, also the cap on `Retry-After`. Default 60 s.
    pub max_backoff: Duration,
    /// Whole-request timeout. Default 60 s.
    pub timeout: Duration,
    /// TCP/TLS connect timeout. Default 10 s.
    pub connect_timeout: Duration,
    /// Pages followed at most (a guard against a looping `NextPageLink`). Default 1,000.
    pub max_pages: usize,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            max_attempts: 5,
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_pages: 1000,
        }
    }
}

/// Why a fetch failed. Nothing is written when it does.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The endpoint is not a URL.
    #[error("invalid endpoint `{url}`: {message}")]
    BadUrl {
        /// What was given.
        url: String,
        /// The parser's message.
        message: String,
    },
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    /// No connection (offline, DNS, refused, timed out), after every attempt.
    #[error("cannot reach {host} after {attempts} attempt(s): {detail}. Are you offline or behind a proxy (HTTPS_PROXY)? --endpoint points elsewhere")]
    Unreachable {
        /// Host of the URL.
        host: String,
        /// Attempts made.
        attempts: u32,
        /// The client's error chain.
        detail: String,
    },
    /// An HTTP error status (after retries for 429 and 5xx).
    #[error("{url} answered HTTP {status} after {attempts} attempt(s){body}")]
    Status {
        /// The page URL.
        url: String,
        /// The status code.
        status: u16,
        /// Attempts made.
        attempts: u32,
        /// `: <start of the body>` when there was one.
        body: String,
    },
    /// A page is not the API's JSON envelope.
    #[error("page {page} ({url}) is not a Retail Prices API response: {message}")]
    Malformed {
        /// 1-based page number.
        page: usize,
        /// The page URL.
        url: String,
        /// The JSON error.
        message: String,
    },
    /// `NextPageLink` points to a page already read, or there are too many pages.
    #[error("paging stopped at page {page}: {message}")]
    Paging {
        /// 1-based page number.
        page: usize,
        /// What went wrong.
        message: String,
    },
}

#[derive(Deserialize)]
struct Page {
    #[serde(rename = "Items")]
    items: Vec<RetailItem>,
    #[serde(rename = "NextPageLink", default)]
    next_page_link: Option<String>,
}

/// The first page's URL: `endpoint?$filter=serviceId eq 'ID'`, plus `armRegionName` terms
/// when regions are given. `serviceId` covers both service names (it did not change on
/// 2025-09-01 when `serviceName` did).
pub fn query_url(
    endpoint: &str,
    service_id: &str,
    regions: Option<&[String]>,
) -> Result<Url, FetchError> {
    let mut url = Url::parse(endpoint).map_err(|e| FetchError::BadUrl {
        url: endpoint.to_owned(),
        message: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::BadUrl {
            url: endpoint.to_owned(),
            message: "expected an http or https URL".to_owned(),
        });
    }
    let mut filter = format!("serviceId eq '{service_id}'");
    if let Some(regions) = regions.filter(|r| !r.is_empty()) {
        let terms: Vec<String> = regions
            .iter()
            .map(|r| format!("armRegionName eq '{r}'"))
            .collect();
        filter.push_str(&format!(" and ({})", terms.join(" or ")));
    }
    url.query_pairs_mut().append_pair("$filter", &filter);
    Ok(url)
}

/// Fetch every page from `first`, calling `progress(pages_read, items_so_far)` after each.
pub fn fetch_items(
    first: Url,
    policy: &FetchPolicy,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<RetailItem>, FetchError> {
    let client = Client::builder()
        .timeout(policy.timeout)
        .connect_timeout(policy.connect_timeout)
        .user_agent(concat!("ptuplan/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| FetchError::Client(error_chain(&e)))?;
    let mut items = Vec::new();
    let mut seen = BTreeSet::new();
    let mut next = Some(first);
    let mut page = 0;
    while let Some(url) = next.take() {
        page += 1;
        if page > policy.max_pages {
            return Err(FetchError::Paging {
                page,
                message: format!("more than {} pages", policy.max_pages),
            });
        }
        if !seen.insert(url.to_string()) {
            return Err(FetchError::Paging {
                page,
                message: format!("NextPageLink {url} was already read"),
            });
        }
        let body = get_with_retries(&client, &url, policy)?;
        let parsed: Page = serde_json::from_str(&body).map_err(|e| FetchError::Malformed {
            page,
            url: url.to_string(),
            message: e.to_string(),
        })?;
        items.extend(parsed.items);
        progress(page, items.len());
        if let Some(link) = parsed.next_page_link.filter(|l| !l.trim().is_empty()) {
            next = Some(url.join(&link).map_err(|e| FetchError::Paging {
                page,
                message: format!("NextPageLink `{link}` is not a URL: {e}"),
            })?);
        }
    }
    Ok(items)
}

/// GET one page, retrying connection failures, 429 and 5xx.
fn get_with_retries(
    client: &Client,
    url: &Url,
    policy: &FetchPolicy,
) -> Result<String, FetchError> {
    let attempts = policy.max_attempts.max(1);
    for attempt in 1..=attempts {
        let last = attempt == attempts;
        match client.get(url.clone()).send() {
            Ok(resp) if resp.status().is_success() => match resp.text() {
                Ok(body) => return Ok(body),
                Err(e) if last => return Err(unreachable(url, attempts, &e)),
                Err(_) => std::thread::sleep(backoff(attempt, policy)),
            },
            Ok(resp) => {
                let status = resp.status();
                let retryable = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
                if !retryable || last {
                    return Err(status_error(url, attempt, resp));
                }
                let wait = retry_after(&resp)
                    .map(|w| w.min(policy.max_backoff))
                    .unwrap_or_else(|| backoff(attempt, policy));
                std::thread::sleep(wait);
            }
            Err(e) if last => return Err(unreachable(url, attempts, &e)),
            Err(_) => std::thread::sleep(backoff(attempt, policy)),
        }
    }
    unreachable!("the loop returns on its last attempt")
}

/// Wait after failed attempt `attempt` (1-based): base x 2^(attempt-1), capped.
pub fn backoff(attempt: u32, policy: &FetchPolicy) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
    policy
        .base_backoff
        .saturating_mul(factor)
        .min(policy.max_backoff)
}

/// `Retry-After` in seconds (the HTTP-date form is ignored: backoff applies then).
fn retry_after(resp: &Response) -> Option<Duration> {
    let value = resp.headers().get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn status_error(url: &Url, attempts: u32, resp: Response) -> FetchError {
    let status = resp.status().as_u16();
    let text = resp.text().unwrap_or_default();
    let snippet: String = text.trim().chars().take(200).collect();
    FetchError::Status {
        url: url.to_string(),
        status,
        attempts,
        body: if snippet.is_empty() {
            String::new()
        } else {
            format!(": {snippet}")
        },
    }
}

fn unreachable(url: &Url, attempts: u32, e: &reqwest::Error) -> FetchError {
    FetchError::Unreachable {
        host: url.host_str().unwrap_or("the endpoint").to_owned(),
        attempts,
        detail: error_chain(e),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_filter_query() {
        let url = query_url(
            DEFAULT_ENDPOINT,
            "DZH31600VF1F",
            Some(&["eastus2".to_owned(), "swedencentral".to_owned()]),
        )
        .expect("url");
        let (_, filter) = url.query_pairs().next().expect("a pair");
        assert_eq!(
            filter,
            "serviceId eq 'DZH31600VF1F' and (armRegionName eq 'eastus2' or armRegionName eq 'swedencentral')"
        );
        assert!(query_url("ftp://x", "S", None).is_err());
        assert!(query_url("not a url", "S", None).is_err());
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = FetchPolicy {
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
            ..FetchPolicy::default()
        };
        assert_eq!(backoff(1, &p), Duration::from_millis(100));
        assert_eq!(backoff(2, &p), Duration::from_millis(200));
        assert_eq!(backoff(3, &p), Duration::from_millis(350));
        assert_eq!(backoff(40, &p), Duration::from_millis(350));
    }
}
