//! Enumerations stored as upper-case strings (identical on SQLite and PostgreSQL).

use sea_orm::entity::prelude::*;

/// Verification state of a seller, decided by the regency office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SellerStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "VERIFIED")]
    Verified,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    #[sea_orm(string_value = "SUSPENDED")]
    Suspended,
}

/// Business category of a seller (the office's own classification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum BusinessCategory {
    #[sea_orm(string_value = "KULINER")]
    Kuliner,
    #[sea_orm(string_value = "BATIK_BORDIR")]
    BatikBordir,
    #[sea_orm(string_value = "FASHION")]
    Fashion,
    #[sea_orm(string_value = "KERAJINAN")]
    Kerajinan,
    #[sea_orm(string_value = "AKSESORIS")]
    Aksesoris,
    #[sea_orm(string_value = "LAINNYA")]
    Lainnya,
}

/// Size class of an UMKM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum BusinessScale {
    #[sea_orm(string_value = "MIKRO")]
    Mikro,
    #[sea_orm(string_value = "KECIL")]
    Kecil,
    #[sea_orm(string_value = "MENENGAH")]
    Menengah,
}

/// Lifecycle of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ProductStatus {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "ARCHIVED")]
    Archived,
}

/// Whether an outlet is trading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OutletStatus {
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// Lifecycle of a background job (see docs/jobs.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum JobStatus {
    /// Waiting for `run_at`; also a failed job waiting for its retry.
    #[sea_orm(string_value = "QUEUED")]
    Queued,
    /// Claimed by a runner until `locked_until`; claimable again once that lease expires.
    #[sea_orm(string_value = "RUNNING")]
    Running,
    #[sea_orm(string_value = "SUCCEEDED")]
    Succeeded,
    /// Failed `max_attempts` times; kept with its last error for an operator to look at.
    #[sea_orm(string_value = "DEAD")]
    Dead,
}

/// What a photo belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PhotoOwnerKind {
    /// One of a product's photos (up to 10, ordered).
    #[sea_orm(string_value = "PRODUCT")]
    Product,
    /// A seller's logo (one).
    #[sea_orm(string_value = "SELLER")]
    Seller,
    /// An outlet's photo (one).
    #[sea_orm(string_value = "OUTLET")]
    Outlet,
}

/// Where a photo upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PhotoUploadStatus {
    /// Granted; the bytes may be PUT and the upload completed until it expires.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Processed into a photo.
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    /// The bytes were refused (format, size, dimensions); the staged object is gone.
    #[sea_orm(string_value = "REFUSED")]
    Refused,
    /// Never completed in time; the staged object is gone.
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
}
