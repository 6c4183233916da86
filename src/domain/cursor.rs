//! Relay pagination arguments and opaque cursors.
//!
//! A cursor is a keyset position: the sort key values of the last row a client saw, the row's id
//! last, and the name of the order they belong to (base64url of a small JSON object). The next
//! page starts strictly after that position in the same order, so rows published or withdrawn
//! while a client scrolls neither repeat an item nor skip one, and a deep page costs no more than
//! the first (no OFFSET).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::error::{AppError, AppResult};

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 100;
/// A cursor longer than this was not issued by the API (keys are a few short values).
const MAX_CURSOR_LEN: usize = 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Where the previous page ended; `None` for the first page.
    pub after: Option<Key>,
    pub limit: u64,
}

/// The position a cursor names: the order's name and the key values of one row, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub order: String,
    pub values: Vec<Value>,
}

impl Page {
    pub fn parse(first: Option<i32>, after: Option<&str>) -> AppResult<Self> {
        let limit = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if n < 0 => return Err(AppError::invalid("first", "must not be negative")),
            Some(n) if n as u64 > MAX_PAGE_SIZE => {
                return Err(AppError::invalid(
                    "first",
                    format!("must be at most {MAX_PAGE_SIZE}"),
                ));
            }
            Some(n) => n as u64,
        };
        let after = after.map(decode).transpose()?;
        Ok(Page { after, limit })
    }
}

pub fn encode(order: &str, values: Vec<Value>) -> String {
    URL_SAFE_NO_PAD.encode(json!({ "o": order, "k": values }).to_string())
}

/// The error of a cursor that this API did not issue (or issued for another order).
pub fn invalid(cursor: &str) -> AppError {
    AppError::InvalidCursor(format!("{cursor:?} was not issued by this API"))
}

pub fn decode(cursor: &str) -> AppResult<Key> {
    let invalid = || invalid(cursor);
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let order = value["o"].as_str().ok_or_else(invalid)?.to_string();
    let values = value["k"].as_array().ok_or_else(invalid)?.clone();
    if values.is_empty() {
        return Err(invalid());
    }
    Ok(Key { order, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(
            Page::parse(None, None).unwrap(),
            Page {
                after: None,
                limit: 20
            }
        );
        assert_eq!(Page::parse(Some(100), None).unwrap().limit, 100);
        assert_eq!(
            Page::parse(Some(-1), None).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
        assert_eq!(
            Page::parse(Some(101), None).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
    }

    #[test]
    fn cursors_round_trip() {
        let cursor = encode("price_asc", vec![json!(15000), json!("0192-id")]);
        assert_eq!(
            Page::parse(Some(5), Some(&cursor)).unwrap(),
            Page {
                after: Some(Key {
                    order: "price_asc".into(),
                    values: vec![json!(15000), json!("0192-id")]
                }),
                limit: 5
            }
        );
    }

    #[test]
    fn unknown_cursors_are_rejected() {
        assert_eq!(decode("bm9wZQ").unwrap_err().code(), "INVALID_CURSOR");
        assert_eq!(decode("***").unwrap_err().code(), "INVALID_CURSOR");
        // The offsets of earlier releases are not positions.
        let offset = URL_SAFE_NO_PAD.encode("o:19");
        assert_eq!(decode(&offset).unwrap_err().code(), "INVALID_CURSOR");
    }
}
