//! A real browser: Debian's `chromium` driven by `playwright-core` through a script in
//! `tests/clients/` (installed with the other npm clients, see `node_client`). The script
//! prints one JSON object per line; the test reads them as they come and may act between
//! them (e.g. change the order, then wait for the page to show it).

use super::node_client::installed_clients;
use anyhow::Context as _;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Where Debian installs Chromium (`.ci/run` installs it).
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// A running browser script.
pub struct BrowserScript {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl BrowserScript {
    /// Runs `tests/clients/<script>` with `args`. `None` (with a note) when Chromium or
    /// Node.js is missing, except in CI (`CI` set), where both must be there.
    pub async fn start(script: &str, args: &[&str]) -> anyhow::Result<Option<Self>> {
        if !Path::new(CHROMIUM).exists() {
            anyhow::ensure!(
                std::env::var_os("CI").is_none(),
                "CI is set but {CHROMIUM} is missing: the browser tests would not run"
            );
            eprintln!("skipped the browser test: {CHROMIUM} is not installed");
            return Ok(None);
        }
        let Some(dir) = tokio::task::spawn_blocking(installed_clients).await?? else {
            return Ok(None);
        };
        let mut child = Command::new("node")
            .arg(dir.join(script))
            .args(args)
            .env("CHROMIUM", CHROMIUM)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting node")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Some(Self { child, lines }))
    }

    /// The next object the script printed, within `wait`.
    pub async fn next_json(&mut self, wait: Duration) -> anyhow::Result<Value> {
        let line = tokio::task::block_in_place(|| self.lines.recv_timeout(wait))
            .with_context(|| format!("the browser script printed nothing within {wait:?}"))?;
        serde_json::from_str(&line).with_context(|| format!("not JSON: {line}"))
    }
}

impl Drop for BrowserScript {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
