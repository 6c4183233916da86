//! GraphQL enumerations, mirrored from the database enums so that a column change never
//! silently changes the public API.

use async_graphql::Enum;
use entity::enums as db;

/// Business category of a seller.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BusinessCategory {
    /// Food and drink (kuliner).
    Kuliner,
    /// Batik, embroidery (bordir).
    BatikBordir,
    /// Clothing.
    Fashion,
    /// Handicrafts (kerajinan).
    Kerajinan,
    /// Accessories.
    Aksesoris,
    /// Anything else.
    Lainnya,
}

impl From<db::BusinessCategory> for BusinessCategory {
    fn from(v: db::BusinessCategory) -> Self {
        match v {
            db::BusinessCategory::Kuliner => Self::Kuliner,
            db::BusinessCategory::BatikBordir => Self::BatikBordir,
            db::BusinessCategory::Fashion => Self::Fashion,
            db::BusinessCategory::Kerajinan => Self::Kerajinan,
            db::BusinessCategory::Aksesoris => Self::Aksesoris,
            db::BusinessCategory::Lainnya => Self::Lainnya,
        }
    }
}

impl From<BusinessCategory> for db::BusinessCategory {
    fn from(v: BusinessCategory) -> Self {
        match v {
            BusinessCategory::Kuliner => Self::Kuliner,
            BusinessCategory::BatikBordir => Self::BatikBordir,
            BusinessCategory::Fashion => Self::Fashion,
            BusinessCategory::Kerajinan => Self::Kerajinan,
            BusinessCategory::Aksesoris => Self::Aksesoris,
            BusinessCategory::Lainnya => Self::Lainnya,
        }
    }
}

/// Verification state of a seller. Public queries only ever show VERIFIED sellers.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum VerificationStatus {
    /// Waiting for the regency office to check the data.
    Pending,
    /// Checked and approved by the regency office.
    Verified,
    /// Refused, with a reason.
    Rejected,
    /// Taken off the marketplace for now.
    Suspended,
}

impl From<db::SellerStatus> for VerificationStatus {
    fn from(v: db::SellerStatus) -> Self {
        match v {
            db::SellerStatus::Pending => Self::Pending,
            db::SellerStatus::Verified => Self::Verified,
            db::SellerStatus::Rejected => Self::Rejected,
            db::SellerStatus::Suspended => Self::Suspended,
        }
    }
}

impl From<VerificationStatus> for db::SellerStatus {
    fn from(v: VerificationStatus) -> Self {
        match v {
            VerificationStatus::Pending => Self::Pending,
            VerificationStatus::Verified => Self::Verified,
            VerificationStatus::Rejected => Self::Rejected,
            VerificationStatus::Suspended => Self::Suspended,
        }
    }
}

/// Whether an outlet is trading.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OutletStatus {
    /// Trading.
    Open,
    /// Not trading for now.
    Closed,
}

impl From<db::OutletStatus> for OutletStatus {
    fn from(v: db::OutletStatus) -> Self {
        match v {
            db::OutletStatus::Open => Self::Open,
            db::OutletStatus::Closed => Self::Closed,
        }
    }
}

/// Day of the week (outlet opening hours are in WIB, UTC+7).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub fn from_iso(n: i16) -> Option<Self> {
        Some(match n {
            1 => Self::Monday,
            2 => Self::Tuesday,
            3 => Self::Wednesday,
            4 => Self::Thursday,
            5 => Self::Friday,
            6 => Self::Saturday,
            7 => Self::Sunday,
            _ => return None,
        })
    }
}

/// Order of a product list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ProductSort {
    /// Best match for `filter.search` first; newest first when there is no search text.
    Relevance,
    /// Most recently added first.
    Newest,
    /// Cheapest first.
    PriceAsc,
    /// Most expensive first.
    PriceDesc,
    /// Alphabetical by name.
    Name,
}

impl From<ProductSort> for crate::services::catalog::ProductSort {
    fn from(v: ProductSort) -> Self {
        match v {
            ProductSort::Relevance => Self::Relevance,
            ProductSort::Newest => Self::Newest,
            ProductSort::PriceAsc => Self::PriceAsc,
            ProductSort::PriceDesc => Self::PriceDesc,
            ProductSort::Name => Self::Name,
        }
    }
}

/// Order of a seller list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum SellerSort {
    /// Alphabetical by business name.
    Name,
    /// Most recently joined first.
    Newest,
}

impl From<SellerSort> for crate::services::sellers::SellerSort {
    fn from(v: SellerSort) -> Self {
        match v {
            SellerSort::Name => Self::Name,
            SellerSort::Newest => Self::Newest,
        }
    }
}

/// Lifecycle of a product.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ProductStatus {
    /// Being prepared; not public.
    Draft,
    /// Public (when the seller is VERIFIED).
    Active,
    /// Retired; not public.
    Archived,
}

impl From<db::ProductStatus> for ProductStatus {
    fn from(v: db::ProductStatus) -> Self {
        match v {
            db::ProductStatus::Draft => Self::Draft,
            db::ProductStatus::Active => Self::Active,
            db::ProductStatus::Archived => Self::Archived,
        }
    }
}

impl From<ProductStatus> for db::ProductStatus {
    fn from(v: ProductStatus) -> Self {
        match v {
            ProductStatus::Draft => Self::Draft,
            ProductStatus::Active => Self::Active,
            ProductStatus::Archived => Self::Archived,
        }
    }
}
