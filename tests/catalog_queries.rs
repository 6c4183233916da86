//! Filters, search, sorting, pagination and argument errors of the public catalogue.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Gql, is_postgres};
use serde_json::{Value, json};

fn names(conn: &Value) -> Vec<String> {
    conn["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn first_page_has_sellers_photos_and_availability() {
    let gql = Gql::seeded().await;
    let data = gql
        .data(
            "{ products(first: 20) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
                 edges { cursor node { id name price unitLabel halal
                   seller { businessName verified kecamatan { code name } }
                   category { slug parent { slug } }
                   photos { url width height altText }
                   availability { quantity inStock outlet { code name } } } } } }",
            json!({}),
        )
        .await;
    let conn = &data["products"];
    let edges = conn["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 20);
    assert_eq!(conn["totalCount"], 150);
    assert_eq!(conn["pageInfo"]["hasNextPage"], true);
    assert_eq!(conn["pageInfo"]["hasPreviousPage"], false);
    for e in edges {
        let node = &e["node"];
        assert_eq!(node["seller"]["verified"], true);
        assert!(
            node["seller"]["kecamatan"]["code"]
                .as_str()
                .unwrap()
                .starts_with("35.13.")
        );
        assert!(!node["photos"].as_array().unwrap().is_empty());
        assert!(
            node["photos"][0]["url"]
                .as_str()
                .unwrap()
                .contains("/media/demo/products/")
        );
        for a in node["availability"].as_array().unwrap() {
            assert_eq!(a["inStock"], a["quantity"].as_i64().unwrap() > 0);
            assert!(a["outlet"]["code"].as_str().unwrap().starts_with("TGS-K"));
        }
    }
    assert!(
        edges
            .iter()
            .any(|e| !e["node"]["availability"].as_array().unwrap().is_empty())
    );
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps() {
    let gql = Gql::seeded().await;
    let q = "query($after: String) { products(first: 7, after: $after, sort: NAME) {
               pageInfo { hasNextPage endCursor } edges { node { name } } } }";
    let first = gql.data(q, json!({ "after": null })).await;
    let second = gql
        .data(
            q,
            json!({ "after": first["products"]["pageInfo"]["endCursor"] }),
        )
        .await;
    let both = gql
        .data(
            "{ products(first: 14, sort: NAME) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    let mut joined = names(&first["products"]);
    joined.extend(names(&second["products"]));
    assert_eq!(joined, names(&both["products"]));
}

#[tokio::test]
async fn sorts_by_price_and_name() {
    let gql = Gql::seeded().await;
    let data = gql
        .data(
            "{ up: products(first: 100, sort: PRICE_ASC) { edges { node { price } } }
               down: products(first: 100, sort: PRICE_DESC) { edges { node { price } } }
               byName: products(first: 100, sort: NAME) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    let prices = |k: &str| -> Vec<i64> {
        data[k]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["price"].as_i64().unwrap())
            .collect()
    };
    let up = prices("up");
    assert!(up.windows(2).all(|w| w[0] <= w[1]));
    let down = prices("down");
    assert!(down.windows(2).all(|w| w[0] >= w[1]));
    let by_name = names(&data["byName"]);
    let mut sorted = by_name.clone();
    sorted.sort();
    assert_eq!(by_name, sorted);
}

#[tokio::test]
async fn filters_by_category_tree_price_kecamatan_outlet_and_featured() {
    let gql = Gql::seeded().await;
    let data = gql
        .data(
            r#"{ food: products(first: 100, filter: { categorySlug: "makanan-minuman" }) { totalCount edges { node { category { slug parent { slug } } } } }
                 keripik: products(filter: { categorySlug: "keripik" }) { totalCount }
                 cheap: products(first: 100, filter: { minPrice: 10000, maxPrice: 20000 }) { edges { node { price } } }
                 tongas: products(first: 100, filter: { kecamatanCode: "35.13.23" }) { edges { node { seller { kecamatan { code } } } } }
                 featured: products(first: 100, filter: { featured: true }) { totalCount }
                 k01: outlet(code: "TGS-K01") { id products(first: 100) { totalCount edges { node { availability { quantity outlet { code } } } } } } }"#,
            json!({}),
        )
        .await;
    let food = &data["food"];
    assert!(food["totalCount"].as_i64().unwrap() > data["keripik"]["totalCount"].as_i64().unwrap());
    for e in food["edges"].as_array().unwrap() {
        let c = &e["node"]["category"];
        assert!(c["slug"] == "makanan-minuman" || c["parent"]["slug"] == "makanan-minuman");
    }
    for e in data["cheap"]["edges"].as_array().unwrap() {
        let p = e["node"]["price"].as_i64().unwrap();
        assert!((10000..=20000).contains(&p));
    }
    let tongas = data["tongas"]["edges"].as_array().unwrap();
    assert!(!tongas.is_empty());
    assert!(
        tongas
            .iter()
            .all(|e| e["node"]["seller"]["kecamatan"]["code"] == "35.13.23")
    );
    assert_eq!(data["featured"]["totalCount"], 15);
    // Everything listed at an outlet is in stock there.
    let k01 = &data["k01"]["products"];
    assert!(k01["totalCount"].as_i64().unwrap() > 0);
    for e in k01["edges"].as_array().unwrap() {
        let here = e["node"]["availability"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["outlet"]["code"] == "TGS-K01")
            .unwrap();
        assert!(here["quantity"].as_i64().unwrap() > 0);
    }
    // The same through the filter argument, by global ID.
    let id = data["k01"]["id"].clone();
    let by_filter = gql
        .data(
            "query($id: ID) { products(filter: { outletId: $id }) { totalCount } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(by_filter["products"]["totalCount"], k01["totalCount"]);
}

#[tokio::test]
async fn halal_is_never_shown_after_the_certificate_expires() {
    let gql = Gql::seeded().await;
    // The demo data holds sellers whose certificates expired in 2025 with products declared halal.
    let data = gql
        .data(
            "{ all: products(first: 100) { edges { node { slug halal halalCertificate { expired expiresOn } } } }
               after: products(first: 100, after: \"bzo5OQ\") { edges { node { slug halal halalCertificate { expired } } } }
               halal: products(first: 100, filter: { halalOnly: true }) { totalCount edges { node { halal } } } }",
            json!({}),
        )
        .await;
    let mut expired = 0;
    for conn in [&data["all"], &data["after"]] {
        for e in conn["edges"].as_array().unwrap() {
            let node = &e["node"];
            if node["halalCertificate"]["expired"] == true {
                expired += 1;
                assert_eq!(
                    node["halal"], false,
                    "{} is shown halal after expiry",
                    node["slug"]
                );
            }
        }
    }
    assert!(
        expired > 0,
        "the demo data must contain an expired certificate"
    );
    let halal = &data["halal"];
    assert!(halal["totalCount"].as_i64().unwrap() > 0);
    assert!(
        halal["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["halal"] == true)
    );
}

#[tokio::test]
async fn search_finds_substrings_everywhere_and_typos_on_postgres() {
    let gql = Gql::seeded().await;
    let q = "query($q: String) { products(first: 100, filter: { search: $q }) { totalCount edges { node { name } } } }";
    let data = gql
        .data(
            "{ products(first: 100, filter: { search: \"Mangga\" }) { edges { node { name description } } } }",
            json!({}),
        )
        .await;
    let edges = data["products"]["edges"].as_array().unwrap();
    assert!(!edges.is_empty());
    if !is_postgres() {
        assert!(edges.iter().all(|e| {
            let text = format!("{} {}", e["node"]["name"], e["node"]["description"]).to_lowercase();
            text.contains("mangga")
        }));
    }
    // Best match first: a name containing the words beats a description mentioning them.
    let data = gql.data(q, json!({ "q": "keripik mangga" })).await;
    assert!(
        names(&data["products"])[0]
            .to_lowercase()
            .starts_with("keripik mangga")
    );
    // Wildcards in the search text are literal.
    let data = gql.data(q, json!({ "q": "%" })).await;
    assert_eq!(data["products"]["totalCount"], 0);

    if is_postgres() {
        let data = gql.data(q, json!({ "q": "keripik manga" })).await;
        let found = names(&data["products"]);
        assert!(
            found.iter().take(5).any(|n| n == "Keripik Mangga Arumanis"),
            "{found:?}"
        );
        let data = gql.data(q, json!({ "q": "kripik" })).await;
        let found = names(&data["products"]);
        assert!(
            found.iter().any(|n| n.starts_with("Keripik")),
            "kripik must find keripik: {found:?}"
        );
        assert!(found.iter().any(|n| n.starts_with("Kripik")));
        let data = gql.data(q, json!({ "q": "keripik" })).await;
        assert!(
            names(&data["products"])
                .iter()
                .any(|n| n.starts_with("Kripik")),
            "keripik must find kripik"
        );
    }
}

#[tokio::test]
async fn bad_arguments_get_clear_coded_errors() {
    let gql = Gql::seeded().await;
    let cases = [
        ("{ products(first: -1) { totalCount } }", "BAD_USER_INPUT"),
        ("{ products(first: 101) { totalCount } }", "BAD_USER_INPUT"),
        (
            "{ products(after: \"not-a-cursor\") { totalCount } }",
            "INVALID_CURSOR",
        ),
        (
            "{ products(after: \"eDo1\") { totalCount } }",
            "INVALID_CURSOR",
        ),
        ("{ product(slug: \"tidak-ada\") { id } }", "NOT_FOUND"),
        ("{ product { id } }", "BAD_USER_INPUT"),
        ("{ product(id: \"garbage\") { id } }", "BAD_USER_INPUT"),
        ("{ seller(slug: \"tidak-ada\") { id } }", "NOT_FOUND"),
        ("{ outlet(code: \"XX-99\") { id } }", "NOT_FOUND"),
        (
            "{ products(filter: { minPrice: -5 }) { totalCount } }",
            "BAD_USER_INPUT",
        ),
        (
            "{ products(filter: { minPrice: 500, maxPrice: 100 }) { totalCount } }",
            "BAD_USER_INPUT",
        ),
        (
            "{ products(filter: { kecamatanCode: \"Tongas\" }) { totalCount } }",
            "BAD_USER_INPUT",
        ),
        (
            "{ products(filter: { categorySlug: \"tidak-ada\" }) { totalCount } }",
            "BAD_USER_INPUT",
        ),
        ("{ node(id: \"garbage\") { id } }", "BAD_USER_INPUT"),
        (
            "{ kecamatan(regencyCode: \"99.99\") { name } }",
            "BAD_USER_INPUT",
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(gql.error_code(query, json!({})).await, expected, "{query}");
    }
    // The field is named for the client.
    let res = gql
        .run("{ products(first: 101) { totalCount } }", json!({}))
        .await;
    let ext = res.errors[0].extensions.as_ref().unwrap();
    assert_eq!(ext.get("field"), Some(&async_graphql::Value::from("first")));
    let long = "x".repeat(101);
    let code = gql
        .error_code(
            "query($q: String) { products(filter: { search: $q }) { totalCount } }",
            json!({ "q": long }),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
}

#[tokio::test]
async fn categories_regions_and_outlets_are_browsable() {
    let gql = Gql::seeded().await;
    let data = gql
        .data(
            "{ categories { slug isFood parent { slug } children { slug } }
               kecamatan { code name regency { name } }
               outlets(first: 100) { totalCount edges { node { code location { latitude longitude }
                 openingHours { weekday opens closes } kecamatan { name } village { name } sellers { slug } } } } }",
            json!({}),
        )
        .await;
    let cats = data["categories"].as_array().unwrap();
    let food = cats
        .iter()
        .find(|c| c["slug"] == "makanan-minuman")
        .unwrap();
    assert_eq!(food["isFood"], true);
    assert!(
        food["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["slug"] == "keripik")
    );
    let kec = data["kecamatan"].as_array().unwrap();
    assert_eq!(kec.len(), 24);
    assert!(
        kec.iter()
            .any(|k| k["code"] == "35.13.23" && k["name"] == "Tongas")
    );
    assert_eq!(kec[0]["regency"]["name"], "Kabupaten Probolinggo");
    assert_eq!(data["outlets"]["totalCount"], 12);
    let k01 = &data["outlets"]["edges"][0]["node"];
    assert_eq!(k01["code"], "TGS-K01");
    assert_eq!(k01["kecamatan"]["name"], "Tongas");
    assert!(!k01["openingHours"].as_array().unwrap().is_empty());
    assert!(!k01["sellers"].as_array().unwrap().is_empty());
}
