//! Black-box tests over HTTP on a free port.

use serde_json::json;

use crate::helpers::{GqlResponse, TestApp};

#[tokio::test]
async fn health_and_readiness_answer_json() {
    let app = TestApp::spawn().await;
    let res = app.http_get("/healthz").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap(),
        json!({ "status": "ok" })
    );
    let res = app.http_get("/readyz").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["database"],
        "up"
    );
}

#[tokio::test]
async fn products_page_over_http_with_request_id() {
    // The README's home page query, on the demo catalogue.
    let app = TestApp::spawn_seeded().await;
    let res = app.http_post("/graphql")
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
        let res = app.graphql(query, json!({})).await;
        assert_eq!(res.status, 200, "{query}");
        assert_eq!(res.error_code(), Some(code), "{query}: {res}");
        let body = res.body;
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
    let res = app.graphql(deep, json!({})).await;
    assert_eq!(res.error_code(), Some("GRAPHQL_VALIDATION_FAILED"), "{res}");
    // Cost: 100 outlets x 100 products x 100 nested products is far over the budget.
    let costly = "{ outlets(first: 100) { edges { node { products(first: 100) { edges { node { seller { products(first: 100) { edges { node { name } } } } } } } } } } }";
    let res = app
        .http_post("/graphql")
        .json(&json!({ "query": costly }))
        .send()
        .await
        .unwrap();
    let res = GqlResponse::read(res).await;
    assert_eq!(res.status, 400, "{res}");
    assert_eq!(res.error_code(), Some("QUERY_TOO_COSTLY"), "{res}");
    // Batches: up to 10 operations.
    let batch: Vec<_> = (0..11)
        .map(|_| json!({ "query": "{ categories { slug } }" }))
        .collect();
    let res = app.http_post("/graphql").json(&batch).send().await.unwrap();
    let res = GqlResponse::read(res).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.error_code(), Some("BATCH_TOO_LARGE"));
    let batch: Vec<_> = (0..3)
        .map(|_| json!({ "query": "{ categories { slug } }" }))
        .collect();
    let res = app.http_post("/graphql").json(&batch).send().await.unwrap();
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
    let res = app.http_post("/graphql").json(&huge).send().await.unwrap();
    assert_eq!(res.status(), 413);
    // Declared JSON, but not JSON at all.
    let res = app
        .http_post("/graphql")
        .header("content-type", "application/json")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn production_suggests_no_field_names() {
    // "Did you mean …" would map a schema whose introspection is off.
    let app = TestApp::in_process().await;
    let res = app.graphql("{ prodcts { totalCount } }", json!({})).await;
    assert!(
        res.to_string().contains("Did you mean"),
        "development helps: {res}"
    );
    let res = app
        .graphql_in_production("{ prodcts { totalCount } }")
        .await;
    assert!(
        res.body["errors"][0]["message"].is_string(),
        "refused: {res}"
    );
    assert!(!res.to_string().contains("Did you mean"), "{res}");
    assert!(!res.to_string().contains("products"), "{res}");
}

#[cfg(unix)]
#[tokio::test]
async fn the_sqlite_file_is_readable_by_the_server_only() {
    use std::os::unix::fs::PermissionsExt;
    if crate::helpers::is_postgres() {
        return; // no file
    }
    let app = TestApp::in_process().await;
    let url = &app.settings().database_url;
    let path = url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap();
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{path} is {mode:o}");
}

#[tokio::test]
async fn graphiql_in_development() {
    let app = TestApp::spawn().await;
    let res = app
        .http_get("/graphql")
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("graphiql"));
}

#[tokio::test]
async fn demo_media_is_served_and_paths_cannot_escape() {
    // The demo seed's pictures: content-addressed WebP derivatives made by the upload pipeline.
    let app = TestApp::spawn_seeded().await;
    let res = app
        .graphql(
            "{ products(first: 1) { edges { node { photos { url } } } } }",
            json!({}),
        )
        .await;
    let url = res.data()["products"]["edges"][0]["node"]["photos"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.contains("photos/") && url.contains(".webp"), "{url}");
    let res = reqwest::get(app.reachable(&url)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/webp");
    let res = app
        .http_get("/media/..%2F..%2Fetc%2Fpasswd")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}
