//! Photo uploads straight to storage: a grant (`create`), the client's PUT of the bytes to the
//! presigned URL, then `complete`, which fetches, validates and processes them into a photo.
//! Grants never completed expire and their staged objects are removed (`expire`).
//!
//! Whatever happens, a refused or failed upload leaves nothing stored: the staged object is
//! deleted, no photo row is written, and derivatives already stored are removed again.

use std::time::{Duration, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use entity::{
    enums::{PhotoOwnerKind, PhotoUploadStatus},
    photo, photo_upload,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult, FieldCode, FieldError},
    infra::media::{ContentType, MediaKey, MediaStore, PresignedRequest},
    media_pipeline::{PhotoProcessor, ProcessError},
    services::{
        photos::{self, PhotoOwner},
        tx::Tx,
    },
};

/// How long after its URL expired an upload may still be completed (the PUT may have ended just
/// before the deadline on a slow network); after that the sweep removes it.
pub const COMPLETION_GRACE: chrono::Duration = chrono::Duration::minutes(15);

/// The job kind that expires one upload grant once its completion window has passed.
pub const EXPIRY_JOB: &str = "photo_upload_expiry";

/// The payload of an [`EXPIRY_JOB`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ExpiryJob {
    pub upload_id: Uuid,
}

/// What a client declares when it asks to upload.
#[derive(Debug, Clone)]
pub struct UploadRequest {
    pub owner: PhotoOwner,
    /// The field of the input naming the owner (`productId`, `sellerId`, `outletId`).
    pub owner_field: &'static str,
    pub content_type: String,
    pub byte_size: i64,
    pub sha256: Option<String>,
}

/// A grant and the request the client sends.
#[derive(Debug, Clone)]
pub struct UploadGrant {
    pub upload: photo_upload::Model,
    pub request: PresignedRequest,
}

fn invalid(field: &str, code: FieldCode, message: impl Into<String>) -> AppError {
    AppError::Validation(vec![FieldError::new(field, code, message)])
}

fn owner_kind(owner: PhotoOwner) -> PhotoOwnerKind {
    match owner {
        PhotoOwner::Product(_) => PhotoOwnerKind::Product,
        PhotoOwner::Seller(_) => PhotoOwnerKind::Seller,
        PhotoOwner::Outlet(_) => PhotoOwnerKind::Outlet,
    }
}

/// The owner an upload is for.
pub fn owner_of(upload: &photo_upload::Model) -> PhotoOwner {
    match upload.owner_kind {
        PhotoOwnerKind::Product => PhotoOwner::Product(upload.owner_id),
        PhotoOwnerKind::Seller => PhotoOwner::Seller(upload.owner_id),
        PhotoOwnerKind::Outlet => PhotoOwner::Outlet(upload.owner_id),
    }
}

/// The declared content type, one of the accepted raster types.
pub fn parse_content_type(raw: &str, field: &str) -> AppResult<ContentType> {
    ContentType::parse(raw).ok_or_else(|| {
        invalid(
            field,
            FieldCode::Invalid,
            "photos are JPEG, PNG or WebP (image/jpeg, image/png, image/webp)",
        )
    })
}

/// The declared size: 1 byte to the limit.
pub fn check_byte_size(byte_size: i64, max_bytes: u64, field: &str) -> AppResult<u64> {
    match u64::try_from(byte_size) {
        Ok(size) if size > 0 && size <= max_bytes => Ok(size),
        _ => Err(invalid(
            field,
            FieldCode::Invalid,
            format!("a photo is 1 to {max_bytes} bytes"),
        )),
    }
}

fn parse_sha256(raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(hex) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(hex.to_ascii_lowercase()))
        }
        Some(_) => Err(invalid(
            "sha256",
            FieldCode::Invalid,
            "the SHA-256 is 64 hexadecimal characters",
        )),
    }
}

/// Grants an upload: records it (owner, staged key, declared type and size, expiry) and presigns
/// a PUT that accepts exactly the declared type and length until it expires.
pub async fn create(
    tx: &mut Tx,
    media: &MediaStore,
    max_bytes: u64,
    ttl: Duration,
    user_id: Uuid,
    request: UploadRequest,
) -> AppResult<UploadGrant> {
    let mut errors = Vec::new();
    let content_type = parse_content_type(&request.content_type, "contentType")
        .map_err(|e| errors.extend(e.field_errors().unwrap_or_default()))
        .ok();
    let size = check_byte_size(request.byte_size, max_bytes, "byteSize")
        .map_err(|e| errors.extend(e.field_errors().unwrap_or_default()))
        .ok();
    let sha256 = parse_sha256(request.sha256.as_deref())
        .map_err(|e| errors.extend(e.field_errors().unwrap_or_default()))
        .ok()
        .flatten();
    let (Some(content_type), Some(size)) = (content_type, size) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    photos::check_room(tx.db(), request.owner, request.owner_field).await?;

    let key = MediaKey::for_upload(content_type);
    let request_signed = media
        .presign_put(&key, content_type, size, ttl)
        .await
        .map_err(AppError::internal)?;
    let expires_at: DateTime<Utc> = request_signed
        .expires_at
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| DateTime::from_timestamp(i64::try_from(d.as_secs()).ok()?, 0))
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("upload expiry out of range")))?;
    let upload = photo_upload::ActiveModel {
        id: Set(Uuid::now_v7()),
        owner_kind: Set(owner_kind(request.owner)),
        owner_id: Set(request.owner.id()),
        staging_key: Set(key.to_string()),
        content_type: Set(content_type.as_str().to_string()),
        byte_size: Set(request.byte_size),
        sha256: Set(sha256),
        status: Set(PhotoUploadStatus::Pending),
        created_by: Set(user_id),
        created_at: Set(tx.now()),
        expires_at: Set(expires_at),
        photo_id: Set(None),
    }
    .insert(tx.db())
    .await?;
    // In the same unit of work: a grant never exists without its sweep.
    crate::jobs::enqueue(
        tx.db(),
        EXPIRY_JOB,
        &ExpiryJob {
            upload_id: upload.id,
        },
        crate::jobs::EnqueueOptions::default().run_at(expires_at + COMPLETION_GRACE),
    )
    .await
    .map_err(AppError::internal)?;
    Ok(UploadGrant {
        upload,
        request: request_signed,
    })
}

/// An upload by id, for the user who asked for it; NOT_FOUND for anyone else.
pub async fn find_for(
    db: &impl ConnectionTrait,
    upload_id: Uuid,
    user_id: Uuid,
) -> AppResult<photo_upload::Model> {
    photo_upload::Entity::find_by_id(upload_id)
        .one(db)
        .await?
        .filter(|u| u.created_by == user_id)
        .ok_or_else(|| AppError::not_found("upload"))
}

async fn set_status(
    db: &impl ConnectionTrait,
    upload: &photo_upload::Model,
    status: PhotoUploadStatus,
    photo_id: Option<Uuid>,
) -> AppResult<()> {
    let mut row: photo_upload::ActiveModel = upload.clone().into();
    row.status = Set(status);
    row.photo_id = Set(photo_id);
    row.update(db).await?;
    Ok(())
}

/// Refuses an upload for good: the staged object is deleted and the grant marked REFUSED, so
/// nothing of it is left stored.
async fn refuse(
    db: &impl ConnectionTrait,
    media: &MediaStore,
    upload: &photo_upload::Model,
    field: &str,
    code: FieldCode,
    message: String,
) -> AppError {
    delete_staged(media, &upload.staging_key).await;
    if let Err(e) = set_status(db, upload, PhotoUploadStatus::Refused, None).await {
        tracing::warn!(upload = %upload.id, error = ?e, "refused upload not marked");
    }
    invalid(field, code, message)
}

async fn delete_staged(media: &MediaStore, key: &str) {
    if let Some(key) = MediaKey::parse(key)
        && let Err(e) = media.delete(&key).await
    {
        tracing::warn!(key = %key, error = %format!("{e:#}"), "staged upload not deleted");
    }
}

/// Completes an upload: fetches the staged bytes, checks them against the declaration, runs the
/// pipeline, stores the derivatives, adds the photo (in one unit of work) and deletes the staged
/// object. `field` names the upload id in the input. Refusals are user errors and leave nothing
/// stored; the grant is then REFUSED and cannot be retried (ask for a new one).
#[allow(clippy::too_many_arguments)]
pub async fn complete(
    db: &sea_orm::DatabaseConnection,
    bus: &crate::infra::events::EventBus,
    media: &MediaStore,
    processor: &PhotoProcessor,
    upload: photo_upload::Model,
    alt_text: Option<String>,
    now: DateTime<Utc>,
    field: &str,
) -> AppResult<photo::Model> {
    match upload.status {
        PhotoUploadStatus::Pending => {}
        PhotoUploadStatus::Completed => {
            return Err(invalid(
                field,
                FieldCode::InvalidTransition,
                "this upload is already completed",
            ));
        }
        PhotoUploadStatus::Refused | PhotoUploadStatus::Expired => {
            return Err(invalid(
                field,
                FieldCode::InvalidTransition,
                "this upload was refused or has expired; ask for a new one",
            ));
        }
    }
    if now > upload.expires_at + COMPLETION_GRACE {
        delete_staged(media, &upload.staging_key).await;
        set_status(db, &upload, PhotoUploadStatus::Expired, None).await?;
        return Err(invalid(
            field,
            FieldCode::Expired,
            "this upload has expired; ask for a new one",
        ));
    }
    let key = MediaKey::parse(&upload.staging_key)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("bad staging key")))?;
    let Some(object) = media.get(&key).await.map_err(AppError::internal)? else {
        return Err(invalid(
            field,
            FieldCode::Required,
            "nothing was uploaded yet: PUT the bytes to the upload URL first",
        ));
    };
    let declared = u64::try_from(upload.byte_size).unwrap_or(0);
    if object.bytes.len() as u64 != declared {
        return Err(refuse(
            db,
            media,
            &upload,
            field,
            FieldCode::Invalid,
            format!(
                "{} bytes arrived, {declared} were declared",
                object.bytes.len()
            ),
        )
        .await);
    }
    if let Some(expected) = &upload.sha256
        && hex::encode(Sha256::digest(&object.bytes)) != *expected
    {
        return Err(refuse(
            db,
            media,
            &upload,
            field,
            FieldCode::Invalid,
            "the bytes do not match the declared SHA-256".into(),
        )
        .await);
    }
    let owner = owner_of(&upload);
    let processed = match processor.process(object.bytes).await {
        Ok(p) => p,
        Err(ProcessError::Refused(refusal)) => {
            return Err(refuse(
                db,
                media,
                &upload,
                field,
                FieldCode::Invalid,
                refusal.to_string(),
            )
            .await);
        }
        Err(ProcessError::Failed(e)) => {
            return Err(AppError::internal(anyhow::anyhow!(e)));
        }
    };
    let photo = add_processed(
        db,
        bus,
        media,
        owner,
        &processed,
        alt_text,
        Some(&upload),
        field,
    )
    .await;
    match photo {
        Ok(photo) => {
            delete_staged(media, &upload.staging_key).await;
            Ok(photo)
        }
        Err(e) => {
            if e.field_errors().is_some() {
                // A rule failed at the last moment (the product filled up meanwhile).
                delete_staged(media, &upload.staging_key).await;
                set_status(db, &upload, PhotoUploadStatus::Refused, None).await?;
            }
            Err(e)
        }
    }
}

/// Stores a processed photo's derivatives and adds the photo to `owner` in one unit of work
/// (marking `upload` COMPLETED in the same one, when given). On any failure the derivatives
/// stored for it are removed again; replaced photos' objects are removed after commit.
#[allow(clippy::too_many_arguments)]
pub async fn add_processed(
    db: &sea_orm::DatabaseConnection,
    bus: &crate::infra::events::EventBus,
    media: &MediaStore,
    owner: PhotoOwner,
    processed: &crate::media_pipeline::ProcessedPhoto,
    alt_text: Option<String>,
    upload: Option<&photo_upload::Model>,
    owner_field: &str,
) -> AppResult<photo::Model> {
    let stored = photos::store_derivatives(db, media, processed).await?;
    let mut tx = Tx::begin(db, bus).await?;
    let result = async {
        let (row, replaced) =
            photos::attach(&mut tx, owner, &stored, alt_text, owner_field).await?;
        if let Some(upload) = upload {
            set_status(tx.db(), upload, PhotoUploadStatus::Completed, Some(row.id)).await?;
        }
        Ok((row, replaced))
    }
    .await;
    match tx.finish(result).await {
        Ok((row, replaced)) => {
            photos::remove_unreferenced(db, media, photos::object_keys(&replaced)).await;
            Ok(row)
        }
        Err(e) => {
            photos::remove_unreferenced(
                db,
                media,
                stored.keys().iter().map(|k| k.to_string()).collect(),
            )
            .await;
            Err(e)
        }
    }
}

/// The expiry job: a grant still PENDING when its completion window has passed becomes EXPIRED
/// and its staged object (if the client PUT one) is deleted. Completed and refused grants are
/// left alone. A failed delete fails the job, which the runner retries.
pub async fn expire(
    db: &impl ConnectionTrait,
    media: &MediaStore,
    upload_id: Uuid,
) -> anyhow::Result<bool> {
    let Some(upload) = photo_upload::Entity::find_by_id(upload_id).one(db).await? else {
        return Ok(false);
    };
    if upload.status != PhotoUploadStatus::Pending {
        return Ok(false);
    }
    if let Some(key) = MediaKey::parse(&upload.staging_key) {
        media.delete(&key).await?;
    }
    set_status(db, &upload, PhotoUploadStatus::Expired, None)
        .await
        .map_err(|e| anyhow::anyhow!("marking upload {upload_id} expired: {}", e.message()))?;
    Ok(true)
}
