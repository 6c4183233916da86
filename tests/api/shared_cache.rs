//! The shared response cache: hits and misses, invalidation by every kind of write before the
//! mutation answers, answers that are never shared, halal expiry at midnight WIB, and the
//! version stamp across two instances. On the in-process backend by default; on Redis when
//! TEST_REDIS_URL is set (CI's PostgreSQL pass).

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::json;

use crate::helpers::*;

const PRODUCT: &str = "query Product($id: ID!) { product(id: $id) { name price featured halal totalStock seller { businessName } } }";
const HOME: &str =
    "query Home { products(first: 10) { totalCount edges { node { id name featured } } } }";

/// Asks `query` twice as an anonymous caller; the second answer must come from the cache
/// (no SQL statement) and equal the first.
async fn cached(app: &TestApp, query: &str, variables: serde_json::Value) -> serde_json::Value {
    let first = app.graphql(query, variables.clone()).await;
    let before = app.sql_statements();
    let second = app.graphql(query, variables).await;
    assert_eq!(app.sql_statements(), before, "a hit runs no SQL: {query}");
    assert_eq!(first.body, second.body);
    second.body["data"].clone()
}

#[tokio::test]
async fn a_repeated_public_query_is_a_hit_and_a_signed_in_callers_is_not() {
    let app = TestApp::spawn().await;
    let seller = app.seller().await;
    app.product(&seller, NewProduct::default()).await;
    let data = cached(&app, HOME, json!({})).await;
    assert_eq!(data["products"]["totalCount"], 1);
    // The same document with other layout and comments is the same entry.
    let before = app.sql_statements();
    app.graphql(
        "# home\nquery Home {\n  products(first: 10) {\n    totalCount\n    edges { node { id, name, featured } }\n  }\n}",
        json!({}),
    )
    .await;
    assert_eq!(
        app.sql_statements(),
        before,
        "normalised documents share a key"
    );
    // Other variables are another entry.
    let before = app.sql_statements();
    app.graphql(
        "query Home($n: Int) { products(first: $n) { totalCount } }",
        json!({ "n": 3 }),
    )
    .await;
    assert!(app.sql_statements() > before);
    // A signed-in caller's answers can depend on who they are: computed every time.
    let buyer = app.buyer().await;
    app.as_(&buyer).graphql(HOME, json!({})).await;
    let before = app.sql_statements();
    app.as_(&buyer).graphql(HOME, json!({})).await;
    assert!(app.sql_statements() > before, "never shared with a user");
}

#[tokio::test]
async fn answers_with_errors_are_not_kept() {
    let app = TestApp::spawn().await;
    let missing = unknown_gid(NodeKind::Product);
    let q = "query($id: ID!) { node(id: $id) { id } product(id: \"x\") { name } }";
    app.graphql(q, json!({ "id": missing })).await;
    let before = app.sql_statements();
    let res = app.graphql(q, json!({ "id": missing })).await;
    assert!(res.body["errors"].is_array(), "{res}");
    assert!(
        app.sql_statements() > before,
        "an answer with errors is computed again"
    );
}

#[tokio::test]
async fn every_kind_of_write_invalidates_before_the_mutation_answers() {
    let app = TestApp::spawn().await;
    let seller = app.seller().await;
    let outlet = app.outlet().await;
    app.place(&seller.gid, &outlet).await;
    let product = app.product(&seller, NewProduct::default()).await;
    let vars = json!({ "id": product.gid });

    // Product fields.
    cached(&app, PRODUCT, vars.clone()).await;
    let res = app
        .as_(&seller)
        .graphql(
            "mutation($p: ID!, $c: ID!) { updateProduct(input: { productId: $p, product: { categoryId: $c, name: \"Keripik Baru\", description: \"Renyah.\", price: 21000, unitLabel: \"pak\", halal: false } }) { userErrors { field code } } }",
            json!({ "p": product.gid, "c": category_id("keripik") }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
    let data = cached(&app, PRODUCT, vars.clone()).await;
    assert_eq!(data["product"]["name"], "Keripik Baru");
    assert_eq!(data["product"]["price"], 21000);

    // Featured flag.
    app.feature(&product).await;
    let data = cached(&app, PRODUCT, vars.clone()).await;
    assert_eq!(data["product"]["featured"], true);

    // Stock.
    app.stock(&outlet, &product, 7).await;
    let data = cached(&app, PRODUCT, vars.clone()).await;
    assert_eq!(data["product"]["totalStock"], 7);

    // Outlet.
    let outlet_q = "query($c: String!) { outlet(code: $c) { name } }";
    cached(&app, outlet_q, json!({ "c": outlet.code })).await;
    let res = app
        .as_(app.office().await)
        .graphql(
            "mutation($o: ID!) { updateOutlet(input: { outletId: $o, name: \"Kios Baru\" }) { userErrors { field code } } }",
            json!({ "o": outlet.gid }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
    let data = cached(&app, outlet_q, json!({ "c": outlet.code })).await;
    assert_eq!(data["outlet"]["name"], "Kios Baru");

    // Category and photo: no mutation writes them yet; a unit of work that records their
    // events (as those mutations will) invalidates all the same.
    for event in ["category", "photo"] {
        cached(&app, PRODUCT, vars.clone()).await;
        let mut tx = app.begin().await;
        tx.emit(match event {
            "category" => pasar_oleh::domain::events::DomainEvent::CategoryChanged {
                category_id: uuid::Uuid::now_v7(),
            },
            _ => pasar_oleh::domain::events::DomainEvent::PhotoChanged {
                photo_id: uuid::Uuid::now_v7(),
                owner_id: product.id,
            },
        });
        tx.commit().await.unwrap();
        let before = app.sql_statements();
        app.graphql(PRODUCT, vars.clone()).await;
        assert!(app.sql_statements() > before, "{event}: recomputed");
    }

    // Seller status: a suspended seller's products leave the public catalogue at once.
    cached(&app, HOME, json!({})).await;
    app.suspend(&seller).await;
    let data = cached(&app, HOME, json!({})).await;
    assert_eq!(data["products"]["totalCount"], 0);
    let res = app.graphql(PRODUCT, vars.clone()).await;
    assert!(res.body["data"]["product"].is_null(), "{res}");
}

#[tokio::test]
async fn a_halal_certificate_expires_at_midnight_wib_without_a_write() {
    // 23:59 WIB (UTC+7) on 10 March.
    let evening = Utc.with_ymd_and_hms(2026, 3, 10, 16, 59, 0).unwrap();
    let app = TestApp::spawn_at(evening).await;
    let seller = app.seller().await;
    app.halal_certificate_until(&seller, NaiveDate::from_ymd_opt(2026, 3, 10).unwrap())
        .await;
    let product = app
        .product(
            &seller,
            NewProduct {
                halal: true,
                ..NewProduct::default()
            },
        )
        .await;
    let vars = json!({ "id": product.gid });
    let data = cached(&app, PRODUCT, vars.clone()).await;
    assert_eq!(data["product"]["halal"], true);
    // 00:01 WIB on 11 March: the certificate has expired; the cached answer is not reused.
    app.set_time(Utc.with_ymd_and_hms(2026, 3, 10, 17, 1, 0).unwrap());
    let data = cached(&app, PRODUCT, vars).await;
    assert_eq!(data["product"]["halal"], false);
}

#[tokio::test]
async fn kiosks_share_the_cache_of_their_outlet_only() {
    let app = TestApp::spawn().await;
    let seller = app.seller().await;
    app.product(&seller, NewProduct::default()).await;
    let outlet = app.outlet().await;
    let kiosk = app.kiosk(&outlet).await;
    // Anonymous callers filled their entry; the kiosk computes its own, then hits it (its
    // credential is still checked on every request, so only the catalogue's SQL goes away).
    app.graphql(HOME, json!({})).await;
    let before = app.sql_statements();
    app.as_(&kiosk).graphql(HOME, json!({})).await;
    let miss = app.sql_statements() - before;
    let before = app.sql_statements();
    app.as_(&kiosk).graphql(HOME, json!({})).await;
    let hit = app.sql_statements() - before;
    assert!(
        hit < miss,
        "the kiosk's own entry: {miss} statements, then {hit}"
    );
}

#[tokio::test]
async fn two_instances_share_one_cache_and_see_each_others_writes() {
    let Some(_) = test_redis_url() else {
        // Two instances share a cache only through Redis: CI's PostgreSQL pass sets it.
        eprintln!("TEST_REDIS_URL is not set: two-instance test runs in .ci/run");
        return;
    };
    let (a, b) = TestApp::spawn_pair(|_| {}).await;
    let seller = a.seller().await;
    let product = a.product(&seller, NewProduct::default()).await;
    let vars = json!({ "id": product.gid });
    // B caches the answer...
    cached(&b, PRODUCT, vars.clone()).await;
    // ...and A's event reaches B's listeners...
    let mut b_events = b.events();
    a.feature(&product).await;
    let mut seen = Vec::new();
    for _ in 0..50 {
        seen.extend(b_events.drain());
        if seen.contains(&"product_changed") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        seen.contains(&"product_changed"),
        "events across instances: {seen:?}"
    );
    // ...while the write through A is visible through B at once (the stamp is shared).
    let res = b.graphql(PRODUCT, vars.clone()).await;
    assert_eq!(res["data"]["product"]["featured"], true, "{res}");
    // And A now hits what B computed.
    let before = a.sql_statements();
    let res = a.graphql(PRODUCT, vars).await;
    assert_eq!(a.sql_statements(), before);
    assert_eq!(res["data"]["product"]["featured"], true);
}
