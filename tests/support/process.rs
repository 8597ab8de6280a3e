//! Real `shopgraph serve` processes: for what only separate processes show (replicas that
//! share nothing but PostgreSQL and Redis, and `kill -9`).

use super::endpoint::Endpoint;
use anyhow::Context as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A running `shopgraph serve`; killed when dropped.
pub struct ServerProcess {
    pub endpoint: Endpoint,
    child: Child,
    log: PathBuf,
    /// The process's own embedded search index (one writer per index directory).
    search_dir: PathBuf,
    /// Its DATA_DIR (mail without SMTP_URL), never the working directory's `data/`.
    data_dir: PathBuf,
}

impl ServerProcess {
    /// Starts the binary with `env` (on top of a clean environment for its settings) on a
    /// free loopback port and waits until `/readyz` answers.
    pub async fn spawn(env: &[(&str, String)]) -> anyhow::Result<Self> {
        let binary = tokio::task::spawn_blocking(binary).await??;
        let log = std::env::temp_dir().join(format!(
            "shopgraph-process-{}.log",
            uuid::Uuid::new_v4().simple()
        ));
        let search_dir = log.with_extension("search");
        let data_dir = log.with_extension("data");
        let mut command = Command::new(&binary);
        command
            .arg("serve")
            .env("BIND", "127.0.0.1:0")
            .env("RUST_LOG", "warn,shopgraph=info")
            .env("LOG_FORMAT", "text")
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .env_remove("MEILISEARCH_URL")
            .env_remove("SMTP_URL")
            .env("SEARCH_INDEX_DIR", &search_dir)
            .env("DATA_DIR", &data_dir)
            // Tests read right after writing; the response cache has tests of its own.
            .env("RESPONSE_CACHE_ENTRIES", "0")
            // As for in-process servers (see `TestServer::serve`): writers wake the relay.
            .env("OUTBOX_POLL_MS", super::graphql::RELAY_POLL_MS.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log)?);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        // Logs go to stdout too: copy every line into the log file, and pass on the address
        // the server prints once it listens (port 0 picks a free one).
        let (announce, announced) = tokio::sync::oneshot::channel();
        let mut copy = std::fs::OpenOptions::new().append(true).open(&log)?;
        std::thread::spawn(move || {
            let mut announce = Some(announce);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = writeln!(copy, "{line}");
                if let Some(addr) = listening_address(&line)
                    && let Some(announce) = announce.take()
                {
                    let _ = announce.send(addr.to_owned());
                }
            }
        });
        let line = tokio::time::timeout(Duration::from_secs(60), announced)
            .await
            .ok()
            .and_then(Result::ok);
        let mut process = Self {
            endpoint: Endpoint::new("127.0.0.1:1".parse()?),
            child,
            log,
            search_dir,
            data_dir,
        };
        let Some(addr) = line else {
            anyhow::bail!(
                "the server did not announce its address; its log:\n{}",
                process.log_text()
            );
        };
        process.endpoint = Endpoint::new(addr.parse()?);
        process.wait_until_ready().await?;
        Ok(process)
    }

    async fn wait_until_ready(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = self
                .endpoint
                .http()
                .get(self.endpoint.url("/readyz"))
                .send()
                .await;
            if matches!(&ready, Ok(r) if r.status().is_success()) {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!(
                    "the server exited ({status}); its log:\n{}",
                    self.log_text()
                );
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "not ready after 30 s; its log:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `kill -9`: the process gets no chance to finish anything.
    pub fn kill(mut self) -> anyhow::Result<()> {
        // `Child::kill` sends SIGKILL on Unix.
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// The process id (for reading `/proc/<pid>/status`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server logged so far (stderr).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl std::ops::Deref for ServerProcess {
    type Target = Endpoint;

    fn deref(&self) -> &Endpoint {
        &self.endpoint
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
        let _ = std::fs::remove_dir_all(&self.search_dir);
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// `shopgraph listening on http://127.0.0.1:41234/graphql …` → `127.0.0.1:41234`.
fn listening_address(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("shopgraph listening on http://")?;
    rest.split_once("/graphql").map(|(addr, _)| addr)
}

/// The `shopgraph` binary of this build: `SHOPGRAPH_BIN` if set, else the one next to this
/// test's own executable (`cargo test --workspace` builds it, as `api/` has binary tests);
/// built once with cargo when missing (e.g. after `cargo test -p shopgraph-e2e`).
pub fn binary() -> anyhow::Result<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| locate_or_build().map_err(|err| format!("{err:#}")))
        .clone()
        .map_err(anyhow::Error::msg)
}

fn locate_or_build() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("SHOPGRAPH_BIN") {
        return Ok(path.into());
    }
    let exe = std::env::current_exe()?;
    let mut dir = exe.parent().context("the test binary has no directory")?;
    if dir.file_name().is_some_and(|name| name == "deps") {
        dir = dir.parent().context("no profile directory")?;
    }
    let binary = dir.join(format!("shopgraph{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        build(dir)?;
    }
    Ok(binary)
}

fn build(profile_dir: &Path) -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(["build", "--package", "shopgraph", "--bin", "shopgraph"]);
    if profile_dir
        .file_name()
        .is_some_and(|name| name == "release")
    {
        command.arg("--release");
    }
    let status = command.status().context("running cargo build")?;
    anyhow::ensure!(
        status.success(),
        "cargo build of the shopgraph binary failed"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::listening_address;

    #[test]
    fn reads_the_announced_address() {
        assert_eq!(
            listening_address("shopgraph listening on http://127.0.0.1:41234/graphql (GraphiQL…)"),
            Some("127.0.0.1:41234")
        );
        assert_eq!(listening_address("something else"), None);
    }
}
