//! Only ACTIVE products of VERIFIED sellers are public, anywhere in the graph.

use std::collections::HashSet;

use entity::{
    enums::{ProductStatus, SellerStatus},
    product, seller,
};
use pasar_oleh::domain::global_id::{GlobalId, NodeKind};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{NewProduct, TestApp};

// The first three tests sweep the whole demo catalogue (150 products, 46 sellers, of which some
// are pending, rejected or suspended and some products drafts or archived): they read which
// products are hidden from the database and prove none leaks anywhere in the graph.

async fn hidden_products(app: &TestApp) -> Vec<product::Model> {
    let hidden_sellers: HashSet<_> = seller::Entity::find()
        .filter(seller::Column::Status.ne(SellerStatus::Verified))
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    product::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.status != ProductStatus::Active || hidden_sellers.contains(&p.seller_id))
        .collect()
}

async fn all_public_slugs(app: &TestApp) -> (Vec<String>, i64) {
    let mut slugs = Vec::new();
    let mut after: Option<String> = None;
    let mut total: i64;
    loop {
        let data = app
            .graphql(
                "query($after: String) { products(first: 100, after: $after) {
                    totalCount pageInfo { hasNextPage endCursor } edges { node { slug } } } }",
                json!({ "after": after }),
            )
            .await;
        let data = data.data();
        let conn = &data["products"];
        total = conn["totalCount"].as_i64().unwrap();
        slugs.extend(
            conn["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["slug"].as_str().unwrap().to_string()),
        );
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(String::from);
    }
    (slugs, total)
}

#[tokio::test]
async fn hidden_products_never_appear_in_lists_or_counts() {
    let app = TestApp::in_process_seeded().await;
    let hidden = hidden_products(&app).await;
    assert!(
        hidden.len() >= 10,
        "the demo data must contain hidden products to prove anything"
    );
    let hidden_slugs: HashSet<_> = hidden.iter().map(|p| p.slug.clone()).collect();

    let (slugs, total) = all_public_slugs(&app).await;
    let all = product::Entity::find().all(app.db()).await.unwrap().len();
    assert_eq!(slugs.len(), all - hidden.len());
    assert_eq!(total as usize, slugs.len());
    assert_eq!(
        slugs.iter().collect::<HashSet<_>>().len(),
        slugs.len(),
        "pages overlap"
    );
    assert!(slugs.iter().all(|s| !hidden_slugs.contains(s)));
}

#[tokio::test]
async fn hidden_products_and_sellers_are_not_found_by_slug_id_or_node() {
    let app = TestApp::in_process_seeded().await;
    for p in hidden_products(&app).await {
        let code = app
            .graphql(
                "query($s: String) { product(slug: $s) { id } }",
                json!({ "s": p.slug }),
            )
            .await;
        assert_eq!(code.error_code(), Some("NOT_FOUND"), "{}", p.slug);
        let id = GlobalId::new(NodeKind::Product, p.id).encode();
        let code = app
            .graphql(
                "query($id: ID) { product(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(code.error_code(), Some("NOT_FOUND"));
        let data = app
            .graphql(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        let data = data.data();
        assert_eq!(data["node"], Value::Null);
    }
    let hidden_sellers = seller::Entity::find()
        .filter(seller::Column::Status.ne(SellerStatus::Verified))
        .all(app.db())
        .await
        .unwrap();
    assert!(hidden_sellers.len() >= 4);
    for s in hidden_sellers {
        let code = app
            .graphql(
                "query($s: String) { seller(slug: $s) { id } }",
                json!({ "s": s.slug }),
            )
            .await;
        assert_eq!(code.error_code(), Some("NOT_FOUND"));
        let id = GlobalId::new(NodeKind::Seller, s.id).encode();
        let data = app
            .graphql(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        let data = data.data();
        assert_eq!(data["node"], Value::Null);
        // Filtering by a hidden seller yields nothing either.
        let data = app
            .graphql(
                "query($id: ID) { products(filter: { sellerId: $id }) { totalCount } }",
                json!({ "id": id }),
            )
            .await;
        let data = data.data();
        assert_eq!(data["products"]["totalCount"], 0);
    }
}

#[tokio::test]
async fn nested_lists_respect_visibility() {
    let app = TestApp::in_process_seeded().await;
    let hidden: HashSet<String> = hidden_products(&app)
        .await
        .into_iter()
        .map(|p| p.slug)
        .collect();
    let data = app.graphql(
            "{ outlets(first: 12) { edges { node { code
                  sellers { slug verificationStatus products(first: 20) { totalCount edges { node { slug } } } }
                  products(first: 100) { totalCount edges { node { slug } } } } } }
               categories { slug products(first: 100) { totalCount edges { node { slug } } } }
               sellers(first: 100) { totalCount edges { node { verificationStatus } } } }",
            json!({}),
        )
        .await;
    let data = data.data();
    let mut seen = 0;
    let mut check = |conn: &Value| {
        let edges = conn["edges"].as_array().unwrap();
        assert!(conn["totalCount"].as_i64().unwrap() as usize >= edges.len());
        for e in edges {
            let slug = e["node"]["slug"].as_str().unwrap();
            assert!(!hidden.contains(slug), "{slug} leaked");
            seen += 1;
        }
    };
    for outlet in data["outlets"]["edges"].as_array().unwrap() {
        check(&outlet["node"]["products"]);
        for s in outlet["node"]["sellers"].as_array().unwrap() {
            assert_eq!(s["verificationStatus"], "VERIFIED");
            check(&s["products"]);
        }
    }
    for c in data["categories"].as_array().unwrap() {
        check(&c["products"]);
    }
    assert!(seen > 100);
    let sellers = &data["sellers"];
    assert_eq!(sellers["totalCount"], 40);
    assert!(
        sellers["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["verificationStatus"] == "VERIFIED")
    );
}

#[tokio::test]
async fn suspending_a_seller_hides_its_products_at_once() {
    let app = TestApp::in_process().await;
    let other = app.seller().await;
    app.product(&other, NewProduct::default()).await;
    let seller = app.seller().await;
    app.product(&seller, NewProduct::default()).await;
    app.product(&seller, NewProduct::default()).await;
    let seller_q = "query($s: String) { seller(slug: $s) { id products { totalCount } } }";
    let res = app.graphql(seller_q, json!({ "s": seller.slug })).await;
    assert_eq!(res.data()["seller"]["products"]["totalCount"], 2);
    let count = "{ products { totalCount } }";
    let before = app.graphql(count, json!({})).await.data()["products"]["totalCount"]
        .as_i64()
        .unwrap();
    app.suspend(&seller).await;
    let after = app.graphql(count, json!({})).await.data()["products"]["totalCount"]
        .as_i64()
        .unwrap();
    assert!(after < before);
    assert_eq!(after, 1);
    let res = app.graphql(seller_q, json!({ "s": seller.slug })).await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"));
}
