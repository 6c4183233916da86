//! Rate limits per caller and minute: HTTP 429 with `Retry-After` and RATE_LIMITED with the
//! seconds to wait; batched operations and aliases count through the query cost; login limits
//! across two instances; what each limit does while Redis is down (fail over to this
//! instance's counters, or open), and recovery when Redis returns.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::{Value, json};

use crate::helpers::*;

const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { tokens { accessToken } userErrors { code } } }";
const CATEGORIES: &str = "{ categories { id } }";

async fn post(app: &TestApp, body: Value) -> (u16, Option<String>, Value) {
    let res = app.http_post("/graphql").json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, retry, res.json().await.unwrap_or(Value::Null))
}

fn login_body(identifier: &str, password: &str) -> Value {
    json!({ "query": LOGIN, "variables": { "input": { "identifier": identifier, "password": password } } })
}

/// The code and `retryAfter` of a limited answer (single or the first of a batch).
fn limited(body: &Value) -> (String, u64) {
    let error = &body["errors"][0];
    (
        error["extensions"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string(),
        error["extensions"]["retryAfter"].as_u64().unwrap_or(0),
    )
}

#[tokio::test]
async fn the_query_budget_counts_every_operation_of_a_batch_and_every_alias() {
    let probe = TestApp::spawn().await;
    let one = probe.cost_of(CATEGORIES, json!({})).await.unwrap() as u64;
    let aliased = "{ a: categories { id } b: categories { id } }";
    let two = probe.cost_of(aliased, json!({})).await.unwrap() as u64;
    assert!(two >= 2 * one, "each alias costs: {one} vs {two}");
    // A budget of four single queries.
    let app = TestApp::spawn_with(|s| s.rate_limits.query_cost = Some(4 * one)).await;
    // A batch of three spends three.
    let batch = json!([{ "query": CATEGORIES }, { "query": CATEGORIES }, { "query": CATEGORIES }]);
    let (status, _, _) = post(&app, batch).await;
    assert_eq!(status, 200);
    // An aliased pair no longer fits in the one left.
    let (status, retry, body) = post(&app, json!({ "query": aliased })).await;
    assert_eq!(status, 429, "{body}");
    let (code, wait) = limited(&body);
    assert_eq!(code, "RATE_LIMITED");
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(retry.unwrap(), wait.to_string());
    // A single one still does: a refused request spent nothing.
    let (status, _, body) = post(&app, json!({ "query": CATEGORIES })).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, _) = post(&app, json!({ "query": CATEGORIES })).await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn logins_per_minute_are_limited_with_429_and_retry_after() {
    let app = TestApp::spawn_with(|s| s.rate_limits.login = Some(3)).await;
    let ani = app.buyer().await; // one login spent
    for _ in 0..2 {
        let (status, _, body) = post(&app, login_body(&ani.email, "salah-salah")).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, retry, body) = post(&app, login_body(&ani.email, PASSWORD)).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(limited(&body).0, "RATE_LIMITED");
    assert!(retry.unwrap().parse::<u64>().unwrap() >= 1);
    assert!(body["data"]["login"].is_null(), "{body}");
}

#[tokio::test]
async fn registrations_per_minute_are_limited() {
    let app = TestApp::spawn_with(|s| s.rate_limits.registration = Some(1)).await;
    let register = |n: u32| {
        json!({ "query": "mutation($i: RegisterUserInput!) { register(input: $i) { user { id } } }",
                "variables": { "i": { "email": unique_email(&format!("r{n}")), "displayName": "Uji", "password": PASSWORD } } })
    };
    let (status, _, _) = post(&app, register(1)).await;
    assert_eq!(status, 200);
    let (status, _, body) = post(&app, register(2)).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(limited(&body).0, "RATE_LIMITED");
}

#[tokio::test]
async fn refreshes_per_minute_are_limited() {
    let app = TestApp::spawn_with(|s| s.rate_limits.refresh = Some(1)).await;
    let ani = app.buyer().await;
    let refresh = |token: &str| {
        json!({ "query": "mutation($t: String!) { refreshToken(input: { refreshToken: $t }) { tokens { refreshToken } userErrors { code } } }",
                "variables": { "t": token } })
    };
    let (status, _, body) = post(&app, refresh(&ani.refresh_token)).await;
    assert_eq!(status, 200, "{body}");
    let next = body["data"]["refreshToken"]["tokens"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _, body) = post(&app, refresh(&next)).await;
    assert_eq!(status, 429, "{body}");
}

#[tokio::test]
async fn uploads_per_minute_are_limited_per_address() {
    use pasar_oleh::infra::media::{ContentType, MediaKey};
    if is_s3() {
        return; // S3 takes the uploads itself; its limits are the bucket's.
    }
    let app = TestApp::spawn_with(|s| s.rate_limits.uploads = Some(1)).await;
    let upload = || async {
        let bytes = b"\x89PNG\r\n\x1a\nupload".to_vec();
        let key = MediaKey::for_upload(ContentType::Png);
        let signed = app
            .media()
            .presign_put(
                &key,
                ContentType::Png,
                bytes.len() as u64,
                Duration::from_secs(60),
            )
            .await
            .unwrap();
        let mut req = reqwest::Client::new().put(app.reachable(&signed.url));
        for (name, value) in &signed.headers {
            if name != "content-length" {
                req = req.header(name, value);
            }
        }
        let res = req.body(bytes).send().await.unwrap();
        (
            res.status().as_u16(),
            res.headers().get("retry-after").is_some(),
        )
    };
    assert_eq!(upload().await.0, 200);
    assert_eq!(upload().await, (429, true));
}

/// A Redis server of this test's own, on a free port, that the test can stop and start.
struct OwnRedis {
    port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut me = OwnRedis { port, child: None };
        me.resume();
        me
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (CI installs it)");
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn readiness(app: &TestApp) -> (u16, Value) {
    let res = app.http_get("/readyz").send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn with_redis_at_a_dead_port_the_api_answers_and_limits_fall_back_as_documented() {
    let app = TestApp::spawn_with(|s| {
        s.redis_url = Some("redis://127.0.0.1:1".into());
        s.rate_limits.login = Some(3);
        s.rate_limits.query_cost = Some(1);
    })
    .await;
    let (status, body) = readiness(&app).await;
    assert_eq!(status, 200, "degraded, not down: {body}");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["cache"], "degraded");
    // The catalogue answers from the database, repeatedly, without a 5xx; the query budget
    // fails open (a cost of far more than 1 passes).
    for _ in 0..3 {
        let (status, _, body) = post(&app, json!({ "query": CATEGORIES })).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["data"]["categories"].is_array(), "{body}");
    }
    // The login limit holds on this instance's own counters (fails over, never open).
    let email = unique_email("ani");
    for _ in 0..3 {
        let (status, _, body) = post(&app, login_body(&email, "salah-salah")).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, _, body) = post(&app, login_body(&email, "salah-salah")).await;
    assert_eq!(status, 429, "the login limit holds without Redis: {body}");
}

#[tokio::test]
async fn redis_stopped_mid_run_then_back_caching_resumes_without_a_restart() {
    if test_redis_url().is_none() {
        eprintln!("TEST_REDIS_URL is not set: the Redis outage test runs in .ci/run");
        return;
    }
    let mut redis = OwnRedis::start();
    let url = redis.url();
    let app = TestApp::spawn_with(|s| s.redis_url = Some(url)).await;
    let seller = app.seller().await;
    app.product(&seller, NewProduct::default()).await;
    let q = "{ products(first: 5) { totalCount } }";
    app.graphql(q, json!({})).await;
    let before = app.sql_statements();
    app.graphql(q, json!({})).await;
    assert_eq!(app.sql_statements(), before, "a hit in Redis");
    assert_eq!(readiness(&app).await.1["status"], "ok");

    redis.stop();
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let res = app.graphql(q, json!({})).await;
        assert_eq!(res["data"]["products"]["totalCount"], 1, "{res}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "no long waits on Redis"
        );
    }
    let (status, body) = readiness(&app).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("degraded")));
    // A write while Redis is away: its answer must not be hidden by an old entry later.
    app.product(&seller, NewProduct::default()).await;

    redis.resume();
    let mut back = false;
    for _ in 0..100 {
        if readiness(&app).await.1["status"] == "ok" {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(back, "readiness recovers");
    // The restarted Redis is empty; the answer is fresh, then cached again.
    let res = app.graphql(q, json!({})).await;
    assert_eq!(res["data"]["products"]["totalCount"], 2, "{res}");
    let before = app.sql_statements();
    app.graphql(q, json!({})).await;
    assert_eq!(app.sql_statements(), before, "caching resumed");
}

#[tokio::test]
async fn login_limits_hold_across_two_instances() {
    if test_redis_url().is_none() {
        eprintln!("TEST_REDIS_URL is not set: the two-instance test runs in .ci/run");
        return;
    }
    let (a, b) = TestApp::spawn_pair(|s| s.rate_limits.login = Some(4)).await;
    let email = unique_email("ani");
    // Four attempts from one address, alternating instances, use the whole budget ...
    for (i, app) in [&a, &b, &a, &b].into_iter().enumerate() {
        let (status, _, body) = post(app, login_body(&email, "salah-salah")).await;
        assert_eq!(status, 200, "attempt {i}: {body}");
    }
    // ... and the fifth is refused by either.
    for app in [&a, &b] {
        let (status, _, body) = post(app, login_body(&email, "salah-salah")).await;
        assert_eq!(status, 429, "{body}");
    }
}

#[tokio::test]
async fn failed_login_counters_are_shared_across_two_instances() {
    if test_redis_url().is_none() {
        eprintln!("TEST_REDIS_URL is not set: the two-instance test runs in .ci/run");
        return;
    }
    let (a, b) = TestApp::spawn_pair(|_| {}).await;
    let ani = a.buyer().await;
    // Five failures on one account from one address, spread over both instances, lock that
    // address out of the account on both.
    for app in [&a, &b, &a, &b, &a] {
        let (_, _, body) = post(app, login_body(&ani.email, "salah-salah")).await;
        assert_eq!(
            body["data"]["login"]["userErrors"][0]["code"], "INVALID_CREDENTIALS",
            "{body}"
        );
    }
    let (_, _, body) = post(&b, login_body(&ani.email, PASSWORD)).await;
    assert_eq!(
        body["data"]["login"]["userErrors"][0]["code"], "TOO_MANY_ATTEMPTS",
        "{body}"
    );
}
