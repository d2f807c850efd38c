package com.ohmyotp.ledger;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.ohmyotp.api.Json;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * {@link Money} in JSON: written as a plain exact number, read from a JSON number only ({@code
 * "0.4"} as a string is a wrong type) with at most {@link Money#SCALE} decimal places.
 */
public final class MoneyJson {

  private MoneyJson() {}

  /** The module that {@link Json#newMapper} takes for money. */
  public static Module module() {
    SimpleModule module = new SimpleModule("money");
    module.addSerializer(Money.class, new MoneySerializer());
    module.addDeserializer(Money.class, new MoneyDeserializer());
    return module;
  }

  private static final class MoneySerializer extends JsonSerializer<Money> {
    @Override
    public void serialize(Money value, JsonGenerator gen, SerializerProvider serializers)
        throws IOException {
      gen.writeNumber(value.plain());
    }
  }

  private static final class MoneyDeserializer extends JsonDeserializer<Money> {
    @Override
    public Money deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
          && p.currentToken() != JsonToken.VALUE_NUMBER_FLOAT) {
        return (Money) ctxt.handleUnexpectedToken(Money.class, p);
      }
      BigDecimal value = p.getDecimalValue();
      try {
        return Money.of(value);
      } catch (IllegalArgumentException e) {
        throw new Json.InvalidValue(
            p, "invalid_amount", "has more than " + Money.SCALE + " decimal places");
      }
    }
  }
}
