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
import java.util.stream.Collectors;

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
    query(uri.getRawQuery()).forEach(request::withQueryParam);
    if (requestBody != null) {
      request.withBody(requestBody);
    }
    SimpleResponse.Builder response = SimpleResponse.Builder.status(status);
    responseHeaders.map().forEach(response::withHeader);
    String type = responseHeaders.firstValue("Content-Type").orElse("");
    if (!type.startsWith("text/event-stream") && responseBody != null && !responseBody.isEmpty()) {
      response.withBody(responseBody);
    }
    ValidationReport report =
        status < 400
            ? VALIDATOR.validate(request.build(), response.build())
            : VALIDATOR.validateResponse(path, verb, response.build());
    List<ValidationReport.Message> problems = new ArrayList<>();
    for (ValidationReport.Message m : report.getMessages()) {
      if (m.getLevel() != ValidationReport.Level.ERROR) {
        continue;
      }
      boolean unknownPath = m.getKey().equals("validation.request.path.missing");
      boolean unknownMethod = m.getKey().equals("validation.request.operation.notAllowed");
      if ((unknownPath && status == 404) || (unknownMethod && status == 405)) {
        continue;
      }
      problems.add(m);
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
              + problems.stream()
                  .map(m -> "  [" + m.getKey() + "] " + m.getMessage())
                  .collect(Collectors.joining("\n")));
    }
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
