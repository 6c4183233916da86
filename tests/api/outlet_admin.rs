//! Outlet administration over HTTP: creating and editing outlets with their opening hours,
//! placing sellers and staff, featuring products, validation as userErrors, and refusal of
//! every mutation to buyers and anonymous callers.

use entity::{outlet, outlet_hour, outlet_seller, outlet_staff, product};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{NodeKind, TestApp, UserError, unknown_gid};

const OUTLET_FIELDS: &str = "outlet { id code name restArea status phone location { latitude longitude } kecamatan { code } village { code } openingHours { weekday opens closes } sellers { nodes { businessName } } } userErrors { field code message }";

fn create_outlet() -> String {
    format!(
        "mutation($input: CreateOutletInput!) {{ createOutlet(input: $input) {{ {OUTLET_FIELDS} }} }}"
    )
}
fn update_outlet() -> String {
    format!(
        "mutation($input: UpdateOutletInput!) {{ updateOutlet(input: $input) {{ {OUTLET_FIELDS} }} }}"
    )
}
fn assign_seller() -> String {
    format!(
        "mutation($input: OutletSellerInput!) {{ assignSellerToOutlet(input: $input) {{ {OUTLET_FIELDS} }} }}"
    )
}
fn remove_seller() -> String {
    format!(
        "mutation($input: OutletSellerInput!) {{ removeSellerFromOutlet(input: $input) {{ {OUTLET_FIELDS} }} }}"
    )
}
fn assign_staff() -> String {
    format!(
        "mutation($input: OutletStaffInput!) {{ assignOutletStaff(input: $input) {{ {OUTLET_FIELDS} }} }}"
    )
}
fn remove_staff() -> String {
    format!(
        "mutation($input: OutletStaffInput!) {{ removeOutletStaff(input: $input) {{ {OUTLET_FIELDS} }} }}"
    )
}
const SET_FEATURED: &str = "mutation($input: SetProductFeaturedInput!) { setProductFeatured(input: $input) { productId featured userErrors { field code } } }";

#[derive(Debug, PartialEq, Eq)]
struct Counts {
    outlets: u64,
    hours: u64,
    outlet_sellers: u64,
    outlet_staff: u64,
    featured: u64,
}

async fn counts(app: &TestApp) -> Counts {
    let db = app.db();
    Counts {
        outlets: outlet::Entity::find().count(db).await.unwrap(),
        hours: outlet_hour::Entity::find().count(db).await.unwrap(),
        outlet_sellers: outlet_seller::Entity::find().count(db).await.unwrap(),
        outlet_staff: outlet_staff::Entity::find().count(db).await.unwrap(),
        featured: product::Entity::find()
            .filter(product::Column::Featured.eq(true))
            .count(db)
            .await
            .unwrap(),
    }
}

fn new_outlet_input() -> Value {
    json!({
        "code": "TGS-K13",
        "name": "Kios 13 Rest Area Tongas",
        "restArea": "Rest Area Tongas",
        "villageCode": "35.13.23.2008",
        "latitude": -7.7445,
        "longitude": 113.1130,
        "phone": "0812-3456-7813",
        "openingHours": [
            { "weekday": "MONDAY", "opens": "07:00", "closes": "21:00" },
            { "weekday": "SATURDAY", "opens": "06:00", "closes": "22:00" }
        ]
    })
}

#[tokio::test]
async fn admins_create_and_update_outlets() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let before = counts(&app).await;

    let res = app
        .as_(&admin)
        .graphql(&create_outlet(), json!({ "input": new_outlet_input() }))
        .await;
    assert_eq!(res.user_errors(), Vec::<UserError>::new(), "{res}");
    let created = &res["data"]["createOutlet"]["outlet"];
    assert_eq!(created["code"], "TGS-K13");
    assert_eq!(created["name"], "Kios 13 Rest Area Tongas");
    assert_eq!(created["restArea"], "Rest Area Tongas");
    assert_eq!(created["status"], "OPEN");
    assert_eq!(created["phone"], "+6281234567813");
    assert_eq!(created["location"]["latitude"], -7.7445);
    assert_eq!(created["village"]["code"], "35.13.23.2008");
    // The kecamatan is the village's.
    assert_eq!(created["kecamatan"]["code"], "35.13.23");
    assert_eq!(
        created["openingHours"],
        json!([
            { "weekday": "MONDAY", "opens": "07:00", "closes": "21:00" },
            { "weekday": "SATURDAY", "opens": "06:00", "closes": "22:00" }
        ])
    );
    let id = created["id"].as_str().unwrap().to_string();
    let after = counts(&app).await;
    assert_eq!(after.outlets, before.outlets + 1);
    assert_eq!(after.hours, before.hours + 2);
    // Public queries see it at once.
    let res = app
        .graphql(
            "query($c: String!) { outlet(code: $c) { id } }",
            json!({ "c": "TGS-K13" }),
        )
        .await;
    assert_eq!(res["data"]["outlet"]["id"], id.as_str());

    // Update: only the given fields change; given hours replace all rows; null removes the phone.
    let res = app
        .as_(&admin)
        .graphql(
            &update_outlet(),
            json!({ "input": {
            "outletId": id,
            "name": "  Kios 13 Oleh-Oleh  ",
            "status": "CLOSED",
            "phone": null,
            "longitude": 113.2,
            "openingHours": [{ "weekday": "SUNDAY", "opens": "08:00", "closes": "12:00" }]
        } }),
        )
        .await;
    assert_eq!(res.user_errors(), Vec::<UserError>::new(), "{res}");
    let updated = &res["data"]["updateOutlet"]["outlet"];
    assert_eq!(updated["name"], "Kios 13 Oleh-Oleh");
    assert_eq!(updated["restArea"], "Rest Area Tongas");
    assert_eq!(updated["status"], "CLOSED");
    assert_eq!(updated["phone"], Value::Null);
    assert_eq!(updated["location"]["latitude"], -7.7445);
    assert_eq!(updated["location"]["longitude"], 113.2);
    assert_eq!(
        updated["openingHours"],
        json!([{ "weekday": "SUNDAY", "opens": "08:00", "closes": "12:00" }])
    );
    assert_eq!(counts(&app).await.hours, before.hours + 1);

    // Without openingHours the hours stay; an empty list closes every day.
    let res = app.as_(&admin).graphql(&update_outlet(),
        json!({ "input": { "outletId": id, "restArea": "Rest Area Tongas KM 2", "phone": "+62 812 0000 1313" } }),
    )
    .await;
    let updated = &res["data"]["updateOutlet"]["outlet"];
    assert_eq!(updated["restArea"], "Rest Area Tongas KM 2");
    assert_eq!(updated["phone"], "+6281200001313");
    assert_eq!(updated["openingHours"].as_array().unwrap().len(), 1);
    let res = app
        .as_(&admin)
        .graphql(
            &update_outlet(),
            json!({ "input": { "outletId": id, "openingHours": [] } }),
        )
        .await;
    assert_eq!(
        res["data"]["updateOutlet"]["outlet"]["openingHours"],
        json!([])
    );
    assert_eq!(counts(&app).await.hours, before.hours);

    // Update validation comes back as userErrors and changes nothing.
    let res = app
        .as_(&admin)
        .graphql(
            &update_outlet(),
            json!({ "input": { "outletId": id, "name": "", "latitude": 91.0, "phone": "12345",
            "openingHours": [{ "weekday": "MONDAY", "opens": "09:00", "closes": "24:00" }] } }),
        )
        .await;
    assert_eq!(res["data"]["updateOutlet"]["outlet"], Value::Null);
    let errors = res.user_errors();
    for field in [
        "input.name",
        "input.latitude",
        "input.phone",
        "input.openingHours[0].closes",
    ] {
        assert!(
            errors.iter().any(|e| e.field == field),
            "{field} missing in {errors:?}"
        );
    }
    let res = app
        .graphql(
            "query($c: String!) { outlet(code: $c) { name status } }",
            json!({ "c": "TGS-K13" }),
        )
        .await;
    assert_eq!(res["data"]["outlet"]["name"], "Kios 13 Oleh-Oleh");

    // Unknown outlet: NOT_FOUND; an ID of another type: BAD_USER_INPUT.
    let unknown = unknown_gid(NodeKind::Outlet);
    let res = app
        .as_(&admin)
        .graphql(
            &update_outlet(),
            json!({ "input": { "outletId": unknown, "name": "X" } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"));
    let wrong_kind = unknown_gid(NodeKind::Seller);
    let res = app
        .as_(&admin)
        .graphql(
            &update_outlet(),
            json!({ "input": { "outletId": wrong_kind, "name": "X" } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn create_outlet_reports_every_invalid_field_and_taken_codes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let existing = app.outlet().await;
    let before = counts(&app).await;

    let res = app
        .as_(&admin)
        .graphql(
            &create_outlet(),
            json!({ "input": {
            "code": "tgs k13",
            "name": "Kios 13",
            "restArea": "Rest Area Tongas",
            "villageCode": "35.13.99.9999",
            "latitude": -7.7,
            "longitude": 181.0,
            "openingHours": [
                { "weekday": "MONDAY", "opens": "07:00", "closes": "21:00" },
                { "weekday": "TUESDAY", "opens": "21:00", "closes": "07:00" },
                { "weekday": "MONDAY", "opens": "08:00", "closes": "20:00" }
            ]
        } }),
        )
        .await;
    assert_eq!(res["data"]["createOutlet"]["outlet"], Value::Null);
    let errors = res.user_errors();
    for (field, code) in [
        ("input.code", "INVALID"),
        ("input.villageCode", "INVALID"),
        ("input.longitude", "INVALID"),
        ("input.openingHours[1].closes", "INVALID"),
        ("input.openingHours[2].weekday", "INVALID"),
    ] {
        assert!(
            errors.contains(&UserError::new(field, code)),
            "{field} {code} missing in {errors:?}"
        );
    }
    assert_eq!(errors.len(), 5, "{errors:?}");
    let messages = res["data"]["createOutlet"]["userErrors"]
        .as_array()
        .unwrap();
    assert!(messages.iter().all(|e| e["message"].as_str().is_some()));

    // Empty name and rest area, out-of-range latitude, a bad phone, a malformed time.
    let res = app
        .as_(&admin)
        .graphql(
            &create_outlet(),
            json!({ "input": {
            "code": "TGS-K14",
            "name": " ",
            "restArea": "x".repeat(161),
            "villageCode": "35.13.23.2008",
            "latitude": -90.5,
            "longitude": 113.1,
            "phone": "021-555-1234",
            "openingHours": [{ "weekday": "FRIDAY", "opens": "7:00", "closes": "21:00" }]
        } }),
        )
        .await;
    let fields: Vec<String> = res.user_errors().into_iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        vec![
            "input.name",
            "input.restArea",
            "input.latitude",
            "input.phone",
            "input.openingHours[0].opens"
        ]
    );

    // An existing code is TAKEN.
    let mut input = new_outlet_input();
    input["code"] = json!(existing.code);
    let res = app
        .as_(&admin)
        .graphql(&create_outlet(), json!({ "input": input }))
        .await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.code", "TAKEN")]
    );
    assert_eq!(counts(&app).await, before, "nothing was written");

    // A second creation with the code of the first is TAKEN as well.
    let res = app
        .as_(&admin)
        .graphql(&create_outlet(), json!({ "input": new_outlet_input() }))
        .await;
    assert_eq!(res.user_errors(), Vec::<UserError>::new());
    let res = app
        .as_(&admin)
        .graphql(&create_outlet(), json!({ "input": new_outlet_input() }))
        .await;
    assert_eq!(
        res.user_errors(),
        vec![UserError::new("input.code", "TAKEN")]
    );
    assert_eq!(counts(&app).await.outlets, before.outlets + 1);
}

#[tokio::test]
async fn admins_place_sellers_and_staff_idempotently() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let target = app.outlet().await;
    let outlet = target.gid.clone();
    let verified_seller = app.seller().await;
    let pending_seller = app.pending_seller().await;
    let (verified_uuid, verified) = (verified_seller.id, verified_seller.gid.clone());
    let (pending_uuid, pending) = (pending_seller.id, pending_seller.gid.clone());
    let db = app.db();
    let target_id = target.id;
    let places = |seller_id: uuid::Uuid| async move {
        outlet_seller::Entity::find()
            .filter(outlet_seller::Column::OutletId.eq(target_id))
            .filter(outlet_seller::Column::SellerId.eq(seller_id))
            .count(db)
            .await
            .unwrap()
    };
    assert_eq!(
        places(verified_uuid).await,
        0,
        "a fresh seller has no place there yet"
    );

    // Assigning twice leaves one place; the outlet lists verified sellers.
    for _ in 0..2 {
        let res = app
            .as_(&admin)
            .graphql(
                &assign_seller(),
                json!({ "input": { "outletId": outlet, "sellerId": verified } }),
            )
            .await;
        assert_eq!(res.user_errors(), Vec::<UserError>::new(), "{res}");
        let sellers = res["data"]["assignSellerToOutlet"]["outlet"]["sellers"]["nodes"]
            .as_array()
            .unwrap();
        assert!(
            sellers
                .iter()
                .any(|s| s["businessName"] == verified_seller.business_name.as_str()),
            "{sellers:?}"
        );
        assert_eq!(places(verified_uuid).await, 1);
    }
    // Sellers of any verification status may be placed (they stay hidden from the public).
    let res = app
        .as_(&admin)
        .graphql(
            &assign_seller(),
            json!({ "input": { "outletId": outlet, "sellerId": pending } }),
        )
        .await;
    assert_eq!(res["data"]["assignSellerToOutlet"]["userErrors"], json!([]));
    assert_eq!(places(pending_uuid).await, 1);

    // Removing twice is fine too.
    for _ in 0..2 {
        let res = app
            .as_(&admin)
            .graphql(
                &remove_seller(),
                json!({ "input": { "outletId": outlet, "sellerId": verified } }),
            )
            .await;
        let sellers = res["data"]["removeSellerFromOutlet"]["outlet"]["sellers"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{res}"));
        assert!(
            !sellers
                .iter()
                .any(|s| s["businessName"] == verified_seller.business_name.as_str())
        );
        assert_eq!(places(verified_uuid).await, 0);
    }

    // Unknown seller or outlet: NOT_FOUND.
    let unknown_seller = unknown_gid(NodeKind::Seller);
    let unknown_outlet = unknown_gid(NodeKind::Outlet);
    for (query, input) in [
        (
            assign_seller(),
            json!({ "outletId": outlet, "sellerId": unknown_seller }),
        ),
        (
            assign_seller(),
            json!({ "outletId": unknown_outlet, "sellerId": verified }),
        ),
        (
            remove_seller(),
            json!({ "outletId": outlet, "sellerId": unknown_seller }),
        ),
    ] {
        let res = app
            .as_(&admin)
            .graphql(&query, json!({ "input": input }))
            .await;
        assert_eq!(res.error_code(), Some("NOT_FOUND"), "{input}");
    }

    // Staff: the user gains and loses the OUTLET_STAFF role.
    let staff = app.buyer().await;
    let staff_id = staff.id.to_string();
    let viewer = "{ viewer { roles outlets { nodes { code } } } }";
    for _ in 0..2 {
        let res = app
            .as_(&admin)
            .graphql(
                &assign_staff(),
                json!({ "input": { "outletId": outlet, "userId": staff_id } }),
            )
            .await;
        assert_eq!(res.user_errors(), Vec::<UserError>::new(), "{res}");
        assert_eq!(
            res["data"]["assignOutletStaff"]["outlet"]["code"],
            target.code.as_str()
        );
    }
    assert_eq!(
        outlet_staff::Entity::find().count(db).await.unwrap(),
        1,
        "assigning twice leaves one row"
    );
    let res = app.as_(&staff).graphql(viewer, json!({})).await;
    assert_eq!(
        res["data"]["viewer"]["roles"],
        json!(["BUYER", "OUTLET_STAFF"])
    );
    assert_eq!(
        res["data"]["viewer"]["outlets"]["nodes"],
        json!([{ "code": target.code }])
    );
    for _ in 0..2 {
        let res = app
            .as_(&admin)
            .graphql(
                &remove_staff(),
                json!({ "input": { "outletId": outlet, "userId": staff_id } }),
            )
            .await;
        assert_eq!(res.user_errors(), Vec::<UserError>::new(), "{res}");
    }
    assert_eq!(outlet_staff::Entity::find().count(db).await.unwrap(), 0);
    let res = app.as_(&staff).graphql(viewer, json!({})).await;
    assert_eq!(res["data"]["viewer"]["roles"], json!(["BUYER"]));

    // Unknown user: NOT_FOUND; a user ID that is not a UUID: BAD_USER_INPUT.
    let res = app
        .as_(&admin)
        .graphql(
            &assign_staff(),
            json!({ "input": { "outletId": outlet, "userId": uuid::Uuid::now_v7().to_string() } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"));
    let res = app
        .as_(&admin)
        .graphql(
            &remove_staff(),
            json!({ "input": { "outletId": outlet, "userId": "bukan-uuid" } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"));
    assert_eq!(res["errors"][0]["extensions"]["field"], "input.userId");
}

#[tokio::test]
async fn admins_feature_products() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let seller = app.seller().await;
    let product = app.product(&seller, Default::default()).await;
    let res = app
        .graphql(
            "query($id: ID!) { product(id: $id) { id featured } }",
            json!({ "id": product.gid }),
        )
        .await;
    let id = res["data"]["product"]["id"].as_str().unwrap().to_string();
    let was = res["data"]["product"]["featured"].as_bool().unwrap();

    for featured in [!was, was, !was] {
        let res = app
            .as_(&admin)
            .graphql(
                SET_FEATURED,
                json!({ "input": { "productId": id, "featured": featured } }),
            )
            .await;
        let payload = &res["data"]["setProductFeatured"];
        assert_eq!(payload["userErrors"], json!([]), "{res}");
        assert_eq!(payload["productId"], id.as_str());
        assert_eq!(payload["featured"], featured);
        let res = app
            .graphql(
                "query($id: ID!) { product(id: $id) { featured } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(res["data"]["product"]["featured"], featured);
    }

    let unknown = unknown_gid(NodeKind::Product);
    let res = app
        .as_(&admin)
        .graphql(
            SET_FEATURED,
            json!({ "input": { "productId": unknown, "featured": true } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"));
    let outlet = app.outlet().await.gid;
    let res = app
        .as_(&admin)
        .graphql(
            SET_FEATURED,
            json!({ "input": { "productId": outlet, "featured": true } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn buyers_are_forbidden_and_anonymous_callers_unauthenticated() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let buyer = app.buyer().await;
    let buyer_id = buyer.id.to_string();
    let staff_id = app.buyer().await.id.to_string();
    let target = app.outlet().await;
    let outlet = target.gid.clone();
    let placed = app.pending_seller().await.gid;
    let unplaced_seller = app.seller().await;
    let unplaced = unplaced_seller.gid.clone();
    let made = app.product(&unplaced_seller, Default::default()).await;
    let (product, unplaced_product_id) = (made.gid, made.id);

    // Something for the refused removals to remove.
    let res = app
        .as_(&admin)
        .graphql(
            &assign_seller(),
            json!({ "input": { "outletId": outlet, "sellerId": placed } }),
        )
        .await;
    assert_eq!(res["data"]["assignSellerToOutlet"]["userErrors"], json!([]));
    let res = app
        .as_(&admin)
        .graphql(
            &assign_staff(),
            json!({ "input": { "outletId": outlet, "userId": staff_id } }),
        )
        .await;
    assert_eq!(res["data"]["assignOutletStaff"]["userErrors"], json!([]));

    let mutations: Vec<(String, Value)> = vec![
        (create_outlet(), new_outlet_input()),
        (
            update_outlet(),
            json!({ "outletId": outlet, "name": "Diambil alih", "status": "CLOSED", "openingHours": [] }),
        ),
        (
            assign_seller(),
            json!({ "outletId": outlet, "sellerId": unplaced }),
        ),
        (
            remove_seller(),
            json!({ "outletId": outlet, "sellerId": placed }),
        ),
        (
            assign_staff(),
            json!({ "outletId": outlet, "userId": buyer_id }),
        ),
        (
            remove_staff(),
            json!({ "outletId": outlet, "userId": staff_id }),
        ),
        (
            SET_FEATURED.to_string(),
            json!({ "productId": product, "featured": true }),
        ),
        (
            SET_FEATURED.to_string(),
            json!({ "productId": product, "featured": false }),
        ),
    ];
    let before = counts(&app).await;
    let outlet_before = outlet::Entity::find()
        .filter(outlet::Column::Code.eq(target.code.as_str()))
        .one(app.db())
        .await
        .unwrap();
    let product_before = product::Entity::find_by_id(unplaced_product_id)
        .one(app.db())
        .await
        .unwrap();

    for (query, input) in &mutations {
        let res = app
            .as_(&buyer)
            .graphql(query, json!({ "input": input }))
            .await;
        assert_eq!(res.error_code(), Some("FORBIDDEN"), "{query}: {res}");
        assert!(
            res["data"].is_null(),
            "no payload for a refused call: {res}"
        );
        let res = app.graphql(query, json!({ "input": input })).await;
        assert_eq!(res.error_code(), Some("UNAUTHENTICATED"), "{query}: {res}");
        assert!(res["data"].is_null());
    }

    assert_eq!(counts(&app).await, before);
    let outlet_after = outlet::Entity::find()
        .filter(outlet::Column::Code.eq(target.code.as_str()))
        .one(app.db())
        .await
        .unwrap();
    assert_eq!(outlet_after, outlet_before);
    let product_after = product::Entity::find_by_id(product_before.as_ref().unwrap().id)
        .one(app.db())
        .await
        .unwrap();
    assert_eq!(product_after, product_before);
    assert!(
        outlet::Entity::find()
            .filter(outlet::Column::Code.eq("TGS-K13"))
            .one(app.db())
            .await
            .unwrap()
            .is_none()
    );
}
