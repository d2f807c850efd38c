package com.ohmyotp.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one JSON configuration of the service: snake_case names, money as plain exact numbers, and
 * strict reading (unknown fields, wrong types and trailing garbage are errors, never guesses).
 */
public final class Json {

  private static final int MAX_NESTING = 32;

  private Json() {}

  /**
   * A mapper with this configuration and the features' own value types ({@code modules}: money
   * among them, which the layer below the features does not know).
   */
  public static ObjectMapper newMapper(Module... modules) {
    SimpleModule text = new SimpleModule("text");
    text.addDeserializer(String.class, new TextDeserializer());
    ObjectMapper mapper =
        // Buffers are pooled across threads: the default pool is per thread, and every request runs
        // on a new virtual thread, so each answer would allocate its buffers afresh.
        JsonMapper.builder(
                JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                    // {"amount":1,"amount":1000} is refused, not read as its last value.
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .addModule(text)
            .addModules(modules)
            .build();
    // Strings, numbers and booleans are never converted into one another: a wrong type is a 400.
    for (LogicalType target :
        new LogicalType[] {
          LogicalType.Textual, LogicalType.Boolean, LogicalType.Integer, LogicalType.Float
        }) {
      mapper
          .coercionConfigFor(target)
          .setCoercion(
              CoercionInputShape.Integer,
              target == LogicalType.Integer || target == LogicalType.Float
                  ? CoercionAction.TryConvert
                  : CoercionAction.Fail)
          .setCoercion(
              CoercionInputShape.Float,
              target == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(
              CoercionInputShape.Boolean,
              target == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(
              CoercionInputShape.String,
              target == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(
              CoercionInputShape.EmptyString,
              target == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail);
    }
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxNumberLength(40)
                .maxStringLength(64 * 1024)
                .build());
    return mapper;
  }

  /**
   * Reads a request's body into {@code type}, as {@link #read(ObjectMapper, byte[], Class)} does; a
   * body that is not JSON because it was sent as a form says so.
   */
  public static <T> T read(ObjectMapper mapper, Context ctx, Class<T> type) {
    try {
      return read(mapper, ctx.bodyAsBytes(), type);
    } catch (ApiException e) {
      String contentType = ctx.contentType();
      if (e.error().equals("invalid_json")
          && contentType != null
          && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
        throw ApiException.badRequest(
            "invalid_json",
            "The request body is not a JSON object: it came as a form (Content-Type:"
                + " application/x-www-form-urlencoded, what curl -d sends unless told otherwise)."
                + " Send a JSON object with the header Content-Type: application/json.");
      }
      throw e;
    }
  }

  /**
   * Reads a request body into {@code type}, turning every parse failure into a 400 whose message
   * names the offending field.
   */
  public static <T> T read(ObjectMapper mapper, byte[] body, Class<T> type) {
    if (body.length == 0) {
      throw ApiException.badRequest("invalid_json", "The request body must be a JSON object.");
    }
    try {
      T value = mapper.readValue(body, type);
      if (value == null) {
        throw ApiException.badRequest("invalid_json", "The request body must be a JSON object.");
      }
      return value;
    } catch (InvalidValue e) {
      throw ApiException.badRequest(e.code, "Field '" + fieldPath(e) + "' " + e.problem + ".");
    } catch (UnrecognizedPropertyException e) {
      throw ApiException.badRequest(
          "unknown_field", "Unknown field '" + e.getPropertyName() + "' in the request body.");
    } catch (InvalidFormatException e) {
      if (e.getTargetType() == String.class && e.getValue() instanceof String) {
        throw ApiException.badRequest(
            "invalid_field", "Field '" + fieldPath(e) + "' contains a NUL character.");
      }
      throw wrongType(e);
    } catch (MismatchedInputException e) {
      throw wrongType(e);
    } catch (JsonParseException e) {
      // Jackson tells a repeated key only in its message: "Duplicate field 'amount'".
      String message = String.valueOf(e.getOriginalMessage());
      if (message.startsWith("Duplicate field '")) {
        throw ApiException.badRequest(
            "duplicate_field",
            "Field '"
                + message.substring(17, Math.max(17, message.lastIndexOf('\'')))
                + "' appears twice in the request body.");
      }
      throw ApiException.badRequest("invalid_json", "The request body is not valid JSON.");
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("invalid_json", "The request body is not valid JSON.");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ApiException wrongType(MismatchedInputException e) {
    String path = fieldPath(e);
    if (path.isEmpty()) {
      return ApiException.badRequest("invalid_json", "The request body must be a JSON object.");
    }
    return ApiException.badRequest("invalid_field", "Field '" + path + "' has the wrong type.");
  }

  private static String fieldPath(JsonMappingException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  /**
   * A value of the right JSON type that a feature's deserializer refuses (an amount with too many
   * decimal places): a 400 with {@code code}, saying "Field '<path>' <problem>."
   */
  public static final class InvalidValue extends JsonMappingException {
    private final String code;
    private final String problem;

    public InvalidValue(JsonParser parser, String code, String problem) {
      super(parser, problem);
      this.code = code;
      this.problem = problem;
    }
  }

  public static byte[] write(ObjectMapper mapper, Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass(), e);
    }
  }

  /**
   * Text as Jackson reads it, except that a NUL character is refused: no text column of either
   * database can store one, and no name, number or message needs one.
   */
  private static final class TextDeserializer extends StringDeserializer {
    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String value = super.deserialize(p, ctxt);
      if (value != null && value.indexOf('\0') >= 0) {
        throw ctxt.weirdStringException(value, String.class, "contains a NUL character");
      }
      return value;
    }
  }
}
