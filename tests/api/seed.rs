//! Demo seeding is idempotent, reference data is loaded, and the database itself guards stock.

use entity::stock;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use serde_json::{Value, json};

use crate::helpers::TestApp;

#[tokio::test]
async fn seeding_twice_leaves_the_same_catalogue() {
    let app = TestApp::in_process_seeded().await;
    let first = app.seed_counts().await;
    let stock_rows = stock::Entity::find().count(app.db()).await.unwrap();
    let products = app.reseed().await;
    assert_eq!(app.seed_counts().await, first);
    assert_eq!(
        stock::Entity::find().count(app.db()).await.unwrap(),
        stock_rows
    );
    assert_eq!(first, (12, 46, products as u64));
    assert!(products >= 150);
}

#[tokio::test]
async fn the_database_refuses_negative_stock() {
    let app = TestApp::in_process().await;
    let seller = app.seller().await;
    let outlet = app.outlet().await;
    app.place(&seller.gid, &outlet).await;
    let product = app.product(&seller, Default::default()).await;
    app.stock(&outlet, &product, 5).await;
    let row = stock::Entity::find().one(app.db()).await.unwrap().unwrap();
    let mut active: stock::ActiveModel = row.into();
    active.quantity = Set(-1);
    assert!(active.update(app.db()).await.is_err());
}

#[tokio::test]
async fn regions_of_east_java_are_loaded() {
    let app = TestApp::in_process().await;
    assert_eq!(
        entity::regency::Entity::find()
            .count(app.db())
            .await
            .unwrap(),
        38
    );
    assert_eq!(
        entity::district::Entity::find()
            .count(app.db())
            .await
            .unwrap(),
        666
    );
    assert_eq!(
        entity::village::Entity::find()
            .count(app.db())
            .await
            .unwrap(),
        8494
    );
}

/// What the demo catalogue holds, as the public API serves it.
#[tokio::test]
async fn the_demo_catalogue_is_served() {
    let app = TestApp::in_process_seeded().await;
    let res = app
        .graphql(
            "{ featured: products(first: 100, filter: { featured: true }) { totalCount }
               sellers(first: 100) { totalCount }
               outlets(first: 100) { totalCount edges { node { code kecamatan { name } openingHours { weekday } sellers { nodes { slug } } } } }
               k01: outlet(code: \"TGS-K01\") { products(first: 100) { totalCount edges { node { availability { quantity outlet { code } } } } } } }",
            json!({}),
        )
        .await;
    let data = res.data();
    assert_eq!(data["featured"]["totalCount"], 15);
    assert_eq!(data["sellers"]["totalCount"], 40);
    assert_eq!(data["outlets"]["totalCount"], 12);
    let k01 = &data["outlets"]["edges"][0]["node"];
    assert_eq!(k01["code"], "TGS-K01");
    assert_eq!(k01["kecamatan"]["name"], "Tongas");
    assert!(!k01["openingHours"].as_array().unwrap().is_empty());
    assert!(!k01["sellers"]["nodes"].as_array().unwrap().is_empty());
    // Everything listed at an outlet is in stock there.
    let listed = &data["k01"]["products"];
    assert!(listed["totalCount"].as_i64().unwrap() > 0);
    for e in listed["edges"].as_array().unwrap() {
        let here = e["node"]["availability"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["outlet"]["code"] == "TGS-K01")
            .unwrap();
        assert!(here["quantity"].as_i64().unwrap() > 0);
    }
}

/// The benchmark dataset (`pasar-oleh seed-bench`): the sizes asked for, deterministic from the
/// seed, and served by the API like any catalogue.
#[tokio::test]
async fn bench_dataset_is_deterministic_and_served() {
    use pasar_oleh::fixtures::bench::{self, BenchSpec};
    let spec = BenchSpec {
        outlets: 3,
        sellers: 12,
        products: 60,
        photos_per_product: 3,
        seed: 7,
    };
    let a = TestApp::spawn().await;
    let b = TestApp::spawn().await;
    let report = bench::seed(a.db(), spec).await.unwrap();
    assert_eq!(bench::seed(b.db(), spec).await.unwrap(), report);
    assert_eq!(
        (
            report.outlets,
            report.sellers,
            report.products,
            report.photos
        ),
        (3, 12, 60, 180)
    );
    assert!(report.public_products > 30, "{report:?}");
    // A second run into a catalogue that is not empty is refused.
    assert!(bench::seed(a.db(), spec).await.is_err());
    let q = "{ products(first: 100, sort: NAME) { totalCount nodes { slug photos { url } availability { quantity } } }
              outlets(first: 10) { totalCount nodes { code sellers(first: 100) { totalCount } } } }";
    let (ra, rb) = (a.graphql(q, json!({})).await, b.graphql(q, json!({})).await);
    assert_eq!(
        ra.data()["products"]["totalCount"],
        report.public_products as i64
    );
    assert_eq!(ra.data()["outlets"]["totalCount"], 3);
    let slugs = |r: &Value| -> Vec<Value> {
        r["products"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["slug"].clone())
            .collect()
    };
    assert_eq!(slugs(ra.data()), slugs(rb.data()));
    assert_eq!(
        ra.data()["products"]["nodes"][0]["photos"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}
