package com.ohmyotp.accounts;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** Sends plain-text mail through the operator's SMTP server with Jakarta Mail. */
public final class Mailer {

  private final MailSettings settings;
  private final Session session;

  public Mailer(MailSettings settings) {
    this.settings = settings;
    String protocol = settings.security().equals("tls") ? "smtps" : "smtp";
    Properties props = new Properties();
    props.put("mail.transport.protocol", protocol);
    props.put("mail." + protocol + ".host", settings.host());
    props.put("mail." + protocol + ".port", Integer.toString(settings.port()));
    props.put("mail." + protocol + ".auth", Boolean.toString(settings.user().isPresent()));
    props.put("mail." + protocol + ".connectiontimeout", "10000");
    props.put("mail." + protocol + ".timeout", "20000");
    props.put("mail." + protocol + ".writetimeout", "20000");
    if (settings.security().equals("starttls")) {
      props.put("mail.smtp.starttls.enable", "true");
      props.put("mail.smtp.starttls.required", "true");
    }
    this.session = Session.getInstance(props);
  }

  /** The site's address as links in mail give it. */
  public String publicUrl() {
    return settings.publicUrl();
  }

  /**
   * Sends one message.
   *
   * @throws MessagingException when the server refuses it or cannot be reached
   */
  public void send(String to, String subject, String text) throws MessagingException {
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress(settings.from()));
    message.setRecipient(Message.RecipientType.TO, new InternetAddress(to, true));
    message.setSubject(subject, StandardCharsets.UTF_8.name());
    message.setText(text, StandardCharsets.UTF_8.name());
    try (Transport transport = session.getTransport()) {
      transport.connect(
          settings.host(),
          settings.port(),
          settings.user().orElse(null),
          settings.password().orElse(null));
      transport.sendMessage(message, message.getAllRecipients());
    }
  }
}
