//! GraphQL over HTTP media types (graphql-over-http): which body a `POST` may carry, and which
//! response type the client's `Accept` chooses.

use actix_web::{HttpRequest, http::header};

pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
pub const JSON: &str = "application/json";

/// The response media type of one `/graphql` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMedia {
    /// `application/graphql-response+json`: HTTP statuses follow the spec (400 for requests that
    /// never started executing, without a `data` entry).
    GraphqlResponse,
    /// `application/json` (the legacy type): 200 for every executed or parse-failed request.
    Json,
}

impl ResponseMedia {
    /// `application/graphql-response+json` only when the client names it explicitly with a
    /// quality at least that of `application/json`; everything else (no `Accept`, `*/*`,
    /// `application/json`, types we do not serve) gets `application/json`, as before the spec.
    pub fn negotiate(req: &HttpRequest) -> Self {
        let accept = accept(req);
        let graphql = quality(&accept, GRAPHQL_RESPONSE_JSON, true);
        let json = quality(&accept, JSON, false);
        match graphql {
            Some(q) if q > 0.0 && q >= json.unwrap_or(0.0) => ResponseMedia::GraphqlResponse,
            _ => ResponseMedia::Json,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ResponseMedia::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            ResponseMedia::Json => "application/json",
        }
    }
}

/// A browser asking for a page: `text/html` named explicitly and preferred to both JSON types.
pub fn prefers_html(req: &HttpRequest) -> bool {
    let accept = accept(req);
    let html = quality(&accept, "text/html", true).unwrap_or(0.0);
    html > 0.0
        && html > quality(&accept, JSON, true).unwrap_or(0.0)
        && html > quality(&accept, GRAPHQL_RESPONSE_JSON, true).unwrap_or(0.0)
}

/// Whether a `POST` body is declared JSON (`application/json`, any parameters such as
/// `charset`). Anything else, multipart included, and no type at all are refused with 415.
pub fn is_json_body(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(JSON))
}

/// Whether a `POST` body is declared `multipart/form-data` (the GraphQL multipart request spec).
pub fn is_multipart_body(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// Headers that a browser cannot send cross-origin without a CORS preflight. A multipart form
/// is otherwise a "simple" request any web page can make a signed-in browser send (CSRF); with
/// one of these, the preflight decides (as Apollo Server's CSRF prevention requires).
pub const PREFLIGHT_HEADERS: [&str; 2] = ["apollo-require-preflight", "x-apollo-operation-name"];

/// Whether the request carries a non-empty preflight-forcing header.
pub fn forces_preflight(req: &HttpRequest) -> bool {
    PREFLIGHT_HEADERS.iter().any(|name| {
        req.headers()
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| !v.trim().is_empty())
    })
}

/// Whether a GraphQL document holds only `uploadPhoto` mutations (what multipart may carry).
pub fn only_uploads(query: &str) -> bool {
    use async_graphql::parser::types::{OperationType, Selection};
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    doc.fragments.is_empty()
        && doc.operations.iter().all(|(_, op)| {
            op.node.ty == OperationType::Mutation
                && !op.node.selection_set.node.items.is_empty()
                && op.node.selection_set.node.items.iter().all(|item| {
                    matches!(&item.node, Selection::Field(f) if f.node.name.node == "uploadPhoto")
                })
        })
}

/// `(media range, quality)` pairs of the `Accept` headers, lower case.
fn accept(req: &HttpRequest) -> Vec<(String, f32)> {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|range| {
            let mut parts = range.split(';');
            let media = parts.next()?.trim().to_ascii_lowercase();
            if media.is_empty() {
                return None;
            }
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0)
                .clamp(0.0, 1.0);
            Some((media, q))
        })
        .collect()
}

/// The quality the client gives `media`: from its exact range, else (unless `exact_only`) from
/// `type/*` or `*/*`. `None` when no range matches.
fn quality(accept: &[(String, f32)], media: &str, exact_only: bool) -> Option<f32> {
    if let Some((_, q)) = accept.iter().find(|(m, _)| m == media) {
        return Some(*q);
    }
    if exact_only {
        return None;
    }
    let family = format!("{}/*", media.split('/').next().unwrap_or_default());
    accept
        .iter()
        .find(|(m, _)| *m == family)
        .or_else(|| accept.iter().find(|(m, _)| m == "*/*"))
        .map(|(_, q)| *q)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn media(accept: Option<&str>) -> ResponseMedia {
        let mut req = TestRequest::default();
        if let Some(accept) = accept {
            req = req.insert_header(("accept", accept));
        }
        ResponseMedia::negotiate(&req.to_http_request())
    }

    #[test]
    fn the_spec_type_only_when_named() {
        use ResponseMedia::*;
        assert_eq!(media(None), Json);
        assert_eq!(media(Some("*/*")), Json);
        assert_eq!(media(Some("application/json")), Json);
        assert_eq!(media(Some("text/html")), Json);
        assert_eq!(
            media(Some("application/graphql-response+json")),
            GraphqlResponse
        );
        assert_eq!(
            media(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            GraphqlResponse
        );
        assert_eq!(
            media(Some(
                "application/graphql-response+json, application/json, multipart/mixed"
            )),
            GraphqlResponse
        );
        assert_eq!(
            media(Some(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Json
        );
        assert_eq!(media(Some("application/graphql-response+json;q=0")), Json);
    }

    fn html(accept: &str) -> bool {
        prefers_html(
            &TestRequest::default()
                .insert_header(("accept", accept))
                .to_http_request(),
        )
    }

    #[test]
    fn browsers_ask_for_html() {
        assert!(html(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ));
        assert!(!html("*/*"));
        assert!(!html("application/json"));
        assert!(!html("text/html;q=0.5, application/json"));
    }

    #[test]
    fn multipart_carries_uploads_only() {
        assert!(only_uploads(
            "mutation($f: Upload!) { uploadPhoto(input: {}, file: $f) { photo { id } } }"
        ));
        assert!(only_uploads(
            "mutation A($f: Upload!) { a: uploadPhoto(input: {}, file: $f) { photo { id } } }"
        ));
        assert!(!only_uploads("{ categories { slug } }"));
        assert!(!only_uploads(
            "mutation { uploadPhoto(input: {}, file: null) { photo { id } } deletePhoto(input: {photoId: \"x\"}) { deletedPhotoId } }"
        ));
        assert!(!only_uploads(
            "mutation { ...F } fragment F on Mutation { deletePhoto }"
        ));
        assert!(!only_uploads("not graphql"));
    }

    #[test]
    fn preflight_headers_are_required() {
        let with = |name: &str, value: &str| {
            forces_preflight(
                &TestRequest::default()
                    .insert_header((name, value))
                    .to_http_request(),
            )
        };
        assert!(with("Apollo-Require-Preflight", "true"));
        assert!(with("x-apollo-operation-name", "UploadPhoto"));
        assert!(!with("apollo-require-preflight", " "));
        assert!(!with("x-requested-with", "XMLHttpRequest"));
    }

    #[test]
    fn json_bodies_only() {
        let with = |ct: &str| {
            is_json_body(
                &TestRequest::default()
                    .insert_header(("content-type", ct))
                    .to_http_request(),
            )
        };
        assert!(with("application/json"));
        assert!(with("application/json; charset=utf-8"));
        assert!(with("Application/JSON"));
        assert!(!with("text/plain"));
        assert!(!with("multipart/form-data; boundary=x"));
        assert!(!with("application/x-www-form-urlencoded"));
        assert!(!is_json_body(&TestRequest::default().to_http_request()));
    }
}
