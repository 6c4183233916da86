use async_graphql::{Context, ID, Object};
use entity::category;

use crate::{
    domain::global_id::{GlobalId, NodeKind},
    error::AppResult,
    graphql::{
        catalog::{Product, products_connection},
        connection::Conn,
        context::ContextExt,
        enums::ProductSort,
    },
    services::catalog::{ProductFilter, with_descendants},
};

/// A product category. Categories form a small tree (e.g. Makanan & Minuman > Keripik & Kerupuk).
pub struct Category(pub category::Model);

#[Object]
impl Category {
    /// Opaque global ID (usable with `node`).
    pub async fn id(&self) -> ID {
        ID(GlobalId::new(NodeKind::Category, self.0.id).encode())
    }

    /// URL-safe unique name, e.g. "keripik".
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Display name, in Indonesian.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What belongs here.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Food categories: publishing a product here needs a PIRT number or halal certificate on record.
    async fn is_food(&self) -> bool {
        self.0.is_food
    }

    /// The parent category; null at the top of the tree.
    async fn parent(&self, ctx: &Context<'_>) -> AppResult<Option<Category>> {
        let all = ctx.loaders()?.categories().await?;
        Ok(self
            .0
            .parent_id
            .and_then(|pid| all.iter().find(|c| c.id == pid).cloned().map(Category)))
    }

    /// Direct subcategories, in display order.
    #[graphql(
        complexity = "crate::graphql::cost::list(0, crate::graphql::cost::size::CHILDREN, child_complexity)"
    )]
    async fn children(&self, ctx: &Context<'_>) -> AppResult<Vec<Category>> {
        let all = ctx.loaders()?.categories().await?;
        Ok(all
            .iter()
            .filter(|c| c.parent_id == Some(self.0.id))
            .cloned()
            .map(Category)
            .collect())
    }

    /// How many public products are in this category and its subcategories (what
    /// `products { totalCount }` gives without a filter). Batched: a list of categories with
    /// their counts costs one statement.
    #[graphql(complexity = "crate::graphql::cost::batched(child_complexity)")]
    async fn product_count(&self, ctx: &Context<'_>) -> AppResult<i64> {
        let all = ctx.loaders()?.categories().await?;
        let counts = ctx
            .loaders()?
            .category_counts
            .load_many(with_descendants(&all, self.0.id))
            .await?;
        Ok(counts.values().sum())
    }

    /// Public products in this category and its subcategories.
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
        let all = ctx.loaders()?.categories().await?;
        let own = ProductFilter {
            category_ids: Some(with_descendants(&all, self.0.id)),
            ..Default::default()
        };
        let filter = crate::graphql::catalog::nested_filter(ctx, filter, own).await?;
        products_connection(ctx, first, after, filter, sort).await
    }
}
