//! Catalogue management: sellers' products through their lifecycle, and stock per outlet.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::{enums::ProductStatus as DbStatus, product, seller};

use crate::{
    auth::policy,
    domain::global_id::{GlobalId, NodeKind},
    error::{AppError, AppResult},
    graphql::{
        catalog::Product,
        context::ContextExt,
        outlets::StockLevel,
        payload::{UserError, split, split_under},
    },
    services::{
        outlets,
        photos::{self, PhotoOwner},
        products::{self, ProductFields},
        sellers,
        tx::Tx,
    },
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
                .map(|id| GlobalId::parse_kind(&id, NodeKind::Category, "input.product.categoryId"))
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

/// Opens the unit of work of a product mutation and reads the product and its seller in it,
/// locked (`products::locked`), when the caller may manage the product (`policy`). Rules are
/// then judged on these rows, never on copies read before the transaction.
async fn managed(ctx: &Context<'_>, id: &ID) -> AppResult<(Tx, product::Model, seller::Model)> {
    let caller = ctx.caller()?;
    policy::signed_in(caller)?;
    let id = GlobalId::parse_kind(id, NodeKind::Product, "input.productId")?;
    let tx = ctx.begin().await?;
    let (found, owner) = products::locked(&tx, id).await?;
    policy::may_manage_product(caller, owner.id, found.status, owner.status)?;
    Ok((tx, found, owner))
}

/// The payload of a product mutation; `prefix` is where the service's paths sit in the input
/// ("input.product" for create and update, whose fields are nested; "input" otherwise).
fn payload(result: AppResult<product::Model>, prefix: &str) -> AppResult<ProductPayload> {
    let (product, user_errors) = split_under(result, prefix)?;
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
        let caller = ctx.caller()?;
        policy::signed_in(caller)?;
        let seller_id = GlobalId::parse_kind(&input.seller_id, NodeKind::Seller, "input.sellerId")?;
        policy::may_add_product(caller, seller_id)?;
        let owner = sellers::seller_by_id(&ctx.state()?.db, seller_id)
            .await?
            .ok_or_else(|| AppError::not_found("seller"))?;
        let fields = input.product.into_fields()?;
        let mut tx = ctx.begin().await?;
        let result = products::create(&mut tx, &owner, fields).await;
        payload(tx.finish(result).await, "input.product")
    }

    /// Changes a product of your seller; its status stays as it is. A live (ACTIVE) product
    /// keeps to the publishing rules: a category or halal change it would fail is refused
    /// (code PERMIT_REQUIRED).
    async fn update_product(
        &self,
        ctx: &Context<'_>,
        input: UpdateProductInput,
    ) -> AppResult<ProductPayload> {
        let (mut tx, current, owner) = managed(ctx, &input.product_id).await?;
        let fields = input.product.into_fields()?;
        let today = ctx.request()?.today;
        let result = products::update(&mut tx, current, &owner, fields, today).await;
        payload(tx.finish(result).await, "input.product")
    }

    /// DRAFT or ARCHIVED → ACTIVE (public). Only for a VERIFIED seller; a food product also needs
    /// a P-IRT number or a valid halal certificate on record (code PERMIT_REQUIRED).
    async fn publish_product(
        &self,
        ctx: &Context<'_>,
        input: ProductIdInput,
    ) -> AppResult<ProductPayload> {
        let (mut tx, current, owner) = managed(ctx, &input.product_id).await?;
        let today = ctx.request()?.today;
        let result = products::publish(&mut tx, current, &owner, today).await;
        payload(tx.finish(result).await, "input")
    }

    /// ACTIVE → DRAFT: off the public catalogue, still editable.
    async fn unpublish_product(
        &self,
        ctx: &Context<'_>,
        input: ProductIdInput,
    ) -> AppResult<ProductPayload> {
        let (mut tx, current, _) = managed(ctx, &input.product_id).await?;
        let result = products::set_status(&mut tx, current, DbStatus::Draft).await;
        payload(tx.finish(result).await, "input")
    }

    /// Retires a product (ARCHIVED); publishing it again is possible. Its photos are removed,
    /// stored images included (add new ones before publishing again).
    async fn archive_product(
        &self,
        ctx: &Context<'_>,
        input: ProductIdInput,
    ) -> AppResult<ProductPayload> {
        let (mut tx, current, _) = managed(ctx, &input.product_id).await?;
        let owner = PhotoOwner::Product(current.id);
        let result = async {
            let archived = products::set_status(&mut tx, current, DbStatus::Archived).await?;
            let removed = photos::detach_all(&mut tx, owner).await?;
            Ok((archived, removed))
        }
        .await;
        let result = tx.finish(result).await;
        if let Ok((_, removed)) = &result {
            let state = ctx.state()?;
            photos::remove_unreferenced(&state.db, &state.media, photos::object_keys(removed))
                .await;
        }
        payload(result.map(|(archived, _)| archived), "input")
    }

    /// Sets the stock of a product at an outlet where the product's seller has a place. Allowed
    /// to the seller's members and the outlet's staff, and to administrators (who may also stock
    /// elsewhere). Anyone else gets FORBIDDEN, whether or not the product exists.
    async fn set_stock(
        &self,
        ctx: &Context<'_>,
        input: SetStockInput,
    ) -> AppResult<SetStockPayload> {
        let caller = ctx.caller()?;
        policy::signed_in(caller)?;
        let db = &ctx.state()?.db;
        let outlet_id = GlobalId::parse_kind(&input.outlet_id, NodeKind::Outlet, "input.outletId")?;
        outlets::outlet_by_id(db, outlet_id)
            .await?
            .ok_or_else(|| AppError::not_found("outlet"))?;
        let product_id =
            GlobalId::parse_kind(&input.product_id, NodeKind::Product, "input.productId")?;
        let found = products::find(db, product_id).await?;
        let owner = found.as_ref().map(|p| p.seller_id);
        let has_place = match owner {
            Some(seller_id) => products::has_place(db, seller_id, outlet_id).await?,
            None => false,
        };
        // Authorise first: only a caller allowed to stock it learns whether the product exists.
        policy::may_set_stock(caller, owner, outlet_id, has_place)?;
        found.ok_or_else(|| AppError::not_found("product"))?;
        let mut tx = ctx.begin().await?;
        let result = products::set_stock(&mut tx, outlet_id, product_id, input.quantity).await;
        let (stock, user_errors) = split(tx.finish(result).await)?;
        Ok(SetStockPayload {
            stock: stock.map(StockLevel),
            user_errors,
        })
    }
}
