//! The client contract: the operations the shop app, the kiosk and the office's back office
//! send live as `.graphql` documents under `clients/`. Every document must validate against the
//! committed `schema.graphql` (with an independent validator, not the server's own), hold one
//! operation named after its file, and be run by a story below, so that neither the schema nor
//! the documents can drift without a red test.

use std::path::{Path, PathBuf};

use apollo_compiler::{ExecutableDocument, Schema, executable::Operation};
use serde_json::{Value, json};

use crate::helpers::*;

const CLIENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/clients");

/// Every client document: (`app/HomeProducts`, its text).
fn documents() -> Vec<(String, String)> {
    let mut found = Vec::new();
    for client in ["app", "kiosk", "office"] {
        let dir = Path::new(CLIENTS).join(client);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
            .collect();
        files.sort();
        for file in files {
            let stem = file.file_stem().expect("file name").to_string_lossy().to_string();
            let text = std::fs::read_to_string(&file).expect("client document");
            found.push((format!("{client}/{stem}"), text));
        }
    }
    found
}

/// The text of one client document, e.g. `op("app/HomeProducts")`.
pub fn op(name: &str) -> String {
    std::fs::read_to_string(format!("{CLIENTS}/{name}.graphql"))
        .unwrap_or_else(|e| panic!("client document {name}: {e}"))
}

#[test]
fn every_client_document_validates_against_the_committed_schema() {
    let sdl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    let schema = Schema::parse_and_validate(sdl, "schema.graphql")
        .unwrap_or_else(|e| panic!("schema.graphql does not validate:\n{e}"));
    let stories = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/api/clients.rs"
    ))
    .expect("this file");
    let documents = documents();
    assert!(documents.len() >= 30, "only {} client documents", documents.len());
    let mut failures = Vec::new();
    for (name, text) in &documents {
        match ExecutableDocument::parse_and_validate(&schema, text.as_str(), format!("{name}.graphql")) {
            Err(e) => failures.push(format!("{name}: does not validate:\n{e}")),
            Ok(doc) => {
                let operations: Vec<&Operation> = doc.operations.iter().map(|o| o.as_ref()).collect();
                let stem = name.rsplit('/').next().unwrap_or_default();
                if operations.len() != 1 || operations[0].name.as_ref().map(|n| n.as_str()) != Some(stem) {
                    failures.push(format!("{name}: must hold one operation named {stem}"));
                }
            }
        }
        if !stories.contains(&format!("op(\"{name}\")")) {
            failures.push(format!("{name}: no story runs it"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Data of a client operation, failing the story on any top-level error.
async fn ok(res: GqlResponse, name: &str) -> Value {
    assert!(
        res.body.get("errors").is_none_or(|e| e.as_array().is_some_and(|a| a.is_empty())),
        "{name} failed: {res}"
    );
    res.data().clone()
}

/// A traveller on the phone app: home page, scroll, categories, search, product, seller.
#[tokio::test]
async fn shopper_story() {
    let app = TestApp::spawn_seeded().await;
    let home = ok(app.graphql(&op("app/HomeProducts"), json!({ "first": 5 })).await, "home").await;
    let page = &home["products"];
    assert_eq!(page["edges"].as_array().map(Vec::len), Some(5));
    let after = page["pageInfo"]["endCursor"].clone();
    let next = ok(
        app.graphql(&op("app/HomeProducts"), json!({ "first": 5, "after": after })).await,
        "home, page 2",
    )
    .await;
    let first_ids: Vec<&Value> = page["edges"].as_array().into_iter().flatten().map(|e| &e["node"]["id"]).collect();
    for edge in next["products"]["edges"].as_array().into_iter().flatten() {
        assert!(!first_ids.contains(&&edge["node"]["id"]), "page 2 repeats page 1");
    }

    let categories = ok(app.graphql(&op("app/Categories"), json!({})).await, "categories").await;
    assert!(categories["categories"].as_array().is_some_and(|c| c.len() > 5));

    let found = ok(
        app.graphql(&op("app/SearchProducts"), json!({ "search": "keripik" })).await,
        "search",
    )
    .await;
    let slug = found["products"]["edges"][0]["node"]["slug"].as_str().expect("a search hit").to_owned();

    let product = ok(app.graphql(&op("app/ProductDetail"), json!({ "slug": slug })).await, "product").await;
    let seller_slug = product["product"]["seller"]["slug"].as_str().expect("seller slug").to_owned();
    let seller = ok(app.graphql(&op("app/SellerPage"), json!({ "slug": seller_slug })).await, "seller").await;
    assert!(seller["seller"]["products"]["totalCount"].as_i64().is_some_and(|n| n >= 1));
}
