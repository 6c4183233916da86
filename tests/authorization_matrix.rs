//! Every mutation against every kind of caller: anonymous, buyer, seller A, seller B, staff of
//! outlet 1, staff of outlet 2, a kiosk of outlet 1, and an administrator. Each denied call
//! answers UNAUTHENTICATED, FORBIDDEN or NOT_FOUND (where existence must not leak) and changes
//! nothing in the database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use chrono::Utc;
use common::test_state;
use entity::{
    enums::ProductStatus, kiosk, outlet, outlet_seller, outlet_staff, product, seller,
    seller_member, seller_status_change, stock, user,
};
use pasar_oleh::{
    auth::caller::Caller,
    domain::global_id::{GlobalId, NodeKind},
    graphql::{self, AppSchema},
    services::accounts,
    state::AppState,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};
use uuid::Uuid;

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

struct World {
    state: AppState,
    schema: AppSchema,
    callers: BTreeMap<Actor, Caller>,
    vars: Value,
}

async fn user_with(state: &AppState, email: &str, admin: bool) -> Uuid {
    let u = if admin {
        accounts::create_admin(&state.db, &state.events, email, "Admin", "rahasia-123")
            .await
            .unwrap()
    } else {
        accounts::register(
            &state.db,
            &state.events,
            accounts::RegisterInput {
                email: Some(email.into()),
                phone: None,
                display_name: "U".into(),
                password: "rahasia-123".into(),
            },
        )
        .await
        .unwrap()
    };
    u.id
}

async fn caller_for(state: &AppState, user_id: Uuid) -> Caller {
    let token = state.jwt.issue_access(user_id).unwrap();
    pasar_oleh::http::caller::resolve(state, Some(&format!("Bearer {token}")))
        .await
        .unwrap()
}

async fn world() -> World {
    let state = test_state(true).await;
    let db = &state.db;
    let now = Utc::now();
    let find_seller = |slug: &'static str| async move {
        seller::Entity::find()
            .filter(seller::Column::Slug.eq(slug))
            .one(db)
            .await
            .unwrap()
            .unwrap()
    };
    let a = find_seller("keripik-mangga-bu-sri").await;
    let places_a: Vec<Uuid> = outlet_seller::Entity::find()
        .filter(outlet_seller::Column::SellerId.eq(a.id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.outlet_id)
        .collect();
    let outlet1 = outlet::Entity::find_by_id(places_a[0])
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let outlet2 = outlet::Entity::find()
        .filter(outlet::Column::Id.is_not_in(places_a.clone()))
        .order_by_asc(outlet::Column::Code)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let b = seller::Entity::find()
        .filter(seller::Column::Id.ne(a.id))
        .filter(seller::Column::Status.eq(entity::enums::SellerStatus::Verified))
        .order_by_asc(seller::Column::Slug)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let pending = seller::Entity::find()
        .filter(seller::Column::Status.eq(entity::enums::SellerStatus::Pending))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let products_a = product::Entity::find()
        .filter(product::Column::SellerId.eq(a.id))
        .all(db)
        .await
        .unwrap();
    let active_a = products_a
        .iter()
        .find(|p| p.status == ProductStatus::Active)
        .unwrap()
        .clone();
    // A draft of seller A (made so, if the demo data has none).
    let draft_a = match products_a.iter().find(|p| p.status == ProductStatus::Draft) {
        Some(p) => p.clone(),
        None => {
            let mut m: product::ActiveModel = products_a
                .iter()
                .find(|p| p.id != active_a.id)
                .unwrap()
                .clone()
                .into();
            m.status = Set(ProductStatus::Draft);
            m.update(db).await.unwrap()
        }
    };

    let buyer = user_with(&state, "buyer@example.id", false).await;
    let seller_a = user_with(&state, "a@example.id", false).await;
    let seller_b = user_with(&state, "b@example.id", false).await;
    let staff1 = user_with(&state, "staff1@example.id", false).await;
    let staff2 = user_with(&state, "staff2@example.id", false).await;
    let admin = user_with(&state, "admin@example.id", true).await;
    for (s, u) in [(a.id, seller_a), (b.id, seller_b)] {
        seller_member::ActiveModel {
            seller_id: Set(s),
            user_id: Set(u),
            created_at: Set(now),
        }
        .insert(db)
        .await
        .unwrap();
    }
    for (o, u) in [(outlet1.id, staff1), (outlet2.id, staff2)] {
        outlet_staff::ActiveModel {
            outlet_id: Set(o),
            user_id: Set(u),
            created_at: Set(now),
        }
        .insert(db)
        .await
        .unwrap();
    }
    let mut tx = pasar_oleh::services::tx::Tx::begin(&state.db, &state.events)
        .await
        .unwrap();
    let (kiosk_model, credential) = accounts::register_kiosk(&mut tx, outlet1.id, "Kiosk 1", admin)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut callers = BTreeMap::new();
    callers.insert(Anonymous, Caller::Anonymous);
    callers.insert(
        Kiosk,
        pasar_oleh::http::caller::resolve(&state, Some(&format!("Kiosk {credential}")))
            .await
            .unwrap(),
    );
    for (actor, id) in [
        (Buyer, buyer),
        (SellerA, seller_a),
        (SellerB, seller_b),
        (Staff1, staff1),
        (Staff2, staff2),
        (Admin, admin),
    ] {
        callers.insert(actor, caller_for(&state, id).await);
    }
    let gid = |kind, id| GlobalId::new(kind, id).encode();
    let keripik = GlobalId::new(NodeKind::Category, migration::category_id("keripik")).encode();
    let vars = json!({
        "sellerA": gid(NodeKind::Seller, a.id),
        "pending": gid(NodeKind::Seller, pending.id),
        "activeA": gid(NodeKind::Product, active_a.id),
        "draftA": gid(NodeKind::Product, draft_a.id),
        "outlet1": gid(NodeKind::Outlet, outlet1.id),
        "outlet2": gid(NodeKind::Outlet, outlet2.id),
        "keripik": keripik,
        "kiosk": kiosk_model.id.to_string(),
        "buyer": buyer.to_string(),
        "sellerB": gid(NodeKind::Seller, b.id),
    });
    let schema = graphql::build_schema(&state);
    World {
        state,
        schema,
        callers,
        vars,
    }
}

/// A digest of every table a mutation could touch.
async fn snapshot(state: &AppState) -> String {
    let db = &state.db;
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
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

/// (mutation, the actors allowed, the code every other signed-in user gets)
fn cases() -> Vec<(&'static str, &'static [Actor], &'static str)> {
    vec![
        (
            "mutation($pending: ID!) { verifySeller(input: { sellerId: $pending }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($pending: ID!) { rejectSeller(input: { sellerId: $pending, reason: \"NIB tidak valid\" }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($sellerA: ID!) { suspendSeller(input: { sellerId: $sellerA, reason: \"uji\" }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($sellerA: ID!) { reinstateSeller(input: { sellerId: $sellerA }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($sellerA: ID!) { updateSellerApplication(input: { sellerId: $sellerA, application: { description: \"Baru\" } }) { userErrors { code } } }",
            &[SellerA],
            "NOT_FOUND",
        ),
        (
            "mutation($sellerA: ID!, $keripik: ID!) { createProduct(input: { sellerId: $sellerA, product: { categoryId: $keripik, name: \"Keripik Uji\", price: 1000, unitLabel: \"pak\" } }) { userErrors { code } } }",
            &[SellerA, Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($draftA: ID!) { updateProduct(input: { productId: $draftA, product: { price: 12345 } }) { userErrors { code } } }",
            &[SellerA, Admin],
            "NOT_FOUND",
        ),
        (
            "mutation($activeA: ID!) { updateProduct(input: { productId: $activeA, product: { price: 12345 } }) { userErrors { code } } }",
            &[SellerA, Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($draftA: ID!) { publishProduct(input: { productId: $draftA }) { userErrors { code } } }",
            &[SellerA, Admin],
            "NOT_FOUND",
        ),
        (
            "mutation($activeA: ID!) { unpublishProduct(input: { productId: $activeA }) { userErrors { code } } }",
            &[SellerA, Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($draftA: ID!) { archiveProduct(input: { productId: $draftA }) { userErrors { code } } }",
            &[SellerA, Admin],
            "NOT_FOUND",
        ),
        (
            "mutation($outlet1: ID!, $activeA: ID!) { setStock(input: { outletId: $outlet1, productId: $activeA, quantity: 7 }) { userErrors { code } } }",
            &[SellerA, Staff1, Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($outlet2: ID!, $activeA: ID!) { setStock(input: { outletId: $outlet2, productId: $activeA, quantity: 7 }) { userErrors { code } } }",
            &[Staff2, Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($outlet1: ID!) { registerKiosk(input: { outletId: $outlet1, name: \"Kiosk baru\" }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($kiosk: ID!) { revokeKiosk(input: { kioskId: $kiosk }) { id } }",
            &[Admin],
            "FORBIDDEN",
        ),
        (
            "mutation { createOutlet(input: { code: \"TGS-K99\", name: \"Kios 99\", restArea: \"Rest Area Tongas\", villageCode: \"35.13.23.2008\", latitude: -7.74, longitude: 113.11, openingHours: [] }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($outlet1: ID!) { updateOutlet(input: { outletId: $outlet1, name: \"Kios Satu\" }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($outlet2: ID!, $sellerB: ID!) { assignSellerToOutlet(input: { outletId: $outlet2, sellerId: $sellerB }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($outlet1: ID!, $sellerA: ID!) { removeSellerFromOutlet(input: { outletId: $outlet1, sellerId: $sellerA }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($outlet2: ID!, $buyer: ID!) { assignOutletStaff(input: { outletId: $outlet2, userId: $buyer }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($outlet2: ID!, $buyer: ID!) { removeOutletStaff(input: { outletId: $outlet2, userId: $buyer }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
        ),
        (
            "mutation($activeA: ID!) { setProductFeatured(input: { productId: $activeA, featured: true }) { userErrors { code } } }",
            &[Admin],
            "FORBIDDEN",
        ),
        (
            "mutation { applyAsSeller(input: { businessName: \"Usaha Uji\" }) { userErrors { code } } }",
            &[Buyer, SellerA, SellerB, Staff1, Staff2, Admin],
            "UNAUTHENTICATED",
        ),
    ]
}

fn code_of(res: &async_graphql::Response) -> Option<String> {
    res.errors
        .first()
        .and_then(|e| match e.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(s) => Some(s.clone()),
            _ => None,
        })
}

#[tokio::test]
async fn every_mutation_is_checked_against_every_caller() {
    let w = world().await;
    let mut checked = 0;
    for (query, allowed, denied_code) in cases() {
        for actor in ALL {
            if allowed.contains(&actor) {
                continue;
            }
            let before = snapshot(&w.state).await;
            let request = async_graphql::Request::new(query)
                .variables(async_graphql::Variables::from_json(w.vars.clone()));
            let res = graphql::execute_as(
                &w.schema,
                &w.state,
                request,
                w.callers[&actor].clone(),
                "matrix".into(),
            )
            .await;
            let expected = match actor {
                Anonymous | Kiosk => "UNAUTHENTICATED",
                _ => denied_code,
            };
            assert_eq!(
                code_of(&res).as_deref(),
                Some(expected),
                "{actor:?} on {query}: {:?}",
                res.errors
            );
            assert_eq!(
                snapshot(&w.state).await,
                before,
                "{actor:?} changed the database with {query}"
            );
            checked += 1;
        }
    }
    // Then the allowed callers get through the guards (the action may still report userErrors).
    // They run after every denial so that their changes cannot mask one.
    for (query, allowed, _) in cases() {
        for actor in allowed {
            let request = async_graphql::Request::new(query)
                .variables(async_graphql::Variables::from_json(w.vars.clone()));
            let res = graphql::execute_as(
                &w.schema,
                &w.state,
                request,
                w.callers[actor].clone(),
                "matrix".into(),
            )
            .await;
            let code = code_of(&res);
            assert!(
                !matches!(
                    code.as_deref(),
                    Some("UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND")
                ),
                "{actor:?} was refused {query}: {:?}",
                res.errors
            );
        }
    }
    assert!(checked > 120, "only {checked} denied cases checked");
}
