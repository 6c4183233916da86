//! `/graphql` over HTTP (graphql-over-http): `POST` with a JSON body (single or batched
//! requests), `GET` with the request in the query string (queries only), and GraphiQL on `GET`
//! for a browser in development. Both methods share one pipeline: limits, cost, caller, log.

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use async_graphql::{
    BatchRequest, BatchResponse, Response,
    parser::types::{DocumentOperations, OperationType},
};
use futures_util::future::join_all;
use serde::Deserialize;
use tracing::Instrument;

use crate::{
    auth::caller::Caller,
    error::{AppError, with_codes},
    graphql::{self, AppSchema},
    http::{
        caller, graphiql,
        request_log::{self, OperationName, RequestId},
        transport::{self, ResponseMedia},
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
    let Some(query) = params.query else {
        if transport::prefers_html(&req) && !state.settings.is_production() {
            return graphiql::page();
        }
        return bad("a GET request needs a `query` parameter".into());
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
    // GET must be safe: a link, a prefetch or a cache must never change anything.
    if !is_query(&request) {
        return refuse(
            AppError::MethodNotAllowed("only queries may use GET; send mutations with POST".into()),
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
    if let Err(err) = graphql::account_limits::check(&requests) {
        return refuse(err, request_id, media);
    }
    // One budget for the whole request, measured before any operation runs.
    if let Err(err) = graphql::cost::admit(schema, &mut requests, &state.settings.limits).await {
        return refuse(err, request_id, media);
    }
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
    // The language of user-error messages (`i18n`), per request.
    let language = crate::i18n::Language::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let requests = requests.into_iter().map(|r| r.data(language)).collect();
    respond(
        run(schema, state, requests, request_id, caller, client).await,
        single,
        media,
    )
}

async fn run(
    schema: &AppSchema,
    state: &AppState,
    requests: Vec<async_graphql::Request>,
    request_id: &str,
    caller: Caller,
    client: String,
) -> (Vec<Response>, String) {
    let names: Vec<&str> = requests
        .iter()
        .map(|r| request_log::loggable_operation_name(r.operation_name.as_deref()))
        .collect();
    let operation = names.join(",");
    let span = tracing::info_span!("graphql", request_id = %request_id, operation = %operation);
    let responses = join_all(
        requests
            .into_iter()
            .map(|r| graphql::execute_as(schema, state, r, caller.clone(), client.clone())),
    )
    .instrument(span)
    .await;
    (
        responses
            .into_iter()
            .map(|r| with_codes(r, request_id))
            .collect(),
        operation,
    )
}

fn respond(
    (mut responses, operation): (Vec<Response>, String),
    single: bool,
    media: ResponseMedia,
) -> HttpResponse {
    let (status, body) = if single && responses.len() == 1 {
        let response = responses.remove(0);
        let started = executed(&response);
        let mut body = serde_json::to_value(BatchResponse::Single(response))
            .unwrap_or_else(|_| serde_json::json!({ "errors": [{ "message": "internal error" }] }));
        if media == ResponseMedia::GraphqlResponse && !started {
            // graphql-response+json: a request that never started executing (it did not parse
            // or validate, or its variables did not coerce) is a 400 without `data`.
            if let Some(fields) = body.as_object_mut() {
                fields.remove("data");
            }
            (StatusCode::BAD_REQUEST, body)
        } else {
            (StatusCode::OK, body)
        }
    } else {
        // Batches are outside the spec: each answer keeps its own shape, the status is 200.
        let body = serde_json::to_value(BatchResponse::Batch(responses))
            .unwrap_or_else(|_| serde_json::json!([]));
        (StatusCode::OK, body)
    };
    let mut res = HttpResponse::build(status)
        .content_type(media.content_type())
        .body(body.to_string());
    res.extensions_mut().insert(OperationName(operation));
    res
}

/// Whether execution started: a response with no data whose errors all lack a path failed
/// before any field ran (parse, validation, variable coercion). Field errors carry a path.
fn executed(response: &Response) -> bool {
    !(matches!(response.data, async_graphql::Value::Null)
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty()))
}
