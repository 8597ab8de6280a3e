#![allow(clippy::expect_used, clippy::unwrap_used)]

use super::*;
use chrono::Utc;
use entities::json::{ShippingPrice, ShippingPriceList, StringList};

fn zone(name: &str, countries: &[&str]) -> shipping_zone::Model {
    shipping_zone::Model {
        id: Uuid::now_v7(),
        name: name.into(),
        countries: StringList(countries.iter().map(|c| (*c).to_owned()).collect()),
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn method(
    zone: &shipping_zone::Model,
    name: &str,
    prices: &[(&str, i64, Option<i64>)],
) -> shipping_method::Model {
    shipping_method::Model {
        id: Uuid::now_v7(),
        zone_id: zone.id,
        name: name.into(),
        description: None,
        prices: ShippingPriceList(
            prices
                .iter()
                .map(|&(currency, amount, free_above)| ShippingPrice {
                    currency_code: currency.into(),
                    amount,
                    free_above,
                })
                .collect(),
        ),
        min_delivery_days: Some(1),
        max_delivery_days: Some(3),
        active: true,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn names(offers: &[Offer]) -> Vec<&str> {
    offers.iter().map(|o| o.method.name.as_str()).collect()
}

#[test]
fn without_zones_the_flat_rate_is_chosen_for_every_cart() {
    let settings = PricingSettings::default();
    let rates = Rates::default();
    let selection = rates.select(None, None, CurrencyCode::Usd, &settings);
    assert_eq!(names(&selection.offers), [FLAT_RATE_NAME]);
    let chosen = selection.chosen.expect("the flat rate is chosen");
    assert_eq!(chosen.method.id, MethodId::FlatRate);
    assert_eq!(chosen.charge, settings.flat_rate(CurrencyCode::Usd));
    assert_eq!(selection.missing, None);
}

#[test]
fn offers_follow_the_country_and_the_currency_cheapest_first() {
    let settings = PricingSettings::default();
    let europe = zone("Europe", &["DE", "FR"]);
    let express = method(&europe, "Express", &[("EUR", 1500, None)]);
    let standard = method(
        &europe,
        "Standard",
        &[("EUR", 500, Some(5000)), ("USD", 700, None)],
    );
    let mut off = method(&europe, "Off", &[("EUR", 100, None)]);
    off.active = false;
    let us = zone("US", &["US"]);
    let ground = method(&us, "Ground", &[("USD", 900, None)]);
    let rates = Rates {
        zones: vec![(europe, vec![express, standard, off]), (us, vec![ground])],
    };
    let de_eur = rates.offers(Some("DE"), CurrencyCode::Eur, &settings);
    assert_eq!(names(&de_eur), ["Standard", "Express"]);
    assert_eq!(de_eur[0].charge.free_above, Some(5000));
    let de_usd = rates.offers(Some("DE"), CurrencyCode::Usd, &settings);
    assert_eq!(names(&de_usd), ["Standard"]);
    assert_eq!(de_usd[0].charge.price, 700);
    assert_eq!(
        names(&rates.offers(Some("US"), CurrencyCode::Usd, &settings)),
        ["Ground"]
    );
    assert!(
        rates
            .offers(Some("JP"), CurrencyCode::Usd, &settings)
            .is_empty()
    );
    assert!(rates.offers(None, CurrencyCode::Usd, &settings).is_empty());
}

#[test]
fn a_choice_that_stops_serving_the_cart_is_reported_not_swapped() {
    let settings = PricingSettings::default();
    let europe = zone("Europe", &["DE"]);
    let standard = method(&europe, "Standard", &[("EUR", 500, None)]);
    let chosen_id = standard.id;
    let rates = Rates {
        zones: vec![(europe, vec![standard])],
    };
    let none = rates.select(None, Some("DE"), CurrencyCode::Eur, &settings);
    assert_eq!(none.chosen, None);
    assert_eq!(none.missing, Some(Missing::NotChosen));
    let ok = rates.select(Some(chosen_id), Some("DE"), CurrencyCode::Eur, &settings);
    assert_eq!(ok.chosen.map(|o| o.charge.price), Some(500));
    assert_eq!(ok.missing, None);
    let moved = rates.select(Some(chosen_id), Some("FR"), CurrencyCode::Eur, &settings);
    assert_eq!(moved.chosen, None);
    assert_eq!(moved.missing, Some(Missing::NoLongerApplies));
    let gone = rates.select(
        Some(Uuid::now_v7()),
        Some("DE"),
        CurrencyCode::Eur,
        &settings,
    );
    assert_eq!(gone.missing, Some(Missing::NoLongerApplies));
}

#[test]
fn method_ids_parse_and_print_back() {
    let id = Uuid::now_v7();
    assert_eq!(MethodId::parse("flat-rate"), Some(MethodId::FlatRate));
    assert_eq!(
        MethodId::parse(&id.to_string()),
        Some(MethodId::Configured(id))
    );
    assert_eq!(MethodId::parse("express"), None);
    assert_eq!(MethodId::Configured(id).to_id_string(), id.to_string());
    assert_eq!(MethodId::FlatRate.stored(), None);
}
