//! Outlets (stalls in a rest area), their hours and stock.

pub mod mutation;
pub mod query;

use async_graphql::{Context, ID, Object, SimpleObject};
use entity::{outlet, stock};

use crate::{
    domain::{
        global_id::{GlobalId, NodeKind},
        opening_hours::{DayHours, WeeklyHours},
    },
    error::{AppError, AppResult},
    graphql::{
        catalog::{Product, products_connection},
        connection::Conn,
        context::ContextExt,
        enums::{OutletStatus, ProductSort, Weekday},
        regions::{District, Village},
        scalars::DateTime,
        sellers::Seller,
    },
    services::catalog::ProductFilter,
};

/// A stall or counter in a rest area, e.g. "Kios 07, Rest Area Tongas".
pub struct Outlet(pub outlet::Model);

#[Object]
impl Outlet {
    /// Opaque global ID (usable with `node`).
    pub async fn id(&self) -> ID {
        ID(GlobalId::new(NodeKind::Outlet, self.0.id).encode())
    }

    /// Short unique code, e.g. "TGS-K07".
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The rest area it stands in.
    async fn rest_area(&self) -> &str {
        &self.0.rest_area
    }

    /// Where it is.
    async fn location(&self) -> GeoPoint {
        GeoPoint {
            latitude: self.0.latitude,
            longitude: self.0.longitude,
        }
    }

    /// Phone number in E.164 form (+62…).
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// The administrative state (trading, or closed for now by the office). It does not say
    /// whether the outlet is open at this moment: for that read `openNow`, which also follows the
    /// opening hours.
    async fn status(&self) -> OutletStatus {
        self.0.status.into()
    }

    /// Opening hours per weekday, in WIB (UTC+7); a missing day means closed that day.
    #[graphql(
        complexity = "crate::graphql::cost::list(0, crate::graphql::cost::size::OPENING_HOURS, child_complexity)"
    )]
    async fn opening_hours(&self, ctx: &Context<'_>) -> AppResult<Vec<OpeningHours>> {
        let rows = ctx
            .loaders()?
            .hours
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .filter_map(|h| {
                Weekday::from_iso(h.weekday).map(|weekday| OpeningHours {
                    weekday,
                    opens: h.opens,
                    closes: h.closes,
                })
            })
            .collect())
    }

    /// Whether the outlet is open at this moment: its status is OPEN and the current time in WIB
    /// falls within today's opening hours.
    async fn open_now(&self, ctx: &Context<'_>) -> AppResult<bool> {
        if self.0.status != entity::enums::OutletStatus::Open {
            return Ok(false);
        }
        Ok(self.week(ctx).await?.is_open(ctx.request()?.now.0))
    }

    /// Today's opening hours (today being the current date in WIB), or null when it has none
    /// today. Says nothing about `status`.
    async fn today_hours(&self, ctx: &Context<'_>) -> AppResult<Option<OpeningHours>> {
        let today = self.week(ctx).await?.today(ctx.request()?.now.0);
        Ok(today.and_then(OpeningHours::of))
    }

    /// The next instant the outlet opens by its hours; null when it is open now, when it has no
    /// opening hours, or when its status is not OPEN (it opens when the office reopens it).
    async fn next_opening(&self, ctx: &Context<'_>) -> AppResult<Option<DateTime>> {
        if self.0.status != entity::enums::OutletStatus::Open {
            return Ok(None);
        }
        let next = self.week(ctx).await?.next_opening(ctx.request()?.now.0);
        Ok(next.map(DateTime))
    }

    /// The kecamatan (district) the outlet is in.
    async fn kecamatan(&self, ctx: &Context<'_>) -> AppResult<Option<District>> {
        District::load(ctx, &self.0.district_code).await
    }

    /// The kelurahan or desa (village) the outlet is in.
    async fn village(&self, ctx: &Context<'_>) -> AppResult<Option<Village>> {
        Village::load(ctx, self.0.village_code.as_deref()).await
    }

    /// Verified sellers with a place here, by name (then id).
    #[graphql(complexity = "crate::graphql::cost::loaded_page(first, child_complexity)")]
    async fn sellers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> AppResult<crate::graphql::connection::Conn<Seller>> {
        let page = crate::domain::cursor::Page::parse(first, after.as_deref())?;
        let rows = ctx
            .loaders()?
            .outlet_sellers
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let total = rows.len() as u64;
        let order = crate::services::sellers::by_name("outlet-sellers:name");
        let paged = crate::services::keyset::slice(rows, &order, &page)?;
        Ok(crate::graphql::connection::page_of(
            paged,
            &page,
            crate::graphql::connection::CountQuery::Known(total),
            Seller,
        ))
    }

    /// Public products in stock here (quantity above zero).
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
        let own = ProductFilter {
            outlet_id: Some(self.0.id),
            ..Default::default()
        };
        let filter = crate::graphql::catalog::nested_filter(ctx, filter, own).await?;
        products_connection(ctx, first, after, filter, sort).await
    }
}

impl Outlet {
    /// The outlet's weekly hours, through the hours loader.
    async fn week(&self, ctx: &Context<'_>) -> AppResult<WeeklyHours> {
        let rows = ctx
            .loaders()?
            .hours
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(WeeklyHours::from_rows(
            rows.iter()
                .map(|h| (h.weekday, h.opens.as_str(), h.closes.as_str())),
        ))
    }
}

/// Latitude and longitude (WGS 84).
#[derive(SimpleObject)]
pub struct GeoPoint {
    pub latitude: f64,
    pub longitude: f64,
}

/// Opening hours on one weekday, local time (WIB).
#[derive(SimpleObject)]
pub struct OpeningHours {
    pub weekday: Weekday,
    /// "HH:MM"
    pub opens: String,
    /// "HH:MM"
    pub closes: String,
}

impl OpeningHours {
    fn of(hours: DayHours) -> Option<Self> {
        Some(OpeningHours {
            weekday: Weekday::from_iso(i16::try_from(hours.weekday).ok()?)?,
            opens: hours.opens.format("%H:%M").to_string(),
            closes: hours.closes.format("%H:%M").to_string(),
        })
    }
}

/// Quantity of a product at one outlet.
pub struct StockLevel(pub stock::Model);

#[Object]
impl StockLevel {
    /// The outlet holding the stock.
    async fn outlet(&self, ctx: &Context<'_>) -> AppResult<Outlet> {
        ctx.loaders()?
            .outlets
            .load_one(self.0.outlet_id)
            .await?
            .map(Outlet)
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("outlet {} missing", self.0.outlet_id))
            })
    }

    /// Units on hand (never negative).
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }

    /// Whether at least one unit is on hand.
    async fn in_stock(&self) -> bool {
        self.0.quantity > 0
    }
}
