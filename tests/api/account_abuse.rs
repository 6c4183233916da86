//! Attacks on the account mutations (issue 7), each performed over HTTP: many aliased
//! `register`/`login` fields in one document or one batch, parallel wrong passwords racing the
//! throttle, refresh racing logout, and probing `register` for taken identifiers.

use entity::user;
use futures_util::future::join_all;
use pasar_oleh::domain::client_address::IpRange;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{GqlResponse, PASSWORD, TestApp, short_id};

const REGISTER: &str = "mutation($input: RegisterUserInput!) { register(input: $input) { user { id } userErrors { field code } } }";
const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { tokens { refreshToken } userErrors { field code } } }";
const REFRESH: &str = "mutation($t: String!) { refreshToken(input: { refreshToken: $t }) { tokens { refreshToken } userErrors { field code } } }";
const LOGOUT: &str = "mutation($t: String!) { logout(input: { refreshToken: $t }) { ok } }";

/// Accounts whose e-mail starts with `prefix`: what an attack managed to write.
async fn accounts_named(app: &TestApp, prefix: &str) -> u64 {
    user::Entity::find()
        .filter(user::Column::Email.starts_with(prefix))
        .count(app.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn aliased_registers_in_one_document_are_refused_before_execution() {
    let app = TestApp::spawn().await;
    let prefix = format!("junk-{}", short_id());
    let fields: String = (0..20)
        .map(|i| {
            format!(
                "r{i}: register(input: {{ email: \"{prefix}-{i}@example.id\", displayName: \"x\", password: \"rahasia-123\" }}) {{ user {{ id }} }} "
            )
        })
        .collect();
    let res = app
        .http_post("/graphql")
        .json(&json!({ "query": format!("mutation {{ {fields} }}") }))
        .send()
        .await
        .unwrap();
    let res = GqlResponse::read(res).await;
    assert_eq!(res.status, 400, "{res}");
    assert_eq!(res.error_code(), Some("TOO_MANY_ACCOUNT_OPERATIONS"));
    assert_eq!(accounts_named(&app, &prefix).await, 0, "no junk accounts");

    // Hiding the fields in fragments changes nothing.
    let query = format!(
        "mutation {{ ...a ...b }} fragment a on MutationRoot {{ a: register(input: {{ email: \"{prefix}-a@example.id\", displayName: \"x\", password: \"rahasia-123\" }}) {{ user {{ id }} }} }} fragment b on MutationRoot {{ ... on MutationRoot {{ b: login(input: {{ identifier: \"{prefix}-a@example.id\", password: \"rahasia-123\" }}) {{ tokens {{ accessToken }} }} }} }}"
    );
    let res = app
        .http_post("/graphql")
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    let res = GqlResponse::read(res).await;
    assert_eq!(res.status, 400, "{res}");
    assert_eq!(res.error_code(), Some("TOO_MANY_ACCOUNT_OPERATIONS"));
    assert_eq!(accounts_named(&app, &prefix).await, 0, "no junk accounts");
}

#[tokio::test]
async fn a_batch_with_several_account_operations_is_refused_whole() {
    let app = TestApp::spawn().await;
    let prefix = format!("junk-{}", short_id());
    let batch: Vec<Value> = (0..3)
        .map(|i| {
            json!({ "query": REGISTER, "variables": { "input": {
                "email": format!("{prefix}-{i}@example.id"), "displayName": "x", "password": PASSWORD } } })
        })
        .chain([json!({ "query": "{ categories { slug } }" })])
        .collect();
    let res = app.http_post("/graphql").json(&batch).send().await.unwrap();
    let res = GqlResponse::read(res).await;
    assert_eq!(res.status, 400, "{res}");
    assert_eq!(res.error_code(), Some("TOO_MANY_ACCOUNT_OPERATIONS"));
    assert_eq!(accounts_named(&app, &prefix).await, 0, "no junk accounts");

    // One account operation beside ordinary queries is fine.
    let batch = json!([
        { "query": REGISTER, "variables": { "input": {
            "email": format!("{prefix}-ok@example.id"), "displayName": "x", "password": PASSWORD } } },
        { "query": "{ categories { slug } }" },
    ]);
    let res = app.http_post("/graphql").json(&batch).send().await.unwrap();
    let res = GqlResponse::read(res).await;
    assert_eq!(res.status, 200, "{res}");
    assert_eq!(accounts_named(&app, &prefix).await, 1);
}

#[tokio::test]
async fn parallel_wrong_passwords_never_exceed_the_account_limit() {
    let app = TestApp::spawn().await;
    let ani = app.buyer().await;
    let attempts = (0..10).map(|_| {
        app.graphql(
            LOGIN,
            json!({ "input": { "identifier": ani.email, "password": "salah-salah" } }),
        )
    });
    let answers = join_all(attempts).await;
    let codes: Vec<String> = answers
        .iter()
        .map(|res| {
            res["data"]["login"]["userErrors"][0]["code"]
                .as_str()
                .or(res.error_code())
                .unwrap_or("")
                .to_string()
        })
        .collect();
    let verified = codes.iter().filter(|c| *c == "INVALID_CREDENTIALS").count();
    assert!(
        verified <= 5,
        "{verified} passwords were checked against a limit of 5: {codes:?}"
    );
    let res = app
        .graphql(
            LOGIN,
            json!({ "input": { "identifier": ani.email, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(
        res["data"]["login"]["userErrors"][0]["code"],
        "TOO_MANY_ATTEMPTS"
    );
}

#[tokio::test]
async fn refresh_racing_logout_never_leaves_a_live_session() {
    let app = TestApp::spawn().await;
    let ani = app.buyer().await;
    for trial in 0..15 {
        let session = app.login(&ani.email, PASSWORD).await;
        let token = session.refresh_token.clone();
        let (refreshed, _) = tokio::join!(
            app.graphql(REFRESH, json!({ "t": token })),
            app.graphql(LOGOUT, json!({ "t": token })),
        );
        if let Some(next) = refreshed["data"]["refreshToken"]["tokens"]["refreshToken"].as_str() {
            let res = app.graphql(REFRESH, json!({ "t": next })).await;
            assert!(
                res.refresh_refused(),
                "trial {trial}: a session survived logout: {res}"
            );
        }
    }
}

#[tokio::test]
async fn a_double_refresh_within_the_grace_window_continues_one_session() {
    let app = TestApp::spawn().await;
    let ani = app.buyer().await;
    for trial in 0..10 {
        let session = app.login(&ani.email, PASSWORD).await;
        let token = session.refresh_token.clone();
        let (a, b) = tokio::join!(
            app.graphql(REFRESH, json!({ "t": token })),
            app.graphql(REFRESH, json!({ "t": token })),
        );
        let next_a = a["data"]["refreshToken"]["tokens"]["refreshToken"].as_str();
        let next_b = b["data"]["refreshToken"]["tokens"]["refreshToken"].as_str();
        assert!(next_a.is_some(), "trial {trial}: {a}");
        assert_eq!(next_a, next_b, "trial {trial}: two successors: {a} {b}");
        // The one successor carries the session on, once.
        let res = app.graphql(REFRESH, json!({ "t": next_a })).await;
        assert!(
            res["data"]["refreshToken"]["tokens"]["refreshToken"].is_string(),
            "trial {trial}: {res}"
        );
    }
}

#[tokio::test]
async fn reuse_after_the_grace_window_revokes_the_login() {
    let app = TestApp::spawn_with(|s| s.jwt.refresh_grace_secs = 1).await;
    let ani = app.buyer().await;
    let res = app
        .graphql(REFRESH, json!({ "t": ani.refresh_token }))
        .await;
    let next = res["data"]["refreshToken"]["tokens"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    // Replayed after the window: reuse, which revokes the family and so the live successor.
    let res = app
        .graphql(REFRESH, json!({ "t": ani.refresh_token }))
        .await;
    assert!(res.refresh_refused(), "{res}");
    let res = app.graphql(REFRESH, json!({ "t": next })).await;
    assert!(res.refresh_refused(), "{res}");
}

#[tokio::test]
async fn within_the_window_a_spent_successor_makes_the_old_token_reuse() {
    let app = TestApp::spawn().await;
    let ani = app.buyer().await;
    let res = app
        .graphql(REFRESH, json!({ "t": ani.refresh_token }))
        .await;
    let second = res["data"]["refreshToken"]["tokens"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app.graphql(REFRESH, json!({ "t": second })).await;
    let third = res["data"]["refreshToken"]["tokens"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    // The first token's successor is spent: presenting it again is reuse, even in the window.
    let res = app
        .graphql(REFRESH, json!({ "t": ani.refresh_token }))
        .await;
    assert!(res.refresh_refused(), "{res}");
    let res = app.graphql(REFRESH, json!({ "t": third })).await;
    assert!(res.refresh_refused(), "{res}");
}

#[tokio::test]
async fn a_login_ends_at_its_absolute_lifetime_however_often_refreshed() {
    let app = TestApp::spawn().await;
    let ani = app.buyer().await;
    let res = app
        .graphql(REFRESH, json!({ "t": ani.refresh_token }))
        .await;
    let next = res["data"]["refreshToken"]["tokens"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    app.end_sessions(&ani).await;
    let res = app.graphql(REFRESH, json!({ "t": next })).await;
    assert!(res.refresh_refused(), "{res}");
}

#[tokio::test]
async fn taken_is_reported_only_when_every_other_field_is_valid() {
    let app = TestApp::spawn().await;
    let ani = app.buyer().await;
    // A probe with an invalid password learns nothing about the e-mail address.
    let res = app
        .graphql(
            REGISTER,
            json!({ "input": { "email": ani.email, "displayName": "x", "password": "pendek" } }),
        )
        .await;
    let codes: Vec<(String, String)> = res
        .user_errors()
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect();
    assert_eq!(
        codes,
        vec![("input.password".to_string(), "INVALID".to_string())]
    );
    // The same probe for an unknown address answers the same.
    let res2 = app
        .graphql(
            REGISTER,
            json!({ "input": { "email": format!("baru-{}@example.id", short_id()), "displayName": "x", "password": "pendek" } }),
        )
        .await;
    assert_eq!(res.body, res2.body);
}

#[tokio::test]
async fn registrations_are_limited_per_address() {
    let app = TestApp::spawn_with(|s| s.accounts.registrations_per_address = 2).await;
    let prefix = format!("junk-{}", short_id());
    let register = |i: usize| {
        app.graphql(
            REGISTER,
            json!({ "input": { "email": format!("{prefix}-{i}@example.id"), "displayName": "x", "password": PASSWORD } }),
        )
    };
    assert_eq!(register(0).await.user_errors(), vec![]);
    assert_eq!(register(1).await.user_errors(), vec![]);
    let res = register(2).await;
    assert_eq!(
        res.user_errors(),
        vec![crate::helpers::UserError::new("", "TOO_MANY_ATTEMPTS")]
    );
    assert_eq!(
        accounts_named(&app, &prefix).await,
        2,
        "the third was not written"
    );
}

#[tokio::test]
async fn password_hashing_refuses_when_saturated() {
    let app = TestApp::spawn_with(|s| {
        s.accounts.hash_concurrency = 1;
        s.accounts.hash_queue = 0;
    })
    .await;
    // Different unknown accounts, so the per-account throttle is not what refuses them.
    let attempts = (0..8).map(|_| {
        app.graphql(
            LOGIN,
            json!({ "input": { "identifier": format!("nobody-{}@example.id", short_id()), "password": "salah-salah" } }),
        )
    });
    let answers = join_all(attempts).await;
    let busy = answers
        .iter()
        .filter(|res| res.error_code() == Some("BUSY"))
        .count();
    let checked = answers
        .iter()
        .filter(|res| res["data"]["login"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS")
        .count();
    assert!(busy > 0, "nothing was refused: {answers:?}");
    assert!(checked > 0, "nothing was checked: {answers:?}");
    assert_eq!(busy + checked, answers.len());
    // The pool recovers once the burst is over.
    let res = app
        .graphql(
            LOGIN,
            json!({ "input": { "identifier": "nobody@example.id", "password": "salah-salah" } }),
        )
        .await;
    assert_eq!(
        res["data"]["login"]["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
}

/// A login over HTTP as if forwarded for `address`; the code of its answer.
async fn login_from(app: &TestApp, address: &str, identifier: &str, password: &str) -> String {
    let res = app
        .http_post("/graphql")
        .header("x-forwarded-for", address)
        .json(&json!({ "query": LOGIN, "variables": { "input": { "identifier": identifier, "password": password } } }))
        .send()
        .await
        .unwrap();
    let res = GqlResponse::read(res).await;
    if res["data"]["login"]["tokens"].is_object() {
        return "OK".into();
    }
    res["data"]["login"]["userErrors"][0]["code"]
        .as_str()
        .or(res.error_code())
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn forwarded_addresses_count_only_through_trusted_proxies() {
    // Behind a trusted proxy each client has its own address budget, so one client's failures
    // do not lock everybody out.
    let app = TestApp::spawn_with(|s| {
        s.trusted_proxies = vec![IpRange::parse("127.0.0.1").unwrap()];
    })
    .await;
    let ani = app.buyer().await;
    for _ in 0..20 {
        let nobody = format!("nobody-{}@example.id", short_id());
        login_from(&app, "198.51.100.1", &nobody, "salah-salah").await;
    }
    let nobody = format!("nobody-{}@example.id", short_id());
    assert_eq!(
        login_from(&app, "198.51.100.1", &nobody, "salah-salah").await,
        "TOO_MANY_ATTEMPTS"
    );
    assert_eq!(
        login_from(&app, "198.51.100.2", &ani.email, PASSWORD).await,
        "OK"
    );

    // Without trusted proxies the header is ignored: made-up addresses do not escape the
    // peer's budget.
    let app = TestApp::spawn().await;
    for i in 0..20 {
        let nobody = format!("nobody-{}@example.id", short_id());
        login_from(&app, &format!("198.51.100.{i}"), &nobody, "salah-salah").await;
    }
    let nobody = format!("nobody-{}@example.id", short_id());
    assert_eq!(
        login_from(&app, "203.0.113.1", &nobody, "salah-salah").await,
        "TOO_MANY_ATTEMPTS"
    );
}

#[tokio::test]
async fn failures_lock_the_attacker_out_not_the_owner() {
    let app = TestApp::spawn_with(|s| {
        s.trusted_proxies = vec![IpRange::parse("127.0.0.1").unwrap()];
    })
    .await;
    let admin = app.admin().await;
    for _ in 0..5 {
        assert_eq!(
            login_from(&app, "198.51.100.66", &admin.email, "salah-salah").await,
            "INVALID_CREDENTIALS"
        );
    }
    // The attacker's address is locked out of the account, even with the right password...
    assert_eq!(
        login_from(&app, "198.51.100.66", &admin.email, PASSWORD).await,
        "TOO_MANY_ATTEMPTS"
    );
    // ...but the owner's right password from another address passes, after a delay.
    let started = std::time::Instant::now();
    assert_eq!(
        login_from(&app, "203.0.113.5", &admin.email, PASSWORD).await,
        "OK"
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(600),
        "5 failures slow the next attempt by 600 ms"
    );
}
