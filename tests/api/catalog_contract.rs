//! The client contract of the catalogue: the private views of a seller's own catalogue load
//! whatever its members may see, drafts open by id and slug for those who manage them, and an
//! error never leaves a non-null key out of the answer.

use serde_json::{Value, json};

use crate::helpers::{NewProduct, TestApp, UserError};

const PRODUCT_FIELDS: &str =
    "id slug status halal halalCertificate { expired } seller { id verificationStatus }";

/// Every key the selection asks for is present in `value` (null only where allowed).
fn assert_keys(value: &Value, keys: &[&str]) {
    for key in keys {
        assert!(
            value.get(*key).is_some_and(|v| !v.is_null()),
            "{key} missing or null in {value}"
        );
    }
}

#[tokio::test]
async fn a_pending_seller_creates_a_product_and_reads_it_back_whole() {
    let app = TestApp::in_process().await;
    let pending = app.pending_seller().await;
    let res = app
        .as_(&pending)
        .graphql(
            &format!(
                "mutation($s: ID!, $p: ProductInput!) {{ createProduct(input: {{ sellerId: $s, product: $p }}) {{ product {{ {PRODUCT_FIELDS} }} userErrors {{ field code }} }} }}"
            ),
            json!({ "s": pending.gid, "p": {
                "categoryId": crate::helpers::category_id("keripik"), "name": "Keripik Tempe Uji",
                "description": "Renyah.", "price": 12000, "unitLabel": "pak", "halal": false
            } }),
        )
        .await;
    let product = &res.data()["createProduct"]["product"];
    assert_keys(product, &["id", "slug", "status", "halal", "seller"]);
    assert_eq!(product["halal"], false, "{res}");
    assert_eq!(product["seller"]["id"], pending.gid.as_str());
    assert_eq!(product["seller"]["verificationStatus"], "PENDING");
    assert_eq!(res.user_errors(), Vec::<UserError>::new());
}

#[tokio::test]
async fn managed_products_of_a_pending_seller_and_drafts_of_a_verified_one_load() {
    let app = TestApp::in_process().await;
    let pending = app.pending_seller().await;
    let verified = app.seller().await;
    app.draft_product(&pending, NewProduct::default()).await;
    app.draft_product(&verified, NewProduct::default()).await;
    app.product(&verified, NewProduct::default()).await;
    let admin = app.admin().await;
    for (who, seller, n) in [
        (&pending.owner, &pending, 1),
        (&verified.owner, &verified, 2),
        (&admin, &pending, 1),
        (&admin, &verified, 2),
    ] {
        let res = app
            .as_(who)
            .graphql(
                &format!(
                    "query($s: ID!) {{ seller(id: $s) {{ managedProducts(first: 10) {{ totalCount nodes {{ {PRODUCT_FIELDS} }} }} }} }}"
                ),
                json!({ "s": seller.gid }),
            )
            .await;
        let conn = &res.data()["seller"]["managedProducts"];
        assert_eq!(conn["totalCount"], n, "{res}");
        for node in conn["nodes"].as_array().unwrap() {
            assert_keys(node, &["id", "slug", "status", "halal", "seller"]);
            assert_eq!(node["seller"]["id"], seller.gid.as_str());
        }
    }
}

#[tokio::test]
async fn members_and_administrators_open_drafts_by_id_slug_and_node_others_do_not() {
    let app = TestApp::in_process().await;
    let verified = app.seller().await;
    let pending = app.pending_seller().await;
    let other = app.seller().await;
    let buyer = app.buyer().await;
    let admin = app.admin().await;
    let drafts = [
        (
            app.draft_product(&verified, NewProduct::default()).await,
            &verified,
        ),
        (
            app.draft_product(&pending, NewProduct::default()).await,
            &pending,
        ),
    ];
    for (draft, owner) in &drafts {
        let queries = [
            (
                "query($k: ID!) { product(id: $k) { id status halal seller { id } } }",
                draft.gid.as_str(),
            ),
            (
                "query($k: String!) { product(slug: $k) { id status halal seller { id } } }",
                draft.slug.as_str(),
            ),
            (
                "query($k: ID!) { product: node(id: $k) { ... on Product { id status halal seller { id } } } }",
                draft.gid.as_str(),
            ),
        ];
        for (query, key) in queries {
            for who in [&owner.owner, &admin] {
                let res = app.as_(who).graphql(query, json!({ "k": key })).await;
                let product = &res.data()["product"];
                assert_eq!(product["id"], draft.gid.as_str(), "{query}: {res}");
                assert_eq!(product["status"], "DRAFT");
                assert_eq!(product["seller"]["id"], owner.gid.as_str());
            }
            for res in [
                app.as_(&other).graphql(query, json!({ "k": key })).await,
                app.as_(&buyer).graphql(query, json!({ "k": key })).await,
                app.graphql(query, json!({ "k": key })).await,
            ] {
                assert_eq!(res["data"]["product"], Value::Null, "{query}: {res}");
                if !query.contains("node") {
                    assert_eq!(res.error_code(), Some("NOT_FOUND"), "{res}");
                }
            }
        }
    }
}

#[tokio::test]
async fn managed_products_filter_by_status_search_and_category() {
    let app = TestApp::in_process().await;
    let seller = app.seller().await;
    let named = |name: &str, category| NewProduct {
        name: name.into(),
        category,
        ..NewProduct::default()
    };
    let tempe = app
        .draft_product(&seller, named("Keripik Tempe Sagu", "keripik"))
        .await;
    let mangga = app
        .product(&seller, named("Keripik Mangga Arumanis", "keripik"))
        .await;
    let tas = app
        .product(&seller, named("Tas Anyaman Pandan", "anyaman"))
        .await;
    let query = "query($s: ID!, $f: ManagedProductFilterInput) { seller(id: $s) { managedProducts(first: 10, filter: $f) { totalCount nodes { id } } } }";
    for (filter, expected) in [
        (json!({}), vec![&tas, &mangga, &tempe]),
        (json!({ "status": "DRAFT" }), vec![&tempe]),
        (json!({ "status": "ACTIVE" }), vec![&tas, &mangga]),
        (json!({ "search": "  KERIPIK " }), vec![&mangga, &tempe]),
        (
            json!({ "search": "keripik", "status": "ACTIVE" }),
            vec![&mangga],
        ),
        (json!({ "categorySlug": "anyaman" }), vec![&tas]),
        (
            json!({ "categoryId": crate::helpers::category_id("keripik"), "search": "tempe" }),
            vec![&tempe],
        ),
    ] {
        let res = app
            .as_(&seller)
            .graphql(query, json!({ "s": seller.gid, "f": filter }))
            .await;
        let conn = &res.data()["seller"]["managedProducts"];
        let ids: Vec<&str> = conn["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        let want: Vec<&str> = expected.iter().map(|p| p.gid.as_str()).collect();
        assert_eq!(ids, want, "{filter}");
        assert_eq!(conn["totalCount"], want.len(), "{filter}");
    }
    let res = app
        .as_(&seller)
        .graphql(
            query,
            json!({ "s": seller.gid, "f": { "search": "x".repeat(101) } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{res}");
}

/// Scrolls a product list three at a time; before each next page a new product is published
/// (sorting first in most orders) and one not yet seen is unpublished. Returns the ids seen, in
/// order.
async fn scroll(
    app: &TestApp,
    seller: &crate::helpers::TestSeller,
    sort: &str,
    search: Option<&str>,
    managed: bool,
) {
    let mut initial = Vec::new();
    for i in 0..8 {
        let new = NewProduct {
            name: format!("Keripik Uji {} {i}", crate::helpers::short_id()),
            price: 10_000 + (i % 3) * 1_000,
            ..NewProduct::default()
        };
        initial.push(app.product(seller, new).await);
    }
    let query = if managed {
        "query($s: ID!, $after: String) { seller(id: $s) { list: managedProducts(first: 3, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } } }".to_string()
    } else {
        format!(
            "query($s: ID!, $after: String, $q: String) {{ list: products(first: 3, after: $after, sort: {sort}, filter: {{ sellerId: $s, search: $q }}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ id }} }} }}"
        )
    };
    let mut seen: Vec<String> = Vec::new();
    let mut withdrawn: Vec<String> = Vec::new();
    let mut after: Option<String> = None;
    for round in 0..20 {
        let res = app
            .as_(seller)
            .graphql(
                &query,
                json!({ "s": seller.gid, "after": after, "q": search }),
            )
            .await;
        let list = if managed {
            &res.data()["seller"]["list"]
        } else {
            &res.data()["list"]
        };
        for node in list["nodes"].as_array().unwrap() {
            let id = node["id"].as_str().unwrap().to_string();
            assert!(
                !seen.contains(&id),
                "{sort}: {id} repeated (round {round}): {res}"
            );
            if !managed {
                assert!(!withdrawn.contains(&id), "{sort}: withdrawn {id} shown");
            }
            seen.push(id);
        }
        if list["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = list["pageInfo"]["endCursor"].as_str().map(str::to_string);
        // Between pages: a new product appears and one not yet seen goes away.
        let new = NewProduct {
            name: format!("Keripik Aa Baru {round} {}", crate::helpers::short_id()),
            price: 9_000,
            ..NewProduct::default()
        };
        app.product(seller, new).await;
        if let Some(victim) = initial
            .iter()
            .find(|p| !seen.contains(&p.gid) && !withdrawn.contains(&p.gid))
        {
            let res = app
                .as_(seller)
                .graphql(
                    "mutation($p: ID!) { unpublishProduct(input: { productId: $p }) { userErrors { field code } } }",
                    json!({ "p": victim.gid }),
                )
                .await;
            assert_eq!(res.user_errors(), Vec::<UserError>::new(), "{res}");
            withdrawn.push(victim.gid.clone());
        }
    }
    for product in &initial {
        if managed || !withdrawn.contains(&product.gid) {
            assert!(
                seen.contains(&product.gid),
                "{sort}: {} skipped",
                product.gid
            );
        }
    }
}

#[tokio::test]
async fn scrolling_past_publishes_and_unpublishes_repeats_and_skips_nothing_in_any_order() {
    let app = TestApp::in_process().await;
    for (sort, search) in [
        ("RELEVANCE", Some("keripik")),
        ("RELEVANCE", None),
        ("NEWEST", None),
        ("PRICE_ASC", None),
        ("PRICE_DESC", None),
        ("NAME", None),
        ("PRICE_ASC", Some("uji")),
    ] {
        let seller = app.seller().await;
        scroll(&app, &seller, sort, search, false).await;
    }
    let seller = app.seller().await;
    scroll(&app, &seller, "managedProducts", None, true).await;
}

#[tokio::test]
async fn a_cursor_of_one_order_is_refused_by_another() {
    let app = TestApp::in_process().await;
    let seller = app.seller().await;
    for _ in 0..2 {
        app.product(&seller, NewProduct::default()).await;
    }
    let res = app
        .graphql(
            "{ products(first: 1, sort: PRICE_ASC) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let cursor = res.data()["products"]["pageInfo"]["endCursor"].clone();
    for query in [
        "query($a: String) { products(first: 1, after: $a, sort: NAME) { nodes { id } } }",
        "query($a: String) { sellers(first: 1, after: $a) { nodes { id } } }",
    ] {
        let res = app.graphql(query, json!({ "a": cursor })).await;
        assert_eq!(res.error_code(), Some("INVALID_CURSOR"), "{res}");
    }
    let res = app
        .graphql(
            "query($a: String) { products(first: 1, after: $a) { nodes { id } } }",
            json!({ "a": "bzoxOQ" }),
        )
        .await;
    assert_eq!(res.error_code(), Some("INVALID_CURSOR"), "{res}");
}

#[tokio::test]
async fn villages_are_listed_by_kecamatan_and_found_by_name_in_any_spelling() {
    let app = TestApp::in_process().await;
    let res = app
        .graphql(
            "{ kecamatan { code name villages { code name kecamatanCode } } }",
            json!({}),
        )
        .await;
    let tongas = res.data()["kecamatan"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "35.13.23")
        .unwrap()
        .clone();
    let villages = tongas["villages"].as_array().unwrap();
    assert_eq!(villages.len(), 14, "{tongas}");
    assert!(villages.iter().all(|v| v["kecamatanCode"] == "35.13.23"));
    let names: Vec<&str> = villages
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);

    let search =
        "query($q: String!, $k: String) { villages(search: $q, kecamatanCode: $k) { code name } }";
    for (q, k, first) in [
        ("tongas wetan", None, "35.13.23.2008"),
        ("TONGAS-WETAN", None, "35.13.23.2008"),
        ("tongaswetan", Some("35.13.23"), "35.13.23.2008"),
        ("curahdrinu", Some("35.13.23"), "35.13.23.2005"),
        ("Soemberkramat", Some("35.13.23"), "35.13.23.2007"),
    ] {
        let res = app.graphql(search, json!({ "q": q, "k": k })).await;
        assert_eq!(res.data()["villages"][0]["code"], first, "{q}: {res}");
    }
    let res = app.graphql(search, json!({ "q": "x" })).await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{res}");
}

#[tokio::test]
async fn nested_product_lists_take_the_root_filter() {
    let app = TestApp::in_process().await;
    let seller = app.seller().await;
    let other = app.seller().await;
    let cheap = app
        .product(
            &seller,
            NewProduct {
                name: "Keripik Murah".into(),
                price: 5_000,
                ..NewProduct::default()
            },
        )
        .await;
    let dear = app
        .product(
            &seller,
            NewProduct {
                name: "Tas Mahal".into(),
                price: 90_000,
                category: "anyaman",
                ..NewProduct::default()
            },
        )
        .await;
    app.product(
        &other,
        NewProduct {
            name: "Keripik Lain".into(),
            price: 5_000,
            ..NewProduct::default()
        },
    )
    .await;
    let ids = |v: &Value| -> Vec<String> {
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect()
    };
    let query = "query($s: ID!, $f: ProductFilterInput) { seller(id: $s) { products(filter: $f) { totalCount nodes { id } } } }";
    for (filter, want) in [
        (json!({ "maxPrice": 10000 }), vec![cheap.gid.clone()]),
        (json!({ "search": "tas" }), vec![dear.gid.clone()]),
        (json!({ "categorySlug": "anyaman" }), vec![dear.gid.clone()]),
        (json!({ "sellerId": other.gid }), vec![]),
    ] {
        let res = app
            .graphql(query, json!({ "s": seller.gid, "f": filter }))
            .await;
        let conn = &res.data()["seller"]["products"];
        assert_eq!(ids(conn), want, "{filter}: {res}");
        assert_eq!(conn["totalCount"], want.len(), "{filter}");
    }
}
