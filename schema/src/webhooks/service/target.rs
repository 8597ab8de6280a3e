//! Which URLs a webhook may POST to (the SSRF guard). A webhook makes the server send
//! requests where staff say, so a URL pointing into the server's own network would let anyone
//! with MANAGE_WEBHOOKS reach its databases, admin ports or the cloud metadata service
//! (169.254.169.254). Unless `WEBHOOK_ALLOW_PRIVATE_NETWORKS` is set:
//!
//! - only `http` and `https` (only `https` in production);
//! - no target whose address is loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7),
//!   link-local (169.254/16, fe80::/10), unspecified, CGNAT (100.64/10), multicast,
//!   broadcast or reserved, including IPv4 written inside IPv6 (`::ffff:10.0.0.1`);
//! - a name must resolve, and to allowed addresses only.
//!
//! The check runs when staff save the URL (a clear user error) and again at every send,
//! inside the HTTP client's resolver ([`GuardedResolver`]): the addresses it checks are the
//! only ones the client may connect to, so a name that resolved to a public address at save
//! time and to a private one later (DNS rebinding) is refused at send time.

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Longest URL stored.
pub const MAX_URL_LEN: usize = 2048;

/// Why a URL may not be a target; its `Display` is the message staff see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetProblem {
    NotAUrl,
    TooLong,
    Scheme(String),
    HttpsRequired,
    Credentials,
    /// The address (given or resolved) is in a forbidden range.
    Forbidden {
        host: String,
        addr: IpAddr,
        range: &'static str,
    },
    Unresolvable(String),
}

impl fmt::Display for TargetProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAUrl => f.write_str("not an absolute URL (e.g. https://example.com/hooks)"),
            Self::TooLong => write!(f, "use at most {MAX_URL_LEN} characters"),
            Self::Scheme(scheme) => write!(f, "`{scheme}:` URLs are not allowed; use https"),
            Self::HttpsRequired => f.write_str("use an https URL (required in production)"),
            Self::Credentials => f.write_str(
                "user names and passwords in the URL are not allowed; verify requests by their signature",
            ),
            Self::Forbidden { host, addr, range } if host == &addr.to_string() => write!(
                f,
                "{addr} is a {range} address; webhooks may not target private networks"
            ),
            Self::Forbidden { host, addr, range } => write!(
                f,
                "`{host}` resolves to {addr}, a {range} address; webhooks may not target private networks"
            ),
            Self::Unresolvable(host) => write!(f, "`{host}` cannot be resolved"),
        }
    }
}

impl std::error::Error for TargetProblem {}

/// The rules in force: what `WEBHOOK_ALLOW_PRIVATE_NETWORKS` and production mode say.
#[derive(Clone, Copy, Debug)]
pub struct TargetRules {
    pub allow_private_networks: bool,
    pub require_https: bool,
}

impl TargetRules {
    /// The URL's form: parsed, http(s), no credentials, and an allowed address when the host
    /// is an IP address. Names are checked by [`TargetRules::check`] or at send time.
    pub fn parse(&self, raw: &str) -> Result<Url, TargetProblem> {
        let raw = raw.trim();
        if raw.chars().count() > MAX_URL_LEN {
            return Err(TargetProblem::TooLong);
        }
        let mut url = Url::parse(raw).map_err(|_| TargetProblem::NotAUrl)?;
        match url.scheme() {
            "https" => {}
            "http" if !self.require_https || self.allow_private_networks => {}
            "http" => return Err(TargetProblem::HttpsRequired),
            other => return Err(TargetProblem::Scheme(other.to_owned())),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(TargetProblem::Credentials);
        }
        let Some(host) = url.host_str() else {
            return Err(TargetProblem::NotAUrl);
        };
        if let Some(addr) = ip_literal(host) {
            self.allowed(&addr.to_string(), addr)?;
        }
        // A fragment never reaches the receiver; keep the stored URL what is requested.
        url.set_fragment(None);
        Ok(url)
    }

    /// [`TargetRules::parse`], and for a name, that it resolves to allowed addresses only.
    pub async fn check(&self, raw: &str) -> Result<Url, TargetProblem> {
        let url = self.parse(raw)?;
        if let (Some(name), false) = (url.host_str(), self.allow_private_networks)
            && ip_literal(name).is_none()
        {
            resolve_allowed(name, false).await?;
        }
        Ok(url)
    }

    fn allowed(&self, host: &str, addr: IpAddr) -> Result<(), TargetProblem> {
        match (self.allow_private_networks, forbidden_range(addr)) {
            (false, Some(range)) => Err(TargetProblem::Forbidden {
                host: host.to_owned(),
                addr,
                range,
            }),
            _ => Ok(()),
        }
    }
}

/// The address a URL's host names literally (`10.0.0.1`, `[::1]`); `None` for a name.
pub fn ip_literal(host: &str) -> Option<IpAddr> {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .parse()
        .ok()
}

/// Resolves `name`; refused when it resolves to nothing, or to any forbidden address (one
/// is enough: the client might connect to it).
async fn resolve_allowed(
    name: &str,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, TargetProblem> {
    let unresolvable = || TargetProblem::Unresolvable(name.to_owned());
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, 0))
        .await
        .map_err(|_| unresolvable())?
        .collect();
    if addrs.is_empty() {
        return Err(unresolvable());
    }
    if !allow_private {
        for addr in &addrs {
            if let Some(range) = forbidden_range(addr.ip()) {
                return Err(TargetProblem::Forbidden {
                    host: name.to_owned(),
                    addr: addr.ip(),
                    range,
                });
            }
        }
    }
    Ok(addrs)
}

/// The HTTP client's resolver for webhook sends: the addresses it returns, checked, are the
/// only ones the client connects to. (IP literals never reach a resolver; the sender checks
/// them with [`TargetRules::parse`].)
#[derive(Clone, Copy, Debug)]
pub struct GuardedResolver {
    pub allow_private_networks: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_private_networks;
        Box::pin(async move {
            let addrs = resolve_allowed(name.as_str(), allow).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The forbidden range `addr` is in, named for the message; `None` for a public address.
pub fn forbidden_range(addr: IpAddr) -> Option<&'static str> {
    match addr {
        IpAddr::V4(v4) => v4_range(v4),
        IpAddr::V6(v6) => v6_range(v6),
    }
}

fn v4_range(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        // 169.254.169.254 is the cloud metadata service.
        Some("link-local")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (CGNAT)")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_broadcast() || a >= 240 {
        Some("reserved")
    } else {
        None
    }
}

fn v6_range(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    // IPv4 written in IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d) reaches that IPv4
    // address: judge it as one.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_range(v4);
    }
    if ip.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., c, d] = ip.segments();
        let v4 = Ipv4Addr::from((u32::from(c) << 16) | u32::from(d));
        return v4_range(v4);
    }
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if first & 0xfe00 == 0xfc00 {
        Some("private (unique local)")
    } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("multicast")
    } else {
        None
    }
}

/// Whether `err` (from the HTTP client) was the guard refusing the target, and why.
pub fn refusal_in<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a TargetProblem> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(err) = source {
        if let Some(problem) = err.downcast_ref::<TargetProblem>() {
            return Some(problem);
        }
        source = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: TargetRules = TargetRules {
        allow_private_networks: false,
        require_https: false,
    };

    fn range(addr: &str) -> Option<&'static str> {
        forbidden_range(addr.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
    }

    #[test]
    fn private_and_special_addresses_are_forbidden() {
        for addr in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "100.127.255.255",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(range(addr).is_some(), "{addr} was allowed");
        }
        for addr in [
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
        ] {
            assert_eq!(range(addr), None, "{addr} was refused");
        }
    }

    #[test]
    fn urls_are_http_or_https_without_private_literals() {
        assert!(STRICT.parse("https://example.com/hooks").is_ok());
        assert!(STRICT.parse("http://example.com/hooks").is_ok());
        assert_eq!(
            STRICT.parse("ftp://example.com/x").err(),
            Some(TargetProblem::Scheme("ftp".into()))
        );
        assert_eq!(
            STRICT.parse("example.com").err(),
            Some(TargetProblem::NotAUrl)
        );
        assert!(matches!(
            STRICT.parse("http://169.254.169.254/latest/meta-data"),
            Err(TargetProblem::Forbidden { .. })
        ));
        assert!(matches!(
            STRICT.parse("http://[::ffff:7f00:1]:8080/"),
            Err(TargetProblem::Forbidden { .. })
        ));
        assert_eq!(
            STRICT.parse("https://user:pw@example.com/").err(),
            Some(TargetProblem::Credentials)
        );
        let production = TargetRules {
            require_https: true,
            ..STRICT
        };
        assert_eq!(
            production.parse("http://example.com/").err(),
            Some(TargetProblem::HttpsRequired)
        );
        let allowed = TargetRules {
            allow_private_networks: true,
            require_https: true,
        };
        assert!(allowed.parse("http://127.0.0.1:9/hooks").is_ok());
        assert!(allowed.parse("gopher://127.0.0.1/").is_err());
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused() {
        let refused = STRICT.check("http://localhost:8080/hooks").await;
        assert!(
            matches!(
                refused,
                Err(TargetProblem::Forbidden {
                    range: "loopback",
                    ..
                })
            ),
            "{refused:?}"
        );
        let message = refused.err().map(|p| p.to_string()).unwrap_or_default();
        assert!(message.contains("`localhost` resolves to"), "{message}");
    }
}
