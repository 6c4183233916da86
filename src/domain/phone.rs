//! Indonesian mobile numbers, normalised to E.164 (+628…).

use crate::error::Invalid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Accepts "0812-3456-7890", "+62 812 3456 7890", "6281234567890"; stores "+6281234567890".
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        let digits = if let Some(rest) = compact.strip_prefix("+62") {
            rest.to_string()
        } else if let Some(rest) = compact.strip_prefix("62") {
            rest.to_string()
        } else if let Some(rest) = compact.strip_prefix('0') {
            rest.to_string()
        } else {
            return Err(Invalid::new(
                "an Indonesian mobile number starts with 08 or +628",
            ));
        };
        let valid = digits.starts_with('8')
            && (9..=12).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit());
        if !valid {
            return Err(Invalid::new(
                "an Indonesian mobile number has 10 to 13 digits and starts with 08",
            ));
        }
        Ok(Phone(format!("+62{digits}")))
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
    fn normalises_every_common_spelling() {
        for raw in [
            "0812-3456-7890",
            "+62 812 3456 7890",
            "6281234567890",
            "(0812) 3456.7890",
        ] {
            assert_eq!(
                Phone::parse(raw).unwrap().as_str(),
                "+6281234567890",
                "{raw}"
            );
        }
    }

    #[test]
    fn rejects_non_mobile_and_malformed_numbers() {
        for raw in [
            "",
            "12345",
            "0212345678",
            "+1 555 123 4567",
            "0812abc45678",
            "08123",
        ] {
            assert!(Phone::parse(raw).is_err(), "{raw}");
        }
    }
}
