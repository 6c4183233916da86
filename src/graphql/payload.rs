//! Mutation payloads: validation and business-rule failures travel as `userErrors`;
//! authentication, permission, not-found and internal failures as GraphQL errors.

use async_graphql::{ComplexObject, Context, SimpleObject};

use crate::{
    error::{AppResult, FieldCode, FieldError},
    i18n::Language,
};

/// A failure the client shows next to a form field.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct UserError {
    /// Exact path of the input field at fault, from the argument down, e.g. "input.nib",
    /// "input.product.price", "input.openingHours[1].closes"; null when the input as a whole is.
    pub field: Option<String>,
    /// Stable code to switch on.
    pub code: FieldCode,
    /// The message in English, which is also its id in the translation table (`i18n`).
    #[graphql(skip)]
    pub english: String,
}

#[ComplexObject]
impl UserError {
    /// Human-readable explanation, in Indonesian, or in English when the request's
    /// `Accept-Language` prefers English.
    async fn message(&self, ctx: &Context<'_>) -> String {
        ctx.data_opt::<Language>()
            .copied()
            .unwrap_or_default()
            .translate(&self.english)
    }
}

impl UserError {
    /// A service's failure, its path (relative to the input it was given) placed under
    /// `prefix`: "input", or "input.product" for a nested input.
    pub fn under(e: FieldError, prefix: &str) -> Self {
        let e = e.under(prefix);
        UserError {
            field: e.field,
            code: e.code,
            english: e.message,
        }
    }
}

impl From<FieldError> for UserError {
    /// Services name fields relative to the input; every mutation takes one `input` argument.
    fn from(e: FieldError) -> Self {
        UserError::under(e, "input")
    }
}

/// Splits a service result into (value, userErrors); other failures stay errors.
pub fn split<T>(result: AppResult<T>) -> AppResult<(Option<T>, Vec<UserError>)> {
    split_under(result, "input")
}

/// As [`split`], for a service that was given a nested input (`input.product`): its paths go
/// under `prefix`.
pub fn split_under<T>(
    result: AppResult<T>,
    prefix: &str,
) -> AppResult<(Option<T>, Vec<UserError>)> {
    match result {
        Ok(v) => Ok((Some(v), Vec::new())),
        Err(err) => match err.field_errors() {
            Some(errors) => Ok((
                None,
                errors
                    .into_iter()
                    .map(|e| UserError::under(e, prefix))
                    .collect(),
            )),
            None => Err(err),
        },
    }
}
