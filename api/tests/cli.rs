//! The `shopgraph` binary's subcommands, run as a user would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch() -> Scratch {
    let dir = std::env::temp_dir().join(format!("shopgraph-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

fn shopgraph(data_dir: &Scratch, args: &[&str]) -> Output {
    shopgraph_with(data_dir, args, &[])
}

fn shopgraph_with(data_dir: &Scratch, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shopgraph"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("ADMIN_EMAIL")
        .env_remove("ADMIN_PASSWORD")
        .env("DATA_DIR", &data_dir.0)
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn migrate_seed_and_admin_create() {
    let data = scratch();
    let migrated = shopgraph(&data, &["migrate"]);
    assert!(migrated.status.success(), "{migrated:?}");
    assert!(
        data.0.join("shopgraph.db").exists(),
        "the default database lives in DATA_DIR"
    );

    let seeded = shopgraph(&data, &["seed", "--products", "30"]);
    assert!(seeded.status.success(), "{seeded:?}");
    assert!(
        stdout(&seeded).contains("30 products, 90 variants"),
        "{}",
        stdout(&seeded)
    );
    let again = shopgraph(&data, &["seed"]);
    assert!(
        !again.status.success(),
        "seeding a non-empty catalog is refused"
    );

    let created = shopgraph(
        &data,
        &[
            "admin",
            "create",
            "--email",
            "Boss@Example.com",
            "--password",
            "a long staff passphrase",
        ],
    );
    assert!(created.status.success(), "{created:?}");
    assert_eq!(
        stdout(&created).trim(),
        "administrator boss@example.com created"
    );
    let updated = shopgraph(
        &data,
        &[
            "admin",
            "create",
            "--email",
            "boss@example.com",
            "--password",
            "another long passphrase",
        ],
    );
    assert_eq!(
        stdout(&updated).trim(),
        "administrator boss@example.com updated"
    );
    let weak = shopgraph(
        &data,
        &[
            "admin",
            "create",
            "--email",
            "boss@example.com",
            "--password",
            "short",
        ],
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("admin password is refused"));
}

#[test]
fn export_schema_prints_the_checked_in_sdl() {
    let data = scratch();
    let exported = shopgraph(&data, &["export-schema"]);
    assert!(exported.status.success());
    let checked_in = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../graphql/schema.graphql"
    ))
    .unwrap();
    assert_eq!(stdout(&exported), checked_in);
}

#[test]
fn a_malformed_setting_stops_the_start_before_anything_connects() {
    let data = scratch();
    for (variable, value, flag) in [
        ("DEFAULT_CURRENCY", "XXX", "--default-currency"),
        ("TAX_RATE", "abc", "--tax-rate"),
        ("SHIPPING_RATES", "USD=lots", "--shipping-rates"),
        ("LOG_FORMAT", "yaml", "--log-format"),
        ("JWT_SECRET", "short", "--jwt-secret"),
    ] {
        // `migrate` connects to the database (creating the SQLite file) as its first step.
        let refused = shopgraph_with(&data, &["migrate"], &[(variable, value)]);
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success(), "{variable}={value} was accepted");
        assert!(stderr.contains(flag), "{variable}={value}: {stderr}");
        assert!(
            !data.0.join("shopgraph.db").exists(),
            "{variable}={value}: the database was opened before the value was refused"
        );
    }
    let flag = shopgraph(&data, &["--tax-rate", "8.125", "migrate"]);
    assert!(String::from_utf8_lossy(&flag.stderr).contains("--tax-rate"));
    assert!(!data.0.join("shopgraph.db").exists());
}
