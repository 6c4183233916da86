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
    services::{catalog, outlets, sellers},
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
/// resolves to null, exactly like one that does not exist.
pub async fn resolve(ctx: &Context<'_>, id: &str) -> AppResult<Option<Node>> {
    let gid = GlobalId::parse(id, "id")?;
    let db = &ctx.state()?.db;
    Ok(match gid.kind {
        NodeKind::Product => catalog::public_product_by_id(db, gid.id)
            .await?
            .map(|p| Node::Product(Product(p))),
        NodeKind::Seller => sellers::public_seller_by_id(db, gid.id)
            .await?
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
    })
}
