//! Automatic persisted queries, `GET /graphql` with HTTP caching headers and 304, and the
//! trusted-documents mode.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::*;

const HOME: &str = "query Home { products(first: 5) { totalCount edges { node { id name } } } }";

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn get(
    app: &TestApp,
    params: &[(&str, String)],
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = app.http_get("/graphql").query(params);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn the_apq_round_trip_then_get_with_the_hash_alone() {
    let app = TestApp::spawn().await;
    let hash = sha256(HOME);
    // 1. The hash alone: the server does not know it yet.
    let res = app
        .http_post("/graphql")
        .json(&json!({ "extensions": persisted(&hash) }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    // 2. The document with its hash: run and remembered.
    let body: Value = app
        .http_post("/graphql")
        .json(&json!({ "query": HOME, "extensions": persisted(&hash) }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["products"]["totalCount"], 0, "{body}");
    // 3. From now on the hash is enough, over GET too.
    let res = get(&app, &[("extensions", persisted(&hash).to_string())], &[]).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["products"]["totalCount"], 0, "{body}");
    // A hash that is not the document's is refused.
    let res = app
        .http_post("/graphql")
        .json(&json!({ "query": "{ categories { id } }", "extensions": persisted(&hash) }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn a_persisted_mutation_is_refused_over_get() {
    let app = TestApp::spawn().await;
    let mutation = "mutation { logout(input: { refreshToken: \"x\" }) { userErrors { code } } }";
    let hash = sha256(mutation);
    app.http_post("/graphql")
        .json(&json!({ "query": mutation, "extensions": persisted(&hash) }))
        .send()
        .await
        .unwrap();
    let res = get(&app, &[("extensions", persisted(&hash).to_string())], &[]).await;
    assert_eq!(res.status(), 405);
}

#[tokio::test]
async fn public_get_answers_are_cacheable_with_an_etag_and_304() {
    let app = TestApp::spawn().await;
    let seller = app.seller().await;
    app.product(&seller, NewProduct::default()).await;
    let params = [("query", HOME.to_string())];
    let res = get(&app, &params, &[]).await;
    assert_eq!(res.status(), 200);
    let cache_control = res.headers()["cache-control"].to_str().unwrap().to_string();
    assert!(
        cache_control.starts_with("public, max-age=")
            && cache_control.contains("stale-while-revalidate="),
        "{cache_control}"
    );
    assert!(
        res.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("Authorization")
    );
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    // The phone's cache revalidates: nothing changed, 304 without a body.
    let res = get(&app, &params, &[("if-none-match", &etag)]).await;
    assert_eq!(res.status(), 304);
    assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
    assert!(res.text().await.unwrap().is_empty());
    // A write changes the answer and its ETag.
    let product = app.product(&seller, NewProduct::default()).await;
    let res = get(&app, &params, &[("if-none-match", &etag)]).await;
    assert_eq!(res.status(), 200);
    assert_ne!(res.headers()["etag"].to_str().unwrap(), etag);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["products"]["totalCount"], 2, "{product:?}");
}

#[tokio::test]
async fn private_and_failed_answers_say_private_no_store() {
    let app = TestApp::spawn().await;
    let buyer = app.buyer().await;
    let bearer = format!("Bearer {}", buyer.access_token);
    let res = get(
        &app,
        &[("query", HOME.to_string())],
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    assert!(res.headers().get("etag").is_none());
    // An answer with errors is never public.
    let res = get(&app, &[("query", "{ nope }".to_string())], &[]).await;
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    // POST answers neither.
    let res = app
        .http_post("/graphql")
        .json(&json!({ "query": HOME }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "private, no-store");
}

fn manifest_file() -> std::path::PathBuf {
    let manifest = pasar_oleh::graphql::document::manifest_of(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/clients"
    )))
    .unwrap();
    let path = scratch_dir().join("trusted-documents.json");
    std::fs::write(&path, serde_json::to_string(&manifest).unwrap()).unwrap();
    path
}

#[tokio::test]
async fn trusted_documents_mode_runs_only_registered_documents() {
    let path = manifest_file();
    let app = TestApp::spawn_with(|s| s.trusted_documents = Some(path)).await;
    let categories = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/clients/app/Categories.graphql"
    ))
    .unwrap();
    // A registered document, by its hash alone (GET) ...
    let res = get(
        &app,
        &[("extensions", persisted(&sha256(&categories)).to_string())],
        &[],
    )
    .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body["data"]["categories"].is_array(), "{body}");
    // ... or by its text, in any layout.
    let compact = categories
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ");
    let res = app
        .http_post("/graphql")
        .json(&json!({ "query": compact }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Anything else is refused with a clear code, also when it brings a matching hash.
    for body in [
        json!({ "query": "{ categories { id } }" }),
        json!({ "query": "{ categories { id } }", "extensions": persisted(&sha256("{ categories { id } }")) }),
        json!({ "extensions": persisted(&sha256("{ categories { id } }")) }),
    ] {
        let res = app.http_post("/graphql").json(&body).send().await.unwrap();
        assert_eq!(res.status(), 400, "{body}");
        let answer: Value = res.json().await.unwrap();
        assert_eq!(
            answer["errors"][0]["extensions"]["code"],
            "DOCUMENT_NOT_TRUSTED"
        );
    }
}

#[test]
fn the_committed_manifest_is_the_client_documents() {
    let root = env!("CARGO_MANIFEST_DIR");
    let manifest = pasar_oleh::graphql::document::manifest_of(std::path::Path::new(&format!(
        "{root}/clients"
    )))
    .unwrap();
    let committed = std::fs::read_to_string(format!("{root}/clients/trusted-documents.json"))
        .expect("trusted-documents.json: run `cargo run -q -- trusted-documents > clients/trusted-documents.json`");
    let committed: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&committed).unwrap();
    assert_eq!(
        committed, manifest,
        "trusted-documents.json is stale: run `cargo run -q -- trusted-documents > clients/trusted-documents.json`"
    );
}
