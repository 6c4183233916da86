//! The benchmark's load driver, ceiling server and results table (see `BENCHMARKS.md`).
//!
//! ```text
//! bench run --url http://127.0.0.1:18080 --scenario home [--connections 32] [--duration 10]
//!           [--warmup 2] [--server-pid PID] [--label sqlite] [--out results.jsonl]
//!           [--admin IDENTIFIER:PASSWORD]                  (the `mix` scenario writes)
//!           [--save-sample FILE]                 (the first answer's bytes, for the ceiling)
//! bench ceiling --port 18090 --body FILE   a plain actix handler answering FILE's bytes
//! bench table results.jsonl                the markdown table of a run's results
//! ```
//!
//! `run` keeps `--connections` HTTP/1.1 keep-alive connections busy over loopback for
//! `--duration` seconds after a warm-up, checks every response (status 200, no `errors`, the
//! expected number of items) and reports requests per second, p50/p99/p99.9 latency, failed
//! checks, the server's peak resident memory (VmHWM, reset before the run) and SQL statements per
//! request (from the server's `/metrics`). A server that answers errors fast does not look fast:
//! each failed check is counted and reported, and a run with failures says so.

mod http;
mod scenarios;

use std::{
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::{http::Conn, scenarios::Prepared};

#[derive(Debug, Clone)]
struct RunArgs {
    url: String,
    scenario: String,
    connections: usize,
    duration: Duration,
    warmup: Duration,
    server_pid: Option<u32>,
    label: String,
    out: Option<PathBuf>,
    admin: Option<(String, String)>,
    save_sample: Option<PathBuf>,
}

/// One scenario's result: a line of the results file.
#[derive(Debug, Serialize, Deserialize)]
pub struct Outcome {
    pub label: String,
    pub scenario: String,
    pub connections: usize,
    pub seconds: f64,
    pub requests: u64,
    pub failures: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub response_bytes: usize,
    pub statements_per_request: Option<f64>,
    pub peak_rss_mb: Option<f64>,
    pub idle_rss_mb: Option<f64>,
    pub first_failure: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => {
            let run = parse_run(&args[1..])?;
            let threads = std::env::var("BENCH_THREADS")
                .ok()
                .and_then(|t| t.parse().ok())
                .unwrap_or(1);
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(threads)
                .enable_all()
                .build()?
                .block_on(run_scenario(run))
        }
        Some("ceiling") => ceiling(&args[1..]),
        Some("table") => {
            let path = args.get(1).context("bench table RESULTS.jsonl")?;
            print!("{}", table(&std::fs::read_to_string(path)?)?);
            Ok(())
        }
        _ => {
            eprintln!(
                "usage: bench run --url URL --scenario NAME [options] | bench ceiling --port P --body FILE | bench table FILE\nscenarios: {}",
                scenarios::NAMES.join(", ")
            );
            std::process::exit(2);
        }
    }
}

fn parse_run(args: &[String]) -> anyhow::Result<RunArgs> {
    let mut run = RunArgs {
        url: "http://127.0.0.1:18080".into(),
        scenario: "home".into(),
        connections: 32,
        duration: Duration::from_secs(10),
        warmup: Duration::from_secs(2),
        server_pid: None,
        label: String::new(),
        out: None,
        admin: None,
        save_sample: None,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--url" => run.url = value.trim_end_matches('/').to_string(),
            "--scenario" => run.scenario = value.clone(),
            "--connections" => run.connections = value.parse()?,
            "--duration" => run.duration = Duration::from_secs_f64(value.parse()?),
            "--warmup" => run.warmup = Duration::from_secs_f64(value.parse()?),
            "--server-pid" => run.server_pid = Some(value.parse()?),
            "--label" => run.label = value.clone(),
            "--out" => run.out = Some(PathBuf::from(value)),
            "--save-sample" => run.save_sample = Some(PathBuf::from(value)),
            "--admin" => {
                let (id, pw) = value
                    .split_once(':')
                    .context("--admin IDENTIFIER:PASSWORD")?;
                run.admin = Some((id.to_string(), pw.to_string()));
            }
            other => bail!("unknown option {other}"),
        }
    }
    anyhow::ensure!(run.connections > 0, "--connections must be at least 1");
    Ok(run)
}

/// Resident memory of `pid` in MB: the peak (`VmHWM`) or the current (`VmRSS`).
fn rss_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resets the peak resident memory of `pid` (Linux: `echo 5 > /proc/PID/clear_refs`).
fn reset_peak(pid: u32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

/// SQL statements so far, from the server's `/metrics`.
async fn statements(host: &str) -> Option<u64> {
    let mut conn = Conn::connect(host).await.ok()?;
    let (status, body) = conn.get("/metrics").await.ok()?;
    if status != 200 {
        return None;
    }
    let text = String::from_utf8(body).ok()?;
    text.lines()
        .find(|l| l.starts_with("pasar_oleh_sql_statements_total "))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

struct Worker {
    latencies_us: Vec<u32>,
    requests: u64,
    failures: u64,
    first_failure: Option<String>,
}

async fn run_scenario(args: RunArgs) -> anyhow::Result<()> {
    let host = args
        .url
        .strip_prefix("http://")
        .context("--url must be http://HOST:PORT")?
        .to_string();
    let prepared = Arc::new(scenarios::prepare(&args.scenario, &host, args.admin.clone()).await?);
    let response_bytes = prepared.sample.len();
    if let Some(path) = &args.save_sample {
        std::fs::write(path, &prepared.sample)?;
    }
    let idle_rss = args.server_pid.and_then(|pid| rss_mb(pid, "VmRSS"));
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let sequence = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        let prepared = prepared.clone();
        let host = host.clone();
        let measuring = measuring.clone();
        let stop = stop.clone();
        let sequence = sequence.clone();
        tasks.push(tokio::spawn(async move {
            drive(&host, &prepared, &measuring, &stop, &sequence).await
        }));
    }
    tokio::time::sleep(args.warmup).await;
    if let Some(pid) = args.server_pid {
        reset_peak(pid);
    }
    let before = statements(&host).await;
    let started = Instant::now();
    measuring.store(true, Ordering::SeqCst);
    tokio::time::sleep(args.duration).await;
    measuring.store(false, Ordering::SeqCst);
    let elapsed = started.elapsed().as_secs_f64();
    let after = statements(&host).await;
    stop.store(true, Ordering::SeqCst);
    let peak_rss = args.server_pid.and_then(|pid| rss_mb(pid, "VmHWM"));
    let mut latencies = Vec::new();
    let (mut requests, mut failures, mut first_failure) = (0, 0, None);
    for task in tasks {
        let w = task.await??;
        latencies.extend(w.latencies_us);
        requests += w.requests;
        failures += w.failures;
        if first_failure.is_none() {
            first_failure = w.first_failure;
        }
    }
    latencies.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        f64::from(latencies[i]) / 1000.0
    };
    // Statements counted between the two scrapes, over the requests answered in between (the
    // second scrape is one request itself, without statements).
    let statements_per_request = match (before, after) {
        (Some(b), Some(a)) if requests > 0 => Some(a.saturating_sub(b) as f64 / requests as f64),
        _ => None,
    };
    let outcome = Outcome {
        label: args.label.clone(),
        scenario: args.scenario.clone(),
        connections: args.connections,
        seconds: elapsed,
        requests,
        failures,
        rps: requests as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        p999_ms: pct(0.999),
        response_bytes,
        statements_per_request,
        peak_rss_mb: peak_rss,
        idle_rss_mb: idle_rss,
        first_failure,
    };
    eprintln!(
        "{:<8} {:<10} {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  p99.9 {:>7.2} ms  failures {}  stmts/req {}  peak RSS {}",
        outcome.label,
        outcome.scenario,
        outcome.rps,
        outcome.p50_ms,
        outcome.p99_ms,
        outcome.p999_ms,
        outcome.failures,
        outcome
            .statements_per_request
            .map_or("-".into(), |s| format!("{s:.1}")),
        outcome
            .peak_rss_mb
            .map_or("-".into(), |m| format!("{m:.0} MB")),
    );
    if let Some(failure) = &outcome.first_failure {
        eprintln!("first failure: {failure}");
    }
    let line = serde_json::to_string(&outcome)?;
    match &args.out {
        Some(path) => {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?;
            writeln!(f, "{line}")?;
        }
        None => println!("{line}"),
    }
    if outcome.requests == 0 {
        bail!("no request completed in the window");
    }
    if outcome.failures > 0 {
        bail!("{} answers failed their checks", outcome.failures);
    }
    Ok(())
}

/// One connection: sends the scenario's requests in turn, checks each answer, records the
/// latency of those sent while measuring. A broken connection is counted and reopened.
async fn drive(
    host: &str,
    prepared: &Prepared,
    measuring: &AtomicBool,
    stop: &AtomicBool,
    sequence: &AtomicU64,
) -> anyhow::Result<Worker> {
    let mut w = Worker {
        latencies_us: Vec::with_capacity(1 << 16),
        requests: 0,
        failures: 0,
        first_failure: None,
    };
    let mut conn = Conn::connect(host).await?;
    while !stop.load(Ordering::Relaxed) {
        let n = sequence.fetch_add(1, Ordering::Relaxed) as usize;
        let request = &prepared.requests[n % prepared.requests.len()];
        let sent = Instant::now();
        let result = conn.post_raw(&request.bytes).await;
        let took = sent.elapsed();
        let counted = measuring.load(Ordering::Relaxed);
        let verdict = match result {
            Ok((status, body)) => request.check(status, &body),
            Err(err) => {
                conn = Conn::connect(host).await?;
                Err(format!("connection: {err}"))
            }
        };
        if !counted {
            continue;
        }
        w.requests += 1;
        w.latencies_us
            .push(took.as_micros().min(u128::from(u32::MAX)) as u32);
        if let Err(why) = verdict {
            w.failures += 1;
            if w.first_failure.is_none() {
                w.first_failure = Some(format!("{}: {why}", request.name));
            }
        }
    }
    Ok(w)
}

/// `bench ceiling --port P --body FILE`: the same bytes from memory, from a plain actix handler,
/// as the upper bound of what the machine serves over HTTP.
fn ceiling(args: &[String]) -> anyhow::Result<()> {
    let mut port = 18090u16;
    let mut body = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--port" => port = value.parse()?,
            "--body" => body = Some(std::fs::read(value)?),
            other => bail!("unknown option {other}"),
        }
    }
    let body = actix_web::web::Bytes::from(body.context("--body FILE")?);
    let workers = std::env::var("CEILING_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(2);
    actix_web::rt::System::new().block_on(async move {
        actix_web::HttpServer::new(move || {
            let body = body.clone();
            actix_web::App::new()
                .route(
                    "/graphql",
                    // The request body is read, as a real handler does (and as keep-alive
                    // needs: actix closes a connection whose request body was left unread).
                    actix_web::web::post().to(move |_request: actix_web::web::Bytes| {
                        let body = body.clone();
                        async move {
                            actix_web::HttpResponse::Ok()
                                .content_type("application/json")
                                .body(body)
                        }
                    }),
                )
                .route(
                    "/metrics",
                    actix_web::web::get()
                        .to(|| async { actix_web::HttpResponse::NotFound().finish() }),
                )
        })
        .workers(workers)
        .bind(("127.0.0.1", port))?
        .run()
        .await
    })?;
    Ok(())
}

/// The markdown table of a results file (one JSON object per line).
fn table(jsonl: &str) -> anyhow::Result<String> {
    let mut out = String::from(
        "| backend | scenario | conns | req/s | p50 ms | p99 ms | p99.9 ms | failed checks | SQL stmts/req | peak RSS MB | response bytes |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let o: Outcome = serde_json::from_str(line)?;
        out.push_str(&format!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {} |\n",
            o.label,
            o.scenario,
            o.connections,
            o.rps,
            o.p50_ms,
            o.p99_ms,
            o.p999_ms,
            o.failures,
            o.statements_per_request
                .map_or("-".into(), |s| format!("{s:.1}")),
            o.peak_rss_mb.map_or("-".into(), |m| format!("{m:.0}")),
            o.response_bytes,
        ));
    }
    Ok(out)
}
