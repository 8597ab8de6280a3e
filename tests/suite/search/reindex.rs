//! `shopgraph reindex`: a full rebuild beside the live index, switched in one step, while a
//! running server keeps answering searches.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::Engine;
use super::fixture::SEARCH;
use crate::search_contract;
use e2e::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestServer, shopgraph_binary};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

const PRODUCTS: usize = 60;

async fn reindex_switches_without_downtime(engine: Engine, backend: Backend) -> anyhow::Result<()> {
    let configured = engine.clone();
    let server = Arc::new(
        TestServer::start(backend, PRODUCTS, move |c| {
            c.auth.admin_email = Some(ADMIN_EMAIL.into());
            c.auth.admin_password = Some(ADMIN_PASSWORD.into());
            c.events.outbox_poll_ms = 100;
            // The watcher below searches flat out.
            c.server.rate_limit_requests = 1_000_000;
            configured.configure(c);
        })
        .await?,
    );
    // The demo catalog has a few drafts and archived products; the index holds the rest.
    let active = schema::search::documents::active_count(&server.app.app.db).await? as usize;
    assert!(active > PRODUCTS / 2);
    let all = json!({ "first": 1 });
    let before = server.graphql(SEARCH, all.clone()).await?;
    assert_eq!(
        before.data()["search"]["totalHits"],
        active,
        "{}",
        before.body
    );

    // Searches run the whole time; every one must see the full catalog.
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let watcher = {
        let (server, stop, answered, all) =
            (server.clone(), stop.clone(), answered.clone(), all.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let response = server.graphql(SEARCH, all.clone()).await?;
                anyhow::ensure!(
                    response.data()["search"]["totalHits"] == active,
                    "a search during the rebuild saw {}",
                    response.body
                );
                answered.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
    };

    // The embedded index names its live generation in CURRENT: while the rebuild runs it must
    // only ever name the old generation, then the rebuilt one.
    let current_file = server.search_dir().join("CURRENT");
    let generations = {
        let (stop, current_file) = (stop.clone(), current_file.clone());
        tokio::spawn(async move {
            let mut seen: Vec<String> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                if let Ok(name) = std::fs::read_to_string(&current_file)
                    && seen.last() != Some(&name)
                {
                    seen.push(name);
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            seen
        })
    };
    let (database_url, search_dir) = (
        server.database_url().to_owned(),
        server.search_dir().to_owned(),
    );
    let env = engine.env();
    let output = tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(shopgraph_binary()?);
        command
            .arg("reindex")
            .env("DATABASE_URL", database_url)
            .env("SEARCH_INDEX_DIR", search_dir)
            .env_remove("MEILISEARCH_URL")
            .env("RUST_LOG", "warn");
        for (key, value) in env {
            command.env(key, value);
        }
        anyhow::Ok(command.output()?)
    })
    .await??;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "reindex failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(&format!("{active}/{active} products")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("reindexed {active} products")),
        "{stdout}"
    );

    // Let the server follow the switch, then check it still answers in full.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    watcher.await??;
    assert!(answered.load(Ordering::Relaxed) > 0);
    let seen = generations.await?;
    if matches!(engine, Engine::Tantivy) {
        assert_eq!(seen.len(), 2, "CURRENT named {seen:?}");
        assert_eq!(std::fs::read_to_string(&current_file)?, seen[1]);
        let generations: Vec<_> = std::fs::read_dir(server.search_dir())?
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("gen-"))
            .collect();
        assert_eq!(generations.len(), 1, "the old generation was removed");
        let current = std::fs::read_to_string(server.search_dir().join("CURRENT"))?;
        assert_eq!(generations[0].file_name().to_string_lossy(), current.trim());
    }

    // Changes after the switch land in the new index.
    let admin = server.admin_token().await?;
    let created = server
        .graphql_as(
            Some(&admin),
            "mutation { productCreate(input: { name: \"Quokka Plush\", status: ACTIVE }) { product { id } } }",
            json!({}),
        )
        .await?;
    assert!(
        created.data()["productCreate"]["product"].is_object(),
        "{}",
        created.body
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let found = server.graphql(SEARCH, json!({ "query": "quokka" })).await?;
        if found.data()["search"]["totalHits"] == 1 {
            break;
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "not indexed: {}",
            found.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let after = server.graphql(SEARCH, all).await?;
    assert_eq!(after.data()["search"]["totalHits"], active + 1);
    Ok(())
}
search_contract!(reindex_switches_without_downtime);
