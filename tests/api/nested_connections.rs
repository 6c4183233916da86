//! Every list that can grow is a connection: `Outlet.sellers`, `Seller.outlets`,
//! `Viewer.sellers`, `Viewer.outlets` and `kiosks` page with keyset cursors (no repeat and no gap
//! when rows arrive or leave between pages), count with `totalCount`, and the nested ones load
//! in a number of statements that does not grow with the number of parents.

use serde_json::{Value, json};

use crate::helpers::{TestApp, seller_application};

fn slugs(conn: &Value) -> Vec<String> {
    conn["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges: {conn}"))
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_string())
        .collect()
}

const OUTLET_SELLERS: &str = "query($code: String!, $after: String) { outlet(code: $code) {
    sellers(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { slug businessName } } } } }";

#[tokio::test]
async fn outlet_sellers_page_by_name_without_repeats_or_gaps() {
    let app = TestApp::spawn().await;
    let outlet = app.outlet().await;
    let mut placed = Vec::new();
    for name in ["Usaha B", "Usaha D", "Usaha F", "Usaha H"] {
        let seller = app
            .apply(seller_application(&format!(
                "{name} {}",
                crate::helpers::short_id()
            )))
            .await;
        app.verify(&seller).await;
        app.place(&seller.gid, &outlet).await;
        placed.push(seller);
    }
    let first = app
        .graphql(OUTLET_SELLERS, json!({ "code": outlet.code }))
        .await;
    let conn = &first.data()["outlet"]["sellers"];
    assert_eq!(conn["totalCount"], 4);
    assert_eq!(conn["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        slugs(conn),
        vec![placed[0].slug.clone(), placed[1].slug.clone()]
    );
    let end = conn["pageInfo"]["endCursor"].as_str().unwrap().to_string();

    // Between the pages: a seller sorting before the cursor arrives, and one after it leaves.
    let early = app
        .apply(seller_application(&format!(
            "Usaha A {}",
            crate::helpers::short_id()
        )))
        .await;
    app.verify(&early).await;
    app.place(&early.gid, &outlet).await;
    app.suspend(&placed[2]).await;

    let second = app
        .graphql(OUTLET_SELLERS, json!({ "code": outlet.code, "after": end }))
        .await;
    let conn = &second.data()["outlet"]["sellers"];
    assert_eq!(slugs(conn), vec![placed[3].slug.clone()]);
    assert_eq!(conn["pageInfo"]["hasNextPage"], false);
    assert_eq!(conn["totalCount"], 4);

    // A cursor of another list is refused.
    let res = app
        .graphql(
            "query($after: String) { outlets(first: 5, after: $after) { totalCount } }",
            json!({ "after": end }),
        )
        .await;
    assert_eq!(res.error_code(), Some("INVALID_CURSOR"), "{res}");
}

#[tokio::test]
async fn seller_outlets_viewer_lists_and_kiosks_are_connections() {
    let app = TestApp::spawn().await;
    let seller = app.seller().await;
    let mut outlets = Vec::new();
    for _ in 0..3 {
        let outlet = app.outlet().await;
        app.place(&seller.gid, &outlet).await;
        outlets.push(outlet);
    }
    let mut codes: Vec<String> = outlets.iter().map(|o| o.code.clone()).collect();
    codes.sort();

    let q = "query($slug: String!, $after: String) { seller(slug: $slug) {
        outlets(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { code } } } }";
    let page = app.graphql(q, json!({ "slug": seller.slug })).await;
    let conn = &page.data()["seller"]["outlets"];
    assert_eq!(conn["totalCount"], 3);
    assert_eq!(
        conn["nodes"],
        json!([{ "code": codes[0] }, { "code": codes[1] }])
    );
    let end = conn["pageInfo"]["endCursor"].clone();
    let page = app
        .graphql(q, json!({ "slug": seller.slug, "after": end }))
        .await;
    assert_eq!(
        page.data()["seller"]["outlets"]["nodes"],
        json!([{ "code": codes[2] }])
    );

    // The viewer's own lists.
    let res = app
        .as_(&seller.owner)
        .graphql(
            "{ viewer { sellers(first: 1) { totalCount nodes { slug } } outlets { totalCount nodes { code } } } }",
            json!({}),
        )
        .await;
    let viewer = &res.data()["viewer"];
    assert_eq!(viewer["sellers"]["totalCount"], 1);
    assert_eq!(viewer["sellers"]["nodes"], json!([{ "slug": seller.slug }]));
    assert_eq!(viewer["outlets"]["totalCount"], 0);

    // Kiosks: oldest first, paged, counted, per outlet.
    let admin = app.admin().await;
    let mut ids = Vec::new();
    for outlet in outlets.iter().take(2) {
        ids.push(app.kiosk(outlet).await.id);
        ids.push(app.kiosk(outlet).await.id);
    }
    let q = "query($o: ID, $after: String) { kiosks(outletId: $o, first: 3, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id outlet { code } } } }";
    let res = app.as_(&admin).graphql(q, json!({})).await;
    let conn = &res.data()["kiosks"];
    assert_eq!(conn["totalCount"], 4);
    let got: Vec<&str> = conn["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, ids[..3].iter().map(String::as_str).collect::<Vec<_>>());
    let res = app
        .as_(&admin)
        .graphql(q, json!({ "after": conn["pageInfo"]["endCursor"] }))
        .await;
    assert_eq!(res.data()["kiosks"]["nodes"][0]["id"], ids[3].as_str());
    assert_eq!(res.data()["kiosks"]["pageInfo"]["hasNextPage"], false);
    let res = app
        .as_(&admin)
        .graphql(q, json!({ "o": outlets[1].gid }))
        .await;
    assert_eq!(res.data()["kiosks"]["totalCount"], 2);
    // Still administrators only.
    let res = app.as_(&seller.owner).graphql(q, json!({})).await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"), "{res}");
}

/// A page of outlets, each with its sellers (and their outlets): the statements do not depend
/// on the number of outlets on the page.
#[tokio::test]
async fn nested_seller_and_outlet_connections_are_batched() {
    let app = TestApp::in_process_seeded().await;
    let q = "query($first: Int) { outlets(first: $first) { nodes { code
        sellers(first: 5) { totalCount nodes { businessName kecamatan { name }
          outlets(first: 3) { totalCount nodes { code openingHours { weekday } } } } } } } }";
    let mut counts = Vec::new();
    for first in [1, 12] {
        let before = app.sql_statements();
        let res = app.graphql(q, json!({ "first": first })).await;
        let after = app.sql_statements();
        let nodes = res.data()["outlets"]["nodes"].as_array().unwrap().clone();
        assert_eq!(nodes.len(), first as usize, "{res}");
        assert!(
            nodes
                .iter()
                .any(|n| n["sellers"]["totalCount"].as_i64().unwrap() > 0),
            "{res}"
        );
        counts.push(after - before);
    }
    eprintln!(
        "SQL statements: {} for 1 outlet, {} for 12",
        counts[0], counts[1]
    );
    assert_eq!(counts[0], counts[1], "statements grow with the page");
    assert!(counts[1] <= 10, "{} statements", counts[1]);
}
