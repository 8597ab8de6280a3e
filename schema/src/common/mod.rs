//! Building blocks shared by every bounded context.

pub mod budget;
pub mod circuit_breaker;
pub mod clock;
pub mod email;
pub mod html;
pub mod ids;
pub mod in_memory;
pub mod input_guard;
pub mod money;
pub mod mutation_cost;
pub mod pagination;
pub mod redact;
pub mod seo;
pub mod shared_redis;
pub mod slug;
pub mod text;
pub mod transaction;
pub mod user_error;
