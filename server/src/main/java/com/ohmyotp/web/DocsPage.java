package com.ohmyotp.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.ohmyotp.api.ApiDocument;
import com.ohmyotp.api.Origins;
import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The API documentation page, built from the OpenAPI document ({@link ApiDocument}) with this
 * server's own address in every example, so that a reader can paste them as they are. Public: a
 * customer reads it before signing up.
 */
public final class DocsPage implements Routes {

  /** A run of text, shown as code when {@code code}. */
  public record Span(String text, boolean code) {}

  /** One parameter of an operation. */
  public record Param(String name, String in, boolean required, String type, List<Span> about) {}

  /** One documented answer: its status, what it means, and an example body when there is one. */
  public record Answer(String status, List<Span> about, String example) {}

  /** One operation: a method on a path. */
  public record Operation(
      String anchor,
      String method,
      String path,
      String summary,
      List<List<Span>> about,
      List<Param> params,
      String curl,
      List<Answer> answers) {}

  /** The operations of one tag. */
  public record Section(
      String anchor, String title, List<Span> about, List<Operation> operations) {}

  /** A row of the error table. */
  public record ErrorRow(String status, List<String> codes, List<Span> meaning) {}

  /** An event a webhook endpoint receives. */
  public record Hook(String type, String summary, String example) {}

  private static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final List<String> METHODS = List.of("get", "post", "patch", "put", "delete");

  private final Website site;
  private final JsonNode document;
  private final Guides guides;

  public DocsPage(Website site, ApiDocument document, Guides guides) {
    this.site = site;
    this.document = document.tree();
    this.guides = guides;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get(
        "/docs",
        site.anyone(
            (ctx, visitor) -> {
              String base = Origins.of(ctx);
              Map<String, Object> params = new HashMap<>();
              params.put("visitor", visitor);
              params.put("base", base);
              params.put("intro", paragraphs(document.path("info").path("description").asText()));
              params.put("sections", sections(base));
              params.put("errors", errors());
              params.put("hooks", hooks());
              params.put("guides", guides.all());
              site.render(ctx, 200, "docs.jte", params);
            }));
  }

  List<Section> sections(String base) {
    Map<String, List<Operation>> byTag = new LinkedHashMap<>();
    Map<String, List<Span>> tagAbout = new LinkedHashMap<>();
    for (JsonNode tag : document.path("tags")) {
      byTag.put(tag.path("name").asText(), new ArrayList<>());
      tagAbout.put(tag.path("name").asText(), spans(tag.path("description").asText()));
    }
    document
        .path("paths")
        .properties()
        .forEach(
            path -> {
              for (String method : METHODS) {
                JsonNode op = path.getValue().get(method);
                if (op == null) {
                  continue;
                }
                String tag = op.path("tags").path(0).asText("Other");
                byTag
                    .computeIfAbsent(tag, t -> new ArrayList<>())
                    .add(operation(base, path.getKey(), method, op, path.getValue()));
              }
            });
    List<Section> sections = new ArrayList<>();
    byTag.forEach(
        (tag, ops) -> {
          if (!ops.isEmpty()) {
            sections.add(new Section(anchor(tag), tag, tagAbout.getOrDefault(tag, List.of()), ops));
          }
        });
    return sections;
  }

  private Operation operation(String base, String path, String method, JsonNode op, JsonNode item) {
    List<Param> params = new ArrayList<>();
    List<JsonNode> declared = new ArrayList<>();
    item.path("parameters").forEach(declared::add);
    op.path("parameters").forEach(declared::add);
    for (JsonNode p : declared) {
      JsonNode param = resolve(p);
      JsonNode schema = resolve(param.path("schema"));
      String type = schema.path("type").asText("string");
      if (schema.has("enum")) {
        List<String> values = new ArrayList<>();
        schema.path("enum").forEach(v -> values.add(v.asText()));
        type = String.join(" | ", values);
      }
      params.add(
          new Param(
              param.path("name").asText(),
              param.path("in").asText(),
              param.path("required").asBoolean(false),
              type,
              spans(param.path("description").asText())));
    }
    List<Answer> answers = new ArrayList<>();
    op.path("responses")
        .properties()
        .forEach(
            r -> {
              JsonNode answer = resolve(r.getValue());
              answers.add(
                  new Answer(
                      r.getKey(),
                      spans(answer.path("description").asText()),
                      example(answer.path("content"))));
            });
    return new Operation(
        anchor(op.path("operationId").asText(method + path)),
        method.toUpperCase(Locale.ROOT),
        path,
        op.path("summary").asText(),
        paragraphs(op.path("description").asText()),
        params,
        curl(base, path, method, op),
        answers);
  }

  /** A curl command for the operation, with its request example when it has one. */
  private String curl(String base, String path, String method, JsonNode op) {
    boolean keyed = !op.has("security") || op.path("security").size() > 0;
    String target =
        base
            + path.replace("{id}", path.contains("webhooks") ? "$WEBHOOK_ID" : "$RENTAL_ID")
                .replace("{delivery}", "$DELIVERY_ID")
                .replace("{gateway}", "my-gateway");
    if (path.startsWith("/api/v1/services/")) {
      target = base + "/api/v1/services/Uber";
    }
    if (path.equals("/stubs/handler_api.php")) {
      target += "?api_key=$API_KEY&action=getBalance";
      keyed = false;
    }
    StringBuilder curl = new StringBuilder("curl");
    if (method.equals("post") && op.path("requestBody").isMissingNode()
        || method.equals("delete")) {
      curl.append(" -X ").append(method.toUpperCase(Locale.ROOT));
    }
    curl.append(
        target.contains("?") || target.contains("$") ? " \"" + target + "\"" : " " + target);
    if (keyed) {
      curl.append(" \\\n  -H \"Authorization: Bearer $API_KEY\"");
    }
    JsonNode example =
        op.path("requestBody").path("content").path("application/json").path("example");
    if (!example.isMissingNode()) {
      curl.append(" \\\n  -H \"Content-Type: application/json\" \\\n  -d '")
          .append(example.toString())
          .append("'");
    }
    return curl.toString();
  }

  List<ErrorRow> errors() {
    List<ErrorRow> rows = new ArrayList<>();
    for (JsonNode e : document.path("info").path("x-errors")) {
      List<String> codes = new ArrayList<>();
      e.path("codes").forEach(c -> codes.add(c.asText()));
      rows.add(new ErrorRow(e.path("status").asText(), codes, spans(e.path("meaning").asText())));
    }
    return rows;
  }

  List<Hook> hooks() {
    List<Hook> hooks = new ArrayList<>();
    document
        .path("webhooks")
        .properties()
        .forEach(
            h -> {
              JsonNode post = h.getValue().path("post");
              hooks.add(
                  new Hook(
                      h.getKey(),
                      post.path("summary").asText(),
                      example(post.path("requestBody").path("content"))));
            });
    return hooks;
  }

  /** A {@code $ref} followed within the document. */
  private JsonNode resolve(JsonNode node) {
    JsonNode ref = node.get("$ref");
    if (ref == null) {
      return node;
    }
    JsonNode target = document;
    for (String part : ref.asText().substring(2).split("/")) {
      target = target.path(part);
    }
    return target;
  }

  private String example(JsonNode content) {
    JsonNode json = content.path("application/json").path("example");
    JsonNode named = content.path("application/json").path("examples");
    if (json.isMissingNode() && named.size() > 0) {
      json = resolve(named.elements().next()).path("value");
    }
    if (json.isMissingNode()) {
      JsonNode text = content.path("text/plain").path("example");
      if (text.isMissingNode()) {
        text = content.path("text/event-stream").path("example");
      }
      return text.isMissingNode() ? null : text.asText();
    }
    try {
      return PRETTY.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      return json.toString();
    }
  }

  /** Paragraphs (split at blank lines), each as text and code spans. */
  static List<List<Span>> paragraphs(String text) {
    List<List<Span>> paragraphs = new ArrayList<>();
    for (String p : text.strip().split("\n\\s*\n")) {
      if (!p.isBlank()) {
        paragraphs.add(spans(p.replace('\n', ' ').strip()));
      }
    }
    return paragraphs;
  }

  /** Text with {@code `code`} marked, as the document writes it. */
  static List<Span> spans(String text) {
    List<Span> spans = new ArrayList<>();
    String[] parts = text.split("`", -1);
    for (int i = 0; i < parts.length; i++) {
      if (!parts[i].isEmpty()) {
        spans.add(new Span(parts[i], i % 2 == 1));
      }
    }
    return spans;
  }

  private static String anchor(String text) {
    return text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
  }
}
