//! Relay pagination arguments and opaque cursors.
//!
//! Cursors encode an offset into the ordered result (`o:<n>`, base64url). Offsets keep every sort
//! order (relevance included) paginable with one query; the price is that rows inserted while a
//! client pages may shift a page, which catalogue browsing tolerates.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::error::{AppError, AppResult};

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Page {
    pub offset: u64,
    pub limit: u64,
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
        let offset = match after {
            None => 0,
            Some(cursor) => decode(cursor)? + 1,
        };
        Ok(Page { offset, limit })
    }
}

pub fn encode(offset: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

pub fn decode(cursor: &str) -> AppResult<u64> {
    let invalid = || AppError::InvalidCursor(format!("{cursor:?} was not issued by this API"));
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let n = text.strip_prefix("o:").ok_or_else(invalid)?;
    let n: u64 = n.parse().map_err(|_| invalid())?;
    // An offset past any plausible catalogue is a forged cursor, not a page.
    if n > 10_000_000 {
        return Err(invalid());
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(
            Page::parse(None, None).unwrap(),
            Page {
                offset: 0,
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
    fn after_continues_past_the_cursor() {
        assert_eq!(
            Page::parse(Some(5), Some(&encode(4))).unwrap(),
            Page {
                offset: 5,
                limit: 5
            }
        );
    }

    #[test]
    fn unknown_cursors_are_rejected() {
        assert_eq!(decode("bm9wZQ").unwrap_err().code(), "INVALID_CURSOR");
        assert_eq!(decode("***").unwrap_err().code(), "INVALID_CURSOR");
    }
}
