use sea_orm::entity::prelude::*;

use crate::enums::{PhotoOwnerKind, PhotoUploadStatus};

/// A grant to upload one photo: the staged object's key, what was declared, until when, and
/// what became of it. The bytes live in the media store under `staging_key` until processed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "photo_uploads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_kind: PhotoOwnerKind,
    /// The product, seller or outlet the photo is for.
    pub owner_id: Uuid,
    #[sea_orm(unique)]
    pub staging_key: String,
    /// The declared content type (signed into the upload URL; the bytes decide the format).
    pub content_type: String,
    /// The declared length in bytes (signed into the upload URL).
    pub byte_size: i64,
    /// The declared SHA-256 of the bytes, lower-case hex, checked on completion when given.
    pub sha256: Option<String>,
    pub status: PhotoUploadStatus,
    /// The user who asked for the upload; only they complete it.
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// The photo it became.
    pub photo_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
