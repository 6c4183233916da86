//! Catalogue management: sellers' products through their lifecycle, and stock per outlet.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::{enums::ProductStatus as DbStatus, outlet, product, seller};
use sea_orm::EntityTrait;

use crate::{
    auth::caller::Caller,
    domain::global_id::{GlobalId, NodeKind},
    error::{AppError, AppResult},
    graphql::{
        catalog::Product,
        context::ContextExt,
        outlets::StockLevel,
        payload::{UserError, split},
    },
    services::products::{self, ProductFields},
};

/// Product fields. On `updateProduct` every field is optional.
#[derive(InputObject, Default)]
pub struct ProductInput {
    /// Category (global ID); a leaf such as "Keripik & Kerupuk" is best.
    pub category_id: Option<ID>,
    /// Name, 3 to 160 characters.
    pub name: Option<String>,
    /// Description, up to 5000 characters.
    pub description: Option<String>,
    /// Price in whole Rupiah, 1 to 100000000.
    pub price: Option<i32>,
    /// What one unit is, e.g. "pak 250 g".
    pub unit_label: Option<String>,
    /// Net weight in grams.
    pub net_weight_grams: Option<i32>,
    /// Shelf life in days (food).
    pub shelf_life_days: Option<i32>,
    /// Declared halal; needs the seller's halal certificate on record.
    pub halal: Option<bool>,
}

impl ProductInput {
    fn into_fields(self) -> AppResult<ProductFields> {
        Ok(ProductFields {
            category_id: self
                .category_id
                .map(|id| GlobalId::parse_kind(&id, NodeKind::Category, "input.categoryId"))
                .transpose()?,
            name: self.name,
            description: self.description,
            price: self.price.map(i64::from),
            unit_label: self.unit_label,
            net_weight_grams: self.net_weight_grams,
            shelf_life_days: self.shelf_life_days,
            halal: self.halal,
        })
    }
}

#[derive(InputObject)]
pub struct CreateProductInput {
    /// The seller the product belongs to (you must be its member).
    pub seller_id: ID,
    pub product: ProductInput,
}

#[derive(InputObject)]
pub struct UpdateProductInput {
    pub product_id: ID,
    pub product: ProductInput,
}

#[derive(InputObject)]
pub struct ProductIdInput {
    pub product_id: ID,
}

#[derive(InputObject)]
pub struct SetStockInput {
    pub outlet_id: ID,
    pub product_id: ID,
    /// Units on hand, 0 to 1000000.
    pub quantity: i32,
}

#[derive(SimpleObject)]
pub struct ProductPayload {
    /// The product after the change; null when `userErrors` is not empty.
    pub product: Option<Product>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct SetStockPayload {
    /// The stock level after the change.
    pub stock: Option<StockLevel>,
    pub user_errors: Vec<UserError>,
}

/// The product and its seller, when the caller manages that seller. A product the caller may
/// not manage is NOT_FOUND when it is not public (its existence must not leak), FORBIDDEN when it is.
async fn managed(ctx: &Context<'_>, id: &ID) -> AppResult<(product::Model, seller::Model)> {
    let caller = ctx.caller()?;
    if matches!(caller, Caller::Anonymous | Caller::Kiosk { .. }) {
        return Err(AppError::Unauthenticated);
    }
    let id = GlobalId::parse_kind(id, NodeKind::Product, "input.productId")?;
    let db = &ctx.state()?.db;
    let found = product::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("product"))?;
    let owner = seller::Entity::find_by_id(found.seller_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("product"))?;
    if caller.manages_seller(owner.id) {
        return Ok((found, owner));
    }
    let public =
        found.status == DbStatus::Active && owner.status == entity::enums::SellerStatus::Verified;
    Err(if public {
        AppError::Forbidden
    } else {
        AppError::not_found("product")
    })
}

fn payload(result: AppResult<product::Model>) -> AppResult<ProductPayload> {
    let (product, user_errors) = split(result)?;
    Ok(ProductPayload {
        product: product.map(Product),
        user_errors,
    })
}

#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    /// Adds a DRAFT product to your seller.
    async fn create_product(
        &self,
        ctx: &Context<'_>,
        input: CreateProductInput,
    ) -> AppResult<ProductPayload> {
        let user = ctx.user()?;
        let seller_id = GlobalId::parse_kind(&input.seller_id, NodeKind::Seller, "input.sellerId")?;
        if !user.is_admin && !user.seller_ids.contains(&seller_id) {
            return Err(AppError::Forbidden);
        }
        let db = &ctx.state()?.db;
        let owner = seller::Entity::find_by_id(seller_id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::not_found("seller"))?;
        let fields = input.product.into_fields()?;
        payload(products::create(db, &owner, fields).await)
    }

    /// Changes a product of your seller; its status stays as it is.
    async fn update_product(
        &self,
        ctx: &Context<'_>,
        input: UpdateProductInput,
    ) -> AppResult<ProductPayload> {
        let (current, owner) = managed(ctx, &input.product_id).await?;
        let fields = input.product.into_fields()?;
        payload(products::update(&ctx.state()?.db, &owner, current, fields).await)
    }

    /// DRAFT or ARCHIVED → ACTIVE (public). Only for a VERIFIED seller; a food product also needs
    /// a P-IRT number or a valid halal certificate on record (code PERMIT_REQUIRED).
    async fn publish_product(
        &self,
        ctx: &Context<'_>,
        input: ProductIdInput,
    ) -> AppResult<ProductPayload> {
        let (current, owner) = managed(ctx, &input.product_id).await?;
        let today = ctx.request()?.today;
        payload(products::publish(&ctx.state()?.db, &owner, current, today).await)
    }

    /// ACTIVE → DRAFT: off the public catalogue, still editable.
    async fn unpublish_product(
        &self,
        ctx: &Context<'_>,
        input: ProductIdInput,
    ) -> AppResult<ProductPayload> {
        let (current, _) = managed(ctx, &input.product_id).await?;
        payload(products::set_status(&ctx.state()?.db, current, DbStatus::Draft).await)
    }

    /// Retires a product (ARCHIVED); publishing it again is possible.
    async fn archive_product(
        &self,
        ctx: &Context<'_>,
        input: ProductIdInput,
    ) -> AppResult<ProductPayload> {
        let (current, _) = managed(ctx, &input.product_id).await?;
        payload(products::set_status(&ctx.state()?.db, current, DbStatus::Archived).await)
    }

    /// Sets the stock of a product at an outlet. Allowed to the product's seller at outlets where
    /// it has a place, to staff of that outlet, and to administrators.
    async fn set_stock(
        &self,
        ctx: &Context<'_>,
        input: SetStockInput,
    ) -> AppResult<SetStockPayload> {
        let user = ctx.user()?;
        let db = &ctx.state()?.db;
        let outlet_id = GlobalId::parse_kind(&input.outlet_id, NodeKind::Outlet, "input.outletId")?;
        outlet::Entity::find_by_id(outlet_id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::not_found("outlet"))?;
        let product_id =
            GlobalId::parse_kind(&input.product_id, NodeKind::Product, "input.productId")?;
        let found = product::Entity::find_by_id(product_id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::not_found("product"))?;
        let as_seller = user.seller_ids.contains(&found.seller_id)
            && products::has_place(db, found.seller_id, outlet_id).await?;
        let as_staff = user.outlet_ids.contains(&outlet_id);
        if !(user.is_admin || as_seller || as_staff) {
            return Err(AppError::Forbidden);
        }
        let (stock, user_errors) =
            split(products::set_stock(db, outlet_id, product_id, input.quantity).await)?;
        Ok(SetStockPayload {
            stock: stock.map(StockLevel),
            user_errors,
        })
    }
}
