//! Only ACTIVE products of VERIFIED sellers are public, anywhere in the graph.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Gql;
use entity::{
    enums::{ProductStatus, SellerStatus},
    product, seller,
};
use pasar_oleh::domain::global_id::{GlobalId, NodeKind};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::collections::HashSet;

async fn hidden_products(gql: &Gql) -> Vec<product::Model> {
    let hidden_sellers: HashSet<_> = seller::Entity::find()
        .filter(seller::Column::Status.ne(SellerStatus::Verified))
        .all(&gql.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    product::Entity::find()
        .all(&gql.state.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.status != ProductStatus::Active || hidden_sellers.contains(&p.seller_id))
        .collect()
}

async fn all_public_slugs(gql: &Gql) -> (Vec<String>, i64) {
    let mut slugs = Vec::new();
    let mut after: Option<String> = None;
    let mut total: i64;
    loop {
        let data = gql
            .data(
                "query($after: String) { products(first: 100, after: $after) {
                    totalCount pageInfo { hasNextPage endCursor } edges { node { slug } } } }",
                json!({ "after": after }),
            )
            .await;
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
    let gql = Gql::seeded().await;
    let hidden = hidden_products(&gql).await;
    assert!(
        hidden.len() >= 10,
        "the demo data must contain hidden products to prove anything"
    );
    let hidden_slugs: HashSet<_> = hidden.iter().map(|p| p.slug.clone()).collect();

    let (slugs, total) = all_public_slugs(&gql).await;
    let all = product::Entity::find()
        .all(&gql.state.db)
        .await
        .unwrap()
        .len();
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
    let gql = Gql::seeded().await;
    for p in hidden_products(&gql).await {
        let code = gql
            .error_code(
                "query($s: String) { product(slug: $s) { id } }",
                json!({ "s": p.slug }),
            )
            .await;
        assert_eq!(code, "NOT_FOUND", "{}", p.slug);
        let id = GlobalId::new(NodeKind::Product, p.id).encode();
        let code = gql
            .error_code(
                "query($id: ID) { product(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(code, "NOT_FOUND");
        let data = gql
            .data(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(data["node"], Value::Null);
    }
    let hidden_sellers = seller::Entity::find()
        .filter(seller::Column::Status.ne(SellerStatus::Verified))
        .all(&gql.state.db)
        .await
        .unwrap();
    assert!(hidden_sellers.len() >= 4);
    for s in hidden_sellers {
        let code = gql
            .error_code(
                "query($s: String) { seller(slug: $s) { id } }",
                json!({ "s": s.slug }),
            )
            .await;
        assert_eq!(code, "NOT_FOUND");
        let id = GlobalId::new(NodeKind::Seller, s.id).encode();
        let data = gql
            .data(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(data["node"], Value::Null);
        // Filtering by a hidden seller yields nothing either.
        let data = gql
            .data(
                "query($id: ID) { products(filter: { sellerId: $id }) { totalCount } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(data["products"]["totalCount"], 0);
    }
}

#[tokio::test]
async fn nested_lists_respect_visibility() {
    let gql = Gql::seeded().await;
    let hidden: HashSet<String> = hidden_products(&gql)
        .await
        .into_iter()
        .map(|p| p.slug)
        .collect();
    let data = gql
        .data(
            "{ outlets(first: 12) { edges { node { code
                  sellers { slug verificationStatus products(first: 20) { totalCount edges { node { slug } } } }
                  products(first: 100) { totalCount edges { node { slug } } } } } }
               categories { slug products(first: 100) { totalCount edges { node { slug } } } }
               sellers(first: 100) { totalCount edges { node { verificationStatus } } } }",
            json!({}),
        )
        .await;
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
    use sea_orm::{ActiveModelTrait, Set};
    let gql = Gql::seeded().await;
    let data = gql
        .data(
            "{ seller(slug: \"keripik-mangga-bu-sri\") { products { totalCount } } }",
            json!({}),
        )
        .await;
    assert!(data["seller"]["products"]["totalCount"].as_i64().unwrap() > 0);
    let s = seller::Entity::find()
        .filter(seller::Column::Slug.eq("keripik-mangga-bu-sri"))
        .one(&gql.state.db)
        .await
        .unwrap()
        .unwrap();
    let before = gql.data("{ products { totalCount } }", json!({})).await["products"]["totalCount"]
        .as_i64()
        .unwrap();
    let mut active: seller::ActiveModel = s.into();
    active.status = Set(SellerStatus::Suspended);
    active.update(&gql.state.db).await.unwrap();
    let after = gql.data("{ products { totalCount } }", json!({})).await["products"]["totalCount"]
        .as_i64()
        .unwrap();
    assert!(after < before);
    let code = gql
        .error_code(
            "{ seller(slug: \"keripik-mangga-bu-sri\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code, "NOT_FOUND");
}
