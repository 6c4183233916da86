//! `/graphql` over HTTP (graphql-over-http): `POST` with a JSON body (single or batched
//! requests), `GET` with the request in the query string (queries only), and GraphiQL on `GET`
//! for a browser in development. Both methods share one pipeline: limits, cost, caller, log.

use std::sync::Arc;

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use async_graphql::{
    BatchRequest, Response,
    parser::types::{DocumentOperations, OperationType},
};
use futures_util::future::join_all;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tracing::Instrument;

use crate::{
    auth::{caller::Caller, policy},
    error::{AppError, with_codes},
    graphql::{self, AppSchema},
    http::{
        caller, graphiql,
        headers::ApiCaching,
        persisted, public_cache,
        request_log::{self, OperationName, RequestId},
        transport::{self, ResponseMedia},
    },
    i18n::Language,
    infra::{
        metrics::Outcome,
        rate_limit::{self, LimitedAction},
    },
    state::AppState,
};

/// A request refused before execution, with the status and body `error.rs` gives it.
fn refuse(err: AppError, request_id: &str, media: ResponseMedia) -> HttpResponse {
    let status =
        StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = HttpResponse::build(status);
    if let Some(challenge) = err.www_authenticate() {
        res.insert_header((header::WWW_AUTHENTICATE, challenge));
    }
    if matches!(err, AppError::MethodNotAllowed(_)) {
        res.insert_header((header::ALLOW, "POST"));
    }
    if let Some(secs) = err.retry_after() {
        res.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    res.content_type(media.content_type())
        .body(err.http_body(request_id).to_string())
}

fn request_id(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let request_id = request_id(&req);
    let media = ResponseMedia::negotiate(&req);
    if transport::is_multipart_body(&req) {
        return post_multipart(req, payload, schema, state, media, request_id).await;
    }
    // Only JSON: a form or text/plain body is a "simple" cross-origin request that a browser
    // sends without a CORS preflight. Multipart is the exception above, for uploads only.
    if !transport::is_json_body(&req) {
        return refuse(
            AppError::UnsupportedMediaType(
                "the body must be application/json (a GraphQL request)".into(),
            ),
            &request_id,
            media,
        );
    }
    let body = match read_body(payload, state.settings.limits.max_body_bytes).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(err) => {
            return refuse(
                AppError::BadRequest(format!("the body is not a GraphQL request: {err}")),
                &request_id,
                media,
            );
        }
    };
    let max_batch = state.settings.limits.max_batch;
    let (requests, single) = match batch {
        BatchRequest::Single(one) => (vec![one], true),
        BatchRequest::Batch(many) if many.is_empty() => {
            return refuse(
                AppError::BadRequest("an empty batch has nothing to run".into()),
                &request_id,
                media,
            );
        }
        BatchRequest::Batch(many) if many.len() > max_batch => {
            return refuse(AppError::BatchTooLarge(max_batch), &request_id, media);
        }
        BatchRequest::Batch(many) => (many, false),
    };
    serve(&req, &schema, &state, requests, single, media, &request_id).await
}

/// The body, up to `limit` bytes; 413 beyond.
async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::Bytes, HttpResponse> {
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| HttpResponse::BadRequest().body(e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(HttpResponse::PayloadTooLarge()
                .body(format!("the body is larger than {limit} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A GraphQL multipart request (the spec Apollo and urql clients send): accepted only with a
/// preflight-forcing header (CSRF), only for `uploadPhoto`, one operation, one file.
async fn post_multipart(
    req: HttpRequest,
    payload: web::Payload,
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
    media: ResponseMedia,
    request_id: String,
) -> HttpResponse {
    if !transport::forces_preflight(&req) {
        return refuse(
            AppError::UnsupportedMediaType(
                "multipart/form-data needs an Apollo-Require-Preflight header (uploads only)"
                    .into(),
            ),
            &request_id,
            media,
        );
    }
    let max_file = usize::try_from(state.settings.photos.max_bytes).unwrap_or(usize::MAX);
    // The file plus the operations and map parts around it.
    let body = match read_body(payload, max_file.saturating_add(256 * 1024)).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let options = async_graphql::http::MultipartOptions::default()
        .max_num_files(1)
        .max_file_size(max_file.saturating_add(1));
    let request =
        match async_graphql::http::receive_batch_body(content_type, &body[..], options).await {
            Ok(BatchRequest::Single(one)) => one,
            Ok(BatchRequest::Batch(_)) => {
                return refuse(
                    AppError::BadRequest("a multipart request carries one operation".into()),
                    &request_id,
                    media,
                );
            }
            Err(err) => {
                return refuse(
                    AppError::BadRequest(format!(
                        "the body is not a GraphQL multipart request: {err}"
                    )),
                    &request_id,
                    media,
                );
            }
        };
    if !transport::only_uploads(&request.query) {
        return refuse(
            AppError::BadRequest("a multipart request may carry only uploadPhoto".into()),
            &request_id,
            media,
        );
    }
    serve(
        &req,
        &schema,
        &state,
        vec![request],
        true,
        media,
        &request_id,
    )
    .await
}

/// The query string of `GET /graphql`: `variables` and `extensions` are JSON texts.
#[derive(Debug, Deserialize)]
struct GetParams {
    query: Option<String>,
    variables: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    extensions: Option<String>,
}

pub async fn get(
    req: HttpRequest,
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let request_id = request_id(&req);
    let media = ResponseMedia::negotiate(&req);
    let bad = |why: String| refuse(AppError::BadRequest(why), &request_id, media);
    let params = match web::Query::<GetParams>::from_query(req.query_string()) {
        Ok(params) => params.into_inner(),
        Err(err) => return bad(format!("the query string is not a GraphQL request: {err}")),
    };
    // A persisted query may come as its hash alone (in `extensions`).
    let query = match (params.query, &params.extensions) {
        (Some(query), _) => query,
        (None, Some(_)) => String::new(),
        (None, None) => {
            if transport::prefers_html(&req) && !state.settings.is_production() {
                return graphiql::page();
            }
            return bad("a GET request needs a `query` parameter".into());
        }
    };
    let mut request = async_graphql::Request::new(query);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    for (name, raw) in [
        ("variables", params.variables),
        ("extensions", params.extensions),
    ] {
        let Some(raw) = raw else { continue };
        let value = match serde_json::from_str::<serde_json::Value>(&raw) {
            Ok(value @ serde_json::Value::Object(_)) => value,
            Ok(serde_json::Value::Null) => continue,
            _ => return bad(format!("`{name}` must be a JSON object")),
        };
        if name == "variables" {
            request = request.variables(async_graphql::Variables::from_json(value));
        } else {
            match serde_json::from_value(value) {
                Ok(extensions) => request.extensions = extensions,
                Err(err) => return bad(format!("`extensions` is not valid: {err}")),
            }
        }
    }
    serve(
        &req,
        &schema,
        &state,
        vec![request],
        true,
        media,
        &request_id,
    )
    .await
}

/// Whether the operation the request selects is a query. A document that does not parse, or
/// names no operation it holds, counts as a query: execution reports its error as usual.
fn is_query(request: &async_graphql::Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return true;
    };
    let selected = match (&doc.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        (DocumentOperations::Multiple(_), None) => None,
    };
    selected.is_none_or(|op| op.node.ty == OperationType::Query)
}

/// `OPTIONS /graphql`: the methods the resource answers (CORS preflights get their headers from
/// the CORS middleware around this).
pub async fn options() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::ALLOW, "GET, POST, OPTIONS"))
        .finish()
}

/// The pipeline both methods share: account and cost limits before anything runs, one caller
/// resolution, execution, codes, and the response in the negotiated media type.
async fn serve(
    req: &HttpRequest,
    schema: &AppSchema,
    state: &AppState,
    mut requests: Vec<async_graphql::Request>,
    single: bool,
    media: ResponseMedia,
    request_id: &str,
) -> HttpResponse {
    // Persisted and trusted documents first: every later step sees the document that runs.
    if let Err(err) = persisted::resolve(state, &mut requests).await {
        return refuse(err, request_id, media);
    }
    let get = req.method() == actix_web::http::Method::GET;
    // GET must be safe: a link, a prefetch or a cache must never change anything.
    if get && !requests.iter().all(is_query) {
        return refuse(
            AppError::MethodNotAllowed("only queries may use GET; send mutations with POST".into()),
            request_id,
            media,
        );
    }
    if let Err(err) = graphql::account_limits::check(&requests) {
        return refuse(err, request_id, media);
    }
    // One budget for the whole request, measured before any operation runs.
    let cost = match graphql::cost::admit(schema, &mut requests, &state.settings.limits).await {
        Ok(cost) => cost,
        Err(err) => return refuse(err, request_id, media),
    };
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    // A credential that does not verify is refused outright, never downgraded to anonymous.
    let caller = match caller::resolve(state, authorization).await {
        Ok(caller) => caller,
        Err(err) => return refuse(err, request_id, media),
    };
    let client = caller::client_address(req, &state.settings.trusted_proxies);
    // The caller's query budget per minute: every operation of a batch and every alias counts,
    // through the cost the guard measured.
    if let Err(limited) = rate_limit::take(
        &state.cache,
        &state.settings.rate_limits,
        LimitedAction::QueryCost,
        &policy::rate_limit_subject(&caller, &client),
        cost as u64,
    )
    .await
    {
        return refuse(limited.into(), request_id, media);
    }
    // The language of user-error messages (`i18n`), per request.
    let language = Language::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    // Public HTTP caching (CDNs, the phone's cache) only for anonymous GETs.
    let http_public = (get && policy::shared_cache_scope(&caller).as_deref() == Some("public"))
        .then_some(ApiCaching::Public {
            max_age: state.responses.ttl().as_secs(),
            stale_while_revalidate: state.settings.cache.stale_while_revalidate.as_secs(),
        });
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let answers = run(
        schema, state, requests, request_id, caller, client, language,
    )
    .await;
    respond(
        answers,
        single,
        media,
        http_public,
        if_none_match.as_deref(),
    )
}

/// One operation's answer, serialized (as the response cache keeps it).
struct Answer {
    bytes: Arc<[u8]>,
    /// Whether execution started (see [`executed`]).
    started: bool,
    /// Seconds to wait, when an operation was rate limited.
    retry_after: Option<u64>,
    /// Whether the answer may be shared (a cacheable query answered without errors).
    shareable: bool,
    /// Whether the answer carries errors (for the request metrics).
    failed: bool,
}

impl Answer {
    fn of(response: &Response, cacheable: bool) -> Self {
        let retry_after = response
            .errors
            .iter()
            .filter_map(|e| e.extensions.as_ref())
            .filter(|ext| {
                matches!(ext.get("code"), Some(async_graphql::Value::String(c)) if c == "RATE_LIMITED")
            })
            .filter_map(|ext| match ext.get("retryAfter") {
                Some(async_graphql::Value::Number(n)) => n.as_u64(),
                _ => None,
            })
            .max();
        let bytes = serde_json::to_vec(response).unwrap_or_else(|_| {
            br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#.to_vec()
        });
        Answer {
            bytes: Arc::from(bytes),
            started: executed(response),
            retry_after,
            shareable: cacheable && response.errors.is_empty(),
            failed: !response.errors.is_empty(),
        }
    }
}

async fn run(
    schema: &AppSchema,
    state: &AppState,
    requests: Vec<async_graphql::Request>,
    request_id: &str,
    caller: Caller,
    client: String,
    language: Language,
) -> (Vec<Answer>, String) {
    let names: Vec<&str> = requests
        .iter()
        .map(|r| request_log::loggable_operation_name(r.operation_name.as_deref()))
        .collect();
    let operation = names.join(",");
    let span = tracing::info_span!("graphql", request_id = %request_id, operation = %operation);
    let answers = join_all(requests.into_iter().map(|request| {
        let caller = caller.clone();
        let client = client.clone();
        async move {
            let key = public_cache::key(state, &request, &caller, language).await;
            let execute = |request: async_graphql::Request| async move {
                with_codes(
                    graphql::execute_as(schema, state, request.data(language), caller, client)
                        .await,
                    request_id,
                )
            };
            let Some(key) = key else {
                return Answer::of(&execute(request).await, false);
            };
            // Computed once per key however many identical requests miss together; only an
            // answer without errors is kept.
            let mut computed = None;
            let slot = &mut computed;
            let (bytes, _) = state
                .responses
                .get_or_compute(&key, move || async move {
                    let answer = Answer::of(&execute(request).await, true);
                    let out = (answer.bytes.clone(), answer.shareable);
                    *slot = Some(answer);
                    out
                })
                .await;
            state.metrics.cache_lookup("responses", computed.is_none());
            computed.unwrap_or(Answer {
                bytes,
                started: true,
                retry_after: None,
                shareable: true,
                failed: false,
            })
        }
    }))
    .instrument(span)
    .await;
    (answers, operation)
}

fn respond(
    (mut answers, operation): (Vec<Answer>, String),
    single: bool,
    media: ResponseMedia,
    http_public: Option<ApiCaching>,
    if_none_match: Option<&str>,
) -> HttpResponse {
    let failed = answers.iter().any(|a| a.failed);
    let retry_after = answers.iter().filter_map(|a| a.retry_after).max();
    let one = single && answers.len() == 1;
    let shareable = one && answers.iter().all(|a| a.shareable);
    let (mut status, body): (StatusCode, Vec<u8>) = if one {
        let answer = answers.remove(0);
        if media == ResponseMedia::GraphqlResponse && !answer.started {
            // graphql-response+json: a request that never started executing (it did not parse
            // or validate, or its variables did not coerce) is a 400 without `data`.
            let mut body: serde_json::Value =
                serde_json::from_slice(&answer.bytes).unwrap_or_default();
            if let Some(fields) = body.as_object_mut() {
                fields.remove("data");
            }
            (StatusCode::BAD_REQUEST, body.to_string().into_bytes())
        } else {
            (StatusCode::OK, answer.bytes.to_vec())
        }
    } else {
        // Batches are outside the spec: each answer keeps its own shape, the status is 200.
        let mut body = Vec::with_capacity(answers.iter().map(|a| a.bytes.len() + 1).sum());
        body.push(b'[');
        for (i, answer) in answers.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(&answer.bytes);
        }
        body.push(b']');
        (StatusCode::OK, body)
    };
    let mut res = HttpResponse::build(status);
    res.content_type(media.content_type());
    if let Some(secs) = retry_after {
        // A rate-limited operation: the whole request says so, as one refused before execution.
        status = StatusCode::TOO_MANY_REQUESTS;
        res.status(status);
        res.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    let caching = match http_public {
        Some(public) if shareable && status == StatusCode::OK => {
            let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
            res.insert_header((header::ETAG, etag.clone()));
            res.append_header((header::VARY, "Accept, Accept-Language, Authorization"));
            if if_none_match.is_some_and(|tags| matches_etag(tags, &etag)) {
                res.status(StatusCode::NOT_MODIFIED);
                let mut res = res.finish();
                res.extensions_mut().insert(OperationName(operation));
                res.extensions_mut().insert(public);
                res.extensions_mut().insert(Outcome::Ok);
                return res;
            }
            public
        }
        _ => ApiCaching::Private,
    };
    let mut res = res.body(body);
    res.extensions_mut().insert(OperationName(operation));
    res.extensions_mut().insert(caching);
    res.extensions_mut()
        .insert(if failed { Outcome::Error } else { Outcome::Ok });
    res
}

/// Whether an `If-None-Match` list names `etag` (weak comparison, as RFC 9110 asks for GET).
fn matches_etag(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// Whether execution started: a response with no data whose errors all lack a path failed
/// before any field ran (parse, validation, variable coercion). Field errors carry a path.
fn executed(response: &Response) -> bool {
    !(matches!(response.data, async_graphql::Value::Null)
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty()))
}
