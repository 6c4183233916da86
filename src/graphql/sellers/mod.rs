//! Public view of sellers (UMKM businesses).

pub mod history;
pub mod mutation;
pub mod query;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::NaiveDate;
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
        scalars::DateTime,
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

    /// The kind of business (KULINER, BATIK_BORDIR, …), from a fixed list: not a product
    /// `Category`. What a seller sells is in the `category` of each of its products.
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
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// Owner's name. Members and administrators only (null otherwise).
    async fn owner_name(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.private(ctx)?.then_some(self.0.owner_name.as_str()))
    }

    /// Business phone (E.164). Members and administrators only.
    async fn phone(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.private(ctx)?.then_some(self.0.phone.as_str()))
    }

    /// Business e-mail. Members and administrators only.
    async fn email(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self
            .private(ctx)?
            .then_some(self.0.email.as_deref())
            .flatten())
    }

    /// Street address. Members and administrators only.
    async fn address(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self.private(ctx)?.then_some(self.0.address.as_str()))
    }

    /// Business scale. Members and administrators only.
    async fn scale(&self, ctx: &Context<'_>) -> AppResult<Option<mutation::BusinessScale>> {
        Ok(self.private(ctx)?.then_some(self.0.scale.into()))
    }

    /// Legal data in force (NIB, halal, P-IRT, trademark numbers). Members and administrators only.
    async fn legal(&self, ctx: &Context<'_>) -> AppResult<Option<LegalData>> {
        Ok(self
            .private(ctx)?
            .then(|| LegalData::from(crate::services::onboarding::LegalData::of(&self.0))))
    }

    /// Legal data submitted by a verified seller and awaiting review. Members and administrators only.
    async fn pending_legal_change(&self, ctx: &Context<'_>) -> AppResult<Option<LegalData>> {
        if !self.private(ctx)? {
            return Ok(None);
        }
        Ok(self
            .0
            .pending_legal_change
            .as_deref()
            .and_then(|j| serde_json::from_str::<crate::services::onboarding::LegalData>(j).ok())
            .map(LegalData::from))
    }

    /// Stamp of the seller's data as last changed. Administrators pass the one they reviewed as
    /// `reviewedVersion` to `verifySeller`/`rejectSeller`. Members and administrators only.
    async fn version(&self, ctx: &Context<'_>) -> AppResult<Option<String>> {
        Ok(self
            .private(ctx)?
            .then(|| crate::services::onboarding::version_of(&self.0)))
    }

    /// Why the seller was rejected or suspended. Members and administrators only.
    async fn status_reason(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        Ok(self
            .private(ctx)?
            .then_some(self.0.status_reason.as_deref())
            .flatten())
    }

    /// Every change of verification status, oldest first: who (by role; administrators also
    /// see the user), when, from, to, why. Members and administrators only (empty otherwise).
    #[graphql(complexity = "crate::graphql::cost::batched_page(first, child_complexity)")]
    async fn status_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last change of the previous page.")] after: Option<String>,
    ) -> AppResult<history::HistoryConnection> {
        if !self.private(ctx)? {
            return Ok(history::HistoryConnection::with_additional_fields(
                false,
                false,
                history::HistoryTotal { total_count: 0 },
            ));
        }
        history::page(ctx, self.0.id, first, after).await
    }

    /// The seller's public products.
    #[graphql(complexity = "crate::graphql::cost::connection(first, child_complexity)")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
        sort: Option<ProductSort>,
        #[graphql(desc = "Narrows the list further, as on the root `products`.")] filter: Option<
            crate::graphql::catalog::ProductFilterInput,
        >,
    ) -> AppResult<Conn<Product>> {
        let own = ProductFilter {
            seller_id: Some(self.0.id),
            ..Default::default()
        };
        let filter = crate::graphql::catalog::nested_filter(ctx, filter, own).await?;
        products_connection(ctx, first, after, filter, sort).await
    }

    /// Every product of the seller in any status, newest first. Members and administrators only
    /// (FORBIDDEN otherwise).
    #[graphql(complexity = "crate::graphql::cost::connection(first, child_complexity)")]
    async fn managed_products(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
        #[graphql(desc = "Only products in this status (the same as `filter.status`).")]
        status: Option<crate::graphql::enums::ProductStatus>,
        #[graphql(desc = "Status, search text and category to narrow the list to.")] filter: Option<
            crate::graphql::catalog::filter::ManagedProductFilterInput,
        >,
    ) -> AppResult<Conn<Product>> {
        if !self.private(ctx)? {
            return Err(crate::error::AppError::Forbidden);
        }
        let page = crate::domain::cursor::Page::parse(first, after.as_deref())?;
        let mut filter = filter.unwrap_or_default().parse(ctx).await?;
        if let Some(status) = status {
            if filter.status.is_some_and(|s| s != status.into()) {
                return Err(crate::error::AppError::invalid(
                    "status",
                    "contradicts filter.status",
                ));
            }
            filter.status = Some(status.into());
        }
        let paged =
            crate::services::products::list_for_seller(&ctx.state()?.db, self.0.id, &filter, &page)
                .await?;
        crate::graphql::prefetch::products(ctx, &paged.rows).await?;
        let count = crate::graphql::connection::CountQuery::SellerProducts(self.0.id, filter);
        Ok(crate::graphql::connection::page_of(
            paged, &page, count, Product,
        ))
    }

    /// Outlets (stalls) where the seller has a place, by code (then id).
    #[graphql(complexity = "crate::graphql::cost::loaded_page(first, child_complexity)")]
    async fn outlets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> AppResult<crate::graphql::connection::Conn<Outlet>> {
        let page = crate::domain::cursor::Page::parse(first, after.as_deref())?;
        let loaders = ctx.loaders()?;
        let ids = loaders
            .seller_places
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let outlets: Vec<_> = loaders
            .outlets
            .load_many(ids)
            .await?
            .into_values()
            .collect();
        let total = outlets.len() as u64;
        let order = crate::services::outlets::by_code("seller-outlets:code");
        let paged = crate::services::keyset::slice(outlets, &order, &page)?;
        Ok(crate::graphql::connection::page_of(
            paged,
            &page,
            crate::graphql::connection::CountQuery::Known(total),
            Outlet,
        ))
    }
}

impl Seller {
    /// Whether the caller may see private data: the seller's members and administrators.
    fn private(&self, ctx: &Context<'_>) -> AppResult<bool> {
        Ok(ctx.request()?.sees_private_seller_data(self.0.id))
    }
}

/// Legal data of a seller.
#[derive(SimpleObject)]
pub struct LegalData {
    /// NIB, 13 digits.
    pub nib: Option<String>,
    /// Halal certificate number.
    pub halal_certificate_number: Option<String>,
    /// Last day the halal certificate is valid.
    pub halal_expires_on: Option<NaiveDate>,
    /// P-IRT number.
    pub pirt_number: Option<String>,
    /// Trademark number.
    pub trademark_number: Option<String>,
}

impl From<crate::services::onboarding::LegalData> for LegalData {
    fn from(l: crate::services::onboarding::LegalData) -> Self {
        LegalData {
            nib: l.nib,
            halal_certificate_number: l.halal_certificate_number,
            halal_expires_on: l.halal_expires_on,
            pirt_number: l.pirt_number,
            trademark_number: l.trademark_number,
        }
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
