use sea_orm::entity::prelude::*;

use crate::enums::{BusinessCategory, BusinessScale, SellerStatus};

/// An UMKM business selling on the marketplace.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sellers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub business_name: String,
    pub owner_name: String,
    pub description: String,
    pub phone: String,
    pub email: Option<String>,
    pub address: String,
    pub village_code: Option<String>,
    pub district_code: String,
    pub category: BusinessCategory,
    pub scale: BusinessScale,
    pub nib: Option<String>,
    pub halal_certificate_number: Option<String>,
    pub halal_expires_on: Option<Date>,
    pub pirt_number: Option<String>,
    pub trademark_number: Option<String>,
    pub status: SellerStatus,
    pub status_reason: Option<String>,
    /// Legal data awaiting review for a VERIFIED seller (JSON), see the onboarding rules.
    pub pending_legal_change: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
