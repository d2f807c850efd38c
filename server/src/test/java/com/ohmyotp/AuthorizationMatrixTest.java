package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint against every kind of credential: none, malformed, unknown, revoked, another
 * account's, the admin token where a customer key belongs and a customer key where the admin token
 * belongs. Each answer is the status DESIGN.md gives, and none carries the other account's data.
 */
class AuthorizationMatrixTest {

  static TestServer server;
  static Customer owner;
  static Customer stranger;
  static String revokedKey;
  static String service;
  static String ownerRental;
  static String ownerPhone;

  /** An endpoint: method, path, body, and whether it is for customers or the operator. */
  record Endpoint(String method, String path, String body, boolean admin, boolean ownsResource) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  @BeforeAll
  static void start() {
    server = TestServer.start();
    service = server.service("Uber", "0.40", "gateway");
    server.numbers("gateway", 10);
    owner = server.customer("10");
    stranger = server.customer("10");
    JsonNode rental = server.rent(owner, service);
    ownerRental = rental.get("id").asText();
    ownerPhone = rental.get("phone_number").asText();
    server.inboundSms(ownerPhone, "Uber", "Your Uber code is 4821");
    Http.Response key =
        server.admin(
            "POST", "/api/admin/accounts/" + owner.id() + "/api-keys", "{\"name\":\"old\"}");
    revokedKey = key.json().get("api_key").asText();
    server.admin("DELETE", "/api/admin/api-keys/" + key.json().get("id").asLong(), null);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static List<Endpoint> endpoints() {
    String rentBody = "{\"service_id\":\"" + service + "\"}";
    return List.of(
        new Endpoint("GET", "/api/v1/user/me", null, false, false),
        new Endpoint("GET", "/api/v1/balance", null, false, false),
        new Endpoint("GET", "/api/v1/services", null, false, false),
        new Endpoint("GET", "/api/v1/services/" + service, null, false, false),
        new Endpoint("POST", "/api/v1/rentals", rentBody, false, false),
        new Endpoint("GET", "/api/v1/rentals/active", null, false, false),
        new Endpoint("GET", "/api/v1/rentals/history", null, false, false),
        new Endpoint(
            "POST",
            "/api/v1/rentals/rerent?idempotency_key=matrix-key-0001",
            "{\"service_id\":\"" + service + "\",\"phone_number\":\"" + ownerPhone + "\"}",
            false,
            false),
        new Endpoint(
            "POST",
            "/api/v1/rentals/rerent/check",
            "{\"service_id\":\"" + service + "\",\"phone_numbers\":[\"" + ownerPhone + "\"]}",
            false,
            false),
        new Endpoint("GET", "/api/v1/rentals/" + ownerRental, null, false, true),
        new Endpoint("GET", "/api/v1/rentals/" + ownerRental + "/code", null, false, true),
        new Endpoint("POST", "/api/v1/rentals/" + ownerRental + "/cancel", null, false, true),
        new Endpoint(
            "POST", "/api/admin/accounts", "{\"email\":\"matrix@example.com\"}", true, false),
        new Endpoint(
            "POST",
            "/api/admin/accounts/" + owner.id() + "/deposits",
            "{\"amount\":1}",
            true,
            false),
        new Endpoint(
            "POST",
            "/api/admin/accounts/" + owner.id() + "/api-keys",
            "{\"name\":\"x\"}",
            true,
            false),
        new Endpoint("DELETE", "/api/admin/api-keys/999999", null, true, false),
        new Endpoint(
            "POST",
            "/api/admin/services",
            "{\"name\":\"Matrix\",\"category\":\"T\",\"price\":1}",
            true,
            false),
        new Endpoint("PATCH", "/api/admin/services/" + service, "{\"price\":0.5}", true, false),
        new Endpoint(
            "POST", "/api/admin/numbers", "{\"source\":\"gateway\",\"numbers\":[]}", true, false),
        new Endpoint("DELETE", "/api/admin/numbers/" + ownerPhone, null, true, false),
        new Endpoint("GET", "/api/admin/sms/unmatched", null, true, false),
        new Endpoint("GET", "/api/admin/stats", null, true, false),
        new Endpoint(
            "POST",
            "/api/admin/providers",
            "{\"name\":\"matrix\",\"url\":\"https://p.example/\",\"api_key\":\"k\"}",
            true,
            false),
        new Endpoint("GET", "/api/admin/providers", null, true, false),
        new Endpoint("GET", "/api/admin/reports", null, true, false),
        new Endpoint("GET", "/api/admin/sources", null, true, false),
        new Endpoint(
            "POST",
            "/api/v1/rentals/" + ownerRental + "/report",
            "{\"reason\":\"other\"}",
            false,
            true),
        new Endpoint("GET", "/api/admin/providers/none", null, true, false),
        new Endpoint("PATCH", "/api/admin/providers/none", "{\"priority\":1}", true, false),
        new Endpoint("DELETE", "/api/admin/providers/none", null, true, false),
        new Endpoint(
            "POST",
            "/api/admin/gateways",
            "{\"name\":\"matrix\",\"kind\":\"relay\",\"secret\":\"s\"}",
            true,
            false),
        new Endpoint("GET", "/api/admin/gateways", null, true, false),
        new Endpoint("GET", "/api/admin/gateways/none", null, true, false),
        new Endpoint("PATCH", "/api/admin/gateways/none", "{\"silent_minutes\":1}", true, false),
        new Endpoint("DELETE", "/api/admin/gateways/none", null, true, false),
        new Endpoint("POST", "/api/admin/numbers/import", "phone\n2125550000\n", true, false),
        new Endpoint("GET", "/api/admin/accounts?email=nobody@example.com", null, true, false),
        new Endpoint("GET", "/api/admin/accounts/999999", null, true, false),
        new Endpoint("POST", "/api/admin/accounts/999999/password", "{}", true, false),
        new Endpoint("POST", "/api/admin/accounts/999999/disable", null, true, false),
        new Endpoint("POST", "/api/admin/accounts/999999/enable", null, true, false),
        new Endpoint("POST", "/api/admin/accounts/999999/two-factor/off", null, true, false),
        new Endpoint("GET", "/api/admin/services", null, true, false),
        new Endpoint("POST", "/api/admin/vouchers", "{\"amount\":1,\"count\":1}", true, false),
        new Endpoint(
            "POST",
            "/api/v1/balance/redeem",
            "{\"code\":\"OMO-AAAA-BBBB-CCCC-DDDD\"}",
            false,
            false),
        new Endpoint("GET", "/api/v1/rentals/" + ownerRental + "/events", null, false, true),
        new Endpoint("GET", STREAM_OF_ALL, null, false, false),
        new Endpoint(
            "POST",
            "/api/v1/webhooks",
            "{\"url\":\"https://hooks.example/\",\"events\":[\"sms.received\"]}",
            false,
            false),
        new Endpoint("GET", "/api/v1/webhooks", null, false, false),
        new Endpoint("GET", "/api/v1/webhooks/none", null, false, false),
        new Endpoint("DELETE", "/api/v1/webhooks/none", null, false, false),
        new Endpoint("POST", "/api/v1/webhooks/none/rotate", null, false, false),
        new Endpoint("POST", "/api/v1/webhooks/none/enable", null, false, false),
        new Endpoint("POST", "/api/v1/webhooks/none/test", null, false, false),
        new Endpoint("GET", "/api/v1/webhooks/none/deliveries", null, false, false),
        new Endpoint("POST", "/api/v1/webhooks/none/deliveries/1/replay", null, false, false));
  }

  /**
   * The account's event stream: refused at once without a valid key, and with one it stays open, so
   * the checks that present a valid key leave it out.
   */
  static final String STREAM_OF_ALL = "/api/v1/events";

  /** The credentials no endpoint may accept: name, Authorization value. */
  static List<String[]> refused(boolean adminRoute) {
    List<String[]> credentials =
        new ArrayList<>(
            List.of(
                new String[] {"no key", null},
                new String[] {"malformed", "Basic dXNlcjpwYXNz"},
                new String[] {"bearer garbage", "Bearer not-a-key"},
                new String[] {"unknown key", "Bearer omo_live_" + "A".repeat(40)},
                new String[] {"revoked key", "Bearer " + revokedKey}));
    credentials.add(
        adminRoute
            ? new String[] {"customer key on an admin route", "Bearer " + owner.key()}
            : new String[] {"admin token on a customer route", "Bearer " + TestServer.ADMIN_TOKEN});
    return credentials;
  }

  static Stream<Arguments> everyEndpointWithEveryRefusedCredential() {
    List<Arguments> cases = new ArrayList<>();
    for (Endpoint e : endpoints()) {
      for (String[] c : refused(e.admin())) {
        cases.add(Arguments.of(e, c[0], c[1]));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("everyEndpointWithEveryRefusedCredential")
  void isRefusedWith401AndTheErrorBody(Endpoint e, String credential, String authorization) {
    Map<String, String> headers =
        authorization == null ? Map.of() : Map.of("Authorization", authorization);
    Http.Response r = server.http.send(e.method(), e.path(), null, e.body(), headers);
    assertThat(r.status()).as(r.text()).isEqualTo(401);
    assertThat(r.json().get("error").asText()).isNotBlank();
    assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
    assertThat(r.text()).doesNotContain(owner.email()).doesNotContain(ownerPhone);
  }

  @Test
  void anotherAccountsKeyGets403OnTheOwnersRentalsAndOnlyItsOwnDataElsewhere() {
    for (Endpoint e : endpoints()) {
      if (e.admin() || e.path().equals(STREAM_OF_ALL)) {
        continue;
      }
      Http.Response r = server.http.send(e.method(), e.path(), stranger.key(), e.body(), Map.of());
      if (e.ownsResource()) {
        assertThat(r.status()).as(e + ": " + r.text()).isEqualTo(403);
        assertThat(r.json().get("error").asText()).isEqualTo("not_owner");
      } else {
        assertThat(r.status()).as(e + ": " + r.text()).isLessThan(500);
      }
      assertThat(r.text())
          .as(e.toString())
          .doesNotContain(owner.email())
          .doesNotContain(ownerRental)
          .doesNotContain("4821");
    }
    // The owner's rental, its code and its money are as they were.
    JsonNode code = server.http.get("/api/v1/rentals/" + ownerRental + "/code", owner.key()).json();
    assertThat(code.get("code").asText()).isEqualTo("4821");
    assertThat(code.get("status").asText()).isEqualTo("completed");
  }

  @Test
  void theWebhookWantsItsSignatureWhateverElseIsPresented() {
    String body =
        "{\"to\":\"" + ownerPhone + "\",\"from\":\"Uber\",\"text\":\"Your code is 9999\"}";
    for (String authorization :
        new String[] {null, "Bearer " + owner.key(), "Bearer " + TestServer.ADMIN_TOKEN}) {
      Map<String, String> headers =
          authorization == null ? Map.of() : Map.of("Authorization", authorization);
      assertThat(server.http.send("POST", "/api/v1/inbound/sms", null, body, headers).status())
          .isEqualTo(401);
    }
    assertThat(
            server
                .http
                .send(
                    "POST",
                    "/api/v1/inbound/sms",
                    null,
                    body,
                    Map.of("X-Ohmyotp-Signature", "sha256=" + "0".repeat(64)))
                .status())
        .isEqualTo(401);
    assertThat(
            server
                .http
                .get("/api/v1/rentals/" + ownerRental + "/code", owner.key())
                .json()
                .get("code")
                .asText())
        .isEqualTo("4821");
  }

  @Test
  void rentalIdsAreRandomUuids() {
    Customer c = server.customer("20");
    String s = server.service("Lyft", "0.10", "gateway");
    server.numbers("gateway", 40);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      String id = server.rent(c, s).get("id").asText();
      assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
      ids.add(id);
    }
    assertThat(ids).hasSize(40);
  }
}
