//! `POST /graphql` (single or batched requests) and GraphiQL on `GET /graphql` in development.

use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use async_graphql::{BatchRequest, BatchResponse, Response, http::GraphiQLSource};
use futures_util::future::join_all;
use serde_json::json;
use tracing::Instrument;

use crate::{
    auth::caller::Caller,
    error::{AppError, with_codes},
    graphql::{self, AppSchema},
    http::{
        caller,
        request_log::{self, OperationName, RequestId},
    },
    state::AppState,
};

/// A request refused before execution, with the status and body `error.rs` gives it.
fn refuse(err: AppError, request_id: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(err.http_status())
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = HttpResponse::build(status);
    if let Some(challenge) = err.www_authenticate() {
        res.insert_header(("www-authenticate", challenge));
    }
    res.json(err.http_body(request_id))
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
            return refuse(
                AppError::BadRequest(format!("the body is not a GraphQL request: {err}")),
                &request_id,
            );
        }
    };
    let max_batch = state.settings.limits.max_batch;
    let (mut requests, single) = match batch {
        BatchRequest::Single(one) => (vec![one], true),
        BatchRequest::Batch(many) if many.is_empty() => {
            return refuse(
                AppError::BadRequest("an empty batch has nothing to run".into()),
                &request_id,
            );
        }
        BatchRequest::Batch(many) if many.len() > max_batch => {
            return refuse(AppError::BatchTooLarge(max_batch), &request_id);
        }
        BatchRequest::Batch(many) => (many, false),
    };
    if let Err(err) = graphql::account_limits::check(&requests) {
        return refuse(err, &request_id);
    }
    // One budget for the whole request, measured before any operation runs.
    if let Err(err) = graphql::cost::admit(&schema, &mut requests, &state.settings.limits).await {
        return refuse(err, &request_id);
    }
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    // A credential that does not verify is refused outright, never downgraded to anonymous.
    let caller = match caller::resolve(&state, authorization).await {
        Ok(caller) => caller,
        Err(err) => return refuse(err, &request_id),
    };
    let client = caller::client_address(&req, &state.settings.trusted_proxies);
    // The language of user-error messages (`i18n`), per request.
    let language = crate::i18n::Language::from_accept_language(
        req.headers()
            .get("accept-language")
            .and_then(|v| v.to_str().ok()),
    );
    let requests = requests.into_iter().map(|r| r.data(language)).collect();
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
