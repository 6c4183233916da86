//! The user-error contract: exact input paths for nested inputs, REQUIRED vs INVALID alike in
//! every mutation, EXPIRED for a lapsed halal certificate, messages in Indonesian by default and
//! in English on request.

use serde_json::{Value, json};

use crate::helpers::{
    NewProduct, PASSWORD, TestApp, UserError, seller_application, short_id, unique_email,
};

const CREATE_PRODUCT: &str = "mutation($s: ID!, $i: ProductInput!) { createProduct(input: { sellerId: $s, product: $i }) { product { id } userErrors { field code message } } }";
const UPDATE_PRODUCT: &str = "mutation($p: ID!, $i: ProductInput!) { updateProduct(input: { productId: $p, product: $i }) { product { id } userErrors { field code message } } }";
const UPDATE_SELLER: &str = "mutation($s: ID!, $a: SellerApplicationInput!) { updateSellerApplication(input: { sellerId: $s, application: $a }) { seller { id } userErrors { field code message } } }";
const REGISTER: &str = "mutation($input: RegisterUserInput!) { register(input: $input) { user { id } userErrors { field code message } } }";

#[tokio::test]
async fn nested_inputs_report_their_exact_paths() {
    let app = TestApp::in_process().await;
    let seller = app.seller().await;
    let res = app
        .as_(&seller.owner)
        .graphql(
            CREATE_PRODUCT,
            json!({ "s": seller.gid, "i": { "name": "Keripik", "price": 0, "unitLabel": "pak" } }),
        )
        .await;
    let errors = res.user_errors();
    assert!(
        errors.contains(&UserError::new("input.product.price", "INVALID")),
        "{res}"
    );
    assert!(
        errors.contains(&UserError::new("input.product.categoryId", "REQUIRED")),
        "{res}"
    );

    let product = app.product(&seller, NewProduct::default()).await;
    let res = app
        .as_(&seller.owner)
        .graphql(
            UPDATE_PRODUCT,
            json!({ "p": product.gid, "i": { "price": -5 } }),
        )
        .await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.product.price", "INVALID")]
    );

    let res = app
        .as_(&seller.owner)
        .graphql(
            UPDATE_SELLER,
            json!({ "s": seller.gid, "a": { "nib": "12" } }),
        )
        .await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.application.nib", "INVALID")],
        "{res}"
    );
}

#[tokio::test]
async fn an_empty_value_is_required_and_a_malformed_one_invalid_in_every_mutation() {
    let app = TestApp::in_process().await;
    let seller = app.seller().await;
    let product = app.product(&seller, NewProduct::default()).await;
    // A blank name: REQUIRED in updateProduct and in register alike.
    let res = app
        .as_(&seller.owner)
        .graphql(
            UPDATE_PRODUCT,
            json!({ "p": product.gid, "i": { "name": "   " } }),
        )
        .await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.product.name", "REQUIRED")]
    );
    let res = app
        .graphql(REGISTER, json!({ "input": { "email": unique_email("kosong"), "displayName": "  ", "password": PASSWORD } }))
        .await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.displayName", "REQUIRED")]
    );
    // Too long: INVALID in both.
    let long = "x".repeat(200);
    let res = app
        .as_(&seller.owner)
        .graphql(
            UPDATE_PRODUCT,
            json!({ "p": product.gid, "i": { "name": long } }),
        )
        .await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.product.name", "INVALID")]
    );
    let res = app
        .graphql(REGISTER, json!({ "input": { "email": unique_email("panjang"), "displayName": long, "password": PASSWORD } }))
        .await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.displayName", "INVALID")]
    );
}

#[tokio::test]
async fn a_lapsed_halal_certificate_is_expired() {
    let app = TestApp::in_process().await;
    let mut application = seller_application(&format!("Kue Halal {}", short_id()));
    application["halalCertificateNumber"] = json!("ID35110000214560323");
    application["halalExpiresOn"] = json!("2099-12-31");
    let seller = app.apply(application).await;
    app.verify(&seller).await;
    let craft = app
        .product(
            &seller,
            NewProduct {
                category: "anyaman",
                ..NewProduct::default()
            },
        )
        .await;
    app.expired_halal_certificate(&seller).await;
    let res = app
        .as_(&seller.owner)
        .graphql(
            UPDATE_PRODUCT,
            json!({ "p": craft.gid, "i": { "halal": true } }),
        )
        .await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.product.halal", "EXPIRED")],
        "{res}"
    );
    let message = res["data"]["updateProduct"]["userErrors"][0]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("kedaluwarsa"), "{message}");
}

async fn register_with(app: &TestApp, accept_language: Option<&str>) -> Value {
    let mut req = app.http_post("/graphql").json(&json!({
        "query": REGISTER,
        "variables": { "input": { "email": "bukan-email", "displayName": "Sri", "password": PASSWORD } }
    }));
    if let Some(lang) = accept_language {
        req = req.header("accept-language", lang);
    }
    let body: Value = req.send().await.unwrap().json().await.unwrap();
    body["data"]["register"]["userErrors"][0].clone()
}

#[tokio::test]
async fn messages_are_indonesian_by_default_and_english_on_request() {
    let app = TestApp::spawn().await;
    let default = register_with(&app, None).await;
    let indonesian = register_with(&app, Some("id-ID,id;q=0.9")).await;
    let english = register_with(&app, Some("en-GB,en;q=0.9,id;q=0.5")).await;
    assert_eq!(default["message"], "alamat e-mail tidak valid");
    assert_eq!(indonesian["message"], "alamat e-mail tidak valid");
    assert_eq!(english["message"], "not a valid e-mail address");
    // Only the words change: the field and code are the contract.
    for e in [&default, &indonesian, &english] {
        assert_eq!(
            (&e["field"], &e["code"]),
            (&json!("input.email"), &json!("INVALID"))
        );
    }
}

#[tokio::test]
async fn every_user_error_code_is_a_documented_enum_value() {
    let app = TestApp::in_process().await;
    let res = app
        .graphql(
            "{ __type(name: \"UserErrorCode\") { kind enumValues { name description } } }",
            json!({}),
        )
        .await;
    let t = &res.data()["__type"];
    assert_eq!(t["kind"], "ENUM");
    let values = t["enumValues"].as_array().unwrap();
    assert!(values.len() >= 12);
    for v in values {
        assert!(
            v["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{v}"
        );
    }
}
