//! Order rules: checkout, the state machine, payments, shipping, returns, listing, guests'
//! access keys, the guest's status page (tracking).

pub mod access_keys;
pub mod checkout;
pub mod fulfilments;
pub mod lifecycle;
pub mod listing;
pub mod money;
pub mod privacy;
pub mod records;
pub mod returns;
pub mod tracking;
pub mod transitions;
pub mod units_sold;
pub mod webhooks;
