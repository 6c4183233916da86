//! Onboarding → verification → publish → public visibility, end to end over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use entity::{outlet, outlet_seller};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};

async fn call(app: &TestApp, auth: Option<&str>, query: &str, variables: Value) -> Value {
    let mut req = app
        .client
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = auth {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    req.send().await.unwrap().json().await.unwrap()
}

async fn user(app: &TestApp, email: &str, admin: bool) -> String {
    if admin {
        pasar_oleh::services::accounts::create_admin(
            &app.state.db,
            &app.state.events,
            email,
            "Admin Dinas",
            "rahasia-123",
        )
        .await
        .unwrap();
    } else {
        call(app, None, "mutation($e: String!) { register(input: { email: $e, displayName: \"Pak Hadi\", password: \"rahasia-123\" }) { userErrors { code } } }", json!({ "e": email })).await;
    }
    let body = call(app, None, "mutation($e: String!) { login(input: { identifier: $e, password: \"rahasia-123\" }) { tokens { accessToken } } }", json!({ "e": email })).await;
    body["data"]["login"]["tokens"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string()
}

const APPLY: &str = "mutation($i: SellerApplicationInput!) { applyAsSeller(input: $i) {
    seller { id slug verificationStatus phone legal { nib pirtNumber } } userErrors { field code message } } }";

fn application() -> Value {
    json!({
        "businessName": "Kripik Tempe Pak Hadi", "ownerName": "Hadi Susanto", "description": "Kripik tempe renyah dari Leces.",
        "phone": "0813 3300 1122", "address": "Jl. Raya Leces RT 01 RW 02", "villageCode": "35.13.05.2001",
        "category": "KULINER", "scale": "MIKRO", "nib": "9120105799001", "pirtNumber": "2063513050001-29"
    })
}

#[tokio::test]
async fn invalid_applications_name_every_field_and_write_nothing() {
    let app = TestApp::spawn().await;
    let hadi = user(&app, "hadi@example.id", false).await;
    let before = entity::seller::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    let mut bad = application();
    bad["nib"] = json!("123");
    bad["phone"] = json!("021-555");
    bad["villageCode"] = json!("99.99.99.9999");
    bad["pirtNumber"] = json!("P-IRT 12");
    bad["halalCertificateNumber"] = json!("ID35110000214560323");
    bad["halalExpiresOn"] = json!("2020-01-01");
    bad["businessName"] = json!("");
    let body = call(&app, Some(&hadi), APPLY, json!({ "i": bad })).await;
    let errors = body["data"]["applyAsSeller"]["userErrors"]
        .as_array()
        .unwrap();
    let fields: Vec<&str> = errors
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "input.nib",
        "input.phone",
        "input.villageCode",
        "input.pirtNumber",
        "input.halalExpiresOn",
        "input.businessName",
    ] {
        assert!(fields.contains(&f), "{f} not reported: {fields:?}");
    }
    assert_eq!(
        entity::seller::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        before
    );
    // Anonymous callers cannot apply at all.
    let body = call(&app, None, APPLY, json!({ "i": application() })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn onboarding_verification_publishing_and_suspension() {
    let app = TestApp::spawn().await;
    let hadi = user(&app, "hadi@example.id", false).await;
    let admin = user(&app, "admin@example.id", true).await;

    let body = call(&app, Some(&hadi), APPLY, json!({ "i": application() })).await;
    let seller = &body["data"]["applyAsSeller"]["seller"];
    assert_eq!(seller["verificationStatus"], "PENDING", "{body}");
    assert_eq!(seller["phone"], "+6281333001122");
    assert_eq!(seller["legal"]["pirtNumber"], "P-IRT 2063513050001-29");
    let seller_id = seller["id"].clone();
    let slug = seller["slug"].as_str().unwrap().to_string();
    let body = call(
        &app,
        Some(&hadi),
        "{ viewer { roles sellers { slug } } }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["viewer"]["roles"], json!(["BUYER", "SELLER"]));

    // A pending seller is invisible to the public, visible to its member.
    let public_q = "query($s: String) { seller(slug: $s) { businessName phone legal { nib } statusHistory { fromStatus toStatus reason } } }";
    let body = call(&app, None, public_q, json!({ "s": slug })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let body = call(&app, Some(&hadi), public_q, json!({ "s": slug })).await;
    assert_eq!(body["data"]["seller"]["phone"], "+6281333001122");

    // Products start as drafts; a pending seller cannot publish.
    let create = "mutation($s: ID!, $c: ID!) { createProduct(input: { sellerId: $s, product: { categoryId: $c, name: \"Kripik Tempe Original\", price: 15000, unitLabel: \"pak 200 g\", netWeightGrams: 200, shelfLifeDays: 60 } }) { product { id status slug } userErrors { field code } } }";
    let cats = call(&app, None, "{ categories { id slug } }", json!({})).await;
    let keripik = cats["data"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "keripik")
        .unwrap()["id"]
        .clone();
    let body = call(
        &app,
        Some(&hadi),
        create,
        json!({ "s": seller_id, "c": keripik }),
    )
    .await;
    let product = &body["data"]["createProduct"]["product"];
    assert_eq!(product["status"], "DRAFT", "{body}");
    let product_id = product["id"].clone();
    let product_slug = product["slug"].as_str().unwrap().to_string();
    let publish = "mutation($p: ID!) { publishProduct(input: { productId: $p }) { product { status } userErrors { code } } }";
    let body = call(&app, Some(&hadi), publish, json!({ "p": product_id })).await;
    assert_eq!(
        body["data"]["publishProduct"]["userErrors"][0]["code"],
        "NOT_VERIFIED"
    );

    // The office verifies; publishing works and the product is public.
    let decide = |name: &'static str| {
        format!(
            "mutation($s: ID!, $r: String) {{ {name}(input: {{ sellerId: $s, reason: $r }}) {{ seller {{ verificationStatus }} userErrors {{ field code }} }} }}"
        )
    };
    let body = call(
        &app,
        Some(&hadi),
        &decide("verifySeller"),
        json!({ "s": seller_id }),
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let body = call(
        &app,
        Some(&admin),
        &decide("verifySeller"),
        json!({ "s": seller_id }),
    )
    .await;
    assert_eq!(
        body["data"]["verifySeller"]["seller"]["verificationStatus"], "VERIFIED",
        "{body}"
    );
    let body = call(&app, Some(&hadi), publish, json!({ "p": product_id })).await;
    assert_eq!(
        body["data"]["publishProduct"]["product"]["status"], "ACTIVE",
        "{body}"
    );
    let product_q = "query($s: String) { product(slug: $s) { name seller { businessName phone legal { nib } } } }";
    let body = call(&app, None, product_q, json!({ "s": product_slug })).await;
    assert_eq!(
        body["data"]["product"]["seller"]["businessName"],
        "Kripik Tempe Pak Hadi"
    );
    assert_eq!(
        body["data"]["product"]["seller"]["phone"],
        Value::Null,
        "private data leaked"
    );
    assert_eq!(body["data"]["product"]["seller"]["legal"], Value::Null);

    // A change of legal data goes to review; the product stays public meanwhile.
    let update = "mutation($s: ID!) { updateSellerApplication(input: { sellerId: $s, application: { nib: \"9120105799002\" } }) { seller { verificationStatus legal { nib } pendingLegalChange { nib } } userErrors { field code } } }";
    let body = call(&app, Some(&hadi), update, json!({ "s": seller_id })).await;
    let s = &body["data"]["updateSellerApplication"]["seller"];
    assert_eq!(s["verificationStatus"], "VERIFIED", "{body}");
    assert_eq!(s["legal"]["nib"], "9120105799001");
    assert_eq!(s["pendingLegalChange"]["nib"], "9120105799002");
    let body = call(&app, None, product_q, json!({ "s": product_slug })).await;
    assert!(body["data"]["product"].is_object());
    let body = call(
        &app,
        Some(&admin),
        &decide("verifySeller"),
        json!({ "s": seller_id }),
    )
    .await;
    assert_eq!(
        body["data"]["verifySeller"]["seller"]["verificationStatus"],
        "VERIFIED"
    );
    let body = call(&app, Some(&hadi), public_q, json!({ "s": slug })).await;
    assert_eq!(body["data"]["seller"]["legal"]["nib"], "9120105799002");

    // Suspension needs a reason and hides the products at once; reinstatement brings them back.
    let body = call(
        &app,
        Some(&admin),
        &decide("suspendSeller"),
        json!({ "s": seller_id }),
    )
    .await;
    assert_eq!(
        body["data"]["suspendSeller"]["userErrors"][0]["field"],
        "input.reason"
    );
    let body = call(
        &app,
        Some(&admin),
        &decide("suspendSeller"),
        json!({ "s": seller_id, "r": "Logo halal tanpa sertifikat" }),
    )
    .await;
    assert_eq!(
        body["data"]["suspendSeller"]["seller"]["verificationStatus"],
        "SUSPENDED"
    );
    let body = call(&app, None, product_q, json!({ "s": product_slug })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let body = call(
        &app,
        Some(&admin),
        &decide("reinstateSeller"),
        json!({ "s": seller_id }),
    )
    .await;
    assert_eq!(
        body["data"]["reinstateSeller"]["seller"]["verificationStatus"],
        "VERIFIED"
    );
    let body = call(&app, None, product_q, json!({ "s": product_slug })).await;
    assert!(body["data"]["product"].is_object());

    // The whole story is in the history, for the member and the office.
    let body = call(&app, Some(&hadi), public_q, json!({ "s": slug })).await;
    let history: Vec<(Value, Value)> = body["data"]["seller"]["statusHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["fromStatus"].clone(), h["toStatus"].clone()))
        .collect();
    assert_eq!(
        history,
        vec![
            (Value::Null, json!("PENDING")),
            (json!("PENDING"), json!("VERIFIED")),
            (json!("VERIFIED"), json!("VERIFIED")),
            (json!("VERIFIED"), json!("VERIFIED")),
            (json!("VERIFIED"), json!("SUSPENDED")),
            (json!("SUSPENDED"), json!("VERIFIED")),
        ]
    );

    // Stock: only at outlets where the seller has a place.
    let k01 = outlet::Entity::find()
        .filter(outlet::Column::Code.eq("TGS-K01"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let k01_id = pasar_oleh::domain::global_id::GlobalId::new(
        pasar_oleh::domain::global_id::NodeKind::Outlet,
        k01.id,
    )
    .encode();
    let set_stock = "mutation($o: ID!, $p: ID!, $q: Int!) { setStock(input: { outletId: $o, productId: $p, quantity: $q }) { stock { quantity } userErrors { field code } } }";
    let body = call(
        &app,
        Some(&hadi),
        set_stock,
        json!({ "o": k01_id, "p": product_id, "q": 12 }),
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let seller_uuid =
        pasar_oleh::domain::global_id::GlobalId::parse(seller_id.as_str().unwrap(), "id")
            .unwrap()
            .id;
    outlet_seller::ActiveModel {
        outlet_id: Set(k01.id),
        seller_id: Set(seller_uuid),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let body = call(
        &app,
        Some(&hadi),
        set_stock,
        json!({ "o": k01_id, "p": product_id, "q": -3 }),
    )
    .await;
    assert_eq!(
        body["data"]["setStock"]["userErrors"][0]["field"],
        "input.quantity"
    );
    let body = call(
        &app,
        Some(&hadi),
        set_stock,
        json!({ "o": k01_id, "p": product_id, "q": 12 }),
    )
    .await;
    assert_eq!(body["data"]["setStock"]["stock"]["quantity"], 12, "{body}");
}

#[tokio::test]
async fn food_products_need_a_permit_to_be_published() {
    let app = TestApp::spawn().await;
    let sari = user(&app, "sari@example.id", false).await;
    let admin = user(&app, "admin@example.id", true).await;
    let mut no_permit = application();
    no_permit["pirtNumber"] = Value::Null;
    no_permit["businessName"] = json!("Sambal Bu Sari");
    let body = call(&app, Some(&sari), APPLY, json!({ "i": no_permit })).await;
    let seller_id = body["data"]["applyAsSeller"]["seller"]["id"].clone();
    call(
        &app,
        Some(&admin),
        "mutation($s: ID!) { verifySeller(input: { sellerId: $s }) { seller { id } } }",
        json!({ "s": seller_id }),
    )
    .await;
    let cats = call(&app, None, "{ categories { id slug } }", json!({})).await;
    let cat = |slug: &str| {
        cats["data"]["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["slug"] == slug)
            .unwrap()["id"]
            .clone()
    };
    let create = "mutation($s: ID!, $c: ID!, $h: Boolean) { createProduct(input: { sellerId: $s, product: { categoryId: $c, name: \"Produk Uji\", price: 20000, unitLabel: \"botol\", halal: $h } }) { product { id } userErrors { field code } } }";
    // Declaring halal without a certificate on record is refused.
    let body = call(
        &app,
        Some(&sari),
        create,
        json!({ "s": seller_id, "c": cat("sambal"), "h": true }),
    )
    .await;
    assert_eq!(
        body["data"]["createProduct"]["userErrors"][0]["code"],
        "PERMIT_REQUIRED"
    );
    let food = call(
        &app,
        Some(&sari),
        create,
        json!({ "s": seller_id, "c": cat("sambal") }),
    )
    .await["data"]["createProduct"]["product"]["id"]
        .clone();
    let craft = call(
        &app,
        Some(&sari),
        create,
        json!({ "s": seller_id, "c": cat("anyaman") }),
    )
    .await["data"]["createProduct"]["product"]["id"]
        .clone();
    let publish = "mutation($p: ID!) { publishProduct(input: { productId: $p }) { product { status } userErrors { code } } }";
    let body = call(&app, Some(&sari), publish, json!({ "p": food })).await;
    assert_eq!(
        body["data"]["publishProduct"]["userErrors"][0]["code"],
        "PERMIT_REQUIRED"
    );
    let body = call(&app, Some(&sari), publish, json!({ "p": craft })).await;
    assert_eq!(
        body["data"]["publishProduct"]["product"]["status"],
        "ACTIVE"
    );
}

#[tokio::test]
async fn a_rejected_seller_edits_and_resubmits() {
    let app = TestApp::spawn().await;
    let rina = user(&app, "rina@example.id", false).await;
    let admin = user(&app, "admin@example.id", true).await;
    let mut form = application();
    form["businessName"] = json!("Batik Rina");
    form["category"] = json!("BATIK_BORDIR");
    let body = call(&app, Some(&rina), APPLY, json!({ "i": form })).await;
    let seller_id = body["data"]["applyAsSeller"]["seller"]["id"].clone();
    let reject = "mutation($s: ID!, $r: String) { rejectSeller(input: { sellerId: $s, reason: $r }) { seller { verificationStatus statusReason } userErrors { field code } } }";
    let body = call(&app, Some(&admin), reject, json!({ "s": seller_id })).await;
    assert_eq!(
        body["data"]["rejectSeller"]["userErrors"][0]["field"],
        "input.reason"
    );
    let body = call(
        &app,
        Some(&admin),
        reject,
        json!({ "s": seller_id, "r": "NIB tidak terdaftar di OSS" }),
    )
    .await;
    assert_eq!(
        body["data"]["rejectSeller"]["seller"]["verificationStatus"],
        "REJECTED"
    );
    assert_eq!(
        body["data"]["rejectSeller"]["seller"]["statusReason"],
        "NIB tidak terdaftar di OSS"
    );
    // Rejecting twice is not a valid transition.
    let body = call(
        &app,
        Some(&admin),
        reject,
        json!({ "s": seller_id, "r": "lagi" }),
    )
    .await;
    assert_eq!(
        body["data"]["rejectSeller"]["userErrors"][0]["code"],
        "INVALID_TRANSITION"
    );
    let update = "mutation($s: ID!) { updateSellerApplication(input: { sellerId: $s, application: { nib: \"9120105700777\" } }) { seller { verificationStatus legal { nib } statusHistory { toStatus reason } } userErrors { field code } } }";
    let body = call(&app, Some(&rina), update, json!({ "s": seller_id })).await;
    let s = &body["data"]["updateSellerApplication"]["seller"];
    assert_eq!(s["verificationStatus"], "PENDING", "{body}");
    assert_eq!(s["legal"]["nib"], "9120105700777");
    let statuses: Vec<&str> = s["statusHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["toStatus"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["PENDING", "REJECTED", "PENDING"]);
    // Another user cannot even see that the seller exists.
    let other = user(&app, "lain@example.id", false).await;
    let body = call(&app, Some(&other), update, json!({ "s": seller_id })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
}
