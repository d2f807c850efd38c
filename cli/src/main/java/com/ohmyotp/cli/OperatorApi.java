package com.ohmyotp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operator's API as the admin commands call it: JSON in and out, an error answer turned into a
 * line on standard error and an exit code, and an answer printed as JSON or as a table.
 */
final class OperatorApi {

  /** An answer the command should stop at, with the exit code to stop with. */
  static final class Refused extends RuntimeException {
    final int exit;

    Refused(int exit, String message) {
      super(message);
      this.exit = exit;
    }
  }

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String url;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  OperatorApi(String url, String token) {
    this.url = url.replaceAll("/+$", "");
    this.token = token;
  }

  JsonNode get(String path) {
    return send("GET", path, null);
  }

  JsonNode post(String path, Object body) {
    return send("POST", path, body);
  }

  JsonNode patch(String path, Object body) {
    return send("PATCH", path, body);
  }

  JsonNode delete(String path) {
    return send("DELETE", path, null);
  }

  private JsonNode send(String method, String path, Object body) {
    HttpResponse<String> response;
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(url + path))
              .timeout(Duration.ofMinutes(2))
              .header("Authorization", "Bearer " + token)
              .header("Accept", "application/json")
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      if (body != null) {
        request.header("Content-Type", "application/json");
      }
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new Refused(Admin.NETWORK, "cannot reach " + url + ": connection refused");
    } catch (IOException e) {
      throw new Refused(Admin.NETWORK, "cannot reach " + url + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Refused(Admin.FAILED, "interrupted");
    }
    JsonNode answer;
    try {
      answer = response.body().isEmpty() ? null : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new Refused(
          Admin.FAILED, "HTTP " + response.statusCode() + " from " + url + ", not JSON");
    }
    int status = response.statusCode();
    if (status >= 400) {
      String line =
          "HTTP "
              + status
              + " "
              + (answer == null ? "" : answer.path("error").asText())
              + ": "
              + (answer == null ? "" : answer.path("message").asText())
              + response
                  .headers()
                  .firstValue("X-Request-Id")
                  .map(id -> " (request " + id + ")")
                  .orElse("");
      int exit =
          switch (status) {
            case 401, 403 -> Admin.AUTH;
            case 404 -> Admin.NOT_FOUND;
            case 400, 409, 422 -> Admin.INVALID;
            default -> Admin.FAILED;
          };
      throw new Refused(exit, line);
    }
    return answer;
  }

  /** Prints an answer: JSON as it came, or a table of a list, or one field a line. */
  static void print(JsonNode answer, boolean json, PrintStream out) {
    if (answer == null) {
      return;
    }
    if (json) {
      try {
        out.println(JSON.writeValueAsString(answer));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return;
    }
    JsonNode list = listIn(answer);
    if (list != null) {
      table(list, out);
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = answer.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      out.println(field.getKey() + ": " + cell(field.getValue()));
    }
  }

  /** The one array an answer such as {@code {"accounts": [...]}} holds, if it holds only that. */
  private static JsonNode listIn(JsonNode answer) {
    if (answer.isArray()) {
      return answer;
    }
    JsonNode found = null;
    for (JsonNode value : answer) {
      if (value.isArray()) {
        if (found != null) {
          return null;
        }
        found = value;
      }
    }
    return found != null && answer.size() <= 2 ? found : null;
  }

  private static void table(JsonNode rows, PrintStream out) {
    if (rows.size() > 0 && rows.get(0).isValueNode()) {
      rows.forEach(value -> out.println(value.asText())); // a list of codes: one a line
      return;
    }
    Set<String> columns = new LinkedHashSet<>();
    for (JsonNode row : rows) {
      row.fieldNames().forEachRemaining(columns::add);
    }
    List<String> header = new ArrayList<>(columns);
    int[] width = new int[header.size()];
    List<List<String>> cells = new ArrayList<>();
    for (JsonNode row : rows) {
      List<String> line = new ArrayList<>();
      for (String column : header) {
        line.add(cell(row.get(column)));
      }
      cells.add(line);
    }
    for (int i = 0; i < header.size(); i++) {
      width[i] = header.get(i).length();
      for (List<String> line : cells) {
        width[i] = Math.max(width[i], line.get(i).length());
      }
    }
    StringBuilder head = new StringBuilder();
    for (int i = 0; i < header.size(); i++) {
      head.append(pad(header.get(i).toUpperCase(java.util.Locale.ROOT), width[i]));
    }
    out.println(head.toString().stripTrailing());
    for (List<String> line : cells) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < line.size(); i++) {
        text.append(pad(line.get(i), width[i]));
      }
      out.println(text.toString().stripTrailing());
    }
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - s.length() + 2);
  }

  private static String cell(JsonNode value) {
    if (value == null || value.isNull()) {
      return "-";
    }
    if (value.isValueNode()) {
      String text = value.asText();
      return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
    return value.isArray() ? value.size() + " items" : value.toString();
  }
}
