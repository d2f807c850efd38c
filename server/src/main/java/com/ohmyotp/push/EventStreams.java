package com.ohmyotp.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Caller;
import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Server-sent events: {@code GET /api/v1/rentals/:id/events} (one rental) and {@code GET
 * /api/v1/events} (all of the account's rentals) stream {@code sms} and {@code status} events, each
 * with its {@code id:}, and a heartbeat comment every {@link #HEARTBEAT_SECONDS} s. A client that
 * reconnects with {@code Last-Event-ID} gets every event after that one first. A stream is the
 * request's own virtual thread, parked between events; a client that vanishes is noticed at the
 * next write, within a heartbeat, and its listener removed.
 */
public final class EventStreams implements Routes {

  static final long HEARTBEAT_SECONDS = 15;

  /** Events waiting for a slow client before its stream is closed, to resume from its last id. */
  static final int MAX_QUEUED = 10_000;

  /** Whether a rental is the caller's; throws the API's answer (403, 404) when it is not. */
  @FunctionalInterface
  public interface RentalAccess {
    void check(Caller caller, String rentalId);
  }

  private final EventLog log;
  private final RentalAccess access;
  private final java.util.concurrent.atomic.AtomicInteger open =
      new java.util.concurrent.atomic.AtomicInteger();
  private final ApiAuth auth;
  private final ObjectMapper json;

  public EventStreams(EventLog log, RentalAccess access, ApiAuth auth, ObjectMapper json) {
    this.log = log;
    this.access = access;
    this.auth = auth;
    this.json = json;
  }

  /** Streams open now, on this node. */
  public int open() {
    return open.get();
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/api/v1/events", auth.customer((ctx, caller) -> stream(ctx, caller, null)));
    routes.get(
        "/api/v1/rentals/{id}/events",
        auth.customer(
            (ctx, caller) -> {
              String rentalId = ctx.pathParam("id");
              access.check(caller, rentalId);
              stream(ctx, caller, rentalId);
            }));
  }

  private void stream(Context ctx, Caller caller, String rentalId) throws IOException {
    Long lastId = lastEventId(ctx);
    BlockingQueue<Event> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    AtomicBoolean overflowed = new AtomicBoolean();
    open.incrementAndGet();
    try (EventLog.Subscription subscription =
        log.listen(
            caller.accountId(),
            e -> {
              if (e.type().stream() != null
                  && (rentalId == null || rentalId.equals(e.rentalId()))
                  && !queue.offer(e)) {
                overflowed.set(true);
              }
            })) {
      HttpServletResponse res = ctx.res();
      res.setStatus(200);
      res.setContentType("text/event-stream;charset=utf-8");
      res.setHeader("Cache-Control", "no-store");
      res.setHeader("X-Accel-Buffering", "no");
      OutputStream out = res.getOutputStream();
      write(out, "retry: 3000\n: connected\n\n");
      Set<Long> sent = new HashSet<>();
      if (lastId != null) {
        for (Event e : log.since(caller.accountId(), rentalId, lastId, subscription.from())) {
          if (e.type().stream() != null) {
            write(out, frame(e));
            sent.add(e.id());
          }
        }
      }
      while (!overflowed.get()) {
        Event e = queue.poll(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        if (e == null) {
          write(out, ": heartbeat\n\n");
        } else if (!sent.contains(e.id())) {
          write(out, frame(e));
        }
      }
      // Too slow to keep up: it reconnects and resumes from the last id it read.
    } catch (IOException gone) {
      // The client went away: the listener is removed as the stream ends.
    } catch (InterruptedException stopping) {
      Thread.currentThread().interrupt();
    } finally {
      open.decrementAndGet();
    }
  }

  private String frame(Event e) throws IOException {
    return "id: "
        + e.id()
        + "\nevent: "
        + e.type().stream()
        + "\ndata: "
        + json.writeValueAsString(e.data())
        + "\n\n";
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** {@code Last-Event-ID}: the id of an event the client has, or absent. */
  private static Long lastEventId(Context ctx) {
    String raw = ctx.header("Last-Event-ID");
    if (raw == null || raw.isBlank()) {
      return null;
    }
    try {
      long id = Long.parseLong(raw.strip());
      if (id < 0) {
        throw new NumberFormatException();
      }
      return id;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(
          "invalid_last_event_id", "Last-Event-ID is the id of an event this stream sent.");
    }
  }
}
