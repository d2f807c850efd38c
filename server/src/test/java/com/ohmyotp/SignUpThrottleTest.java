package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.support.TestServer;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Each sign-up attempt tells whether an address has an account, so one client address may make
 * twenty, then one every fifteen seconds, as with failed sign-ins. On a server of its own: the
 * budget of the address the tests come from is spent here.
 */
class SignUpThrottleTest {

  @Test
  void signUpsFromOneAddressAreThrottled() throws Exception {
    try (TestServer server = TestServer.start()) {
      CookieManager cookies = new CookieManager();
      HttpClient client = HttpClient.newBuilder().cookieHandler(cookies).build();
      client.send(
          HttpRequest.newBuilder(URI.create(server.base + "/signup")).build(),
          HttpResponse.BodyHandlers.ofString());
      String csrf =
          cookies.getCookieStore().getCookies().stream()
              .filter(c -> c.getName().equals("ohmyotp_csrf"))
              .map(HttpCookie::getValue)
              .findFirst()
              .orElseThrow();
      for (int i = 0; i <= 20; i++) {
        String form =
            "_csrf="
                + csrf
                + "&email="
                + URLEncoder.encode("probe" + i + "@example.com", StandardCharsets.UTF_8)
                + "&password=long+enough+pw&password_again=not+the+same";
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create(server.base + "/signup"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("attempt %d", i + 1).isEqualTo(i < 20 ? 400 : 429);
      }
    }
  }
}
