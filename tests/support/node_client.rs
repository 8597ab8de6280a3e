//! The `graphql-ws` npm client (what Next.js storefronts use), driven from tests through
//! `tests/clients/watch-stock.mjs` (and the clients' install, which `browser` shares). Its packages are pinned by `tests/clients/package-lock.json`
//! and installed with `npm ci` into a cache directory outside the repository, once.

use anyhow::Context as _;
use serde_json::Value;
use sha2::Digest as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

/// A running `watch-stock.mjs`: one subscription to `stockChanged` for a variant.
pub struct NodeSubscriber {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl NodeSubscriber {
    /// Subscribes at `ws_url` to `variant_id` and waits for the connection to be acknowledged.
    /// `None` (with a note) when Node.js is not installed, except in CI where it must be.
    pub async fn start(ws_url: &str, variant_id: &str) -> anyhow::Result<Option<Self>> {
        let Some(dir) = tokio::task::spawn_blocking(installed_clients).await?? else {
            return Ok(None);
        };
        let mut child = Command::new("node")
            .arg(dir.join("watch-stock.mjs"))
            .args([ws_url, variant_id, "1000"])
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
        let mut subscriber = Self { child, lines };
        let first = subscriber.next_json().await?;
        anyhow::ensure!(
            first["connected"] == true,
            "graphql-ws did not connect: {first}"
        );
        Ok(Some(subscriber))
    }

    /// The next message the client printed (a GraphQL result), 5 s at most.
    pub async fn next_json(&mut self) -> anyhow::Result<Value> {
        let line = tokio::task::block_in_place(|| self.lines.recv_timeout(Duration::from_secs(5)))
            .context("no message from the graphql-ws client within 5 s")?;
        Ok(serde_json::from_str(&line)?)
    }
}

impl Drop for NodeSubscriber {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one of the client scripts to its end and returns the JSON lines it printed; `None`
/// (with a note) when Node.js is not installed, except in CI. A script that fails fails the
/// test with its stderr.
pub async fn run_script(script: &str, args: &[String]) -> anyhow::Result<Option<Vec<Value>>> {
    let Some(dir) = tokio::task::spawn_blocking(installed_clients).await?? else {
        return Ok(None);
    };
    let (script_path, args) = (dir.join(script), args.to_vec());
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script_path)
            .args(args)
            .stdin(Stdio::null())
            .output()
    })
    .await?
    .with_context(|| format!("running {script}"))?;
    anyhow::ensure!(
        output.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines = String::from_utf8(output.stdout)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<Vec<Value>, _>>()?;
    Ok(Some(lines))
}

/// The client scripts with their `node_modules`, in the cache (installed on first use).
pub(crate) fn installed_clients() -> anyhow::Result<Option<PathBuf>> {
    // Tests run in parallel; one installs, the others wait for it.
    static INSTALL: Mutex<()> = Mutex::new(());
    let _installing = INSTALL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|out| out.status.success()) {
        anyhow::ensure!(
            std::env::var_os("CI").is_none(),
            "CI is set but Node.js is missing: the graphql-ws client tests would not run"
        );
        eprintln!("skipped the graphql-ws client: Node.js is not installed");
        return Ok(None);
    }
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("clients");
    let lock = std::fs::read(source.join("package-lock.json"))?;
    // A directory per lock file content: a changed pin installs afresh.
    let digest = hex::encode(&sha2::Sha256::digest(&lock)[..8]);
    let dir = cache_root()?.join(format!("clients-{digest}"));
    let installed = [
        "graphql-ws",
        "playwright-core",
        "@shopify/storefront-api-client",
    ]
    .iter()
    .all(|package| dir.join("node_modules").join(package).exists());
    if !installed {
        std::fs::create_dir_all(&dir)?;
        std::fs::copy(source.join("package.json"), dir.join("package.json"))?;
        std::fs::write(dir.join("package-lock.json"), &lock)?;
        let npm = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .output()
            .context("running npm ci")?;
        anyhow::ensure!(
            npm.status.success(),
            "npm ci failed: {}",
            String::from_utf8_lossy(&npm.stderr)
        );
    }
    // Each script rewritten only when it changed: another test's node may be starting from it.
    for entry in std::fs::read_dir(&source)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "mjs") {
            let script = std::fs::read(&path)?;
            let target = dir.join(path.file_name().context("a script without a name")?);
            if std::fs::read(&target).ok().as_deref() != Some(script.as_slice()) {
                std::fs::write(&target, script)?;
            }
        }
    }
    Ok(Some(dir))
}

/// `$SHOPGRAPH_ASSET_CACHE`, else `$XDG_CACHE_HOME/shopgraph`, else `~/.cache/shopgraph`
/// (where the build keeps GraphiQL's npm packages too).
pub(crate) fn cache_root() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("SHOPGRAPH_ASSET_CACHE") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("shopgraph"));
    }
    let home = std::env::var_os("HOME").context("HOME is not set")?;
    Ok(PathBuf::from(home).join(".cache").join("shopgraph"))
}
