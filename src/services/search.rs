//! Product search: the index of terms each product is found under, kept current in the
//! transaction of every write, and the typo-tolerant, ranked lookup over it. Design notes in
//! `docs/search.md`.
//!
//! A product is indexed under the normalised words ([`crate::domain::search_text`]) of its name,
//! its category (and the categories above it), its seller's business name and its description,
//! each term with the weight of the most important field it appears in. A query is answered in
//! two steps, the same on both backends:
//!
//! 1. **Plan**: every query word is matched against the vocabulary of indexed terms: exactly,
//!    by prefix, through the variant table, or within one or two typos. The database narrows
//!    the vocabulary (PostgreSQL: the `%` trigram operator served by a GIN index, with the
//!    threshold set for the transaction; SQLite: the terms of a fitting length), and Rust
//!    decides, so both backends accept the same terms.
//! 2. **Rank**: the postings of the accepted terms (an index range scan of `product_terms`),
//!    joined with the product filter, are scored in Rust: per query word the best
//!    quality × field weight, summed, plus a bonus when the whole name equals or starts with the
//!    query. Ties are broken by name, then id, so keyset pagination is stable.

use std::collections::{BTreeMap, HashMap, HashSet};

use entity::{category, product, seller};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, Order, QueryFilter,
    QuerySelect, TransactionTrait,
    sea_query::{
        Alias, CaseStatement, Expr, ExprTrait, Func, OnConflict, Query, SimpleExpr, UnionType,
    },
};
use uuid::Uuid;

use crate::{
    domain::{
        events::DomainEvent,
        search_text::{self, QueryWord},
    },
    error::AppResult,
};

/// Field weights: a word in the name counts most, then the category, the seller, the
/// description.
pub mod weight {
    pub const NAME: i32 = 10;
    pub const CATEGORY: i32 = 6;
    pub const PARENT_CATEGORY: i32 = 4;
    pub const SELLER: i32 = 4;
    pub const DESCRIPTION: i32 = 2;
}

/// Prefix of the index entry holding a product's whole name as a phrase (not a word: never in
/// the vocabulary).
const NAME_KEY: &str = "=";
/// Prefix of the index entries holding the first words of a product's name.
const NAME_PREFIX_KEY: &str = "^";
/// Longest phrase kept in a name entry.
const MAX_KEY_CHARS: usize = 150;

/// Bonus when the whole normalised name equals the query ("dodol nangka").
const NAME_IS_QUERY: i64 = 2000;
/// Bonus when the normalised name starts with the query.
const NAME_STARTS_WITH_QUERY: i64 = 1000;
/// Trigram similarity under which PostgreSQL does not even offer a vocabulary term: low enough
/// that every term within the typo rule passes (one typo in four letters keeps 2 of 8
/// trigrams, two in eight keep 3 of 15 or more), so Rust decides on the same terms as on SQLite.
const PG_SIMILARITY_THRESHOLD: &str = "0.15";

const TERMS: &str = "product_terms";
const VOCAB: &str = "search_vocab";

fn terms_table() -> Alias {
    Alias::new(TERMS)
}
fn col(name: &str) -> Alias {
    Alias::new(name)
}

/// The terms of one product with the weight of the most important field each appears in.
pub fn product_terms(
    p: &product::Model,
    categories: &[&str],
    seller_name: &str,
) -> BTreeMap<String, i32> {
    let mut out = BTreeMap::new();
    let mut add = |text: &str, w: i32| {
        for term in search_text::index_terms(text) {
            let slot = out.entry(term).or_insert(w);
            *slot = Ord::max(*slot, w);
        }
    };
    add(&p.name, weight::NAME);
    for (i, c) in categories.iter().enumerate() {
        add(
            c,
            if i == 0 {
                weight::CATEGORY
            } else {
                weight::PARENT_CATEGORY
            },
        );
    }
    add(seller_name, weight::SELLER);
    add(&p.description, weight::DESCRIPTION);
    // The name as a phrase, and each of its beginnings, for the whole-name bonus.
    let words = search_text::query_terms(&p.name);
    for n in 1..=words.len() {
        let phrase: String = words[..n].join(" ").chars().take(MAX_KEY_CHARS).collect();
        let key = if n == words.len() {
            NAME_KEY
        } else {
            NAME_PREFIX_KEY
        };
        out.insert(format!("{key}{phrase}"), 0);
    }
    out
}

/// The category and its ancestors' names, nearest first.
fn category_chain(all: &HashMap<Uuid, category::Model>, id: Uuid) -> Vec<&str> {
    let mut out = Vec::new();
    let mut next = Some(id);
    while let Some(id) = next {
        let Some(c) = all.get(&id) else { break };
        out.push(c.name.as_str());
        next = c.parent_id;
        if out.len() > 16 {
            break;
        }
    }
    out
}

/// (Re)indexes the given products (missing ids are simply removed from the index).
pub async fn index_products(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let categories: HashMap<Uuid, category::Model> = category::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    for chunk in ids.chunks(200) {
        let products = product::Entity::find()
            .filter(product::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        let seller_ids: HashSet<Uuid> = products.iter().map(|p| p.seller_id).collect();
        let sellers: HashMap<Uuid, String> = seller::Entity::find()
            .filter(seller::Column::Id.is_in(seller_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s.business_name))
            .collect();
        db.execute(
            &Query::delete()
                .from_table(terms_table())
                .and_where(Expr::col(col("product_id")).is_in(chunk.iter().copied()))
                .to_owned(),
        )
        .await?;
        let mut rows: Vec<(Uuid, String, i32)> = Vec::new();
        for p in &products {
            let chain = category_chain(&categories, p.category_id);
            let seller_name = sellers.get(&p.seller_id).map_or("", String::as_str);
            rows.extend(
                product_terms(p, &chain, seller_name)
                    .into_iter()
                    .map(|(t, w)| (p.id, t, w)),
            );
        }
        insert_terms(db, &rows).await?;
    }
    Ok(())
}

async fn insert_terms(db: &impl ConnectionTrait, rows: &[(Uuid, String, i32)]) -> AppResult<()> {
    for chunk in rows.chunks(300) {
        let mut insert = Query::insert()
            .into_table(terms_table())
            .columns([col("product_id"), col("term"), col("weight")])
            .to_owned();
        for (id, term, w) in chunk {
            insert.values_panic([(*id).into(), term.clone().into(), (*w).into()]);
        }
        db.execute(&insert).await?;
    }
    let mut vocab: Vec<&str> = rows
        .iter()
        .map(|(_, t, _)| t.as_str())
        .filter(|t| !t.starts_with(NAME_KEY) && !t.starts_with(NAME_PREFIX_KEY))
        .collect();
    vocab.sort_unstable();
    vocab.dedup();
    for chunk in vocab.chunks(500) {
        let mut insert = Query::insert()
            .into_table(Alias::new(VOCAB))
            .columns([col("term")])
            .on_conflict(OnConflict::column(col("term")).do_nothing().to_owned())
            .to_owned();
        for term in chunk {
            insert.values_panic([(*term).into()]);
        }
        db.execute(&insert).await?;
    }
    Ok(())
}

/// Reindexes the products of these sellers (their business name is part of every product).
pub async fn index_sellers(db: &impl ConnectionTrait, sellers: &[Uuid]) -> AppResult<()> {
    if sellers.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = product::Entity::find()
        .select_only()
        .column(product::Column::Id)
        .filter(product::Column::SellerId.is_in(sellers.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    index_products(db, &ids).await
}

/// Rebuilds the whole index.
pub async fn index_all(db: &impl ConnectionTrait) -> AppResult<()> {
    db.execute(&Query::delete().from_table(terms_table()).to_owned())
        .await?;
    db.execute(&Query::delete().from_table(Alias::new(VOCAB)).to_owned())
        .await?;
    let ids: Vec<Uuid> = product::Entity::find()
        .select_only()
        .column(product::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    index_products(db, &ids).await
}

/// Brings the index up to date with the writes of a unit of work, inside its transaction (so a
/// search right after the commit already sees them): the products changed, those of sellers
/// whose data changed, and those of a changed category's subtree.
pub async fn apply(db: &impl ConnectionTrait, events: &[DomainEvent]) -> AppResult<()> {
    let mut products = Vec::new();
    let mut sellers = Vec::new();
    let mut categories = Vec::new();
    for e in events {
        match e {
            DomainEvent::ProductChanged { product_id, .. } => products.push(*product_id),
            DomainEvent::SellerChanged { seller_id } => sellers.push(*seller_id),
            DomainEvent::CategoryChanged { category_id } => categories.push(*category_id),
            _ => {}
        }
    }
    if !categories.is_empty() {
        let all = category::Entity::find().all(db).await?;
        let subtree: Vec<Uuid> = categories
            .iter()
            .flat_map(|c| crate::services::catalog::with_descendants(&all, *c))
            .collect();
        let ids: Vec<Uuid> = product::Entity::find()
            .select_only()
            .column(product::Column::Id)
            .filter(product::Column::CategoryId.is_in(subtree))
            .into_tuple()
            .all(db)
            .await?;
        products.extend(ids);
    }
    products.sort_unstable();
    products.dedup();
    index_products(db, &products).await?;
    index_sellers(db, &sellers).await
}

/// Rebuilds the index when it does not cover every product (a database filled before the index
/// existed, or rows written around the services, such as a bulk load).
pub async fn ensure_current(db: &impl ConnectionTrait) -> AppResult<bool> {
    let backend = db.get_database_backend();
    let count = |sql: &str| {
        let sql = sql.to_string();
        async move {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(backend, sql))
                .await?;
            Ok::<i64, sea_orm::DbErr>(
                row.map(|r| r.try_get_by_index::<i64>(0))
                    .transpose()?
                    .unwrap_or(0),
            )
        }
    };
    let products = count("SELECT COUNT(*) FROM products").await?;
    let indexed = count("SELECT COUNT(DISTINCT product_id) FROM product_terms").await?;
    if products == indexed {
        return Ok(false);
    }
    tracing::info!(products, indexed, "rebuilding the search index");
    index_all(db).await?;
    Ok(true)
}

/// A query resolved against the vocabulary: its words and the indexed terms that answer them.
#[derive(Debug, Clone)]
pub struct Plan {
    words: Vec<QueryWord>,
    phrase: String,
    /// Term → (word index, quality) for every word it answers.
    terms: HashMap<String, Vec<(usize, u32)>>,
}

/// One product found, with its score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub id: Uuid,
    pub name: String,
    pub score: i64,
}

impl Hit {
    /// The relevance order: score descending, then name, then id (total and stable).
    pub fn order(a: &Hit, b: &Hit) -> std::cmp::Ordering {
        b.score
            .cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    }
}

/// Candidates of the vocabulary for one word (a superset of what [`QueryWord::quality`]
/// accepts), from the database.
async fn vocabulary(db: &impl ConnectionTrait, word: &QueryWord) -> AppResult<Vec<String>> {
    let backend = db.get_database_backend();
    let term = || Expr::col(col("term"));
    let from = |cond: SimpleExpr| {
        Query::select()
            .column(col("term"))
            .from(Alias::new(VOCAB))
            .and_where(cond)
            .to_owned()
    };
    // One branch per predicate, so that each is served by its own index on PostgreSQL (an OR
    // of them makes the planner give up the trigram index).
    let mut branches = Vec::new();
    if backend == DbBackend::Postgres {
        branches.push(from(Expr::cust_with_values(
            "term % $1",
            [word.word.clone()],
        )));
        branches.push(from(term().like(format!("{}%", word.word))));
    } else {
        let (lo, hi) = word.typo_lengths();
        let narrow = from(
            Expr::expr(Func::cust(Alias::new("length")).arg(term()))
                .between(lo as i64, hi as i64)
                .or(term()
                    .gte(word.word.clone())
                    .and(term().lt(format!("{}\u{10FFFF}", word.word)))),
        );
        branches.push(narrow);
    }
    if !word.variants.is_empty() {
        branches.push(from(
            term().is_in(word.variants.iter().map(|(v, _)| v.clone())),
        ));
    }
    let mut branches = branches.into_iter();
    let Some(mut select) = branches.next() else {
        return Ok(Vec::new());
    };
    for other in branches {
        select.union(UnionType::Distinct, other);
    }
    let rows = db.query_all(&select).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect())
}

/// Resolves `query` against the vocabulary; `None` when it is blank.
pub async fn plan<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    query: &str,
) -> AppResult<Option<Plan>> {
    let words: Vec<QueryWord> = search_text::query_terms(query)
        .iter()
        .map(|w| QueryWord::new(w))
        .collect();
    if words.is_empty() {
        // Blank text is no search at all; punctuation only ("%") is a search that finds nothing.
        return Ok((!query.trim().is_empty()).then(|| Plan {
            words: Vec::new(),
            phrase: String::new(),
            terms: HashMap::new(),
        }));
    }
    let mut candidates = Vec::new();
    if db.get_database_backend() == DbBackend::Postgres {
        // The threshold of `%` is a setting; SET LOCAL keeps it to this transaction.
        let txn = db.begin().await?;
        txn.execute_unprepared(&format!(
            "SET LOCAL pg_trgm.similarity_threshold = {PG_SIMILARITY_THRESHOLD}"
        ))
        .await?;
        for w in &words {
            candidates.extend(vocabulary(&txn, w).await?);
        }
        // Read only: ending it by dropping (a rollback) is all it needs.
        drop(txn);
    } else {
        for w in &words {
            candidates.extend(vocabulary(db, w).await?);
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    let mut terms: HashMap<String, Vec<(usize, u32)>> = HashMap::new();
    for term in candidates {
        let answers: Vec<(usize, u32)> = words
            .iter()
            .enumerate()
            .filter_map(|(i, w)| w.quality(&term).map(|q| (i, q)))
            .collect();
        if !answers.is_empty() {
            terms.insert(term, answers);
        }
    }
    Ok(Some(Plan {
        phrase: words
            .iter()
            .map(|w| w.word.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        words,
        terms,
    }))
}

impl Plan {
    fn term_list(&self) -> Vec<String> {
        let mut t: Vec<String> = self.terms.keys().cloned().collect();
        t.sort_unstable();
        t
    }

    /// Products having at least one term that answers a query word, as a condition on
    /// `products.id` (a subquery over the term index).
    pub fn condition(&self) -> SimpleExpr {
        Expr::col((product::Entity, product::Column::Id)).in_subquery(
            Query::select()
                .column(col("product_id"))
                .from(terms_table())
                .and_where(Expr::col(col("term")).is_in(self.term_list()))
                .to_owned(),
        )
    }

    /// How well a short text (a category name) answers the query: the sum of each word's best
    /// quality, when every word is answered.
    pub fn answers(&self, text: &str) -> Option<u32> {
        if self.words.is_empty() {
            return None;
        }
        let terms = search_text::index_terms(text);
        self.words
            .iter()
            .map(|w| terms.iter().filter_map(|t| w.quality(t)).max())
            .sum()
    }

    /// One page of the products matching the plan and `filter`, in relevance order, starting
    /// strictly after `after`. The database scores, orders and cuts the page (only the page
    /// travels), from the postings of the accepted terms: per query word the best
    /// quality × weight, summed, plus the whole-name bonus.
    pub async fn page(
        &self,
        db: &impl ConnectionTrait,
        filter: Condition,
        after: Option<&Hit>,
        limit: u64,
    ) -> AppResult<Vec<Hit>> {
        if self.terms.is_empty() {
            return Ok(Vec::new());
        }
        let t = |c: &str| Expr::col((terms_table(), col(c)));
        // Level 1: per product, the best score of each word and the name bonus.
        let mut grouped = Query::select()
            .expr_as(t("product_id"), col("id"))
            .expr_as(
                Expr::col((product::Entity, product::Column::Name)),
                col("name"),
            )
            .from(terms_table())
            .inner_join(
                product::Entity,
                Expr::col((product::Entity, product::Column::Id))
                    .equals((terms_table(), col("product_id"))),
            )
            .to_owned();
        let mut in_list = self.term_list();
        for i in 0..self.words.len() {
            let mut case = CaseStatement::new();
            let mut any = false;
            for (term, answers) in &self.terms {
                if let Some((_, q)) = answers.iter().find(|(w, _)| *w == i) {
                    case = case.case(t("term").eq(term.as_str()), Expr::val(i64::from(*q)));
                    any = true;
                }
            }
            let expr: SimpleExpr = if any {
                Expr::expr(case.finally(Expr::val(0i64))).mul(t("weight"))
            } else {
                Expr::val(0i64)
            };
            grouped.expr_as(Func::max(expr), col(&format!("s{i}")));
        }
        let equal = format!("{NAME_KEY}{}", self.phrase);
        let starts = format!("{NAME_PREFIX_KEY}{}", self.phrase);
        grouped.expr_as(
            Func::max(Expr::expr(
                CaseStatement::new()
                    .case(t("term").eq(equal.as_str()), Expr::val(NAME_IS_QUERY))
                    .case(
                        t("term").eq(starts.as_str()),
                        Expr::val(NAME_STARTS_WITH_QUERY),
                    )
                    .finally(Expr::val(0i64)),
            )),
            col("b"),
        );
        in_list.push(equal);
        in_list.push(starts);
        grouped
            .and_where(t("term").is_in(in_list))
            .cond_where(filter)
            .group_by_col(t_col("product_id"))
            .group_by_col((product::Entity, product::Column::Name));
        // Level 2: the score.
        let sum = (0..self.words.len()).fold(Expr::col(col("b")), |acc, i| {
            acc.add(Expr::col(col(&format!("s{i}"))))
        });
        let scored = Query::select()
            .column(col("id"))
            .column(col("name"))
            .expr_as(sum.cast_as(Alias::new("BIGINT")), col("score"))
            .from_subquery(grouped, col("g"))
            .to_owned();
        // Level 3: the page after the cursor, in a total order.
        let mut page = Query::select()
            .columns([col("id"), col("name"), col("score")])
            .from_subquery(scored, col("r"))
            .order_by(col("score"), Order::Desc)
            .order_by(col("name"), Order::Asc)
            .order_by(col("id"), Order::Asc)
            .limit(limit)
            .to_owned();
        if let Some(h) = after {
            let score = || Expr::col(col("score"));
            let name = || Expr::col(col("name"));
            page.cond_where(
                Condition::any()
                    .add(score().lt(h.score))
                    .add(score().eq(h.score).and(name().gt(h.name.as_str())))
                    .add(
                        score()
                            .eq(h.score)
                            .and(name().eq(h.name.as_str()))
                            .and(Expr::col(col("id")).gt(h.id)),
                    ),
            );
        }
        let rows = db.query_all(&page).await?;
        rows.into_iter()
            .map(|r| {
                Ok(Hit {
                    id: r.try_get_by_index(0)?,
                    name: r.try_get_by_index(1)?,
                    score: r.try_get_by_index(2)?,
                })
            })
            .collect()
    }
}

fn t_col(c: &str) -> (Alias, Alias) {
    (terms_table(), col(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_outweighs_description() {
        let p = product::Model {
            id: Uuid::nil(),
            seller_id: Uuid::nil(),
            category_id: Uuid::nil(),
            name: "Keripik Mangga".into(),
            slug: "x".into(),
            description: "Keripik dari mangga dan nangka.".into(),
            price: 1,
            unit_label: "pak".into(),
            net_weight_grams: None,
            shelf_life_days: None,
            halal: false,
            featured: false,
            status: entity::enums::ProductStatus::Active,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        let terms = product_terms(&p, &["Keripik", "Makanan Ringan"], "Bu Sri");
        assert_eq!(terms["keripik"], weight::NAME);
        assert_eq!(terms["nangka"], weight::DESCRIPTION);
        assert_eq!(terms["makanan"], weight::PARENT_CATEGORY);
        assert_eq!(terms["sri"], weight::SELLER);
        assert!(!terms.contains_key("dan"));
    }
}
