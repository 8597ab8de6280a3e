//! `attacks`: how fast hostile requests are refused — the work a hostile client can make the
//! server do per request. Each iteration sends three, each must be refused with
//! `BAD_USER_INPUT`:
//!
//! - `bomb`: 905 bytes of fragments, each spreading the previous one twice (24 levels: 16
//!   million selections once expanded), a fresh document each time;
//! - `apq`: a 0.89 MB persisted-query registration (hash + text) of a document that is then
//!   refused — it must not be stored;
//! - `aliases`: 1,000 aliased fields (over the alias limit, under the token limit).

use crate::load::{Rec, Scenario};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Attacks {
    salt: AtomicUsize,
    apq: Value,
    aliases: Value,
}

impl Default for Attacks {
    fn default() -> Self {
        let padded: String = (0..50_000).map(|i| format!("f{i}: __typename ")).collect();
        let apq_query = format!("{{ {} }}", &padded[..padded.len().min(890_000)]);
        let hash = hex::encode(Sha256::digest(apq_query.as_bytes()));
        let aliases: String = (0..1_000).map(|i| format!("a{i}: __typename ")).collect();
        Self {
            salt: AtomicUsize::new(0),
            apq: json!({
                "query": apq_query,
                "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } },
            }),
            aliases: json!({ "query": format!("{{ {aliases} }}") }),
        }
    }
}

/// The fragment bomb, named by `salt` so no two are the same document.
fn bomb(salt: usize) -> Value {
    let mut document = format!("query B{salt} {{ ...F24 }} fragment F0 on Query {{ __typename }}");
    for level in 1..=24 {
        let previous = level - 1;
        document.push_str(&format!(
            " fragment F{level} on Query {{ ...F{previous} ...F{previous} }}"
        ));
    }
    json!({ "query": document })
}

impl Scenario for Attacks {
    async fn iteration(&self, rec: &mut Rec) {
        let salt = self.salt.fetch_add(1, Ordering::Relaxed);
        rec.call_refused("bomb", &bomb(salt), "BAD_USER_INPUT")
            .await;
        rec.call_refused("apq", &self.apq, "BAD_USER_INPUT").await;
        rec.call_refused("aliases", &self.aliases, "BAD_USER_INPUT")
            .await;
    }
}
