//! Relay connections with a lazily counted `totalCount`.

use async_graphql::{
    Context, Object, OutputType,
    connection::{Connection, Edge},
};

use crate::{
    domain::cursor::Page,
    error::AppResult,
    graphql::context::ContextExt,
    services::{
        catalog::{self, ProductFilter},
        keyset::Paged,
        outlets::{self, OutletFilter},
        sellers::{self, SellerFilter},
    },
};

/// The query a `totalCount` repeats without pagination; run only when the client asks for it.
pub enum CountQuery {
    Products(ProductFilter),
    Sellers(SellerFilter),
    Outlets(OutletFilter),
    /// The office's review list.
    Applications(sellers::ApplicationFilter),
    /// All products of one seller, narrowed by the management filter.
    SellerProducts(uuid::Uuid, crate::services::products::ManagedFilter),
    /// Registered kiosks, optionally of one outlet.
    Kiosks(Option<uuid::Uuid>),
    /// A list a DataLoader read whole (the sellers of an outlet, the outlets of a seller): its
    /// length is already known, so counting costs no statement.
    Known(u64),
}

pub struct TotalCount(CountQuery);

#[Object]
impl TotalCount {
    /// Number of items across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<i64> {
        let db = &ctx.state()?.db;
        let n = match &self.0 {
            CountQuery::Products(f) => catalog::count_products(db, f, ctx.request()?.today).await?,
            CountQuery::Sellers(f) => sellers::count_sellers(db, f).await?,
            CountQuery::Outlets(f) => outlets::count_outlets(db, f).await?,
            CountQuery::Applications(f) => sellers::count_applications(db, f).await?,
            CountQuery::SellerProducts(id, filter) => {
                crate::services::products::count_for_seller(db, *id, filter).await?
            }
            CountQuery::Kiosks(outlet) => {
                crate::services::accounts::count_kiosks(db, *outlet).await?
            }
            CountQuery::Known(n) => *n,
        };
        Ok(n as i64)
    }
}

pub type Conn<N> = Connection<String, N, TotalCount>;

/// Wraps one page of rows as a connection; each cursor is the keyset position of its row.
pub fn page_of<R, N: OutputType>(
    paged: Paged<R>,
    page: &Page,
    count: CountQuery,
    node: impl Fn(R) -> N,
) -> Conn<N> {
    let mut conn =
        Connection::with_additional_fields(page.after.is_some(), paged.has_next, TotalCount(count));
    conn.edges.extend(
        paged
            .rows
            .into_iter()
            .zip(paged.cursors)
            .map(|(row, cursor)| Edge::new(cursor, node(row))),
    );
    conn
}
