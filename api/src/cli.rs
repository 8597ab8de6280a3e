//! Subcommand dispatch. The command line was parsed (every value typed) before this runs.

use crate::config::{AdminCommand, Cli, Command};
use crate::metrics::Metrics;
use crate::{app, db, search, seed, telemetry};
use schema::customers::staff::admin::{self as staff, AdminOutcome};
use schema::events::EventHub;
use schema::search::rebuild;
use schema::unit_of_work::Writer;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Where a command's units of work begin. Nothing in the process subscribes to events; one a
/// command recorded would wait in the outbox for a server's relay (its poll).
fn writer(db: &DatabaseConnection) -> Writer {
    Writer::new(db.clone(), Arc::new(EventHub::new(1, None)))
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            telemetry::init(config.server.log_format);
            app::run_server(&config).await
        }
        Command::Migrate => {
            telemetry::init(config.server.log_format);
            let db = db::connect(&config.database_url(), 2, Arc::new(Metrics::new())).await?;
            db::migrate(&db).await?;
            println!(
                "migrations applied to {}",
                db::redact(&config.database_url())
            );
            Ok(())
        }
        Command::Seed { products } => {
            telemetry::init(config.server.log_format);
            let db = db::connect(&config.database_url(), 4, Arc::new(Metrics::new())).await?;
            db::migrate(&db).await?;
            if !seed::catalog_is_empty(&db).await? {
                anyhow::bail!("the catalog is not empty; seed only fills an empty database");
            }
            let started = std::time::Instant::now();
            let summary = seed::seed_demo_catalog(&writer(&db), products).await?;
            seed::analyse_seeded_tables(&db).await?;
            println!(
                "seeded {} categories, {} products, {} variants, {} warehouses, {} collections in {:.1}s",
                summary.categories,
                summary.products,
                summary.variants,
                summary.warehouses,
                summary.collections,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Admin {
            action: AdminCommand::Create { email, password },
        } => {
            telemetry::init(config.server.log_format);
            let db = db::connect(&config.database_url(), 2, Arc::new(Metrics::new())).await?;
            db::migrate(&db).await?;
            let outcome = staff::ensure_admin(&writer(&db), &email, &password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let verb = match outcome {
                AdminOutcome::Created => "created",
                AdminOutcome::Updated => "updated",
            };
            println!("administrator {} {verb}", email.trim().to_lowercase());
            Ok(())
        }
        Command::Reindex => {
            telemetry::init(config.server.log_format);
            let db = db::connect(&config.database_url(), 4, Arc::new(Metrics::new())).await?;
            db::migrate(&db).await?;
            let (search, _) = search::connect(&config, search::Role::Rebuild).await?;
            println!("rebuilding the {} search index", search.backend.name());
            let mut last_report = std::time::Instant::now();
            // Long enough for running servers to follow the switch (they check every second).
            let settle = std::time::Duration::from_secs(2);
            let summary = rebuild::rebuild(&writer(&db), &search, settle, |done, total| {
                if done == total || last_report.elapsed().as_millis() >= 500 {
                    last_report = std::time::Instant::now();
                    println!("  {done}/{total} products");
                }
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "reindexed {} products in {:.1}s; switched to the new index; {} changed meanwhile and were queued again",
                summary.products,
                summary.elapsed.as_secs_f64(),
                summary.replayed
            );
            Ok(())
        }
        Command::ExportSchema { storefront } => {
            let sdl = match storefront {
                false => schema::export_sdl(),
                true => schema::storefront_compat::export_sdl(),
            };
            print!("{sdl}");
            Ok(())
        }
    }
}
