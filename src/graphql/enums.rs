//! GraphQL enumerations, mirrored from the database and service enums with
//! `#[graphql(remote = …)]`: the conversions both ways are generated, so a variant added on one
//! side and not the other stops compiling instead of silently changing the public API.

use async_graphql::Enum;

/// Business category of a seller.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::BusinessCategory")]
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

/// Verification state of a seller. Public queries only ever show VERIFIED sellers.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::SellerStatus")]
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

/// Whether an outlet is trading: an administrative state set by the office, not the time of day.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::OutletStatus")]
pub enum OutletStatus {
    /// Trading, within its opening hours (see `Outlet.openNow`).
    Open,
    /// Not trading for now, whatever its opening hours say.
    Closed,
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
#[graphql(remote = "crate::services::catalog::ProductSort")]
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

/// Order of a seller list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::services::sellers::SellerSort")]
pub enum SellerSort {
    /// Alphabetical by business name.
    Name,
    /// Most recently joined first.
    Newest,
}

/// Lifecycle of a product.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::ProductStatus")]
pub enum ProductStatus {
    /// Being prepared; not public.
    Draft,
    /// Public (when the seller is VERIFIED).
    Active,
    /// Retired; not public.
    Archived,
}
