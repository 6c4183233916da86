//! `Seller.statusHistory`: office decisions are attributed to the regency office, never to an
//! administrator's user id, except for administrators; statuses are the enum; pages; and the
//! histories of a whole list of sellers are one batch.

use serde_json::{Value, json};

use crate::helpers::TestApp;

const HISTORY: &str = "query($s: String, $first: Int, $after: String) { seller(slug: $s) {
    statusHistory(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { fromStatus toStatus actor actorId reason } } } }";

#[tokio::test]
async fn a_seller_reading_its_own_history_finds_no_administrator_id() {
    let app = TestApp::spawn().await;
    let seller = app.seller().await; // applied by its owner, verified by the office
    app.suspend(&seller).await;
    let admin = app.admin().await;
    let as_admin = app
        .as_(&admin)
        .graphql(HISTORY, json!({ "s": seller.slug }))
        .await;
    let admin_view = &as_admin.data()["seller"]["statusHistory"];
    let office_ids: Vec<String> = admin_view["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["actor"] == "REGENCY_OFFICE")
        .map(|n| {
            n["actorId"]
                .as_str()
                .expect("administrators see the user")
                .to_string()
        })
        .collect();
    assert_eq!(office_ids.len(), 2, "{as_admin}");

    let res = app
        .as_(&seller.owner)
        .graphql(HISTORY, json!({ "s": seller.slug }))
        .await;
    let history = &res.data()["seller"]["statusHistory"];
    let rows: Vec<(Value, Value, Value, Value)> = history["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["fromStatus"].clone(),
                n["toStatus"].clone(),
                n["actor"].clone(),
                n["actorId"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (Value::Null, json!("PENDING"), json!("SELLER"), Value::Null),
            (
                json!("PENDING"),
                json!("VERIFIED"),
                json!("REGENCY_OFFICE"),
                Value::Null
            ),
            (
                json!("VERIFIED"),
                json!("SUSPENDED"),
                json!("REGENCY_OFFICE"),
                Value::Null
            ),
        ]
    );
    assert_eq!(history["totalCount"], 3);
    let body = res.body.to_string();
    for id in &office_ids {
        assert!(
            !body.contains(id.as_str()),
            "administrator id {id} leaked: {body}"
        );
    }
}

#[tokio::test]
async fn the_history_pages_with_first_and_after() {
    let app = TestApp::spawn().await;
    let seller = app.seller().await;
    app.suspend(&seller).await;
    let owner = &seller.owner;
    let first = app
        .as_(owner)
        .graphql(HISTORY, json!({ "s": seller.slug, "first": 2 }))
        .await;
    let page = &first.data()["seller"]["statusHistory"];
    assert_eq!(page["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(page["totalCount"], 3);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let next = app
        .as_(owner)
        .graphql(
            HISTORY,
            json!({ "s": seller.slug, "first": 2, "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    let page = &next.data()["seller"]["statusHistory"];
    assert_eq!(page["nodes"][0]["toStatus"], "SUSPENDED");
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
    // Over the cap, and a cursor this API did not issue.
    let res = app
        .as_(owner)
        .graphql(HISTORY, json!({ "s": seller.slug, "first": 101 }))
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{res}");
    let res = app
        .as_(owner)
        .graphql(HISTORY, json!({ "s": seller.slug, "after": "bm90LW91cnM" }))
        .await;
    assert_eq!(res.error_code(), Some("INVALID_CURSOR"), "{res}");
    // The public sees an empty history of a verified seller.
    let other = app.seller().await;
    let res = app.graphql(HISTORY, json!({ "s": other.slug })).await;
    assert_eq!(res.data()["seller"]["statusHistory"]["totalCount"], 0);
}

const LIST: &str = "query($first: Int) { sellers(first: $first) { nodes {
    statusHistory(first: 100) { totalCount nodes { toStatus actor actorId } } } } }";

async fn statements_for(app: &TestApp, admin: &crate::helpers::TestUser, first: i64) -> u64 {
    let before = app.sql_statements();
    let res = app
        .as_(admin)
        .graphql(LIST, json!({ "first": first }))
        .await;
    let sellers = res.data()["sellers"]["nodes"].as_array().unwrap().clone();
    assert_eq!(sellers.len() as i64, first, "{res}");
    assert!(
        sellers
            .iter()
            .all(|s| s["statusHistory"]["totalCount"] == 2),
        "{res}"
    );
    app.sql_statements() - before
}

#[tokio::test]
async fn the_histories_of_a_list_of_sellers_cost_a_bounded_number_of_statements() {
    let app = TestApp::spawn().await;
    for _ in 0..8 {
        app.seller().await;
    }
    let admin = app.admin().await;
    let two = statements_for(&app, &admin, 2).await;
    let eight = statements_for(&app, &admin, 8).await;
    assert_eq!(
        two, eight,
        "statements grow with the list: {two} for 2, {eight} for 8"
    );
}
