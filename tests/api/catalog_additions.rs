//! `Product.availability(inStockOnly:)` and `Category.productCount`.

use serde_json::{Value, json};

use crate::helpers::{NewProduct, TestApp};

fn in_category(category: &'static str) -> NewProduct {
    NewProduct {
        category,
        ..NewProduct::default()
    }
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["outlet"]["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn availability_in_stock_only_leaves_out_outlets_sold_out() {
    let app = TestApp::spawn().await;
    let seller = app.seller().await;
    let (stocked, sold_out) = (app.outlet().await, app.outlet().await);
    app.place(&seller.gid, &stocked).await;
    app.place(&seller.gid, &sold_out).await;
    let product = app.product(&seller, NewProduct::default()).await;
    app.stock(&stocked, &product, 4).await;
    app.stock(&sold_out, &product, 0).await;

    let res = app
        .graphql(
            "query($id: ID!) { product(id: $id) {
                 all: availability { outlet { code } quantity }
                 explicit: availability(inStockOnly: false) { outlet { code } }
                 inStock: availability(inStockOnly: true) { outlet { code } quantity } } }",
            json!({ "id": product.gid }),
        )
        .await;
    let p = &res.data()["product"];
    assert_eq!(
        codes(&p["all"]),
        vec![stocked.code.clone(), sold_out.code.clone()],
        "by default every outlet that carries it, most units first"
    );
    assert_eq!(codes(&p["explicit"]), codes(&p["all"]));
    assert_eq!(codes(&p["inStock"]), vec![stocked.code.clone()]);
    assert_eq!(p["inStock"][0]["quantity"], 4);
}

const COUNTS: &str = "{ categories { slug productCount } }";

fn count_of(data: &Value, slug: &str) -> i64 {
    data["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == slug)
        .unwrap_or_else(|| panic!("no category {slug}"))["productCount"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn product_count_counts_public_products_with_subcategories() {
    let app = TestApp::spawn().await;
    let seller = app.seller().await;
    app.product(&seller, in_category("keripik")).await;
    app.product(&seller, in_category("keripik")).await;
    app.product(&seller, in_category("sambal")).await;
    // Not public: a draft, and a product of a seller the office suspended.
    app.draft_product(&seller, in_category("keripik")).await;
    let suspended = app.seller().await;
    app.product(&suspended, in_category("keripik")).await;
    app.suspend(&suspended).await;

    let res = app.graphql(COUNTS, json!({})).await;
    let data = res.data().clone();
    assert_eq!(count_of(&data, "keripik"), 2);
    assert_eq!(count_of(&data, "sambal"), 1);
    assert_eq!(
        count_of(&data, "makanan-minuman"),
        3,
        "with its subcategories"
    );
    assert_eq!(count_of(&data, "anyaman"), 0);

    // The same number `products { totalCount }` gives.
    let parent = app
        .graphql(
            "{ products(filter: { categorySlug: \"makanan-minuman\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(parent["errors"].is_null(), "{parent}");
    assert_eq!(parent.data()["products"]["totalCount"], 3);
}

#[tokio::test]
async fn every_category_count_together_costs_one_statement() {
    let app = TestApp::in_process().await;
    let seller = app.seller().await;
    app.product(&seller, in_category("keripik")).await;

    let before = app.sql_statements();
    app.graphql("{ categories { slug } }", json!({})).await;
    let without = app.sql_statements() - before;

    let before = app.sql_statements();
    let res = app.graphql(COUNTS, json!({})).await;
    let with = app.sql_statements() - before;

    assert!(res.data()["categories"].as_array().unwrap().len() > 5);
    assert_eq!(with - without, 1, "one statement for all the counts");
}
