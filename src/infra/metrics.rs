//! Process metrics in the Prometheus text format (`GET /metrics`), kept by hand: a few counters
//! and one histogram family need no metrics crate.
//!
//! - `pasar_oleh_graphql_requests_total{operation,outcome}`: GraphQL requests by operation name
//!   and outcome (`ok`, `error` when the response carries errors, `refused` when it was refused
//!   before execution: limits, cost, credentials, malformed requests).
//! - `pasar_oleh_graphql_request_duration_seconds{operation}`: latency histogram.
//! - `pasar_oleh_sql_statements_total` and `pasar_oleh_http_requests_total`: statements per
//!   request is their ratio (`rate(statements) / rate(requests)`); a per-request count cannot be
//!   attributed exactly, since DataLoader batches run on their own tasks and serve many requests.
//! - `pasar_oleh_cache_requests_total{cache,result}`: cache hits and misses of the caches that
//!   report them.
//! - `pasar_oleh_db_pool_connections{state}`: open and idle pool connections, and the maximum.
//!
//! Operation names are client text: at most [`MAX_OPERATIONS`] distinct names get a series of
//! their own (after `loggable_operation_name` has made them safe), later ones count as `other`.

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

/// Distinct operation names with a series of their own.
pub const MAX_OPERATIONS: usize = 200;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How a GraphQL request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Ok,
    Error,
    Refused,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Refused => "refused",
        }
    }
}

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bound, n) in BUCKETS.iter().zip(self.buckets.iter_mut()) {
            if seconds <= *bound {
                *n += 1;
            }
        }
        self.sum += seconds;
        self.count += 1;
    }
}

#[derive(Default)]
struct Requests {
    counts: BTreeMap<(String, Outcome), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// The process's metrics; shared by every worker through `AppState`.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<Requests>,
    http_requests: AtomicU64,
    cache: Mutex<BTreeMap<(&'static str, bool), u64>>,
}

/// What the exposition reads from the adapters at scrape time.
pub struct Snapshot {
    pub sql_statements: u64,
    /// Open connections, idle connections and the configured maximum.
    pub pool: Option<(u32, usize, u32)>,
}

impl Metrics {
    /// Counts one HTTP request of any path (the denominator of statements per request).
    pub fn http_request(&self) {
        self.http_requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Records one GraphQL request (`operation` as the request log shows it).
    pub fn graphql_request(&self, operation: &str, outcome: Outcome, took: Duration) {
        let Ok(mut r) = self.requests.lock() else {
            return;
        };
        let known = r.latency.contains_key(operation);
        let name = if known || r.latency.len() < MAX_OPERATIONS {
            operation
        } else {
            "other"
        };
        *r.counts.entry((name.to_string(), outcome)).or_default() += 1;
        r.latency
            .entry(name.to_string())
            .or_default()
            .observe(took.as_secs_f64());
    }

    /// Counts a lookup in the cache `cache` (e.g. `response`).
    pub fn cache_lookup(&self, cache: &'static str, hit: bool) {
        if let Ok(mut c) = self.cache.lock() {
            *c.entry((cache, hit)).or_default() += 1;
        }
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self, snapshot: &Snapshot) -> String {
        let mut out = String::with_capacity(4096);
        let _ = self.write(&mut out, snapshot);
        out
    }

    fn write(&self, out: &mut String, snapshot: &Snapshot) -> std::fmt::Result {
        writeln!(
            out,
            "# HELP pasar_oleh_graphql_requests_total GraphQL requests by operation name and outcome."
        )?;
        writeln!(out, "# TYPE pasar_oleh_graphql_requests_total counter")?;
        if let Ok(r) = self.requests.lock() {
            for ((operation, outcome), n) in &r.counts {
                writeln!(
                    out,
                    "pasar_oleh_graphql_requests_total{{operation=\"{}\",outcome=\"{}\"}} {n}",
                    label(operation),
                    outcome.as_str()
                )?;
            }
            writeln!(
                out,
                "# HELP pasar_oleh_graphql_request_duration_seconds Time from receiving a GraphQL request to its response, by operation name."
            )?;
            writeln!(
                out,
                "# TYPE pasar_oleh_graphql_request_duration_seconds histogram"
            )?;
            for (operation, h) in &r.latency {
                let op = label(operation);
                for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                    writeln!(
                        out,
                        "pasar_oleh_graphql_request_duration_seconds_bucket{{operation=\"{op}\",le=\"{bound}\"}} {n}"
                    )?;
                }
                writeln!(
                    out,
                    "pasar_oleh_graphql_request_duration_seconds_bucket{{operation=\"{op}\",le=\"+Inf\"}} {}",
                    h.count
                )?;
                writeln!(
                    out,
                    "pasar_oleh_graphql_request_duration_seconds_sum{{operation=\"{op}\"}} {}",
                    h.sum
                )?;
                writeln!(
                    out,
                    "pasar_oleh_graphql_request_duration_seconds_count{{operation=\"{op}\"}} {}",
                    h.count
                )?;
            }
        }
        writeln!(
            out,
            "# HELP pasar_oleh_http_requests_total HTTP requests of any path."
        )?;
        writeln!(out, "# TYPE pasar_oleh_http_requests_total counter")?;
        writeln!(
            out,
            "pasar_oleh_http_requests_total {}",
            self.http_requests.load(Ordering::Relaxed)
        )?;
        writeln!(
            out,
            "# HELP pasar_oleh_sql_statements_total SQL statements sent to the database; divided by pasar_oleh_http_requests_total, statements per request."
        )?;
        writeln!(out, "# TYPE pasar_oleh_sql_statements_total counter")?;
        writeln!(
            out,
            "pasar_oleh_sql_statements_total {}",
            snapshot.sql_statements
        )?;
        writeln!(
            out,
            "# HELP pasar_oleh_cache_requests_total Cache lookups by cache and result."
        )?;
        writeln!(out, "# TYPE pasar_oleh_cache_requests_total counter")?;
        if let Ok(c) = self.cache.lock() {
            for ((cache, hit), n) in c.iter() {
                let result = if *hit { "hit" } else { "miss" };
                writeln!(
                    out,
                    "pasar_oleh_cache_requests_total{{cache=\"{}\",result=\"{result}\"}} {n}",
                    label(cache)
                )?;
            }
        }
        if let Some((open, idle, max)) = snapshot.pool {
            writeln!(
                out,
                "# HELP pasar_oleh_db_pool_connections Database pool connections: open (in use and idle), idle, and the configured maximum."
            )?;
            writeln!(out, "# TYPE pasar_oleh_db_pool_connections gauge")?;
            writeln!(
                out,
                "pasar_oleh_db_pool_connections{{state=\"open\"}} {open}"
            )?;
            writeln!(
                out,
                "pasar_oleh_db_pool_connections{{state=\"idle\"}} {idle}"
            )?;
            writeln!(out, "pasar_oleh_db_pool_connections{{state=\"max\"}} {max}")?;
        }
        Ok(())
    }
}

/// A label value escaped as the text format requires.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.http_request();
        m.graphql_request("Beranda", Outcome::Ok, Duration::from_millis(3));
        m.graphql_request("Beranda", Outcome::Error, Duration::from_millis(30));
        m.cache_lookup("response", true);
        let text = m.render(&Snapshot {
            sql_statements: 7,
            pool: Some((2, 1, 10)),
        });
        assert!(
            text.contains(
                "pasar_oleh_graphql_requests_total{operation=\"Beranda\",outcome=\"ok\"} 1"
            )
        );
        assert!(text.contains(
            "pasar_oleh_graphql_request_duration_seconds_bucket{operation=\"Beranda\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "pasar_oleh_graphql_request_duration_seconds_count{operation=\"Beranda\"} 2"
        ));
        assert!(text.contains("pasar_oleh_sql_statements_total 7"));
        assert!(
            text.contains("pasar_oleh_cache_requests_total{cache=\"response\",result=\"hit\"} 1")
        );
        assert!(text.contains("pasar_oleh_db_pool_connections{state=\"max\"} 10"));
    }

    #[test]
    fn operation_names_are_bounded() {
        let m = Metrics::default();
        for i in 0..MAX_OPERATIONS + 5 {
            m.graphql_request(&format!("Op{i}"), Outcome::Ok, Duration::ZERO);
        }
        let text = m.render(&Snapshot {
            sql_statements: 0,
            pool: None,
        });
        assert!(text.contains("operation=\"other\",outcome=\"ok\"} 5"));
    }
}
