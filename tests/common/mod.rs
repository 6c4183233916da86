//! Test harness: every test gets its own database (a SQLite file by default, a fresh
//! PostgreSQL database when TEST_DATABASE_URL is set) and its own media folder, so tests run
//! in parallel. An unreachable TEST_DATABASE_URL fails the test; it never skips.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use pasar_oleh::{
    fixtures::demo as seed,
    graphql::{self, AppSchema},
    settings::Settings,
    startup,
    startup::Application,
    state::AppState,
};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

pub fn scratch_dir() -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("pasar-oleh-test-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A database URL no other test uses.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        None => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
        Some(admin_url) => {
            let name = format!("pasar_test_{}", uuid::Uuid::now_v7().simple());
            let admin = Database::connect(&admin_url)
                .await
                .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but unreachable: {e}"));
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            admin.close().await.unwrap();
            let base = admin_url
                .rsplit_once('/')
                .map(|(base, _)| base)
                .unwrap_or(&admin_url);
            format!("{base}/{name}")
        }
    }
}

pub fn is_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

/// A migrated state, seeded with the demo catalogue when `seeded`.
pub async fn test_state(seeded: bool) -> AppState {
    let dir = scratch_dir();
    let url = fresh_database_url(&dir).await;
    let state = startup::prepare(Settings::for_tests(url, dir))
        .await
        .unwrap();
    if seeded {
        seed::seed(&state.db, &state.media).await.unwrap();
    }
    state
}

/// Executes GraphQL without HTTP, as a resolver test would.
pub struct Gql {
    pub state: AppState,
    pub schema: AppSchema,
}

impl Gql {
    pub async fn seeded() -> Self {
        let state = test_state(true).await;
        let schema = graphql::build_schema(&state);
        Gql { state, schema }
    }

    pub async fn run(&self, query: &str, variables: Value) -> async_graphql::Response {
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables));
        graphql::execute(&self.schema, &self.state, request).await
    }

    /// Runs a query that must succeed and returns its data as JSON.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let res = self.run(query, variables).await;
        assert!(res.errors.is_empty(), "unexpected errors: {:?}", res.errors);
        res.data.into_json().unwrap()
    }

    /// Runs a query that must fail and returns the first error's code.
    pub async fn error_code(&self, query: &str, variables: Value) -> String {
        let res = self.run(query, variables).await;
        let err = res
            .errors
            .first()
            .unwrap_or_else(|| panic!("expected an error, got {:?}", res.data));
        match err.extensions.as_ref().and_then(|e| e.get("code")) {
            Some(async_graphql::Value::String(code)) => code.clone(),
            other => panic!("error without a code: {err:?} ({other:?})"),
        }
    }
}

/// The app served over HTTP on a free port.
pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
}

impl TestApp {
    pub async fn spawn() -> Self {
        let state = test_state(true).await;
        let app = Application::with_state(state.clone()).unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base,
            state,
            client: reqwest::Client::new(),
        }
    }

    pub async fn graphql(&self, query: &str, variables: Value) -> (reqwest::StatusCode, Value) {
        let res = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap())
    }
}
