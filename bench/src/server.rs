//! `--start`: runs the server under test. Seeds a catalog (`shopgraph seed --products N`) into
//! a fresh SQLite database in a temporary directory (or into `--database-url`, only when its
//! catalog is empty), then starts `shopgraph serve` on a free loopback port with rate limiting
//! and the per-client websocket cap off, reads the address it announces on stdout, waits for
//! `GET /readyz` to answer 200, and kills it (and removes the directory) when dropped.

use anyhow::{Context as _, bail};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The staff account the started server creates by default (`ADMIN_EMAIL` / `ADMIN_PASSWORD`).
pub const STAFF_EMAIL: &str = "bench@example.com";
/// (The server refuses passwords that contain the email's local part, `bench`.)
pub const STAFF_PASSWORD: &str = "a long load-test passphrase";

/// How long the server may take to announce its address, then to become ready (filling the
/// search index of a large catalog takes a while).
const ANNOUNCE_TIMEOUT: Duration = Duration::from_secs(60);
const READY_TIMEOUT: Duration = Duration::from_secs(300);

pub struct StartOptions {
    /// `--binary`, else found next to the bench's own executable.
    pub binary: Option<PathBuf>,
    pub products: usize,
    /// `--database-url`, else SQLite in the temporary directory.
    pub database_url: Option<String>,
    /// The staff administrator the server creates at start.
    pub staff_email: String,
    pub staff_password: String,
}

/// A running `shopgraph serve`; killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// What the bench set up, for the report: `sqlite (fresh, 240 products)`.
    pub description: String,
    /// Temporary directory: SQLite database, search index, log.
    dir: PathBuf,
    log: PathBuf,
}

impl Server {
    pub async fn start(options: StartOptions) -> anyhow::Result<Self> {
        let binary = match options.binary {
            Some(path) if path.is_file() => path,
            Some(path) => bail!("--binary {}: no such file", path.display()),
            None => default_binary()?,
        };
        let dir =
            std::env::temp_dir().join(format!("shopgraph-bench-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let log = dir.join("server.log");
        // From here on the directory is removed on every exit path (also on errors below).
        let mut cleanup = RemoveOnDrop(Some(dir.clone()));

        let (database_url, fresh) = match &options.database_url {
            Some(url) => (url.clone(), false),
            None => (
                format!("sqlite://{}?mode=rwc", dir.join("shopgraph.db").display()),
                true,
            ),
        };
        let seeded = {
            let binary = binary.clone();
            let dir = dir.clone();
            let database_url = database_url.clone();
            let products = options.products;
            tokio::task::spawn_blocking(move || seed(&binary, &dir, &database_url, products))
                .await??
        };
        let description = match (fresh, seeded) {
            (true, _) => format!("fresh SQLite, {} products", options.products),
            (false, true) => format!("--database-url, seeded {} products", options.products),
            (false, false) => "--database-url, existing catalog".to_owned(),
        };

        let mut command = Command::new(&binary);
        base_environment(&mut command, &dir, &database_url);
        command
            .arg("serve")
            .env("BIND", "127.0.0.1:0")
            .env("RATE_LIMIT_REQUESTS", "0")
            .env("MAX_WEBSOCKETS_PER_CLIENT", "0")
            .env("ADMIN_EMAIL", &options.staff_email)
            .env("ADMIN_PASSWORD", &options.staff_password)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log)?);
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {} serve", binary.display()))?;
        let stdout = child.stdout.take().context("the server has no stdout")?;
        let (announce, announced) = tokio::sync::oneshot::channel::<String>();
        let mut copy = std::fs::OpenOptions::new().append(true).open(&log)?;
        // Keeps draining stdout for the server's whole life (a full pipe would block it).
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
        cleanup.disarm(); // the server owns the directory now
        let mut server = Self {
            child,
            base_url: String::new(),
            description,
            dir,
            log,
        };
        match tokio::time::timeout(ANNOUNCE_TIMEOUT, announced).await {
            Ok(Ok(addr)) => server.base_url = format!("http://{addr}"),
            _ => bail!(
                "the server did not announce its address; its log:\n{}",
                server.log_tail()
            ),
        }
        server.wait_until_ready().await?;
        Ok(server)
    }

    async fn wait_until_ready(&mut self) -> anyhow::Result<()> {
        let probe = crate::client::Gql::new(&self.base_url, 1, Duration::from_secs(5))?;
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if probe.ready().await {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the server exited ({status}); its log:\n{}",
                    self.log_tail()
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "GET /readyz did not answer 200 within {} s; the server's log:\n{}",
                    READY_TIMEOUT.as_secs(),
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident set size in bytes (`VmRSS` of `/proc/<pid>/status`, Linux).
    pub fn resident_bytes(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .context("reading the server's /proc status (Linux only)")?;
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.split_whitespace().next())
            .context("no VmRSS line")?
            .parse()?;
        Ok(kib * 1024)
    }

    /// The last 40 lines the server logged.
    pub fn log_tail(&self) -> String {
        tail(&std::fs::read_to_string(&self.log).unwrap_or_default(), 40)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGKILL: nothing the server would still write matters to the benchmark.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Removes a directory when dropped, unless disarmed.
struct RemoveOnDrop(Option<PathBuf>);

impl RemoveOnDrop {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(dir) = &self.0 {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The environment of both `seed` and `serve`: everything else (e.g. `REDIS_URL`,
/// `MEILISEARCH_URL`, `DATABASE_MAX_CONNECTIONS`) passes through from the bench's own.
fn base_environment(command: &mut Command, dir: &Path, database_url: &str) {
    command
        .env("DATABASE_URL", database_url)
        .env("DATA_DIR", dir)
        // The index lives in DATA_DIR: never share a developer's index directory.
        .env_remove("SEARCH_INDEX_DIR")
        .env("SEED_DEMO", "false")
        .env("RUST_LOG", "error");
}

/// `shopgraph seed`; `false` when the catalog already had products (then it is used as is).
fn seed(binary: &Path, dir: &Path, database_url: &str, products: usize) -> anyhow::Result<bool> {
    let mut command = Command::new(binary);
    base_environment(&mut command, dir, database_url);
    let output = command
        .args(["seed", "--products", &products.to_string()])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {} seed", binary.display()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() {
        eprintln!("{}", text.trim());
        return Ok(true);
    }
    if text.contains("catalog is not empty") {
        eprintln!("the catalog is not empty: benchmarking it as it is");
        return Ok(false);
    }
    bail!(
        "shopgraph seed failed ({}):\n{}",
        output.status,
        tail(&text, 40)
    )
}

/// `target/release/shopgraph`: the bench is normally `target/release/shopgraph-bench`, so the
/// server is its sibling; a debug bench still uses the release server.
fn default_binary() -> anyhow::Result<PathBuf> {
    let name = format!("shopgraph{}", std::env::consts::EXE_SUFFIX);
    let exe = std::env::current_exe().context("locating the bench's own executable")?;
    let dir = exe
        .parent()
        .context("the bench's executable has no directory")?;
    let target = match dir.file_name().and_then(|n| n.to_str()) {
        Some("release" | "debug") => dir.parent().unwrap_or(dir),
        _ => dir,
    };
    let candidates = [target.join("release").join(&name), dir.join(&name)];
    match candidates.iter().find(|path| path.is_file()) {
        Some(path) => Ok(path.clone()),
        None => bail!(
            "no server binary at {}: build it with `cargo build --release --bin shopgraph`, \
             or pass --binary PATH",
            candidates[0].display()
        ),
    }
}

/// `shopgraph listening on http://127.0.0.1:41234/graphql …` → `127.0.0.1:41234`.
fn listening_address(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("shopgraph listening on http://")?;
    rest.split_once("/graphql").map(|(addr, _)| addr)
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_announced_address() {
        assert_eq!(
            listening_address(
                "shopgraph listening on http://127.0.0.1:41234/graphql (GraphiQL: open it in a browser)"
            ),
            Some("127.0.0.1:41234")
        );
        assert_eq!(listening_address("2024-01-01 INFO something"), None);
    }

    #[test]
    fn keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
    }
}
