//! Access tokens per RFC 8725: the algorithm is pinned by configuration (never read from the
//! token), every registered claim we rely on is required and checked, and tokens carry a type so
//! that no other credential passes for an access token. Keys carry a `kid`; verification keeps
//! accepting retired keys until they are removed from the configuration, so keys rotate without
//! logging everybody out.

use std::collections::HashMap;

use chrono::Utc;
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

pub const ACCESS: &str = "access";
/// Seconds of clock skew tolerated on exp and nbf.
const LEEWAY: u64 = 30;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub typ: String,
    pub jti: String,
}

pub struct JwtKeys {
    algorithm: Algorithm,
    kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    issuer: String,
    audience: String,
    ttl_secs: i64,
    /// Key of the refresh-successor derivation (`refresh_successor`), itself derived from the
    /// signing secret or private key, so it needs no setting of its own.
    successor_key: Vec<u8>,
}

/// HMAC-SHA256 of `message` under `key`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    use hmac::{KeyInit, Mac};
    match hmac::Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        // HMAC takes keys of any length; this branch is unreachable.
        Err(_) => Vec::new(),
    }
}

/// A short, stable key id for an HMAC secret: HMAC-SHA256(secret, "pasar-oleh kid"), first 12 hex
/// digits. Keyed and domain-separated, it is not the bare SHA-256 that `secrets::hash` stores
/// for credentials, so no other value in the system equals or extends it. Like any function of
/// the secret it would let a weak secret be guessed offline; the production rule on secret
/// strength (`settings`) is what keeps that out of reach. Every instance with the same secret
/// derives the same id.
fn hmac_kid(secret: &str) -> String {
    use hmac::{KeyInit, Mac};
    let tag = match hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(b"pasar-oleh kid");
            hex::encode(mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; this branch is unreachable.
        Err(_) => crate::auth::secrets::hash(secret),
    };
    format!("hs-{}", &tag[..12])
}

impl JwtKeys {
    /// HS256 with the current secret; `previous` secrets still verify (rotation).
    pub fn hs256(
        current: &str,
        previous: &[String],
        issuer: &str,
        audience: &str,
        ttl_secs: i64,
    ) -> Self {
        crate::auth::crypto::install();
        let mut decoding = HashMap::new();
        decoding.insert(
            hmac_kid(current),
            DecodingKey::from_secret(current.as_bytes()),
        );
        for old in previous {
            decoding.insert(hmac_kid(old), DecodingKey::from_secret(old.as_bytes()));
        }
        JwtKeys {
            algorithm: Algorithm::HS256,
            kid: hmac_kid(current),
            encoding: EncodingKey::from_secret(current.as_bytes()),
            decoding,
            issuer: issuer.into(),
            audience: audience.into(),
            ttl_secs,
            successor_key: hmac_sha256(current.as_bytes(), b"pasar-oleh refresh successor"),
        }
    }

    /// EdDSA from PEM files: the private key signs (its file stem is the kid); every public key
    /// verifies under its own file stem.
    pub fn from_pem_files(
        algorithm: Algorithm,
        private_key: &std::path::Path,
        public_keys: &[std::path::PathBuf],
        issuer: &str,
        audience: &str,
        ttl_secs: i64,
    ) -> anyhow::Result<Self> {
        crate::auth::crypto::install();
        let kid_of = |p: &std::path::Path| {
            p.file_stem()
                .and_then(|s| s.to_str())
                .map(String::from)
                .ok_or_else(|| anyhow::anyhow!("no file name in {}", p.display()))
        };
        let private_pem = std::fs::read(private_key)?;
        let encoding = match algorithm {
            Algorithm::EdDSA => EncodingKey::from_ed_pem(&private_pem)?,
            other => anyhow::bail!("JWT_ALGORITHM {other:?} is not supported with key files"),
        };
        let mut decoding = HashMap::new();
        for path in public_keys {
            let pem = std::fs::read(path)?;
            let key = DecodingKey::from_ed_pem(&pem)?;
            decoding.insert(kid_of(path)?, key);
        }
        let kid = kid_of(private_key)?;
        anyhow::ensure!(
            decoding.contains_key(&kid),
            "the public key {kid}.pem of the signing key is missing"
        );
        Ok(JwtKeys {
            algorithm,
            kid,
            encoding,
            decoding,
            issuer: issuer.into(),
            audience: audience.into(),
            ttl_secs,
            successor_key: hmac_sha256(&private_pem, b"pasar-oleh refresh successor"),
        })
    }

    /// The refresh token that succeeds `presented` when it is rotated: a keyed function of it,
    /// so a second refresh with the same token inside the grace window finds the very successor
    /// the first one issued (`services::accounts::refresh`), while someone holding only an old
    /// token cannot compute it. Changes when the signing key does.
    pub fn refresh_successor(&self, presented: &str) -> String {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        format!(
            "rt_{}",
            URL_SAFE_NO_PAD.encode(hmac_sha256(&self.successor_key, presented.as_bytes()))
        )
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// Signs an access token for a user.
    pub fn issue_access(&self, user_id: Uuid) -> AppResult<String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + self.ttl_secs,
            nbf: now,
            iat: now,
            typ: ACCESS.into(),
            jti: Uuid::now_v7().to_string(),
        };
        self.sign(&claims)
    }

    /// Signs arbitrary claims with the current key (tests forge tokens through this).
    pub fn sign<T: Serialize>(&self, claims: &T) -> AppResult<String> {
        let mut header = Header::new(self.algorithm);
        header.kid = Some(self.kid.clone());
        encode(&header, claims, &self.encoding)
            .map_err(|e| AppError::internal(anyhow::anyhow!("signing a token: {e}")))
    }

    /// The user id of a valid access token; TOKEN_EXPIRED for one of ours (the signature
    /// verifies) past its `exp`; UNAUTHENTICATED for anything else.
    pub fn verify_access(&self, token: &str) -> AppResult<Uuid> {
        let header = decode_header(token).map_err(|_| AppError::Unauthenticated)?;
        if header.alg != self.algorithm {
            return Err(AppError::Unauthenticated);
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.decoding.get(kid))
            .ok_or(AppError::Unauthenticated)?;
        let mut validation = Validation::new(self.algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY;
        // jsonwebtoken checks the signature before the claims, so an expiry error means the
        // token is genuinely ours.
        let data = decode::<Claims>(token, key, &validation).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => AppError::TokenExpired,
            _ => AppError::Unauthenticated,
        })?;
        if data.claims.typ != ACCESS || data.claims.iat > Utc::now().timestamp() + LEEWAY as i64 {
            return Err(AppError::Unauthenticated);
        }
        Uuid::parse_str(&data.claims.sub).map_err(|_| AppError::Unauthenticated)
    }
}
