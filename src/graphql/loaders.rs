//! Per-request DataLoaders: every nested field that would otherwise run one query per parent
//! is batched into one query per field per request, whatever the page size.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{category, district, outlet, outlet_hour, photo, regency, seller, stock, village};
use sea_orm::DatabaseConnection;
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult},
    services::{catalog, outlets, photos, regions, sellers},
};

/// Everything a request resolves through, built fresh for each request so caches never
/// outlive it (and never cross callers).
pub struct Loaders {
    pub sellers: DataLoader<SellerLoader, HashMapCache>,
    pub photos: DataLoader<ProductPhotosLoader, HashMapCache>,
    pub stock: DataLoader<ProductStockLoader, HashMapCache>,
    pub outlets: DataLoader<OutletLoader, HashMapCache>,
    pub hours: DataLoader<OutletHoursLoader, HashMapCache>,
    pub seller_places: DataLoader<SellerPlacesLoader, HashMapCache>,
    pub outlet_sellers: DataLoader<OutletSellersLoader, HashMapCache>,
    pub districts: DataLoader<DistrictLoader, HashMapCache>,
    pub villages: DataLoader<VillageLoader, HashMapCache>,
    pub status_history:
        DataLoader<crate::graphql::sellers::history::StatusHistoryLoader, HashMapCache>,
    pub district_villages: DataLoader<DistrictVillagesLoader, HashMapCache>,
    pub category_counts: DataLoader<CategoryProductCountLoader, HashMapCache>,
    categories: OnceCell<Arc<Vec<category::Model>>>,
    db: DatabaseConnection,
}

fn loader<T: Send + Sync + 'static>(inner: T) -> DataLoader<T, HashMapCache> {
    DataLoader::with_cache(inner, tokio::spawn, HashMapCache::default())
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        Loaders {
            sellers: loader(SellerLoader(db.clone())),
            photos: loader(ProductPhotosLoader(db.clone())),
            stock: loader(ProductStockLoader(db.clone())),
            outlets: loader(OutletLoader(db.clone())),
            hours: loader(OutletHoursLoader(db.clone())),
            seller_places: loader(SellerPlacesLoader(db.clone())),
            outlet_sellers: loader(OutletSellersLoader(db.clone())),
            districts: loader(DistrictLoader(db.clone())),
            villages: loader(VillageLoader(db.clone())),
            status_history: loader(crate::graphql::sellers::history::StatusHistoryLoader(
                db.clone(),
            )),
            district_villages: loader(DistrictVillagesLoader(db.clone())),
            category_counts: loader(CategoryProductCountLoader(db.clone())),
            categories: OnceCell::new(),
            db: db.clone(),
        }
    }

    /// The whole category tree, read once per request (it is small and every category field
    /// needs it: parents, children, subtree filters).
    pub async fn categories(&self) -> AppResult<Arc<Vec<category::Model>>> {
        self.categories
            .get_or_try_init(|| async { catalog::all_categories(&self.db).await.map(Arc::new) })
            .await
            .cloned()
    }
}

fn group<K: std::hash::Hash + Eq, V>(
    rows: impl IntoIterator<Item = V>,
    key: impl Fn(&V) -> K,
) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = HashMap::new();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}

/// Sellers by id, whatever their status: the sellers of the products a response holds. Whoever
/// was given a product may see its seller (a public product has a VERIFIED seller; a product
/// that is not public reaches only those who manage its seller), and `Product.seller` still
/// asks the policy before showing it.
pub struct SellerLoader(DatabaseConnection);

impl Loader<Uuid> for SellerLoader {
    type Value = seller::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = sellers::any_status_by_ids(&self.0, keys).await?;
        Ok(rows.into_iter().map(|s| (s.id, s)).collect())
    }
}

/// Photos of each product, in display order.
pub struct ProductPhotosLoader(DatabaseConnection);

impl Loader<Uuid> for ProductPhotosLoader {
    type Value = Vec<photo::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = photos::of_products(&self.0, keys).await?;
        Ok(group(
            rows.into_iter().filter(|p| p.product_id.is_some()),
            |p| p.product_id.unwrap_or_default(),
        ))
    }
}

/// Stock rows of each product, across outlets.
pub struct ProductStockLoader(DatabaseConnection);

impl Loader<Uuid> for ProductStockLoader {
    type Value = Vec<stock::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        Ok(group(
            outlets::stock_of_products(&self.0, keys).await?,
            |s| s.product_id,
        ))
    }
}

pub struct OutletLoader(DatabaseConnection);

impl Loader<Uuid> for OutletLoader {
    type Value = outlet::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        Ok(outlets::outlets_by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect())
    }
}

/// Public products directly in each category (subcategories are summed by the caller), so a
/// page of categories with their counts costs one statement.
pub struct CategoryProductCountLoader(DatabaseConnection);

impl Loader<Uuid> for CategoryProductCountLoader {
    type Value = i64;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        Ok(catalog::public_product_counts(&self.0, keys)
            .await?
            .into_iter()
            .collect())
    }
}

pub struct OutletHoursLoader(DatabaseConnection);

impl Loader<Uuid> for OutletHoursLoader {
    type Value = Vec<outlet_hour::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        Ok(group(outlets::hours_of(&self.0, keys).await?, |h| {
            h.outlet_id
        }))
    }
}

/// The outlets at which each seller has a place.
pub struct SellerPlacesLoader(DatabaseConnection);

impl Loader<Uuid> for SellerPlacesLoader {
    type Value = Vec<Uuid>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let places = outlets::places_of_sellers(&self.0, keys).await?;
        let mut map: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for place in places {
            map.entry(place.seller_id)
                .or_default()
                .push(place.outlet_id);
        }
        Ok(map)
    }
}

/// The public sellers having a place at each outlet, by name.
pub struct OutletSellersLoader(DatabaseConnection);

impl Loader<Uuid> for OutletSellersLoader {
    type Value = Vec<seller::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let places = outlets::places_at_outlets(&self.0, keys).await?;
        let seller_ids: Vec<Uuid> = places.iter().map(|p| p.seller_id).collect();
        let mut public: Vec<seller::Model> =
            sellers::public_sellers_by_ids(&self.0, &seller_ids).await?;
        public.sort_by(|a, b| a.business_name.cmp(&b.business_name));
        let by_id: HashMap<Uuid, &seller::Model> = public.iter().map(|s| (s.id, s)).collect();
        let mut map: HashMap<Uuid, Vec<seller::Model>> = HashMap::new();
        for place in &places {
            if let Some(s) = by_id.get(&place.seller_id) {
                map.entry(place.outlet_id).or_default().push((*s).clone());
            }
        }
        for list in map.values_mut() {
            list.sort_by(|a, b| a.business_name.cmp(&b.business_name));
        }
        Ok(map)
    }
}

/// Kecamatan by code, with the name of its regency.
pub struct DistrictLoader(DatabaseConnection);

impl Loader<String> for DistrictLoader {
    type Value = (district::Model, regency::Model);
    type Error = AppError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        regions::districts_with_regency(&self.0, keys).await
    }
}

pub struct VillageLoader(DatabaseConnection);

impl Loader<String> for VillageLoader {
    type Value = village::Model;
    type Error = AppError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        regions::villages(&self.0, keys).await
    }
}

/// The villages of each kecamatan, by name.
pub struct DistrictVillagesLoader(DatabaseConnection);

impl Loader<String> for DistrictVillagesLoader {
    type Value = Vec<village::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        Ok(group(
            regions::villages_of_districts(&self.0, keys).await?,
            |v| v.district_code.clone(),
        ))
    }
}
