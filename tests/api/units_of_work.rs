//! The unit of work: writes of several services commit together and only then publish their
//! events; a failure after a write rolls everything back and publishes nothing.

use entity::outlet;
use pasar_oleh::{
    error::{AppError, FieldCode},
    services::outlet_admin::{self, NewOutlet},
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::{TestApp, short_id};

fn new_outlet(code: &str) -> NewOutlet {
    NewOutlet {
        code: code.into(),
        name: "Kios Uji".into(),
        rest_area: "Rest Area Tongas".into(),
        village_code: "35.13.23.2008".into(),
        latitude: -7.74,
        longitude: 113.11,
        phone: None,
        opening_hours: vec![],
    }
}

async fn outlets_with_code(app: &TestApp, code: &str) -> u64 {
    outlet::Entity::find()
        .filter(outlet::Column::Code.eq(code))
        .count(app.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_failure_after_a_write_rolls_back_and_publishes_nothing() {
    let app = TestApp::in_process().await;
    let mut events = app.events();
    let code = format!("UOW-{}", short_id()).to_uppercase();
    let mut tx = app.begin().await;
    outlet_admin::create_outlet(&mut tx, new_outlet(&code))
        .await
        .unwrap();
    // A later step of the same unit fails (as an order would when stock runs out).
    let later: Result<(), AppError> = Err(AppError::rule(
        FieldCode::InvalidTransition,
        "a later step failed",
    ));
    assert!(tx.finish(later).await.is_err());
    assert_eq!(outlets_with_code(&app, &code).await, 0, "the write stayed");
    assert!(
        events.drain().is_empty(),
        "events of a rolled-back unit went out"
    );
}

#[tokio::test]
async fn writes_of_one_unit_commit_together_and_publish_after_commit() {
    let app = TestApp::in_process().await;
    let mut events = app.events();
    let (first, second) = (
        format!("UOW-{}", short_id()).to_uppercase(),
        format!("UOW-{}", short_id()).to_uppercase(),
    );
    let mut tx = app.begin().await;
    outlet_admin::create_outlet(&mut tx, new_outlet(&first))
        .await
        .unwrap();
    outlet_admin::create_outlet(&mut tx, new_outlet(&second))
        .await
        .unwrap();
    assert!(
        events.drain().is_empty(),
        "events went out before the commit"
    );
    tx.finish(Ok(())).await.unwrap();
    assert_eq!(outlets_with_code(&app, &first).await, 1);
    assert_eq!(outlets_with_code(&app, &second).await, 1);
    assert_eq!(events.drain(), ["outlet_changed", "outlet_changed"]);
}
