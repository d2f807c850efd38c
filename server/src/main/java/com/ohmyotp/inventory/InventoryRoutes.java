package com.ohmyotp.inventory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Json;
import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** The operator's number import and retirement. */
public final class InventoryRoutes implements Routes {

  /** Rows per import request; bigger imports are split by the operator. */
  public static final int MAX_IMPORT_ROWS = 10_000;

  record ImportNumbers(String source, List<NumberStock.ImportRow> numbers) {}

  record ImportAnswer(
      int imported, int duplicates, int invalid, List<NumberStock.ImportResult> results) {}

  /** The largest CSV import: some 800,000 numbers. */
  public static final long MAX_CSV_BYTES = 32L * 1024 * 1024;

  record CsvRefusal(
      String error, String message, long invalidLines, List<NumberImport.LineError> errors) {}

  record CsvImported(int imported) {}

  private final NumberStock stock;
  private final Set<String> sources;
  private final Function<String, Optional<Integer>> gatewayIds;
  private final String defaultRegion;
  private final ApiAuth auth;
  private final ObjectMapper json;
  private final Clock clock;

  /**
   * @param gatewayIds a gateway's id by its name, for the {@code gateway} column of an import
   * @param defaultRegion the region of numbers written nationally in an import with no country
   */
  public InventoryRoutes(
      NumberStock stock,
      Set<String> sources,
      Function<String, Optional<Integer>> gatewayIds,
      String defaultRegion,
      ApiAuth auth,
      ObjectMapper json,
      Clock clock) {
    this.stock = stock;
    this.sources = Set.copyOf(sources);
    this.gatewayIds = gatewayIds;
    this.defaultRegion = defaultRegion;
    this.auth = auth;
    this.json = json;
    this.clock = clock;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.post("/api/admin/numbers", auth.admin(this::importNumbers));
    routes.post("/api/admin/numbers/import", auth.admin(this::importCsv));
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

  /**
   * {@code POST /api/admin/numbers/import?source=gateway}: a CSV file ({@link NumberImport}), all
   * of it or none. Read as a stream, past the API's usual limit on a body: only the operator can
   * send one.
   */
  private void importCsv(Context ctx) throws java.io.IOException {
    String source = ctx.queryParam("source") == null ? "gateway" : ctx.queryParam("source");
    if (!sources.contains(source)) {
      throw ApiException.badRequest(
          "invalid_source",
          "Source must be one of " + String.join(", ", sources.stream().sorted().toList()) + ".");
    }
    byte[] body = ctx.bodyInputStream().readNBytes((int) MAX_CSV_BYTES + 1);
    if (body.length > MAX_CSV_BYTES) {
      throw new ApiException(
          413,
          "too_large",
          "A CSV import has at most 32 MB; split the file by gateway or country.");
    }
    NumberImport.Reading reading =
        NumberImport.read(
            new java.io.InputStreamReader(
                new java.io.ByteArrayInputStream(body), java.nio.charset.StandardCharsets.UTF_8),
            defaultRegion,
            gatewayIds,
            clock.instant().getEpochSecond());
    switch (reading) {
      case NumberImport.Reading.Invalid invalid ->
          ctx.status(400)
              .json(
                  new CsvRefusal(
                      "invalid_csv",
                      invalid.invalidLines() + " line(s) cannot be imported; nothing was imported.",
                      invalid.invalidLines(),
                      invalid.errors()));
      case NumberImport.Reading.Valid valid -> {
        List<NumberImport.LineError> taken = stock.importAll(source, valid.rows());
        if (!taken.isEmpty()) {
          ctx.status(409)
              .json(
                  new CsvRefusal(
                      "numbers_in_inventory",
                      taken.size() + " number(s) are in inventory already; nothing was imported.",
                      taken.size(),
                      taken));
          return;
        }
        ctx.status(201).json(new CsvImported(valid.rows().size()));
      }
    }
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
