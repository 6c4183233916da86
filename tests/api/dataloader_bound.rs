//! A page of products with seller, category, photos and availability costs the same small
//! number of SQL statements whatever the page size: every nested field goes through a DataLoader.

use serde_json::json;

use crate::helpers::TestApp;

const PAGE: &str = "query($first: Int) { products(first: $first, sort: NAME) { totalCount
    edges { node { name price halal halalCertificate { expired }
      seller { businessName kecamatan { name regency { name } } village { name } outlets(first: 2) { nodes { code } } }
      category { name parent { name } }
      photos { url width height }
      availability { quantity outlet { code name openingHours { weekday } } } } } } }";

/// products page + count, visible sellers, category tree, photos, stock, outlets, outlet hours,
/// districts + regencies, villages, seller places.
const BOUND: u64 = 12;

async fn statements_for(app: &TestApp, first: i64) -> (u64, usize) {
    let before = app.sql_statements();
    let res = app.graphql(PAGE, json!({ "first": first })).await;
    let data = res.data();
    let after = app.sql_statements();
    (
        after - before,
        data["products"]["edges"].as_array().unwrap().len(),
    )
}

#[tokio::test]
async fn statement_count_does_not_grow_with_the_page() {
    // A page of 100 with photos and stock everywhere: the demo catalogue is that big.
    let app = TestApp::in_process_seeded().await;
    let (small, n20) = statements_for(&app, 20).await;
    let (large, n100) = statements_for(&app, 100).await;
    assert_eq!((n20, n100), (20, 100));
    eprintln!("SQL statements: {small} for a page of 20, {large} for a page of 100");
    assert!(small <= BOUND, "page of 20 ran {small} statements");
    assert!(large <= BOUND, "page of 100 ran {large} statements");
    assert_eq!(small, large, "the statement count depends on the page size");
}
