package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.ApiDocumentCheck;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document: served as it is written, naming every public route the server has and no
 * other, and a check that fails when an exchange departs from it (every other test's exchanges go
 * through that check, in {@link Http}).
 */
class ApiDocumentTest {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void servedWithoutAKeyWithThisServerAsItsServer() {
    Http.Response r = server.http.get("/api/v1/openapi.json", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    JsonNode doc = r.json();
    assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");
    assertThat(doc.path("servers").get(0).path("url").asText()).isEqualTo(server.base);
    assertThat(doc.path("webhooks").has("sms.received")).isTrue();
  }

  @Test
  void documentsEveryPublicRouteAndNoOther() {
    JsonNode doc = server.http.get("/api/v1/openapi.json", null).json();
    TreeSet<String> documented = new TreeSet<>();
    doc.path("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        method -> {
                          if (!method.equals("parameters")) {
                            documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                          }
                        }));
    TreeSet<String> served = new TreeSet<>();
    for (String endpoint : server.app.endpoints()) {
      String path = endpoint.substring(endpoint.indexOf(' ') + 1);
      if (ApiDocumentCheck.covers(path) && !endpoint.startsWith("HEAD ")) {
        served.add(endpoint);
      }
    }
    assertThat(documented).isEqualTo(served);
  }

  @Test
  void anAnswerTheDocumentDoesNotDescribeFails() {
    Map<String, List<String>> json = Map.of("Content-Type", List.of("application/json"));
    HttpHeaders request =
        HttpHeaders.of(Map.of("Authorization", List.of("Bearer k")), (a, b) -> true);
    HttpHeaders answer = HttpHeaders.of(json, (a, b) -> true);
    // A field the document does not have.
    assertThatThrownBy(
            () ->
                ApiDocumentCheck.check(
                    "GET",
                    "/api/v1/user/me",
                    request,
                    null,
                    200,
                    answer,
                    "{\"id\":1,\"email\":\"a@b.c\",\"balance\":1,\"created_at\":2,\"extra\":3}"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("extra");
    // Money as a string.
    assertThatThrownBy(
            () ->
                ApiDocumentCheck.check(
                    "GET",
                    "/api/v1/user/me",
                    request,
                    null,
                    200,
                    answer,
                    "{\"id\":1,\"email\":\"a@b.c\",\"balance\":\"1.00\",\"created_at\":2}"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("balance");
    // An error without the error body.
    assertThatThrownBy(
            () ->
                ApiDocumentCheck.check(
                    "GET", "/api/v1/user/me", request, null, 401, answer, "{\"oops\":true}"))
        .isInstanceOf(AssertionError.class);
    // A route the document lacks, answered as if it existed.
    assertThatThrownBy(
            () ->
                ApiDocumentCheck.check(
                    "GET", "/api/v1/undocumented", request, null, 200, answer, "{}"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("path");
    // A status the operation does not list is not covered by "default" when it is a success.
    assertThatThrownBy(
            () ->
                ApiDocumentCheck.check(
                    "POST",
                    "/api/v1/rentals/x/cancel",
                    request,
                    null,
                    201,
                    answer,
                    "{\"id\":\"x\",\"status\":\"cancelled\",\"refund_amount\":0,\"cancelled_at\":1}"))
        .isInstanceOf(AssertionError.class);
    // A request accepted although the document forbids it (no service_id).
    assertThatThrownBy(
            () ->
                ApiDocumentCheck.check(
                    "POST",
                    "/api/v1/rentals",
                    HttpHeaders.of(
                        Map.of(
                            "Authorization",
                            List.of("Bearer k"),
                            "Content-Type",
                            List.of("application/json")),
                        (a, b) -> true),
                    "{}".getBytes(),
                    201,
                    answer,
                    rental()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("service_id");
  }

  @Test
  void everySuccessHasAnExampleAndEveryExampleMatchesItsSchema() {
    JsonNode doc = server.http.get("/api/v1/openapi.json", null).json();
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (var path : doc.path("paths").properties()) {
      for (var op : path.getValue().properties()) {
        if (op.getKey().equals("parameters") || path.getKey().equals("/api/v1/openapi.json")) {
          continue;
        }
        String method = op.getKey().toUpperCase(Locale.ROOT);
        String concrete = path.getKey().replaceAll("\\{[^}]+}", "x");
        for (var answer : op.getValue().path("responses").properties()) {
          if (!answer.getKey().startsWith("2")) {
            continue;
          }
          JsonNode content = resolve(doc, answer.getValue()).path("content");
          List<JsonNode> examples = new ArrayList<>();
          content
              .properties()
              .forEach(
                  media -> {
                    if (media.getValue().has("example")) {
                      examples.add(media.getValue().get("example"));
                    }
                    media
                        .getValue()
                        .path("examples")
                        .forEach(e -> examples.add(resolve(doc, e).path("value")));
                  });
          String where = method + " " + path.getKey() + " " + answer.getKey();
          if (examples.isEmpty()) {
            problems.add(where + ": no example");
          }
          for (JsonNode example : examples) {
            if (!content.has("application/json")) {
              continue;
            }
            checked++;
            ApiDocumentCheck.answerProblems(
                    method, concrete, Integer.parseInt(answer.getKey()), example.toString())
                .forEach(p -> problems.add(where + ": " + p));
          }
        }
      }
    }
    assertThat(problems).isEmpty();
    assertThat(checked).isGreaterThanOrEqualTo(25);
  }

  private static JsonNode resolve(JsonNode doc, JsonNode node) {
    if (!node.has("$ref")) {
      return node;
    }
    JsonNode target = doc;
    for (String part : node.get("$ref").asText().substring(2).split("/")) {
      target = target.path(part);
    }
    return target;
  }

  @Test
  void anUnknownPathAnsweredNotFoundPasses() {
    Http.Response r = server.http.get("/api/v1/nothing-here", null);
    assertThat(r.status()).isEqualTo(404);
  }

  private static String rental() {
    List<String> f = new ArrayList<>();
    f.add("\"id\":\"x\"");
    f.add("\"activation_id\":4294967311");
    f.add("\"service_id\":\"Uber\"");
    f.add("\"phone_number\":\"3026873874\"");
    f.add("\"phone_e164\":\"+13026873874\"");
    f.add("\"country\":\"US\"");
    f.add("\"status\":\"active\"");
    f.add("\"cost\":0.4");
    f.add("\"rented_at\":1");
    f.add("\"expires_at\":2");
    f.add("\"rerent\":false");
    f.add("\"sms_messages\":[]");
    return "{" + String.join(",", f) + "}";
  }
}
