//! Photos of products, sellers and outlets.

use entity::photo;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::AppResult;

/// Photos of these products, in display order.
pub async fn of_products(
    db: &impl ConnectionTrait,
    product_ids: &[Uuid],
) -> AppResult<Vec<photo::Model>> {
    Ok(photo::Entity::find()
        .filter(photo::Column::ProductId.is_in(product_ids.iter().copied()))
        .order_by_asc(photo::Column::Position)
        .all(db)
        .await?)
}
