package com.ohmyotp.web;

import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The website's stylesheet and script, and htmx from its Maven Central webjar, held in memory.
 *
 * <p>The files are few and known, so they are read once from the class path at start. A static file
 * handler would mount the whole application jar as a file system instead, which cost a fifth of
 * every start-up.
 */
public final class Assets implements Routes {

  /** The htmx the layout loads; the version is the webjar's, fixed in the build. */
  public static final String HTMX = "/webjars/htmx.org/2.0.8/dist/htmx.min.js";

  /** One file, as it is answered. */
  record Asset(byte[] body, String contentType, String etag, String cacheControl) {}

  private final Map<String, Asset> byPath = new LinkedHashMap<>();

  public Assets() {
    // Ours change with each release under the same name, so browsers revalidate them (a 304 is
    // cheap); the webjar's path carries its version, so it never changes.
    add("/assets/app.css", "/web/assets/app.css", "text/css;charset=utf-8", "no-cache");
    add("/assets/app.js", "/web/assets/app.js", "text/javascript;charset=utf-8", "no-cache");
    add("/assets/favicon.svg", "/web/assets/favicon.svg", "image/svg+xml", "no-cache");
    // Where browsers look for an icon when a page names none (an API answer opened in a tab).
    add("/favicon.ico", "/web/assets/favicon.svg", "image/svg+xml", "no-cache");
    add(
        HTMX,
        "/META-INF/resources" + HTMX,
        "text/javascript;charset=utf-8",
        "public, max-age=31536000, immutable");
  }

  private void add(String path, String resource, String contentType, String cacheControl) {
    byte[] body;
    try (InputStream in = Assets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing from the build: " + resource);
      }
      body = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byPath.put(path, new Asset(body, contentType, etag(body), cacheControl));
  }

  @Override
  public void register(RoutesConfig routes) {
    byPath.forEach(
        (path, asset) -> {
          routes.get(path, ctx -> answer(ctx, asset));
          routes.head(path, ctx -> answer(ctx, asset));
        });
  }

  private static void answer(Context ctx, Asset asset) {
    ctx.header("Cache-Control", asset.cacheControl());
    ctx.header("ETag", asset.etag());
    String seen = ctx.header("If-None-Match");
    if (seen != null && (seen.equals("*") || seen.contains(asset.etag()))) {
      ctx.status(304);
      return;
    }
    ctx.contentType(asset.contentType()).result(asset.body());
  }

  private static String etag(byte[] body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
      return '"'
          + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22)
          + '"';
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
