//! Who a request is counted against: the account of a valid access token (so many shoppers
//! behind one office NAT do not starve each other), otherwise the IP address — IPv6 by its
//! /64 prefix, since one host usually holds the whole prefix. Rate limits, sign-in and
//! discount-code budgets and the websocket cap all count by this key.

use axum::http::HeaderMap;
use schema::common::budget::ClientId;
use std::net::IpAddr;

/// Who a request is counted against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClientKey {
    Account(uuid::Uuid),
    Address(String),
}

impl ClientKey {
    /// The client as the schema's allowances (and the rate limiter's counters) know it.
    pub fn id(&self) -> ClientId {
        ClientId::new(match self {
            ClientKey::Account(id) => format!("account:{id}"),
            ClientKey::Address(address) => format!("ip:{address}"),
        })
    }

    /// IPv4 addresses as they are; IPv6 addresses by their /64 network.
    pub fn from_ip(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => ClientKey::Address(v4.to_string()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey::Address(v4.to_string()),
                None => {
                    let s = v6.segments();
                    ClientKey::Address(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
                }
            },
        }
    }
}

/// The client's address: the peer, or with trusted proxies in front, the entry those proxies
/// appended to `X-Forwarded-For`.
pub fn client_ip(
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    trusted_proxy_hops: usize,
) -> Option<IpAddr> {
    if trusted_proxy_hops == 0 {
        return peer;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    // Each proxy appends the address it saw, so the N-th entry from the right was written by
    // our outermost trusted proxy; anything left of it is the client's to forge.
    forwarded
        .len()
        .checked_sub(trusted_proxy_hops)
        .and_then(|i| forwarded.get(i))
        .and_then(|v| v.parse().ok())
        .or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn groups_ipv6_by_prefix() {
        let a = ClientKey::from_ip(
            "2001:db8:1:2:aaaa::1"
                .parse()
                .unwrap_or(IpAddr::from([0; 4])),
        );
        let b = ClientKey::from_ip(
            "2001:db8:1:2:bbbb::9"
                .parse()
                .unwrap_or(IpAddr::from([0; 4])),
        );
        let c = ClientKey::from_ip("2001:db8:1:3::1".parse().unwrap_or(IpAddr::from([0; 4])));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            ClientKey::from_ip("::ffff:10.0.0.1".parse().unwrap_or(IpAddr::from([0; 4]))),
            ClientKey::Address("10.0.0.1".to_owned())
        );
    }

    #[test]
    fn trusts_only_the_configured_proxy_hops() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7, 10.0.0.2"),
        );
        let peer = Some(IpAddr::from([10, 0, 0, 1]));
        assert_eq!(client_ip(&headers, peer, 0), peer);
        assert_eq!(
            client_ip(&headers, peer, 1),
            Some(IpAddr::from([10, 0, 0, 2]))
        );
        assert_eq!(
            client_ip(&headers, peer, 2),
            Some(IpAddr::from([203, 0, 113, 7]))
        );
        // More hops than entries: the header cannot be trusted; fall back to the peer.
        assert_eq!(client_ip(&headers, peer, 4), peer);
    }
}
