//! The demo catalogue of Rest Area Tongas (`assets/demo/catalogue.json`).
//!
//! Seeded automatically on the first start of an empty development database, and on demand by
//! `pasar-oleh seed`, which is idempotent: outlets, sellers and products are matched by code or
//! slug and updated in place, stock and opening hours are rewritten, so running it twice leaves
//! the same catalogue. Production never seeds.

use std::collections::HashMap;

use anyhow::Context;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use entity::{
    enums::{BusinessCategory, BusinessScale, OutletStatus, ProductStatus, SellerStatus},
    outlet, outlet_hour, outlet_seller, photo, product, seller, stock, village,
};
use migration::category_id;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionTrait, sea_query::OnConflict,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{infra::media::MediaStore, state::AppState};

const CATALOGUE: &str = include_str!("../../assets/demo/catalogue.json");

#[derive(Deserialize)]
struct Catalogue {
    outlets: Vec<DemoOutlet>,
    sellers: Vec<DemoSeller>,
    products: Vec<DemoProduct>,
}

#[derive(Deserialize)]
struct DemoOutlet {
    code: String,
    name: String,
    rest_area: String,
    village_code: String,
    latitude: f64,
    longitude: f64,
    phone: Option<String>,
    opening_hours: Vec<DemoHours>,
}

#[derive(Deserialize)]
struct DemoHours {
    weekday: i16,
    opens: String,
    closes: String,
}

#[derive(Deserialize)]
struct DemoSeller {
    slug: String,
    business_name: String,
    owner_name: String,
    description: String,
    phone: String,
    email: Option<String>,
    address: String,
    village_code: String,
    category: String,
    scale: String,
    nib: Option<String>,
    halal_certificate_number: Option<String>,
    halal_expires_on: Option<NaiveDate>,
    pirt_number: Option<String>,
    trademark_number: Option<String>,
    status: String,
    status_reason: Option<String>,
    outlets: Vec<String>,
}

#[derive(Deserialize)]
struct DemoProduct {
    seller: String,
    category: String,
    slug: String,
    name: String,
    description: String,
    price: i64,
    unit_label: String,
    net_weight_grams: Option<i32>,
    shelf_life_days: Option<i32>,
    halal: bool,
    featured: bool,
    status: String,
}

/// What a seeding run wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub outlets: usize,
    pub sellers: usize,
    pub products: usize,
    pub stock_rows: usize,
    pub photos: usize,
}

/// Seeds when the database has no seller yet (first start of a development database).
pub async fn seed_if_empty(state: &AppState) -> anyhow::Result<()> {
    if seller::Entity::find().count(&state.db).await? > 0 {
        return Ok(());
    }
    let report = seed(&state.db, &state.media).await?;
    tracing::info!(?report, "seeded the demo catalogue");
    Ok(())
}

fn parse_enum<T: sea_orm::ActiveEnum<Value = String>>(raw: &str, what: &str) -> anyhow::Result<T> {
    T::try_from_value(&raw.to_string())
        .map_err(|_| anyhow::anyhow!("unknown {what} {raw:?} in the demo catalogue"))
}

/// A stable pseudo-random number from a text, so stock and dates are the same on every run.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub async fn seed(
    db: &sea_orm::DatabaseConnection,
    media: &MediaStore,
) -> anyhow::Result<SeedReport> {
    let catalogue: Catalogue =
        serde_json::from_str(CATALOGUE).context("parsing the demo catalogue")?;
    let villages: HashMap<String, String> = village::Entity::find()
        .filter(village::Column::Code.starts_with("35.13."))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.code, v.district_code))
        .collect();
    let district_of = |code: &str| {
        villages
            .get(code)
            .cloned()
            .with_context(|| format!("village {code} is not in the region tables"))
    };
    // A fixed origin keeps "newest" ordering and timestamps identical across runs.
    let origin = Utc
        .with_ymd_and_hms(2026, 11, 1, 1, 0, 0)
        .single()
        .context("seed origin")?;
    let mut report = SeedReport::default();
    let txn = db.begin().await?;

    let mut outlet_ids = HashMap::new();
    for (i, o) in catalogue.outlets.iter().enumerate() {
        let existing = outlet::Entity::find()
            .filter(outlet::Column::Code.eq(&o.code))
            .one(&txn)
            .await?;
        let id = existing.as_ref().map_or_else(Uuid::now_v7, |e| e.id);
        let created_at = origin - Duration::days(60 - i as i64);
        let model = outlet::ActiveModel {
            id: Set(id),
            code: Set(o.code.clone()),
            name: Set(o.name.clone()),
            rest_area: Set(o.rest_area.clone()),
            village_code: Set(Some(o.village_code.clone())),
            district_code: Set(district_of(&o.village_code)?),
            latitude: Set(o.latitude),
            longitude: Set(o.longitude),
            phone: Set(o.phone.clone()),
            status: Set(OutletStatus::Open),
            created_at: Set(created_at),
            updated_at: Set(created_at),
        };
        if existing.is_some() {
            model.update(&txn).await?;
        } else {
            model.insert(&txn).await?;
        }
        outlet_hour::Entity::delete_many()
            .filter(outlet_hour::Column::OutletId.eq(id))
            .exec(&txn)
            .await?;
        for h in &o.opening_hours {
            outlet_hour::ActiveModel {
                outlet_id: Set(id),
                weekday: Set(h.weekday),
                opens: Set(h.opens.clone()),
                closes: Set(h.closes.clone()),
            }
            .insert(&txn)
            .await?;
        }
        outlet_ids.insert(o.code.clone(), id);
        report.outlets += 1;
    }

    let mut seller_ids = HashMap::new();
    let mut seller_outlets: HashMap<String, Vec<Uuid>> = HashMap::new();
    for (i, s) in catalogue.sellers.iter().enumerate() {
        let existing = seller::Entity::find()
            .filter(seller::Column::Slug.eq(&s.slug))
            .one(&txn)
            .await?;
        let id = existing.as_ref().map_or_else(Uuid::now_v7, |e| e.id);
        let created_at = origin - Duration::days(45) + Duration::hours(i as i64 * 7);
        let model = seller::ActiveModel {
            id: Set(id),
            slug: Set(s.slug.clone()),
            business_name: Set(s.business_name.clone()),
            owner_name: Set(s.owner_name.clone()),
            description: Set(s.description.clone()),
            phone: Set(s.phone.clone()),
            email: Set(s.email.clone()),
            address: Set(s.address.clone()),
            village_code: Set(Some(s.village_code.clone())),
            district_code: Set(district_of(&s.village_code)?),
            category: Set(parse_enum::<BusinessCategory>(
                &s.category,
                "seller category",
            )?),
            scale: Set(parse_enum::<BusinessScale>(&s.scale, "scale")?),
            nib: Set(s.nib.clone()),
            halal_certificate_number: Set(s.halal_certificate_number.clone()),
            halal_expires_on: Set(s.halal_expires_on),
            pirt_number: Set(s.pirt_number.clone()),
            trademark_number: Set(s.trademark_number.clone()),
            status: Set(parse_enum::<SellerStatus>(&s.status, "seller status")?),
            status_reason: Set(s.status_reason.clone()),
            pending_legal_change: Set(None),
            created_at: Set(created_at),
            updated_at: Set(created_at),
        };
        if existing.is_some() {
            model.update(&txn).await?;
        } else {
            model.insert(&txn).await?;
        }
        let mut places = Vec::new();
        for code in &s.outlets {
            let outlet_id = *outlet_ids
                .get(code)
                .with_context(|| format!("unknown outlet {code}"))?;
            outlet_seller::Entity::insert(outlet_seller::ActiveModel {
                outlet_id: Set(outlet_id),
                seller_id: Set(id),
                created_at: Set(created_at),
            })
            .on_conflict_do_nothing_on([
                outlet_seller::Column::OutletId,
                outlet_seller::Column::SellerId,
            ])
            .exec(&txn)
            .await?;
            places.push(outlet_id);
        }
        seller_ids.insert(s.slug.clone(), id);
        seller_outlets.insert(s.slug.clone(), places);
        report.sellers += 1;
    }

    for (i, p) in catalogue.products.iter().enumerate() {
        let seller_id = *seller_ids
            .get(&p.seller)
            .with_context(|| format!("unknown seller {}", p.seller))?;
        let existing = product::Entity::find()
            .filter(product::Column::Slug.eq(&p.slug))
            .one(&txn)
            .await?;
        let id = existing.as_ref().map_or_else(Uuid::now_v7, |e| e.id);
        let created_at = origin - Duration::days(40) + Duration::hours(i as i64 * 5);
        let model = product::ActiveModel {
            id: Set(id),
            seller_id: Set(seller_id),
            category_id: Set(category_id(&p.category)),
            name: Set(p.name.clone()),
            slug: Set(p.slug.clone()),
            description: Set(p.description.clone()),
            price: Set(p.price),
            unit_label: Set(p.unit_label.clone()),
            net_weight_grams: Set(p.net_weight_grams),
            shelf_life_days: Set(p.shelf_life_days),
            halal: Set(p.halal),
            featured: Set(p.featured),
            status: Set(parse_enum::<ProductStatus>(&p.status, "product status")?),
            created_at: Set(created_at),
            updated_at: Set(created_at),
        };
        if existing.is_some() {
            model.update(&txn).await?;
        } else {
            model.insert(&txn).await?;
        }

        for outlet_id in seller_outlets.get(&p.seller).into_iter().flatten() {
            // Roughly one product in eight is sold out at a stall.
            let h = stable_hash(&format!("{outlet_id}/{}", p.slug));
            let quantity = if h.is_multiple_of(8) {
                0
            } else {
                (h % 48 + 2) as i32
            };
            stock::Entity::insert(stock::ActiveModel {
                outlet_id: Set(*outlet_id),
                product_id: Set(id),
                quantity: Set(quantity),
                updated_at: Set(created_at),
            })
            .on_conflict(
                OnConflict::columns([stock::Column::OutletId, stock::Column::ProductId])
                    .update_columns([stock::Column::Quantity, stock::Column::UpdatedAt])
                    .to_owned(),
            )
            .exec(&txn)
            .await?;
            report.stock_rows += 1;
        }

        let key = format!("demo/products/{}.svg", p.slug);
        media
            .put(
                &key,
                placeholder_svg(&p.name, &p.unit_label, stable_hash(&p.category)).as_bytes(),
            )
            .await?;
        photo::Entity::insert(photo::ActiveModel {
            id: Set(Uuid::now_v7()),
            product_id: Set(Some(id)),
            seller_id: Set(None),
            storage_key: Set(key),
            content_type: Set("image/svg+xml".into()),
            width: Set(800),
            height: Set(800),
            position: Set(0),
            alt_text: Set(format!("{} ({})", p.name, p.unit_label)),
            created_at: Set(created_at),
        })
        .on_conflict(
            OnConflict::column(photo::Column::StorageKey)
                .update_columns([photo::Column::AltText, photo::Column::ProductId])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
        report.photos += 1;
        report.products += 1;
    }
    txn.commit().await?;
    Ok(report)
}

/// A square placeholder picture naming the product: real, small, and honest about being a demo.
fn placeholder_svg(name: &str, unit: &str, hue_seed: u64) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let hue = hue_seed % 360;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="800" height="800" viewBox="0 0 800 800"><rect width="800" height="800" fill="hsl({hue},55%,88%)"/><text x="400" y="380" font-family="sans-serif" font-size="44" text-anchor="middle" fill="hsl({hue},45%,25%)">{}</text><text x="400" y="450" font-family="sans-serif" font-size="32" text-anchor="middle" fill="hsl({hue},30%,35%)">{}</text><text x="400" y="740" font-family="sans-serif" font-size="22" text-anchor="middle" fill="hsl({hue},20%,45%)">Pasar Oleh · foto contoh</text></svg>"##,
        escape(name),
        escape(unit)
    )
}

/// Checks used by the tests and by `pasar-oleh seed`: ids exist for every row written.
pub async fn counts(db: &impl ConnectionTrait) -> anyhow::Result<(u64, u64, u64)> {
    Ok((
        outlet::Entity::find().count(db).await?,
        seller::Entity::find().count(db).await?,
        product::Entity::find().count(db).await?,
    ))
}
