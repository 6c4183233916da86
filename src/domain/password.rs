//! Passwords: length rules and Argon2id hashing (default parameters of the argon2 crate).

use argon2::{Argon2, PasswordHasher, PasswordVerifier, password_hash::phc::PasswordHash};

use crate::error::{AppError, AppResult, Invalid};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let n = raw.chars().count();
        if n < MIN_LEN {
            return Err(Invalid::new(format!(
                "must be at least {MIN_LEN} characters"
            )));
        }
        if n > MAX_LEN {
            return Err(Invalid::new(format!(
                "must be at most {MAX_LEN} characters"
            )));
        }
        Ok(Password(raw.to_string()))
    }

    pub fn hash(&self) -> AppResult<String> {
        Argon2::default()
            .hash_password(self.0.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(anyhow::anyhow!("hashing a password: {e}")))
    }
}

/// Checks a password against a stored PHC string; false for any mismatch or malformed hash.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// A valid hash of a random password, verified against when an account does not exist so that
/// both cases take the same time.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let mut secret = [0u8; 16];
        rand::fill(&mut secret);
        Argon2::default()
            .hash_password(&secret)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_verifies() {
        let p = Password::parse("rahasia-sekali").unwrap();
        let hash = p.hash().unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify("rahasia-sekali", &hash));
        assert!(!verify("rahasia-salah", &hash));
        assert!(!verify("rahasia-sekali", "not a hash"));
        assert!(!verify("x", decoy_hash()));
    }

    #[test]
    fn enforces_length() {
        assert!(Password::parse("pendek").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
    }
}
