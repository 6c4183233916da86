//! Business logic per area. No actix or async-graphql types here: services take a database
//! connection and plain values, so they are testable on SQLite directly.

pub mod accounts;
pub mod catalog;
pub mod onboarding;
pub mod outlet_admin;
pub mod outlets;
pub mod photos;
pub mod products;
pub mod regions;
pub mod seller_history;
pub mod sellers;
pub mod tx;

use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect, Select};

use crate::{domain::cursor::Page, error::AppResult};

/// One page of an already ordered query, plus whether another page follows (one row more is
/// read to know, so no count is needed).
pub async fn fetch_page<E: EntityTrait>(
    select: Select<E>,
    page: Page,
    db: &impl ConnectionTrait,
) -> AppResult<(Vec<E::Model>, bool)> {
    let mut rows = select
        .offset(page.offset)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    let has_next = rows.len() as u64 > page.limit;
    rows.truncate(page.limit as usize);
    Ok((rows, has_next))
}
