package com.ohmyotp.web;

import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The API reference as a page, with this server's own base URL in every example, so a customer can
 * paste them as they are.
 */
public final class DocsPage implements Routes {

  /** One piece of the reference: a heading, an endpoint, a paragraph or a code block. */
  public record Block(String kind, String method, String text) {}

  private static final String PUBLISHED_HOST = "https://ohmyotp.com";
  private static final Pattern ENDPOINT = Pattern.compile("^(GET|POST|PUT|PATCH|DELETE)(/\\S+)$");
  private static final Pattern CODE_LINE =
      Pattern.compile(
          "^(curl |\\s|\\{|\\}|\\]|#|export |API_KEY=|RENTAL_ID=|CODE=|for |done|if |fi|else|echo |sleep |while |Authorization:|\"|[A-Z_]+=).*");

  private final Website site;
  private final String reference;

  public DocsPage(Website site) {
    this.site = site;
    try (InputStream in = DocsPage.class.getResourceAsStream("/web/api-reference.txt")) {
      this.reference = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get(
        "/docs",
        site.signedIn(
            (ctx, v) -> {
              String base = baseUrl(ctx);
              site.render(
                  ctx, 200, "docs.jte", Map.of("visitor", v, "blocks", blocks(base), "base", base));
            }));
  }

  /** The origin the visitor reached us at, as a client outside should use it. */
  static String baseUrl(Context ctx) {
    String proto = ctx.header("X-Forwarded-Proto");
    String scheme =
        proto != null && (proto.equals("https") || proto.equals("http")) ? proto : ctx.scheme();
    String host = ctx.host() == null ? "localhost" : ctx.host();
    return scheme + "://" + host.replaceAll("[^A-Za-z0-9.:\\[\\]-]", "");
  }

  List<Block> blocks(String base) {
    List<Block> blocks = new ArrayList<>();
    String[] lines = reference.replace(PUBLISHED_HOST, base).split("\n", -1);
    StringBuilder code = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      boolean inCode = !code.isEmpty();
      if (CODE_LINE.matcher(line).matches()
          || (inCode && !line.isBlank() && !ENDPOINT.matcher(line).matches())) {
        code.append(line).append('\n');
        continue;
      }
      if (inCode) {
        blocks.add(new Block("code", "", code.toString().stripTrailing()));
        code.setLength(0);
      }
      if (line.isBlank()) {
        continue;
      }
      var endpoint = ENDPOINT.matcher(line);
      if (endpoint.matches()) {
        blocks.add(new Block("endpoint", endpoint.group(1), endpoint.group(2)));
      } else if (isHeading(line, i + 1 < lines.length ? lines[i + 1] : "")) {
        blocks.add(new Block("heading", "", line.trim()));
      } else {
        blocks.add(new Block("text", "", line.trim()));
      }
    }
    if (!code.isEmpty()) {
      blocks.add(new Block("code", "", code.toString().stripTrailing()));
    }
    return blocks;
  }

  private static boolean isHeading(String line, String next) {
    String t = line.trim();
    return t.length() <= 40
        && next.isBlank()
        && !t.endsWith(".")
        && !t.endsWith(":")
        && !t.endsWith(")");
  }
}
