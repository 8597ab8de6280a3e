//! One throwaway database per test.

use super::template::{self, Source, Template};
use sea_orm::{ConnectionTrait, Database};
use std::path::PathBuf;
use uuid::Uuid;

/// Which database a test server runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    /// The admin URL from `TEST_DATABASE_URL`; each test creates its own database there.
    Postgres(String),
}

impl Backend {
    pub fn sqlite() -> Self {
        Backend::Sqlite
    }

    /// The PostgreSQL backend, when `TEST_DATABASE_URL` is set. In CI (`CI` set) it must be:
    /// a PostgreSQL test that silently skipped would hide a broken backend.
    pub fn postgres() -> Option<Self> {
        let url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.trim().is_empty());
        if url.is_none() && std::env::var_os("CI").is_some() {
            panic!("CI is set but TEST_DATABASE_URL is not: the PostgreSQL tests would not run");
        }
        url.map(Backend::Postgres)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// A database that exists for one test and is removed when dropped (also after a panic).
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Directory(PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl TestDatabase {
    /// An empty database (no tables): for servers and processes that migrate it themselves.
    pub async fn create(backend: &Backend) -> anyhow::Result<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir()
                    .join(format!("shopgraph-test-{}", Uuid::new_v4().simple()));
                std::fs::create_dir_all(&dir)?;
                let url = format!("sqlite://{}?mode=rwc", dir.join("shop.db").display());
                Ok(Self {
                    url,
                    cleanup: Cleanup::Directory(dir),
                })
            }
            Backend::Postgres(admin_url) => {
                let name = format!("shopgraph_test_{}", Uuid::new_v4().simple());
                let admin = Database::connect(admin_url.as_str()).await?;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await?;
                admin.close().await?;
                let url = with_database_name(admin_url, &name);
                Ok(Self {
                    url,
                    cleanup: Cleanup::PostgresDatabase {
                        admin_url: admin_url.clone(),
                        name,
                    },
                })
            }
        }
    }

    /// A migrated database holding `products` demo products (none: just the schema), copied
    /// from this run's template for `backend` (see `template`).
    pub async fn with_catalog(backend: &Backend, products: usize) -> anyhow::Result<Self> {
        Self::copy_of(&*template::get(backend, products).await?).await
    }

    pub(super) async fn copy_of(template: &Template) -> anyhow::Result<Self> {
        match &template.source {
            Source::File(file) => {
                let dir = std::env::temp_dir()
                    .join(format!("shopgraph-test-{}", Uuid::new_v4().simple()));
                std::fs::create_dir_all(&dir)?;
                let path = dir.join("shop.db");
                let database = Self {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    cleanup: Cleanup::Directory(dir),
                };
                std::fs::copy(file, &path)?;
                Ok(database)
            }
            Source::Database {
                admin_url,
                name: template,
            } => {
                let name = format!("shopgraph_test_{}", Uuid::new_v4().simple());
                template::create_database_from(admin_url, template, &name).await?;
                Ok(Self {
                    url: with_database_name(admin_url, &name),
                    cleanup: Cleanup::PostgresDatabase {
                        admin_url: admin_url.clone(),
                        name,
                    },
                })
            }
        }
    }
}

/// Replaces the database name (the path) of a PostgreSQL URL, keeping any query string.
pub(super) fn with_database_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Directory(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                // Drop runs outside async context (and maybe during a panic): use a private
                // runtime on a plain thread.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    runtime.block_on(async {
                        if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_the_database_in_a_url() {
        assert_eq!(
            with_database_name("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database_name("postgres://u@h/db?sslmode=disable", "t2"),
            "postgres://u@h/t2?sslmode=disable"
        );
        assert_eq!(
            with_database_name("postgres://u@h", "t3"),
            "postgres://u@h/t3"
        );
    }
}
