//! Facet counts for the filter sheet and suggestions for the search box.

use async_graphql::{ComplexObject, Context, Enum, Object, SimpleObject};
use entity::category;

use crate::{
    error::AppResult,
    graphql::{
        catalog::{Category, Product},
        regions::District,
    },
    services::catalog::{Facets, PRICE_BANDS, Suggestion},
};

/// How many public products the current filter selects, split by the values of the filter
/// sheet. Every count honours the whole filter (search text included); hidden products (drafts,
/// products of sellers that are not verified) are never counted.
pub struct ProductFacets(pub Facets, pub Vec<category::Model>);

/// A category and how many of the selected products are in it or in a category below it.
#[derive(SimpleObject)]
pub struct CategoryFacet {
    /// The category (pass its id as `filter.categoryId` to narrow to it).
    pub category: Category,
    /// Selected products in this category or any of its subcategories.
    pub count: i64,
}

/// A kecamatan and how many of the selected products come from sellers there.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct KecamatanFacet {
    /// Kemendagri code (pass it as `filter.kecamatanCode`), e.g. "35.13.23".
    pub code: String,
    /// Selected products of sellers in this kecamatan.
    pub count: i64,
}

#[ComplexObject]
impl KecamatanFacet {
    /// The kecamatan itself (its name, its regency).
    async fn kecamatan(&self, ctx: &Context<'_>) -> AppResult<Option<District>> {
        District::load(ctx, &self.code).await
    }
}

/// A price band and how many of the selected products it holds.
#[derive(SimpleObject)]
pub struct PriceBandFacet {
    /// Lowest price of the band in Rupiah, inclusive (pass it as `filter.minPrice`).
    pub min_price: i32,
    /// Highest price of the band in Rupiah, inclusive (`filter.maxPrice`); null for the last,
    /// open band.
    pub max_price: Option<i32>,
    /// Selected products priced within the band.
    pub count: i64,
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[Object]
impl ProductFacets {
    /// Products the filter selects (the list's `totalCount`).
    async fn total(&self) -> i64 {
        count(self.0.total)
    }

    /// Categories holding selected products, in the tree's display order. A parent's count
    /// includes its subcategories', as `filter.categoryId` does.
    async fn categories(&self) -> Vec<CategoryFacet> {
        self.0
            .categories
            .iter()
            .filter_map(|(id, n)| {
                let c = self.1.iter().find(|c| c.id == *id)?;
                Some(CategoryFacet {
                    category: Category(c.clone()),
                    count: count(*n),
                })
            })
            .collect()
    }

    /// Kecamatan of the sellers of selected products, by code.
    async fn kecamatan(&self) -> Vec<KecamatanFacet> {
        self.0
            .districts
            .iter()
            .map(|(code, n)| KecamatanFacet {
                code: code.clone(),
                count: count(*n),
            })
            .collect()
    }

    /// Selected products that are halal today (what `filter.halalOnly` keeps).
    async fn halal(&self) -> i64 {
        count(self.0.halal)
    }

    /// Selected products that are not halal today.
    async fn not_halal(&self) -> i64 {
        count(self.0.total - self.0.halal)
    }

    /// Every price band, lowest first, empty ones included (so the sheet keeps its shape).
    async fn price_bands(&self) -> Vec<PriceBandFacet> {
        self.0
            .price_bands
            .iter()
            .enumerate()
            .map(|(i, (min, n))| PriceBandFacet {
                min_price: i32::try_from(*min).unwrap_or(i32::MAX),
                max_price: PRICE_BANDS
                    .get(i + 1)
                    .map(|next| i32::try_from(next - 1).unwrap_or(i32::MAX)),
                count: count(*n),
            })
            .collect()
    }
}

/// What a suggestion is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum SuggestionKind {
    /// A category: show it as "in Keripik & Kerupuk", search with `filter.categoryId`.
    Category,
    /// A product: open it directly.
    Product,
}

/// One suggestion for the search box.
pub struct SearchSuggestion(pub Suggestion);

#[Object]
impl SearchSuggestion {
    /// What to show: the category's or the product's name.
    async fn text(&self) -> &str {
        match &self.0 {
            Suggestion::Category(c) => &c.name,
            Suggestion::Product(p) => &p.name,
        }
    }

    /// Whether this is a category or a product.
    async fn kind(&self) -> SuggestionKind {
        match self.0 {
            Suggestion::Category(_) => SuggestionKind::Category,
            Suggestion::Product(_) => SuggestionKind::Product,
        }
    }

    /// The category, for a CATEGORY suggestion.
    async fn category(&self) -> Option<Category> {
        match &self.0 {
            Suggestion::Category(c) => Some(Category(c.clone())),
            Suggestion::Product(_) => None,
        }
    }

    /// The product, for a PRODUCT suggestion (a public product).
    async fn product(&self) -> Option<Product> {
        match &self.0 {
            Suggestion::Product(p) => Some(Product(p.clone())),
            Suggestion::Category(_) => None,
        }
    }
}
