//! `pasar-oleh [serve | schema | trusted-documents | migrate | seed | seed-bench | create-admin]`

use anyhow::Context;
use pasar_oleh::{
    fixtures::{bench, demo},
    graphql, infra,
    settings::Settings,
    startup,
    startup::Application,
    telemetry,
};

const USAGE: &str = "usage: pasar-oleh [serve | schema | trusted-documents [DIR] | migrate | seed | seed-bench | create-admin IDENTIFIER NAME]
  serve    run the HTTP server (default); migrates, and seeds the demo catalogue on an empty development database
  schema   print the GraphQL schema (SDL)
  trusted-documents [DIR]
           print the trusted-documents manifest (JSON, SHA-256 → document) of the client
           documents under DIR (default: clients), for TRUSTED_DOCUMENTS_FILE
  migrate  apply database migrations and exit
  seed     (re)load the demo catalogue, idempotently (development only)
  seed-bench [--products N] [--sellers N] [--outlets N] [--photos N] [--seed N]
           migrate, then load the deterministic benchmark dataset into an empty catalogue
           (defaults: 10000 products, 1000 sellers, 20 outlets, 3 photos each, seed 42)
  create-admin IDENTIFIER NAME
           create an administrator with that e-mail or mobile number; the password is read
           from standard input (first line), never from arguments";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    if command == "schema" {
        print!("{}", graphql::sdl());
        return Ok(());
    }
    if command == "trusted-documents" {
        let dir = std::env::args().nth(2).unwrap_or_else(|| "clients".into());
        let manifest = graphql::document::manifest_of(std::path::Path::new(&dir))
            .with_context(|| format!("reading the client documents under {dir}"))?;
        println!("{}", serde_json::to_string_pretty(&manifest)?);
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
            let state = startup::prepare(Settings {
                seed_demo: false,
                ..settings
            })
            .await?;
            let report = demo::seed(&state.db, &state.media)
                .await
                .context("seeding")?;
            tracing::info!(?report, "demo catalogue seeded");
        }
        "seed-bench" => {
            anyhow::ensure!(
                !settings.is_production(),
                "the benchmark dataset is never seeded in production"
            );
            let spec = bench_spec(std::env::args().skip(2))?;
            let (db, _) = infra::db::connect(&settings.database_url, 2).await?;
            infra::db::migrate(&db).await?;
            let started = std::time::Instant::now();
            let report = bench::seed(&db, spec).await.context("seeding")?;
            tracing::info!(
                ?report,
                ?spec,
                seconds = started.elapsed().as_secs_f64(),
                "benchmark dataset seeded"
            );
        }
        "create-admin" => {
            let mut args = std::env::args().skip(2);
            let (Some(identifier), Some(name)) = (args.next(), args.next()) else {
                eprintln!("{USAGE}");
                std::process::exit(2);
            };
            eprint!("Password for {identifier}: ");
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("reading the password")?;
            let password = password.trim_end_matches(['\r', '\n']);
            let state = startup::prepare(Settings {
                seed_demo: false,
                ..settings
            })
            .await?;
            match pasar_oleh::services::accounts::create_admin(
                &state.db,
                &state.events,
                &identifier,
                &name,
                password,
            )
            .await
            {
                Ok(user) => tracing::info!(user = %user.id, "administrator created"),
                Err(err) => anyhow::bail!("could not create the administrator: {}", err.message()),
            }
        }
        other => {
            eprintln!("unknown command {other:?}\n{USAGE}");
            std::process::exit(2);
        }
    }
    Ok(())
}

/// `--products N --sellers N --outlets N --photos N --seed N`, each optional.
fn bench_spec(args: impl Iterator<Item = String>) -> anyhow::Result<bench::BenchSpec> {
    let mut spec = bench::BenchSpec::default();
    let mut args = args;
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        let n: u64 = value
            .parse()
            .with_context(|| format!("{flag} {value:?} is not a whole number"))?;
        match flag.as_str() {
            "--products" => spec.products = n as usize,
            "--sellers" => spec.sellers = n as usize,
            "--outlets" => spec.outlets = n as usize,
            "--photos" => spec.photos_per_product = n as usize,
            "--seed" => spec.seed = n,
            other => anyhow::bail!("unknown option {other:?}\n{USAGE}"),
        }
    }
    Ok(spec)
}
