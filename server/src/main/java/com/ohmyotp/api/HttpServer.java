package com.ohmyotp.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.db.Database;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Builds the Javalin server: request ids, security headers, metrics, the one place errors become
 * the error body, and every feature's routes.
 */
public final class HttpServer {

  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  /** On every response, errors from Jetty itself included; pages replace the CSP with their own. */
  static final Map<String, String> SECURITY_HEADERS =
      Map.of(
          "X-Content-Type-Options", "nosniff",
          "X-Frame-Options", "DENY",
          "Referrer-Policy", "no-referrer",
          "Cache-Control", "no-store",
          "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");

  static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final String STARTED = "ohmyotp.started";

  /** Large enough for an operator's number import, small enough that a flood cannot hurt. */
  public static final long MAX_REQUEST_BYTES = 1024 * 1024;

  private HttpServer() {}

  public static Javalin create(ObjectMapper json, MeterRegistry metrics, List<Routes> routes) {
    return Javalin.create(
        config -> {
          config.startup.showJavalinBanner = false;
          config.startup.showOldJavalinVersionWarning = false;
          config.concurrency.useVirtualThreads = true;
          config.jsonMapper(new JavalinJackson(json, true));
          config.http.maxRequestSize = MAX_REQUEST_BYTES;
          // Long-polls end themselves (at most a minute); the container must not end them first.
          config.http.asyncTimeout = 0L;
          config.http.defaultContentType = "application/json";
          config.http.prefer405over404 = true;
          config.router.ignoreTrailingSlashes = true;
          config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
          config.jetty.modifyHttpConfiguration(
              http -> http.addCustomizer(HttpServer::withoutMethodOverride));
          config.routes.before(
              ctx -> {
                ctx.attribute(STARTED, System.nanoTime());
                String requestId = ctx.header("X-Request-Id");
                if (requestId == null || !CLIENT_REQUEST_ID.matcher(requestId).matches()) {
                  requestId = newRequestId();
                }
                MDC.put("request_id", requestId);
                ctx.header("X-Request-Id", requestId);
                SECURITY_HEADERS.forEach(ctx::header);
                if (hasEncodedNul(ctx)) {
                  // No text column of either database can hold a NUL, and no real identifier has
                  // one.
                  throw ApiException.badRequest(
                      "bad_request", "The request URL contains a NUL character.");
                }
              });
          RequestTimers timers = new RequestTimers(metrics);
          config.routes.after(
              ctx -> {
                Long started = ctx.attribute(STARTED);
                if (started != null) {
                  timers
                      .timer(ctx.method().name(), route(ctx), ctx.statusCode())
                      .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                }
                MDC.remove("request_id");
              });

          config.routes.exception(
              ApiException.class,
              (e, ctx) -> {
                e.headers().forEach(ctx::header);
                error(ctx, e.status(), e.error(), e.getMessage());
              });
          config.routes.exception(
              HttpResponseException.class,
              (e, ctx) -> {
                int status = e.getStatus();
                switch (status) {
                  case 404 ->
                      error(
                          ctx,
                          404,
                          "not_found",
                          "There is nothing at " + ctx.method().name() + " " + safePath(ctx) + ".");
                  case 405 -> {
                    // RFC 9110: a 405 names the methods the resource has. Javalin lists them
                    // under one of two keys, as it would show them to a browser or not.
                    String allowed =
                        e.getDetails()
                            .getOrDefault(
                                "availableMethods", e.getDetails().get("Available methods"));
                    if (allowed != null) {
                      ctx.header("Allow", allowed);
                    }
                    error(
                        ctx,
                        405,
                        "method_not_allowed",
                        ctx.method().name() + " is not allowed here.");
                  }
                  case 413 ->
                      error(
                          ctx,
                          413,
                          "request_too_large",
                          "The request body is larger than " + MAX_REQUEST_BYTES + " bytes.");
                  default ->
                      error(
                          ctx,
                          status,
                          status >= 500 ? "internal_error" : "bad_request",
                          status >= 500
                              ? "Something went wrong on our side."
                              : "The request was not understood.");
                }
              });
          config.routes.exception(
              Database.RetryableConflict.class,
              (e, ctx) ->
                  error(
                      ctx,
                      409,
                      "conflict",
                      "The request collided with others changing the same thing; try again."));
          config.routes.exception(
              Exception.class,
              (e, ctx) -> {
                if (Failures.isDatabaseUnavailable(e)) {
                  log.warn("database unavailable: {}", e.toString());
                  ctx.header("Retry-After", "2");
                  error(
                      ctx,
                      503,
                      "service_unavailable",
                      "The service is briefly unavailable; try again shortly.");
                  return;
                }
                if (Failures.isMalformedBody(e)) {
                  log.info(
                      "malformed request body on {} {}: {}",
                      ctx.method().name(),
                      safePath(ctx),
                      Failures.rootMessage(e));
                  error(
                      ctx,
                      400,
                      "malformed_body",
                      "The request body could not be read: it is cut short or its chunks are"
                          + " malformed.");
                  return;
                }
                log.error("unhandled error on {} {}", ctx.method().name(), safePath(ctx), e);
                error(ctx, 500, "internal_error", "Something went wrong on our side.");
              });
          for (int status : new int[] {404, 405, 413}) {
            config.routes.error(
                status,
                "*",
                ctx -> {
                  if (ctx.result() == null || ctx.result().isEmpty()) {
                    String code =
                        status == 404
                            ? "not_found"
                            : status == 405 ? "method_not_allowed" : "request_too_large";
                    error(
                        ctx,
                        status,
                        code,
                        status == 404 ? "There is nothing here." : "The request was not accepted.");
                  }
                });
          }

          routes.forEach(r -> r.register(config.routes));
        });
  }

  /** Headers some frameworks read as "treat this request as another method". */
  private static final List<String> METHOD_OVERRIDES =
      List.of("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override");

  /**
   * A request as it came, without the headers that ask for another method: Javalin would route a
   * GET carrying {@code X-HTTP-Method-Override: POST} to the POST handler, so a link or an image
   * could run a form's action. A request's method is its request line's.
   */
  private static Request withoutMethodOverride(Request request, HttpFields.Mutable response) {
    HttpFields headers = request.getHeaders();
    if (METHOD_OVERRIDES.stream().noneMatch(headers::contains)) {
      return request;
    }
    HttpFields.Mutable kept = HttpFields.build(headers);
    METHOD_OVERRIDES.forEach(kept::remove);
    HttpFields without = kept.asImmutable();
    return new Request.Wrapper(request) {
      @Override
      public HttpFields getHeaders() {
        return without;
      }
    };
  }

  /**
   * The request timers, one per method, route and status, each found once: building a timer's tags
   * and looking it up in the registry on every request cost more than timing it.
   */
  private static final class RequestTimers {
    private record Key(String method, String route, int status) {}

    private final MeterRegistry metrics;
    private final Map<Key, Timer> timers = new ConcurrentHashMap<>();

    RequestTimers(MeterRegistry metrics) {
      this.metrics = metrics;
    }

    Timer timer(String method, String route, int status) {
      // Bounded: methods, route templates and statuses are few.
      return timers.computeIfAbsent(
          new Key(method, route, status),
          key ->
              // Buckets, not percentiles: Prometheus adds up buckets across nodes and over any
              // window (histogram_quantile), where a node's own percentiles add up to nothing.
              Timer.builder("http.server.requests")
                  .tag("method", key.method())
                  .tag("route", key.route())
                  .tag("status", String.valueOf(key.status()))
                  .publishPercentileHistogram()
                  .minimumExpectedValue(Duration.ofMillis(1))
                  .maximumExpectedValue(Duration.ofSeconds(10))
                  .register(metrics));
    }
  }

  private static void error(Context ctx, int status, String code, String message) {
    ctx.status(status).json(new ErrorBody(code, message));
  }

  /** The path template of the route that answered, for a metric's tag: bounded, unlike paths. */
  private static String route(Context ctx) {
    try {
      // endpoint() is the after-handler running this; the route is the last HTTP endpoint.
      Endpoint answered = ctx.endpoints().lastHttpEndpoint();
      return answered == null ? "unmatched" : answered.path;
    } catch (RuntimeException e) {
      return "unmatched";
    }
  }

  private static String safePath(Context ctx) {
    String path = ctx.path();
    return path.length() > 80 ? path.substring(0, 80) + "…" : path;
  }

  /**
   * A random version-4 UUID for a request that brought no id of its own. It only tells one request
   * from another in the logs, so it comes from the thread's random numbers rather than the shared
   * secure generator, a lock every request took.
   */
  static String newRequestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  private static boolean hasEncodedNul(Context ctx) {
    String uri = ctx.req().getRequestURI();
    String query = ctx.queryString();
    return uri.contains("%00") || (query != null && query.contains("%00"));
  }
}
