//! E-mail addresses, lower-cased so that uniqueness ignores case.

use crate::error::Invalid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim().to_lowercase();
        let invalid = || Invalid::new("not a valid e-mail address");
        let (local, domain) = s.split_once('@').ok_or_else(invalid)?;
        let valid = !local.is_empty()
            && local.len() <= 64
            && s.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s.chars().any(|c| c.is_whitespace() || c == ',' || c == ';')
            && !domain.contains('@');
        if !valid {
            return Err(invalid());
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_cases_and_validates() {
        assert_eq!(
            Email::parse(" Sri@Example.CO.id ").unwrap().as_str(),
            "sri@example.co.id"
        );
        for bad in [
            "",
            "sri",
            "sri@",
            "@x.id",
            "sri@localhost",
            "a b@x.id",
            "a@b@c.id",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
