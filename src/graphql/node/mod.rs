//! The Relay `Node` interface.

pub mod query;

use async_graphql::{Context, ID, Interface};

use crate::{
    domain::global_id::{GlobalId, NodeKind},
    error::AppResult,
    graphql::{
        catalog::{Category, Product},
        context::ContextExt,
        outlets::Outlet,
        sellers::Seller,
    },
    services::{outlets, sellers},
};

/// An object with a global ID, fetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global ID."))]
pub enum Node {
    Product(Product),
    Seller(Seller),
    Outlet(Outlet),
    Category(Category),
}

/// Resolves a global ID under the same visibility rules as every other query: a hidden object
/// resolves to null, exactly like one that does not exist. Members of a seller and
/// administrators see what `product(id:)` and `seller(id:)` show them.
pub async fn resolve(ctx: &Context<'_>, id: &str) -> AppResult<Option<Node>> {
    let gid = GlobalId::parse(id, "id")?;
    let db = &ctx.state()?.db;
    let caller = ctx.caller()?;
    Ok(match gid.kind {
        NodeKind::Product => Product::visible(ctx, Ok(gid.id)).await?.map(Node::Product),
        // As `seller(id:)`: members and administrators also see a seller that is not public.
        NodeKind::Seller => sellers::seller_by_id(db, gid.id)
            .await?
            .filter(|s| crate::auth::policy::may_view_seller(caller, s.id, s.status))
            .map(|s| Node::Seller(Seller(s))),
        NodeKind::Outlet => outlets::outlet_by_id(db, gid.id)
            .await?
            .map(|o| Node::Outlet(Outlet(o))),
        NodeKind::Category => {
            let all = ctx.loaders()?.categories().await?;
            all.iter()
                .find(|c| c.id == gid.id)
                .cloned()
                .map(|c| Node::Category(Category(c)))
        }
        // Photos are reached through their owner; uploads only by their uploader's mutations.
        NodeKind::Photo | NodeKind::PhotoUpload => None,
    })
}
