//! How mail leaves: once per event however often the relay reads it, retried while the SMTP
//! server is down, to a Maildir under DATA_DIR without one, in templates a shop may replace.

use super::*;
use e2e::smtp::{free_port, read_maildir, smtp_url, wait_for_mail};
use entities::outbox;
use sea_orm::sea_query::Expr;

impl Shop {
    /// Marks every event pending again and wakes the relay, which hands them all to its
    /// consumers once more (as after a crash between publishing and marking published).
    async fn relay_everything_again(&self) -> anyhow::Result<()> {
        outbox::Entity::update_many()
            .col_expr(
                outbox::Column::PublishedAt,
                Expr::value(None::<chrono::DateTime<chrono::Utc>>),
            )
            .exec(&self.db)
            .await?;
        self.server.app.app.events.wake_relay();
        Ok(())
    }
}

async fn an_event_the_relay_reads_again_is_mailed_once(backend: Backend) -> anyhow::Result<()> {
    let smtp = SmtpServer::start().await?;
    let shop = Shop::mailing(backend, &[1000], Some(smtp.url()), |_| {}).await?;
    let order = shop.place(&shop.guest, &[(0, 1)]).await?;
    smtp.wait_for(1).await?;
    shop.mail_settled().await?;

    // As after a crash between publishing and marking published: every event is pending
    // again, and the relay hands them to the mail consumer a second time.
    shop.relay_everything_again().await?;
    shop.mail_settled().await?;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mails = smtp.received()?;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].subject.contains(&order.number.to_string()));
    assert_eq!(shop.mail_jobs().await?.len(), 1);
    shop.server.stop().await
}
e2e!(an_event_the_relay_reads_again_is_mailed_once);

async fn mail_waits_while_the_smtp_server_is_down_and_goes_once_it_is_up(
    backend: Backend,
) -> anyhow::Result<()> {
    let port = free_port()?;
    let shop = Shop::mailing(backend, &[1000], Some(smtp_url(port)), |config| {
        config.mail.mail_retry_base_ms = 100;
    })
    .await?;
    let order = shop.place(&shop.guest, &[(0, 1)]).await?;

    // Refused, and kept for a retry.
    let deadline = Instant::now() + Duration::from_secs(15);
    let failed = loop {
        let jobs = shop.mail_jobs().await?;
        if let Some(job) = jobs
            .iter()
            .find(|j| j.attempts >= 2 && j.last_error.is_some())
        {
            break job.clone();
        }
        anyhow::ensure!(Instant::now() < deadline, "no failed attempt: {jobs:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert_eq!(failed.status, MailJobStatus::Pending);
    assert!(
        failed.last_error.as_deref().unwrap().contains("SMTP"),
        "{failed:?}"
    );

    let smtp = SmtpServer::start_on(port).await?;
    let mails = smtp.wait_for(1).await?;
    shop.mail_settled().await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mails = if mails.len() == 1 {
        smtp.received()?
    } else {
        mails
    };
    assert_eq!(mails.len(), 1, "sent once: {mails:?}");
    assert_eq!(
        mails[0].subject,
        format!("Order #{} confirmed", order.number)
    );
    let job = &shop.mail_jobs().await?[0];
    assert_eq!(job.status, MailJobStatus::Sent);
    assert!(job.attempts >= 3, "{job:?}");
    assert_eq!(job.last_error, None);

    let metrics = shop
        .server
        .http()
        .get(shop.server.url("/metrics"))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        metrics.contains("shopgraph_emails_sent_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("shopgraph_email_send_errors_total "),
        "{metrics}"
    );
    assert!(metrics.contains("shopgraph_email_backlog 0"), "{metrics}");
    shop.server.stop().await
}
e2e!(mail_waits_while_the_smtp_server_is_down_and_goes_once_it_is_up);

async fn without_smtp_mail_is_written_to_the_maildir_in_data_dir(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::mailing(backend, &[1000], None, |_| {}).await?;
    let order = shop.place(&shop.guest, &[(0, 1)]).await?;
    let maildir = shop.server.data_dir().join("mail");
    let mails = wait_for_mail(&maildir, 1).await?;
    assert_eq!(
        mails[0].subject,
        format!("Order #{} confirmed", order.number)
    );
    assert_eq!(mails[0].to, BUYER_EMAIL);
    let files: Vec<_> = std::fs::read_dir(maildir.join("new"))?.collect();
    assert_eq!(files.len(), 1, "one file in new/");
    shop.mail_settled().await?;
    assert_eq!(read_maildir(&maildir)?.len(), 1);
    shop.server.stop().await
}
e2e!(without_smtp_mail_is_written_to_the_maildir_in_data_dir);

async fn a_template_in_mail_templates_dir_replaces_the_built_in_one(
    backend: Backend,
) -> anyhow::Result<()> {
    let templates = std::env::temp_dir().join(format!(
        "shopgraph-templates-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&templates)?;
    std::fs::write(
        templates.join("order_confirmation.txt"),
        "Subject: {{ shop.name }} got order {{ order.number }}\n\nOur own words. Total {{ order.total }}.\nSee {{ order.status_url }}\n",
    )?;
    let smtp = SmtpServer::start().await?;
    let dir = templates.clone();
    let shop = Shop::mailing(backend, &[1000], Some(smtp.url()), |config| {
        config.mail.mail_templates_dir = Some(dir);
    })
    .await?;
    let order = shop.place(&shop.guest, &[(0, 1)]).await?;
    let mails = smtp.wait_for(1).await?;
    assert_eq!(
        mails[0].subject,
        format!("Test Shop got order {}", order.number)
    );
    assert!(
        mails[0].text.starts_with("Our own words. Total 15.00 USD."),
        "{}",
        mails[0].text
    );
    // The HTML part was not replaced.
    assert!(
        mails[0].html.contains("Thank you for your order!"),
        "{}",
        mails[0].html
    );
    shop.mail_settled().await?;
    std::fs::remove_dir_all(&templates)?;
    shop.server.stop().await
}
e2e!(a_template_in_mail_templates_dir_replaces_the_built_in_one);

async fn orders_relayed_together_are_each_confirmed_to_their_own_buyer(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::mailing(backend, &[1000], None, |_| {}).await?;
    let buyers = ["ann@example.com", "bob@example.com", "cy@example.com"];
    let mut placed = Vec::new();
    for email in buyers {
        let cart = shop
            .cart_of(&shop.guest, &[(0, 1)])
            .buyer(json!({
                "email": email,
                "shippingAddress": { "address1": "1 Main St", "city": "Springfield", "zip": "12345", "countryCode": "US" }
            }))
            .create()
            .await?;
        placed.push((shop.place_cart(&shop.guest, cart).await?, email));
    }
    shop.mail_settled().await?;

    // As after a crash that lost the queued mail with the relay's marks: every event is
    // pending again and the relay takes them in one batch, reading the buyers' addresses
    // together.
    mail_job::Entity::delete_many().exec(&shop.db).await?;
    shop.relay_everything_again().await?;
    shop.mail_settled().await?;

    let jobs = shop.mail_jobs().await?;
    assert_eq!(jobs.len(), buyers.len(), "{jobs:?}");
    for (order, email) in placed {
        let confirmations: Vec<&str> = jobs
            .iter()
            .filter(|job| job.payload.to_string().contains(&order.id.to_string()))
            .map(|job| job.recipient.as_str())
            .collect();
        assert_eq!(confirmations, [email], "order {}", order.number);
    }
    shop.server.stop().await
}
e2e!(orders_relayed_together_are_each_confirmed_to_their_own_buyer);
