//! Refresh-token families get a row of their own (issue 7): the family's revocation and its
//! absolute lifetime live there, and a refresh locks that row, so claim, family check and the
//! new token's insert happen as one step against a concurrent logout or refresh.
//!
//! Existing families are backfilled from their first token (the one the login issued): its
//! creation, its expiry as the family's end, its revocation as the family's.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RefreshFamilies {
    Table,
    Id,
    UserId,
    CreatedAt,
    ExpiresAt,
    LastRefreshedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RefreshFamilies::Table)
                    .col(pk_uuid(RefreshFamilies::Id))
                    .col(uuid(RefreshFamilies::UserId))
                    .col(timestamp_with_time_zone(RefreshFamilies::CreatedAt))
                    .col(timestamp_with_time_zone(RefreshFamilies::ExpiresAt))
                    .col(timestamp_with_time_zone_null(
                        RefreshFamilies::LastRefreshedAt,
                    ))
                    .col(timestamp_with_time_zone_null(RefreshFamilies::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshFamilies::Table, RefreshFamilies::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO refresh_families (id, user_id, created_at, expires_at, revoked_at) \
                 SELECT t.family_id, t.user_id, t.created_at, t.expires_at, t.revoked_at \
                 FROM refresh_tokens t \
                 WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens o \
                   WHERE o.family_id = t.family_id \
                   AND (o.created_at < t.created_at OR (o.created_at = t.created_at AND o.id < t.id)))",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RefreshFamilies::Table).to_owned())
            .await
    }
}
