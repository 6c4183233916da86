//! The catalogue: sellers (UMKM), categories, products, outlets (stalls), stock and photos.
//! Enumerations are stored as upper-case strings so that both backends read them alike.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_regions::{Districts, Villages};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Sellers {
    Table,
    Id,
    Slug,
    BusinessName,
    OwnerName,
    Description,
    Phone,
    Email,
    Address,
    VillageCode,
    DistrictCode,
    Category,
    Scale,
    Nib,
    HalalCertificateNumber,
    HalalExpiresOn,
    PirtNumber,
    TrademarkNumber,
    Status,
    StatusReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Categories {
    Table,
    Id,
    ParentId,
    Slug,
    Name,
    Description,
    IsFood,
    Position,
}

#[derive(DeriveIden)]
pub enum Products {
    Table,
    Id,
    SellerId,
    CategoryId,
    Name,
    Slug,
    Description,
    Price,
    UnitLabel,
    NetWeightGrams,
    ShelfLifeDays,
    Halal,
    Featured,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Outlets {
    Table,
    Id,
    Code,
    Name,
    RestArea,
    VillageCode,
    DistrictCode,
    Latitude,
    Longitude,
    Phone,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum OutletHours {
    Table,
    OutletId,
    Weekday,
    Opens,
    Closes,
}

#[derive(DeriveIden)]
pub enum OutletSellers {
    Table,
    OutletId,
    SellerId,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Stock {
    Table,
    OutletId,
    ProductId,
    Quantity,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Photos {
    Table,
    Id,
    ProductId,
    SellerId,
    StorageKey,
    ContentType,
    Width,
    Height,
    Position,
    AltText,
    CreatedAt,
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for col in cols {
        idx.col(Alias::new(*col));
    }
    idx.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sellers::Table)
                    .col(pk_uuid(Sellers::Id))
                    .col(string_len_uniq(Sellers::Slug, 120))
                    .col(string_len(Sellers::BusinessName, 160))
                    .col(string_len(Sellers::OwnerName, 160))
                    .col(text(Sellers::Description))
                    .col(string_len(Sellers::Phone, 20))
                    .col(string_len_null(Sellers::Email, 254))
                    .col(text(Sellers::Address))
                    .col(string_len_null(Sellers::VillageCode, 13))
                    .col(string_len(Sellers::DistrictCode, 13))
                    .col(string_len(Sellers::Category, 24))
                    .col(string_len(Sellers::Scale, 16))
                    .col(string_len_null(Sellers::Nib, 13))
                    .col(string_len_null(Sellers::HalalCertificateNumber, 64))
                    .col(date_null(Sellers::HalalExpiresOn))
                    .col(string_len_null(Sellers::PirtNumber, 64))
                    .col(string_len_null(Sellers::TrademarkNumber, 64))
                    .col(string_len(Sellers::Status, 16))
                    .col(text_null(Sellers::StatusReason))
                    .col(timestamp_with_time_zone(Sellers::CreatedAt))
                    .col(timestamp_with_time_zone(Sellers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sellers::Table, Sellers::VillageCode)
                            .to(Villages::Table, Villages::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sellers::Table, Sellers::DistrictCode)
                            .to(Districts::Table, Districts::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_sellers_status", Sellers::Table, &["status"]))
            .await?;
        manager
            .create_index(index(
                "idx_sellers_district",
                Sellers::Table,
                &["district_code"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Categories::Table)
                    .col(pk_uuid(Categories::Id))
                    .col(uuid_null(Categories::ParentId))
                    .col(string_len_uniq(Categories::Slug, 80))
                    .col(string_len(Categories::Name, 120))
                    .col(text(Categories::Description))
                    .col(boolean(Categories::IsFood))
                    .col(integer(Categories::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Categories::Table, Categories::ParentId)
                            .to(Categories::Table, Categories::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Products::Table)
                    .col(pk_uuid(Products::Id))
                    .col(uuid(Products::SellerId))
                    .col(uuid(Products::CategoryId))
                    .col(string_len(Products::Name, 160))
                    .col(string_len_uniq(Products::Slug, 160))
                    .col(text(Products::Description))
                    .col(big_integer(Products::Price).check(Expr::col(Products::Price).gte(0)))
                    .col(string_len(Products::UnitLabel, 60))
                    .col(integer_null(Products::NetWeightGrams))
                    .col(integer_null(Products::ShelfLifeDays))
                    .col(boolean(Products::Halal))
                    .col(boolean(Products::Featured))
                    .col(string_len(Products::Status, 16))
                    .col(timestamp_with_time_zone(Products::CreatedAt))
                    .col(timestamp_with_time_zone(Products::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Products::Table, Products::SellerId)
                            .to(Sellers::Table, Sellers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Products::Table, Products::CategoryId)
                            .to(Categories::Table, Categories::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_products_seller",
                Products::Table,
                &["seller_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_products_category",
                Products::Table,
                &["category_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_products_status_created",
                Products::Table,
                &["status", "created_at"],
            ))
            .await?;
        manager
            .create_index(index("idx_products_price", Products::Table, &["price"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Outlets::Table)
                    .col(pk_uuid(Outlets::Id))
                    .col(string_len_uniq(Outlets::Code, 32))
                    .col(string_len(Outlets::Name, 160))
                    .col(string_len(Outlets::RestArea, 160))
                    .col(string_len_null(Outlets::VillageCode, 13))
                    .col(string_len(Outlets::DistrictCode, 13))
                    .col(double(Outlets::Latitude))
                    .col(double(Outlets::Longitude))
                    .col(string_len_null(Outlets::Phone, 20))
                    .col(string_len(Outlets::Status, 16))
                    .col(timestamp_with_time_zone(Outlets::CreatedAt))
                    .col(timestamp_with_time_zone(Outlets::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Outlets::Table, Outlets::VillageCode)
                            .to(Villages::Table, Villages::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Outlets::Table, Outlets::DistrictCode)
                            .to(Districts::Table, Districts::Code),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OutletHours::Table)
                    .col(uuid(OutletHours::OutletId))
                    .col(
                        small_integer(OutletHours::Weekday).check(
                            Expr::col(OutletHours::Weekday)
                                .gte(1)
                                .and(Expr::col(OutletHours::Weekday).lte(7)),
                        ),
                    )
                    .col(string_len(OutletHours::Opens, 5))
                    .col(string_len(OutletHours::Closes, 5))
                    .primary_key(
                        Index::create()
                            .col(OutletHours::OutletId)
                            .col(OutletHours::Weekday),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutletHours::Table, OutletHours::OutletId)
                            .to(Outlets::Table, Outlets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OutletSellers::Table)
                    .col(uuid(OutletSellers::OutletId))
                    .col(uuid(OutletSellers::SellerId))
                    .col(timestamp_with_time_zone(OutletSellers::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(OutletSellers::OutletId)
                            .col(OutletSellers::SellerId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutletSellers::Table, OutletSellers::OutletId)
                            .to(Outlets::Table, Outlets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutletSellers::Table, OutletSellers::SellerId)
                            .to(Sellers::Table, Sellers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_outlet_sellers_seller",
                OutletSellers::Table,
                &["seller_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Stock::Table)
                    .col(uuid(Stock::OutletId))
                    .col(uuid(Stock::ProductId))
                    // Stock is never negative: the database refuses it even if a bug upstream tries.
                    .col(integer(Stock::Quantity).check(Expr::col(Stock::Quantity).gte(0)))
                    .col(timestamp_with_time_zone(Stock::UpdatedAt))
                    .primary_key(Index::create().col(Stock::OutletId).col(Stock::ProductId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Stock::Table, Stock::OutletId)
                            .to(Outlets::Table, Outlets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Stock::Table, Stock::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_stock_product", Stock::Table, &["product_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Photos::Table)
                    .col(pk_uuid(Photos::Id))
                    .col(uuid_null(Photos::ProductId))
                    .col(uuid_null(Photos::SellerId))
                    .col(string_len_uniq(Photos::StorageKey, 255))
                    .col(string_len(Photos::ContentType, 64))
                    .col(integer(Photos::Width))
                    .col(integer(Photos::Height))
                    .col(integer(Photos::Position))
                    .col(string_len(Photos::AltText, 255))
                    .col(timestamp_with_time_zone(Photos::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Photos::Table, Photos::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Photos::Table, Photos::SellerId)
                            .to(Sellers::Table, Sellers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_photos_product",
                Photos::Table,
                &["product_id", "position"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_photos_seller",
                Photos::Table,
                &["seller_id", "position"],
            ))
            .await?;

        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            // Typo-tolerant search (similarity ranking) on PostgreSQL; SQLite falls back to substring
            // matching and needs neither the extension nor the index.
            let conn = manager.get_connection();
            conn.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                .await?;
            conn.execute_unprepared(
                "CREATE INDEX idx_products_name_trgm ON products USING gin (lower(name) gin_trgm_ops)",
            )
            .await?;
            conn.execute_unprepared(
                "CREATE INDEX idx_sellers_name_trgm ON sellers USING gin (lower(business_name) gin_trgm_ops)",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Photos::Table.into_iden(),
            Stock::Table.into_iden(),
            OutletSellers::Table.into_iden(),
            OutletHours::Table.into_iden(),
            Outlets::Table.into_iden(),
            Products::Table.into_iden(),
            Categories::Table.into_iden(),
            Sellers::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
