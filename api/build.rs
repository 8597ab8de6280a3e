//! Embeds GraphiQL's browser assets (GraphiQL 4 UMD bundle and stylesheet, React and ReactDOM
//! UMD builds) into the binary, so the GraphiQL page works without internet access.
//!
//! The npm tarballs are fetched once with `npm pack` into a cache directory
//! (`$SHOPGRAPH_ASSET_CACHE`, else `$XDG_CACHE_HOME/shopgraph/npm`, else
//! `$HOME/.cache/shopgraph/npm`); later builds use the cache and need no network. Every tarball
//! is checked against the registry's pinned `dist.integrity` (SHA-512) before use, and every
//! extracted file against its pinned SHA-384 (the same hash the CDN fallback page uses for
//! subresource integrity). Nothing third-party is committed to the repository.
//!
//! When the assets cannot be had (no npm, no registry, bad integrity, or
//! `SHOPGRAPH_GRAPHIQL_CDN=1`), the build does not fail: it warns and generates a CDN fallback,
//! and the server says so in its log at startup.
//!
//! Output: `$OUT_DIR/graphiql_assets.rs`, included by `src/graphiql.rs`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

type BoxError = Box<dyn Error>;

/// One npm package version, pinned by the registry's `dist.integrity`
/// (`npm view <name>@<version> dist.integrity`).
struct Package {
    name: &'static str,
    version: &'static str,
    integrity: &'static str,
}

/// One file served to the browser, in the order the page loads it.
struct File {
    package: &'static Package,
    /// Path inside the tarball.
    path: &'static str,
    /// Served as `/graphiql/assets/<name>`.
    name: &'static str,
    content_type: &'static str,
    /// Subresource integrity (SHA-384) of the file, for the CDN fallback and as a check here.
    sri: &'static str,
}

const GRAPHIQL: Package = Package {
    name: "graphiql",
    version: "4.1.2",
    integrity: "sha512-rNlzQIAzm6i2KBXmVQWBgLvt0TloxFVB2d18bukvdsvjEuFDHsKx5IVOomL1W1o5WW+tE54+ioHb2AEKzO2cUg==",
};
// GraphiQL 4's UMD bundle uses React 18 internals (`__SECRET_INTERNALS…ReactCurrentOwner`):
// React 19 does not work with it, and React 19 has no UMD builds anyway.
const REACT: Package = Package {
    name: "react",
    version: "18.3.1",
    integrity: "sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==",
};
const REACT_DOM: Package = Package {
    name: "react-dom",
    version: "18.3.1",
    integrity: "sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==",
};

const FILES: [File; 4] = [
    File {
        package: &GRAPHIQL,
        path: "package/graphiql.min.css",
        name: "graphiql.min.css",
        content_type: "text/css; charset=utf-8",
        sri: "sha384-1el1QShFBnnXTx9x/Cprg82hZWKt0ry29OAYIXt05swbi0KcZDFoj0CWguMpopJr",
    },
    File {
        package: &REACT,
        path: "package/umd/react.production.min.js",
        name: "react.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        sri: "sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z",
    },
    File {
        package: &REACT_DOM,
        path: "package/umd/react-dom.production.min.js",
        name: "react-dom.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        sri: "sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1",
    },
    File {
        package: &GRAPHIQL,
        path: "package/graphiql.min.js",
        name: "graphiql.min.js",
        content_type: "text/javascript; charset=utf-8",
        sri: "sha384-9XdHu7ajgGJziD4J1zNBKQ842Q/+zZfDv+ib1eMhZWBH6hPAs806x+Jbcf0yNO6B",
    },
];

/// How long one `npm pack` may take before the build gives up on it.
const NPM_TIMEOUT: Duration = Duration::from_secs(180);

fn main() -> Result<(), BoxError> {
    println!("cargo::rerun-if-changed=build.rs");
    for var in [
        "SHOPGRAPH_ASSET_CACHE",
        "SHOPGRAPH_GRAPHIQL_CDN",
        "XDG_CACHE_HOME",
        "HOME",
    ] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let generated = match embed(&out_dir) {
        Ok(embedded) => generate(Some(&embedded)),
        Err(reason) => {
            // No stale bundles from an earlier successful build linger in OUT_DIR.
            let _ = fs::remove_dir_all(out_dir.join("graphiql-assets"));
            let reason = reason.to_string().replace(['\r', '\n'], " ");
            println!(
                "cargo::warning=GraphiQL assets could not be fetched from the npm registry ({reason}); \
                 the GraphiQL page will load them from a CDN"
            );
            generate(None)
        }
    };
    fs::write(out_dir.join("graphiql_assets.rs"), generated)?;
    Ok(())
}

/// A file extracted into `OUT_DIR`.
struct Embedded {
    file: &'static File,
    path: PathBuf,
    etag: String,
}

fn embed(out_dir: &Path) -> Result<Vec<Embedded>, BoxError> {
    if std::env::var("SHOPGRAPH_GRAPHIQL_CDN")
        .is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
    {
        return Err("SHOPGRAPH_GRAPHIQL_CDN is set".into());
    }
    let cache = cache_dir()?;
    fs::create_dir_all(&cache)
        .map_err(|e| format!("creating the cache {}: {e}", cache.display()))?;
    // Reruns when tarballs appear in (or vanish from) the cache, e.g. after an offline build.
    println!("cargo::rerun-if-changed={}", cache.display());

    let assets_dir = out_dir.join("graphiql-assets");
    fs::create_dir_all(&assets_dir)?;
    let mut tarballs: Vec<(&'static str, Vec<u8>)> = Vec::new();
    let mut embedded = Vec::new();
    for file in &FILES {
        let package = file.package;
        if !tarballs.iter().any(|(name, _)| *name == package.name) {
            tarballs.push((package.name, tarball(package, &cache)?));
        }
        let tgz = tarballs
            .iter()
            .find(|(name, _)| *name == package.name)
            .map(|(_, bytes)| bytes.as_slice())
            .ok_or("tarball missing")?;
        let body = extract(tgz, file.path)
            .map_err(|e| format!("{}@{}: {e}", package.name, package.version))?;
        let sri = format!("sha384-{}", BASE64.encode(Sha384::digest(&body)));
        if sri != file.sri {
            return Err(format!(
                "{} from {}@{} has {sri}, expected {}",
                file.path, package.name, package.version, file.sri
            )
            .into());
        }
        let path = assets_dir.join(file.name);
        fs::write(&path, &body)?;
        let etag = Sha256::digest(&body)
            .iter()
            .take(8)
            .fold(String::new(), |mut hex, byte| {
                let _ = write!(hex, "{byte:02x}");
                hex
            });
        embedded.push(Embedded {
            file,
            path,
            etag: format!("\"{etag}\""),
        });
    }
    Ok(embedded)
}

fn cache_dir() -> Result<PathBuf, BoxError> {
    let non_empty = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = non_empty("SHOPGRAPH_ASSET_CACHE") {
        return Ok(dir);
    }
    if let Some(dir) = non_empty("XDG_CACHE_HOME") {
        return Ok(dir.join("shopgraph").join("npm"));
    }
    let home = non_empty("HOME")
        .or_else(|| non_empty("USERPROFILE"))
        .ok_or("neither SHOPGRAPH_ASSET_CACHE nor HOME is set")?;
    Ok(home.join(".cache").join("shopgraph").join("npm"))
}

/// The package's tarball from the cache, else from the registry via `npm pack`; verified.
fn tarball(package: &Package, cache: &Path) -> Result<Vec<u8>, BoxError> {
    let file_name = format!("{}-{}.tgz", package.name, package.version);
    let cached = cache.join(&file_name);
    if let Ok(bytes) = fs::read(&cached) {
        if integrity(&bytes) == package.integrity {
            return Ok(bytes);
        }
        println!(
            "cargo::warning={} fails its integrity check; fetching it again",
            cached.display()
        );
    }

    // `npm pack` into a private directory, then move the verified tarball into the cache, so
    // concurrent builds sharing the cache never read a half-written file.
    let staging = cache.join(format!(".staging-{}-{}", package.name, std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging)?;
    let result = npm_pack(package, &staging, &file_name).and_then(|bytes| {
        let actual = integrity(&bytes);
        if actual != package.integrity {
            return Err(format!(
                "{}@{} from the registry has integrity {actual}, expected {}",
                package.name, package.version, package.integrity
            )
            .into());
        }
        fs::rename(staging.join(&file_name), &cached)?;
        Ok(bytes)
    });
    let _ = fs::remove_dir_all(&staging);
    result
}

fn npm_pack(package: &Package, staging: &Path, file_name: &str) -> Result<Vec<u8>, BoxError> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let spec = format!("{}@{}", package.name, package.version);
    let log_path = staging.join("npm.log");
    let log = fs::File::create(&log_path)?;
    let mut child = Command::new(npm)
        .args(["pack", &spec, "--pack-destination"])
        .arg(staging)
        .arg("--silent")
        .current_dir(staging)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot run `{npm}`: {e}"))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > NPM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "`npm pack {spec}` took longer than {}s",
                NPM_TIMEOUT.as_secs()
            )
            .into());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if !status.success() {
        let log = fs::read_to_string(&log_path).unwrap_or_default();
        let detail: Vec<&str> = log
            .lines()
            .map(str::trim)
            .filter(|line| {
                !line.is_empty()
                    && !line.contains("Unknown user config")
                    && !line.contains("Unknown env config")
            })
            .take(3)
            .collect();
        let detail = if detail.is_empty() {
            String::new()
        } else {
            format!(": {}", detail.join(" | "))
        };
        return Err(format!("`npm pack {spec}` failed ({status}){detail}").into());
    }
    fs::read(staging.join(file_name))
        .map_err(|e| format!("`npm pack {spec}` wrote no {file_name}: {e}").into())
}

/// The Subresource-Integrity string npm uses for `dist.integrity`.
fn integrity(bytes: &[u8]) -> String {
    format!("sha512-{}", BASE64.encode(Sha512::digest(bytes)))
}

fn extract(tgz: &[u8], wanted: &str) -> Result<Vec<u8>, BoxError> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tgz));
    for entry in archive.entries()? {
        let mut entry = entry?;
        if entry.path()?.to_str() == Some(wanted) {
            let mut body = Vec::new();
            entry.read_to_end(&mut body)?;
            return Ok(body);
        }
    }
    Err(format!("the tarball has no {wanted}").into())
}

/// Rust source for `graphiql_assets.rs`: the asset source, the page's assets in load order
/// (with their pinned CDN URLs), and the embedded files (empty for the CDN fallback).
fn generate(embedded: Option<&[Embedded]>) -> String {
    let mut out = String::from("// @generated by api/build.rs; do not edit.\n\n");
    let source = if embedded.is_some() {
        "Embedded"
    } else {
        "Cdn"
    };
    let _ = writeln!(
        out,
        "pub const ASSET_SOURCE: AssetSource = AssetSource::{source};\n"
    );
    let _ = writeln!(
        out,
        "/// The pinned GraphiQL version.\npub const GRAPHIQL_VERSION: &str = {:?};\n",
        GRAPHIQL.version
    );
    out.push_str("/// The page's stylesheet and scripts, in load order.\npub static PAGE_ASSETS: &[PageAsset] = &[\n");
    for file in &FILES {
        let cdn_url = format!(
            "https://unpkg.com/{}@{}/{}",
            file.package.name,
            file.package.version,
            file.path.trim_start_matches("package/")
        );
        let _ = writeln!(
            out,
            "    PageAsset {{ name: {:?}, cdn_url: {cdn_url:?}, integrity: {:?} }},",
            file.name, file.sri
        );
    }
    out.push_str("];\n\npub static ASSETS: &[Asset] = &[\n");
    for asset in embedded.unwrap_or_default() {
        let _ = writeln!(
            out,
            "    Asset {{ name: {:?}, content_type: {:?}, body: include_bytes!({:?}), etag: {:?} }},",
            asset.file.name,
            asset.file.content_type,
            asset.path.display().to_string(),
            asset.etag
        );
    }
    out.push_str("];\n");
    out
}
