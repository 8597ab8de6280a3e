//! Event settings: the outbox relay that publishes committed events, and how far a
//! subscriber may fall behind them.

use clap::Args;

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Events")]
pub struct EventsConfig {
    /// Run the outbox relay in this process (publishes committed events). Turn it off only
    /// when other replicas run it: events written here are then published by them.
    #[arg(long, env = "OUTBOX_RELAY", default_value_t = true, action = clap::ArgAction::Set)]
    pub outbox_relay: bool,

    /// Milliseconds between outbox checks when no local write woke the relay (picks up events
    /// of crashed processes and of replicas without a relay).
    #[arg(long, env = "OUTBOX_POLL_MS", default_value_t = 1000)]
    pub outbox_poll_ms: u64,

    /// Events a subscriber may fall behind before it is resynced.
    #[arg(long, env = "EVENT_BUFFER", default_value_t = 4096)]
    pub event_buffer: usize,
}
