//! Building blocks shared by every bounded context.

pub mod clock;
pub mod ids;
pub mod money;
pub mod pagination;
pub mod shared_redis;
pub mod slug;
pub mod transaction;
pub mod user_error;
