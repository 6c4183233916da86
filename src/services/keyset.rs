//! Keyset pagination: every list orders by its sort key(s) and then the id, and a page starts
//! strictly after the key of the last row the client saw (`domain::cursor`). Inserts and
//! removals between two pages therefore neither repeat nor skip a row that stays in the list.

use sea_orm::{
    Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select,
    sea_query::{Expr, ExprTrait, IntoColumnRef, SimpleExpr},
};
use serde_json::Value as Json;

use crate::{
    domain::cursor::{self, Key, Page},
    error::{AppError, AppResult},
};

type ValueOf<M> = Box<dyn Fn(&M) -> Json + Send + Sync>;
type Bound = Box<dyn Fn(&Json) -> Option<SimpleExpr> + Send + Sync>;

/// One sort key: the expression rows are ordered by, its direction, the value a cursor carries
/// for a row, and the expression a cursor value is compared with.
pub struct Part<M> {
    expr: SimpleExpr,
    desc: bool,
    value: ValueOf<M>,
    bound: Bound,
}

impl<M> Part<M> {
    /// A sort key given by its own expressions (e.g. a search rank computed from a name).
    pub fn custom(
        expr: SimpleExpr,
        desc: bool,
        value: impl Fn(&M) -> Json + Send + Sync + 'static,
        bound: impl Fn(&Json) -> Option<SimpleExpr> + Send + Sync + 'static,
    ) -> Self {
        Part {
            expr,
            desc,
            value: Box::new(value),
            bound: Box::new(bound),
        }
    }

    pub fn text(
        col: impl IntoColumnRef,
        desc: bool,
        value: impl Fn(&M) -> String + Send + Sync + 'static,
    ) -> Self {
        Self::custom(
            Expr::col(col),
            desc,
            move |m| Json::from(value(m)),
            |j| j.as_str().map(|s| Expr::val(s.to_string())),
        )
    }

    pub fn int(
        col: impl IntoColumnRef,
        desc: bool,
        value: impl Fn(&M) -> i64 + Send + Sync + 'static,
    ) -> Self {
        Self::custom(
            Expr::col(col),
            desc,
            move |m| Json::from(value(m)),
            |j| j.as_i64().map(Expr::val),
        )
    }

    pub fn time(
        col: impl IntoColumnRef,
        desc: bool,
        value: impl Fn(&M) -> chrono::DateTime<chrono::Utc> + Send + Sync + 'static,
    ) -> Self {
        Self::custom(
            Expr::col(col),
            desc,
            move |m| Json::from(value(m).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            |j| {
                let t = chrono::DateTime::parse_from_rfc3339(j.as_str()?).ok()?;
                Some(Expr::val(t.with_timezone(&chrono::Utc)))
            },
        )
    }

    /// The id, ascending: the last key of every order, which makes it total.
    pub fn id(
        col: impl IntoColumnRef,
        value: impl Fn(&M) -> uuid::Uuid + Send + Sync + 'static,
    ) -> Self {
        Self::custom(
            Expr::col(col),
            false,
            move |m| Json::from(value(m).to_string()),
            |j| {
                let id = uuid::Uuid::parse_str(j.as_str()?).ok()?;
                Some(Expr::val(id))
            },
        )
    }
}

/// A named order: its keys, the id last. The name goes into every cursor, so a cursor of one
/// order (or list) is refused by another instead of landing somewhere arbitrary.
pub struct Keyset<M> {
    pub order: &'static str,
    pub parts: Vec<Part<M>>,
}

/// One page: the rows, the cursor of each, and whether another page follows.
pub struct Paged<M> {
    pub rows: Vec<M>,
    pub cursors: Vec<String>,
    pub has_next: bool,
}

fn foreign() -> AppError {
    AppError::InvalidCursor("the cursor was not issued for this list and order".into())
}

impl<M> Keyset<M> {
    /// Rows strictly after `key` in this order (lexicographic over the keys).
    fn after(&self, key: &Key) -> AppResult<Condition> {
        if key.order != self.order || key.values.len() != self.parts.len() {
            return Err(foreign());
        }
        let bounds = self
            .parts
            .iter()
            .zip(&key.values)
            .map(|(part, value)| (part.bound)(value).ok_or_else(foreign))
            .collect::<AppResult<Vec<_>>>()?;
        let mut any = Condition::any();
        for (i, part) in self.parts.iter().enumerate() {
            let mut all = Condition::all();
            for (earlier, bound) in self.parts[..i].iter().zip(&bounds) {
                all = all.add(earlier.expr.clone().eq(bound.clone()));
            }
            let beyond = if part.desc {
                part.expr.clone().lt(bounds[i].clone())
            } else {
                part.expr.clone().gt(bounds[i].clone())
            };
            any = any.add(all.add(beyond));
        }
        Ok(any)
    }

    fn cursor(&self, row: &M) -> String {
        cursor::encode(
            self.order,
            self.parts.iter().map(|p| (p.value)(row)).collect(),
        )
    }
}

/// Compares two cursor values of one sort key: strings by bytes, numbers by value.
fn compare(a: &Json, b: &Json) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Json::String(a), Json::String(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (Json::Number(a), Json::Number(b)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        _ => None,
    }
}

/// Orders two rows' key values by `keyset`, each key in its direction.
fn order_of<M>(keyset: &Keyset<M>, a: &[Json], b: &[Json]) -> Option<std::cmp::Ordering> {
    for ((part, a), b) in keyset.parts.iter().zip(a).zip(b) {
        let ord = compare(a, b)?;
        let ord = if part.desc { ord.reverse() } else { ord };
        if ord.is_ne() {
            return Some(ord);
        }
    }
    Some(std::cmp::Ordering::Equal)
}

/// One page of a list that a DataLoader read whole for many parents at once (the sellers of
/// each outlet, the outlets of each seller): sorted by `keyset` in memory, starting strictly
/// after the cursor's position with the same cursors [`fetch`] issues, so a row added or
/// removed between two pages neither repeats nor skips another.
pub fn slice<M>(rows: Vec<M>, keyset: &Keyset<M>, page: &Page) -> AppResult<Paged<M>> {
    let mut keyed: Vec<(Vec<Json>, M)> = rows
        .into_iter()
        .map(|row| (keyset.parts.iter().map(|p| (p.value)(&row)).collect(), row))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| order_of(keyset, a, b).unwrap_or(std::cmp::Ordering::Equal));
    if let Some(key) = &page.after {
        if key.order != keyset.order || key.values.len() != keyset.parts.len() {
            return Err(foreign());
        }
        if let Some((first, _)) = keyed.first() {
            order_of(keyset, first, &key.values).ok_or_else(foreign)?;
        }
        keyed
            .retain(|(values, _)| order_of(keyset, values, &key.values).is_some_and(|o| o.is_gt()));
    }
    let has_next = keyed.len() as u64 > page.limit;
    keyed.truncate(page.limit as usize);
    let cursors = keyed
        .iter()
        .map(|(values, _)| cursor::encode(keyset.order, values.clone()))
        .collect();
    Ok(Paged {
        rows: keyed.into_iter().map(|(_, row)| row).collect(),
        cursors,
        has_next,
    })
}

/// One page of `select` in the order `keyset` names, reading one row more to know whether
/// another page follows (no count, no offset).
pub async fn fetch<E: EntityTrait>(
    select: Select<E>,
    keyset: &Keyset<E::Model>,
    page: &Page,
    db: &impl ConnectionTrait,
) -> AppResult<Paged<E::Model>> {
    let mut select = select;
    for part in &keyset.parts {
        let order = if part.desc { Order::Desc } else { Order::Asc };
        select = select.order_by(part.expr.clone(), order);
    }
    if let Some(key) = &page.after {
        select = select.filter(keyset.after(key)?);
    }
    let mut rows = select.limit(page.limit + 1).all(db).await?;
    let has_next = rows.len() as u64 > page.limit;
    rows.truncate(page.limit as usize);
    let cursors = rows.iter().map(|r| keyset.cursor(r)).collect();
    Ok(Paged {
        rows,
        cursors,
        has_next,
    })
}
