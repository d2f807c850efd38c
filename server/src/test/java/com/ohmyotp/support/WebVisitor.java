package com.ohmyotp.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser-like client of the website, for checks below the page: keeps its cookies, does not
 * follow redirects, and reads the CSRF token off the pages as a browser's form would carry it.
 */
public final class WebVisitor {

  /** The CSRF field of a form, as every page renders it. */
  public static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

  public final CookieManager cookies = new CookieManager();
  public final HttpClient client =
      HttpClient.newBuilder()
          .cookieHandler(cookies)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final String base;

  public WebVisitor(String base) {
    this.base = base;
  }

  /** Form fields in the order given: name, value, name, value… */
  public static Map<String, String> form(String... pairs) {
    Map<String, String> form = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      form.put(pairs[i], pairs[i + 1]);
    }
    return form;
  }

  public HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> post(String path, Map<String, String> form, String... headers)
      throws IOException, InterruptedException {
    String body =
        form.entrySet().stream()
            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public String cookie(String name) {
    return cookies.getCookieStore().getCookies().stream()
        .filter(c -> c.getName().equals(name))
        .map(HttpCookie::getValue)
        .findFirst()
        .orElse(null);
  }

  /** The CSRF token the site's pages give this visitor now, read from the sign-in form. */
  public String csrf() throws Exception {
    Matcher token = CSRF_FIELD.matcher(get("/login").body());
    assertThat(token.find()).as("a CSRF field on the sign-in page").isTrue();
    return token.group(1);
  }

  public HttpResponse<String> signUp(String email, String password) throws Exception {
    return post(
        "/signup",
        form("_csrf", csrf(), "email", email, "password", password, "password_again", password));
  }

  public HttpResponse<String> signIn(String email, String password) throws Exception {
    return post("/login", form("_csrf", csrf(), "email", email, "password", password));
  }
}
