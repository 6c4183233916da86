//! Who is calling: the `Authorization` header of a request, verified.
//!
//! `Bearer <access token>` (a JWT, checked by `auth::jwt`) or `Kiosk <credential>`; no header
//! (or a blank one) is an anonymous caller. A credential that does not verify is an error,
//! never a downgrade to anonymous.

use crate::{
    auth::caller::Caller,
    domain::client_address::{IpRange, client_behind},
    error::{AppError, AppResult},
    services::accounts,
    state::AppState,
};

/// A credential as sent, before it is verified.
#[derive(Debug, PartialEq, Eq)]
pub enum Credential<'a> {
    None,
    Bearer(&'a str),
    Kiosk(&'a str),
}

/// Splits the header into its scheme and value; an unknown scheme is UNAUTHENTICATED.
pub fn parse(authorization: Option<&str>) -> AppResult<Credential<'_>> {
    let Some(header) = authorization.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(Credential::None);
    };
    let (scheme, value) = header.split_once(' ').ok_or(AppError::Unauthenticated)?;
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        Ok(Credential::Bearer(value))
    } else if scheme.eq_ignore_ascii_case("kiosk") {
        Ok(Credential::Kiosk(value))
    } else {
        Err(AppError::Unauthenticated)
    }
}

/// Resolves the caller of a request from its `Authorization` header.
pub async fn resolve(state: &AppState, authorization: Option<&str>) -> AppResult<Caller> {
    match parse(authorization)? {
        Credential::None => Ok(Caller::Anonymous),
        Credential::Bearer(token) => {
            let user_id = state.jwt.verify_access(token)?;
            accounts::user_caller(&state.db, user_id).await
        }
        Credential::Kiosk(credential) => accounts::kiosk_caller(&state.db, credential).await,
    }
}

/// The client's address for throttling: the TCP peer, or the address a trusted proxy forwarded
/// (`X-Forwarded-For`, read through trusted hops only; see `domain::client_address`).
pub fn client_address(req: &actix_web::HttpRequest, trusted: &[IpRange]) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return "unknown".into();
    };
    let forwarded_for = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    client_behind(peer, forwarded_for, trusted).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_case_insensitive_and_unknown_ones_refused() {
        assert_eq!(parse(None).ok(), Some(Credential::None));
        assert_eq!(parse(Some("  ")).ok(), Some(Credential::None));
        assert_eq!(
            parse(Some("bearer abc")).ok(),
            Some(Credential::Bearer("abc"))
        );
        assert_eq!(parse(Some("Kiosk k1")).ok(), Some(Credential::Kiosk("k1")));
        assert!(parse(Some("Basic dXNlcg==")).is_err());
        assert!(parse(Some("Bearer")).is_err());
    }
}
