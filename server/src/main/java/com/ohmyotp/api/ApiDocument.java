package com.ohmyotp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI document of the public API, written by hand in {@code api/openapi.yaml} and served as
 * JSON at {@value #PATH}. The test suite checks every request and answer it makes against this same
 * file, so the document and the code cannot drift apart.
 */
public final class ApiDocument implements Routes {

  public static final String PATH = "/api/v1/openapi.json";
  static final String RESOURCE = "/api/openapi.yaml";

  private final JsonNode document;

  private ApiDocument(JsonNode document) {
    this.document = document;
  }

  /** Reads the document from the class path; a document that does not parse stops the start. */
  public static ApiDocument load() {
    try (InputStream in = ApiDocument.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      return new ApiDocument(new YAMLMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The document as a tree, for pages built from it. A copy: callers cannot change it. */
  public JsonNode tree() {
    return document.deepCopy();
  }

  /** The document with its example server replaced by the address a client reached us at. */
  public byte[] json(String baseUrl) {
    ObjectNode copy = document.deepCopy();
    copy.putArray("servers").addObject().put("url", baseUrl);
    try {
      return new ObjectMapper().writeValueAsBytes(copy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void register(RoutesConfig routes) {
    // Public: a client generator or an API explorer reads it before it has a key.
    routes.get(
        PATH,
        ctx ->
            ctx.contentType("application/json")
                .header("Cache-Control", "public, max-age=300")
                .header("Access-Control-Allow-Origin", "*")
                .result(json(Origins.of(ctx))));
  }
}
