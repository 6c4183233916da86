//! What a GraphQL request may cost, measured before anything runs.
//!
//! A field's cost approximates the database work it causes. Every field costs at least 1 (the
//! async-graphql default, `1 + cost of its selection`). A field that runs SQL statements of its
//! own, not batched by a DataLoader, adds [`STATEMENT`] per statement: lookups, and every
//! connection for its page and its `totalCount`. A list without pagination multiplies its selection by a
//! realistic size, a connection by its page size (at least 1, so `first: 0` is not free).
//!
//! [`CostGuard`] enforces the limits on every operation: the aliases and root fields of the
//! document when it is parsed, the cost when it is validated. Over HTTP, [`admit`] first dry-runs
//! every operation of a batch (parse and validation only) and refuses the whole request when
//! the sum of their costs is over the one budget, so a batch of ten does not get ten budgets.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use async_graphql::{
    Request, Response, ServerError, ServerResult, ValidationResult, Value, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
    },
    parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet},
};

use crate::{error::AppError, graphql::AppSchema, settings::Limits};

/// One SQL statement that a field runs on its own. Much more than a field (1): the budget is
/// meant to bound database work first.
pub const STATEMENT: usize = 100;
/// A mutation (each root field of a `mutation` operation): a unit of work with its reads, write,
/// events and commit, about five statements, before its payload.
pub const MUTATION: usize = 5 * STATEMENT;

/// Realistic sizes of the lists that have no pagination.
pub mod size {
    /// `categories`: the whole tree (a few dozen).
    pub const CATEGORIES: usize = 30;
    /// `Category.children`.
    pub const CHILDREN: usize = 10;
    /// `kecamatan`: East Java's largest regency has 33.
    pub const KECAMATAN: usize = 35;
    /// `District.villages` (at most 29 in East Java) and `villages` (default page 20).
    pub const VILLAGES: usize = 30;
    /// `Product.photos`.
    pub const PHOTOS: usize = 5;
    /// `Product.availability`: outlets that carry one product.
    pub const AVAILABILITY: usize = 5;
    /// `Outlet.openingHours`: one per weekday.
    pub const OPENING_HOURS: usize = 7;
    /// Suggestions of the search box (`searchSuggestions`, at most 20).
    pub const SUGGESTIONS: usize = 20;
}

/// Where a field's cost stops growing: far over any budget, and small enough that async-graphql's
/// own unchecked sums over a 256 KiB document cannot overflow.
const CAP: usize = 1 << 40;

/// A connection: its page query and its `totalCount` query (charged here, whether selected or
/// not, because the selection below is multiplied by the page size), plus its selection once
/// per item of the page.
pub fn connection(first: Option<i32>, child: usize) -> usize {
    let items = first.unwrap_or(20).clamp(1, 100) as usize;
    (1 + 2 * STATEMENT)
        .saturating_add(items.saturating_mul(child))
        .min(CAP)
}

/// A field that runs `statements` SQL statements of its own and returns one object.
pub fn lookup(statements: usize, child: usize) -> usize {
    (1 + statements * STATEMENT).saturating_add(child).min(CAP)
}

/// A list without pagination of about `size` items, after `statements` of its own.
pub fn list(statements: usize, size: usize, child: usize) -> usize {
    (1 + statements * STATEMENT)
        .saturating_add(size.saturating_mul(child))
        .min(CAP)
}

/// A page read through a DataLoader (`Seller.statusHistory`): the batch's statements are shared by
/// every parent of the request, so a parent adds one field per item of its page (`first`, 1 to
/// 100, default 20) times the item's selection, and a fraction of a statement for its share.
pub fn batched_page(first: Option<i32>, child: usize) -> usize {
    let items = first.unwrap_or(20).clamp(1, 100) as usize;
    (1 + STATEMENT / 10)
        .saturating_add(items.saturating_mul(child))
        .min(CAP)
}

/// A page of a list a DataLoader reads whole for every parent of the request at once
/// (`Outlet.sellers`, `Seller.outlets`): its one statement serves every parent (and is bounded by
/// the parents' own page), so a parent adds only its page (`first`, default 20) times the item's
/// selection.
pub fn loaded_page(first: Option<i32>, child: usize) -> usize {
    let items = first.unwrap_or(20).clamp(1, 100) as usize;
    1usize.saturating_add(items.saturating_mul(child)).min(CAP)
}

/// A scalar read through a DataLoader (`Category.productCount`): the batch's one statement is
/// shared by every parent of the request, so a parent adds its share, a tenth of a statement.
pub fn batched(child: usize) -> usize {
    (1 + STATEMENT / 10).saturating_add(child).min(CAP)
}

/// A dry run: validation records what the operation would cost, execution does not happen.
#[derive(Default)]
struct Probe {
    cost: Mutex<Option<usize>>,
    refused: Mutex<Option<AppError>>,
}

impl Probe {
    fn set_cost(&self, cost: usize) {
        if let Ok(mut slot) = self.cost.lock() {
            *slot = Some(cost);
        }
    }

    fn refuse(&self, err: AppError) {
        if let Ok(mut slot) = self.refused.lock() {
            *slot = Some(err);
        }
    }
}

/// The schema extension that enforces the limits of one operation.
pub struct CostGuard(pub Limits);

impl ExtensionFactory for CostGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostGuardExtension {
            limits: self.0,
            writes: AtomicUsize::new(0),
        })
    }
}

/// One per executed request (async-graphql creates extensions per request).
struct CostGuardExtension {
    limits: Limits,
    /// What the document's mutations add to the cost, counted when it is parsed
    /// (field annotations cannot see that a field is a mutation root).
    writes: AtomicUsize,
}

/// The error of a refused operation: no location (the whole document is at fault), with the
/// code `error.rs` gives it.
fn refusal(err: AppError) -> ServerError {
    let mut server = ServerError::new(err.message(), None);
    server.extensions = async_graphql::Error::from(err).extensions;
    server
}

#[async_graphql::async_trait::async_trait]
impl Extension for CostGuardExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        self.writes
            .store(mutations(&doc).saturating_mul(MUTATION), Ordering::Relaxed);
        if let Err(err) = check_shape(&doc, &self.limits) {
            if let Some(probe) = ctx.data_opt::<Arc<Probe>>() {
                probe.refuse(err.clone());
            }
            return Err(refusal(err));
        }
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let mut result = next.run(ctx).await?;
        result.complexity = result
            .complexity
            .saturating_add(self.writes.load(Ordering::Relaxed));
        if let Some(probe) = ctx.data_opt::<Arc<Probe>>() {
            probe.set_cost(result.complexity);
        }
        if result.complexity > self.limits.max_complexity {
            return Err(vec![refusal(too_costly(
                result.complexity,
                self.limits.max_complexity,
            ))]);
        }
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if ctx.data_opt::<Arc<Probe>>().is_some() {
            return Response::new(Value::Null);
        }
        next.run(ctx, operation_name).await
    }
}

fn too_costly(cost: usize, limit: usize) -> AppError {
    AppError::TooCostly(format!(
        "the request costs {cost}, more than the limit of {limit}; ask for fewer or smaller pages"
    ))
}

/// Aliases in the whole document and root fields per operation, counted on the parsed document
/// before validation: thousands of aliased lookups are refused however cheap each one looks.
pub fn check_shape(doc: &ExecutableDocument, limits: &Limits) -> Result<(), AppError> {
    let aliases: usize = doc
        .operations
        .iter()
        .map(|(_, op)| count_aliases(&op.node.selection_set.node))
        .chain(
            doc.fragments
                .values()
                .map(|f| count_aliases(&f.node.selection_set.node)),
        )
        .sum();
    if aliases > limits.max_aliases {
        return Err(AppError::TooCostly(format!(
            "a document may hold at most {} aliases, this one holds {aliases}",
            limits.max_aliases
        )));
    }
    for (_, op) in doc.operations.iter() {
        let roots = count_roots(doc, &op.node.selection_set.node, 0);
        if roots > limits.max_root_fields {
            return Err(AppError::TooCostly(format!(
                "an operation may select at most {} root fields, this one selects {roots}",
                limits.max_root_fields
            )));
        }
    }
    Ok(())
}

/// Root fields of the document's mutation operations.
fn mutations(doc: &ExecutableDocument) -> usize {
    doc.operations
        .iter()
        .filter(|(_, op)| op.node.ty == OperationType::Mutation)
        .map(|(_, op)| count_roots(doc, &op.node.selection_set.node, 0))
        .fold(0, usize::saturating_add)
}

fn count_aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(f) => {
                usize::from(f.node.alias.is_some()) + count_aliases(&f.node.selection_set.node)
            }
            Selection::InlineFragment(f) => count_aliases(&f.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

/// Root fields, through fragments at the root; `depth` stops a fragment cycle (which validation
/// refuses anyway).
fn count_roots(doc: &ExecutableDocument, set: &SelectionSet, depth: usize) -> usize {
    if depth > 8 {
        return 0;
    }
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(f) => count_roots(doc, &f.node.selection_set.node, depth + 1),
            Selection::FragmentSpread(s) => doc
                .fragments
                .get(&s.node.fragment_name.node)
                .map_or(0, |f| {
                    count_roots(doc, &f.node.selection_set.node, depth + 1)
                }),
        })
        .fold(0, usize::saturating_add)
}

/// What one request would cost: `Ok(None)` when it does not parse or validate (its execution
/// reports why, at no cost), `Err` when it breaks a limit.
pub async fn measure(schema: &AppSchema, request: &mut Request) -> Result<Option<usize>, AppError> {
    // Parsed once: the real run reuses the document kept in `request`.
    let doc = match request.parsed_query() {
        Ok(doc) => doc.clone(),
        Err(_) => return Ok(None),
    };
    let probe = Arc::new(Probe::default());
    let mut dry = Request::new(request.query.clone()).variables(request.variables.clone());
    dry.operation_name = request.operation_name.clone();
    dry.set_parsed_query(doc);
    schema.execute(dry.data(probe.clone())).await;
    if let Some(err) = probe.refused.lock().ok().and_then(|mut r| r.take()) {
        return Err(err);
    }
    Ok(probe.cost.lock().ok().and_then(|c| *c))
}

/// Admits the operations of one HTTP request when together they fit one budget; refuses the
/// whole request before any of them runs otherwise.
pub async fn admit(
    schema: &AppSchema,
    requests: &mut [Request],
    limits: &Limits,
) -> Result<usize, AppError> {
    let mut total: usize = 0;
    for request in requests.iter_mut() {
        total = total.saturating_add(measure(schema, request).await?.unwrap_or(0));
    }
    if total > limits.max_complexity {
        return Err(too_costly(total, limits.max_complexity));
    }
    Ok(total)
}
