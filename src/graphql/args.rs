//! Argument conventions shared by the entry points.

use async_graphql::ID;

use crate::error::{AppError, AppResult};

/// Exactly one of two alternative arguments must be given.
pub fn one_of<'a>(
    id: &'a Option<ID>,
    other: &'a Option<String>,
    other_name: &str,
) -> AppResult<Result<&'a str, &'a str>> {
    match (id, other) {
        (Some(id), None) => Ok(Ok(id.as_str())),
        (None, Some(other)) => Ok(Err(other.as_str())),
        _ => Err(AppError::invalid(
            "id",
            format!("give exactly one of id and {other_name}"),
        )),
    }
}
