package com.ohmyotp.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The website's files as a browser fetches and revalidates them. */
class AssetsTest {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void everyFileTheLayoutLoadsIsServedWithItsType() {
    Http.Response css = server.http.get("/assets/app.css", null);
    assertThat(css.status()).isEqualTo(200);
    assertThat(css.header("Content-Type")).isEqualTo("text/css;charset=utf-8");
    assertThat(css.header("Cache-Control")).isEqualTo("no-cache");
    assertThat(css.text()).contains("body");

    Http.Response js = server.http.get("/assets/app.js", null);
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.header("Content-Type")).isEqualTo("text/javascript;charset=utf-8");

    Http.Response htmx = server.http.get(Assets.HTMX, null);
    assertThat(htmx.status()).isEqualTo(200);
    assertThat(htmx.header("Content-Type")).isEqualTo("text/javascript;charset=utf-8");
    assertThat(htmx.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
    assertThat(htmx.text()).contains("htmx");

    for (String icon : new String[] {"/assets/favicon.svg", "/favicon.ico"}) {
      Http.Response favicon = server.http.get(icon, null);
      assertThat(favicon.status()).as(icon).isEqualTo(200);
      assertThat(favicon.header("Content-Type")).as(icon).startsWith("image/svg+xml");
      assertThat(favicon.text()).as(icon).startsWith("<svg");
    }

    String login = server.http.get("/login", null).text();
    assertThat(login)
        .contains("<script src=\"" + Assets.HTMX + "\"")
        .contains("<link rel=\"icon\" href=\"/assets/favicon.svg\"")
        .contains("rents disposable phone numbers for receiving SMS verification codes");
  }

  @Test
  void aBrowserThatHasTheFileGetsNotModified() {
    Http.Response first = server.http.get("/assets/app.css", null);
    String etag = first.header("ETag");
    assertThat(etag).matches("\"[A-Za-z0-9_-]{22}\"");

    Http.Response again =
        server.http.send("GET", "/assets/app.css", null, null, Map.of("If-None-Match", etag));
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.text()).isEmpty();
    assertThat(again.header("ETag")).isEqualTo(etag);

    Http.Response changed =
        server.http.send(
            "GET", "/assets/app.css", null, null, Map.of("If-None-Match", "\"other\""));
    assertThat(changed.status()).isEqualTo(200);
    assertThat(changed.text()).isEqualTo(first.text());
  }

  @Test
  void headAnswersWithoutABody() {
    Http.Response head = server.http.send("HEAD", "/assets/app.js", null, null, Map.of());
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("Content-Type")).isEqualTo("text/javascript;charset=utf-8");
    assertThat(head.text()).isEmpty();
  }

  @Test
  void anythingElseUnderThoseFoldersIsNotFound() {
    for (String path :
        new String[] {
          "/assets/missing.css",
          "/assets/",
          "/webjars/htmx.org/1.0.0/dist/htmx.min.js",
          "/assets/..%2Fapi-reference.txt",
          "/web/assets/app.css"
        }) {
      Http.Response response = server.http.get(path, null);
      assertThat(response.status()).as(path).isEqualTo(404);
      assertThat(response.json().get("error").asText()).as(path).isEqualTo("not_found");
    }
  }
}
