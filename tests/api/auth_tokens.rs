//! Access tokens per RFC 8725: every rejection the issue lists, and key rotation with `kid`.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use pasar_oleh::auth::jwt::JwtKeys;
use serde_json::{Value, json};
use uuid::Uuid;

const ISS: &str = "pasar-oleh";
const AUD: &str = "pasar-oleh-api";

fn keys(secret: &str, previous: &[&str]) -> JwtKeys {
    let previous: Vec<String> = previous.iter().map(|s| s.to_string()).collect();
    JwtKeys::hs256(secret, &previous, ISS, AUD, 900)
}

fn claims(overrides: Value) -> Value {
    let now = Utc::now().timestamp();
    let mut base = json!({
        "sub": Uuid::now_v7().to_string(), "iss": ISS, "aud": AUD,
        "exp": now + 600, "nbf": now - 5, "iat": now - 5, "typ": "access", "jti": "x"
    });
    for (k, v) in overrides.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    base
}

fn rejected(keys: &JwtKeys, token: &str) -> bool {
    matches!(keys.verify_access(token), Err(e) if e.code() == "UNAUTHENTICATED")
}

#[test]
fn a_fresh_access_token_verifies() {
    let k = keys("secret-one-secret-one", &[]);
    let user = Uuid::now_v7();
    assert_eq!(
        k.verify_access(&k.issue_access(user).unwrap()).unwrap(),
        user
    );
    assert!(
        k.verify_access(&k.sign(&claims(json!({}))).unwrap())
            .is_ok()
    );
}

#[test]
fn alg_none_and_other_algorithms_are_rejected() {
    let k = keys("secret-one-secret-one", &[]);
    let good = k.sign(&claims(json!({}))).unwrap();
    let payload = good.split('.').nth(1).unwrap();
    let kid = serde_json::from_slice::<Value>(
        &URL_SAFE_NO_PAD
            .decode(good.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap()["kid"]
        .clone();
    let none_header =
        URL_SAFE_NO_PAD.encode(json!({ "alg": "none", "typ": "JWT", "kid": kid }).to_string());
    assert!(rejected(&k, &format!("{none_header}.{payload}.")));
    // HS512 with the very same secret: the algorithm is pinned, not read from the token. Signed
    // by hand: the application's crypto provider offers HS256 and EdDSA only.
    let hs512_header =
        URL_SAFE_NO_PAD.encode(json!({ "alg": "HS512", "typ": "JWT", "kid": kid }).to_string());
    let signing_input = format!("{hs512_header}.{payload}");
    let mut mac = {
        use hmac::KeyInit;
        hmac::Hmac::<sha2::Sha512>::new_from_slice(b"secret-one-secret-one").unwrap()
    };
    hmac::Mac::update(&mut mac, signing_input.as_bytes());
    let tag = URL_SAFE_NO_PAD.encode(hmac::Mac::finalize(mac).into_bytes());
    let hs512 = format!("{signing_input}.{tag}");
    assert!(rejected(&k, &hs512));
    assert!(rejected(&k, "not.a.jwt"));
    assert!(rejected(&k, ""));
}

#[test]
fn wrong_keys_are_rejected() {
    let k = keys("secret-one-secret-one", &[]);
    let other = keys("secret-two-secret-two", &[]);
    assert!(rejected(&k, &other.issue_access(Uuid::now_v7()).unwrap()));
    // A token claiming our kid but signed with another secret.
    let good = k.sign(&claims(json!({}))).unwrap();
    let header = good.split('.').next().unwrap();
    let forged_sig = other.sign(&claims(json!({}))).unwrap();
    let parts: Vec<&str> = forged_sig.split('.').collect();
    assert!(rejected(&k, &format!("{header}.{}.{}", parts[1], parts[2])));
}

#[test]
fn time_audience_issuer_and_type_are_checked() {
    let k = keys("secret-one-secret-one", &[]);
    let now = Utc::now().timestamp();
    // Expired (beyond the 30 s leeway) but ours: its own code, so the client refreshes.
    let expired = k.sign(&claims(json!({ "exp": now - 120 }))).unwrap();
    assert!(matches!(k.verify_access(&expired), Err(e) if e.code() == "TOKEN_EXPIRED"));
    // Expired and signed by someone else: forged first, expired never.
    let other = keys("secret-two-secret-two", &[]);
    let forged = other.sign(&claims(json!({ "exp": now - 120 }))).unwrap();
    assert!(rejected(&k, &forged));
    for bad in [
        json!({ "nbf": now + 600 }),
        json!({ "aud": "somebody-else" }),
        json!({ "iss": "somebody-else" }),
        json!({ "typ": "refresh" }),
        json!({ "typ": "kiosk" }),
        json!({ "sub": "not-a-uuid" }),
    ] {
        assert!(
            rejected(&k, &k.sign(&claims(bad.clone())).unwrap()),
            "{bad}"
        );
    }
}

#[test]
fn missing_claims_and_wrong_json_types_are_rejected() {
    let k = keys("secret-one-secret-one", &[]);
    for missing in ["exp", "nbf", "iat", "iss", "aud", "sub", "typ"] {
        let token = k.sign(&claims(json!({ missing: null }))).unwrap();
        assert!(rejected(&k, &token), "accepted without {missing}");
    }
    for bad in [
        json!({ "exp": "9999999999" }),
        json!({ "sub": 42 }),
        json!({ "aud": ["pasar-oleh-api", 7] }),
        json!({ "iat": true }),
        json!({ "typ": ["access"] }),
    ] {
        assert!(
            rejected(&k, &k.sign(&claims(bad.clone())).unwrap()),
            "{bad}"
        );
    }
}

#[test]
fn refresh_tokens_and_kiosk_credentials_are_not_access_tokens() {
    let k = keys("secret-one-secret-one", &[]);
    assert!(rejected(&k, &pasar_oleh::auth::secrets::generate("rt_")));
    assert!(rejected(&k, &pasar_oleh::auth::secrets::generate("kiosk_")));
}

#[test]
fn hmac_keys_rotate_with_kid() {
    let old = keys("old-secret-old-secret", &[]);
    let token = old.issue_access(Uuid::now_v7()).unwrap();
    let rotated = keys("new-secret-new-secret", &["old-secret-old-secret"]);
    assert!(
        rotated.verify_access(&token).is_ok(),
        "a retired key keeps verifying until removed"
    );
    assert!(
        rotated
            .verify_access(&rotated.issue_access(Uuid::now_v7()).unwrap())
            .is_ok()
    );
    let removed = keys("new-secret-new-secret", &[]);
    assert!(rejected(&removed, &token));
}

#[test]
fn hmac_kid_is_a_keyed_hmac_of_the_secret_not_a_bare_hash() {
    use hmac::{KeyInit, Mac};
    use sha2::{Digest, Sha256};
    let secret = "kid-secret-kid-secret-kid-secret-0123";
    let token = keys(secret, &[]).issue_access(Uuid::now_v7()).unwrap();
    let header = token.split('.').next().unwrap();
    let kid =
        serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()["kid"]
            .as_str()
            .unwrap()
            .to_string();
    let bare = hex::encode(Sha256::digest(secret.as_bytes()));
    assert_ne!(
        kid,
        format!("hs-{}", &bare[..12]),
        "the kid is the bare SHA-256"
    );
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(b"pasar-oleh kid");
    let tag = hex::encode(mac.finalize().into_bytes());
    assert_eq!(kid, format!("hs-{}", &tag[..12]));
}

#[test]
fn eddsa_key_files_rotate_with_kid() {
    use ed25519_dalek::{
        SigningKey,
        pkcs8::{EncodePrivateKey, EncodePublicKey, spki::der::pem::LineEnding},
    };
    let dir = std::env::temp_dir().join(format!("pasar-oleh-keys-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let write_key = |name: &str| {
        let mut seed = [0u8; 32];
        rand::fill(&mut seed);
        let key = SigningKey::from_bytes(&seed);
        std::fs::write(
            dir.join(format!("{name}.key")),
            key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{name}.pem")),
            key.verifying_key()
                .to_public_key_pem(LineEnding::LF)
                .unwrap(),
        )
        .unwrap();
    };
    write_key("2026-01");
    write_key("2026-07");
    let load = |signing: &str, public: &[&str]| {
        let publics: Vec<_> = public
            .iter()
            .map(|p| dir.join(format!("{p}.pem")))
            .collect();
        // The kid is the file stem: "2026-01.key" signs as "2026-01".
        JwtKeys::from_pem_files(
            jsonwebtoken::Algorithm::EdDSA,
            &dir.join(format!("{signing}.key")),
            &publics,
            ISS,
            AUD,
            900,
        )
        .unwrap()
    };
    let january = load("2026-01", &["2026-01"]);
    let token = january.issue_access(Uuid::now_v7()).unwrap();
    let july = load("2026-07", &["2026-07", "2026-01"]);
    assert!(july.verify_access(&token).is_ok());
    assert!(
        july.verify_access(&july.issue_access(Uuid::now_v7()).unwrap())
            .is_ok()
    );
    let july_only = load("2026-07", &["2026-07"]);
    assert!(rejected(&july_only, &token));
    // An HS256 token is refused by an EdDSA deployment even with a matching kid.
    assert!(rejected(
        &july,
        &keys("2026-07", &[]).issue_access(Uuid::now_v7()).unwrap()
    ));
}
