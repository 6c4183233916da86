use async_graphql::{Context, ID, InputObject};

use crate::{
    domain::global_id::{GlobalId, NodeKind},
    error::{AppError, AppResult},
    graphql::context::ContextExt,
    services::catalog::{ProductFilter, check_search, with_descendants},
};

/// Narrows a product list. All given conditions must hold.
#[derive(InputObject, Default, Debug)]
pub struct ProductFilterInput {
    /// Words to look for in product names, categories, seller names and descriptions, typed the
    /// way travellers type: typos, spelling variants and English words match too ("kripik
    /// manga" and "mango chips" find "Keripik Mangga"); see the README's Search section. At most
    /// 100 characters.
    pub search: Option<String>,
    /// A category; products of its subcategories are included.
    pub category_id: Option<ID>,
    /// The same as `categoryId`, by slug (e.g. "makanan-minuman").
    pub category_slug: Option<String>,
    /// Products of one seller.
    pub seller_id: Option<ID>,
    /// Products in stock (quantity above zero) at this outlet.
    pub outlet_id: Option<ID>,
    /// Only products that are halal today (certificate on record and not expired).
    pub halal_only: Option<bool>,
    /// Only featured products (produk unggulan) when true, only others when false.
    pub featured: Option<bool>,
    /// Lowest price in Rupiah, inclusive.
    pub min_price: Option<i32>,
    /// Highest price in Rupiah, inclusive.
    pub max_price: Option<i32>,
    /// Kecamatan (district) code of the seller, e.g. "35.13.23" for Tongas.
    pub kecamatan_code: Option<String>,
}

/// Narrows a seller's own product list (`Seller.managedProducts`). All given conditions must hold.
#[derive(InputObject, Default, Debug)]
pub struct ManagedProductFilterInput {
    /// Only products in this status.
    pub status: Option<crate::graphql::enums::ProductStatus>,
    /// Words to look for in names and descriptions (case-insensitive substrings). At most 100
    /// characters.
    pub search: Option<String>,
    /// A category; products of its subcategories are included.
    pub category_id: Option<ID>,
    /// The same as `categoryId`, by slug.
    pub category_slug: Option<String>,
}

impl ManagedProductFilterInput {
    /// Validates every field, naming the one that is wrong.
    pub async fn parse(
        self,
        ctx: &Context<'_>,
    ) -> AppResult<crate::services::products::ManagedFilter> {
        check_search(self.search.as_deref(), "filter.search")?;
        let category_ids = category_subtree(ctx, self.category_id, self.category_slug).await?;
        Ok(crate::services::products::ManagedFilter {
            status: self.status.map(Into::into),
            search: self.search,
            category_ids,
        })
    }
}

/// `categoryId` or `categorySlug` (not both), expanded to the category and its descendants.
async fn category_subtree(
    ctx: &Context<'_>,
    id: Option<ID>,
    slug: Option<String>,
) -> AppResult<Option<Vec<uuid::Uuid>>> {
    let category = match (id, slug) {
        (Some(_), Some(_)) => {
            return Err(AppError::invalid(
                "filter.categoryId",
                "give categoryId or categorySlug, not both",
            ));
        }
        (Some(id), None) => Some((
            GlobalId::parse_kind(&id, NodeKind::Category, "filter.categoryId")?,
            None,
        )),
        (None, Some(slug)) => Some((uuid::Uuid::nil(), Some(slug))),
        (None, None) => None,
    };
    let Some((id, slug)) = category else {
        return Ok(None);
    };
    let all = ctx.loaders()?.categories().await?;
    let root = match slug {
        None => all.iter().find(|c| c.id == id).map(|c| c.id),
        Some(slug) => all.iter().find(|c| c.slug == slug).map(|c| c.id),
    };
    let field = if id.is_nil() {
        "filter.categorySlug"
    } else {
        "filter.categoryId"
    };
    let root = root.ok_or_else(|| AppError::invalid(field, "no such category"))?;
    Ok(Some(with_descendants(&all, root)))
}

/// `NN.NN.NN`: a Kemendagri district code.
pub fn parse_district_code(raw: &str, field: &str) -> AppResult<String> {
    let code = raw.trim();
    let parts: Vec<&str> = code.split('.').collect();
    let valid = parts.len() == 3
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()));
    if !valid {
        return Err(AppError::invalid(
            field,
            "a kecamatan code looks like 35.13.23",
        ));
    }
    Ok(code.to_string())
}

impl ProductFilterInput {
    /// Validates every field, naming the one that is wrong.
    pub async fn parse(self, ctx: &Context<'_>) -> AppResult<ProductFilter> {
        let mut filter = ProductFilter::default();
        check_search(self.search.as_deref(), "filter.search")?;
        filter.search = self.search;
        filter.category_ids = category_subtree(ctx, self.category_id, self.category_slug).await?;
        if let Some(id) = self.seller_id {
            filter.seller_id = Some(GlobalId::parse_kind(
                &id,
                NodeKind::Seller,
                "filter.sellerId",
            )?);
        }
        if let Some(id) = self.outlet_id {
            filter.outlet_id = Some(GlobalId::parse_kind(
                &id,
                NodeKind::Outlet,
                "filter.outletId",
            )?);
        }
        filter.halal_only = self.halal_only.unwrap_or(false);
        filter.featured = self.featured;
        if let Some(min) = self.min_price {
            if min < 0 {
                return Err(AppError::invalid("filter.minPrice", "must not be negative"));
            }
            filter.min_price = Some(i64::from(min));
        }
        if let Some(max) = self.max_price {
            if max < 0 {
                return Err(AppError::invalid("filter.maxPrice", "must not be negative"));
            }
            if self.min_price.is_some_and(|min| min > max) {
                return Err(AppError::invalid(
                    "filter.maxPrice",
                    "must not be below minPrice",
                ));
            }
            filter.max_price = Some(i64::from(max));
        }
        if let Some(code) = self.kecamatan_code {
            filter.district_code = Some(parse_district_code(&code, "filter.kecamatanCode")?);
        }
        Ok(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_codes() {
        assert_eq!(parse_district_code(" 35.13.23 ", "k").unwrap(), "35.13.23");
        for bad in ["35.13", "35.13.2", "ab.cd.ef", "35.13.23.2008"] {
            assert!(parse_district_code(bad, "k").is_err(), "{bad}");
        }
    }
}
