//! Mutations of this area: administrators create and edit outlets, place sellers and staff at
//! them, and curate featured products (produk unggulan).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use uuid::Uuid;

use crate::{
    auth::policy,
    domain::global_id::{GlobalId, NodeKind},
    error::{AppError, AppResult},
    graphql::{
        catalog::Product,
        context::ContextExt,
        enums::{OutletStatus, Weekday},
        outlets::Outlet,
        payload::{UserError, split},
    },
    services::outlet_admin::{self, HoursInput, NewOutlet, OutletChanges},
};

/// Opening hours on one weekday, local time (WIB, UTC+7).
#[derive(InputObject)]
pub struct OpeningHoursInput {
    /// Day of the week; each day at most once. A missing day means closed that day.
    pub weekday: Weekday,
    /// Opening time, "HH:MM" from 00:00 to 23:59.
    pub opens: String,
    /// Closing time, "HH:MM" from 00:00 to 23:59, later than `opens`.
    pub closes: String,
}

/// A new outlet. It starts OPEN.
#[derive(InputObject)]
pub struct CreateOutletInput {
    /// Unique short code: 2 to 32 characters of A-Z, 0-9 and -, e.g. "TGS-K13".
    pub code: String,
    /// Display name, 1 to 160 characters.
    pub name: String,
    /// The rest area it stands in, 1 to 160 characters.
    pub rest_area: String,
    /// Kemendagri code of the kelurahan or desa, e.g. "35.13.23.2001"; the kecamatan follows
    /// from it.
    pub village_code: String,
    /// Latitude (WGS 84), -90 to 90.
    pub latitude: f64,
    /// Longitude (WGS 84), -180 to 180.
    pub longitude: f64,
    /// Indonesian mobile number, in any usual spelling (0812…, +62 812…).
    pub phone: Option<String>,
    /// Opening hours per weekday; omit a day to mark it closed.
    #[graphql(default)]
    pub opening_hours: Vec<OpeningHoursInput>,
}

/// Changes to an outlet; omitted fields keep their value.
#[derive(InputObject)]
pub struct UpdateOutletInput {
    /// The outlet to change.
    pub outlet_id: ID,
    /// Display name, 1 to 160 characters.
    pub name: Option<String>,
    /// The rest area it stands in, 1 to 160 characters.
    pub rest_area: Option<String>,
    /// Indonesian mobile number; null or "" removes it.
    pub phone: MaybeUndefined<String>,
    /// Whether the outlet is trading.
    pub status: Option<OutletStatus>,
    /// Latitude (WGS 84), -90 to 90.
    pub latitude: Option<f64>,
    /// Longitude (WGS 84), -180 to 180.
    pub longitude: Option<f64>,
    /// When given, replaces all opening hours; an empty list means closed every day.
    pub opening_hours: Option<Vec<OpeningHoursInput>>,
}

/// A seller and an outlet.
#[derive(InputObject)]
pub struct OutletSellerInput {
    /// The outlet.
    pub outlet_id: ID,
    /// The seller, in any verification status.
    pub seller_id: ID,
}

/// A user and an outlet.
#[derive(InputObject)]
pub struct OutletStaffInput {
    /// The outlet.
    pub outlet_id: ID,
    /// The user's ID (a UUID, as in `User.id`).
    pub user_id: ID,
}

/// Whether a product is featured.
#[derive(InputObject)]
pub struct SetProductFeaturedInput {
    /// The product.
    pub product_id: ID,
    /// True to feature it (produk unggulan), false to stop.
    pub featured: bool,
}

/// Result of an outlet mutation.
#[derive(SimpleObject)]
pub struct OutletPayload {
    /// The outlet as it is now; null when `userErrors` is not empty.
    pub outlet: Option<Outlet>,
    /// Why the input was refused; empty on success.
    pub user_errors: Vec<UserError>,
}

/// Result of `setProductFeatured`.
#[derive(SimpleObject)]
pub struct SetProductFeaturedPayload {
    /// The product as it is now (`featured` included); null when `userErrors` is not empty.
    pub product: Option<Product>,
    /// The product's global ID; null when `userErrors` is not empty.
    #[graphql(deprecation = "ask `product { id }`, like every other product mutation")]
    pub product_id: Option<ID>,
    /// Whether the product is featured now; null when `userErrors` is not empty.
    #[graphql(deprecation = "ask `product { featured }`, like every other product mutation")]
    pub featured: Option<bool>,
    /// Why the input was refused; empty on success.
    pub user_errors: Vec<UserError>,
}

fn iso_weekday(day: Weekday) -> i16 {
    match day {
        Weekday::Monday => 1,
        Weekday::Tuesday => 2,
        Weekday::Wednesday => 3,
        Weekday::Thursday => 4,
        Weekday::Friday => 5,
        Weekday::Saturday => 6,
        Weekday::Sunday => 7,
    }
}

fn hours(input: Vec<OpeningHoursInput>) -> Vec<HoursInput> {
    input
        .into_iter()
        .map(|h| HoursInput {
            weekday: iso_weekday(h.weekday),
            opens: h.opens,
            closes: h.closes,
        })
        .collect()
}

fn outlet_id(raw: &ID) -> AppResult<Uuid> {
    GlobalId::parse_kind(raw, NodeKind::Outlet, "input.outletId")
}

/// Splits the result and forgets what this request's loaders cached about outlets, so the
/// payload (and any later mutation of the same document) shows the change.
fn outlet_payload(
    ctx: &Context<'_>,
    result: AppResult<entity::outlet::Model>,
) -> AppResult<OutletPayload> {
    let (outlet, user_errors) = split(result)?;
    let loaders = ctx.loaders()?;
    loaders.outlets.clear::<Uuid>();
    loaders.hours.clear::<Uuid>();
    loaders.outlet_sellers.clear::<Uuid>();
    loaders.seller_places.clear::<Uuid>();
    Ok(OutletPayload {
        outlet: outlet.map(Outlet),
        user_errors,
    })
}

#[derive(Default)]
pub struct OutletsMutation;

#[Object]
impl OutletsMutation {
    /// Administrators: creates an outlet (OPEN) with its opening hours.
    async fn create_outlet(
        &self,
        ctx: &Context<'_>,
        input: CreateOutletInput,
    ) -> AppResult<OutletPayload> {
        policy::may_administer_outlets(ctx.caller()?)?;
        let mut tx = ctx.begin().await?;
        let result = outlet_admin::create_outlet(
            &mut tx,
            NewOutlet {
                code: input.code,
                name: input.name,
                rest_area: input.rest_area,
                village_code: input.village_code,
                latitude: input.latitude,
                longitude: input.longitude,
                phone: input.phone,
                opening_hours: hours(input.opening_hours),
            },
        )
        .await;
        outlet_payload(ctx, tx.finish(result).await)
    }

    /// Administrators: changes an outlet. Given opening hours replace all of its hours.
    async fn update_outlet(
        &self,
        ctx: &Context<'_>,
        input: UpdateOutletInput,
    ) -> AppResult<OutletPayload> {
        policy::may_administer_outlets(ctx.caller()?)?;
        let id = outlet_id(&input.outlet_id)?;
        let phone = match input.phone {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(p) => Some(Some(p)),
        };
        let changes = OutletChanges {
            name: input.name,
            rest_area: input.rest_area,
            phone,
            status: input.status.map(Into::into),
            latitude: input.latitude,
            longitude: input.longitude,
            opening_hours: input.opening_hours.map(hours),
        };
        let mut tx = ctx.begin().await?;
        let result = outlet_admin::update_outlet(&mut tx, id, changes).await;
        outlet_payload(ctx, tx.finish(result).await)
    }

    /// Administrators: gives a seller (in any verification status) a place at an outlet.
    /// Assigning twice changes nothing.
    async fn assign_seller_to_outlet(
        &self,
        ctx: &Context<'_>,
        input: OutletSellerInput,
    ) -> AppResult<OutletPayload> {
        policy::may_administer_outlets(ctx.caller()?)?;
        let outlet = outlet_id(&input.outlet_id)?;
        let seller = GlobalId::parse_kind(&input.seller_id, NodeKind::Seller, "input.sellerId")?;
        let mut tx = ctx.begin().await?;
        let result = outlet_admin::assign_seller(&mut tx, outlet, seller).await;
        outlet_payload(ctx, tx.finish(result).await)
    }

    /// Administrators: takes a seller's place at an outlet away. Removing twice changes
    /// nothing.
    async fn remove_seller_from_outlet(
        &self,
        ctx: &Context<'_>,
        input: OutletSellerInput,
    ) -> AppResult<OutletPayload> {
        policy::may_administer_outlets(ctx.caller()?)?;
        let outlet = outlet_id(&input.outlet_id)?;
        let seller = GlobalId::parse_kind(&input.seller_id, NodeKind::Seller, "input.sellerId")?;
        let mut tx = ctx.begin().await?;
        let result = outlet_admin::remove_seller(&mut tx, outlet, seller).await;
        outlet_payload(ctx, tx.finish(result).await)
    }

    /// Administrators: makes a user staff of an outlet (role OUTLET_STAFF). Assigning twice
    /// changes nothing.
    async fn assign_outlet_staff(
        &self,
        ctx: &Context<'_>,
        input: OutletStaffInput,
    ) -> AppResult<OutletPayload> {
        policy::may_administer_outlets(ctx.caller()?)?;
        let outlet = outlet_id(&input.outlet_id)?;
        let user = user_id(&input.user_id)?;
        let mut tx = ctx.begin().await?;
        let result = outlet_admin::assign_staff(&mut tx, outlet, user).await;
        outlet_payload(ctx, tx.finish(result).await)
    }

    /// Administrators: removes a user from an outlet's staff. Removing twice changes nothing.
    async fn remove_outlet_staff(
        &self,
        ctx: &Context<'_>,
        input: OutletStaffInput,
    ) -> AppResult<OutletPayload> {
        policy::may_administer_outlets(ctx.caller()?)?;
        let outlet = outlet_id(&input.outlet_id)?;
        let user = user_id(&input.user_id)?;
        let mut tx = ctx.begin().await?;
        let result = outlet_admin::remove_staff(&mut tx, outlet, user).await;
        outlet_payload(ctx, tx.finish(result).await)
    }

    /// Administrators: features a product (produk unggulan, curated by the regency office) or
    /// stops featuring it.
    async fn set_product_featured(
        &self,
        ctx: &Context<'_>,
        input: SetProductFeaturedInput,
    ) -> AppResult<SetProductFeaturedPayload> {
        policy::may_administer_outlets(ctx.caller()?)?;
        let id = GlobalId::parse_kind(&input.product_id, NodeKind::Product, "input.productId")?;
        let mut tx = ctx.begin().await?;
        let result = outlet_admin::set_product_featured(&mut tx, id, input.featured).await;
        let (product, user_errors) = split(tx.finish(result).await)?;
        Ok(SetProductFeaturedPayload {
            product_id: product
                .as_ref()
                .map(|p| ID(GlobalId::new(NodeKind::Product, p.id).encode())),
            featured: product.as_ref().map(|p| p.featured),
            product: product.map(Product),
            user_errors,
        })
    }
}

fn user_id(raw: &ID) -> AppResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| AppError::invalid("input.userId", "not a user ID"))
}
