//! A TCP forwarder that can be cut and restored: a backing service (Meilisearch, Redis,
//! PostgreSQL) becoming unreachable and coming back, as a network partition or a stopped
//! service would make it, without touching it.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Up,
    /// Connections are accepted and closed at once.
    Cut,
    /// Nothing listens: connections are refused, as by a host whose service is stopped.
    Refused,
}

pub struct TcpProxy {
    pub addr: SocketAddr,
    route: watch::Sender<Route>,
    task: tokio::task::JoinHandle<()>,
}

impl TcpProxy {
    /// Forwards connections to `target` until cut.
    pub async fn start(target: SocketAddr) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (route, watcher) = watch::channel(Route::Up);
        let task = tokio::spawn(forward(listener, addr, target, watcher));
        Ok(Self { addr, route, task })
    }

    /// Open connections drop; new ones are accepted and closed at once.
    pub fn cut(&self) {
        let _ = self.route.send(Route::Cut);
    }

    /// Open connections drop and the port stops listening (connections are refused), as when
    /// the service behind it is stopped.
    pub fn refuse(&self) {
        let _ = self.route.send(Route::Refused);
    }

    pub fn restore(&self) {
        let _ = self.route.send(Route::Up);
    }
}

async fn forward(
    mut listener: TcpListener,
    addr: SocketAddr,
    target: SocketAddr,
    mut route: watch::Receiver<Route>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => Some(accepted),
            _ = route.wait_for(|route| *route == Route::Refused) => None,
        };
        let Some(accepted) = accepted else {
            drop(listener);
            if route
                .wait_for(|route| *route != Route::Refused)
                .await
                .is_err()
            {
                return;
            }
            listener = match rebind(addr).await {
                Some(listener) => listener,
                None => return,
            };
            continue;
        };
        let Ok((mut client, _)) = accepted else {
            return;
        };
        if *route.borrow() != Route::Up {
            // Cut: the connection is closed at once.
            drop(client);
            continue;
        }
        let mut state = route.clone();
        tokio::spawn(async move {
            let Ok(mut server) = TcpStream::connect(target).await else {
                return;
            };
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                // Cut or refused: open connections drop too.
                _ = state.wait_for(|route| *route != Route::Up) => {}
            }
        });
    }
}

/// Listens on `addr` again (the port was given up while refusing).
async fn rebind(addr: SocketAddr) -> Option<TcpListener> {
    for _ in 0..50 {
        if let Ok(listener) = TcpListener::bind(addr).await {
            return Some(listener);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
