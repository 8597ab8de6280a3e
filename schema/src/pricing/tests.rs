use super::*;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

fn code(code: &str, kind: DiscountKind, value: i64) -> discount::Model {
    discount::Model {
        id: uuid::Uuid::new_v4(),
        code: code.to_owned(),
        kind,
        value,
        currency_code: None,
        minimum_subtotal: None,
        starts_at: None,
        ends_at: None,
        usage_limit: None,
        usage_count: 0,
        active: true,
        created_at: now(),
        updated_at: now(),
    }
}

fn lines(prices: &[(i64, i32)]) -> Vec<PricedLine> {
    prices
        .iter()
        .map(|&(unit_price, quantity)| PricedLine {
            unit_price,
            quantity,
        })
        .collect()
}

fn usd(
    settings: &PricingSettings,
    l: &[(i64, i32)],
    codes: &[&str],
    d: &[discount::Model],
) -> Priced {
    let codes: Vec<String> = codes.iter().map(|c| (*c).to_owned()).collect();
    price(
        &lines(l),
        &codes,
        d,
        CurrencyCode::Usd,
        Some(settings.flat_rate(CurrencyCode::Usd)),
        settings,
        now(),
    )
}

#[test]
fn flat_shipping_below_the_threshold_and_free_above() {
    let settings = PricingSettings::default();
    let small = usd(&settings, &[(1999, 2)], &[], &[]).totals;
    assert_eq!(
        small,
        Totals {
            subtotal: 3998,
            discount: 0,
            shipping: 500,
            tax: 0,
            total: 4498
        }
    );
    let big = usd(&settings, &[(2500, 2)], &[], &[]).totals;
    assert_eq!(big.shipping, 0, "50.00 reaches the free-shipping threshold");
    assert_eq!(usd(&settings, &[], &[], &[]).totals, Totals::default());
}

#[test]
fn percentage_discount_rounds_half_away_from_zero_and_counts_toward_free_shipping() {
    let settings = PricingSettings::default();
    // 12.5 % of 33.33 = 4.16625 → 4.17
    let ten = code("SAVE", DiscountKind::Percentage, 1250);
    let priced = usd(
        &settings,
        &[(3333, 1)],
        &["save"],
        std::slice::from_ref(&ten),
    );
    assert_eq!(priced.totals.discount, 417);
    assert_eq!(
        priced.applied.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![ten.id]
    );
    assert_eq!(priced.applied[0].amount, 417);
    // 60.00 − 20 % = 48.00: below the 50.00 threshold after the discount, so shipping is due.
    let twenty = code("TWENTY", DiscountKind::Percentage, 2000);
    let priced = usd(&settings, &[(6000, 1)], &["TWENTY"], &[twenty]).totals;
    assert_eq!(
        (priced.discount, priced.shipping, priced.total),
        (1200, 500, 5300)
    );
}

#[test]
fn exclusive_tax_is_added_on_discounted_goods_not_shipping() {
    let settings = PricingSettings {
        tax_rate_bps: 825,
        ..PricingSettings::default()
    };
    let fixed = code("FIVE", DiscountKind::FixedAmount, 500);
    let free = code("SHIPFREE", DiscountKind::FreeShipping, 0);
    // goods 19.99 × 3 = 59.97 − 5.00 = 54.97; tax 8.25 % = 4.535025 → 4.54; shipping free.
    let priced = usd(
        &settings,
        &[(1999, 3)],
        &["FIVE", "SHIPFREE"],
        &[fixed, free],
    );
    assert_eq!(
        priced.totals,
        Totals {
            subtotal: 5997,
            discount: 500,
            shipping: 0,
            tax: 454,
            total: 5951
        }
    );
    assert!(
        priced
            .codes
            .iter()
            .all(|(_, a)| *a == Applicability::Applies)
    );
}

#[test]
fn inclusive_tax_is_reported_but_not_added() {
    let settings = PricingSettings {
        tax_rate_bps: 2000,
        tax_inclusive: true,
        ..PricingSettings::default()
    };
    // 12.00 incl. 20 % contains 2.00 of tax.
    let priced = usd(&settings, &[(1200, 1)], &[], &[]).totals;
    assert_eq!((priced.tax, priced.total), (200, 1700));
    // 9.99 incl. 20 %: net 8.325 → 8.33, tax 1.66.
    assert_eq!(usd(&settings, &[(999, 1)], &[], &[]).totals.tax, 166);
}

#[test]
fn fixed_amounts_never_exceed_the_subtotal() {
    let settings = PricingSettings::default();
    let big = code("BIG", DiscountKind::FixedAmount, 10_000);
    let priced = usd(&settings, &[(700, 1)], &["BIG"], &[big]).totals;
    assert_eq!(
        (priced.discount, priced.shipping, priced.total),
        (700, 500, 500)
    );
}

#[test]
fn only_one_amount_discount_applies() {
    let settings = PricingSettings::default();
    let a = code("A", DiscountKind::Percentage, 1000);
    let b = code("B", DiscountKind::FixedAmount, 100);
    let priced = usd(&settings, &[(10_000, 1)], &["A", "B"], &[a, b]);
    assert_eq!(priced.totals.discount, 1000);
    assert!(matches!(priced.codes[1].1, Applicability::NotApplicable(_)));
}

#[test]
fn codes_outside_their_rules_do_not_apply() {
    let settings = PricingSettings::default();
    let mut expired = code("OLD", DiscountKind::Percentage, 1000);
    expired.ends_at = Some(now() - chrono::Duration::days(1));
    let mut early = code("SOON", DiscountKind::Percentage, 1000);
    early.starts_at = Some(now() + chrono::Duration::days(1));
    let mut used_up = code("GONE", DiscountKind::Percentage, 1000);
    used_up.usage_limit = Some(5);
    used_up.usage_count = 5;
    let mut minimum = code("MIN", DiscountKind::Percentage, 1000);
    minimum.minimum_subtotal = Some(10_000);
    let mut euros = code("EURO", DiscountKind::FixedAmount, 100);
    euros.currency_code = Some("EUR".into());
    let mut off = code("OFF", DiscountKind::Percentage, 1000);
    off.active = false;
    let all = [expired, early, used_up, minimum, euros, off];
    let priced = usd(
        &settings,
        &[(5000, 1)],
        &["OLD", "SOON", "GONE", "MIN", "EURO", "OFF", "NOPE"],
        &all,
    );
    assert_eq!(priced.totals.discount, 0);
    assert!(priced.applied.is_empty());
    assert!(
        priced
            .codes
            .iter()
            .all(|(_, a)| matches!(a, Applicability::NotApplicable(_))),
        "{:?}",
        priced.codes
    );
}

#[test]
fn currencies_without_minor_units_round_to_whole_units() {
    let settings = PricingSettings {
        tax_rate_bps: 1000,
        ..PricingSettings::default()
    };
    let lines = lines(&[(1234, 1)]);
    let priced = price(
        &lines,
        &[],
        &[],
        CurrencyCode::Jpy,
        Some(settings.flat_rate(CurrencyCode::Jpy)),
        &settings,
        now(),
    )
    .totals;
    // ¥1234 + 10 % = ¥123.4 → ¥123; ¥1234 is over the default ¥50 threshold.
    assert_eq!((priced.tax, priced.shipping, priced.total), (123, 0, 1357));
}

#[test]
fn parses_configuration() {
    let rates = settings::parse_amounts("USD=5.00, EUR=4.5,JPY=600").unwrap_or_default();
    assert_eq!(rates.get(&CurrencyCode::Usd), Some(&500));
    assert_eq!(rates.get(&CurrencyCode::Eur), Some(&450));
    assert_eq!(rates.get(&CurrencyCode::Jpy), Some(&600));
    assert!(settings::parse_amounts("USD").is_err());
    assert!(settings::parse_amounts("XXX=1").is_err());
    assert!(settings::parse_amounts("USD=1.001").is_err());
    assert_eq!(settings::parse_tax_rate("8.25"), Ok(825));
    assert!(settings::parse_tax_rate("101").is_err());
    assert!(settings::parse_tax_rate("8.125").is_err());
}

#[test]
fn totals_that_do_not_fit_are_out_of_range_not_saturated() {
    let settings = PricingSettings::default();
    for lines in [
        vec![(i64::MAX, 2)],
        vec![(i64::MAX / 2 + 1, 1), (i64::MAX / 2 + 1, 1)],
    ] {
        let priced = usd(&settings, &lines, &["SAVE"], &[]);
        assert!(priced.out_of_range, "{lines:?}");
        assert_eq!(priced.totals, Totals::default());
        assert!(priced.applied.is_empty());
    }
    // The subtotal fits, the tax on top of it does not.
    let taxed = PricingSettings {
        tax_rate_bps: 1000,
        ..PricingSettings::default()
    };
    assert!(usd(&taxed, &[(i64::MAX - 10, 1)], &[], &[]).out_of_range);
    assert!(!usd(&settings, &[(100_000_000_000, 999)], &[], &[]).out_of_range);
}

#[test]
fn applied_discounts_record_what_they_took_off() {
    let settings = PricingSettings::default();
    let ten = code("TEN", DiscountKind::FixedAmount, 1000);
    let ship = code("SHIP", DiscountKind::FreeShipping, 0);
    let priced = usd(
        &settings,
        &[(2000, 1)],
        &["ship", "ten"],
        &[ten.clone(), ship.clone()],
    );
    let taken: Vec<_> = priced
        .applied
        .iter()
        .map(|a| (a.code.as_str(), a.amount))
        .collect();
    assert_eq!(taken, vec![("SHIP", 500), ("TEN", 1000)]);
    assert_eq!(priced.totals.total, 1000);
}

#[test]
fn a_method_without_threshold_always_charges_and_none_chosen_charges_nothing() {
    let settings = PricingSettings::default();
    let express = ShippingCharge {
        price: 1500,
        free_above: None,
    };
    let big = lines(&[(10_000, 3)]);
    let with = |shipping| {
        price(
            &big,
            &[],
            &[],
            CurrencyCode::Usd,
            shipping,
            &settings,
            now(),
        )
    };
    assert_eq!(with(Some(express)).totals.shipping, 1500);
    assert_eq!(with(Some(express)).totals.total, 31_500);
    assert_eq!(with(None).totals.shipping, 0);
    let free_from_100 = ShippingCharge {
        price: 1500,
        free_above: Some(100_000),
    };
    assert_eq!(with(Some(free_from_100)).totals.shipping, 1500);
    let bigger = lines(&[(10_000, 10)]);
    let priced = price(
        &bigger,
        &[],
        &[],
        CurrencyCode::Usd,
        Some(free_from_100),
        &settings,
        now(),
    );
    assert_eq!(priced.totals.shipping, 0, "free from the threshold on");
}
