//! `GET /metrics`: Prometheus text with requests by operation and outcome, latency, SQL
//! statements, cache lookups and the database pool.

use serde_json::json;

use crate::helpers::TestApp;

fn value_of(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_latency_statements_and_pool() {
    let app = TestApp::spawn().await;
    let ok = "query Beranda { products(first: 5) { totalCount nodes { name } } }";
    for _ in 0..3 {
        let res = app
            .http_post("/graphql")
            .json(&json!({ "query": ok, "operationName": "Beranda" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    // A field error, and a request refused before execution (not JSON).
    app.http_post("/graphql")
        .json(&json!({
            "query": "query Gagal { product(slug: \"tidak-ada\") { name } }",
            "operationName": "Gagal"
        }))
        .send()
        .await
        .unwrap();
    app.http_post("/graphql")
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();

    let res = app.http_get("/metrics").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = res.text().await.unwrap();
    assert_eq!(
        value_of(
            &text,
            "pasar_oleh_graphql_requests_total{operation=\"Beranda\",outcome=\"ok\"}"
        ),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        value_of(
            &text,
            "pasar_oleh_graphql_requests_total{operation=\"Gagal\",outcome=\"error\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value_of(
            &text,
            "pasar_oleh_graphql_requests_total{operation=\"-\",outcome=\"refused\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value_of(
            &text,
            "pasar_oleh_graphql_request_duration_seconds_count{operation=\"Beranda\"}"
        ),
        Some(3.0)
    );
    assert_eq!(
        value_of(
            &text,
            "pasar_oleh_graphql_request_duration_seconds_bucket{operation=\"Beranda\",le=\"+Inf\"}"
        ),
        Some(3.0)
    );
    assert!(value_of(&text, "pasar_oleh_sql_statements_total").unwrap() >= 6.0);
    assert!(value_of(&text, "pasar_oleh_http_requests_total").unwrap() >= 5.0);
    assert!(text.contains("# TYPE pasar_oleh_cache_requests_total counter"));
    assert!(value_of(&text, "pasar_oleh_db_pool_connections{state=\"open\"}").unwrap() >= 1.0);
    assert_eq!(
        value_of(&text, "pasar_oleh_db_pool_connections{state=\"max\"}"),
        Some(f64::from(app.settings().database_max_connections))
    );
}
