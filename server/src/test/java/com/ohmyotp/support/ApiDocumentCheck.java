package com.ohmyotp.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks an exchange of the integration suite against the OpenAPI document the server serves
 * ({@code api/openapi.yaml}), so that document and code cannot drift apart.
 *
 * <p>What the document covers ({@code /api/v1/…} and the SMS-Activate endpoint): every answer must
 * be one the document describes, for its status; a request the server accepted (an answer below
 * 400) must be one the document allows. A request the server refused is not checked, since the
 * suite sends malformed ones on purpose, but the error answer is. A path the document lacks may
 * only be answered 404 or 405.
 */
public final class ApiDocumentCheck {

  private static final OpenApiInteractionValidator VALIDATOR =
      OpenApiInteractionValidator.createForInlineApiSpecification(document())
          // The suite's keys are checked by the server; the document only says where they go.
          .withLevelResolver(
              LevelResolver.create()
                  .withLevel("validation.request.security", ValidationReport.Level.IGNORE)
                  .build())
          .build();

  /** The error codes the document lists for each status ({@code info.x-errors}). */
  private static final Map<Integer, java.util.Set<String>> ERROR_CODES = errorCodes();

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private ApiDocumentCheck() {}

  /** Whether the document speaks for this path. */
  public static boolean covers(String path) {
    return path.startsWith("/api/v1/") || path.startsWith("/stubs/");
  }

  /**
   * Throws an {@link AssertionError} naming every way the exchange departs from the document.
   *
   * @param target the path and query string as sent
   */
  public static void check(
      String method,
      String target,
      HttpHeaders requestHeaders,
      byte[] requestBody,
      int status,
      HttpHeaders responseHeaders,
      String responseBody) {
    URI uri = URI.create(target);
    String path = uri.getRawPath();
    if (!covers(path)) {
      return;
    }
    Request.Method verb = Request.Method.valueOf(method);
    SimpleRequest.Builder request = new SimpleRequest.Builder(verb, path);
    requestHeaders.map().forEach(request::withHeader);
    query(uri.getRawQuery())
        .forEach(
            (name, values) -> {
              // The protocol's clients send parameters they do not use empty ("service="), and
              // the server reads those as absent; the validator, given an OpenAPI 3.1 document,
              // takes an empty value for a missing one whatever allowEmptyValue says.
              if (!(path.startsWith("/stubs/") && values.stream().allMatch(String::isBlank))) {
                request.withQueryParam(name, values);
              }
            });
    if (requestBody != null) {
      request.withBody(requestBody);
    }
    SimpleResponse.Builder response = SimpleResponse.Builder.status(status);
    responseHeaders.map().forEach(response::withHeader);
    String type = responseHeaders.firstValue("Content-Type").orElse("");
    if (!type.startsWith("text/event-stream") && responseBody != null && !responseBody.isEmpty()) {
      response.withBody(responseBody);
    }
    boolean refused = status >= 400 || protocolRefusal(path, responseBody);
    ValidationReport report =
        !refused
            ? VALIDATOR.validate(request.build(), response.build())
            : VALIDATOR.validateResponse(path, verb, response.build());
    List<String> problems = new ArrayList<>();
    if (status >= 400 && status != 500) {
      String code = errorCode(responseBody);
      if (code != null && !ERROR_CODES.getOrDefault(status, java.util.Set.of()).contains(code)) {
        problems.add(
            "  [x-errors] error '" + code + "' is not among the document's codes for " + status);
      }
    }
    for (ValidationReport.Message m : report.getMessages()) {
      if (m.getLevel() != ValidationReport.Level.ERROR) {
        continue;
      }
      boolean unknownPath = m.getKey().equals("validation.request.path.missing");
      boolean unknownMethod = m.getKey().equals("validation.request.operation.notAllowed");
      if ((unknownPath && status == 404) || (unknownMethod && status == 405)) {
        continue;
      }
      problems.add("  [" + m.getKey() + "] " + m.getMessage());
    }
    if (!problems.isEmpty()) {
      throw new AssertionError(
          "The exchange departs from the OpenAPI document (server/src/main/resources/api/openapi.yaml):\n  "
              + method
              + " "
              + target
              + " -> "
              + status
              + " "
              + abbreviate(responseBody)
              + "\n"
              + String.join("\n", problems));
    }
  }

  /**
   * The ways an answer, such as one of the document's own examples, departs from what the document
   * says {@code method path} answers with {@code status}; empty when it does not.
   */
  public static List<String> answerProblems(String method, String path, int status, String json) {
    SimpleResponse response =
        SimpleResponse.Builder.status(status)
            .withContentType("application/json")
            .withBody(json)
            .build();
    return VALIDATOR
        .validateResponse(path, Request.Method.valueOf(method), response)
        .getMessages()
        .stream()
        .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
        .map(m -> "[" + m.getKey() + "] " + m.getMessage())
        .toList();
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      // The server reads a whole number as Java does, a leading plus included ("+5" is 5); the
      // validator reads it as JSON, which has no plus.
      if (value.matches("\\+\\d+")) {
        value = value.substring(1);
      }
      params.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
    return params;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /**
   * The SMS-Activate protocol refuses a request with status 200 and an error word ({@code
   * BAD_ACTION}, {@code BAD_KEY}, …): such a request is not one the server accepted.
   */
  private static boolean protocolRefusal(String path, String body) {
    return path.equals("/stubs/handler_api.php")
        && body != null
        && body.matches(
            "BAD_ACTION|BAD_KEY|BAD_SERVICE|BAD_STATUS|NO_ACTIVATION|NO_BALANCE|NO_NUMBERS"
                + "|WRONG_MAX_PRICE.*|ERROR_SQL|BANNED.*");
  }

  private static String errorCode(String body) {
    if (body == null || !body.startsWith("{")) {
      return null;
    }
    try {
      com.fasterxml.jackson.databind.JsonNode error = JSON.readTree(body).get("error");
      return error == null || !error.isTextual() ? null : error.asText();
    } catch (IOException e) {
      return null;
    }
  }

  private static Map<Integer, java.util.Set<String>> errorCodes() {
    try {
      com.fasterxml.jackson.databind.JsonNode doc =
          new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(document());
      Map<Integer, java.util.Set<String>> codes = new java.util.HashMap<>();
      for (com.fasterxml.jackson.databind.JsonNode row : doc.path("info").path("x-errors")) {
        java.util.Set<String> set =
            codes.computeIfAbsent(row.path("status").asInt(), s -> new java.util.HashSet<>());
        row.path("codes").forEach(c -> set.add(c.asText()));
      }
      return codes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String abbreviate(String body) {
    if (body == null) {
      return "";
    }
    return body.length() > 300 ? body.substring(0, 300) + "…" : body;
  }

  private static String document() {
    try (InputStream in = ApiDocumentCheck.class.getResourceAsStream("/api/openapi.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
