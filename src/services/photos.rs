//! Photos of products, sellers (their logo) and outlets: the rows, their stored derivatives,
//! and the changes sellers make (alt text, order, removal).
//!
//! A photo row is written only after all three derivatives are stored, so every visible photo
//! has all its sizes. Derivatives are content-addressed: two photos of the same bytes share
//! objects, so an object is deleted only when no row refers to it any more.

use entity::photo;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, sea_query::Condition,
};
use uuid::Uuid;

use crate::{
    domain::events::DomainEvent,
    error::{AppError, AppResult, FieldCode, FieldError},
    infra::media::{ContentType, IMMUTABLE, MediaKey, MediaStore},
    media_pipeline::{DerivativeSize, ProcessedPhoto},
    services::tx::Tx,
};

/// The most photos a product may have.
pub const MAX_PRODUCT_PHOTOS: u64 = 10;

/// Longest accepted alt text, in characters (the column holds 255 bytes).
pub const MAX_ALT_TEXT: usize = 250;

/// What a photo belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoOwner {
    /// One of a product's photos (up to [`MAX_PRODUCT_PHOTOS`], ordered).
    Product(Uuid),
    /// A seller's logo: one; a new one replaces it.
    Seller(Uuid),
    /// An outlet's photo: one; a new one replaces it.
    Outlet(Uuid),
}

impl PhotoOwner {
    pub fn id(self) -> Uuid {
        match self {
            PhotoOwner::Product(id) | PhotoOwner::Seller(id) | PhotoOwner::Outlet(id) => id,
        }
    }

    fn condition(self) -> Condition {
        match self {
            PhotoOwner::Product(id) => Condition::all().add(photo::Column::ProductId.eq(id)),
            PhotoOwner::Seller(id) => Condition::all()
                .add(photo::Column::SellerId.eq(id))
                .add(photo::Column::ProductId.is_null()),
            PhotoOwner::Outlet(id) => Condition::all().add(photo::Column::OutletId.eq(id)),
        }
    }

    /// The owner of a row.
    pub fn of(p: &photo::Model) -> Option<Self> {
        match (p.product_id, p.seller_id, p.outlet_id) {
            (Some(id), _, _) => Some(PhotoOwner::Product(id)),
            (None, Some(id), _) => Some(PhotoOwner::Seller(id)),
            (None, None, Some(id)) => Some(PhotoOwner::Outlet(id)),
            (None, None, None) => None,
        }
    }
}

/// Photos of these products, in display order.
pub async fn of_products(
    db: &impl ConnectionTrait,
    product_ids: &[Uuid],
) -> AppResult<Vec<photo::Model>> {
    Ok(photo::Entity::find()
        .filter(photo::Column::ProductId.is_in(product_ids.iter().copied()))
        .order_by_asc(photo::Column::Position)
        .order_by_asc(photo::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Photos of one owner, in display order.
pub async fn of_owner(
    db: &impl ConnectionTrait,
    owner: PhotoOwner,
) -> AppResult<Vec<photo::Model>> {
    Ok(photo::Entity::find()
        .filter(owner.condition())
        .order_by_asc(photo::Column::Position)
        .order_by_asc(photo::Column::CreatedAt)
        .all(db)
        .await?)
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<photo::Model>> {
    Ok(photo::Entity::find_by_id(id).one(db).await?)
}

/// How many photos the owner has.
pub async fn count(db: &impl ConnectionTrait, owner: PhotoOwner) -> AppResult<u64> {
    Ok(photo::Entity::find()
        .filter(owner.condition())
        .count(db)
        .await?)
}

/// Whether another photo may be added: a product has room for [`MAX_PRODUCT_PHOTOS`]; a seller
/// or outlet has one photo, which a new one replaces. `field` names the owner in the input.
pub async fn check_room(
    db: &impl ConnectionTrait,
    owner: PhotoOwner,
    field: &str,
) -> AppResult<()> {
    if let PhotoOwner::Product(_) = owner
        && count(db, owner).await? >= MAX_PRODUCT_PHOTOS
    {
        return Err(AppError::Validation(vec![FieldError::new(
            field,
            FieldCode::LimitReached,
            format!("a product has at most {MAX_PRODUCT_PHOTOS} photos; delete one first"),
        )]));
    }
    Ok(())
}

/// The keys of the stored derivatives of one processed photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPhoto {
    pub large: MediaKey,
    pub medium: MediaKey,
    pub thumb: MediaKey,
    pub width: u32,
    pub height: u32,
    pub placeholder: String,
}

impl StoredPhoto {
    pub fn keys(&self) -> [&MediaKey; 3] {
        [&self.large, &self.medium, &self.thumb]
    }
}

/// Stores the three WebP derivatives under their content-addressed keys (writing one that
/// exists already is harmless: same key, same bytes). On failure, what was stored of this
/// photo is removed again unless another photo uses it.
pub async fn store_derivatives(
    db: &impl ConnectionTrait,
    media: &MediaStore,
    processed: &ProcessedPhoto,
) -> AppResult<StoredPhoto> {
    let mut keys = Vec::with_capacity(3);
    for size in [
        DerivativeSize::Large,
        DerivativeSize::Medium,
        DerivativeSize::Thumb,
    ] {
        let Some(d) = processed.derivative(size) else {
            remove_unreferenced(db, media, keys.iter().map(MediaKey::to_string).collect()).await;
            return Err(AppError::internal(anyhow::anyhow!(
                "the {} derivative is missing",
                size.as_str()
            )));
        };
        let key = MediaKey::content_addressed(&d.webp, ContentType::Webp);
        if let Err(e) = media
            .put(&key, d.webp.clone(), ContentType::Webp, IMMUTABLE)
            .await
        {
            remove_unreferenced(db, media, keys.iter().map(MediaKey::to_string).collect()).await;
            return Err(AppError::internal(e));
        }
        keys.push(key);
    }
    let large = processed
        .derivative(DerivativeSize::Large)
        .map(|d| (d.width, d.height))
        .unwrap_or_default();
    let mut keys = keys.into_iter();
    match (keys.next(), keys.next(), keys.next()) {
        (Some(large_key), Some(medium), Some(thumb)) => Ok(StoredPhoto {
            large: large_key,
            medium,
            thumb,
            width: large.0,
            height: large.1,
            placeholder: processed.placeholder.clone(),
        }),
        _ => Err(AppError::internal(anyhow::anyhow!("derivatives missing"))),
    }
}

/// Deletes the objects of `keys` that no photo row refers to any more (content-addressed
/// objects may be shared). Failures are logged: an orphaned object costs storage, not
/// correctness, and the keys are logged for a sweep.
pub async fn remove_unreferenced(db: &impl ConnectionTrait, media: &MediaStore, keys: Vec<String>) {
    for key in keys {
        let Some(parsed) = MediaKey::parse(&key) else {
            continue;
        };
        let referenced = photo::Entity::find()
            .filter(
                Condition::any()
                    .add(photo::Column::StorageKey.eq(key.as_str()))
                    .add(photo::Column::MediumKey.eq(key.as_str()))
                    .add(photo::Column::ThumbKey.eq(key.as_str())),
            )
            .count(db)
            .await;
        match referenced {
            Ok(0) => {
                if let Err(e) = media.delete(&parsed).await {
                    tracing::warn!(key = %key, error = %format!("{e:#}"), "photo object not deleted");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(key = %key, error = %e, "photo object kept: lookup failed"),
        }
    }
}

/// All object keys of these rows.
pub fn object_keys(rows: &[photo::Model]) -> Vec<String> {
    rows.iter()
        .flat_map(|p| {
            std::iter::once(p.storage_key.clone())
                .chain(p.medium_key.clone())
                .chain(p.thumb_key.clone())
        })
        .collect()
}

/// Adds a processed, stored photo to its owner inside `tx`. A product's photo goes last; a
/// seller's logo or an outlet's photo replaces the one before, whose rows are returned so the
/// caller removes their objects after commit. `field` names the owner in the input.
pub async fn attach(
    tx: &mut Tx,
    owner: PhotoOwner,
    stored: &StoredPhoto,
    alt_text: Option<String>,
    field: &str,
) -> AppResult<(photo::Model, Vec<photo::Model>)> {
    let alt_text = parse_alt_text(alt_text.as_deref().unwrap_or(""), "altText")?;
    check_room(tx.db(), owner, field).await?;
    let replaced = match owner {
        PhotoOwner::Product(_) => Vec::new(),
        PhotoOwner::Seller(_) | PhotoOwner::Outlet(_) => {
            let old = of_owner(tx.db(), owner).await?;
            photo::Entity::delete_many()
                .filter(owner.condition())
                .exec(tx.db())
                .await?;
            old
        }
    };
    let position = match owner {
        PhotoOwner::Product(_) => of_owner(tx.db(), owner)
            .await?
            .iter()
            .map(|p| p.position + 1)
            .max()
            .unwrap_or(0),
        PhotoOwner::Seller(_) | PhotoOwner::Outlet(_) => 0,
    };
    let (product_id, seller_id, outlet_id) = match owner {
        PhotoOwner::Product(id) => (Some(id), None, None),
        PhotoOwner::Seller(id) => (None, Some(id), None),
        PhotoOwner::Outlet(id) => (None, None, Some(id)),
    };
    let width = i32::try_from(stored.width).map_err(AppError::internal)?;
    let height = i32::try_from(stored.height).map_err(AppError::internal)?;
    let row = photo::ActiveModel {
        id: Set(Uuid::now_v7()),
        product_id: Set(product_id),
        seller_id: Set(seller_id),
        outlet_id: Set(outlet_id),
        storage_key: Set(stored.large.to_string()),
        medium_key: Set(Some(stored.medium.to_string())),
        thumb_key: Set(Some(stored.thumb.to_string())),
        placeholder: Set(Some(stored.placeholder.clone())),
        content_type: Set(ContentType::Webp.as_str().to_string()),
        width: Set(width),
        height: Set(height),
        position: Set(position),
        alt_text: Set(alt_text),
        created_at: Set(tx.now()),
    }
    .insert(tx.db())
    .await?;
    tx.emit(DomainEvent::PhotoChanged {
        photo_id: row.id,
        owner_id: owner.id(),
    });
    Ok((row, replaced))
}

/// Alt text: trimmed, at most [`MAX_ALT_TEXT`] characters; empty is allowed (decorative).
pub fn parse_alt_text(raw: &str, field: &str) -> AppResult<String> {
    let text = raw.trim();
    if text.chars().count() > MAX_ALT_TEXT || text.len() > 255 {
        return Err(AppError::Validation(vec![FieldError::new(
            field,
            FieldCode::Invalid,
            format!("alt text is at most {MAX_ALT_TEXT} characters"),
        )]));
    }
    Ok(text.to_string())
}

/// Changes a photo's alt text.
pub async fn set_alt_text(
    tx: &mut Tx,
    current: photo::Model,
    alt_text: &str,
) -> AppResult<photo::Model> {
    let alt_text = parse_alt_text(alt_text, "altText")?;
    let owner = PhotoOwner::of(&current)
        .map(PhotoOwner::id)
        .unwrap_or_default();
    let mut row: photo::ActiveModel = current.into();
    row.alt_text = Set(alt_text);
    let row = row.update(tx.db()).await?;
    tx.emit(DomainEvent::PhotoChanged {
        photo_id: row.id,
        owner_id: owner,
    });
    Ok(row)
}

/// Puts an owner's photos in the given order: `ordered` must name each of its photos exactly
/// once (`field` is where the list sits in the input).
pub async fn reorder(
    tx: &mut Tx,
    owner: PhotoOwner,
    ordered: &[Uuid],
    field: &str,
) -> AppResult<Vec<photo::Model>> {
    let current = of_owner(tx.db(), owner).await?;
    let mut expected: Vec<Uuid> = current.iter().map(|p| p.id).collect();
    let mut given = ordered.to_vec();
    expected.sort();
    given.sort();
    if expected != given {
        return Err(AppError::Validation(vec![FieldError::new(
            field,
            FieldCode::Invalid,
            "list every photo of the product exactly once",
        )]));
    }
    for (position, id) in ordered.iter().enumerate() {
        let Some(row) = current.iter().find(|p| p.id == *id) else {
            continue;
        };
        let position = i32::try_from(position).map_err(AppError::internal)?;
        if row.position != position {
            let mut active: photo::ActiveModel = row.clone().into();
            active.position = Set(position);
            active.update(tx.db()).await?;
            tx.emit(DomainEvent::PhotoChanged {
                photo_id: *id,
                owner_id: owner.id(),
            });
        }
    }
    of_owner(tx.db(), owner).await
}

/// Removes a photo's row (positions after it close up); the caller removes its objects after
/// commit with [`remove_unreferenced`].
pub async fn delete(tx: &mut Tx, current: &photo::Model) -> AppResult<()> {
    photo::Entity::delete_by_id(current.id)
        .exec(tx.db())
        .await?;
    if let Some(owner) = PhotoOwner::of(current) {
        for (position, row) in of_owner(tx.db(), owner).await?.into_iter().enumerate() {
            let position = i32::try_from(position).map_err(AppError::internal)?;
            if row.position != position {
                let mut active: photo::ActiveModel = row.into();
                active.position = Set(position);
                active.update(tx.db()).await?;
            }
        }
        tx.emit(DomainEvent::PhotoChanged {
            photo_id: current.id,
            owner_id: owner.id(),
        });
    }
    Ok(())
}

/// Removes every photo row of `owner` (an archived product); returns them so the caller removes
/// their objects after commit.
pub async fn detach_all(tx: &mut Tx, owner: PhotoOwner) -> AppResult<Vec<photo::Model>> {
    let rows = of_owner(tx.db(), owner).await?;
    if rows.is_empty() {
        return Ok(rows);
    }
    photo::Entity::delete_many()
        .filter(owner.condition())
        .exec(tx.db())
        .await?;
    for row in &rows {
        tx.emit(DomainEvent::PhotoChanged {
            photo_id: row.id,
            owner_id: owner.id(),
        });
    }
    Ok(rows)
}
