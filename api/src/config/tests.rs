//! The command line refuses malformed values itself, naming the flag, and `Config::check`
//! refuses the combinations that cannot work.

use super::*;
use clap::CommandFactory;
use schema::common::money::CurrencyCode;

fn parse(args: &[&str]) -> Result<Config, String> {
    Cli::try_parse_from(std::iter::once("shopgraph").chain(args.iter().copied()))
        .map(|cli| cli.config)
        .map_err(|e| e.to_string())
}

#[test]
fn the_command_line_is_well_formed() {
    // Duplicate flag names or ids across the groups would only show up here (or at run time).
    Cli::command().debug_assert();
}

#[test]
fn malformed_values_are_refused_with_the_flag_name() {
    for (flag, value) in [
        ("--tax-rate", "abc"),
        ("--tax-rate", "8.125"),
        ("--default-currency", "XXX"),
        ("--shipping-rates", "USD=five"),
        ("--free-shipping-over", "EUR"),
        ("--log-format", "yaml"),
        ("--jwt-secret", "too short"),
        ("--cors-origins", "*"),
        ("--payment-webhook-secrets", "manual=whsec_x"),
        ("--access-token-ttl-secs", "0"),
        ("--bind", "localhost"),
        ("--return-window-days", "two weeks"),
        ("--webhook-retry-base-ms", "0"),
        ("--webhook-disable-after-failures", "0"),
        ("--storefront-url", "shop.example"),
        ("--mail-secret", "too short"),
        ("--mail-max-attempts", "0"),
        ("--smtp-timeout-ms", "0"),
    ] {
        match parse(&[flag, value]) {
            Ok(_) => panic!("{flag} {value} was accepted"),
            Err(message) => assert!(message.contains(flag), "{flag} {value}: {message}"),
        }
    }
}

#[test]
fn values_arrive_typed() -> Result<(), String> {
    let config = parse(&[
        "--tax-rate",
        "8.25",
        "--default-currency",
        "eur",
        "--shipping-rates",
        "USD=4.95,EUR=4.50",
        "--log-format",
        "JSON",
        "--cors-origins",
        "https://shop.example, https://admin.example,",
        "--return-window-days",
        "14",
    ])?;
    assert_eq!(config.commerce.return_window_days, 14);
    assert_eq!(config.commerce.tax_rate.basis_points(), 825);
    assert_eq!(config.commerce.default_currency, CurrencyCode::Eur);
    assert_eq!(
        config
            .commerce
            .shipping_rates
            .minor_units()
            .get(&CurrencyCode::Eur),
        Some(&450)
    );
    assert_eq!(config.server.log_format, LogFormat::Json);
    assert_eq!(config.server.cors_origins.list().len(), 2);
    let none = parse(&["--cors-origins", ""])?;
    assert!(
        none.server.cors_origins.list().is_empty(),
        "an empty value allows none"
    );
    Ok(())
}

#[test]
fn webhook_secrets_one_per_provider_and_none_for_manual() -> Result<(), String> {
    let listed = parse(&["--payment-webhook-secrets", " test = whsec_a "])?;
    let secrets = listed
        .commerce
        .webhook_secrets()
        .map_err(|e| e.to_string())?;
    assert_eq!(secrets.get("test").map(String::as_str), Some("whsec_a"));
    let legacy = parse(&["--payment-webhook-secret", "whsec_b"])?;
    let secrets = legacy
        .commerce
        .webhook_secrets()
        .map_err(|e| e.to_string())?;
    assert_eq!(secrets.get("test").map(String::as_str), Some("whsec_b"));
    for list in ["paypal=whsec_x", "test", "test=", "test=a,test=b"] {
        assert!(
            parse(&["--payment-webhook-secrets", list]).is_err(),
            "{list}"
        );
    }
    let both = parse(&[
        "--payment-webhook-secrets",
        "test=a",
        "--payment-webhook-secret",
        "b",
    ])?;
    assert!(both.check().is_err(), "the test provider's secret twice");
    Ok(())
}

#[test]
fn combinations_that_cannot_work_are_refused() -> Result<(), String> {
    let production = parse(&["--production"])?;
    assert!(
        production
            .check()
            .is_err_and(|e| e.to_string().contains("JWT_SECRET"))
    );
    let half_admin = parse(&["--admin-email", "boss@example.com"])?;
    assert!(
        half_admin
            .check()
            .is_err_and(|e| e.to_string().contains("ADMIN_PASSWORD"))
    );
    let secret = "a production secret of at least 32 bytes";
    assert!(
        parse(&["--production", "--jwt-secret", secret])?
            .check()
            .is_ok()
    );
    Ok(())
}

#[test]
fn stripe_and_capture_settings_are_checked() -> Result<(), String> {
    for (flag, value) in [
        ("--stripe-secret-key", "pk_test_publishable"),
        ("--stripe-secret-key", "sk_"),
        ("--stripe-secret-key", "sk_test with spaces"),
        ("--stripe-api-base", "api.stripe.com"),
        ("--stripe-api-base", "https://api.stripe.com/v1"),
        ("--stripe-api-base", "https://user:pw@api.stripe.com"),
        ("--payment-capture", "later"),
        ("--payment-webhook-secrets", "stripe=whsec_x"),
    ] {
        match parse(&[flag, value]) {
            Ok(_) => panic!("{flag} {value} was accepted"),
            Err(message) => assert!(message.contains(flag), "{flag} {value}: {message}"),
        }
    }
    let defaults = parse(&[])?;
    assert_eq!(defaults.commerce.payment_capture, Capture::Automatic);
    assert!(defaults.commerce.stripe().is_none(), "off without a key");
    assert_eq!(
        defaults.commerce.stripe_api_base.as_str(),
        "https://api.stripe.com"
    );

    let on = parse(&[
        "--stripe-secret-key",
        "sk_test_abc123",
        "--stripe-api-base",
        "http://127.0.0.1:9/",
        "--stripe-webhook-secret",
        "whsec_s",
        "--payment-capture",
        "MANUAL",
    ])?;
    let settings = on.commerce.stripe().ok_or("stripe is on")?;
    assert_eq!(settings.api_base, "http://127.0.0.1:9");
    assert!(
        !format!("{settings:?} {:?}", on.commerce).contains("sk_test_abc123"),
        "the key is never printed"
    );
    assert_eq!(on.commerce.payment_capture, Capture::Manual);
    let secrets = on.commerce.webhook_secrets().map_err(|e| e.to_string())?;
    assert_eq!(secrets.get("stripe").map(String::as_str), Some("whsec_s"));

    let secret = "a production secret of at least 32 bytes";
    let without_webhooks = parse(&[
        "--production",
        "--jwt-secret",
        secret,
        "--stripe-secret-key",
        "sk_live_abc123",
    ])?;
    assert!(
        without_webhooks
            .check()
            .is_err_and(|e| e.to_string().contains("STRIPE_WEBHOOK_SECRET")),
        "production needs Stripe's webhooks"
    );
    assert!(
        parse(&["--stripe-secret-key", "sk_test_abc123"])?
            .check()
            .is_ok(),
        "development may do without"
    );
    let orphan = parse(&["--stripe-webhook-secret", "whsec_s"])?;
    assert!(
        orphan
            .check()
            .is_err_and(|e| e.to_string().contains("STRIPE_SECRET_KEY"))
    );
    Ok(())
}
