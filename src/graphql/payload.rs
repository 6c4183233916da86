//! Mutation payloads: validation and business-rule failures travel as `userErrors`;
//! authentication, permission, not-found and internal failures as GraphQL errors.

use async_graphql::{ComplexObject, Context, Enum, SimpleObject};

use crate::{
    error::{AppResult, FieldError},
    i18n::Language,
};

/// Why a user error happened: a stable code to switch on. The message says the same for people.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::error::FieldCode")]
pub enum UserErrorCode {
    /// The value is there but malformed or out of range (a bad NIB, a price of 0, a name of 200
    /// characters).
    Invalid,
    /// The value is missing, empty or only spaces.
    Required,
    /// Another account, seller or outlet already uses the value.
    Taken,
    /// A date has passed: a halal certificate that has expired, or an expiry date in the past.
    Expired,
    /// Sign-in failed, or a refresh token is no longer valid (the same answer whether or not the
    /// account exists): sign in again.
    InvalidCredentials,
    /// Too many attempts (logins, registrations) from here; try again later.
    TooManyAttempts,
    /// Only a verified seller may do this.
    NotVerified,
    /// A permit (P-IRT number, halal certificate) must be on record.
    PermitRequired,
    /// The object's current state does not allow this change.
    InvalidTransition,
    /// A suspended seller may not do this.
    SellerSuspended,
    /// The object changed since the version the caller reviewed; read it again.
    Stale,
    /// A cap on how many objects may be created was reached (see the README's Limits).
    LimitReached,
}

/// A failure the client shows next to a form field.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct UserError {
    /// Exact path of the input field at fault, from the argument down, e.g. "input.nib",
    /// "input.product.price", "input.openingHours[1].closes"; null when the input as a whole is.
    pub field: Option<String>,
    /// Stable code to switch on.
    pub code: UserErrorCode,
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
            code: e.code.into(),
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
