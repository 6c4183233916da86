//! The cost limit bounds database work (issue 7, #2): every attack below is refused over HTTP
//! before a single SQL statement runs, while the heaviest real client operation fits the budget
//! twice.

use pasar_oleh::{graphql::cost, settings::Limits};
use serde_json::{Value, json};

use crate::helpers::{GqlResponse, TestApp};

/// The README's home page (`Beranda`).
const BERANDA: &str = "query Beranda($first: Int = 20, $after: String) {
  products(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id slug name price unitLabel halal featured
      seller { businessName verified kecamatan { name } }
      photos { url width height altText }
      availability { quantity inStock outlet { code name } }
    } }
  }
}";

/// The README's search.
const CARI: &str = "query Cari($q: String!) {
  products(first: 20, filter: { search: $q, categorySlug: \"makanan-minuman\", halalOnly: true, maxPrice: 50000 }) {
    totalCount
    edges { node { id slug name price halal seller { businessName } photos { url } } }
  }
}";

/// The README's product page.
const PRODUK: &str = "query Produk($slug: String!) {
  product(slug: $slug) {
    id name description price unitLabel netWeightGrams shelfLifeDays
    halal
    halalCertificate { expiresOn expired }
    category { name parent { name } }
    seller {
      slug businessName category
      kecamatan { name regency { name } }
      village { name }
      outlets(first: 20) { totalCount nodes { code name } }
    }
    photos { url width height altText contentType position }
    availability { quantity inStock outlet { code name openingHours { weekday opens closes } } }
    totalStock
  }
}";

/// The README's kiosk grid.
const KIOS: &str = "query Kios($code: String!, $after: String) {
  outlet(code: $code) {
    id name restArea status
    location { latitude longitude }
    openingHours { weekday opens closes }
    sellers(first: 100) { totalCount nodes { businessName } }
    products(first: 50, after: $after, sort: NAME) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id name price photos { url } availability { quantity outlet { code } } }
    }
  }
}";

const KATEGORI: &str =
    "query Kategori { categories { id slug name isFood parent { slug } children { slug name } } }";

const KECAMATAN: &str =
    "query Kecamatan { kecamatan(regencyCode: \"35.13\") { code name regency { name } } }";

const NODE: &str = "query Node($id: ID!) { node(id: $id) { id __typename
  ... on Product { name price } ... on Seller { businessName } ... on Outlet { code name }
  ... on Category { slug } } }";

/// `dataloader_bound`'s page, the heaviest operation the tests run.
const DATALOADER_PAGE: &str =
    "query($first: Int) { products(first: $first, sort: NAME) { totalCount
    edges { node { name price halal halalCertificate { expired }
      seller { businessName kecamatan { name regency { name } } village { name } outlets(first: 2) { nodes { code } } }
      category { name parent { name } }
      photos { url width height }
      availability { quantity outlet { code name openingHours { weekday } } } } } } }";

fn ceiling() -> usize {
    Limits::default().max_complexity
}

/// Sends `body` over HTTP and asserts that it was refused with QUERY_TOO_COSTLY before any SQL
/// statement ran.
async fn assert_refused_before_execution(app: &TestApp, body: Value) -> GqlResponse {
    let before = app.sql_statements();
    let res = app.http_post("/graphql").json(&body).send().await.unwrap();
    let res = GqlResponse::read(res).await;
    assert_eq!(res.status, 400, "{res}");
    assert_eq!(res.error_code(), Some("QUERY_TOO_COSTLY"), "{res}");
    assert!(res.body.get("data").is_none(), "{res}");
    assert_eq!(app.sql_statements(), before, "statements ran: {res}");
    res
}

#[tokio::test]
async fn real_client_operations_fit_the_budget_twice() {
    let app = TestApp::in_process().await;
    let operations: [(&str, &str, Value); 9] = [
        ("Beranda, page of 20", BERANDA, json!({})),
        ("Beranda, page of 100", BERANDA, json!({ "first": 100 })),
        ("Cari", CARI, json!({ "q": "keripik mangga" })),
        ("Produk", PRODUK, json!({ "slug": "keripik-mangga" })),
        ("Kios", KIOS, json!({ "code": "TGS-K07" })),
        ("Kategori", KATEGORI, json!({})),
        ("Kecamatan", KECAMATAN, json!({})),
        ("Node", NODE, json!({ "id": "x" })),
        (
            "dataloader_bound, page of 100",
            DATALOADER_PAGE,
            json!({ "first": 100 }),
        ),
    ];
    for (name, query, variables) in operations {
        let cost = app.cost_of(query, variables).await.expect(name);
        eprintln!("cost of {name}: {cost} (ceiling {})", ceiling());
        assert!(
            2 * cost <= ceiling(),
            "{name} costs {cost}, no 2x margin under {}",
            ceiling()
        );
    }
}

#[tokio::test]
async fn an_empty_page_with_its_count_is_not_free() {
    let app = TestApp::in_process().await;
    // A page query and a COUNT run even for `first: 0`.
    let cost = app
        .cost_of("{ products(first: 0) { totalCount } }", json!({}))
        .await
        .unwrap();
    assert!(cost > 2 * cost::STATEMENT, "costs {cost}");
    // A lookup runs statements too.
    let cost = app
        .cost_of("{ product(slug: \"x\") { id } }", json!({}))
        .await
        .unwrap();
    assert!(cost > 2 * cost::STATEMENT, "costs {cost}");
}

#[tokio::test]
async fn thousands_of_aliased_lookups_are_refused_before_execution() {
    // The review's attack: 4,000 aliases of a lookup ran 8,000 statements with HTTP 200.
    let app = TestApp::spawn().await;
    let fields: String = (0..4000)
        .map(|i| format!("p{i}: product(slug: \"x{i}\") {{ id }} "))
        .collect();
    let res =
        assert_refused_before_execution(&app, json!({ "query": format!("{{ {fields} }}") })).await;
    assert!(
        res.body.to_string().contains("aliases"),
        "the message names the limit: {res}"
    );
}

#[tokio::test]
async fn counting_empty_pages_under_many_aliases_is_refused_before_execution() {
    // `products(first: 0) { totalCount }` used to cost 0 and ran two statements.
    let app = TestApp::spawn().await;
    let fields: String = (0..1000)
        .map(|i| format!("c{i}: products(first: 0) {{ totalCount }} "))
        .collect();
    assert_refused_before_execution(&app, json!({ "query": format!("{{ {fields} }}") })).await;
}

#[tokio::test]
async fn repeated_root_fields_without_aliases_are_refused_before_execution() {
    let app = TestApp::spawn().await;
    let fields = "categories { slug } ".repeat(50);
    let res =
        assert_refused_before_execution(&app, json!({ "query": format!("{{ {fields} }}") })).await;
    assert!(res.body.to_string().contains("root fields"), "{res}");
}

#[tokio::test]
async fn one_operation_over_the_ceiling_is_refused_before_execution() {
    // Within the alias and root caps, but 100 outlets x 100 products.
    let app = TestApp::spawn().await;
    let query =
        "{ outlets(first: 100) { nodes { products(first: 100) { totalCount nodes { name } } } } }";
    assert_refused_before_execution(&app, json!({ "query": query })).await;
}

#[tokio::test]
async fn a_batch_shares_one_budget() {
    let app = TestApp::spawn().await;
    let heavy = json!({ "query": BERANDA, "variables": { "first": 100 } });
    let cost = app.cost_of(BERANDA, json!({ "first": 100 })).await.unwrap();
    assert!(cost <= ceiling(), "one alone fits");
    // Ten heavy operations each fit the budget alone; together they are refused, and none ran.
    let batch: Vec<Value> = (0..10).map(|_| heavy.clone()).collect();
    let res = assert_refused_before_execution(&app, json!(batch)).await;
    assert!(
        res.body.to_string().contains(&format!("{}", 10 * cost)),
        "the message gives the batch's cost: {res}"
    );
    // What fits the budget still runs as a batch.
    let fits = (ceiling() / cost).clamp(1, 10);
    let batch: Vec<Value> = (0..fits).map(|_| heavy.clone()).collect();
    let res = app.http_post("/graphql").json(&batch).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body.as_array().unwrap().len(), fits, "{body}");
    assert!(body[0].get("errors").is_none(), "{body}");
}

#[tokio::test]
async fn the_limits_also_hold_without_http() {
    // In-process execution (jobs, tests) goes through the same guard, per operation.
    let app = TestApp::in_process().await;
    let before = app.sql_statements();
    let query =
        "{ outlets(first: 100) { nodes { products(first: 100) { totalCount nodes { name } } } } }";
    let res = app.graphql(query, json!({})).await;
    assert_eq!(res.error_code(), Some("QUERY_TOO_COSTLY"), "{res}");
    assert_eq!(app.sql_statements(), before);
}

#[tokio::test]
async fn a_batch_of_many_mutations_is_refused_before_execution() {
    // Ten operations of ten aliased writes each: within the alias, root-field and batch caps,
    // but a hundred units of work.
    let app = TestApp::spawn().await;
    let cost = app
        .cost_of(
            "mutation { logout(input: { refreshToken: \"rt_x\" }) { ok } }",
            json!({}),
        )
        .await
        .unwrap();
    assert!(cost >= cost::MUTATION, "a write costs {cost}");
    let writes: String = (0..10)
        .map(|i| format!("w{i}: logout(input: {{ refreshToken: \"rt_{i}\" }}) {{ ok }} "))
        .collect();
    let batch: Vec<Value> = (0..10)
        .map(|_| json!({ "query": format!("mutation {{ {writes} }}") }))
        .collect();
    assert_refused_before_execution(&app, json!(batch)).await;
}
