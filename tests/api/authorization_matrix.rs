//! Every mutation against every kind of caller: anonymous, buyer, seller A, seller B, staff of
//! outlet 1, staff of outlet 2, a kiosk of outlet 1, and an administrator. Each denied call
//! answers UNAUTHENTICATED, FORBIDDEN or NOT_FOUND (where existence must not leak) and changes
//! nothing in the database.

use std::collections::{BTreeMap, BTreeSet};

use async_graphql::parser::{
    parse_query, parse_schema,
    types::{DocumentOperations, Selection, TypeKind, TypeSystemDefinition},
};
use entity::{
    kiosk, outlet, outlet_seller, outlet_staff, photo, photo_upload, product, seller,
    seller_member, seller_status_change, stock, user,
};
use pasar_oleh::services::photos::PhotoOwner;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{Credential, Signer, TestApp, category_id};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Actor {
    Anonymous,
    Buyer,
    SellerA,
    SellerB,
    Staff1,
    Staff2,
    Kiosk,
    Admin,
}

use Actor::*;
const ALL: [Actor; 8] = [
    Anonymous, Buyer, SellerA, SellerB, Staff1, Staff2, Kiosk, Admin,
];

/// Mutations that need no signed-in caller, by design: they are how a caller gets (or gives up)
/// a session. Every other mutation of the schema must have a case in `cases()`.
const PUBLIC_BY_DESIGN: [(&str, &str); 4] = [
    (
        "register",
        "creates the account a caller then signs in with",
    ),
    ("login", "exchanges a password for tokens"),
    ("refreshToken", "exchanges a refresh token for new tokens"),
    ("logout", "revokes the refresh token it is given"),
];

/// Mutations that cannot be sent as a JSON request, so not by this matrix: `uploadPhoto` takes a
/// file (GraphQL multipart). It authorizes through the same guard as `createPhotoUpload`, and
/// tests/api/photos.rs sends it as another seller.
const MULTIPART_ONLY: [&str; 1] = ["uploadPhoto"];

struct World {
    app: TestApp,
    callers: BTreeMap<Actor, Credential>,
    vars: Value,
}

/// Two verified sellers (A placed at outlet 1), a pending seller, two outlets with one staff
/// member each, a kiosk of outlet 1, an active and a draft product of seller A.
async fn world() -> World {
    let app = TestApp::in_process().await;
    let a = app.seller().await;
    let b = app.seller().await;
    let pending = app.pending_seller().await;
    let outlet1 = app.outlet().await;
    let outlet2 = app.outlet().await;
    app.place(&a.gid, &outlet1).await;
    let active_a = app.product(&a, Default::default()).await;
    let draft_a = app.draft_product(&a, Default::default()).await;
    let buyer = app.buyer().await;
    let staff1 = app.staff(&outlet1).await;
    let staff2 = app.staff(&outlet2).await;
    let kiosk = app.kiosk(&outlet1).await;
    let admin = app.admin().await;
    // A photo of A's active product and a logo of the pending seller, through the pipeline; and
    // an upload A asked for (its bytes never arrive).
    let photo_a = add_photo(&app, PhotoOwner::Product(active_a.id)).await;
    let logo_pending = add_photo(&app, PhotoOwner::Seller(pending.id)).await;
    let upload_a = app
        .as_(&a)
        .graphql(
            "mutation($p: ID!) { createPhotoUpload(input: { productId: $p, contentType: \"image/png\", byteSize: 100 }) { upload { id } } }",
            json!({ "p": active_a.gid }),
        )
        .await["data"]["createPhotoUpload"]["upload"]["id"]
        .clone();
    let callers = BTreeMap::from([
        (Anonymous, Credential::Anonymous),
        (Buyer, buyer.credential()),
        (SellerA, a.credential()),
        (SellerB, b.credential()),
        (Staff1, staff1.credential()),
        (Staff2, staff2.credential()),
        (Kiosk, kiosk.credential()),
        (Admin, admin.credential()),
    ]);
    let vars = json!({
        "sellerA": a.gid,
        "pending": pending.gid,
        "activeA": active_a.gid,
        "draftA": draft_a.gid,
        "outlet1": outlet1.gid,
        "outlet2": outlet2.gid,
        "keripik": category_id("keripik"),
        "kiosk": kiosk.id,
        "buyer": buyer.id.to_string(),
        "sellerB": b.gid,
        "photoA": photo_a,
        "logoPending": logo_pending,
        "uploadA": upload_a,
    });
    World { app, callers, vars }
}

/// Adds a processed photo to `owner` as the upload flows do; its global ID.
async fn add_photo(app: &TestApp, owner: PhotoOwner) -> String {
    use pasar_oleh::media_pipeline::{Limits, process, synth};
    let processed = process(&synth::png(64, 48, 7).unwrap(), &Limits::default()).unwrap();
    let state = app.state();
    let row = pasar_oleh::services::photo_uploads::add_processed(
        &state.db,
        &state.events,
        &state.media,
        owner,
        &processed,
        None,
        None,
        "productId",
    )
    .await
    .unwrap();
    pasar_oleh::domain::global_id::GlobalId::new(
        pasar_oleh::domain::global_id::NodeKind::Photo,
        row.id,
    )
    .encode()
}

/// A digest of every table a mutation could touch.
async fn snapshot(app: &TestApp) -> String {
    let db = app.db();
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        photo::Entity::find()
            .order_by_asc(photo::Column::Id)
            .all(db)
            .await
            .unwrap(),
        photo_upload::Entity::find()
            .order_by_asc(photo_upload::Column::Id)
            .all(db)
            .await
            .unwrap(),
        seller::Entity::find()
            .order_by_asc(seller::Column::Id)
            .all(db)
            .await
            .unwrap(),
        product::Entity::find()
            .order_by_asc(product::Column::Id)
            .all(db)
            .await
            .unwrap(),
        stock::Entity::find()
            .order_by_asc(stock::Column::ProductId)
            .order_by_asc(stock::Column::OutletId)
            .all(db)
            .await
            .unwrap(),
        outlet::Entity::find()
            .order_by_asc(outlet::Column::Id)
            .all(db)
            .await
            .unwrap(),
        entity::outlet_hour::Entity::find()
            .order_by_asc(entity::outlet_hour::Column::OutletId)
            .order_by_asc(entity::outlet_hour::Column::Weekday)
            .all(db)
            .await
            .unwrap(),
        outlet_seller::Entity::find()
            .order_by_asc(outlet_seller::Column::OutletId)
            .order_by_asc(outlet_seller::Column::SellerId)
            .all(db)
            .await
            .unwrap(),
        outlet_staff::Entity::find()
            .order_by_asc(outlet_staff::Column::OutletId)
            .order_by_asc(outlet_staff::Column::UserId)
            .all(db)
            .await
            .unwrap(),
        seller_member::Entity::find()
            .order_by_asc(seller_member::Column::SellerId)
            .order_by_asc(seller_member::Column::UserId)
            .all(db)
            .await
            .unwrap(),
        seller_status_change::Entity::find()
            .order_by_asc(seller_status_change::Column::Id)
            .all(db)
            .await
            .unwrap(),
        kiosk::Entity::find()
            .order_by_asc(kiosk::Column::Id)
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|k| (k.id, k.revoked_at))
            .collect::<Vec<_>>(),
        user::Entity::find()
            .order_by_asc(user::Column::Id)
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|u| (u.id, u.is_admin))
            .collect::<Vec<_>>(),
    )
}

/// (mutation, the actors allowed, the code every other signed-in user gets, the domain events a
/// successful call publishes)
fn cases() -> Vec<(
    &'static str,
    &'static [Actor],
    &'static str,
    &'static [&'static str],
)> {
    vec![
        (
            "mutation($pending: ID!) { verifySeller(input: { sellerId: $pending }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["seller_status_changed"],
        ),
        (
            "mutation($pending: ID!) { rejectSeller(input: { sellerId: $pending, reason: \"NIB tidak valid\" }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["seller_status_changed"],
        ),
        (
            "mutation($sellerA: ID!) { suspendSeller(input: { sellerId: $sellerA, reason: \"uji\" }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["seller_status_changed"],
        ),
        (
            "mutation($sellerA: ID!) { reinstateSeller(input: { sellerId: $sellerA }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["seller_status_changed"],
        ),
        (
            "mutation($sellerA: ID!) { updateSellerApplication(input: { sellerId: $sellerA, application: { description: \"Baru\" } }) { userErrors { code } } }",
            &[SellerA],
            "NOT_FOUND",
            &["seller_changed"],
        ),
        (
            "mutation($sellerA: ID!, $keripik: ID!) { createProduct(input: { sellerId: $sellerA, product: { categoryId: $keripik, name: \"Keripik Uji\", price: 1000, unitLabel: \"pak\" } }) { userErrors { code } } }",
            &[SellerA, Admin],
            "FORBIDDEN",
            &["product_changed"],
        ),
        (
            "mutation($draftA: ID!) { updateProduct(input: { productId: $draftA, product: { price: 12345 } }) { userErrors { code } } }",
            &[SellerA, Admin],
            "NOT_FOUND",
            &["product_changed"],
        ),
        (
            "mutation($activeA: ID!) { updateProduct(input: { productId: $activeA, product: { price: 12345 } }) { userErrors { code } } }",
            &[SellerA, Admin],
            "FORBIDDEN",
            &["product_changed"],
        ),
        (
            "mutation($draftA: ID!) { publishProduct(input: { productId: $draftA }) { userErrors { code } } }",
            &[SellerA, Admin],
            "NOT_FOUND",
            &["product_changed"],
        ),
        (
            "mutation($activeA: ID!) { unpublishProduct(input: { productId: $activeA }) { userErrors { code } } }",
            &[SellerA, Admin],
            "FORBIDDEN",
            &["product_changed"],
        ),
        (
            "mutation($draftA: ID!) { archiveProduct(input: { productId: $draftA }) { userErrors { code } } }",
            &[SellerA, Admin],
            "NOT_FOUND",
            &["product_changed"],
        ),
        (
            "mutation($outlet1: ID!, $activeA: ID!) { setStock(input: { outletId: $outlet1, productId: $activeA, quantity: 7 }) { userErrors { code } } }",
            &[SellerA, Staff1, Admin],
            "FORBIDDEN",
            &["stock_changed"],
        ),
        (
            // Seller A has no place at outlet 2: its staff may not list A's product there.
            "mutation($outlet2: ID!, $activeA: ID!) { setStock(input: { outletId: $outlet2, productId: $activeA, quantity: 7 }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["stock_changed"],
        ),
        (
            "mutation($outlet1: ID!) { registerKiosk(input: { outletId: $outlet1, name: \"Kiosk baru\" }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["kiosk_changed"],
        ),
        (
            "mutation($kiosk: ID!) { revokeKiosk(input: { kioskId: $kiosk }) { kiosk { id } } }",
            &[Admin],
            "FORBIDDEN",
            &["kiosk_changed"],
        ),
        (
            "mutation { createOutlet(input: { code: \"TGS-K99\", name: \"Kios 99\", restArea: \"Rest Area Tongas\", villageCode: \"35.13.23.2008\", latitude: -7.74, longitude: 113.11, openingHours: [] }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["outlet_changed"],
        ),
        (
            "mutation($outlet1: ID!) { updateOutlet(input: { outletId: $outlet1, name: \"Kios Satu\" }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["outlet_changed"],
        ),
        (
            "mutation($outlet2: ID!, $sellerB: ID!) { assignSellerToOutlet(input: { outletId: $outlet2, sellerId: $sellerB }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["outlet_changed"],
        ),
        (
            "mutation($outlet1: ID!, $sellerA: ID!) { removeSellerFromOutlet(input: { outletId: $outlet1, sellerId: $sellerA }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["outlet_changed"],
        ),
        (
            "mutation($outlet2: ID!, $buyer: ID!) { assignOutletStaff(input: { outletId: $outlet2, userId: $buyer }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["outlet_changed"],
        ),
        (
            "mutation($outlet2: ID!, $buyer: ID!) { removeOutletStaff(input: { outletId: $outlet2, userId: $buyer }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["outlet_changed"],
        ),
        (
            "mutation($activeA: ID!) { setProductFeatured(input: { productId: $activeA, featured: true }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["product_changed"],
        ),
        (
            "mutation($activeA: ID!) { createPhotoUpload(input: { productId: $activeA, contentType: \"image/jpeg\", byteSize: 1000 }) { userErrors { code } } }",
            &[SellerA, Admin],
            "FORBIDDEN",
            &[],
        ),
        (
            "mutation($draftA: ID!) { createPhotoUpload(input: { productId: $draftA, contentType: \"image/jpeg\", byteSize: 1000 }) { userErrors { code } } }",
            &[SellerA, Admin],
            "NOT_FOUND",
            &[],
        ),
        (
            "mutation($sellerA: ID!) { createPhotoUpload(input: { sellerId: $sellerA, contentType: \"image/png\", byteSize: 1000 }) { userErrors { code } } }",
            &[SellerA, Admin],
            "FORBIDDEN",
            &[],
        ),
        (
            "mutation($outlet1: ID!) { createPhotoUpload(input: { outletId: $outlet1, contentType: \"image/png\", byteSize: 1000 }) { userErrors { code } } }",
            &[Staff1, Admin],
            "FORBIDDEN",
            &[],
        ),
        (
            // Only the user who asked for an upload completes it; to anyone else it does not
            // exist. A's completion fails on a rule: nothing was PUT.
            "mutation($uploadA: ID!) { completePhotoUpload(input: { uploadId: $uploadA }) { userErrors { code } } }",
            &[SellerA],
            "NOT_FOUND",
            &[],
        ),
        (
            "mutation($photoA: ID!) { updatePhoto(input: { photoId: $photoA, altText: \"Tampak depan\" }) { userErrors { code } } }",
            &[SellerA, Admin],
            "FORBIDDEN",
            &["photo_changed"],
        ),
        (
            "mutation($activeA: ID!, $photoA: ID!) { reorderPhotos(input: { productId: $activeA, photoIds: [$photoA] }) { userErrors { code } } }",
            &[SellerA, Admin],
            "FORBIDDEN",
            &[],
        ),
        (
            "mutation($logoPending: ID!) { deletePhoto(input: { photoId: $logoPending }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
            &["photo_changed"],
        ),
        (
            "mutation { applyAsSeller(input: { businessName: \"Usaha Uji\" }) { userErrors { code } } }",
            &[Buyer, SellerA, SellerB, Staff1, Staff2, Admin],
            "UNAUTHENTICATED",
            &["seller_changed"],
        ),
    ]
}

#[tokio::test]
async fn every_mutation_is_checked_against_every_caller() {
    let w = world().await;
    let mut checked = 0;
    let mut events = w.app.events();
    for (query, allowed, denied_code, _) in cases() {
        for actor in ALL {
            if allowed.contains(&actor) {
                continue;
            }
            let before = snapshot(&w.app).await;
            let res = w
                .app
                .as_(&w.callers[&actor])
                .graphql(query, w.vars.clone())
                .await;
            let expected = match actor {
                Anonymous | Kiosk => "UNAUTHENTICATED",
                _ => denied_code,
            };
            assert_eq!(
                res.error_code(),
                Some(expected),
                "{actor:?} on {query}: {res}"
            );
            assert_eq!(
                snapshot(&w.app).await,
                before,
                "{actor:?} changed the database with {query}"
            );
            assert_eq!(
                events.drain(),
                Vec::<&str>::new(),
                "{actor:?} was denied {query} yet events went out"
            );
            checked += 1;
        }
    }
    // Then the allowed callers get through the guards (the action may still report userErrors).
    // They run after every denial so that their changes cannot mask one. A call that succeeds
    // publishes its events after commit; one that fails (userErrors) publishes none.
    let (mut succeeded, mut failed) = (0, 0);
    for (query, allowed, _, published) in cases() {
        for (turn, actor) in allowed.iter().enumerate() {
            let res = w
                .app
                .as_(&w.callers[actor])
                .graphql(query, w.vars.clone())
                .await;
            assert!(
                !matches!(
                    res.error_code(),
                    Some("UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND")
                ),
                "{actor:?} was refused {query}: {res}"
            );
            let went_out = events.drain();
            let rule_failed = res["data"]
                .as_object()
                .and_then(|data| data.values().next())
                .and_then(|payload| payload.get("userErrors"))
                .and_then(Value::as_array)
                .is_some_and(|errors| !errors.is_empty());
            if res.error_code().is_none() && !rule_failed {
                // A later caller may repeat what an earlier one did (publishing a product
                // already public): a call that changes nothing may publish nothing.
                let repeat = turn > 0 && went_out.is_empty();
                assert!(
                    went_out == published || repeat,
                    "{actor:?} on {query} published {went_out:?}, not {published:?}: {res}"
                );
                succeeded += 1;
            } else {
                assert_eq!(
                    went_out,
                    Vec::<&str>::new(),
                    "{actor:?} failed {query} yet events went out: {res}"
                );
                failed += 1;
            }
        }
    }
    assert!(checked > 120, "only {checked} denied cases checked");
    // Both sides of the event rule are exercised: most allowed calls succeed, and some fail
    // on a business rule (a second verification, an application missing its fields).
    assert!(succeeded >= 20, "only {succeeded} allowed calls succeeded");
    assert!(failed >= 2, "only {failed} allowed calls failed");
}

#[test]
fn every_mutation_of_the_schema_has_a_case_or_is_public_by_design() {
    let in_schema = schema_mutations();
    let public: BTreeSet<String> = PUBLIC_BY_DESIGN
        .iter()
        .map(|(m, _)| m.to_string())
        .collect();
    let covered: BTreeSet<String> = cases()
        .iter()
        .flat_map(|(query, _, _, _)| root_fields(query))
        .chain(MULTIPART_ONLY.iter().map(|m| m.to_string()))
        .collect();
    let missing: Vec<&String> = in_schema
        .iter()
        .filter(|m| !covered.contains(*m) && !public.contains(*m))
        .collect();
    assert!(
        missing.is_empty(),
        "mutations without a case in the authorization matrix: {missing:?} (add a case to cases(), or list them in PUBLIC_BY_DESIGN with the reason)"
    );
    let stale: Vec<&String> = covered
        .union(&public)
        .filter(|m| !in_schema.contains(*m))
        .collect();
    assert!(
        stale.is_empty(),
        "the matrix names mutations the schema lacks: {stale:?}"
    );
    let both: Vec<&String> = covered.intersection(&public).collect();
    assert!(both.is_empty(), "listed as public and as guarded: {both:?}");
    assert!(
        in_schema.len() >= 25,
        "only {} mutations found: {in_schema:?}",
        in_schema.len()
    );
}

/// The field names of the mutation root type, read from the schema the code prints.
fn schema_mutations() -> BTreeSet<String> {
    let doc = parse_schema(pasar_oleh::graphql::sdl()).expect("the SDL parses");
    // The root is named in a `schema { mutation: … }` block when there is one.
    let root = doc
        .definitions
        .iter()
        .find_map(|d| match d {
            TypeSystemDefinition::Schema(s) => s.node.mutation.as_ref().map(|m| m.node.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| "MutationRoot".into());
    doc.definitions
        .iter()
        .find_map(|d| match d {
            TypeSystemDefinition::Type(t) if t.node.name.node == root.as_str() => {
                match &t.node.kind {
                    TypeKind::Object(o) => Some(
                        o.fields
                            .iter()
                            .map(|f| f.node.name.node.to_string())
                            .collect(),
                    ),
                    _ => None,
                }
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no type {root} in the SDL"))
}

/// The root fields a case's operation selects.
fn root_fields(query: &str) -> Vec<String> {
    let doc = parse_query(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    let operations: Vec<_> = match &doc.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    operations
        .into_iter()
        .flat_map(|op| op.node.selection_set.node.items.iter())
        .filter_map(|item| match &item.node {
            Selection::Field(f) => Some(f.node.name.node.to_string()),
            _ => None,
        })
        .collect()
}
