//! NUL and control characters in text inputs are refused at the boundary (BAD_USER_INPUT naming
//! the field), before anything runs: PostgreSQL cannot store NUL in text, so such a write used to
//! fail as INTERNAL_SERVER_ERROR there, and nothing may be written either way.

use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::helpers::{TestApp, seller_application};

const APPLY: &str = "mutation($i: SellerApplicationInput!) { applyAsSeller(input: $i) {
    seller { id description } userErrors { field code message } } }";

async fn sellers(app: &TestApp) -> u64 {
    entity::seller::Entity::find()
        .count(app.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn nul_in_a_variable_is_refused_naming_the_field_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let hadi = app.buyer().await;
    let before = sellers(&app).await;
    let bad = seller_application("Kripik\u{0}Tempe");
    let res = app.as_(&hadi).graphql(APPLY, json!({ "i": bad })).await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{res}");
    // Named by the argument path, not by the variable's name.
    assert_eq!(
        res["errors"][0]["extensions"]["field"],
        json!("input.businessName"),
        "{res}"
    );
    assert!(res["data"].is_null(), "nothing ran: {res}");
    assert_eq!(sellers(&app).await, before);
    assert!(app.events().drain().is_empty());
}

#[tokio::test]
async fn nul_in_a_literal_argument_is_refused_too() {
    let app = TestApp::spawn().await;
    let hadi = app.buyer().await;
    let before = sellers(&app).await;
    let query = r#"mutation { applyAsSeller(input: {
        businessName: "Kripik Tempe", ownerName: "Hadi\u0000Susanto", description: "",
        phone: "0813 3300 1122", address: "Jl. Raya Leces", villageCode: "35.13.05.2001",
        category: KULINER, scale: MIKRO }) { seller { id } userErrors { field code } } }"#;
    let res = app.as_(&hadi).graphql(query, json!({})).await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{res}");
    assert_eq!(
        res["errors"][0]["extensions"]["field"],
        json!("input.ownerName")
    );
    assert_eq!(sellers(&app).await, before);
    // Read paths too: a NUL in a search string is not sent to the database either.
    let res = app
        .graphql(
            "query($q: String) { products(filter: {search: $q}) { totalCount } }",
            json!({ "q": "keripik\u{0}" }),
        )
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{res}");
    assert_eq!(
        res["errors"][0]["extensions"]["field"],
        json!("filter.search")
    );
}

#[tokio::test]
async fn line_breaks_are_for_free_text_only_and_other_controls_nowhere() {
    let app = TestApp::spawn().await;
    let hadi = app.buyer().await;
    // A one-line field with a line break, or an escape sequence: refused.
    for (field, value) in [
        ("businessName", "Kripik\nTempe"),
        ("phone", "0813 3300 1122\u{1b}[2J"),
        ("description", "Renyah\u{7}"),
    ] {
        let mut bad = seller_application("Kripik Tempe Pak Hadi");
        bad[field] = json!(value);
        let res = app.as_(&hadi).graphql(APPLY, json!({ "i": bad })).await;
        assert_eq!(res.error_code(), Some("BAD_USER_INPUT"), "{field}: {res}");
        assert_eq!(
            res["errors"][0]["extensions"]["field"],
            json!(format!("input.{field}"))
        );
    }
    // A multi-line description with tabs is accepted and stored as written.
    let mut good = seller_application("Kripik Tempe Pak Hadi");
    good["description"] = json!("Renyah.\r\nTanpa pengawet.\n\tSejak 1998.");
    let res = app.as_(&hadi).graphql(APPLY, json!({ "i": good })).await;
    assert_eq!(
        res.data()["applyAsSeller"]["seller"]["description"],
        json!("Renyah.\r\nTanpa pengawet.\n\tSejak 1998.")
    );
}
