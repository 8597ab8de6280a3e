//! Serving: binds, runs until Ctrl-C or SIGTERM, then drains (requests, websockets,
//! background tasks) so a rolling deploy loses nothing.

use super::App;
use crate::config::Config;
use crate::{db, graphiql};
use anyhow::Context as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

impl App {
    /// Serves until `shutdown` resolves, then drains: in-flight requests finish, websockets
    /// get a close frame (1001, going away) so clients reconnect elsewhere.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let token = self.state.shutdown.clone();
        let websockets = self.state.websockets.clone();
        if let Some((listener, routes)) = self.metrics {
            let stop = token.clone();
            self.state.background.spawn(async move {
                let served = axum::serve(listener, routes)
                    .with_graceful_shutdown(stop.cancelled_owned())
                    .await;
                if let Err(err) = served {
                    tracing::error!(error = %err, "the metrics listener failed");
                }
            });
        }
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                shutdown.await;
                token.cancel();
            })
            .await
            .context("serving HTTP")?;
        // Upgraded connections are not tracked by axum's graceful shutdown; wait for them here.
        websockets.close();
        let background = self.state.background.clone();
        background.close();
        if tokio::time::timeout(WEBSOCKET_DRAIN, websockets.wait())
            .await
            .is_err()
        {
            tracing::warn!(open = websockets.len(), "websockets did not close in time");
        }
        // The relay makes a last pass so events committed during the drain go out.
        if tokio::time::timeout(WEBSOCKET_DRAIN, background.wait())
            .await
            .is_err()
        {
            tracing::warn!("background tasks did not stop in time");
        }
        Ok(())
    }
}

/// How long shutdown waits for websockets to finish their close handshake.
const WEBSOCKET_DRAIN: Duration = Duration::from_secs(5);

/// Binds, builds and serves with the configuration, until Ctrl-C or SIGTERM.
pub async fn run_server(config: &Config) -> anyhow::Result<()> {
    let started = Instant::now();
    let server = &config.server;
    if server.production {
        tracing::info!(
            "production mode: GraphiQL off, introspection {}",
            if server.introspection { "on" } else { "off" }
        );
    } else {
        graphiql::log_asset_source();
    }
    let app = App::build(config).await?;
    let listener = TcpListener::bind(server.bind)
        .await
        .with_context(|| format!("binding {}", server.bind))?;
    let addr = listener.local_addr()?;
    if let Some(metrics) = app.metrics_addr() {
        tracing::info!(%metrics, "metrics served on their own listener");
    }
    tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, database = %db::redact(&config.database_url()), "shopgraph is ready");
    println!("shopgraph listening on http://{addr}/graphql (GraphiQL: open it in a browser)");
    app.serve(listener, shutdown_signal()).await?;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM (what orchestrators send before killing a pod).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested: draining in-flight requests");
}
