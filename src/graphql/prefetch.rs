//! Look-ahead prefetching for list pages.
//!
//! DataLoaders batch the keys that arrive within a short window, so under load a page can split
//! into several batches. A list resolver therefore primes the request's loader caches for the
//! whole page up front, driven by the fields the client actually selected: one statement per
//! nested field, whatever the page size and however the executor schedules the resolvers.

use std::collections::BTreeSet;

use async_graphql::{Context, Lookahead};
use entity::{outlet, product, seller};
use uuid::Uuid;

use crate::{
    error::AppResult,
    graphql::{context::ContextExt, loaders::Loaders},
};

fn wants(selections: &[Lookahead<'_>], field: &str) -> bool {
    selections.iter().any(|s| s.field(field).exists())
}

fn below<'a>(selections: &[Lookahead<'a>], field: &str) -> Vec<Lookahead<'a>> {
    selections
        .iter()
        .map(|s| s.field(field))
        .filter(|s| s.exists())
        .collect()
}

/// The node selections of the nested connection `field` (`field { edges { node } }` and
/// `field { nodes }`).
fn nodes_below<'a>(selections: &[Lookahead<'a>], field: &str) -> Vec<Lookahead<'a>> {
    selections
        .iter()
        .flat_map(|s| {
            let conn = s.field(field);
            [conn.field("edges").field("node"), conn.field("nodes")]
        })
        .filter(|s| s.exists())
        .collect()
}

/// The node selections of a connection field (`edges { node }` and `nodes`).
pub fn connection_nodes<'a>(ctx: &'a Context<'_>) -> Vec<Lookahead<'a>> {
    let la = ctx.look_ahead();
    [la.field("edges").field("node"), la.field("nodes")]
        .into_iter()
        .filter(|s| s.exists())
        .collect()
}

pub async fn products(ctx: &Context<'_>, rows: &[product::Model]) -> AppResult<()> {
    let nodes = connection_nodes(ctx);
    if rows.is_empty() || nodes.is_empty() {
        return Ok(());
    }
    let loaders = ctx.loaders()?;
    let ids: Vec<Uuid> = rows.iter().map(|p| p.id).collect();
    if wants(&nodes, "photos") {
        loaders.photos.load_many(ids.iter().copied()).await?;
    }
    if wants(&nodes, "availability") || wants(&nodes, "totalStock") {
        let stock = loaders.stock.load_many(ids.iter().copied()).await?;
        let outlet_sel = below(&below(&nodes, "availability"), "outlet");
        if !outlet_sel.is_empty() {
            let outlet_ids: BTreeSet<Uuid> =
                stock.values().flatten().map(|s| s.outlet_id).collect();
            let outlets: Vec<outlet::Model> = loaders
                .outlets
                .load_many(outlet_ids)
                .await?
                .into_values()
                .collect();
            outlets_nested(loaders, &outlets, &outlet_sel).await?;
        }
    }
    if wants(&nodes, "seller") || wants(&nodes, "halal") || wants(&nodes, "halalCertificate") {
        let seller_ids: BTreeSet<Uuid> = rows.iter().map(|p| p.seller_id).collect();
        let sellers: Vec<seller::Model> = loaders
            .sellers
            .load_many(seller_ids)
            .await?
            .into_values()
            .collect();
        sellers_nested(loaders, &sellers, &below(&nodes, "seller")).await?;
    }
    Ok(())
}

pub async fn sellers_nested(
    loaders: &Loaders,
    sellers: &[seller::Model],
    sel: &[Lookahead<'_>],
) -> AppResult<()> {
    if sellers.is_empty() || sel.is_empty() {
        return Ok(());
    }
    if wants(sel, "kecamatan") {
        let codes: BTreeSet<String> = sellers.iter().map(|s| s.district_code.clone()).collect();
        loaders.districts.load_many(codes).await?;
    }
    if wants(sel, "village") {
        let codes: BTreeSet<String> = sellers
            .iter()
            .filter_map(|s| s.village_code.clone())
            .collect();
        loaders.villages.load_many(codes).await?;
    }
    if wants(sel, "outlets") {
        let places = loaders
            .seller_places
            .load_many(sellers.iter().map(|s| s.id))
            .await?;
        let outlet_ids: BTreeSet<Uuid> = places.into_values().flatten().collect();
        let outlets: Vec<outlet::Model> = loaders
            .outlets
            .load_many(outlet_ids)
            .await?
            .into_values()
            .collect();
        outlets_nested(loaders, &outlets, &nodes_below(sel, "outlets")).await?;
    }
    Ok(())
}

pub async fn outlets_nested(
    loaders: &Loaders,
    outlets: &[outlet::Model],
    sel: &[Lookahead<'_>],
) -> AppResult<()> {
    if outlets.is_empty() || sel.is_empty() {
        return Ok(());
    }
    if wants(sel, "openingHours") {
        loaders
            .hours
            .load_many(outlets.iter().map(|o| o.id))
            .await?;
    }
    if wants(sel, "kecamatan") {
        let codes: BTreeSet<String> = outlets.iter().map(|o| o.district_code.clone()).collect();
        loaders.districts.load_many(codes).await?;
    }
    if wants(sel, "village") {
        let codes: BTreeSet<String> = outlets
            .iter()
            .filter_map(|o| o.village_code.clone())
            .collect();
        loaders.villages.load_many(codes).await?;
    }
    if wants(sel, "sellers") {
        let sellers: Vec<seller::Model> = loaders
            .outlet_sellers
            .load_many(outlets.iter().map(|o| o.id))
            .await?
            .into_values()
            .flatten()
            .collect();
        // The sellers of a page of outlets, and below them their own nested fields.
        Box::pin(sellers_nested(
            loaders,
            &sellers,
            &nodes_below(sel, "sellers"),
        ))
        .await?;
    }
    Ok(())
}
