//! Security headers on every response (errors and unknown routes included), and the one place
//! that decides the `Cache-Control` of API responses.

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderMap, HeaderValue},
    middleware::Next,
};

/// For responses that set no policy of their own (JSON has no active content; GraphiQL and
/// media set theirs): load nothing, and never be framed.
const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // Handler and extractor errors (413, 404, 405, bad JSON) reach here as responses already:
    // actix turns them into responses inside the route, so they get the headers too.
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        );
    }
    cache_policy(headers);
    Ok(res)
}

/// The caching decision for every response: a handler that chose a policy keeps it (media:
/// public and immutable, their keys being content-addressed); everything else, GraphQL answers above all (they can depend on the
/// caller), is `no-store`. Public caching of anonymous GET queries, if it comes, is decided here.
fn cache_policy(headers: &mut HeaderMap) {
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}
