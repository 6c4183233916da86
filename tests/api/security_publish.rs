//! Issue 7, items 6, 7 and 10 and two low items: each test performs the attack of the security
//! review and shows that it now fails, and that nothing was written.

use entity::{enums::ProductStatus, product, seller};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{
    NewProduct, TestApp, TestSeller, TestUser, category_id, seller_application, short_id,
};

const APPLY: &str = "mutation($i: SellerApplicationInput!) { applyAsSeller(input: $i) {
    seller { id slug } userErrors { field code } } }";
const UPDATE_PRODUCT: &str =
    "mutation($p: ID!, $i: ProductInput!) { updateProduct(input: { productId: $p, product: $i }) {
    product { status } userErrors { field code } } }";
const UPDATE_SELLER: &str = "mutation($s: ID!, $a: SellerApplicationInput!) { updateSellerApplication(input: { sellerId: $s, application: $a }) {
    seller { id } userErrors { field code } } }";
const VERSION: &str = "query($s: ID!) { seller(id: $s) { version } }";

/// A verified seller without P-IRT and without a halal certificate (it may sell crafts only).
async fn seller_without_permit(app: &TestApp) -> TestSeller {
    let mut application = seller_application(&format!("Anyaman Bu Sari {}", short_id()));
    application["pirtNumber"] = Value::Null;
    let seller = app.apply(application).await;
    app.verify(&seller).await;
    seller
}

async fn product_row(app: &TestApp, id: uuid::Uuid) -> product::Model {
    product::Entity::find_by_id(id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
}

async fn seller_row(app: &TestApp, id: uuid::Uuid) -> seller::Model {
    seller::Entity::find_by_id(id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
}

async fn version_as(app: &TestApp, who: &TestUser, seller: &TestSeller) -> String {
    let res = app
        .as_(who)
        .graphql(VERSION, json!({ "s": seller.gid }))
        .await;
    res.data()["seller"]["version"]
        .as_str()
        .unwrap_or_else(|| panic!("no version: {res}"))
        .to_string()
}

// --- #6: one compliance gate ---------------------------------------------------------------

#[tokio::test]
async fn a_live_craft_product_moved_into_a_food_category_without_a_permit_is_refused() {
    let app = TestApp::in_process().await;
    let sari = seller_without_permit(&app).await;
    let craft = app
        .product(
            &sari,
            NewProduct {
                category: "anyaman",
                ..NewProduct::default()
            },
        )
        .await;
    let mut events = app.events();
    let res = app
        .as_(&sari.owner)
        .graphql(
            UPDATE_PRODUCT,
            json!({ "p": craft.gid, "i": { "categoryId": category_id("sambal") } }),
        )
        .await;
    assert_eq!(res.user_errors()[0].code, "PERMIT_REQUIRED", "{res}");
    let row = product_row(&app, craft.id).await;
    assert_eq!(row.category_id, migration::category_id("anyaman"));
    assert_eq!(row.status, ProductStatus::Active);
    assert_eq!(events.drain(), Vec::<&str>::new());
    // A draft may move into any category: the gate is at publishing.
    let draft = app
        .draft_product(
            &sari,
            NewProduct {
                category: "anyaman",
                ..NewProduct::default()
            },
        )
        .await;
    let res = app
        .as_(&sari.owner)
        .graphql(
            UPDATE_PRODUCT,
            json!({ "p": draft.gid, "i": { "categoryId": category_id("sambal") } }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
}

#[tokio::test]
async fn a_live_product_declared_halal_with_an_expired_certificate_is_refused() {
    let app = TestApp::in_process().await;
    let mut application = seller_application(&format!("Kerajinan Halal {}", short_id()));
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
    let mut events = app.events();
    let res = app
        .as_(&seller.owner)
        .graphql(
            UPDATE_PRODUCT,
            json!({ "p": craft.gid, "i": { "halal": true } }),
        )
        .await;
    assert_eq!(res.user_errors()[0].code, "EXPIRED", "{res}");
    assert!(!product_row(&app, craft.id).await.halal);
    assert_eq!(events.drain(), Vec::<&str>::new());
}

#[tokio::test]
async fn approving_a_legal_change_that_removes_the_permit_takes_food_products_off_sale() {
    let app = TestApp::in_process().await;
    let admin = app.admin().await;
    let seller = app.seller().await; // P-IRT on record
    let food = app.product(&seller, NewProduct::default()).await; // keripik: food
    let craft = app
        .product(
            &seller,
            NewProduct {
                category: "anyaman",
                ..NewProduct::default()
            },
        )
        .await;
    let res = app
        .as_(&seller.owner)
        .graphql(
            UPDATE_SELLER,
            json!({ "s": seller.gid, "a": { "pirtNumber": "" } }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
    // Still under review: the food product stays live.
    assert_eq!(
        product_row(&app, food.id).await.status,
        ProductStatus::Active
    );
    let mut events = app.events();
    let res = app
        .as_(&admin)
        .graphql(
            "mutation($s: ID!) { verifySeller(input: { sellerId: $s }) { seller { statusHistory { nodes { reason } } } userErrors { code } } }",
            json!({ "s": seller.gid }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
    assert_eq!(
        product_row(&app, food.id).await.status,
        ProductStatus::Draft
    );
    assert_eq!(
        product_row(&app, craft.id).await.status,
        ProductStatus::Active
    );
    let history = res["data"]["verifySeller"]["seller"]["statusHistory"]["nodes"]
        .as_array()
        .unwrap();
    let last = history.last().unwrap()["reason"].as_str().unwrap();
    assert!(last.contains(&food.slug), "reason: {last}");
    let names = events.drain();
    assert!(names.contains(&"product_changed"), "{names:?}");
    assert!(names.contains(&"seller_changed"), "{names:?}");
}

// --- #7: verification bound to the reviewed version ------------------------------------------

#[tokio::test]
async fn verifying_after_the_seller_swapped_the_halal_number_is_stale() {
    let app = TestApp::in_process().await;
    let admin = app.admin().await;
    let seller = app.pending_seller().await;
    let reviewed = version_as(&app, &admin, &seller).await;
    assert_eq!(version_as(&app, &seller.owner, &seller).await, reviewed);
    // The seller swaps in a (fake) halal number after the office read the application.
    let res = app
        .as_(&seller.owner)
        .graphql(
            UPDATE_SELLER,
            json!({ "s": seller.gid, "a": { "halalCertificateNumber": "ID35110000999999999", "halalExpiresOn": "2099-12-31" } }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
    let mut events = app.events();
    for mutation in ["verifySeller", "rejectSeller"] {
        let res = app
            .as_(&admin)
            .graphql(
                &format!("mutation($s: ID!, $v: String) {{ {mutation}(input: {{ sellerId: $s, reason: \"uji\", reviewedVersion: $v }}) {{ seller {{ id }} userErrors {{ code }} }} }}"),
                json!({ "s": seller.gid, "v": reviewed }),
            )
            .await;
        assert_eq!(res.user_errors()[0].code, "STALE", "{mutation}: {res}");
    }
    assert_eq!(
        seller_row(&app, seller.id).await.status,
        entity::enums::SellerStatus::Pending
    );
    assert_eq!(events.drain(), Vec::<&str>::new());
    // What the office reviews now is what it verifies.
    let current = version_as(&app, &admin, &seller).await;
    assert_ne!(current, reviewed);
    let res = app
        .as_(&admin)
        .graphql(
            "mutation($s: ID!, $v: String) { verifySeller(input: { sellerId: $s, reviewedVersion: $v }) { seller { verificationStatus } userErrors { code } } }",
            json!({ "s": seller.gid, "v": current }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
}

#[tokio::test]
async fn approving_a_legal_change_swapped_after_review_is_stale() {
    let app = TestApp::in_process().await;
    let admin = app.admin().await;
    let seller = app.seller().await;
    let original_nib = seller_row(&app, seller.id).await.nib;
    let res = app
        .as_(&seller.owner)
        .graphql(
            UPDATE_SELLER,
            json!({ "s": seller.gid, "a": { "nib": "9120105799002" } }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
    let reviewed = version_as(&app, &admin, &seller).await;
    let res = app
        .as_(&seller.owner)
        .graphql(
            UPDATE_SELLER,
            json!({ "s": seller.gid, "a": { "nib": "9120105799003" } }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
    let res = app
        .as_(&admin)
        .graphql(
            "mutation($s: ID!, $v: String) { verifySeller(input: { sellerId: $s, reviewedVersion: $v }) { userErrors { code } } }",
            json!({ "s": seller.gid, "v": reviewed }),
        )
        .await;
    assert_eq!(res.user_errors()[0].code, "STALE", "{res}");
    let row = seller_row(&app, seller.id).await;
    assert_eq!(row.nib, original_nib);
    assert!(row.pending_legal_change.is_some());
}

// --- #10: slugs in one query, and caps on creation ---------------------------------------------

async fn create_named(app: &TestApp, seller: &TestSeller, name: &str) -> (String, u64) {
    let before = app.sql_statements();
    let res = app
        .as_(&seller.owner)
        .graphql(
            "mutation($s: ID!, $p: ProductInput!) { createProduct(input: { sellerId: $s, product: $p }) { product { slug } userErrors { code } } }",
            json!({ "s": seller.gid, "p": { "categoryId": category_id("anyaman"), "name": name, "price": 1000, "unitLabel": "buah" } }),
        )
        .await;
    let cost = app.sql_statements() - before;
    assert_eq!(res.user_errors(), vec![], "{res}");
    let slug = res["data"]["createProduct"]["product"]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    (slug, cost)
}

#[tokio::test]
async fn the_nth_product_of_one_name_costs_no_more_statements_than_the_second() {
    let app = TestApp::in_process().await;
    let seller = app.seller().await;
    let name = format!("Tas Pandan {}", short_id());
    let (first, _) = create_named(&app, &seller, &name).await;
    let (second, cost_second) = create_named(&app, &seller, &name).await;
    assert_eq!(second, format!("{first}-2"));
    for _ in 3..30 {
        create_named(&app, &seller, &name).await;
    }
    let (thirtieth, cost_thirtieth) = create_named(&app, &seller, &name).await;
    assert_eq!(thirtieth, format!("{first}-30"));
    assert_eq!(
        cost_thirtieth, cost_second,
        "the 30th product cost {cost_thirtieth} statements, the 2nd {cost_second}"
    );
}

#[tokio::test]
async fn an_unverified_seller_keeps_a_bounded_number_of_drafts() {
    let app = TestApp::in_process().await;
    let seller = app.pending_seller().await;
    let limit = pasar_oleh::services::products::MAX_DRAFTS_UNVERIFIED as usize;
    for n in 0..limit {
        create_named(&app, &seller, &format!("Draf {n}")).await;
    }
    let res = app
        .as_(&seller.owner)
        .graphql(
            "mutation($s: ID!, $p: ProductInput!) { createProduct(input: { sellerId: $s, product: $p }) { product { id } userErrors { code } } }",
            json!({ "s": seller.gid, "p": { "categoryId": category_id("anyaman"), "name": "Satu lagi", "price": 1000, "unitLabel": "buah" } }),
        )
        .await;
    assert_eq!(res.user_errors()[0].code, "LIMIT_REACHED", "{res}");
    let count = product::Entity::find()
        .filter(product::Column::SellerId.eq(seller.id))
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(count, limit as u64);
}

#[tokio::test]
async fn a_user_keeps_a_bounded_number_of_open_applications() {
    let app = TestApp::in_process().await;
    let user = app.buyer().await;
    let limit = pasar_oleh::services::onboarding::MAX_OPEN_APPLICATIONS as usize;
    for n in 0..limit {
        let res = app
            .as_(&user)
            .graphql(
                APPLY,
                json!({ "i": seller_application(&format!("Usaha {n} {}", short_id())) }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "{res}");
    }
    let before = seller::Entity::find().count(app.db()).await.unwrap();
    let res = app
        .as_(&user)
        .graphql(APPLY, json!({ "i": seller_application("Usaha Satu Lagi") }))
        .await;
    assert_eq!(res.user_errors()[0].code, "LIMIT_REACHED", "{res}");
    assert_eq!(
        seller::Entity::find().count(app.db()).await.unwrap(),
        before
    );
}

// --- low items ---------------------------------------------------------------------------------

#[tokio::test]
async fn reinstating_a_seller_suspended_while_pending_restores_pending() {
    let app = TestApp::in_process().await;
    let admin = app.admin().await;
    let seller = app.pending_seller().await;
    app.suspend(&seller).await;
    let res = app
        .as_(&admin)
        .graphql(
            "mutation($s: ID!) { reinstateSeller(input: { sellerId: $s }) { seller { verificationStatus } userErrors { code } } }",
            json!({ "s": seller.gid }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
    assert_eq!(
        res["data"]["reinstateSeller"]["seller"]["verificationStatus"],
        "PENDING"
    );
    // A seller suspended while verified comes back verified.
    let verified = app.seller().await;
    app.suspend(&verified).await;
    let res = app
        .as_(&admin)
        .graphql(
            "mutation($s: ID!) { reinstateSeller(input: { sellerId: $s }) { seller { verificationStatus } userErrors { code } } }",
            json!({ "s": verified.gid }),
        )
        .await;
    assert_eq!(
        res["data"]["reinstateSeller"]["seller"]["verificationStatus"], "VERIFIED",
        "{res}"
    );
}

const SET_STOCK: &str = "mutation($o: ID!, $p: ID!) { setStock(input: { outletId: $o, productId: $p, quantity: 5 }) { stock { quantity } userErrors { code } } }";

#[tokio::test]
async fn set_stock_authorises_before_it_looks_the_product_up() {
    let app = TestApp::in_process().await;
    let outlet = app.outlet().await;
    let stranger = app.buyer().await;
    let seller = app.seller().await;
    let draft = app.draft_product(&seller, NewProduct::default()).await;
    let unknown = crate::helpers::unknown_gid(pasar_oleh::domain::global_id::NodeKind::Product);
    // Existing unpublished product and a made-up ID answer alike.
    for p in [draft.gid.as_str(), unknown.as_str()] {
        let res = app
            .as_(&stranger)
            .graphql(SET_STOCK, json!({ "o": outlet.gid, "p": p }))
            .await;
        assert_eq!(res.error_code(), Some("FORBIDDEN"), "{res}");
    }
}

#[tokio::test]
async fn staff_set_stock_only_of_sellers_placed_at_their_outlet() {
    let app = TestApp::in_process().await;
    let outlet = app.outlet().await;
    let staff = app.staff(&outlet).await;
    let placed = app.seller().await;
    app.place(&placed.gid, &outlet).await;
    let elsewhere = app.seller().await;
    let ours = app.product(&placed, NewProduct::default()).await;
    let theirs = app.product(&elsewhere, NewProduct::default()).await;
    let res = app
        .as_(&staff)
        .graphql(SET_STOCK, json!({ "o": outlet.gid, "p": theirs.gid }))
        .await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"), "{res}");
    let rows = entity::stock::Entity::find()
        .filter(entity::stock::Column::ProductId.eq(theirs.id))
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(rows, 0);
    let res = app
        .as_(&staff)
        .graphql(SET_STOCK, json!({ "o": outlet.gid, "p": ours.gid }))
        .await;
    assert_eq!(res.user_errors(), vec![], "{res}");
}

#[tokio::test]
async fn an_edit_racing_verification_never_changes_verified_legal_data_in_place() {
    let app = TestApp::in_process().await;
    let admin = app.admin().await;
    for trial in 0..12 {
        let seller = app.pending_seller().await;
        let original_nib = seller_row(&app, seller.id).await.nib;
        let reviewed = version_as(&app, &admin, &seller).await;
        let swapped = format!("91201057990{:02}", trial + 10);
        let (as_admin, as_owner) = (app.as_(&admin), app.as_(&seller.owner));
        let verify = as_admin.graphql(
            "mutation($s: ID!, $v: String) { verifySeller(input: { sellerId: $s, reviewedVersion: $v }) { userErrors { code } } }",
            json!({ "s": seller.gid, "v": reviewed }),
        );
        let edit = as_owner.graphql(
            UPDATE_SELLER,
            json!({ "s": seller.gid, "a": { "nib": swapped } }),
        );
        let (verified, edited) = tokio::join!(verify, edit);
        // Each call either applies whole or is refused (STALE, or "database is locked" on SQLite,
        // which serialises writers); whichever wins, the office never verifies a NIB it did not
        // review, and an edit never lands in a verified seller's legal data without review.
        let row = seller_row(&app, seller.id).await;
        if row.status == entity::enums::SellerStatus::Verified {
            assert_eq!(
                row.nib, original_nib,
                "trial {trial}: verify {verified}, edit {edited}"
            );
        }
    }
}

#[tokio::test]
async fn publishing_racing_the_approval_of_a_removed_permit_never_leaves_food_live() {
    let app = TestApp::in_process().await;
    let admin = app.admin().await;
    for trial in 0..12 {
        let seller = app.seller().await; // P-IRT on record
        let food = app.draft_product(&seller, NewProduct::default()).await;
        let res = app
            .as_(&seller.owner)
            .graphql(
                UPDATE_SELLER,
                json!({ "s": seller.gid, "a": { "pirtNumber": "" } }),
            )
            .await;
        assert_eq!(res.user_errors(), vec![], "{res}");
        let (as_admin, as_owner) = (app.as_(&admin), app.as_(&seller.owner));
        let approve = as_admin.graphql(
            "mutation($s: ID!) { verifySeller(input: { sellerId: $s }) { userErrors { code } } }",
            json!({ "s": seller.gid }),
        );
        let publish = as_owner.graphql(
            "mutation($p: ID!) { publishProduct(input: { productId: $p }) { userErrors { code } } }",
            json!({ "p": food.gid }),
        );
        let (approved, published) = tokio::join!(approve, publish);
        let owner = seller_row(&app, seller.id).await;
        if owner.pirt_number.is_none() {
            assert_ne!(
                product_row(&app, food.id).await.status,
                ProductStatus::Active,
                "trial {trial}: approve {approved}, publish {published}"
            );
        }
    }
}
