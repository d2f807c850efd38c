package com.ohmyotp.smsactivate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Caller;
import com.ohmyotp.api.Failures;
import com.ohmyotp.api.Json;
import com.ohmyotp.api.RateLimiter;
import com.ohmyotp.api.Routes;
import com.ohmyotp.smsactivate.Answers.Errors;
import io.javalin.config.RoutesConfig;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /stubs/handler_api.php}: the SMS-Activate protocol, so that its clients work by changing
 * their base URL. Parameters come in the query or a form body; the API key as {@code api_key} or in
 * an {@code X-ApiKey} header, under the same rate limit as the REST API. Every answer is the
 * protocol's: text or JSON, HTTP 200, its error words for every refusal — never our JSON error
 * body, whatever the input.
 */
public final class HandlerApi implements Routes {

  public static final String PATH = "/stubs/handler_api.php";

  private static final Logger log = LoggerFactory.getLogger(HandlerApi.class);

  private final Activations activations;
  private final ApiAuth auth;
  private final ObjectMapper json;

  public HandlerApi(Activations activations, ApiAuth auth, ObjectMapper json) {
    this.activations = activations;
    this.auth = auth;
    this.json = json;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get(PATH, this::handle);
    routes.post(PATH, this::handle);
  }

  /** The request's parameters, from the query and, for a form post, the body. */
  private record Parameters(Map<String, List<String>> values) {

    static Parameters of(Context ctx) {
      Map<String, List<String>> values = new TreeMap<>(ctx.queryParamMap());
      String type = ctx.contentType();
      if (type != null
          && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
        ctx.formParamMap()
            .forEach(
                (name, list) ->
                    values.merge(
                        name,
                        list,
                        (a, b) -> {
                          List<String> both = new java.util.ArrayList<>(a);
                          both.addAll(b);
                          return both;
                        }));
      }
      return new Parameters(values);
    }

    /**
     * The parameter's value, or null when it is absent; given twice with different values, it is
     * refused with the error of that parameter.
     */
    String get(String name, String error) {
      List<String> list = values.get(name);
      if (list == null || list.isEmpty()) {
        return null;
      }
      if (list.stream().distinct().count() > 1) {
        throw new ProtocolFailure(error);
      }
      return list.get(0);
    }

    /** The parameter's value, null when absent, and a value no parser takes when given twice. */
    String lenient(String name) {
      List<String> list = values.get(name);
      if (list == null || list.isEmpty()) {
        return null;
      }
      return list.stream().distinct().count() > 1 ? "\u0000" : list.get(0);
    }
  }

  private void handle(Context ctx) {
    try {
      Parameters params = Parameters.of(ctx);
      String key = params.get("api_key", Errors.BAD_KEY);
      if (key == null) {
        key = ctx.header("X-ApiKey");
      }
      Optional<Caller> caller = key == null ? Optional.empty() : auth.caller(key.strip());
      if (caller.isEmpty()) {
        text(ctx, Errors.BAD_KEY);
        return;
      }
      RateLimiter.Decision decision = auth.rateLimit(caller.get());
      decision.headers().forEach(ctx::header);
      if (!decision.allowed()) {
        // HTTP clients see 429 and Retry-After; the protocol's clients read "try again".
        ctx.status(429);
        text(ctx, Errors.ERROR_SQL);
        return;
      }
      act(ctx, caller.get(), params);
    } catch (ProtocolFailure failure) {
      text(ctx, failure.answer());
    } catch (ApiException e) {
      text(ctx, refusal(e));
    } catch (RuntimeException e) {
      if (Failures.isTemporary(e)) {
        log.warn("protocol request not served, database unavailable: {}", e.toString());
        ctx.status(503).header("Retry-After", "2");
        text(ctx, Errors.ERROR_SQL);
        return;
      }
      throw e;
    }
  }

  private void act(Context ctx, Caller caller, Parameters params) {
    String action = params.get("action", Errors.BAD_ACTION);
    switch (action == null ? "" : action) {
      case "getBalance" -> text(ctx, activations.balance(caller));
      case "getNumber" -> text(ctx, Activations.numberText(number(caller, params)));
      case "getNumberV2" -> json(ctx, activations.numberJson(number(caller, params)));
      case "getStatus" ->
          text(ctx, activations.status(caller, params.get("id", Errors.NO_ACTIVATION)));
      case "setStatus" ->
          text(
              ctx,
              activations.setStatus(
                  caller,
                  params.get("id", Errors.NO_ACTIVATION),
                  params.get("status", Errors.BAD_STATUS)));
      case "getPrices" ->
          json(
              ctx,
              activations.prices(
                  params.get("service", Errors.BAD_SERVICE),
                  params.get("country", Errors.NO_NUMBERS)));
      case "getNumbersStatus" ->
          json(ctx, activations.numbersStatus(params.get("country", Errors.NO_NUMBERS)));
      case "getActiveActivations" -> json(ctx, activations.activeActivations(caller));
      default -> text(ctx, Errors.BAD_ACTION);
    }
  }

  private Activations.Rented number(Caller caller, Parameters params) {
    String service = params.get("service", Errors.BAD_SERVICE);
    if (service == null) {
      throw new ProtocolFailure(Errors.BAD_SERVICE);
    }
    // The operator is accepted and not used: numbers here are not sold by carrier.
    params.get("operator", Errors.NO_NUMBERS);
    return activations.number(
        caller, service, params.get("country", Errors.NO_NUMBERS), params.lenient("maxPrice"));
  }

  /** The protocol's word for a refusal of our features. */
  private static String refusal(ApiException e) {
    return switch (e.error()) {
      case "insufficient_balance" -> Errors.NO_BALANCE;
      case "no_numbers_available" -> Errors.NO_NUMBERS;
      case "service_not_found" -> Errors.BAD_SERVICE;
      case "rental_not_found", "not_owner" -> Errors.NO_ACTIVATION;
      default -> {
        log.warn("protocol request refused with {} {}", e.status(), e.error());
        yield Errors.ERROR_SQL;
      }
    };
  }

  private static void text(Context ctx, String answer) {
    ctx.contentType(ContentType.PLAIN + "; charset=utf-8").result(answer);
  }

  private void json(Context ctx, Object answer) {
    ctx.contentType(ContentType.APPLICATION_JSON).result(Json.write(json, answer));
  }
}
