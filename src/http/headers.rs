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
    let caching = res.response().extensions().get::<ApiCaching>().copied();
    cache_policy(res.headers_mut(), caching);
    Ok(res)
}

/// What the GraphQL handler says about its answer (a response extension); `cache_policy` turns
/// it into `Cache-Control`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiCaching {
    /// The same for every anonymous caller: a CDN and the phone's cache may keep it.
    Public {
        max_age: u64,
        stale_while_revalidate: u64,
    },
    /// For this caller only, or not cacheable at all.
    Private,
}

/// The caching decision for every response: a handler that chose a policy keeps it (media:
/// public and immutable, their keys being content-addressed). A GraphQL answer that the handler
/// marked public (an anonymous GET query answered without errors, see `http::public_cache`) may
/// be kept `max-age` seconds and served stale while revalidating (with its `ETag`); every other
/// GraphQL answer can depend on the caller and is `private, no-store`; anything else `no-store`.
fn cache_policy(headers: &mut HeaderMap, caching: Option<ApiCaching>) {
    if headers.contains_key(header::CACHE_CONTROL) {
        return;
    }
    let value = match caching {
        Some(ApiCaching::Public {
            max_age,
            stale_while_revalidate,
        }) => HeaderValue::from_str(&format!(
            "public, max-age={max_age}, stale-while-revalidate={stale_while_revalidate}"
        ))
        .unwrap_or(HeaderValue::from_static("no-store")),
        Some(ApiCaching::Private) => HeaderValue::from_static("private, no-store"),
        None => HeaderValue::from_static("no-store"),
    };
    headers.insert(header::CACHE_CONTROL, value);
}
