//! What a refunded unit is worth: its line's share of what the customer paid for goods.
//!
//! The order is a snapshot: lines at their unit prices (`subtotal` is their sum), then
//! discounts off and tax on (or contained), then shipping. What was paid for goods is
//! `total − shipping`; each line's share of it is proportional to its price, so discounts
//! and tax are apportioned with it. Rounding is always down, so the lines of an order,
//! refunded one by one in any split, never add up to more than was paid for them.

/// The snapshot amounts apportioning needs (minor units).
#[derive(Clone, Copy, Debug)]
pub struct OrderAmounts {
    pub subtotal: i64,
    pub shipping: i64,
    pub total: i64,
}

/// What refunding `quantity` of a line of `line_quantity` units costing `line_total` in all
/// gives back.
pub fn line_refund(order: OrderAmounts, line_total: i64, line_quantity: i32, quantity: i32) -> i64 {
    let goods_paid = i128::from((order.total - order.shipping).max(0));
    let denominator = i128::from(order.subtotal) * i128::from(line_quantity);
    if denominator <= 0 || quantity <= 0 {
        return 0;
    }
    let numerator = goods_paid * i128::from(line_total) * i128::from(quantity);
    // Floor of a non-negative quotient; fits: it is at most `goods_paid`.
    i64::try_from(numerator / denominator).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 3 × 10.00 and 1 × 5.00, 10 % off, 8.25 % tax on the discounted goods, 5.00 shipping.
    const ORDER: OrderAmounts = OrderAmounts {
        subtotal: 3500,
        shipping: 500,
        // goods 3500 − 350 = 3150, tax 259.875 → 260, total 3150 + 260 + 500
        total: 3910,
    };

    #[test]
    fn a_unit_gives_back_its_share_of_discount_and_tax() {
        // 1000 / 3500 of 3410 = 974.28… → 974
        assert_eq!(line_refund(ORDER, 3000, 3, 1), 974);
        assert_eq!(line_refund(ORDER, 500, 1, 1), 487);
    }

    #[test]
    fn every_split_stays_within_what_was_paid_for_goods() {
        let goods_paid = ORDER.total - ORDER.shipping;
        let whole = line_refund(ORDER, 3000, 3, 3) + line_refund(ORDER, 500, 1, 1);
        assert!(whole <= goods_paid);
        let one_by_one = 3 * line_refund(ORDER, 3000, 3, 1) + line_refund(ORDER, 500, 1, 1);
        assert!(one_by_one <= goods_paid);
        // Rounding loses at most a minor unit per refunded piece.
        assert!(goods_paid - one_by_one <= 4, "{one_by_one}");
    }

    #[test]
    fn a_free_order_or_nothing_refunds_nothing() {
        let free = OrderAmounts {
            subtotal: 0,
            shipping: 0,
            total: 0,
        };
        assert_eq!(line_refund(free, 0, 1, 1), 0);
        assert_eq!(line_refund(ORDER, 3000, 3, 0), 0);
    }

    #[test]
    fn large_amounts_do_not_overflow() {
        let big = OrderAmounts {
            subtotal: 100_000_000_000,
            shipping: 0,
            total: 100_000_000_000,
        };
        assert_eq!(
            line_refund(big, 100_000_000_000, 1_000, 999),
            99_900_000_000
        );
    }
}
