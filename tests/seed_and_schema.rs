//! Demo seeding is idempotent and the database itself guards stock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::test_state;
use entity::stock;
use pasar_oleh::fixtures::demo as seed;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};

#[tokio::test]
async fn seeding_twice_leaves_the_same_catalogue() {
    let state = test_state(true).await;
    let first = seed::counts(&state.db).await.unwrap();
    let stock_rows = stock::Entity::find().count(&state.db).await.unwrap();
    let report = seed::seed(&state.db, &state.media).await.unwrap();
    assert_eq!(seed::counts(&state.db).await.unwrap(), first);
    assert_eq!(
        stock::Entity::find().count(&state.db).await.unwrap(),
        stock_rows
    );
    assert_eq!(first, (12, 46, report.products as u64));
    assert!(report.products >= 150);
}

#[tokio::test]
async fn the_database_refuses_negative_stock() {
    let state = test_state(true).await;
    let row = stock::Entity::find().one(&state.db).await.unwrap().unwrap();
    let mut active: stock::ActiveModel = row.into();
    active.quantity = Set(-1);
    assert!(active.update(&state.db).await.is_err());
}

#[tokio::test]
async fn regions_of_east_java_are_loaded() {
    let state = test_state(false).await;
    assert_eq!(
        entity::regency::Entity::find()
            .count(&state.db)
            .await
            .unwrap(),
        38
    );
    assert_eq!(
        entity::district::Entity::find()
            .count(&state.db)
            .await
            .unwrap(),
        666
    );
    assert_eq!(
        entity::village::Entity::find()
            .count(&state.db)
            .await
            .unwrap(),
        8494
    );
}
