//! Accounts, tokens, roles, kiosks and the audit trail of seller verification.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000002_catalogue::{Outlets, Sellers};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    Email,
    Phone,
    DisplayName,
    PasswordHash,
    IsAdmin,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    UserId,
    FamilyId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SellerMembers {
    Table,
    SellerId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OutletStaff {
    Table,
    OutletId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Kiosks {
    Table,
    Id,
    OutletId,
    Name,
    CredentialHash,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum SellerStatusHistory {
    Table,
    Id,
    SellerId,
    FromStatus,
    ToStatus,
    Reason,
    ActorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SellersExtra {
    #[sea_orm(iden = "sellers")]
    Table,
    /// Legal data submitted by a VERIFIED seller, awaiting review (JSON); the verified data
    /// stays in force meanwhile.
    PendingLegalChange,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(string_len_null(Users::Email, 254).unique_key())
                    .col(string_len_null(Users::Phone, 20).unique_key())
                    .col(string_len(Users::DisplayName, 120))
                    .col(string_len(Users::PasswordHash, 255))
                    .col(boolean(Users::IsAdmin))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(pk_uuid(RefreshTokens::Id))
                    .col(uuid(RefreshTokens::UserId))
                    .col(uuid(RefreshTokens::FamilyId))
                    .col(string_len_uniq(RefreshTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                    .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshTokens::Table, RefreshTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refresh_tokens_family")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::FamilyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SellerMembers::Table)
                    .col(uuid(SellerMembers::SellerId))
                    .col(uuid(SellerMembers::UserId))
                    .col(timestamp_with_time_zone(SellerMembers::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(SellerMembers::SellerId)
                            .col(SellerMembers::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SellerMembers::Table, SellerMembers::SellerId)
                            .to(Sellers::Table, Sellers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SellerMembers::Table, SellerMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_seller_members_user")
                    .table(SellerMembers::Table)
                    .col(SellerMembers::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OutletStaff::Table)
                    .col(uuid(OutletStaff::OutletId))
                    .col(uuid(OutletStaff::UserId))
                    .col(timestamp_with_time_zone(OutletStaff::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(OutletStaff::OutletId)
                            .col(OutletStaff::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutletStaff::Table, OutletStaff::OutletId)
                            .to(Outlets::Table, Outlets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutletStaff::Table, OutletStaff::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outlet_staff_user")
                    .table(OutletStaff::Table)
                    .col(OutletStaff::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Kiosks::Table)
                    .col(pk_uuid(Kiosks::Id))
                    .col(uuid(Kiosks::OutletId))
                    .col(string_len(Kiosks::Name, 120))
                    .col(string_len_uniq(Kiosks::CredentialHash, 64))
                    .col(uuid(Kiosks::CreatedBy))
                    .col(timestamp_with_time_zone(Kiosks::CreatedAt))
                    .col(timestamp_with_time_zone_null(Kiosks::LastUsedAt))
                    .col(timestamp_with_time_zone_null(Kiosks::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Kiosks::Table, Kiosks::OutletId)
                            .to(Outlets::Table, Outlets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Kiosks::Table, Kiosks::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SellerStatusHistory::Table)
                    .col(pk_uuid(SellerStatusHistory::Id))
                    .col(uuid(SellerStatusHistory::SellerId))
                    .col(string_len_null(SellerStatusHistory::FromStatus, 16))
                    .col(string_len(SellerStatusHistory::ToStatus, 16))
                    .col(text_null(SellerStatusHistory::Reason))
                    .col(uuid_null(SellerStatusHistory::ActorId))
                    .col(timestamp_with_time_zone(SellerStatusHistory::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SellerStatusHistory::Table, SellerStatusHistory::SellerId)
                            .to(Sellers::Table, Sellers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SellerStatusHistory::Table, SellerStatusHistory::ActorId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_seller_status_history_seller")
                    .table(SellerStatusHistory::Table)
                    .col(SellerStatusHistory::SellerId)
                    .col(SellerStatusHistory::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SellersExtra::Table)
                    .add_column(text_null(SellersExtra::PendingLegalChange))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SellersExtra::Table)
                    .drop_column(SellersExtra::PendingLegalChange)
                    .to_owned(),
            )
            .await?;
        for table in [
            SellerStatusHistory::Table.into_iden(),
            Kiosks::Table.into_iden(),
            OutletStaff::Table.into_iden(),
            SellerMembers::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
