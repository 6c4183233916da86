//! The contract a typed client relies on: expired access tokens told apart from bad ones,
//! sign-up that signs in, kiosks that know who they are, outlet codes in any spelling.

use chrono::Utc;
use pasar_oleh::auth::jwt::JwtKeys;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Credential, PASSWORD, TestApp, unique_email};

/// An access token for `user` signed with the app's own key, expired an hour ago.
fn expired_token(app: &TestApp, user: Uuid) -> String {
    let s = app.settings();
    let keys = JwtKeys::hs256(
        s.jwt_secret.as_deref().unwrap(),
        &[],
        &s.jwt.issuer,
        &s.jwt.audience,
        900,
    );
    let now = Utc::now().timestamp();
    keys.sign(&json!({
        "sub": user.to_string(), "iss": s.jwt.issuer, "aud": s.jwt.audience,
        "exp": now - 3600, "nbf": now - 4500, "iat": now - 4500, "typ": "access", "jti": "x"
    }))
    .unwrap()
}

async fn post_with(app: &TestApp, authorization: &str, query: &str) -> reqwest::Response {
    app.http_post("/graphql")
        .header("authorization", authorization)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_expired_access_token_is_token_expired_even_on_a_public_query() {
    let app = TestApp::spawn().await;
    let ani = app.buyer().await;
    let expired = expired_token(&app, ani.id);
    for query in ["{ categories { slug } }", "{ viewer { user { id } } }"] {
        let res = post_with(&app, &format!("Bearer {expired}"), query).await;
        assert_eq!(res.status(), 401, "{query}");
        let challenge = res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            challenge.starts_with("Bearer error=\"invalid_token\""),
            "{challenge}"
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "TOKEN_EXPIRED");
    }
    // The same claims signed with another key are forged, not expired.
    let forged = JwtKeys::hs256(
        "another-secret-another-secret",
        &[],
        "pasar-oleh",
        "pasar-oleh-api",
        900,
    )
    .issue_access(ani.id)
    .unwrap();
    for token in [forged.as_str(), "not-a-token"] {
        let res = post_with(&app, &format!("Bearer {token}"), "{ categories { slug } }").await;
        assert_eq!(res.status(), 401);
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
}

#[tokio::test]
async fn a_failed_refresh_answers_like_a_failed_login() {
    let app = TestApp::spawn().await;
    let login = app
        .graphql(
            "mutation { login(input: { identifier: \"nobody@example.id\", password: \"salah-salah\" }) { tokens { accessToken } userErrors { field code } } }",
            json!({}),
        )
        .await;
    let refresh = app
        .graphql(
            "mutation { refreshToken(input: { refreshToken: \"rt_unknown\" }) { tokens { accessToken } userErrors { field code } } }",
            json!({}),
        )
        .await;
    assert_eq!(login["data"]["login"]["tokens"], Value::Null);
    assert_eq!(login.user_errors()[0].code, "INVALID_CREDENTIALS");
    assert_eq!(refresh["data"]["refreshToken"]["tokens"], Value::Null);
    assert!(refresh.refresh_refused(), "{refresh}");
}

#[tokio::test]
async fn register_signs_the_new_account_in() {
    let app = TestApp::spawn().await;
    let email = unique_email("baru");
    let res = app
        .graphql(
            "mutation($input: RegisterUserInput!) { register(input: $input) { user { id } tokens { accessToken refreshToken accessTokenExpiresAt } userErrors { field code } } }",
            json!({ "input": { "email": email, "displayName": "Baru", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(res.user_errors(), vec![]);
    let payload = &res["data"]["register"];
    let access = payload["tokens"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let me = app
        .as_(&Credential::Bearer(access))
        .graphql("{ viewer { user { id email } } }", json!({}))
        .await;
    assert_eq!(me["data"]["viewer"]["user"]["id"], payload["user"]["id"]);
    let refreshed = app
        .graphql(
            "mutation($t: String!) { refreshToken(input: { refreshToken: $t }) { tokens { refreshToken } userErrors { field code } } }",
            json!({ "t": payload["tokens"]["refreshToken"] }),
        )
        .await;
    assert!(
        refreshed["data"]["refreshToken"]["tokens"]["refreshToken"].is_string(),
        "{refreshed}"
    );
    // A refused registration carries no tokens.
    let res = app
        .graphql(
            "mutation($input: RegisterUserInput!) { register(input: $input) { tokens { accessToken } userErrors { field code } } }",
            json!({ "input": { "email": email, "displayName": "Lagi", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(res["data"]["register"]["tokens"], Value::Null);
    assert_eq!(res.user_errors()[0].code, "TAKEN");
}

#[tokio::test]
async fn a_kiosk_learns_its_identity_and_outlet() {
    let app = TestApp::spawn().await;
    let outlet = app.outlet().await;
    let kiosk = app.kiosk(&outlet).await;
    let query = "{ viewer { user { id } } kioskViewer { id name outlet { id code name } } }";
    let res = app
        .as_(&Credential::Kiosk(kiosk.credential.clone()))
        .graphql(query, json!({}))
        .await;
    let me = &res.data()["kioskViewer"];
    assert_eq!(res.data()["viewer"], Value::Null);
    assert_eq!(me["id"], kiosk.id.as_str());
    assert_eq!(me["name"], "Kiosk uji");
    assert_eq!(me["outlet"]["id"], outlet.gid.as_str());
    assert_eq!(me["outlet"]["code"], outlet.code.as_str());
    assert!(me["outlet"]["name"].is_string());
    // Nobody else is a kiosk.
    let buyer = app.buyer().await;
    let res = app.as_(&buyer).graphql(query, json!({})).await;
    assert_eq!(res.data()["kioskViewer"], Value::Null);
    assert!(res.data()["viewer"]["user"]["id"].is_string());
    let res = app.graphql(query, json!({})).await;
    assert_eq!(res.data()["kioskViewer"], Value::Null);
}

#[tokio::test]
/// (A tab is a control character, refused at the boundary like every control character
/// outside free text; see `input_hygiene`.)
async fn outlet_codes_are_found_in_any_case_and_with_stray_spaces() {
    let app = TestApp::spawn().await;
    let outlet = app.outlet().await;
    let lower = outlet.code.to_lowercase();
    for spelled in [
        outlet.code.clone(),
        lower.clone(),
        format!("  {} ", outlet.code),
        format!("   {lower}  "),
    ] {
        let res = app
            .graphql(
                "query($c: String!) { outlet(code: $c) { id code } }",
                json!({ "c": spelled }),
            )
            .await;
        assert_eq!(
            res.data()["outlet"]["id"],
            outlet.gid.as_str(),
            "{spelled:?}"
        );
    }
    let res = app
        .graphql("{ outlet(code: \"TGS K07\") { id } }", json!({}))
        .await;
    assert_eq!(res.error_code(), Some("NOT_FOUND"));
}

/// `2026-11-23T10:00:00.000Z`: RFC 3339, UTC, exactly three fractional digits.
fn one_shape(t: &Value) -> bool {
    let Some(t) = t.as_str() else { return false };
    let b = t.as_bytes();
    let digit = |i: usize| b[i].is_ascii_digit();
    b.len() == 24
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22]
            .iter()
            .all(|&i| digit(i))
        && (b[4], b[7], b[10], b[13], b[16], b[19], b[23])
            == (b'-', b'-', b'T', b':', b':', b'.', b'Z')
        && chrono::DateTime::parse_from_rfc3339(t).is_ok()
}

#[tokio::test]
async fn every_instant_has_one_shape_with_or_without_sub_seconds() {
    let app = TestApp::spawn_seeded().await;
    // The demo catalogue's stamps are whole seconds; token expiries carry sub-seconds.
    let res = app
        .graphql(
            "{ products(first: 1) { nodes { createdAt updatedAt } } }",
            json!({}),
        )
        .await;
    let whole = res.data()["products"]["nodes"][0]["createdAt"].clone();
    assert!(whole.as_str().unwrap().ends_with(":00.000Z"), "{whole}");
    let email = unique_email("waktu");
    let res = app
        .graphql(
            "mutation($input: RegisterUserInput!) { register(input: $input) { tokens { accessTokenExpiresAt refreshTokenExpiresAt } userErrors { code } } }",
            json!({ "input": { "email": email, "displayName": "Waktu", "password": PASSWORD } }),
        )
        .await;
    let tokens = &res.data()["register"]["tokens"];
    for t in [
        &whole,
        &tokens["accessTokenExpiresAt"],
        &tokens["refreshTokenExpiresAt"],
    ] {
        assert!(one_shape(t), "{t}");
    }
}
