//! Accounts over HTTP: registration, login, refresh rotation and reuse detection, logout,
//! throttling, the viewer, kiosk credentials.

use serde_json::{Value, json};

use crate::helpers::{Credential, PASSWORD, TestApp, UserError, unique_email};

const REGISTER: &str = "mutation($input: RegisterUserInput!) { register(input: $input) { user { id email phone } userErrors { field code message } } }";
const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { tokens { accessToken refreshToken accessTokenExpiresAt } userErrors { field code message } } }";
const REFRESH: &str = "mutation($t: String!) { refreshToken(input: { refreshToken: $t }) { tokens { accessToken refreshToken } userErrors { field code } } }";
const VIEWER: &str = "{ viewer { user { displayName email phone } roles } }";

#[tokio::test]
async fn register_validates_every_field_and_normalises_identifiers() {
    let app = TestApp::spawn().await;
    let res = app.graphql(REGISTER, json!({ "input": { "email": "bukan-email", "phone": "12345", "displayName": "", "password": "pendek" } })).await;
    let fields: Vec<String> = res.user_errors().into_iter().map(|e| e.field).collect();
    for f in [
        "input.email",
        "input.phone",
        "input.displayName",
        "input.password",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} missing in {fields:?}");
    }
    assert_eq!(res["data"]["register"]["user"], Value::Null);

    let res = app.graphql(REGISTER, json!({ "input": { "email": "Sri@Example.ID", "phone": "0812-3456-7890", "displayName": "Sri", "password": "rahasia-123" } })).await;
    let user = &res["data"]["register"]["user"];
    assert_eq!(user["email"], "sri@example.id");
    assert_eq!(user["phone"], "+6281234567890");
    // The same identifiers in another spelling are taken.
    let res = app.graphql(REGISTER, json!({ "input": { "email": "SRI@example.id", "phone": "+62 812 3456 7890", "displayName": "Sri 2", "password": "rahasia-123" } })).await;
    let codes: Vec<String> = res.user_errors().into_iter().map(|e| e.code).collect();
    assert_eq!(codes, vec!["TAKEN", "TAKEN"]);
}

#[tokio::test]
async fn login_viewer_refresh_rotation_reuse_and_logout() {
    let app = TestApp::spawn().await;
    let budi = app.buyer().await;
    let res = app.as_(&budi).graphql(VIEWER, json!({})).await;
    assert_eq!(res.status, 200);
    assert_eq!(res["data"]["viewer"]["user"]["email"], budi.email.as_str());
    assert_eq!(res["data"]["viewer"]["roles"], json!(["BUYER"]));
    let res = app.graphql(VIEWER, json!({})).await;
    assert_eq!(res["data"]["viewer"], Value::Null);

    // Rotation: each refresh returns a new refresh token.
    let refresh = budi.refresh_token.clone();
    let res = app.graphql(REFRESH, json!({ "t": refresh })).await;
    let second = res["data"]["refreshToken"]["tokens"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(second, refresh);
    let res = app.graphql(REFRESH, json!({ "t": second })).await;
    let third = res["data"]["refreshToken"]["tokens"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    // Reuse of an already-used token revokes the whole family, including the newest token.
    let res = app.graphql(REFRESH, json!({ "t": refresh })).await;
    assert!(res.refresh_refused(), "{res}");
    let res = app.graphql(REFRESH, json!({ "t": third })).await;
    assert!(res.refresh_refused(), "{res}");

    // Logout revokes a fresh login's refresh token.
    let refresh = app.buyer().await.refresh_token;
    let res = app
        .graphql(
            "mutation($t: String!) { logout(input: { refreshToken: $t }) { ok } }",
            json!({ "t": refresh }),
        )
        .await;
    assert_eq!(res["data"]["logout"]["ok"], true);
    let res = app.graphql(REFRESH, json!({ "t": refresh })).await;
    assert!(res.refresh_refused(), "{res}");
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
        let res = app
            .as_(&Credential::Header(auth.into()))
            .graphql("{ categories { slug } }", json!({}))
            .await;
        assert_eq!(res.status, 401, "{auth}");
        assert_eq!(res.error_code(), Some("UNAUTHENTICATED"));
    }
}

#[tokio::test]
async fn failed_logins_slow_down_then_lock_without_revealing_the_account() {
    let app = TestApp::spawn().await;
    let ani = app.buyer().await;
    let nobody = unique_email("nobody");
    let attempt = |identifier: &str, password: &'static str| {
        let app = &app;
        let identifier = identifier.to_string();
        async move {
            let res = app
                .graphql(
                    LOGIN,
                    json!({ "input": { "identifier": identifier, "password": password } }),
                )
                .await;
            res["data"]["login"]["userErrors"][0].clone()
        }
    };
    let unknown = attempt(&nobody, "salah-salah").await;
    let wrong = attempt(&ani.email, "salah-salah").await;
    assert_eq!(
        unknown, wrong,
        "the answer must not reveal whether the account exists"
    );
    assert_eq!(wrong["code"], "INVALID_CREDENTIALS");
    for _ in 0..4 {
        attempt(&ani.email, "salah-salah").await;
    }
    // Locked now, even with the right password.
    let locked = attempt(&ani.email, PASSWORD).await;
    assert_eq!(locked["code"], "TOO_MANY_ATTEMPTS");
}

#[tokio::test]
async fn kiosks_are_registered_by_admins_used_and_revoked() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let outlet = app.outlet().await;
    let seller = app.seller().await;
    app.product(&seller, Default::default()).await;
    let register = "mutation($o: ID!) { registerKiosk(input: { outletId: $o, name: \"Kiosk pintu utara\" }) { kiosk { id name } credential userErrors { code } } }";

    // Only administrators.
    let buyer = app.buyer().await;
    let res = app
        .as_(&buyer)
        .graphql(register, json!({ "o": outlet.gid }))
        .await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"));
    let res = app.graphql(register, json!({ "o": outlet.gid })).await;
    assert_eq!(res.error_code(), Some("UNAUTHENTICATED"));

    let res = app
        .as_(&admin)
        .graphql(register, json!({ "o": outlet.gid }))
        .await;
    assert_eq!(res.user_errors(), Vec::<UserError>::new());
    let credential = res["data"]["registerKiosk"]["credential"]
        .as_str()
        .unwrap()
        .to_string();
    let kiosk_id = res["data"]["registerKiosk"]["kiosk"]["id"].clone();
    let kiosk = Credential::Kiosk(credential.clone());
    let res = app
        .as_(&kiosk)
        .graphql(
            "{ products(first: 1) { totalCount } viewer { roles } }",
            json!({}),
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(res["data"]["products"]["totalCount"].as_i64().unwrap() > 0);
    assert_eq!(res["data"]["viewer"], Value::Null);
    // A kiosk credential is not an access token, and a kiosk is not an administrator.
    let res = app
        .as_(&Credential::Bearer(credential.clone()))
        .graphql("{ categories { slug } }", json!({}))
        .await;
    assert_eq!(res.status, 401);
    let res = app
        .as_(&kiosk)
        .graphql(register, json!({ "o": outlet.gid }))
        .await;
    assert_eq!(res.error_code(), Some("UNAUTHENTICATED"));
    // Nor does a kiosk sign in or create accounts.
    let res = app
        .as_(&kiosk)
        .graphql(
            LOGIN,
            json!({ "input": { "identifier": admin.email, "password": admin.password } }),
        )
        .await;
    assert_eq!(res.error_code(), Some("FORBIDDEN"));

    let res = app
        .as_(&admin)
        .graphql(
            "{ kiosks { nodes { name lastUsedAt revokedAt outlet { code } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        res["data"]["kiosks"]["nodes"][0]["outlet"]["code"],
        outlet.code.as_str()
    );
    assert!(res["data"]["kiosks"]["nodes"][0]["lastUsedAt"].is_string());
    let res = app
        .as_(&admin)
        .graphql(
            "mutation($k: ID!) { revokeKiosk(input: { kioskId: $k }) { kiosk { revokedAt } } }",
            json!({ "k": kiosk_id }),
        )
        .await;
    assert!(
        res["data"]["revokeKiosk"]["kiosk"]["revokedAt"].is_string(),
        "{res}"
    );
    let res = app
        .as_(&kiosk)
        .graphql("{ categories { slug } }", json!({}))
        .await;
    assert_eq!(res.status, 401);
}
