//! Where browsers reach this server: the base of the hosted checkout's links
//! (`Cart.checkoutUrl`).

use super::{Config, StorefrontUrl};
use clap::Args;
use std::net::SocketAddr;

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Hosted checkout")]
pub struct PublicConfig {
    /// This server's public base URL, as browsers reach it (behind a proxy, the proxy's):
    /// `Cart.checkoutUrl` is PUBLIC_URL/checkout/<cart id>. Default: http:// and BIND
    /// (localhost when BIND listens on every address).
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<StorefrontUrl>,
}

impl Config {
    /// `PUBLIC_URL`, else the address the server listens on.
    pub fn public_url(&self) -> String {
        match &self.public.public_url {
            Some(url) => url.as_str().to_owned(),
            None => from_bind(self.server.bind),
        }
    }
}

/// `http://` and the listening address; an unspecified address (0.0.0.0, ::) is not one a
/// browser can open, so it becomes localhost.
fn from_bind(bind: SocketAddr) -> String {
    if bind.ip().is_unspecified() {
        format!("http://localhost:{}", bind.port())
    } else {
        format!("http://{bind}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_public_url_the_bind_address_is_used() {
        let bind = |s: &str| s.parse::<SocketAddr>().ok().map(from_bind);
        assert_eq!(
            bind("127.0.0.1:8000").as_deref(),
            Some("http://127.0.0.1:8000")
        );
        assert_eq!(
            bind("0.0.0.0:8080").as_deref(),
            Some("http://localhost:8080")
        );
        assert_eq!(bind("[::1]:80").as_deref(), Some("http://[::1]:80"));
    }
}
