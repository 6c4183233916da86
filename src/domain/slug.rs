//! URL slugs: lower-case ASCII letters, digits and single hyphens.

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str, field: &str) -> AppResult<Self> {
        let s = raw.trim();
        let valid = !s.is_empty()
            && s.len() <= 160
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if !valid {
            return Err(AppError::invalid(
                field,
                "a slug is 1-160 lower-case letters, digits and single hyphens",
            ));
        }
        Ok(Slug(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects() {
        assert!(Slug::parse("keripik-mangga-250g", "slug").is_ok());
        for bad in ["", "Keripik", "a--b", "-a", "a b", "a_b"] {
            assert!(Slug::parse(bad, "slug").is_err(), "{bad}");
        }
    }
}
