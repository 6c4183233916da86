//! Loading the access-token keys from the settings.

use crate::{auth::jwt::JwtKeys, settings::Settings};

/// HS256 with JWT_SECRET by default; EdDSA from key files when configured. In development
/// without a secret, one is generated once into the data folder (with a warning).
pub fn load(settings: &Settings) -> anyhow::Result<JwtKeys> {
    let jwt = &settings.jwt;
    if let Some(private_key) = &jwt.private_key_file {
        let algorithm = match jwt.algorithm.as_deref() {
            Some("EdDSA") | None => jsonwebtoken::Algorithm::EdDSA,
            // RS256 is not offered: the RSA implementations available carry an unfixed timing
            // side channel (RUSTSEC-2023-0071), see auth::crypto.
            Some(other) => {
                anyhow::bail!("JWT_ALGORITHM must be EdDSA with key files, not {other}")
            }
        };
        return JwtKeys::from_pem_files(
            algorithm,
            private_key,
            &jwt.public_key_files,
            &jwt.issuer,
            &jwt.audience,
            jwt.access_ttl_secs,
        );
    }
    let secret = match &settings.jwt_secret {
        Some(secret) => secret.clone(),
        None => {
            anyhow::ensure!(
                !settings.is_production(),
                "JWT_SECRET is required in production"
            );
            let path = settings.data_dir.join("jwt-secret");
            match std::fs::read_to_string(&path) {
                Ok(existing) if !existing.trim().is_empty() => existing.trim().to_string(),
                _ => {
                    crate::infra::files::create_private_dir_all(&settings.data_dir)?;
                    let generated = crate::auth::secrets::generate("");
                    // An empty leftover file would make the 0600 write fail.
                    let _ = std::fs::remove_file(&path);
                    crate::infra::files::write_private(&path, generated.as_bytes())?;
                    tracing::warn!(path = %path.display(), "JWT_SECRET is not set: generated a development secret");
                    generated
                }
            }
        }
    };
    Ok(JwtKeys::hs256(
        &secret,
        &jwt.previous_secrets,
        &jwt.issuer,
        &jwt.audience,
        jwt.access_ttl_secs,
    ))
}
