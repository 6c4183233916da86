//! The signature algorithms access tokens may use, and nothing more: HS256 (HMAC-SHA256, the
//! default) and EdDSA (Ed25519 key files).
//!
//! jsonwebtoken's bundled `rust_crypto` backend also compiles RSA in, and the `rsa` crate has an
//! unfixed timing side channel (RUSTSEC-2023-0071); its `aws_lc_rs` backend needs a C toolchain
//! build of AWS-LC. This provider implements the two algorithms we use on crates already in the
//! tree (`hmac` + `sha2`, `ed25519-dalek`), so neither RSA nor ECDSA code is linked at all.
//! Every other algorithm is refused with `InvalidAlgorithm`, before any key material is read.

use ed25519_dalek::{Signature, SigningKey, VerifyingKey, pkcs8::DecodePrivateKey};
use hmac::{KeyInit, Mac};
use jsonwebtoken::{
    Algorithm, AlgorithmFamily, DecodingKey, EncodingKey,
    crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils},
    errors::{ErrorKind, Result},
    signature::{self, Signer, Verifier},
};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The process-wide provider; installed once by [`install`].
static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory,
    verifier_factory,
    key_utils: KeyUtils::new_unimplemented(),
};

/// Makes this provider jsonwebtoken's default. Idempotent: a second call (tests build many
/// applications in one process) finds it installed and does nothing.
pub fn install() {
    let _ = PROVIDER.install_default();
}

fn signer_factory(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    match algorithm {
        Algorithm::HS256 if key.family() == AlgorithmFamily::Hmac => {
            Ok(Box::new(Hs256(hmac_of(key.as_bytes())?)))
        }
        Algorithm::EdDSA if key.family() == AlgorithmFamily::Ed => {
            let signing = SigningKey::from_pkcs8_der(key.as_bytes())
                .map_err(|_| ErrorKind::InvalidEddsaKey)?;
            Ok(Box::new(EdDsaSigner(signing)))
        }
        Algorithm::HS256 | Algorithm::EdDSA => Err(ErrorKind::InvalidKeyFormat.into()),
        _ => Err(ErrorKind::InvalidAlgorithm.into()),
    }
}

fn verifier_factory(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    match algorithm {
        Algorithm::HS256 if key.family() == AlgorithmFamily::Hmac => {
            Ok(Box::new(Hs256(hmac_of(key.try_get_as_bytes()?)?)))
        }
        Algorithm::EdDSA if key.family() == AlgorithmFamily::Ed => {
            let bytes: &[u8; 32] = key
                .try_get_as_bytes()?
                .get(..32)
                .and_then(|b| b.try_into().ok())
                .ok_or(ErrorKind::InvalidEddsaKey)?;
            let verifying =
                VerifyingKey::from_bytes(bytes).map_err(|_| ErrorKind::InvalidEddsaKey)?;
            Ok(Box::new(EdDsaVerifier(verifying)))
        }
        Algorithm::HS256 | Algorithm::EdDSA => Err(ErrorKind::InvalidKeyFormat.into()),
        _ => Err(ErrorKind::InvalidAlgorithm.into()),
    }
}

fn hmac_of(secret: &[u8]) -> Result<HmacSha256> {
    HmacSha256::new_from_slice(secret).map_err(|_| ErrorKind::InvalidKeyFormat.into())
}

struct Hs256(HmacSha256);

impl Signer<Vec<u8>> for Hs256 {
    fn try_sign(&self, msg: &[u8]) -> std::result::Result<Vec<u8>, signature::Error> {
        let mut mac = self.0.clone();
        mac.update(msg);
        Ok(mac.finalize().into_bytes().to_vec())
    }
}

impl Verifier<Vec<u8>> for Hs256 {
    fn verify(&self, msg: &[u8], tag: &Vec<u8>) -> std::result::Result<(), signature::Error> {
        let mut mac = self.0.clone();
        mac.update(msg);
        // Constant-time comparison.
        mac.verify_slice(tag).map_err(|_| signature::Error::new())
    }
}

impl JwtSigner for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

impl JwtVerifier for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

struct EdDsaSigner(SigningKey);

impl Signer<Vec<u8>> for EdDsaSigner {
    fn try_sign(&self, msg: &[u8]) -> std::result::Result<Vec<u8>, signature::Error> {
        Ok(self.0.sign(msg).to_bytes().to_vec())
    }
}

impl JwtSigner for EdDsaSigner {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDSA
    }
}

struct EdDsaVerifier(VerifyingKey);

impl Verifier<Vec<u8>> for EdDsaVerifier {
    fn verify(&self, msg: &[u8], sig: &Vec<u8>) -> std::result::Result<(), signature::Error> {
        // Strict verification: refuses small-order keys and non-canonical signatures.
        self.0.verify_strict(msg, &Signature::from_slice(sig)?)
    }
}

impl JwtVerifier for EdDsaVerifier {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDSA
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hs256_round_trips_and_other_algorithms_are_refused() {
        install();
        let key = EncodingKey::from_secret(b"a secret of some length");
        let sig = jsonwebtoken::crypto::sign(b"msg", &key, Algorithm::HS256).unwrap();
        let dec = DecodingKey::from_secret(b"a secret of some length");
        assert!(jsonwebtoken::crypto::verify(&sig, b"msg", &dec, Algorithm::HS256).unwrap());
        assert!(!jsonwebtoken::crypto::verify(&sig, b"msh", &dec, Algorithm::HS256).unwrap());
        for alg in [
            Algorithm::HS512,
            Algorithm::RS256,
            Algorithm::ES256,
            Algorithm::PS256,
        ] {
            assert!(jsonwebtoken::crypto::sign(b"msg", &key, alg).is_err());
            assert!(jsonwebtoken::crypto::verify(&sig, b"msg", &dec, alg).is_err());
        }
    }
}
