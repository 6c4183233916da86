//! Which answers the shared response cache may hold, and under which key.
//!
//! Only queries of callers whose answers do not depend on who they are (anonymous callers, and
//! the kiosks of one outlet: `policy::shared_cache_scope`) are cached, and only answers without
//! errors. The key is the SHA-256 of: the scope, the catalogue version stamp (bumped by every
//! committed write), the normalised document, the operation name, the variables, the language
//! of messages, the calendar date in WIB (halal certificates expire at midnight) and, for
//! documents that read opening hours against the clock, the minute.

use async_graphql::{
    Request,
    parser::types::{DocumentOperations, OperationType},
};
use chrono::Timelike;

use crate::{
    auth::{caller::Caller, policy},
    domain::opening_hours::WIB,
    graphql::document,
    i18n::Language,
    state::AppState,
};

/// Fields whose value changes with the clock within a day.
const CLOCK_FIELDS: [&str; 3] = ["openNow", "todayHours", "nextOpening"];

/// The cache key of `request`, when its answer may be shared; `None` when it must be computed
/// for this caller alone (or the cache is off or unreachable).
pub async fn key(
    state: &AppState,
    request: &Request,
    caller: &Caller,
    language: Language,
) -> Option<String> {
    if !state.responses.enabled() {
        return None;
    }
    let scope = policy::shared_cache_scope(caller)?;
    if !selects_query(request) {
        return None;
    }
    let stamp = state.responses.stamp().await?;
    let now = state.clock.now().with_timezone(&WIB);
    let minute = if CLOCK_FIELDS.iter().any(|f| request.query.contains(f)) {
        format!("{:02}:{:02}", now.hour(), now.minute())
    } else {
        String::new()
    };
    let variables = serde_json::to_string(&request.variables).unwrap_or_default();
    let material = [
        scope.as_str(),
        &stamp.to_string(),
        &document::normalise(&request.query),
        request.operation_name.as_deref().unwrap_or(""),
        &variables,
        &format!("{language:?}"),
        &now.date_naive().to_string(),
        &minute,
    ]
    .join("\u{0}");
    Some(format!("v{stamp}:{}", document::sha256_hex(&material)))
}

/// Whether the request parses and selects a query operation.
fn selects_query(request: &Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let selected = match (&doc.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        (DocumentOperations::Multiple(_), None) => None,
    };
    selected.is_some_and(|op| op.node.ty == OperationType::Query)
}
