package com.ohmyotp.inventory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Json;
import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;

/** The operator's number import and retirement. */
public final class InventoryRoutes implements Routes {

  /** Rows per import request; bigger imports are split by the operator. */
  public static final int MAX_IMPORT_ROWS = 10_000;

  record ImportNumbers(String source, List<NumberStock.ImportRow> numbers) {}

  record ImportAnswer(
      int imported, int duplicates, int invalid, List<NumberStock.ImportResult> results) {}

  private final NumberStock stock;
  private final Set<String> sources;
  private final ApiAuth auth;
  private final ObjectMapper json;

  public InventoryRoutes(NumberStock stock, Set<String> sources, ApiAuth auth, ObjectMapper json) {
    this.stock = stock;
    this.sources = Set.copyOf(sources);
    this.auth = auth;
    this.json = json;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.post("/api/admin/numbers", auth.admin(this::importNumbers));
    routes.delete("/api/admin/numbers/{phone}", auth.admin(this::retire));
  }

  private void importNumbers(Context ctx) {
    ImportNumbers body = Json.read(json, ctx, ImportNumbers.class);
    if (body.source() == null || !sources.contains(body.source())) {
      throw ApiException.badRequest(
          "invalid_source",
          "Source must be one of " + String.join(", ", sources.stream().sorted().toList()) + ".");
    }
    if (body.numbers() == null || body.numbers().isEmpty()) {
      throw ApiException.badRequest("missing_field", "Field 'numbers' needs at least one number.");
    }
    if (body.numbers().size() > MAX_IMPORT_ROWS) {
      throw ApiException.badRequest(
          "too_many_numbers", "Import at most " + MAX_IMPORT_ROWS + " numbers at once.");
    }
    if (body.numbers().stream().anyMatch(row -> row == null || row.phoneNumber() == null)) {
      throw ApiException.badRequest("missing_field", "Every row needs a 'phone_number'.");
    }
    List<NumberStock.ImportResult> results = stock.importNumbers(body.source(), body.numbers());
    int imported = count(results, "imported");
    ctx.status(201)
        .json(
            new ImportAnswer(
                imported, count(results, "duplicate"), count(results, "invalid"), results));
  }

  private void retire(Context ctx) {
    String e164 =
        stock
            .phones()
            .toE164(ctx.pathParam("phone"))
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "invalid_phone_number", "That is not a valid phone number."));
    if (!stock.retire(e164)) {
      throw ApiException.notFound("phone_not_in_inventory", "That number is not in inventory.");
    }
    ctx.status(204);
  }

  private static int count(List<NumberStock.ImportResult> results, String status) {
    return (int) results.stream().filter(r -> r.status().equals(status)).count();
  }
}
