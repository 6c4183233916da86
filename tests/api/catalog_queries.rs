//! Filters, search, sorting, pagination and argument errors of the public catalogue, on a small
//! catalogue each test builds; the first page of the demo catalogue is checked on the seed.

use serde_json::{Value, json};

use crate::helpers::{NewProduct, TestApp, TestOutlet, TestProduct, seller_application};

fn names(conn: &Value) -> Vec<String> {
    conn["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_string())
        .collect()
}

fn product(name: &str, price: i64, category: &'static str) -> NewProduct {
    NewProduct {
        name: name.into(),
        price,
        category,
        ..NewProduct::default()
    }
}

/// Fifteen products of two sellers, one in Tongas (35.13.23) and one in Leces (35.13.05),
/// priced 5,000 to 75,000, in food (keripik, sambal) and craft (anyaman) categories; two are
/// featured. The Tongas seller has a place at one outlet, where two products are in stock and
/// one is sold out.
struct Catalogue {
    outlet: TestOutlet,
    featured: usize,
}

async fn catalogue(app: &TestApp) -> Catalogue {
    let leces = app.seller().await;
    let mut form = seller_application("Warung Tongas");
    form["villageCode"] = json!("35.13.23.2008");
    let tongas = app.apply(form).await;
    app.verify(&tongas).await;
    let mut made: Vec<TestProduct> = Vec::new();
    for (i, (name, category)) in [
        ("Keripik Pisang Agung", "keripik"),
        ("Keripik Tempe Sagu", "keripik"),
        ("Sambal Bawang Bu Rini", "sambal"),
        ("Sambal Roa", "sambal"),
        ("Tas Anyaman Pandan", "anyaman"),
        ("Tikar Anyaman Mendong", "anyaman"),
        ("Keripik Singkong Balado", "keripik"),
        ("Sambal Teri", "sambal"),
    ]
    .into_iter()
    .enumerate()
    {
        let price = 5_000 + 10_000 * i as i64;
        made.push(app.product(&leces, product(name, price, category)).await);
    }
    for (i, (name, category)) in [
        ("Keripik Mangga Arumanis", "keripik"),
        ("Keripik Mangga Madu", "keripik"),
        ("Anyaman Bambu Tongas", "anyaman"),
        ("Sambal Mangga Muda", "sambal"),
        ("Keripik Nangka", "keripik"),
        ("Kripik Tempe Tongas", "keripik"),
        ("Dodol Mangga", "keripik"),
    ]
    .into_iter()
    .enumerate()
    {
        let price = 8_000 + 9_000 * i as i64;
        made.push(app.product(&tongas, product(name, price, category)).await);
    }
    app.feature(&made[0]).await;
    app.feature(&made[9]).await;
    let outlet = app.outlet().await;
    app.place(&tongas.gid, &outlet).await;
    app.stock(&outlet, &made[8], 12).await;
    app.stock(&outlet, &made[10], 3).await;
    app.stock(&outlet, &made[11], 0).await;
    Catalogue {
        outlet,
        featured: 2,
    }
}

#[tokio::test]
async fn the_demo_first_page_has_sellers_photos_and_availability() {
    // Photos come only from the demo seed (there is no upload yet).
    let app = TestApp::in_process_seeded().await;
    let res = app
        .graphql(
            "{ products(first: 20) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
                 edges { cursor node { id name price unitLabel halal
                   seller { businessName verified kecamatan { code name } }
                   category { slug parent { slug } }
                   photos { url width height altText }
                   availability { quantity inStock outlet { code name } } } } } }",
            json!({}),
        )
        .await;
    let conn = &res.data()["products"];
    let edges = conn["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 20);
    assert_eq!(conn["totalCount"], 150);
    assert_eq!(conn["pageInfo"]["hasNextPage"], true);
    assert_eq!(conn["pageInfo"]["hasPreviousPage"], false);
    for e in edges {
        let node = &e["node"];
        assert_eq!(node["seller"]["verified"], true);
        assert!(
            node["seller"]["kecamatan"]["code"]
                .as_str()
                .unwrap()
                .starts_with("35.13.")
        );
        assert!(!node["photos"].as_array().unwrap().is_empty());
        let url = node["photos"][0]["url"].as_str().unwrap();
        assert!(url.contains("photos/") && url.contains(".webp"), "{url}");
        for a in node["availability"].as_array().unwrap() {
            assert_eq!(a["inStock"], a["quantity"].as_i64().unwrap() > 0);
            assert!(a["outlet"]["code"].as_str().unwrap().starts_with("TGS-K"));
        }
    }
    assert!(
        edges
            .iter()
            .any(|e| !e["node"]["availability"].as_array().unwrap().is_empty())
    );
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps() {
    let app = TestApp::in_process().await;
    catalogue(&app).await;
    let q = "query($after: String) { products(first: 7, after: $after, sort: NAME) {
               pageInfo { hasNextPage endCursor } edges { node { name } } } }";
    let first = app.graphql(q, json!({ "after": null })).await;
    let second = app
        .graphql(
            q,
            json!({ "after": first.data()["products"]["pageInfo"]["endCursor"] }),
        )
        .await;
    let both = app
        .graphql(
            "{ products(first: 14, sort: NAME) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    let mut joined = names(&first.data()["products"]);
    joined.extend(names(&second.data()["products"]));
    assert_eq!(joined.len(), 14);
    assert_eq!(joined, names(&both.data()["products"]));
}

#[tokio::test]
async fn sorts_by_price_and_name() {
    let app = TestApp::in_process().await;
    catalogue(&app).await;
    let res = app
        .graphql(
            "{ up: products(first: 100, sort: PRICE_ASC) { edges { node { price } } }
               down: products(first: 100, sort: PRICE_DESC) { edges { node { price } } }
               byName: products(first: 100, sort: NAME) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    let data = res.data();
    let prices = |k: &str| -> Vec<i64> {
        data[k]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["price"].as_i64().unwrap())
            .collect()
    };
    let up = prices("up");
    assert_eq!(up.len(), 15);
    assert!(up.windows(2).all(|w| w[0] <= w[1]));
    let down = prices("down");
    assert!(down.windows(2).all(|w| w[0] >= w[1]));
    let by_name = names(&data["byName"]);
    let mut sorted = by_name.clone();
    sorted.sort();
    assert_eq!(by_name, sorted);
}

#[tokio::test]
async fn filters_by_category_tree_price_kecamatan_outlet_and_featured() {
    let app = TestApp::in_process().await;
    let catalogue = catalogue(&app).await;
    let res = app
        .graphql(
            r#"query($code: String!) { food: products(first: 100, filter: { categorySlug: "makanan-minuman" }) { totalCount edges { node { category { slug parent { slug } } } } }
                 keripik: products(filter: { categorySlug: "keripik" }) { totalCount }
                 cheap: products(first: 100, filter: { minPrice: 10000, maxPrice: 20000 }) { edges { node { price } } }
                 tongas: products(first: 100, filter: { kecamatanCode: "35.13.23" }) { edges { node { seller { kecamatan { code } } } } }
                 featured: products(first: 100, filter: { featured: true }) { totalCount }
                 here: outlet(code: $code) { id products(first: 100) { totalCount edges { node { availability { quantity outlet { code } } } } } } }"#,
            json!({ "code": catalogue.outlet.code }),
        )
        .await;
    let data = res.data();
    let food = &data["food"];
    assert!(food["totalCount"].as_i64().unwrap() > data["keripik"]["totalCount"].as_i64().unwrap());
    for e in food["edges"].as_array().unwrap() {
        let c = &e["node"]["category"];
        assert!(c["slug"] == "makanan-minuman" || c["parent"]["slug"] == "makanan-minuman");
    }
    let cheap = data["cheap"]["edges"].as_array().unwrap();
    assert!(!cheap.is_empty());
    for e in cheap {
        let p = e["node"]["price"].as_i64().unwrap();
        assert!((10000..=20000).contains(&p));
    }
    let tongas = data["tongas"]["edges"].as_array().unwrap();
    assert!(!tongas.is_empty());
    assert!(
        tongas
            .iter()
            .all(|e| e["node"]["seller"]["kecamatan"]["code"] == "35.13.23")
    );
    assert_eq!(data["featured"]["totalCount"], catalogue.featured);
    // Everything listed at an outlet is in stock there (the sold-out product is not listed).
    let here = &data["here"]["products"];
    assert_eq!(here["totalCount"], 2);
    for e in here["edges"].as_array().unwrap() {
        let stocked = e["node"]["availability"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["outlet"]["code"] == catalogue.outlet.code.as_str())
            .unwrap();
        assert!(stocked["quantity"].as_i64().unwrap() > 0);
    }
    // The same through the filter argument, by global ID.
    let id = data["here"]["id"].clone();
    let by_filter = app
        .graphql(
            "query($id: ID) { products(filter: { outletId: $id }) { totalCount } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        by_filter.data()["products"]["totalCount"],
        here["totalCount"]
    );
}

#[tokio::test]
async fn halal_is_never_shown_after_the_certificate_expires() {
    let app = TestApp::in_process().await;
    let certified = |name: &str| {
        let mut form = seller_application(name);
        form["halalCertificateNumber"] = json!("ID35110000214560323");
        form["halalExpiresOn"] = json!("2099-12-31");
        form
    };
    let valid = app.apply(certified("Keripik Halal Tetap")).await;
    app.verify(&valid).await;
    let lapsing = app.apply(certified("Keripik Halal Lewat")).await;
    app.verify(&lapsing).await;
    let halal = NewProduct {
        halal: true,
        ..NewProduct::default()
    };
    app.product(&valid, halal.clone()).await;
    app.product(
        &lapsing,
        NewProduct {
            name: "Keripik Lewat".into(),
            ..halal
        },
    )
    .await;
    app.expired_halal_certificate(&lapsing).await;

    let res = app
        .graphql(
            "{ all: products(first: 100) { edges { node { slug halal halalCertificate { expired expiresOn } } } }
               halal: products(first: 100, filter: { halalOnly: true }) { totalCount edges { node { halal } } } }",
            json!({}),
        )
        .await;
    let data = res.data();
    let mut expired = 0;
    for conn in [&data["all"]] {
        for e in conn["edges"].as_array().unwrap() {
            let node = &e["node"];
            if node["halalCertificate"]["expired"] == true {
                expired += 1;
                assert_eq!(
                    node["halal"], false,
                    "{} is shown halal after expiry",
                    node["slug"]
                );
            }
        }
    }
    assert_eq!(expired, 1, "the expired certificate must be listed");
    let halal = &data["halal"];
    assert_eq!(halal["totalCount"], 1);
    assert!(
        halal["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["halal"] == true)
    );
}

#[tokio::test]
async fn search_finds_words_everywhere_and_tolerates_typos_on_both_backends() {
    let app = TestApp::in_process().await;
    catalogue(&app).await;
    let seller = app.seller().await;
    // A description that mentions the words, under a name that does not.
    app.product(
        &seller,
        NewProduct {
            name: "Sirup Kweni".into(),
            description: "Segar diminum bersama keripik mangga.".into(),
            ..NewProduct::default()
        },
    )
    .await;
    let q = "query($q: String) { products(first: 100, filter: { search: $q }) { totalCount edges { node { name } } } }";
    let res = app
        .graphql(
            "{ products(first: 100, filter: { search: \"Mangga\" }) { edges { node { name description } } } }",
            json!({}),
        )
        .await;
    let edges = res.data()["products"]["edges"].as_array().unwrap().clone();
    assert!(!edges.is_empty());
    // Found through its description, on both backends.
    assert!(edges.iter().any(|e| e["node"]["name"] == "Sirup Kweni"));
    // Best match first: a name containing the words beats a description mentioning them.
    let res = app.graphql(q, json!({ "q": "keripik mangga" })).await;
    assert!(
        names(&res.data()["products"])[0]
            .to_lowercase()
            .starts_with("keripik mangga")
    );
    // Wildcards in the search text are literal.
    let res = app.graphql(q, json!({ "q": "%" })).await;
    assert_eq!(res.data()["products"]["totalCount"], 0);

    {
        let res = app.graphql(q, json!({ "q": "keripik manga" })).await;
        let found = names(&res.data()["products"]);
        assert!(
            found.iter().take(5).any(|n| n == "Keripik Mangga Arumanis"),
            "{found:?}"
        );
        let res = app.graphql(q, json!({ "q": "kripik" })).await;
        let found = names(&res.data()["products"]);
        assert!(
            found.iter().any(|n| n.starts_with("Keripik")),
            "kripik must find keripik: {found:?}"
        );
        assert!(found.iter().any(|n| n.starts_with("Kripik")));
        let res = app.graphql(q, json!({ "q": "keripik" })).await;
        assert!(
            names(&res.data()["products"])
                .iter()
                .any(|n| n.starts_with("Kripik")),
            "keripik must find kripik"
        );
    }
}

#[tokio::test]
async fn bad_arguments_get_clear_coded_errors() {
    let app = TestApp::in_process().await;
    let cases = [
        ("{ products(first: -1) { totalCount } }", "BAD_USER_INPUT"),
        ("{ products(first: 101) { totalCount } }", "BAD_USER_INPUT"),
        (
            "{ products(after: \"not-a-cursor\") { totalCount } }",
            "INVALID_CURSOR",
        ),
        (
            "{ products(after: \"eDo1\") { totalCount } }",
            "INVALID_CURSOR",
        ),
        ("{ product(slug: \"tidak-ada\") { id } }", "NOT_FOUND"),
        ("{ product { id } }", "BAD_USER_INPUT"),
        ("{ product(id: \"garbage\") { id } }", "BAD_USER_INPUT"),
        ("{ seller(slug: \"tidak-ada\") { id } }", "NOT_FOUND"),
        ("{ outlet(code: \"XX-99\") { id } }", "NOT_FOUND"),
        (
            "{ products(filter: { minPrice: -5 }) { totalCount } }",
            "BAD_USER_INPUT",
        ),
        (
            "{ products(filter: { minPrice: 500, maxPrice: 100 }) { totalCount } }",
            "BAD_USER_INPUT",
        ),
        (
            "{ products(filter: { kecamatanCode: \"Tongas\" }) { totalCount } }",
            "BAD_USER_INPUT",
        ),
        (
            "{ products(filter: { categorySlug: \"tidak-ada\" }) { totalCount } }",
            "BAD_USER_INPUT",
        ),
        ("{ node(id: \"garbage\") { id } }", "BAD_USER_INPUT"),
        (
            "{ kecamatan(regencyCode: \"99.99\") { name } }",
            "BAD_USER_INPUT",
        ),
    ];
    for (query, expected) in cases {
        let res = app.graphql(query, json!({})).await;
        assert_eq!(res.error_code(), Some(expected), "{query}");
    }
    // The field is named for the client.
    let res = app
        .graphql("{ products(first: 101) { totalCount } }", json!({}))
        .await;
    assert_eq!(res["errors"][0]["extensions"]["field"], "first");
    let long = "x".repeat(101);
    let res = app
        .graphql(
            "query($q: String) { products(filter: { search: $q }) { totalCount } }",
            json!({ "q": long }),
        )
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn categories_regions_and_outlets_are_browsable() {
    let app = TestApp::in_process().await;
    let seller = app.seller().await;
    let first = app.outlet().await;
    let second = app.outlet().await;
    app.place(&seller.gid, &first).await;
    let res = app
        .graphql(
            "{ categories { slug isFood parent { slug } children { slug } }
               kecamatan { code name regency { name } }
               outlets(first: 100) { totalCount edges { node { code location { latitude longitude }
                 openingHours { weekday opens closes } kecamatan { name } village { name } sellers { nodes { slug } } } } } }",
            json!({}),
        )
        .await;
    let data = res.data();
    let cats = data["categories"].as_array().unwrap();
    let food = cats
        .iter()
        .find(|c| c["slug"] == "makanan-minuman")
        .unwrap();
    assert_eq!(food["isFood"], true);
    assert!(
        food["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["slug"] == "keripik")
    );
    let kec = data["kecamatan"].as_array().unwrap();
    assert_eq!(kec.len(), 24);
    assert!(
        kec.iter()
            .any(|k| k["code"] == "35.13.23" && k["name"] == "Tongas")
    );
    assert_eq!(kec[0]["regency"]["name"], "Kabupaten Probolinggo");
    assert_eq!(data["outlets"]["totalCount"], 2);
    let edges = data["outlets"]["edges"].as_array().unwrap();
    let codes: Vec<&str> = edges
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap())
        .collect();
    let mut sorted = vec![first.code.as_str(), second.code.as_str()];
    sorted.sort();
    assert_eq!(codes, sorted, "outlets are listed by code");
    let placed = &edges
        .iter()
        .find(|e| e["node"]["code"] == first.code.as_str())
        .unwrap()["node"];
    assert_eq!(placed["kecamatan"]["name"], "Tongas");
    assert!(!placed["openingHours"].as_array().unwrap().is_empty());
    assert_eq!(placed["sellers"]["nodes"], json!([{ "slug": seller.slug }]));
}
