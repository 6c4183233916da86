//! Only ACTIVE products of VERIFIED sellers are public, anywhere in the graph.

use std::collections::HashSet;

use entity::{
    enums::{ProductStatus, SellerStatus},
    product, seller,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{NewProduct, NodeKind, TestApp, UserError, gid};

/// A catalogue with something hidden in every way: seller V (verified) has four active
/// products, two drafts, one archived and one unpublished; W (verified) two active; S had three
/// active products and was suspended; P (pending) has two drafts; R one draft and was rejected;
/// Q (pending) has nothing. V, S and P have a place at one outlet, where two products of V and
/// one of S are in stock.
struct World {
    app: TestApp,
    outlet_code: String,
    /// Slugs of the public products (V's and W's active ones).
    visible: HashSet<String>,
    /// Slugs of the products in stock at the outlet and public.
    at_outlet: HashSet<String>,
    verified_slug: String,
}

async fn world() -> World {
    let app = TestApp::in_process().await;
    let v = app.seller().await;
    let w = app.seller().await;
    let s = app.seller().await;
    let p = app.pending_seller().await;
    let r = app.pending_seller().await;
    app.pending_seller().await;
    let outlet = app.outlet().await;
    for seller in [&v, &s, &p] {
        app.place(&seller.gid, &outlet).await;
    }
    let mut active = Vec::new();
    for i in 0..4 {
        let category = if i % 2 == 0 { "keripik" } else { "anyaman" };
        let new = NewProduct {
            category,
            ..NewProduct::default()
        };
        active.push(app.product(&v, new).await);
    }
    for _ in 0..2 {
        active.push(app.product(&w, NewProduct::default()).await);
        app.draft_product(&v, NewProduct::default()).await;
        app.draft_product(&p, NewProduct::default()).await;
    }
    for mutation in ["archiveProduct", "unpublishProduct"] {
        let product = app.product(&v, NewProduct::default()).await;
        let res = app
            .as_(&v)
            .graphql(
                &format!("mutation($p: ID!) {{ {mutation}(input: {{ productId: $p }}) {{ userErrors {{ field code }} }} }}"),
                json!({ "p": product.gid }),
            )
            .await;
        assert_eq!(res.user_errors(), Vec::<UserError>::new(), "{res}");
    }
    let mut suspended = Vec::new();
    for _ in 0..3 {
        suspended.push(app.product(&s, NewProduct::default()).await);
    }
    app.stock(&outlet, &active[0], 5).await;
    app.stock(&outlet, &active[1], 1).await;
    app.stock(&outlet, &suspended[0], 9).await;
    app.suspend(&s).await;
    app.draft_product(&r, NewProduct::default()).await;
    app.reject(&r).await;
    World {
        app,
        outlet_code: outlet.code,
        visible: active.iter().map(|p| p.slug.clone()).collect(),
        at_outlet: active[..2].iter().map(|p| p.slug.clone()).collect(),
        verified_slug: v.slug,
    }
}

/// What the database holds that the public must not see: products that are not ACTIVE or whose
/// seller is not VERIFIED.
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
                "query($after: String) { products(first: 4, after: $after) {
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
    let world = world().await;
    let app = &world.app;
    let hidden = hidden_products(app).await;
    assert!(
        hidden.len() >= 10,
        "the catalogue must contain hidden products to prove anything"
    );
    let hidden_slugs: HashSet<_> = hidden.iter().map(|p| p.slug.clone()).collect();

    let (slugs, total) = all_public_slugs(app).await;
    let all = product::Entity::find().all(app.db()).await.unwrap().len();
    assert_eq!(slugs.len(), all - hidden.len());
    assert_eq!(total as usize, slugs.len());
    assert_eq!(
        slugs.iter().collect::<HashSet<_>>().len(),
        slugs.len(),
        "pages overlap"
    );
    assert!(slugs.iter().all(|s| !hidden_slugs.contains(s)));
    assert_eq!(slugs.into_iter().collect::<HashSet<_>>(), world.visible);
}

#[tokio::test]
async fn hidden_products_and_sellers_are_not_found_by_slug_id_or_node() {
    let world = world().await;
    let app = &world.app;
    for p in hidden_products(app).await {
        let code = app
            .graphql(
                "query($s: String) { product(slug: $s) { id } }",
                json!({ "s": p.slug }),
            )
            .await;
        assert_eq!(code.error_code(), Some("NOT_FOUND"), "{}", p.slug);
        let id = gid(NodeKind::Product, p.id);
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
        let id = gid(NodeKind::Seller, s.id);
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
    let world = world().await;
    let app = &world.app;
    let hidden: HashSet<String> = hidden_products(app)
        .await
        .into_iter()
        .map(|p| p.slug)
        .collect();
    // Two requests: together these nested pages are over one request's cost budget (every
    // category's and seller's page runs its own statements).
    let by_outlet = app.graphql(
            "{ outlets(first: 2) { edges { node { code
                  sellers { nodes { slug verificationStatus products(first: 20) { totalCount edges { node { slug } } } } }
                  products(first: 100) { totalCount edges { node { slug } } } } } } }",
            json!({}),
        )
        .await;
    let by_category = app
        .graphql(
            "{ categories { slug products(first: 100) { totalCount edges { node { slug } } } }
               sellers(first: 100) { totalCount edges { node { verificationStatus } } } }",
            json!({}),
        )
        .await;
    let mut data = by_outlet.data().clone();
    data["categories"] = by_category.data()["categories"].clone();
    data["sellers"] = by_category.data()["sellers"].clone();
    let data = &data;
    let mut seen = HashSet::new();
    let mut check = |conn: &Value| {
        let edges = conn["edges"].as_array().unwrap();
        assert!(conn["totalCount"].as_i64().unwrap() as usize >= edges.len());
        let mut here = HashSet::new();
        for e in edges {
            let slug = e["node"]["slug"].as_str().unwrap().to_string();
            assert!(!hidden.contains(&slug), "{slug} leaked");
            here.insert(slug.clone());
            seen.insert(slug);
        }
        here
    };
    let outlets = data["outlets"]["edges"].as_array().unwrap();
    assert_eq!(outlets.len(), 1);
    let outlet = &outlets[0]["node"];
    assert_eq!(outlet["code"], world.outlet_code.as_str());
    assert_eq!(check(&outlet["products"]), world.at_outlet);
    let placed = outlet["sellers"]["nodes"].as_array().unwrap();
    for s in placed {
        assert_eq!(s["verificationStatus"], "VERIFIED");
        check(&s["products"]);
    }
    // Of the three sellers placed there, only the verified one is listed.
    assert_eq!(placed.len(), 1);
    assert_eq!(placed[0]["slug"], world.verified_slug.as_str());
    let mut in_categories = HashSet::new();
    for c in data["categories"].as_array().unwrap() {
        in_categories.extend(check(&c["products"]));
    }
    // Every public product was seen, so the lists above were not vacuously clean.
    assert_eq!(in_categories, world.visible);
    assert_eq!(seen, world.visible);
    let sellers = &data["sellers"];
    assert_eq!(sellers["totalCount"], 2);
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
    let product = app.product(&seller, NewProduct::default()).await;
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
    let res = app
        .graphql(
            "query($s: String) { product(slug: $s) { id } }",
            json!({ "s": product.slug }),
        )
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"));
}
