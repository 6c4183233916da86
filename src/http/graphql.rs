//! `POST /graphql` (single or batched requests) and GraphiQL on `GET /graphql` in development.

use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use async_graphql::{BatchRequest, BatchResponse, Response, http::GraphiQLSource};
use futures_util::future::join_all;
use serde_json::json;
use tracing::Instrument;

use crate::{
    auth::caller::Caller,
    error::AppError,
    graphql::{self, AppSchema},
    http::request_log::{OperationName, RequestId},
    services::accounts,
    state::AppState,
};

fn bad_request(code: &str, message: String) -> HttpResponse {
    HttpResponse::BadRequest()
        .json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }))
}

pub async fn post(
    req: HttpRequest,
    body: web::Bytes,
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(err) => {
            return bad_request(
                "BAD_REQUEST",
                format!("the body is not a GraphQL request: {err}"),
            );
        }
    };
    let max_batch = state.settings.limits.max_batch;
    let (requests, single) = match batch {
        BatchRequest::Single(one) => (vec![one], true),
        BatchRequest::Batch(many) if many.is_empty() => {
            return bad_request("BAD_REQUEST", "an empty batch has nothing to run".into());
        }
        BatchRequest::Batch(many) if many.len() > max_batch => {
            return bad_request(
                "BATCH_TOO_LARGE",
                format!("a batch may hold at most {max_batch} operations"),
            );
        }
        BatchRequest::Batch(many) => (many, false),
    };
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let caller = match accounts::resolve_caller(&state, authorization).await {
        Ok(caller) => caller,
        // A credential that does not verify is refused outright, never downgraded to anonymous.
        Err(AppError::Unauthenticated) => {
            return HttpResponse::Unauthorized()
                .insert_header(("www-authenticate", "Bearer"))
                .json(json!({ "errors": [{ "message": "the credentials are not valid", "extensions": { "code": "UNAUTHENTICATED" } }] }));
        }
        Err(err) => {
            let _: async_graphql::Error = err.into();
            return HttpResponse::InternalServerError()
                .json(json!({ "errors": [{ "message": "internal error",
                "extensions": { "code": "INTERNAL_SERVER_ERROR", "requestId": request_id } }] }));
        }
    };
    let client = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    respond(
        run(&schema, &state, requests, &request_id, caller, client).await,
        single,
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
        .map(|r| r.operation_name.as_deref().unwrap_or("anonymous"))
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

fn respond((mut responses, operation): (Vec<Response>, String), single: bool) -> HttpResponse {
    let body = if single && responses.len() == 1 {
        BatchResponse::Single(responses.remove(0))
    } else {
        BatchResponse::Batch(responses)
    };
    let mut res = HttpResponse::Ok().json(body);
    res.extensions_mut().insert(OperationName(operation));
    res
}

/// Every error leaves with a code: errors from our resolvers carry one already; parse and
/// validation failures (including depth and complexity limits) get GRAPHQL_VALIDATION_FAILED,
/// argument coercion failures at a field BAD_USER_INPUT. Internal errors gain the request id
/// so that support can find the full log entry.
fn with_codes(mut response: Response, request_id: &str) -> Response {
    for err in &mut response.errors {
        let ext = err.extensions.get_or_insert_with(Default::default);
        let code = match ext.get("code") {
            Some(async_graphql::Value::String(code)) => code.clone(),
            _ => {
                let code = if err.path.is_empty() {
                    "GRAPHQL_VALIDATION_FAILED"
                } else {
                    "BAD_USER_INPUT"
                };
                ext.set("code", code);
                code.to_string()
            }
        };
        if code == "INTERNAL_SERVER_ERROR" {
            ext.set("requestId", request_id);
        }
    }
    response
}

pub async fn playground(state: web::Data<AppState>) -> HttpResponse {
    if state.settings.is_production() {
        return HttpResponse::NotFound()
            .json(json!({ "error": "GraphiQL is available in development only" }));
    }
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .title("Pasar Oleh GraphQL")
                .finish(),
        )
}
