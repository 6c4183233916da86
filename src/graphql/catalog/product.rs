use async_graphql::{Context, ID, Object};
use entity::product;

use crate::{
    domain::global_id::{GlobalId, NodeKind},
    error::{AppError, AppResult},
    graphql::{
        catalog::Category,
        context::ContextExt,
        outlets::StockLevel,
        photos::Photo,
        scalars::DateTime,
        sellers::{HalalCertificate, Seller},
    },
    services::catalog::halal_today,
};

/// A product a seller offers. The public sees ACTIVE products of VERIFIED sellers only; members of
/// the seller and administrators also see its drafts and unpublished products.
pub struct Product(pub product::Model);

#[Object]
impl Product {
    /// Opaque global ID (usable with `node`).
    pub async fn id(&self) -> ID {
        ID(GlobalId::new(NodeKind::Product, self.0.id).encode())
    }

    /// URL-safe unique name, e.g. "keripik-mangga-arumanis-250g".
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Display name, in Indonesian.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Description, in Indonesian: taste, ingredients, care.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Price in whole Rupiah (IDR has no cents).
    async fn price(&self) -> i64 {
        self.0.price
    }

    /// What one unit is, e.g. "pak 250 g" or "lembar 2 m".
    async fn unit_label(&self) -> &str {
        &self.0.unit_label
    }

    /// Net weight of one unit in grams, when known.
    async fn net_weight_grams(&self) -> Option<i32> {
        self.0.net_weight_grams
    }

    /// Days the product keeps after production (food only).
    async fn shelf_life_days(&self) -> Option<i32> {
        self.0.shelf_life_days
    }

    /// True only while the seller's halal certificate is on record and not expired: a product
    /// is never shown as halal after the certificate's expiry.
    async fn halal(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let seller = self.seller_model(ctx).await?;
        Ok(halal_today(&self.0, &seller, ctx.request()?.today))
    }

    /// The halal certificate behind a product declared halal, with its expiry; null when the
    /// product is not declared halal or no certificate is on record.
    async fn halal_certificate(&self, ctx: &Context<'_>) -> AppResult<Option<HalalCertificate>> {
        if !self.0.halal {
            return Ok(None);
        }
        let seller = self.seller_model(ctx).await?;
        Ok(HalalCertificate::of(&seller, ctx.request()?.today))
    }

    /// Lifecycle state; public queries only ever return ACTIVE products.
    async fn status(&self) -> crate::graphql::enums::ProductStatus {
        self.0.status.into()
    }

    /// A featured regional product (produk unggulan) chosen by the regency office.
    async fn featured(&self) -> bool {
        self.0.featured
    }

    /// When the product was added (UTC).
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the product last changed (UTC).
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }

    /// The business that makes and sells it.
    async fn seller(&self, ctx: &Context<'_>) -> AppResult<Seller> {
        Ok(Seller(self.seller_model(ctx).await?))
    }

    /// The product's place in the category tree (an object with `parent`, `children` and
    /// `products`); unlike `Seller.category`, which is the seller's kind of business.
    async fn category(&self, ctx: &Context<'_>) -> AppResult<Category> {
        let all = ctx.loaders()?.categories().await?;
        all.iter()
            .find(|c| c.id == self.0.category_id)
            .cloned()
            .map(Category)
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("category {} missing", self.0.category_id))
            })
    }

    /// Photos in display order; the first is the cover.
    #[graphql(
        complexity = "crate::graphql::cost::list(0, crate::graphql::cost::size::PHOTOS, child_complexity)"
    )]
    async fn photos(&self, ctx: &Context<'_>) -> AppResult<Vec<Photo>> {
        let rows = ctx
            .loaders()?
            .photos
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().filter_map(Photo::servable).collect())
    }

    /// Stock at each outlet that carries the product, most units first (quantity may be zero:
    /// sold out there, unless `inStockOnly`).
    #[graphql(
        complexity = "crate::graphql::cost::list(0, crate::graphql::cost::size::AVAILABILITY, child_complexity)"
    )]
    async fn availability(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "Some(false)",
            desc = "Only outlets where at least one unit is on hand (quantity above zero); null is false."
        )]
        in_stock_only: Option<bool>,
    ) -> AppResult<Vec<StockLevel>> {
        let mut rows = ctx
            .loaders()?
            .stock
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        if in_stock_only.unwrap_or(false) {
            rows.retain(|s| s.quantity > 0);
        }
        rows.sort_by_key(|s| std::cmp::Reverse(s.quantity));
        Ok(rows.into_iter().map(StockLevel).collect())
    }

    /// Units in stock across all outlets.
    async fn total_stock(&self, ctx: &Context<'_>) -> AppResult<i64> {
        let rows = ctx
            .loaders()?
            .stock
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.iter().map(|s| i64::from(s.quantity)).sum())
    }
}

impl Product {
    /// The product with this id or slug if the caller may see it: public, or of a seller the
    /// caller manages. Two statements: the product, then its seller (through the loader, so
    /// `seller`, `halal` and `halalCertificate` cost nothing more).
    pub async fn visible(
        ctx: &Context<'_>,
        key: Result<uuid::Uuid, &str>,
    ) -> AppResult<Option<Product>> {
        let db = &ctx.state()?.db;
        let found = match key {
            Ok(id) => crate::services::catalog::any_product_by_id(db, id).await?,
            Err(slug) => crate::services::catalog::any_product_by_slug(db, slug).await?,
        };
        let Some(product) = found else {
            return Ok(None);
        };
        let Some(seller) = ctx.loaders()?.sellers.load_one(product.seller_id).await? else {
            return Ok(None);
        };
        let visible = crate::auth::policy::may_view_product(
            ctx.caller()?,
            seller.id,
            product.status,
            seller.status,
        );
        Ok(visible.then_some(Product(product)))
    }

    async fn seller_model(&self, ctx: &Context<'_>) -> AppResult<entity::seller::Model> {
        let seller = ctx
            .loaders()?
            .sellers
            .load_one(self.0.seller_id)
            .await?
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("seller of product {} missing", self.0.id))
            })?;
        // A public product has a public seller; a product that is not public reaches only those
        // who manage its seller (managedProducts, their own drafts, createProduct's payload).
        if ctx.request()?.sees_seller(seller.id, seller.status) {
            Ok(seller)
        } else {
            Err(AppError::internal(anyhow::anyhow!(
                "product {} reached a caller who may not see its seller",
                self.0.id
            )))
        }
    }
}
