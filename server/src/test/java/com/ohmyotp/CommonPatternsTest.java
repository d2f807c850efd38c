package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.support.TestServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reference's "Common patterns" scripts, copied verbatim into test resources, run with bash,
 * curl and jq against a freshly seeded server; only the host is replaced.
 */
class CommonPatternsTest {

  static TestServer server;
  static String apiKey;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("OHMYOTP_SEED_DEMO", "true", "OHMYOTP_SIMULATOR_DELAY", "1"));
    apiKey = server.app.demo().orElseThrow().apiKey();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  record Run(int exit, String output) {}

  private static Run run(String script, Map<String, String> env) throws Exception {
    String text;
    try (InputStream in = CommonPatternsTest.class.getResourceAsStream("/reference/" + script)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(text).contains("https://ohmyotp.com/api/v1");
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", text.replace("https://ohmyotp.com", server.base))
            .redirectErrorStream(true);
    pb.environment().put("API_KEY", apiKey);
    pb.environment().putAll(env);
    Process process = pb.start();
    if (!process.waitFor(150, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(script + " did not finish");
    }
    return new Run(
        process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /** The JSON a curl example printed, after curl's progress meter on the merged output. */
  private static JsonNode answer(Run run) throws Exception {
    return new ObjectMapper().readTree(run.output().substring(run.output().indexOf('{')));
  }

  private static String code(String output) {
    Matcher m = Pattern.compile("Got code: (\\S+)").matcher(output);
    assertThat(m.find()).as(output).isTrue();
    return m.group(1);
  }

  @Test
  void rentANumberAndWaitForSms() throws Exception {
    Run run = run("rent-and-wait.sh", Map.of());
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).containsPattern("Phone: \\d{10}");
    assertThat(code(run.output())).matches("\\d{4}");
  }

  @Test
  void cancelARentalAndGetARefund() throws Exception {
    JsonNode rental =
        new ObjectMapper()
            .readTree(
                server.http.post("/api/v1/rentals", apiKey, "{\"service_id\":\"Walmart\"}").text());
    Run run = run("cancel.sh", Map.of("RENTAL_ID", rental.get("id").asText()));
    assertThat(run.exit()).as(run.output()).isZero();
    JsonNode answer = answer(run);
    assertThat(answer.get("status").asText()).isEqualTo("cancelled");
    assertThat(answer.get("refund_amount").toString()).isEqualTo("0.4");
  }

  /**
   * The re-rent check and then the re-rent, as the reference writes them, on the demo data: the
   * check answers as the reference's example does, and the re-rent then takes the number.
   */
  @Test
  void rerentCheckThenRerentTheReferencesNumbers() throws Exception {
    Run check = run("rerent-check.sh", Map.of());
    assertThat(check.exit()).as(check.output()).isZero();
    JsonNode checked = answer(check);
    assertThat(checked.get("service_id").asText()).isEqualTo("Uber");
    assertThat(checked.get("cost").toString()).isEqualTo("0.4");
    assertThat(checked.get("eligible_count").asInt()).isEqualTo(1);
    JsonNode results = checked.get("results");
    assertThat(results.get(0).get("phone_number").asText()).isEqualTo("3026873874");
    assertThat(results.get(0).get("eligible").asBoolean()).isTrue();
    assertThat(results.get(0).get("reason").asText()).isEqualTo("ok");
    assertThat(results.get(1).get("phone_number").asText()).isEqualTo("3125550001");
    assertThat(results.get(1).get("eligible").asBoolean()).isFalse();
    assertThat(results.get(1).get("reason").asText()).isEqualTo("phone_currently_active");

    Run rerent = run("rerent.sh", Map.of());
    assertThat(rerent.exit()).as(rerent.output()).isZero();
    JsonNode rental = answer(rerent);
    assertThat(rental.get("service_id").asText()).as(rerent.output()).isEqualTo("Uber");
    assertThat(rental.get("phone_number").asText()).isEqualTo("3026873874");
    assertThat(rental.get("status").asText()).isEqualTo("active");
    assertThat(rental.get("rerent").asBoolean()).isTrue();
    assertThat(rental.get("cost").toString()).isEqualTo("0.4");
  }

  @Test
  void theCatalogShowsWalmartAsTheReferenceDoes() {
    JsonNode services = server.http.get("/api/v1/services", apiKey).json().get("services");
    JsonNode walmart = null;
    for (JsonNode s : services) {
      if (s.get("name").asText().equals("Walmart")) {
        walmart = s;
      }
      assertThat(s.get("name").asText())
          .as("the hold's service is out of the catalog")
          .isNotEqualTo("Demo hold");
    }
    assertThat(walmart).isNotNull();
    assertThat(walmart.get("id").asText()).isEqualTo("AppID-1");
    assertThat(walmart.get("category").asText()).isEqualTo("retail");
  }

  @Test
  void fullFlowRentWaitUse() throws Exception {
    Run run = run("full-flow.sh", Map.of());
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).containsPattern("Rented: \\d{10}");
    assertThat(code(run.output())).matches("\\d{4}");
    assertThat(run.output()).doesNotContain("cancelling");
  }
}
