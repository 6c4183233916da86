//! `pasar-oleh [serve | schema | migrate | seed]`

use anyhow::Context;
use pasar_oleh::{
    graphql, infra, services::seed, settings::Settings, startup::Application, state::AppState,
    telemetry,
};

const USAGE: &str = "usage: pasar-oleh [serve | schema | migrate | seed]
  serve    run the HTTP server (default); migrates, and seeds the demo catalogue on an empty development database
  schema   print the GraphQL schema (SDL)
  migrate  apply database migrations and exit
  seed     (re)load the demo catalogue, idempotently (development only)";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    if command == "schema" {
        print!("{}", graphql::sdl());
        return Ok(());
    }
    if matches!(command.as_str(), "-h" | "--help" | "help") {
        println!("{USAGE}");
        return Ok(());
    }
    let settings = Settings::from_env()?;
    telemetry::init(settings.log_format);
    match command.as_str() {
        "serve" => {
            let app = Application::build(settings).await?;
            tracing::info!(
                port = app.port(),
                "Pasar Oleh is listening; GraphQL at /graphql"
            );
            app.run_until_stopped().await?;
        }
        "migrate" => {
            let (db, _) = infra::db::connect(&settings.database_url, 2).await?;
            infra::db::migrate(&db).await?;
            tracing::info!("migrations applied");
        }
        "seed" => {
            anyhow::ensure!(
                !settings.is_production(),
                "the demo catalogue is never seeded in production"
            );
            let state = AppState::build(Settings {
                seed_demo: false,
                ..settings
            })
            .await?;
            let report = seed::seed(&state.db, &state.media)
                .await
                .context("seeding")?;
            tracing::info!(?report, "demo catalogue seeded");
        }
        other => {
            eprintln!("unknown command {other:?}\n{USAGE}");
            std::process::exit(2);
        }
    }
    Ok(())
}
