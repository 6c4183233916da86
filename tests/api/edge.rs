//! The HTTP edge: GraphQL over HTTP media types and methods, CORS, security headers, graceful
//! shutdown of the real binary, and start-up refusals.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use pasar_oleh::settings::{CorsOrigins, Environment};
use reqwest::header::HeaderMap;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, fresh_database_url, scratch_dir};

const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const SPEC_ACCEPT: &str = "application/graphql-response+json, application/json;q=0.9";

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

// --- media types ---------------------------------------------------------------------------

#[tokio::test]
async fn post_bodies_other_than_json_are_415() {
    // Before: any body was parsed as JSON whatever its type; a text/plain or form POST is a
    // "simple" cross-site request that browsers send without asking (no preflight).
    let app = TestApp::spawn().await;
    let query = r#"{"query":"{ categories { slug } }"}"#;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let mut req = app.http_post("/graphql").body(query);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 415, "{content_type:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "UNSUPPORTED_MEDIA_TYPE"
        );
    }
    let res = app
        .http_post("/graphql")
        .header("content-type", "application/json; charset=utf-8")
        .body(query)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn graphql_response_json_uses_the_spec_statuses() {
    let app = TestApp::spawn().await;
    let post = |query: &str, accept: Option<&str>| {
        let mut req = app.http_post("/graphql").json(&json!({ "query": query }));
        if let Some(accept) = accept {
            req = req.header("accept", accept);
        }
        req.send()
    };
    // A valid query: 200 in the media type asked for.
    let res = post("{ categories { slug } }", Some(SPEC_ACCEPT))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/graphql-response+json; charset=utf-8"
    );
    assert!(res.json::<Value>().await.unwrap()["data"]["categories"].is_array());
    // Parse and validation failures never executed: 400 and no `data` entry.
    for broken in ["{ categories(", "{ nothingHere }"] {
        let res = post(broken, Some(SPEC_ACCEPT)).await.unwrap();
        assert_eq!(res.status(), 400, "{broken}");
        let body: Value = res.json().await.unwrap();
        assert!(body.get("data").is_none(), "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "GRAPHQL_VALIDATION_FAILED"
        );
    }
    // Variables that do not coerce: refused before execution too.
    let res = app
        .http_post("/graphql")
        .header("accept", SPEC_ACCEPT)
        .json(&json!({ "query": "query($n: Int!) { products(first: $n) { totalCount } }", "variables": { "n": "x" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    // An error during execution: 200, with data.
    let res = post(
        "{ product(slug: \"tidak-ada\") { name } }",
        Some(SPEC_ACCEPT),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body.get("data").is_some(), "{body}");
    // The legacy type, for clients sending no Accept, */* or application/json: 200 as before.
    for accept in [None, Some("*/*"), Some("application/json")] {
        let res = post("{ nothingHere }", accept).await.unwrap();
        assert_eq!(res.status(), 200, "{accept:?}");
        assert_eq!(res.headers()["content-type"], "application/json");
    }
}

// --- GET -----------------------------------------------------------------------------------

#[tokio::test]
async fn get_executes_queries() {
    // Before: GET /graphql served GraphiQL whatever it was asked.
    let app = TestApp::spawn().await;
    let vars = encode(r#"{"first":1}"#);
    let query = encode(
        "query Kategori($first: Int!) { products(first: $first) { totalCount } categories { slug } }",
    );
    let res = app
        .http_get(&format!(
            "/graphql?query={query}&variables={vars}&operationName=Kategori"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert!(res.headers().contains_key("x-request-id"));
    let body: Value = res.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    assert!(body["data"]["categories"].as_array().unwrap().len() > 1);
    // The same limits as POST: a costly query is refused before it runs.
    let costly = encode(
        "{ outlets(first: 100) { edges { node { products(first: 100) { edges { node { seller { products(first: 100) { edges { node { name } } } } } } } } } } }",
    );
    let res = app
        .http_get(&format!("/graphql?query={costly}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.json::<Value>().await.unwrap()["errors"][0]["extensions"]["code"],
        "QUERY_TOO_COSTLY"
    );
    // And the same caller resolution: a forged token is a 401.
    let res = app
        .http_get(&format!(
            "/graphql?query={}",
            encode("{ categories { slug } }")
        ))
        .header("authorization", "Bearer not.a.token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // Variables must be a JSON object.
    let res = app
        .http_get(&format!("/graphql?query={query}&variables=%5B1%5D"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn get_refuses_mutations_with_405() {
    // Before: a GET never ran anything; now it runs queries, and must never run a mutation (a
    // link or an <img> could otherwise change data).
    let app = TestApp::spawn().await;
    let email = format!("get-{}@contoh.id", uuid::Uuid::now_v7().simple());
    let mutation = format!(
        r#"mutation {{ register(input: {{ email: "{email}", displayName: "Lewat GET", password: "rahasia-123" }}) {{ user {{ id }} }} }}"#
    );
    let res = app
        .http_get(&format!("/graphql?query={}", encode(&mutation)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "POST");
    assert_eq!(
        res.json::<Value>().await.unwrap()["errors"][0]["extensions"]["code"],
        "METHOD_NOT_ALLOWED"
    );
    // Selected by name from a document that also holds a query.
    let doc = encode(
        "query Q { categories { slug } } mutation M { logout(input: { refreshToken: \"x\" }) { __typename } }",
    );
    let res = app
        .http_get(&format!("/graphql?query={doc}&operationName=M"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    let res = app
        .http_get(&format!("/graphql?query={doc}&operationName=Q"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Nothing was registered.
    let users = app
        .db()
        .query_one_raw(sea_orm::Statement::from_string(
            app.db().get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM users WHERE email = '{email}'"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(users, 0);
}

#[tokio::test]
async fn graphiql_only_for_browsers_in_development() {
    let app = TestApp::spawn().await;
    // A GET with no query and no HTML Accept is a bad request, not a page.
    let res = app.http_get("/graphql").send().await.unwrap();
    assert_eq!(res.status(), 400);
    // A browser gets GraphiQL with a strict policy: scripts from unpkg.com and one hash.
    let res = app
        .http_get("/graphql")
        .header("accept", BROWSER_ACCEPT)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src https://unpkg.com 'sha256-"),
        "{csp}"
    );
    assert!(!csp.contains("script-src 'unsafe-inline'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(res.text().await.unwrap().contains("graphiql"));

    let prod = TestApp::spawn_with(|s| s.environment = Environment::Production).await;
    let res = prod
        .http_get("/graphql")
        .header("accept", BROWSER_ACCEPT)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(!res.text().await.unwrap().contains("graphiql"));
}

// --- CORS ----------------------------------------------------------------------------------

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, app.url("/graphql"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cors_preflight_answers_204_for_allowed_origins() {
    // Before: OPTIONS /graphql answered 405, so no browser page on another origin could call.
    let app = TestApp::spawn_with(|s| {
        s.cors = CorsOrigins::Only(vec!["https://toko.example".into()]);
    })
    .await;
    let res = preflight(&app, "https://toko.example").await;
    assert_eq!(res.status(), 204);
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], "https://toko.example");
    assert_eq!(h["access-control-allow-methods"], "GET, POST");
    let allowed = h["access-control-allow-headers"].to_str().unwrap();
    for header in ["authorization", "content-type", "accept", "x-request-id"] {
        assert!(allowed.contains(header), "{allowed}");
    }
    assert_eq!(h["access-control-max-age"], "600");
    assert!(h.get("access-control-allow-credentials").is_none());
    // The actual request gets the origin back too.
    let res = app
        .http_post("/graphql")
        .header("origin", "https://toko.example")
        .json(&json!({ "query": "{ categories { slug } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://toko.example"
    );
    assert_eq!(
        res.headers()["access-control-expose-headers"],
        "x-request-id"
    );

    // Another origin gets no CORS header at all, preflight or not.
    let res = preflight(&app, "https://toko.example.evil").await;
    assert!(no_cors(res.headers()), "{:?}", res.headers());
    let res = app
        .http_post("/graphql")
        .header("origin", "https://evil.example")
        .json(&json!({ "query": "{ categories { slug } }" }))
        .send()
        .await
        .unwrap();
    assert!(no_cors(res.headers()), "{:?}", res.headers());
}

#[tokio::test]
async fn production_allows_no_origin_by_default() {
    let app = TestApp::spawn_with(|s| {
        s.environment = Environment::Production;
        s.cors = CorsOrigins::Only(vec![]);
    })
    .await;
    let res = preflight(&app, "http://localhost:5173").await;
    assert!(no_cors(res.headers()));
    // Development allows any origin.
    let dev = TestApp::spawn().await;
    let res = preflight(&dev, "http://localhost:5173").await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
}

fn no_cors(headers: &HeaderMap) -> bool {
    !headers
        .keys()
        .any(|k| k.as_str().starts_with("access-control-"))
}

// --- security headers ----------------------------------------------------------------------

#[tokio::test]
async fn security_headers_on_every_response() {
    let app = TestApp::spawn().await;
    let huge =
        json!({ "query": format!("{{ categories {{ slug }} }} #{}", "x".repeat(300 * 1024)) });
    let responses = vec![
        ("healthz", app.http_get("/healthz").send().await.unwrap()),
        (
            "graphql",
            app.http_post("/graphql")
                .json(&json!({ "query": "{ categories { slug } }" }))
                .send()
                .await
                .unwrap(),
        ),
        (
            "415",
            app.http_post("/graphql").body("x").send().await.unwrap(),
        ),
        (
            "413",
            app.http_post("/graphql").json(&huge).send().await.unwrap(),
        ),
        ("404", app.http_get("/nothing-here").send().await.unwrap()),
        (
            "405",
            reqwest::Client::new()
                .delete(app.url("/graphql"))
                .send()
                .await
                .unwrap(),
        ),
    ];
    for (what, res) in responses {
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
        assert_eq!(h["x-frame-options"], "DENY", "{what}");
        // GraphQL answers can depend on the caller: `private, no-store`; the rest `no-store`.
        let expected = if what == "graphql" {
            "private, no-store"
        } else {
            "no-store"
        };
        assert_eq!(h["cache-control"], expected, "{what}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{what}"
        );
    }
}

// --- the real binary: shutdown and start-up refusals ---------------------------------------

/// The server binary with a clean, explicit environment (no `.env` from the working folder).
fn server(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pasar-oleh"));
    cmd.env_clear()
        .current_dir(dir)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATA_DIR", dir)
        .env("SEED_DEMO", "false")
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .env("JWT_SECRET", "edge-test-secret-edge-test-secret-0123")
        .stdin(Stdio::null());
    cmd
}

#[tokio::test]
async fn a_network_bind_without_app_env_refuses_to_start() {
    let dir = scratch_dir();
    let out = server(&dir)
        .env("BIND", "0.0.0.0:0")
        .env("DATABASE_URL", fresh_database_url(&dir).await)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("APP_ENV") && stderr.contains("0.0.0.0:0"),
        "{stderr}"
    );
}

#[tokio::test]
async fn sigterm_drains_finishes_writes_and_exits_within_the_grace_period() {
    const GRACE: Duration = Duration::from_secs(10);
    let dir = scratch_dir();
    let database_url = fresh_database_url(&dir).await;
    let mut child = server(&dir)
        .env("APP_ENV", "development")
        .env("BIND", "127.0.0.1:0")
        .env("DATABASE_URL", &database_url)
        .env("SHUTDOWN_GRACE_SECONDS", GRACE.as_secs().to_string())
        .env("SHUTDOWN_DRAIN_SECONDS", "1")
        .env("REGISTRATIONS_PER_ADDRESS", "100000")
        .env("PASSWORD_HASH_QUEUE", "1000")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The port is in the "listening" log line; the rest of the log is drained in the background.
    let stdout = child.stdout.take().unwrap();
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(port) = serde_json::from_str::<Value>(&line)
                .ok()
                .and_then(|v| v["port"].as_u64())
            {
                let _ = port_tx.send(port);
            }
        }
    });
    let port = port_rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the server logs its port");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // A burst of registrations, one every 30 ms, longer than the drain, each a write of its own.
    let burst: Vec<_> = (0..60)
        .map(|i| {
            let client = client.clone();
            let base = base.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(30 * i)).await;
                let email = format!("burst-{i}-{}@contoh.id", uuid::Uuid::now_v7().simple());
                let res = client
                    .post(format!("{base}/graphql"))
                    .json(&json!({
                        "query": "mutation($input: RegisterUserInput!) { register(input: $input) { user { id } userErrors { code } } }",
                        "variables": { "input": { "email": email, "displayName": "Pembeli Burst", "password": "rahasia-123" } }
                    }))
                    .send()
                    .await
                    .ok()?;
                let body: Value = res.json().await.ok()?;
                body["data"]["register"]["user"]["id"]
                    .is_string()
                    .then_some(email)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let terminated = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());

    // Readiness drops first, while the server still answers.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);

    let mut succeeded = Vec::new();
    for task in burst {
        if let Some(email) = task.await.unwrap() {
            succeeded.push(email);
        }
    }
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    let took = terminated.elapsed();
    assert!(status.success(), "{status}");
    assert!(took <= GRACE, "exited {took:?} after SIGTERM");
    assert!(!succeeded.is_empty(), "no registration got through");
    eprintln!(
        "shutdown: {} registrations answered success (of 60), exit {took:?} after SIGTERM",
        succeeded.len()
    );

    // Every write the client saw succeed is in the database.
    let db = sea_orm::Database::connect(&database_url).await.unwrap();
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT email FROM users WHERE email LIKE 'burst-%'",
        ))
        .await
        .unwrap();
    let stored: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "email").unwrap())
        .collect();
    for email in &succeeded {
        assert!(
            stored.contains(email),
            "{email} answered success but is missing"
        );
    }
    db.close().await.unwrap();
}
