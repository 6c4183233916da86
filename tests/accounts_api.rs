//! Accounts over HTTP: registration, login, refresh rotation and reuse detection, logout,
//! throttling, the viewer, kiosk credentials.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use serde_json::{Value, json};

const REGISTER: &str = "mutation($input: RegisterUserInput!) { register(input: $input) { user { id email phone } userErrors { field code message } } }";
const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { tokens { accessToken refreshToken accessTokenExpiresAt } userErrors { field code message } } }";
const REFRESH: &str = "mutation($t: String!) { refreshToken(input: { refreshToken: $t }) { tokens { accessToken refreshToken } } }";
const VIEWER: &str = "{ viewer { user { displayName email phone } roles } }";

async fn gql_as(app: &TestApp, auth: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
    let mut req = app
        .client
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(auth) = auth {
        req = req.header("authorization", auth);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn register_and_login(app: &TestApp, email: &str) -> (String, String) {
    let (_, body) = gql_as(
        app,
        None,
        REGISTER,
        json!({ "input": { "email": email, "displayName": "Sri", "password": "rahasia-123" } }),
    )
    .await;
    assert_eq!(body["data"]["register"]["userErrors"], json!([]), "{body}");
    let (_, body) = gql_as(
        app,
        None,
        LOGIN,
        json!({ "input": { "identifier": email, "password": "rahasia-123" } }),
    )
    .await;
    let tokens = &body["data"]["login"]["tokens"];
    (
        tokens["accessToken"].as_str().unwrap().into(),
        tokens["refreshToken"].as_str().unwrap().into(),
    )
}

#[tokio::test]
async fn register_validates_every_field_and_normalises_identifiers() {
    let app = TestApp::spawn().await;
    let (_, body) = gql_as(&app, None, REGISTER, json!({ "input": { "email": "bukan-email", "phone": "12345", "displayName": "", "password": "pendek" } })).await;
    let errors = body["data"]["register"]["userErrors"].as_array().unwrap();
    let fields: Vec<&str> = errors
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "input.email",
        "input.phone",
        "input.displayName",
        "input.password",
    ] {
        assert!(fields.contains(&f), "{f} missing in {fields:?}");
    }
    assert_eq!(body["data"]["register"]["user"], Value::Null);

    let (_, body) = gql_as(&app, None, REGISTER, json!({ "input": { "email": "Sri@Example.ID", "phone": "0812-3456-7890", "displayName": "Sri", "password": "rahasia-123" } })).await;
    let user = &body["data"]["register"]["user"];
    assert_eq!(user["email"], "sri@example.id");
    assert_eq!(user["phone"], "+6281234567890");
    // The same identifiers in another spelling are taken.
    let (_, body) = gql_as(&app, None, REGISTER, json!({ "input": { "email": "SRI@example.id", "phone": "+62 812 3456 7890", "displayName": "Sri 2", "password": "rahasia-123" } })).await;
    let codes: Vec<&str> = body["data"]["register"]["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["TAKEN", "TAKEN"]);
}

#[tokio::test]
async fn login_viewer_refresh_rotation_reuse_and_logout() {
    let app = TestApp::spawn().await;
    let (access, refresh) = register_and_login(&app, "budi@example.id").await;
    let (status, body) = gql_as(&app, Some(&format!("Bearer {access}")), VIEWER, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["viewer"]["user"]["email"], "budi@example.id");
    assert_eq!(body["data"]["viewer"]["roles"], json!(["BUYER"]));
    let (_, body) = gql_as(&app, None, VIEWER, json!({})).await;
    assert_eq!(body["data"]["viewer"], Value::Null);

    // Rotation: each refresh returns a new refresh token.
    let (_, body) = gql_as(&app, None, REFRESH, json!({ "t": refresh })).await;
    let second = body["data"]["refreshToken"]["tokens"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(second, refresh);
    let (_, body) = gql_as(&app, None, REFRESH, json!({ "t": second })).await;
    let third = body["data"]["refreshToken"]["tokens"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    // Reuse of an already-used token revokes the whole family, including the newest token.
    let (_, body) = gql_as(&app, None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let (_, body) = gql_as(&app, None, REFRESH, json!({ "t": third })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    // Logout revokes a fresh login's refresh token.
    let (_, refresh) = register_and_login(&app, "wati@example.id").await;
    let (_, body) = gql_as(
        &app,
        None,
        "mutation($t: String!) { logout(input: { refreshToken: $t }) { ok } }",
        json!({ "t": refresh }),
    )
    .await;
    assert_eq!(body["data"]["logout"]["ok"], true);
    let (_, body) = gql_as(&app, None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn invalid_credentials_are_refused_not_downgraded() {
    let app = TestApp::spawn().await;
    for auth in [
        "Bearer not-a-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Kiosk kiosk_unknown",
        "Bearer rt_abc",
    ] {
        let (status, body) = gql_as(&app, Some(auth), "{ categories { slug } }", json!({})).await;
        assert_eq!(status, 401, "{auth}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
}

#[tokio::test]
async fn failed_logins_slow_down_then_lock_without_revealing_the_account() {
    let app = TestApp::spawn().await;
    register_and_login(&app, "ani@example.id").await;
    let attempt = |identifier: &'static str, password: &'static str| {
        let app = &app;
        async move {
            let (_, body) = gql_as(
                app,
                None,
                LOGIN,
                json!({ "input": { "identifier": identifier, "password": password } }),
            )
            .await;
            body["data"]["login"]["userErrors"][0].clone()
        }
    };
    let unknown = attempt("nobody@example.id", "salah-salah").await;
    let wrong = attempt("ani@example.id", "salah-salah").await;
    assert_eq!(
        unknown, wrong,
        "the answer must not reveal whether the account exists"
    );
    assert_eq!(wrong["code"], "INVALID_CREDENTIALS");
    for _ in 0..4 {
        attempt("ani@example.id", "salah-salah").await;
    }
    // Locked now, even with the right password.
    let locked = attempt("ani@example.id", "rahasia-123").await;
    assert_eq!(locked["code"], "TOO_MANY_ATTEMPTS");
}

#[tokio::test]
async fn kiosks_are_registered_by_admins_used_and_revoked() {
    let app = TestApp::spawn().await;
    pasar_oleh::services::accounts::create_admin(
        &app.state.db,
        &app.state.events,
        "admin@example.id",
        "Admin",
        "rahasia-admin",
    )
    .await
    .unwrap();
    let (_, body) = gql_as(
        &app,
        None,
        LOGIN,
        json!({ "input": { "identifier": "admin@example.id", "password": "rahasia-admin" } }),
    )
    .await;
    let admin = format!(
        "Bearer {}",
        body["data"]["login"]["tokens"]["accessToken"]
            .as_str()
            .unwrap()
    );
    let (_, body) = gql_as(
        &app,
        None,
        "{ outlet(code: \"TGS-K07\") { id } }",
        json!({}),
    )
    .await;
    let outlet_id = body["data"]["outlet"]["id"].clone();
    let register = "mutation($o: ID!) { registerKiosk(input: { outletId: $o, name: \"Kiosk pintu utara\" }) { kiosk { id name } credential userErrors { code } } }";

    // Only administrators.
    let (buyer, _) = register_and_login(&app, "pembeli@example.id").await;
    let (_, body) = gql_as(
        &app,
        Some(&format!("Bearer {buyer}")),
        register,
        json!({ "o": outlet_id }),
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let (_, body) = gql_as(&app, None, register, json!({ "o": outlet_id })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    let (_, body) = gql_as(&app, Some(&admin), register, json!({ "o": outlet_id })).await;
    let credential = body["data"]["registerKiosk"]["credential"]
        .as_str()
        .unwrap()
        .to_string();
    let kiosk_id = body["data"]["registerKiosk"]["kiosk"]["id"].clone();
    let kiosk = format!("Kiosk {credential}");
    let (status, body) = gql_as(
        &app,
        Some(&kiosk),
        "{ products(first: 1) { totalCount } viewer { roles } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body["data"]["products"]["totalCount"].as_i64().unwrap() > 0);
    assert_eq!(body["data"]["viewer"], Value::Null);
    // A kiosk credential is not an access token, and a kiosk is not an administrator.
    let (status, _) = gql_as(
        &app,
        Some(&format!("Bearer {credential}")),
        "{ categories { slug } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 401);
    let (_, body) = gql_as(&app, Some(&kiosk), register, json!({ "o": outlet_id })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    // Nor does a kiosk sign in or create accounts.
    let (_, body) = gql_as(
        &app,
        Some(&kiosk),
        LOGIN,
        json!({ "input": { "identifier": "admin@example.id", "password": "rahasia-admin" } }),
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");

    let (_, body) = gql_as(
        &app,
        Some(&admin),
        "{ kiosks { name lastUsedAt revokedAt outlet { code } } }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["kiosks"][0]["outlet"]["code"], "TGS-K07");
    assert!(body["data"]["kiosks"][0]["lastUsedAt"].is_string());
    let (_, body) = gql_as(
        &app,
        Some(&admin),
        "mutation($k: ID!) { revokeKiosk(input: { kioskId: $k }) { revokedAt } }",
        json!({ "k": kiosk_id }),
    )
    .await;
    assert!(
        body["data"]["revokeKiosk"]["revokedAt"].is_string(),
        "{body}"
    );
    let (status, _) = gql_as(&app, Some(&kiosk), "{ categories { slug } }", json!({})).await;
    assert_eq!(status, 401);
}
