//! `Outlet.openNow`, `todayHours` and `nextOpening` answer from the opening hours in WIB at the
//! time the application's clock gives, and `status` (administrative) alone never means open.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestOutlet};

/// A WIB wall-clock time as an instant. 2026-11-23 is a Monday.
fn wib(day: u32, hh: u32, mm: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, day, hh, mm, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

const HOURS: &str = "query($id: ID!) { outlet(id: $id) { status openNow nextOpening todayHours { weekday opens closes } } }";

/// An outlet open 07:00–21:00 Monday to Saturday, closed on Sunday.
async fn shop(app: &TestApp) -> TestOutlet {
    let outlet = app.outlet().await;
    let hours: Vec<Value> = [
        "MONDAY",
        "TUESDAY",
        "WEDNESDAY",
        "THURSDAY",
        "FRIDAY",
        "SATURDAY",
    ]
    .iter()
    .map(|d| json!({ "weekday": d, "opens": "07:00", "closes": "21:00" }))
    .collect();
    update(app, &outlet, json!({ "openingHours": hours })).await;
    outlet
}

async fn update(app: &TestApp, outlet: &TestOutlet, changes: Value) {
    let admin = app.admin().await;
    let mut input = changes;
    input["outletId"] = json!(outlet.gid);
    let res = app
        .as_(&admin)
        .graphql(
            "mutation($input: UpdateOutletInput!) { updateOutlet(input: $input) { userErrors { field code } } }",
            json!({ "input": input }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "updateOutlet: {res}");
}

async fn hours_at(app: &TestApp, outlet: &TestOutlet, now: DateTime<Utc>) -> Value {
    app.set_time(now);
    let res = app.graphql(HOURS, json!({ "id": outlet.gid })).await;
    assert!(res["errors"].is_null(), "{res}");
    res["data"]["outlet"].clone()
}

#[tokio::test]
async fn an_outlet_open_by_status_is_closed_at_two_in_the_morning() {
    let app = TestApp::spawn_at(wib(24, 2, 0)).await;
    let outlet = shop(&app).await;

    let night = hours_at(&app, &outlet, wib(24, 2, 0)).await;
    assert_eq!(
        night["status"], "OPEN",
        "status stays the administrative state"
    );
    assert_eq!(
        night["openNow"], false,
        "02:00 WIB is outside 07:00–21:00: {night}"
    );
    assert_eq!(
        night["todayHours"],
        json!({ "weekday": "TUESDAY", "opens": "07:00", "closes": "21:00" })
    );
    assert_eq!(
        night["nextOpening"], "2026-11-24T00:00:00.000Z",
        "07:00 WIB that day"
    );
}

#[tokio::test]
async fn it_is_open_at_ten_in_the_morning_with_no_next_opening() {
    let app = TestApp::spawn_at(wib(24, 10, 0)).await;
    let outlet = shop(&app).await;

    let morning = hours_at(&app, &outlet, wib(24, 10, 0)).await;
    assert_eq!(morning["openNow"], true, "{morning}");
    assert_eq!(morning["nextOpening"], Value::Null);
}

#[tokio::test]
async fn saturday_night_it_next_opens_monday_at_seven() {
    let app = TestApp::spawn_at(wib(28, 22, 0)).await;
    let outlet = shop(&app).await;

    let saturday = hours_at(&app, &outlet, wib(28, 22, 0)).await;
    assert_eq!(saturday["openNow"], false);
    assert_eq!(
        saturday["nextOpening"], "2026-11-30T00:00:00.000Z",
        "Monday 07:00 WIB: {saturday}"
    );

    let sunday = hours_at(&app, &outlet, wib(29, 12, 0)).await;
    assert_eq!(sunday["openNow"], false);
    assert_eq!(sunday["todayHours"], Value::Null, "closed on Sunday");
    assert_eq!(sunday["nextOpening"], "2026-11-30T00:00:00.000Z");
}

#[tokio::test]
async fn a_closed_status_is_never_open_whatever_the_hours_say() {
    let app = TestApp::spawn_at(wib(24, 10, 0)).await;
    let outlet = shop(&app).await;
    update(&app, &outlet, json!({ "status": "CLOSED" })).await;

    let closed = hours_at(&app, &outlet, wib(24, 10, 0)).await;
    assert_eq!(closed["status"], "CLOSED");
    assert_eq!(closed["openNow"], false, "{closed}");
    assert_eq!(
        closed["nextOpening"],
        Value::Null,
        "it opens when the office reopens it"
    );
}
