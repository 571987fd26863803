//! The network side of `catalog refresh`, and the only reqwest user in ptuplan: query the public
//! Azure Retail Prices API (no authentication), follow `NextPageLink` until it is null, retry
//! 429 and 5xx answers with exponential backoff (honouring `Retry-After`) a bounded number of
//! times, and return the raw items. Every read is bounded: a page body (64 MiB), the whole
//! download (256 MiB), its duration (30 minutes) and the page count (1,000), so that a server
//! that streams an endless page ends the fetch with an error, never by exhausting memory. Turning items into prices is [`super::retail`]'s job;
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
    /// Largest page body read, bytes. Default [`MAX_PAGE_BYTES`] (64 MiB; a real page of 100
    /// items is about 100 KB).
    pub max_page_bytes: u64,
    /// Largest download over all pages, bytes. Default [`MAX_TOTAL_BYTES`] (256 MiB).
    pub max_total_bytes: u64,
    /// Longest fetch over all pages, attempts and waits. Default 30 minutes.
    pub max_total_time: Duration,
}

/// Default bound on one page body, bytes.
pub const MAX_PAGE_BYTES: u64 = 64 << 20;
/// Default bound on the whole download, bytes.
pub const MAX_TOTAL_BYTES: u64 = 256 << 20;
/// At most this much of an error page is read (for its first 200 characters in the message).
const MAX_ERROR_BODY_BYTES: u64 = 64 << 10;

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            max_attempts: 5,
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_pages: 1000,
            max_page_bytes: MAX_PAGE_BYTES,
            max_total_bytes: MAX_TOTAL_BYTES,
            max_total_time: Duration::from_secs(30 * 60),
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
    /// A page, or the download as a whole, exceeds its size or time bound (a page's time
    /// after every attempt).
    #[error("page {page} ({url}): {message}; nothing was read past the bound (is --endpoint the Retail Prices API?)")]
    TooLarge {
        /// 1-based page number.
        page: usize,
        /// The page URL.
        url: String,
        /// Which bound and its figure.
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
    let mut budget = Budget {
        bytes_left: policy.max_total_bytes,
        deadline: std::time::Instant::now() + policy.max_total_time,
    };
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
        let body = get_with_retries(&client, &url, page, policy, &mut budget)?;
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

/// What is left of the whole download's bounds.
struct Budget {
    bytes_left: u64,
    deadline: std::time::Instant,
}

/// Why reading a body stopped.
enum BodyError {
    /// The connection failed (retried like a failed request).
    Io(std::io::Error),
    /// A bound was reached (not retried).
    Bound(String),
    /// The page took longer than its timeout (retried like a failed request).
    Slow(String),
}

/// Read a page body, at most `policy.max_page_bytes` and what is left of the download, by
/// `page_deadline` (the page's `policy.timeout` from its request) and the download's deadline.
/// The client's timeout bounds each wait for data; these deadlines bound the whole read, so a
/// server that trickles a byte a second cannot hold the refresh past them.
fn read_body(
    resp: Response,
    policy: &FetchPolicy,
    budget: &mut Budget,
    page_deadline: std::time::Instant,
) -> Result<String, BodyError> {
    use std::io::Read;
    let limit = policy.max_page_bytes.min(budget.bytes_left);
    let bound = |read_more: bool| {
        if limit < policy.max_page_bytes {
            format!(
                "the download exceeds its bound of {} over all pages",
                bytes_text(policy.max_total_bytes)
            )
        } else {
            format!(
                "the body {} its bound of {}",
                if read_more { "exceeds" } else { "would exceed" },
                bytes_text(policy.max_page_bytes)
            )
        }
    };
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(BodyError::Bound(bound(false)));
    }
    let slow = |read: usize| {
        BodyError::Slow(format!(
            "the body is not complete after {} s, its bound per page ({} read)",
            policy.timeout.as_secs_f64(),
            bytes_text(read as u64)
        ))
    };
    let mut body = Vec::new();
    let mut reader = resp.take(limit + 1);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // The client ends a request at its timeout (the page's, or what is left of the
            // fetch): that is the bound, not a broken connection.
            Err(_) if std::time::Instant::now() >= budget.deadline => {
                return Err(BodyError::Bound(total_time_bound(policy)))
            }
            Err(_) if std::time::Instant::now() >= page_deadline => return Err(slow(body.len())),
            Err(e) => return Err(BodyError::Io(e)),
        };
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
        let now = std::time::Instant::now();
        if now >= budget.deadline {
            return Err(BodyError::Bound(total_time_bound(policy)));
        }
        if now >= page_deadline {
            return Err(slow(body.len()));
        }
    }
    if body.len() as u64 > limit {
        return Err(BodyError::Bound(bound(true)));
    }
    budget.bytes_left -= body.len() as u64;
    String::from_utf8(body).map_err(|_| BodyError::Bound("the body is not UTF-8 text".to_owned()))
}

/// The message of the whole fetch's time bound.
fn total_time_bound(policy: &FetchPolicy) -> String {
    format!(
        "the fetch exceeds its bound of {} s over all pages",
        policy.max_total_time.as_secs_f64()
    )
}

/// `64 MiB`, `1.5 KiB`.
fn bytes_text(n: u64) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} bytes")
    }
}

/// GET one page, retrying connection failures, 429 and 5xx.
fn get_with_retries(
    client: &Client,
    url: &Url,
    page: usize,
    policy: &FetchPolicy,
    budget: &mut Budget,
) -> Result<String, FetchError> {
    let attempts = policy.max_attempts.max(1);
    let too_large = |message: String| FetchError::TooLarge {
        page,
        url: url.to_string(),
        message,
    };
    // A wait never runs past the whole fetch's deadline.
    let sleep = |wait: Duration, budget: &Budget| {
        std::thread::sleep(
            wait.min(
                budget
                    .deadline
                    .saturating_duration_since(std::time::Instant::now()),
            ),
        )
    };
    for attempt in 1..=attempts {
        let started = std::time::Instant::now();
        let Some(left) = budget
            .deadline
            .checked_duration_since(started)
            .filter(|d| !d.is_zero())
        else {
            return Err(too_large(total_time_bound(policy)));
        };
        let last = attempt == attempts;
        // Each wait for data is bounded by the page's timeout and what is left of the fetch.
        let request = client.get(url.clone()).timeout(policy.timeout.min(left));
        match request.send() {
            Ok(resp) if resp.status().is_success() => {
                match read_body(resp, policy, budget, started + policy.timeout) {
                    Ok(body) => return Ok(body),
                    Err(BodyError::Bound(message)) => return Err(too_large(message)),
                    Err(BodyError::Io(e)) if last => {
                        return Err(FetchError::Unreachable {
                            host: url.host_str().unwrap_or("the endpoint").to_owned(),
                            attempts,
                            detail: error_chain(&e),
                        })
                    }
                    Err(BodyError::Slow(message)) if last => {
                        return Err(too_large(format!("{message}, after {attempts} attempt(s)")))
                    }
                    Err(BodyError::Io(_) | BodyError::Slow(_)) => {
                        sleep(backoff(attempt, policy), budget)
                    }
                }
            }
            Ok(resp) => {
                let status = resp.status();
                let retryable = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
                if !retryable || last {
                    return Err(status_error(url, attempt, resp));
                }
                let wait = retry_after(&resp)
                    .map(|w| w.min(policy.max_backoff))
                    .unwrap_or_else(|| backoff(attempt, policy));
                sleep(wait, budget);
            }
            Err(e) if last => return Err(unreachable(url, attempts, &e)),
            Err(_) => sleep(backoff(attempt, policy), budget),
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
    use std::io::Read;
    let status = resp.status().as_u16();
    let mut bytes = Vec::new();
    // An error page is read only as far as its message needs.
    let _ = resp.take(MAX_ERROR_BODY_BYTES).read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
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
