//! Photo uploads and processed photos.
//!
//! `photo_uploads` records every upload grant: who may complete it, for which owner (a product,
//! a seller's logo, an outlet), the staged key, the declared type and size, its expiry and
//! status. Expired grants are found by `(status, expires_at)` and their staged objects removed.
//!
//! `photos` gains the outlet owner and the processed derivatives: `storage_key` is the LARGE
//! WebP (unchanged column, so older rows keep working), `medium_key` and `thumb_key` the smaller
//! ones, `placeholder` the colour apps paint first. `storage_key` is no longer unique: the same
//! bytes on two products are one set of content-addressed objects.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PhotoUploads {
    Table,
    Id,
    OwnerKind,
    OwnerId,
    StagingKey,
    ContentType,
    ByteSize,
    Sha256,
    Status,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    PhotoId,
}

#[derive(DeriveIden, Clone, Copy)]
enum PhotosNext {
    Table,
    Id,
    ProductId,
    SellerId,
    OutletId,
    StorageKey,
    MediumKey,
    ThumbKey,
    Placeholder,
    ContentType,
    Width,
    Height,
    Position,
    AltText,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Photos {
    Table,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Sellers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Outlets {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on both backends: the table swap below must run on one connection. On a
    /// SQLite pool, another connection with a stale schema cache would refuse the rename
    /// ("already another table named photos") after the drop; and a half-done swap must not
    /// be left behind.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PhotoUploads::Table)
                    .col(pk_uuid(PhotoUploads::Id))
                    .col(string_len(PhotoUploads::OwnerKind, 16))
                    .col(uuid(PhotoUploads::OwnerId))
                    .col(string_len_uniq(PhotoUploads::StagingKey, 255))
                    .col(string_len(PhotoUploads::ContentType, 64))
                    .col(big_integer(PhotoUploads::ByteSize))
                    .col(string_len_null(PhotoUploads::Sha256, 64))
                    .col(string_len(PhotoUploads::Status, 16))
                    .col(uuid(PhotoUploads::CreatedBy))
                    .col(timestamp_with_time_zone(PhotoUploads::CreatedAt))
                    .col(timestamp_with_time_zone(PhotoUploads::ExpiresAt))
                    .col(uuid_null(PhotoUploads::PhotoId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("photo_uploads_status_expires")
                    .table(PhotoUploads::Table)
                    .col(PhotoUploads::Status)
                    .col(PhotoUploads::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        // `photos` is rebuilt rather than altered: its `storage_key` loses the unique constraint
        // (two photos of the same bytes share content-addressed objects), which SQLite cannot
        // drop in place. Nothing references `photos`, so the swap is safe on both backends.
        manager
            .create_table(
                Table::create()
                    .table(PhotosNext::Table)
                    .col(pk_uuid(PhotosNext::Id))
                    .col(uuid_null(PhotosNext::ProductId))
                    .col(uuid_null(PhotosNext::SellerId))
                    .col(uuid_null(PhotosNext::OutletId))
                    .col(string_len(PhotosNext::StorageKey, 255))
                    .col(string_len_null(PhotosNext::MediumKey, 255))
                    .col(string_len_null(PhotosNext::ThumbKey, 255))
                    .col(string_len_null(PhotosNext::Placeholder, 32))
                    .col(string_len(PhotosNext::ContentType, 64))
                    .col(integer(PhotosNext::Width))
                    .col(integer(PhotosNext::Height))
                    .col(integer(PhotosNext::Position))
                    .col(string_len(PhotosNext::AltText, 255))
                    .col(timestamp_with_time_zone(PhotosNext::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PhotosNext::Table, PhotosNext::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PhotosNext::Table, PhotosNext::SellerId)
                            .to(Sellers::Table, Sellers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PhotosNext::Table, PhotosNext::OutletId)
                            .to(Outlets::Table, Outlets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO photos_next (id, product_id, seller_id, storage_key, content_type, \
             width, height, position, alt_text, created_at) \
             SELECT id, product_id, seller_id, storage_key, content_type, width, height, \
             position, alt_text, created_at FROM photos",
        )
        .await?;
        manager
            .drop_table(Table::drop().table(Photos::Table).to_owned())
            .await?;
        manager
            .rename_table(
                Table::rename()
                    .table(PhotosNext::Table, Photos::Table)
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_photos_product",
                &[PhotosNext::ProductId, PhotosNext::Position][..],
            ),
            (
                "idx_photos_seller",
                &[PhotosNext::SellerId, PhotosNext::Position][..],
            ),
            ("idx_photos_outlet", &[PhotosNext::OutletId][..]),
            ("idx_photos_storage_key", &[PhotosNext::StorageKey][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Photos::Table);
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Derivative keys and outlet photos have no place in the older schema.
        Err(DbErr::Migration(
            "photo uploads cannot be rolled back; restore a backup instead".into(),
        ))
    }
}
