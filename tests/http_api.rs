//! Black-box tests over HTTP on a free port.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn health_and_readiness_answer_json() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap(),
        json!({ "status": "ok" })
    );
    let res = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["database"],
        "up"
    );
}

#[tokio::test]
async fn products_page_over_http_with_request_id() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("x-request-id", "kiosk-07-abc")
        .json(&json!({ "query": "query Beranda { products(first: 20) { edges { node { name seller { businessName } photos { url } availability { quantity outlet { code } } } } } }", "operationName": "Beranda" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-request-id"], "kiosk-07-abc");
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["products"]["edges"].as_array().unwrap().len(),
        20
    );
}

#[tokio::test]
async fn bad_arguments_are_graphql_errors_not_500s() {
    let app = TestApp::spawn().await;
    for (query, code) in [
        ("{ products(first: -1) { totalCount } }", "BAD_USER_INPUT"),
        ("{ products(first: 1000) { totalCount } }", "BAD_USER_INPUT"),
        (
            "{ products(after: \"zzz\") { totalCount } }",
            "INVALID_CURSOR",
        ),
        ("{ product(slug: \"tidak-ada\") { name } }", "NOT_FOUND"),
        (
            "{ products(first: \"x\") { totalCount } }",
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("{ nothingHere }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ products(", "GRAPHQL_VALIDATION_FAILED"),
    ] {
        let (status, body) = app.graphql(query, json!({})).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], code,
            "{query}: {body}"
        );
        let text = body.to_string().to_lowercase();
        assert!(
            !text.contains("select ") && !text.contains("sqlx"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn limits_on_depth_batch_and_body_size() {
    let app = TestApp::spawn().await;
    // Depth: a needlessly deep query is refused before it runs.
    let deep = "{ categories { children { children { children { children { children { children { children { children { children { children { children { slug } } } } } } } } } } } } }";
    let (_, body) = app.graphql(deep, json!({})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{body}"
    );
    // Cost: 100 outlets x 100 products x 100 nested products is far over the budget.
    let costly = "{ outlets(first: 100) { edges { node { products(first: 100) { edges { node { seller { products(first: 100) { edges { node { name } } } } } } } } } } }";
    let (_, body) = app.graphql(costly, json!({})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{body}"
    );
    // Batches: up to 10 operations.
    let batch: Vec<_> = (0..11)
        .map(|_| json!({ "query": "{ categories { slug } }" }))
        .collect();
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BATCH_TOO_LARGE");
    let batch: Vec<_> = (0..3)
        .map(|_| json!({ "query": "{ categories { slug } }" }))
        .collect();
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<serde_json::Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // Body size.
    let huge =
        json!({ "query": format!("{{ categories {{ slug }} }} #{}", "x".repeat(300 * 1024)) });
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .json(&huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    // Not JSON at all.
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn graphiql_in_development_and_media_served() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(format!("{}/graphql", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("graphiql"));
    let res = app
        .client
        .get(format!(
            "{}/media/demo/products/keripik-mangga-arumanis-250g.svg",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    let res = app
        .client
        .get(format!("{}/media/..%2F..%2Fetc%2Fpasswd", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}
