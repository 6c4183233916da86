//! Product search: the relevance file (`tests/search/relevance.json`) on the demo catalogue,
//! ranking and pagination, freshness after writes, facets and suggestions. Runs on SQLite, and on
//! PostgreSQL when TEST_DATABASE_URL is set.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::{NewProduct, TestApp, is_postgres};

const RELEVANCE: &str = include_str!("../search/relevance.json");

const SEARCH: &str = "query($q: String, $first: Int, $after: String) {
  products(first: $first, after: $after, filter: { search: $q }) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id name } } } }";

fn names(conn: &Value) -> Vec<String> {
    conn["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_relevance_file_passes_at_95_percent() {
    let app = TestApp::in_process_seeded().await;
    let file: Value = serde_json::from_str(RELEVANCE).unwrap();
    let queries = file["queries"].as_array().unwrap();
    assert!(queries.len() >= 60);
    let mut failures = Vec::new();
    for case in queries {
        let q = case["q"].as_str().unwrap();
        let expected: Vec<&str> = case["top5"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(!expected.is_empty(), "{q}: no expectation");
        let res = app.graphql(SEARCH, json!({ "q": q, "first": 5 })).await;
        let top = names(&res.data()["products"]);
        let missing: Vec<&str> = expected
            .iter()
            .copied()
            .filter(|name| !top.iter().any(|t| t == name))
            .collect();
        if !missing.is_empty() {
            failures.push(format!("{q:?}: missing {missing:?} in {top:?}"));
        }
    }
    let passed = queries.len() - failures.len();
    let rate = passed as f64 / queries.len() as f64;
    eprintln!(
        "relevance ({}): {passed}/{} = {:.1}%",
        if is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        queries.len(),
        rate * 100.0
    );
    for f in &failures {
        eprintln!("  {f}");
    }
    assert!(
        rate >= 0.95,
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Pages of 3 through a ranked search give exactly the one-page result, in the same order:
/// nothing repeated, nothing skipped, ties (equal scores) broken the same way every time.
#[tokio::test]
async fn ranked_pages_neither_repeat_nor_skip() {
    let app = TestApp::in_process_seeded().await;
    for q in ["keripik", "mangga anggur", "kopi", "batik"] {
        let all = app.graphql(SEARCH, json!({ "q": q, "first": 100 })).await;
        let all_names = names(&all.data()["products"]);
        let total = all.data()["products"]["totalCount"].as_u64().unwrap() as usize;
        assert_eq!(all_names.len(), total, "{q}");
        assert!(total > 6, "{q}: {total}");
        let mut paged: Vec<String> = Vec::new();
        let mut ids = HashSet::new();
        let mut after: Option<String> = None;
        loop {
            let res = app
                .graphql(SEARCH, json!({ "q": q, "first": 3, "after": after }))
                .await;
            let conn = &res.data()["products"];
            for e in conn["edges"].as_array().unwrap() {
                assert!(
                    ids.insert(e["node"]["id"].as_str().unwrap().to_string()),
                    "{q}: repeated"
                );
            }
            paged.extend(names(conn));
            if conn["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = conn["pageInfo"]["endCursor"].as_str().map(String::from);
        }
        assert_eq!(paged, all_names, "{q}");
    }
    // A cursor of another order is refused.
    let newest = app
        .graphql(
            "{ products(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let cursor = newest.data()["products"]["pageInfo"]["endCursor"].clone();
    let res = app
        .graphql(SEARCH, json!({ "q": "kopi", "first": 3, "after": cursor }))
        .await;
    assert!(res.to_string().contains("INVALID_CURSOR"), "{res}");
}

/// A write is searchable as soon as its mutation returns; hidden products are never found.
#[tokio::test]
async fn search_is_current_right_after_a_write_and_never_shows_hidden_products() {
    let app = TestApp::in_process().await;
    let seller = app.seller().await;
    let live = app
        .product(
            &seller,
            NewProduct {
                name: "Keripik Belimbing Wuluh".into(),
                description: "Renyah dan asam segar.".into(),
                ..NewProduct::default()
            },
        )
        .await;
    app.draft_product(
        &seller,
        NewProduct {
            name: "Keripik Belimbing Draft".into(),
            ..NewProduct::default()
        },
    )
    .await;
    let found = |res: &crate::helpers::GqlResponse| names(&res.data()["products"]);
    let res = app
        .graphql(SEARCH, json!({ "q": "kripik belimbing", "first": 10 }))
        .await;
    assert_eq!(found(&res), vec!["Keripik Belimbing Wuluh"]);
    assert_eq!(res.data()["products"]["totalCount"], 1);

    // Renamed: the new name is found at once, the old one no longer.
    let res = app
        .as_(&seller)
        .graphql(
            "mutation($p: ID!) { updateProduct(input: { productId: $p, product: { name: \"Dodol Belimbing\" } }) { userErrors { field code } } }",
            json!({ "p": live.gid }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
    let res = app
        .graphql(SEARCH, json!({ "q": "dodol belimbing", "first": 10 }))
        .await;
    assert_eq!(found(&res)[0], "Dodol Belimbing");
    let res = app
        .graphql(SEARCH, json!({ "q": "wuluh", "first": 10 }))
        .await;
    assert!(found(&res).is_empty(), "{res}");

    // Suspending the seller takes its products out of the results at once.
    let res = app
        .graphql(SEARCH, json!({ "q": "belimbing", "first": 10 }))
        .await;
    assert_eq!(found(&res), vec!["Dodol Belimbing"]);
    app.suspend(&seller).await;
    let res = app
        .graphql(SEARCH, json!({ "q": "belimbing", "first": 10 }))
        .await;
    assert!(found(&res).is_empty(), "{res}");
    assert_eq!(res.data()["products"]["totalCount"], 0);
}
