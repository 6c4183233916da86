//! Public view of sellers (UMKM businesses).

pub mod mutation;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::seller;

use crate::{
    domain::global_id::{GlobalId, NodeKind},
    error::AppResult,
    graphql::{
        catalog::{Product, products_connection},
        connection::Conn,
        context::ContextExt,
        enums::{BusinessCategory, ProductSort, VerificationStatus},
        outlets::Outlet,
        regions::{District, Village},
    },
    services::catalog::ProductFilter,
};

/// An UMKM business. The public sees its name, kecamatan, category, verification badge and
/// halal status; contact and legal data are not public.
pub struct Seller(pub seller::Model);

#[Object]
impl Seller {
    /// Opaque global ID (usable with `node`).
    pub async fn id(&self) -> ID {
        ID(GlobalId::new(NodeKind::Seller, self.0.id).encode())
    }

    /// URL-safe unique name, e.g. "keripik-mangga-bu-sri".
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Business name (nama usaha).
    async fn business_name(&self) -> &str {
        &self.0.business_name
    }

    /// About the business, in Indonesian.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Business category.
    async fn category(&self) -> BusinessCategory {
        self.0.category.into()
    }

    /// Verification by the regency office; public queries show only VERIFIED sellers.
    async fn verification_status(&self) -> VerificationStatus {
        self.0.status.into()
    }

    /// Whether the seller carries the verified badge.
    async fn verified(&self) -> bool {
        self.0.status == entity::enums::SellerStatus::Verified
    }

    /// Halal certificate status (without its number); null when none is on record.
    async fn halal_certificate(&self, ctx: &Context<'_>) -> AppResult<Option<HalalCertificate>> {
        Ok(HalalCertificate::of(&self.0, ctx.request()?.today))
    }

    /// The kecamatan (district) the business is in.
    async fn kecamatan(&self, ctx: &Context<'_>) -> AppResult<Option<District>> {
        District::load(ctx, &self.0.district_code).await
    }

    /// The kelurahan or desa (village) the business is in, when recorded.
    async fn village(&self, ctx: &Context<'_>) -> AppResult<Option<Village>> {
        Village::load(ctx, self.0.village_code.as_deref()).await
    }

    /// When the seller joined (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The seller's public products.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
        sort: Option<ProductSort>,
    ) -> AppResult<Conn<Product>> {
        let filter = ProductFilter {
            seller_id: Some(self.0.id),
            ..Default::default()
        };
        products_connection(ctx, first, after, filter, sort).await
    }

    /// Outlets (stalls) where the seller has a place, by code.
    async fn outlets(&self, ctx: &Context<'_>) -> AppResult<Vec<Outlet>> {
        let loaders = ctx.loaders()?;
        let ids = loaders
            .seller_places
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let mut outlets: Vec<_> = loaders
            .outlets
            .load_many(ids)
            .await?
            .into_values()
            .collect();
        outlets.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(outlets.into_iter().map(Outlet).collect())
    }
}

/// A halal certificate as the public sees it: valid or not, and until when.
#[derive(SimpleObject)]
pub struct HalalCertificate {
    /// Last day the certificate is valid.
    pub expires_on: Option<NaiveDate>,
    /// True when the expiry date has passed (dates judged in WIB).
    pub expired: bool,
}

impl HalalCertificate {
    pub fn of(seller: &seller::Model, today: NaiveDate) -> Option<Self> {
        seller.halal_certificate_number.as_ref()?;
        Some(HalalCertificate {
            expires_on: seller.halal_expires_on,
            expired: seller.halal_expires_on.is_none_or(|d| d < today),
        })
    }
}
