//! Websocket settings: liveness pings and how much one connection and one client may hold.

use clap::Args;

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Websockets")]
pub struct WebsocketConfig {
    /// Milliseconds between websocket pings; a peer silent for two intervals is dropped.
    #[arg(long, env = "WEBSOCKET_PING_INTERVAL_MS", default_value_t = 15_000)]
    pub websocket_ping_interval_ms: u64,

    /// Subscriptions one websocket connection may hold at once.
    #[arg(long, env = "MAX_SUBSCRIPTIONS_PER_CONNECTION", default_value_t = 100)]
    pub max_subscriptions_per_connection: usize,

    /// Websocket connections one client (account or IP address) may hold at once (0: no cap).
    #[arg(long, env = "MAX_WEBSOCKETS_PER_CLIENT", default_value_t = 256)]
    pub max_websockets_per_client: usize,
}
