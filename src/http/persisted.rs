//! Which document a request runs: Apollo's automatic persisted queries
//! (`extensions.persistedQuery.sha256Hash`), and the trusted-documents mode that runs only the
//! documents of a manifest.
//!
//! APQ round trip: a client first sends only the hash; an unknown hash answers
//! `PersistedQueryNotFound` (code PERSISTED_QUERY_NOT_FOUND), and the client sends the hash with
//! the document, which is checked against the hash and remembered (in Redis when configured),
//! so that later requests, GETs included, carry only the hash.

use async_graphql::{Request, Value};

use crate::{error::AppError, graphql::document, state::AppState};

/// The `sha256Hash` of a request's `persistedQuery` extension (version 1), if it has one.
fn persisted_hash(request: &Request) -> Result<Option<String>, AppError> {
    let Some(ext) = request.extensions.get("persistedQuery") else {
        return Ok(None);
    };
    let bad = || {
        AppError::BadRequest(
            "`extensions.persistedQuery` must be { version: 1, sha256Hash: \"<hex>\" }".into(),
        )
    };
    let Value::Object(fields) = ext else {
        return Err(bad());
    };
    match fields.get("version") {
        Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
        _ => return Err(bad()),
    }
    match fields.get("sha256Hash") {
        Some(Value::String(hash))
            if hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            Ok(Some(hash.to_ascii_lowercase()))
        }
        _ => Err(bad()),
    }
}

/// Fills in the document of every request that names one by hash, registers new ones, and in
/// trusted-documents mode refuses any document outside the manifest. Runs before the limits,
/// so that they measure the document that will run.
pub async fn resolve(state: &AppState, requests: &mut [Request]) -> Result<(), AppError> {
    for request in requests.iter_mut() {
        let hash = persisted_hash(request)?;
        let has_text = !request.query.trim().is_empty();
        if let Some(trusted) = &state.trusted_documents {
            match (&hash, has_text) {
                (Some(hash), false) => match trusted.by_hash(hash) {
                    Some(doc) => request.query = doc.to_string(),
                    None => return Err(AppError::DocumentNotTrusted),
                },
                (_, true) if trusted.contains(&request.query) => {}
                _ => return Err(AppError::DocumentNotTrusted),
            }
            continue;
        }
        let Some(hash) = hash else { continue };
        if has_text {
            if document::sha256_hex(&request.query) != hash {
                return Err(AppError::BadRequest(
                    "`persistedQuery.sha256Hash` is not the SHA-256 of the query".into(),
                ));
            }
            state
                .responses
                .remember_document(&hash, &request.query)
                .await;
        } else {
            match state.responses.document(&hash).await {
                Some(doc) => request.query = doc,
                None => return Err(AppError::PersistedQueryNotFound),
            }
        }
    }
    Ok(())
}
