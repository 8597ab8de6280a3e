//! sea-orm entities of shopgraph: one module per table (named after the table, singular),
//! plus the enumerations and JSON column types they use. The schema itself is created by
//! the `shopgraph-migration` crate; docs/data-model.md describes both.

pub mod enums;
pub mod json;

pub mod audit_event;
pub mod back_in_stock_subscription;
pub mod cart;
pub mod cart_line;
pub mod category;
pub mod customer;
pub mod customer_address;
pub mod discount;
pub mod fulfillment;
pub mod fulfillment_line;
pub mod mail_job;
pub mod mail_suppression;
pub mod order;
pub mod order_access_key;
pub mod order_allocation;
pub mod order_discount;
pub mod order_event;
pub mod order_line;
pub mod order_return;
pub mod outbox;
pub mod password_reset_token;
pub mod payment;
pub mod payment_webhook_event;
pub mod product;
pub mod product_image;
pub mod product_price_range;
pub mod product_variant;
pub mod refresh_token;
pub mod refund;
pub mod refund_line;
pub mod return_line;
pub mod search_queue;
pub mod sequence;
pub mod shipping_method;
pub mod shipping_zone;
pub mod staff_invitation;
pub mod staff_member;
pub mod staff_member_role;
pub mod staff_role;
pub mod stock_level;
pub mod variant_price;
pub mod warehouse;
pub mod webhook;
pub mod webhook_delivery;

/// The entities under their table's singular name: `Product::find()`.
pub mod prelude {
    pub use super::audit_event::Entity as AuditEvent;
    pub use super::back_in_stock_subscription::Entity as BackInStockSubscription;
    pub use super::cart::Entity as Cart;
    pub use super::cart_line::Entity as CartLine;
    pub use super::category::Entity as Category;
    pub use super::customer::Entity as Customer;
    pub use super::customer_address::Entity as CustomerAddress;
    pub use super::discount::Entity as Discount;
    pub use super::fulfillment::Entity as Fulfillment;
    pub use super::fulfillment_line::Entity as FulfillmentLine;
    pub use super::mail_job::Entity as MailJob;
    pub use super::mail_suppression::Entity as MailSuppression;
    pub use super::order::Entity as Order;
    pub use super::order_access_key::Entity as OrderAccessKey;
    pub use super::order_allocation::Entity as OrderAllocation;
    pub use super::order_discount::Entity as OrderDiscount;
    pub use super::order_event::Entity as OrderEvent;
    pub use super::order_line::Entity as OrderLine;
    pub use super::order_return::Entity as OrderReturn;
    pub use super::outbox::Entity as Outbox;
    pub use super::password_reset_token::Entity as PasswordResetToken;
    pub use super::payment::Entity as Payment;
    pub use super::payment_webhook_event::Entity as PaymentWebhookEvent;
    pub use super::product::Entity as Product;
    pub use super::product_image::Entity as ProductImage;
    pub use super::product_price_range::Entity as ProductPriceRange;
    pub use super::product_variant::Entity as ProductVariant;
    pub use super::refresh_token::Entity as RefreshToken;
    pub use super::refund::Entity as Refund;
    pub use super::refund_line::Entity as RefundLine;
    pub use super::return_line::Entity as ReturnLine;
    pub use super::search_queue::Entity as SearchQueue;
    pub use super::sequence::Entity as Sequence;
    pub use super::shipping_method::Entity as ShippingMethod;
    pub use super::shipping_zone::Entity as ShippingZone;
    pub use super::staff_invitation::Entity as StaffInvitation;
    pub use super::staff_member::Entity as StaffMember;
    pub use super::staff_member_role::Entity as StaffMemberRole;
    pub use super::staff_role::Entity as StaffRole;
    pub use super::stock_level::Entity as StockLevel;
    pub use super::variant_price::Entity as VariantPrice;
    pub use super::warehouse::Entity as Warehouse;
    pub use super::webhook::Entity as Webhook;
    pub use super::webhook_delivery::Entity as WebhookDelivery;
}
