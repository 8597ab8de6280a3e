//! A real SMTP server for the mail tests: Python's aiosmtpd, started per test on a free
//! loopback port with its Maildir handler, read back from that Maildir. aiosmtpd adds
//! `X-RcptTo` (the envelope recipients) to what it stores. When the interpreter cannot import
//! it, the harness installs the pinned version from PyPI into the test cache once (as it does
//! the npm clients), so `cargo test --workspace` needs nothing set up by hand.

use anyhow::Context as _;
use mailparse::{MailHeaderMap, ParsedMail};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to get the server when installing it failed.
const INSTALL: &str = "the mail tests need Python's aiosmtpd: python3 -m pip install --user 'aiosmtpd==1.4.6' \
                       (the harness tries that itself, into the test cache)";
const AIOSMTPD: &str = "aiosmtpd==1.4.6";

/// A directory to put on `PYTHONPATH` when aiosmtpd is not importable as installed: the test
/// cache, where it is installed once (`None`: the interpreter has it already).
fn aiosmtpd_path(python: &str) -> anyhow::Result<Option<PathBuf>> {
    static INSTALLED: std::sync::OnceLock<Result<Option<PathBuf>, String>> =
        std::sync::OnceLock::new();
    let found = INSTALLED.get_or_init(|| {
        let importable = |path: Option<&Path>| {
            let mut check = Command::new(python);
            check.args(["-c", "import aiosmtpd"]);
            if let Some(path) = path {
                check.env("PYTHONPATH", path);
            }
            check.output().is_ok_and(|o| o.status.success())
        };
        if importable(None) {
            return Ok(None);
        }
        let dir = super::node_client::cache_root()
            .map_err(|e| e.to_string())?
            .join("python");
        if !importable(Some(&dir)) {
            let installed = Command::new(python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .arg("--target")
                .arg(&dir)
                .arg(AIOSMTPD)
                .output()
                .map_err(|e| e.to_string())?;
            if !installed.status.success() || !importable(Some(&dir)) {
                return Err(String::from_utf8_lossy(&installed.stderr).into_owned());
            }
        }
        Ok(Some(dir))
    });
    found
        .clone()
        .map_err(|e| anyhow::anyhow!("installing {AIOSMTPD} failed: {e}\n{INSTALL}"))
}

/// A running aiosmtpd; stopped (and its Maildir removed) when dropped.
pub struct SmtpServer {
    pub port: u16,
    dir: PathBuf,
    child: Child,
}

/// A port nothing listens on (yet): for an SMTP server that is down, started later on it.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// `smtp://127.0.0.1:<port>`: plain SMTP on loopback.
pub fn smtp_url(port: u16) -> String {
    format!("smtp://127.0.0.1:{port}")
}

impl SmtpServer {
    /// A server on a free port.
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_on(free_port()?).await
    }

    /// A server on `port`; waits until it accepts connections.
    pub async fn start_on(port: u16) -> anyhow::Result<Self> {
        let dir =
            std::env::temp_dir().join(format!("shopgraph-smtp-{}", uuid::Uuid::new_v4().simple()));
        // aiosmtpd's Mailbox creates a missing Maildir, but not the folders of an empty one.
        maildir::Maildir::from(dir.clone()).create_dirs()?;
        let log = dir.with_extension("log");
        let python = std::env::var("SHOPGRAPH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let path = tokio::task::block_in_place(|| aiosmtpd_path(&python))?;
        let mut command = Command::new(&python);
        if let Some(path) = path {
            command.env("PYTHONPATH", path);
        }
        let child = command
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .with_context(|| format!("starting {python} -m aiosmtpd; {INSTALL}"))?;
        let mut server = Self { port, dir, child };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Ok(server);
            }
            if let Some(status) = server.child.try_wait()? {
                let output = std::fs::read_to_string(&log).unwrap_or_default();
                anyhow::bail!("aiosmtpd exited ({status}): {output}\n{INSTALL}");
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "aiosmtpd did not listen within 20 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self) -> String {
        smtp_url(self.port)
    }

    /// Every mail received so far, oldest first.
    pub fn received(&self) -> anyhow::Result<Vec<ReceivedMail>> {
        read_maildir(&self.dir)
    }

    /// Waits (15 s at most) until at least `count` mails arrived; returns them all.
    pub async fn wait_for(&self, count: usize) -> anyhow::Result<Vec<ReceivedMail>> {
        wait_for_mail(&self.dir, count).await
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_file(self.dir.with_extension("log"));
    }
}

/// Waits (15 s at most) until the Maildir `dir` holds at least `count` mails.
pub async fn wait_for_mail(dir: &Path, count: usize) -> anyhow::Result<Vec<ReceivedMail>> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let mails = read_maildir(dir)?;
        if mails.len() >= count {
            return Ok(mails);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{} mail(s) arrived within 15 s, expected {count}: {:?}",
            mails.len(),
            mails.iter().map(|m| &m.subject).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The mails of the Maildir `dir` (`new/` and `cur/`), oldest first.
pub fn read_maildir(dir: &Path) -> anyhow::Result<Vec<ReceivedMail>> {
    let maildir = maildir::Maildir::from(dir.to_path_buf());
    let mut mails = Vec::new();
    for entry in maildir.list_new().chain(maildir.list_cur()) {
        let mut entry = match entry {
            Ok(entry) => entry,
            // Still being written (aiosmtpd writes to tmp/ and moves).
            Err(_) => continue,
        };
        let modified = std::fs::metadata(entry.path())
            .and_then(|m| m.modified())
            .ok();
        let parsed = entry.parsed()?;
        mails.push((modified, ReceivedMail::from_parsed(&parsed)?));
    }
    mails.sort_by_key(|(modified, _)| *modified);
    Ok(mails.into_iter().map(|(_, mail)| mail).collect())
}

/// One mail as received.
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    /// The `To:` header.
    pub to: String,
    /// The envelope recipients (aiosmtpd's `X-RcptTo`; empty for a Maildir shopgraph wrote).
    pub rcpt_to: String,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl ReceivedMail {
    fn from_parsed(mail: &ParsedMail<'_>) -> anyhow::Result<Self> {
        let header = |name: &str| mail.headers.get_first_value(name).unwrap_or_default();
        let mut text = String::new();
        let mut html = String::new();
        collect_parts(mail, &mut text, &mut html)?;
        Ok(Self {
            to: header("To"),
            rcpt_to: header("X-RcptTo"),
            from: header("From"),
            subject: header("Subject"),
            text,
            html,
        })
    }

    /// The first link in the text part that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        let start = self.text.find(prefix)?;
        let link = self.text[start..]
            .split(|c: char| c.is_whitespace())
            .next()?;
        Some(link.to_owned())
    }
}

fn collect_parts(
    part: &ParsedMail<'_>,
    text: &mut String,
    html: &mut String,
) -> anyhow::Result<()> {
    if part.subparts.is_empty() {
        match part.ctype.mimetype.as_str() {
            "text/plain" => text.push_str(&part.get_body()?),
            "text/html" => html.push_str(&part.get_body()?),
            _ => {}
        }
    }
    for sub in &part.subparts {
        collect_parts(sub, text, html)?;
    }
    Ok(())
}
