package com.ohmyotp.gateways;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.RateLimiter;
import com.ohmyotp.api.Routes;
import com.ohmyotp.inventory.PhoneNumbers;
import com.ohmyotp.sms.Delivery;
import com.ohmyotp.sms.InboundSms;
import com.ohmyotp.sms.SmsSink;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code POST /api/v1/inbound/{gateway}} (and {@code GET}, which Vonage may use): each gateway's
 * sender posts here exactly as it posts anywhere, checked the way it signs ({@link SenderFormat}).
 * An SMS is stored once per gateway and message id, or by its content where the sender has no id; a
 * repeat gets the same 200. A flood from one gateway is refused with 429 for that gateway only.
 */
public final class GatewayInbound implements Routes {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(GatewayInbound.class);

  static final int MAX_TEXT = 2000;
  static final int MAX_SENDER = 100;

  /** How often a node records that a gateway is alive, at most. */
  static final long SEEN_EVERY_SECONDS = 10;

  record Answer(String status, String rentalId) {}

  private final Gateways gateways;
  private final SmsSink sink;
  private final LongSms longSms;
  private final GatewayHealth health;
  private final PhoneNumbers phones;
  private final RateLimiter limiter;
  private final Clock clock;
  private final Map<Integer, Long> lastRecorded = new ConcurrentHashMap<>();

  /**
   * @param limiter bounds how fast one gateway may post, each gateway on its own
   */
  public GatewayInbound(
      Gateways gateways,
      SmsSink sink,
      LongSms longSms,
      GatewayHealth health,
      PhoneNumbers phones,
      RateLimiter limiter,
      Clock clock) {
    this.gateways = gateways;
    this.sink = sink;
    this.longSms = longSms;
    this.health = health;
    this.phones = phones;
    this.limiter = limiter;
    this.clock = clock;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.post("/api/v1/inbound/{gateway}", this::receive);
    routes.get("/api/v1/inbound/{gateway}", this::receive);
  }

  private void receive(Context ctx) {
    Gateway g =
        gateways
            .find(ctx.pathParam("gateway"))
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "gateway_not_found", "There is no gateway of that name."));
    RateLimiter.Decision decision = limiter.acquire(g.id());
    if (!decision.allowed()) {
      throw new ApiException(
          429,
          "rate_limited",
          "Too many posts from this gateway; retry after the number of seconds in Retry-After.",
          decision.headers());
    }
    long now = clock.instant().getEpochSecond();
    Posted post = posted(ctx, g);
    Inbound inbound;
    try {
      inbound = g.kind().format().read(post, gateways.secretOf(g), now);
    } catch (ApiException e) {
      if (e.status() == 401) {
        health.signatureFailure(g.name(), null);
      }
      throw e;
    }
    switch (inbound) {
      case Inbound.Other other -> answer(ctx, g, "ignored", null);
      case Inbound.Ping ping -> {
        seen(g, now);
        answer(ctx, g, "ok", null);
      }
      case Inbound.Sms sms -> {
        Delivery delivery = store(g, sms, now);
        seen(g, now);
        if (!(delivery instanceof Delivery.Duplicate)) {
          health.sms(g.name(), sms.device());
        }
        switch (delivery) {
          case Delivery.ToRental to -> answer(ctx, g, "accepted", to.rentalId());
          case Delivery.Unmatched unmatched -> answer(ctx, g, "accepted", null);
          case Delivery.Duplicate duplicate -> answer(ctx, g, "duplicate", null);
          case null -> answer(ctx, g, "part_stored", null);
        }
      }
    }
  }

  /** Stores the SMS; null for a part of a long SMS whose other parts are still to come. */
  private Delivery store(Gateway g, Inbound.Sms sms, long now) {
    String e164 = recipient(g, sms);
    if (g.autoRegister() && gateways.register(g, e164)) {
      log.info("gateway {} brought a new number into inventory", g.name());
    }
    String from = clip(sms.from(), MAX_SENDER);
    Long receivedAt =
        sms.receivedAt() == null ? null : Math.max(0, Math.min(now, sms.receivedAt()));
    String text = sms.text();
    String identity;
    if (sms.part() != null) {
      String ref = from + "/" + sms.part().ref();
      Optional<String> whole =
          longSms.add(
              g.id(), ref, sms.part(), from, e164, text, receivedAt == null ? now : receivedAt);
      if (whole.isEmpty()) {
        return null;
      }
      text = whole.get();
      identity = "parts:" + ref;
      Delivery delivery = deliver(g, e164, from, text, receivedAt, identity);
      longSms.done(g.id(), ref);
      return delivery;
    }
    identity =
        sms.messageId() != null
            ? "id:" + sms.messageId()
            : "content:" + e164 + "|" + from + "|" + receivedAt + "|" + text;
    return deliver(g, e164, from, text, receivedAt, identity);
  }

  private Delivery deliver(
      Gateway g, String e164, String from, String text, Long receivedAt, String identity) {
    return sink.deliver(
        new InboundSms(e164, from, clip(text, MAX_TEXT), receivedAt, dedupKey(g, identity)));
  }

  /** Where the SMS went: the number it names, or the one registered for its device's SIM. */
  private String recipient(Gateway g, Inbound.Sms sms) {
    if (sms.to() != null) {
      return phones
          .toE164(sms.to())
          .orElseThrow(
              () ->
                  ApiException.badRequest(
                      "invalid_phone_number", "The recipient is not a phone number."));
    }
    return gateways
        .simNumber(g, sms.device(), sms.slot())
        .orElseThrow(
            () ->
                ApiException.badRequest(
                    "unknown_device",
                    "The post names no recipient, and no number is registered for its device"
                        + " and SIM slot: add the device to the gateway's 'devices'."));
  }

  private void seen(Gateway g, long now) {
    Long last = lastRecorded.get(g.id());
    if (g.down() || last == null || now - last >= SEEN_EVERY_SECONDS) {
      lastRecorded.put(g.id(), now);
      gateways.seen(g, now);
      if (g.down()) {
        health.down(g.name(), false);
      }
    }
  }

  private static void answer(Context ctx, Gateway g, String status, String rentalId) {
    if (g.kind() == GatewayKind.TWILIO) {
      ctx.status(200).contentType("text/xml; charset=utf-8").result(TwilioFormat.EMPTY_TWIML);
      return;
    }
    ctx.status(200).json(new Answer(status, rentalId));
  }

  private static Posted posted(Context ctx, Gateway g) {
    Map<String, String> headers = new RequestHeaders(ctx);
    Map<String, String> params = new HashMap<>();
    Map<String, List<String>> source;
    String type = ctx.contentType();
    if (ctx.method().name().equals("GET")) {
      source = ctx.queryParamMap();
    } else if (type != null
        && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      source = ctx.formParamMap();
    } else {
      source = Map.of();
    }
    source.forEach((k, v) -> params.put(k, v.isEmpty() ? "" : v.get(0)));
    String url = g.publicUrl() != null ? g.publicUrl() : ctx.fullUrl();
    return new Posted(ctx.method().name(), url, headers, ctx.bodyAsBytes(), params);
  }

  /**
   * The request's headers as a map that looks each one up when asked: a format reads two or three
   * of them, and a copy of them all on every post was a twentieth of its cost.
   */
  private static final class RequestHeaders extends java.util.AbstractMap<String, String> {
    private final Context ctx;

    RequestHeaders(Context ctx) {
      this.ctx = ctx;
    }

    @Override
    public String get(Object name) {
      return name instanceof String n ? ctx.header(n) : null;
    }

    @Override
    public boolean containsKey(Object name) {
      return get(name) != null;
    }

    @Override
    public java.util.Set<Map.Entry<String, String>> entrySet() {
      Map<String, String> all = new HashMap<>();
      ctx.headerMap().forEach((k, v) -> all.put(k.toLowerCase(Locale.ROOT), v));
      return all.entrySet();
    }
  }

  private static String dedupKey(Gateway g, String identity) {
    return "g"
        + g.id()
        + ":"
        + HexFormat.of().formatHex(sha256().digest(identity.getBytes(StandardCharsets.UTF_8)));
  }

  private static final MessageDigest SHA_256;

  static {
    try {
      SHA_256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * A fresh digest, copied from one looked up once: the provider lookup cost more than the hash.
   */
  private static MessageDigest sha256() {
    try {
      return (MessageDigest) SHA_256.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's SHA-256 can be copied", e);
    }
  }

  private static String clip(String value, int max) {
    return value.length() <= max ? value : value.substring(0, max);
  }
}
